// list/held_upkeep.cpp: expiry of held posts and the moderators' daily reminder.
#include "list/held_upkeep.hpp"

#include <algorithm>
#include <ctime>
#include <system_error>

#include <fmt/format.h>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "list/commands.hpp"
#include "list/list_addresses.hpp"
#include "list/notices.hpp"
#include "list/notices_text.hpp"
#include "list/setting_values.hpp"

namespace cqlist::list {
namespace {

using Clock = std::chrono::system_clock;

// A post younger than this is not yet a reason to remind: its hold notice has just gone out.
constexpr auto kRemindAfter = std::chrono::hours(24);

std::string utc_day(Clock::time_point when) {
  const std::time_t seconds = Clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{:04d}-{:02d}-{:02d}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
}

std::string utc_minute(Clock::time_point when) {
  const std::time_t seconds = Clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d} UTC", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min);
}

// "31d", "5h": the age in its largest whole unit, for the log.
std::string age_text(std::chrono::seconds age) {
  const auto seconds = std::max<std::int64_t>(age.count(), 0);
  if (seconds >= 86400) {
    return fmt::format("{}d", seconds / 86400);
  }
  if (seconds >= 3600) {
    return fmt::format("{}h", seconds / 3600);
  }
  if (seconds >= 60) {
    return fmt::format("{}m", seconds / 60);
  }
  return fmt::format("{}s", seconds);
}

// Discards the list's held posts older than held_expiry; returns the posts still waiting.
Result<std::vector<store::HeldRow>> expire(CommandDeps& deps, const store::ListRow& list,
                                           const ListSettings& settings, Clock::time_point now,
                                           HeldUpkeepReport& report) {
  CQLIST_TRY(auto waiting, deps.store.held(list.id, store::HeldState::waiting));
  const auto expiry = settings.held_expiry;
  if (expiry.count() == 0) {
    return waiting;
  }
  std::vector<store::HeldRow> kept;
  for (const store::HeldRow& held : waiting) {
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - held.held_at);
    if (age <= expiry) {
      kept.push_back(held);
      continue;
    }
    const std::string why =
        fmt::format("expired: no moderator decided within {}",
                    setting_values::format_duration(static_cast<std::uint64_t>(expiry.count())));
    if (auto decided = decide_held(deps, held, store::HeldState::discarded, why); !decided) {
      // A moderator decided it a moment ago: nothing left to expire.
      if (decided.error().code() == Errc::invalid_argument) {
        continue;
      }
      return fail(std::move(decided.error()));
    }
    log::info("held.expired", {{"list", list.address()},
                               {"held", std::to_string(held.id)},
                               {"age", age_text(age)},
                               {"sender", held.sender}});
    report.expired.push_back({list.address(), held.id, held.sender, held.subject, age});
  }
  return kept;
}

std::filesystem::path reminder_file(const std::filesystem::path& dir, const store::ListRow& list) {
  return dir / to_ascii_lower(list.address());
}

// The UTC day of the list's last reminder; empty: never.
Result<std::string> last_reminder_day(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    if (error) {
      return fail(Errc::io, fmt::format("cannot look for {}: {}", file.string(), error.message()));
    }
    return std::string();
  }
  CQLIST_TRY(std::string text, read_file(file));
  return std::string(trim(text));
}

Result<void> record_reminder_day(const std::filesystem::path& dir,
                                 const std::filesystem::path& file, const std::string& day) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return fail(Errc::io, fmt::format("cannot create {} for the days of held-post reminders: {}",
                                      dir.string(), error.message()));
  }
  return write_file_durably(file, day + "\n", Overwrite::allow, 0640);
}

