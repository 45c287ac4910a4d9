// cli/bounces.cpp: `cqlist bounces`: what came back, whose problem it is, and what to do.
//
//   cqlist bounces [--list L] [--since T] [--json]   one table per list: provider and reason,
//                                                    counts, members and their scores, advice
//   cqlist bounces show MEMBER [--list L]            a member's bounce history, score, state
//   cqlist bounces parse FILE... [--json]            the parser on files (bounces_parse.cpp)
#include <algorithm>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bounce/bounce_text.hpp"
#include "bounce/summary.hpp"
#include "cli/commands.hpp"
#include "cli/json_text.hpp"
#include "cli/runtime.hpp"
#include "cli/store_command.hpp"
#include "list/setting_values.hpp"
#include "list/settings.hpp"

namespace cqlist::cli {
namespace {

using store::Clock;

// Members named per group in the table; the JSON lists them all.
constexpr std::size_t kMembersShown = 8;

struct BouncesArgs {
  ConfigArgs config;
  std::string list;
  std::string since = "7d";
  bool json = false;
  std::string member;
};

// "7d", "12h" (that long ago), "2026-11-01" or "2026-11-01T10:00:00Z".
Result<Clock::time_point> parse_since(std::string_view text, Clock::time_point now) {
  constexpr std::uint64_t kTenYears = 3660ULL * 86400;
  if (auto span = list::setting_values::check_duration("--since", text, kTenYears)) {
    return now - std::chrono::seconds(
                     static_cast<std::int64_t>(list::setting_values::duration_seconds(*span)));
  }
  std::tm parts{};
  std::string value(text);
  const char* end = ::strptime(value.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  if (end == nullptr || *end != '\0') {
    parts = std::tm{};
    end = ::strptime(value.c_str(), "%Y-%m-%d", &parts);
  }
  if (end == nullptr || *end != '\0') {
    return fail(Errc::invalid_argument,
                fmt::format("--since \"{}\" is neither a time span (7d, 12h) nor a date "
                            "(2026-11-01 or 2026-11-01T10:00:00Z)",
                            text));
  }
  return Clock::from_time_t(::timegm(&parts));
}

Result<std::vector<store::ListRow>> chosen_lists(store::Store& store, const std::string& list) {
  if (list.empty()) {
    return store.lists();
  }
  CQLIST_TRY(store::ListRow row, find_list_by_address(store, list));
  return std::vector<store::ListRow>{row};
}

// Whose problem a group is, in one line; for the list's own problems, the fix.
std::string advice_line(const bounce::BounceGroup& group, const list::ListSettings& settings) {
  auto span = [](std::chrono::seconds value) {
    return list::setting_values::format_duration(static_cast<std::uint64_t>(value.count()));
  };
  if (group.side == "sender") {
    return std::string(bounce::advice_fix(list::Language::en, group.advice));
  }
  if (group.side == "recipient") {
    return fmt::format(
        "the member's mailbox: counts toward their score (delivery pauses at {:.1f})",
        settings.bounce_score_threshold);
  }
  if (group.side == "transient") {
    return fmt::format("temporary: counts only when it goes on for more than {}",
                       span(settings.bounce_transient_after));
  }
  if (group.side == "message") {
    return "this post's content or size: not counted against members; tell the poster";
  }
  if (group.side == "complaint") {
    return settings.complaint_action == list::ComplaintAction::unsubscribe
               ? "the member reported list mail as spam: unsubscribed"
               : "the member reported list mail as spam: set to nomail";
  }
  return "not counted against anyone";
}

struct MemberScore {
  std::string address;
  double score = 0;
  bool paused = false;
  bool member = true;
};

std::vector<MemberScore> scores_of(store::Store& store, const store::ListRow& list,
                                   const bounce::BounceGroup& group) {
  std::vector<MemberScore> out;
  for (const std::string& address : group.members) {
    MemberScore score{address};
    auto state = store.bounce_state(list.id, address);
    if (!state) {
      score.member = false;
    } else if (*state) {
      score.score = (*state)->score;
      score.paused = (*state)->delivery_disabled;
    }
    out.push_back(std::move(score));
  }
  return out;
}

std::string member_text(const MemberScore& score) {
  if (!score.member) {
    return score.address + " (not a member)";
  }
  return fmt::format("{} ({:.1f}{})", score.address, score.score, score.paused ? ", paused" : "");
}

std::string group_json(const bounce::BounceGroup& group, const std::vector<MemberScore>& scores,
                       const std::string& advice) {
  std::string members;
  for (const MemberScore& score : scores) {
    members += fmt::format("{}{{\"address\":{},\"member\":{},\"score\":{:.1f},\"paused\":{}}}",
                           members.empty() ? "" : ",", json_string(score.address), score.member,
                           score.score, score.paused);
  }
  return fmt::format(
      "{{\"provider\":{},\"reason\":{},\"side\":{},\"count\":{},\"advice_key\":{},"
      "\"advice\":{},\"example\":{},\"first\":{},\"last\":{},\"members\":[{}]}}",
      json_string(group.provider), json_string(group.reason), json_string(group.side), group.count,
      json_string(group.advice), json_string(advice), json_string(group.example),
      json_string(format_rfc3339(group.first)), json_string(format_rfc3339(group.last)), members);
}

int run_table(const BouncesArgs& args) {
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("bounces", runtime.error());
  }
  auto since = parse_since(args.since, Clock::now());
  if (!since) {
    return report_error("bounces", since.error());
  }
  auto lists = chosen_lists(*runtime->store, args.list);
  if (!lists) {
    return report_error("bounces", lists.error());
  }
  std::string json;
  for (const store::ListRow& list : *lists) {
    auto rows = runtime->store->bounces_since(list.id, *since);
    if (!rows) {
      return report_error("bounces", rows.error());
    }
    list::ListSettings settings =
        list::parse_settings(list.settings).value_or(list::ListSettings{});
    std::vector<bounce::BounceGroup> groups = bounce::group_bounces(*rows);
    if (args.json) {
      std::string groups_json;
      for (const auto& group : groups) {
        groups_json += (groups_json.empty() ? "" : ",") +
                       group_json(group, scores_of(*runtime->store, list, group),
                                  advice_line(group, settings));
      }
      json += fmt::format("{}{{\"list\":{},\"since\":{},\"bounces\":{},\"groups\":[{}]}}",
                          json.empty() ? "" : ",", json_string(list.address()),
                          json_string(format_rfc3339(*since)), rows->size(), groups_json);
      continue;
    }
    fmt::print("{}: {} bounces since {}\n", list.address(), rows->size(), format_utc(*since));
    for (const auto& group : groups) {
      auto scores = scores_of(*runtime->store, list, group);
      std::string shown;
      for (std::size_t i = 0; i < scores.size() && i < kMembersShown; ++i) {
        shown += (shown.empty() ? "" : ", ") + member_text(scores[i]);
      }
      if (scores.size() > kMembersShown) {
        shown += fmt::format(", and {} more", scores.size() - kMembersShown);
      }
      fmt::print("  {:<22} {:<16} {:<10} {:>5} bounces, {} members\n", group.provider, group.reason,
                 group.side, group.count, group.members.size());
      fmt::print("      members: {}\n", shown);
      if (!group.example.empty()) {
        fmt::print("      said:    {}\n", group.example);
      }
      fmt::print("      advice:  {}\n", advice_line(group, settings));
    }
  }
  if (args.json) {
    fmt::print("{{\"lists\":[{}]}}\n", json);
  }
  return kExitOk;
}

void print_member(const store::ListRow& list, const store::MemberRow* member,
                  const std::optional<store::MemberBounceState>& state,
                  const std::vector<store::BounceRow>& rows, const list::ListSettings& settings) {
  fmt::print("{} in {}\n", member != nullptr ? member->address : rows.front().address,
             list.address());
  if (member == nullptr) {
    fmt::print("  not a member (any more)\n");
  } else {
    double score = state ? state->score : 0.0;
    fmt::print("  score:    {:.1f} of {:.1f} (delivery pauses there)\n", score,
               settings.bounce_score_threshold);
    if (state && state->delivery_disabled) {
      fmt::print("  delivery: paused by bounces since {}; {} of {} test messages sent, last {}\n",
                 format_utc(state->disabled_at), state->probes_sent,
                 settings.bounce_probes_before_removal, format_utc(state->last_probe_at));
    } else {
      fmt::print("  delivery: {}\n", store::delivery_mode_name(member->mode));
    }
    if (state) {
      fmt::print("  last bounce {}, last counted {}\n", format_utc(state->last_bounce_at),
                 format_utc(state->last_counted_at));
    }
  }
  fmt::print("  history ({} bounces):\n", rows.size());
  for (const store::BounceRow& row : rows) {
    fmt::print("    {}  {:<7} {:<14} {:<10} +{:.1f}  {}\n", format_utc(row.at),
               row.status.empty() ? "-" : row.status, row.reason.empty() ? "-" : row.reason,
               row.side, row.weight, row.provider.empty() ? row.remote_host : row.provider);
    if (!row.diagnostic.empty()) {
      fmt::print("        {}\n", row.diagnostic);
    }
  }
}

int run_show(const BouncesArgs& args) {
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("bounces show", runtime.error());
  }
  auto address = parse_typed_address(args.member);
  if (!address) {
    return report_error("bounces show", address.error());
  }
  auto lists = chosen_lists(*runtime->store, args.list);
  if (!lists) {
    return report_error("bounces show", lists.error());
  }
  bool found = false;
  for (const store::ListRow& list : *lists) {
    auto member = runtime->store->find_member(list.id, address->address);
    auto rows = runtime->store->bounces(list.id, address->address);
    if (!rows) {
      return report_error("bounces show", rows.error());
    }
    if (!member && rows->empty()) {
      continue;
    }
    std::optional<store::MemberBounceState> state;
    if (member) {
      auto read = runtime->store->bounce_state(list.id, address->address);
      if (!read) {
        return report_error("bounces show", read.error());
      }
      state = *read;
    }
    fmt::print("{}", found ? "\n" : "");
    found = true;
    print_member(list, member ? &*member : nullptr, state, *rows,
                 list::parse_settings(list.settings).value_or(list::ListSettings{}));
  }
  if (!found) {
    return report_error(
        "bounces show",
        Error(Errc::not_found,
              fmt::format("{} is no member of {} and has no "
                          "bounces there",
                          address->address, args.list.empty() ? "any list" : args.list)));
  }
  return kExitOk;
}

}  // namespace

