// bounce/probes.cpp: members whose delivery is paused: the notice, the test messages, and
// what their fate says (deliver again, or remove and tell the owners).
//
// The notice and every test message leave with the member's personal bounce address
// (list/verp.hpp), so their bounces come back authenticated and name the member; one that
// does not come back within bounce_probe_interval proves the mailbox works again.
#include <fmt/format.h>

#include "base/log.hpp"
#include "bounce/bounce_text.hpp"
#include "bounce/processor.hpp"
#include "list/delivery.hpp"
#include "list/list_addresses.hpp"
#include "list/notices.hpp"
#include "list/setting_values.hpp"
#include "list/verp.hpp"

namespace cqlist::bounce {
namespace {

using store::Clock;

std::string interval_text(std::chrono::seconds interval) {
  return list::setting_values::format_duration(static_cast<std::uint64_t>(interval.count()));
}

std::string day_text(Clock::time_point when) {
  return list::rfc5322_date(when);
}

Result<std::vector<std::string>> owners(store::Store& store, const store::ListRow& list) {
  CQLIST_TRY(auto members, store.members(list.id));
  std::vector<std::string> addresses;
  for (const auto& member : members) {
    if (member.role == store::Role::owner) {
      addresses.push_back(member.address);
    }
  }
  return addresses;
}

// The member's last bounce that was their mailbox's fault, in the remote server's words.
std::string last_diagnostic(store::Store& store, const store::ListRow& list,
                            std::string_view address) {
  auto rows = store.bounces(list.id, address);
  if (!rows) {
    return {};
  }
  for (auto row = rows->rbegin(); row != rows->rend(); ++row) {
    if (row->side == "recipient" || row->side == "transient") {
      return row->diagnostic.empty() ? row->status : row->diagnostic;
    }
  }
  return {};
}

}  // namespace

Result<void> BounceProcessor::notify_member(const store::ListRow& list,
                                            const list::ListSettings& settings,
                                            const store::MemberBounceState& state, bool probe,
                                            std::string_view diagnostic, Clock::time_point now) {
  list::Language language = list::language_of(settings);
  list::ListAddresses addresses = list::list_addresses(list);
  std::string interval = interval_text(settings.bounce_probe_interval);
  list::Notice notice;
  notice.to = {state.address};
  notice.answers_a_message = false;
  if (probe) {
    notice.subject = say(language, BounceText::probe_subject, fmt::arg("list", addresses.posting));
    notice.body = say(language, BounceText::probe_body, fmt::arg("list", addresses.posting),
                      fmt::arg("address", state.address), fmt::arg("interval", interval),
                      fmt::arg("owner", addresses.owner));
  } else {
    notice.subject =
        say(language, BounceText::disabled_subject, fmt::arg("list", addresses.posting));
    notice.body = say(language, BounceText::disabled_body, fmt::arg("list", addresses.posting),
                      fmt::arg("address", state.address), fmt::arg("diagnostic", diagnostic),
                      fmt::arg("interval", interval),
                      fmt::arg("probes", settings.bounce_probes_before_removal),
                      fmt::arg("owner", addresses.owner));
  }
  notice.body += "\n";
  CQLIST_TRY(std::string bytes, list::render_notice(notice, list, now));
  std::string envelope = list::personal_bounce_address(deps_.tokens, list, state.address);
  CQLIST_TRY_VOID(list::queue_outbox(deps_.outbox, list, envelope, notice.to, bytes));
  return {};
}

Result<void> BounceProcessor::notify_owners(const store::ListRow& list, std::string subject,
                                            std::string body, Clock::time_point now) {
  CQLIST_TRY(auto to, owners(deps_.store, list));
  if (to.empty()) {
    log::error("bounce.no_owner",
               {{"list", list.address()},
                {"subject", subject},
                {"advice", "add one: cqlist members add LIST ADDRESS --role owner"}});
    return {};
  }
  list::Notice notice;
  notice.to = std::move(to);
  notice.subject = std::move(subject);
  notice.body = std::move(body);
  notice.answers_a_message = false;
  CQLIST_TRY(std::string bytes, list::render_notice(notice, list, now));
  CQLIST_TRY_VOID(list::queue_outbox(deps_.outbox, list, "", notice.to, bytes));
  return {};
}

Result<void> BounceProcessor::run_probes(const store::ListRow& list,
                                         const list::ListSettings& settings,
                                         Clock::time_point now) {
  CQLIST_TRY(auto states, deps_.store.bounce_states(list.id));
  list::Language language = list::language_of(settings);
  for (const store::MemberBounceState& state : states) {
    switch (probe_step(state, settings, now)) {
      case ProbeStep::wait:
        break;
      case ProbeStep::send_probe: {
        // Recorded first: a crash in between loses one test message, never sends two.
        store::MemberBounceState probed = after_probe(state, now);
        CQLIST_TRY_VOID(deps_.store.put_bounce_state(probed));
        CQLIST_TRY_VOID(notify_member(list, settings, probed, true, "", now));
        log::info("bounce.probe_sent", {{"list", list.address()},
                                        {"member", state.address},
                                        {"probe", std::to_string(probed.probes_sent)}});
        break;
      }
      case ProbeStep::reenable:
        CQLIST_TRY_VOID(deps_.store.put_bounce_state(reenabled(state)));
        log::info("bounce.delivery_reenabled", {{"list", list.address()},
                                                {"member", state.address},
                                                {"reason", "a test message did not bounce"}});
        break;
      case ProbeStep::unsubscribe: {
        std::string diagnostic = last_diagnostic(deps_.store, list, state.address);
        CQLIST_TRY_VOID(deps_.store.remove_member(list.id, state.address));
        log::info("bounce.member_removed", {{"list", list.address()},
                                            {"member", state.address},
                                            {"probes", std::to_string(state.probes_sent)}});
        std::string posting = list.address();
        auto told = notify_owners(
            list,
            say(language, BounceText::removed_subject, fmt::arg("list", posting),
                fmt::arg("address", state.address)),
            say(language, BounceText::removed_body, fmt::arg("list", posting),
                fmt::arg("address", state.address), fmt::arg("since", day_text(state.disabled_at)),
                fmt::arg("score", fmt::format("{:.1f}", state.score)),
                fmt::arg("probes", state.probes_sent), fmt::arg("diagnostic", diagnostic)) +
                "\n",
            now);
        if (!told) {
          log::warn("bounce.notice_failed",
                    {{"list", list.address()}, {"error", told.error().describe()}});
        }
        break;
      }
    }
  }
  return {};
}

}  // namespace cqlist::bounce