Notice reminder_notice(const store::ListRow& list, const ListSettings& settings,
                       const std::vector<store::HeldRow>& waiting) {
  const Language language = language_of(settings);
  const ListAddresses addresses = list_addresses(list);
  Notice notice;
  notice.answers_a_message = false;
  // Decisions go by reply to each hold notice; a reply to the reminder is for a person.
  notice.reply_to = addresses.owner;
  notice.subject =
      waiting.size() == 1
          ? say(language, Text::held_reminder_subject_one, fmt::arg("name", list.name),
                fmt::arg("list", addresses.posting))
          : say(language, Text::held_reminder_subject, fmt::arg("name", list.name),
                fmt::arg("count", waiting.size()), fmt::arg("list", addresses.posting));
  notice.body = say(language, Text::held_reminder_intro, fmt::arg("list", addresses.posting));
  for (const store::HeldRow& held : waiting) {
    const std::string expiry =
        settings.held_expiry.count() == 0
            ? say(language, Text::held_reminder_kept)
            : say(language, Text::held_reminder_expires,
                  fmt::arg("when", utc_minute(held.held_at + settings.held_expiry)));
    notice.body +=
        "\n\n" + say(language, Text::held_reminder_item, fmt::arg("id", held.id),
                     fmt::arg("subject", one_line(held.subject)),
                     fmt::arg("sender", one_line(held.sender)),
                     fmt::arg("since", utc_minute(held.held_at)),
                     fmt::arg("reason", one_line(held.reason)), fmt::arg("expiry", expiry));
  }
  notice.body +=
      "\n\n" + say(language, Text::held_reminder_howto, fmt::arg("list", addresses.posting));
  return notice;
}

Result<void> remind(CommandDeps& deps, const std::filesystem::path& reminder_dir,
                    const store::ListRow& list, const ListSettings& settings,
                    std::vector<store::HeldRow> waiting, Clock::time_point now,
                    HeldUpkeepReport& report) {
  if (!settings.held_reminder || waiting.empty()) {
    return {};
  }
  const bool one_waited_a_day =
      std::any_of(waiting.begin(), waiting.end(),
                  [&](const store::HeldRow& held) { return now - held.held_at >= kRemindAfter; });
  if (!one_waited_a_day) {
    return {};
  }
  const std::filesystem::path file = reminder_file(reminder_dir, list);
  const std::string today = utc_day(now);
  CQLIST_TRY(std::string last, last_reminder_day(file));
  if (last == today) {
    return {};
  }
  CQLIST_TRY(auto recipients, moderators_of(deps.store, list));
  if (recipients.empty()) {
    // Recorded all the same, so the timer says this once a day rather than every minute.
    CQLIST_TRY_VOID(record_reminder_day(reminder_dir, file, today));
    return fail(Errc::not_found,
                fmt::format("{} has {} held posts waiting and no moderator or owner to remind; "
                            "add one with `cqlist members add {} ADDRESS --role owner`",
                            list.address(), waiting.size(), list.address()));
  }
  std::sort(waiting.begin(), waiting.end(),
            [](const store::HeldRow& a, const store::HeldRow& b) { return a.id < b.id; });
  Notice notice = reminder_notice(list, settings, waiting);
  notice.to = std::move(recipients);
  CQLIST_TRY(std::string id, queue_notice(deps.outbox, list, notice));
  CQLIST_TRY_VOID(record_reminder_day(reminder_dir, file, today));
  log::info("held.reminder_sent", {{"list", list.address()},
                                   {"waiting", std::to_string(waiting.size())},
                                   {"moderators", std::to_string(notice.to.size())},
                                   {"outbox", id}});
  report.reminders.push_back({list.address(), waiting.size(), notice.to, id});
  return {};
}

Result<void> upkeep_list(CommandDeps& deps, const std::filesystem::path& reminder_dir,
                         const store::ListRow& list, Clock::time_point now,
                         HeldUpkeepReport& report) {
  CQLIST_TRY(ListSettings settings, parse_settings(list.settings));
  CQLIST_TRY(auto waiting, expire(deps, list, settings, now, report));
  return remind(deps, reminder_dir, list, settings, std::move(waiting), now, report);
}

}  // namespace

Result<HeldUpkeepReport> upkeep_held(CommandDeps& deps, const std::filesystem::path& reminder_dir,
                                     std::optional<store::Id> list_id, Clock::time_point now) {
  std::vector<store::ListRow> lists;
  if (list_id) {
    CQLIST_TRY(store::ListRow list, deps.store.list_by_id(*list_id));
    lists.push_back(std::move(list));
  } else {
    CQLIST_TRY(lists, deps.store.lists());
  }
  HeldUpkeepReport report;
  for (const store::ListRow& list : lists) {
    // One list's broken setting or missing owner must not keep the other lists' posts held.
    if (auto done = upkeep_list(deps, reminder_dir, list, now, report); !done) {
      log::error("held.upkeep_failed",
                 {{"list", list.address()}, {"error", done.error().describe()}});
      report.problems.push_back({list.address(), std::move(done.error())});
    }
  }
  return report;
}

}  // namespace cqlist::list