void register_bounces(CLI::App& app) {
  auto args = std::make_shared<BouncesArgs>();
  auto* bounces =
      app.add_subcommand("bounces", "Read bounces: parse files, or report what the lists received");
  add_config_options(*bounces, args->config);
  bounces->add_option("--list", args->list, "Only this list, NAME@DOMAIN");
  bounces
      ->add_option("--since", args->since,
                   "From when: a time span back (7d, 12h) or a date (2026-11-01)")
      ->capture_default_str();
  bounces->add_flag("--json", args->json, "One JSON object with every list's groups");
  bounces->footer(
      "Without a subcommand: one table per list of the bounces received, by provider and\n"
      "reason, with the members affected (their bounce scores in brackets) and what to do.\n"
      "Bounces on the sender side are the list's own setup and never count against members.");
  bounces->require_subcommand(0, 1);
  bounces->callback([args, bounces] {
    if (bounces->get_subcommands().empty()) {
      exit_code() = run_table(*args);
    }
  });

  auto show_args = std::make_shared<BouncesArgs>();
  auto* show = bounces->add_subcommand("show", "A member's bounce history, score and state");
  add_config_options(*show, show_args->config);
  show->add_option("member", show_args->member, "The member's address")->required();
  show->add_option("--list", show_args->list, "Only this list, NAME@DOMAIN");
  show->callback([show_args] { exit_code() = run_show(*show_args); });

  register_bounces_parse(*bounces);
}

}  // namespace cqlist::cli
