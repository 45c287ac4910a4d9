// bounce/processor.cpp: one bounce from the spool to the store: authenticate, parse, classify,
// record, apply.
#include "bounce/processor.hpp"

#include <fmt/format.h>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "bounce/parse.hpp"
#include "list/verp.hpp"

namespace cqlist::bounce {
namespace {

using store::Clock;

std::string local_part_of(std::string_view address) {
  auto at = address.rfind('@');
  return std::string(at == std::string_view::npos ? address : address.substr(0, at));
}

// The report's entry for `address` (Final-Recipient or Original-Recipient); null when none.
const RecipientReport* entry_for(const BounceReport& report, std::string_view address) {
  for (const RecipientReport& recipient : report.recipients) {
    if (iequals(recipient.address, address) || iequals(recipient.original_recipient, address)) {
      return &recipient;
    }
  }
  return nullptr;
}

// Which failure of the member's own mailbox this is, if it is one. Everything else (the list's
// sending setup, the message, auto-replies, unknown) is std::nullopt: never counted.
std::optional<Failure> member_failure(const BounceReport& report, const RecipientReport& entry,
                                      const Classification& classification) {
  if (report.kind != ReportKind::delivery_failure && report.kind != ReportKind::delay) {
    return std::nullopt;
  }
  bool member_side =
      classification.side == Side::recipient || classification.side == Side::transient;
  if (!member_side || classification.member_action == MemberAction::none ||
      classification.member_action == MemberAction::stop) {
    return std::nullopt;
  }
  if (report.kind == ReportKind::delay || classification.side == Side::transient ||
      classification.member_action == MemberAction::weak) {
    return Failure::transient;  // the MTA still retries: counts only when it persists
  }
  return entry.permanent ? Failure::permanent : Failure::temporary;
}

bool is_complaint(const BounceReport& report, const Classification& classification) {
  return classification.side == Side::complaint ||
         (report.kind == ReportKind::complaint &&
          classification.member_action == MemberAction::stop);
}

std::string why_not_counted(const Classification& classification) {
  return fmt::format("not counted: {} side", side_name(classification.side));
}

}  // namespace

Result<BounceOutcome> BounceProcessor::process(const store::ListRow& list,
                                               std::string_view bounce_address,
                                               std::string_view message, Clock::time_point now) {
  BounceOutcome outcome;
  auto verp = list::parse_bounce_address(deps_.tokens, list, local_part_of(bounce_address));
  if (!verp) {
    outcome.dropped = "no valid bounce token (forged, or not a bounce of list mail)";
    log::warn("bounce.unauthenticated", {{"list", list.address()},
                                         {"address", std::string(bounce_address)},
                                         {"action", "dropped, not counted"}});
    return outcome;
  }
  outcome.address = verp->recipient;
  auto report = deps_.parse ? deps_.parse(message) : parse_bounce(message);
  const RecipientReport* entry = report ? entry_for(*report, verp->recipient) : nullptr;
  if (!verp->recipient_proven && entry == nullptr) {
    // XVERP proves the article only: the recipient Postfix appended must be in the report.
    outcome.dropped = report ? "the recipient of the bounce address is not named in the report"
                             : "unreadable report: " + report.error().message();
    log::warn("bounce.unconfirmed", {{"list", list.address()},
                                     {"recipient", verp->recipient},
                                     {"reason", outcome.dropped},
                                     {"action", "dropped, not counted"}});
    return outcome;
  }
  CQLIST_TRY(list::ListSettings settings, list::parse_settings(list.settings));

  store::BounceRow row;
  row.list_id = list.id;
  row.address = verp->recipient;  // the token names the member, whatever the report says
  row.at = now;
  if (!report) {
    row.reason = "unparsed";
    row.side = std::string(side_name(Side::unknown));
    row.diagnostic = report.error().message();
    outcome.classification.side = Side::unknown;
    outcome.action = "recorded, not counted: the report could not be read";
    CQLIST_TRY_VOID(deps_.store.add_bounce(row));
    log::info(
        "bounce.unparsed",
        {{"list", list.address()}, {"member", row.address}, {"error", report.error().message()}});
    return outcome;
  }
  RecipientReport fallback;
  if (entry == nullptr) {
    // A personal token: take the report's first failed recipient as the member's (it was the
    // only one of the envelope), or nothing at all (an auto-reply).
    if (!report->recipients.empty()) {
      fallback = report->recipients.front();
    }
    entry = &fallback;
  }
  outcome.classification =
      deps_.classify ? deps_.classify(*report, *entry) : classify(*report, *entry);
  const Classification& classification = outcome.classification;
  row.status = entry->status ? entry->status->to_string() : "";
  row.reason = classification.reason;
  row.side = std::string(side_name(classification.side));
  row.diagnostic = entry->diagnostic;
  row.provider = classification.provider;
  row.advice = classification.advice;
  row.remote_host = entry->remote_host;

  CQLIST_TRY_VOID(apply(list, settings, outcome, row,
                        member_failure(*report, *entry, classification),
                        is_complaint(*report, classification), now));
  log::info("bounce.processed", {{"list", list.address()},
                                 {"member", row.address},
                                 {"status", row.status},
                                 {"reason", row.reason},
                                 {"side", row.side},
                                 {"provider", row.provider},
                                 {"added", fmt::format("{:.1f}", outcome.added)},
                                 {"action", outcome.action}});
  if (classification.side == Side::sender) {
    CQLIST_TRY_VOID(send_due_alert(list, settings, now));
  }
  return outcome;
}

Result<void> BounceProcessor::apply(const store::ListRow& list, const list::ListSettings& settings,
                                    BounceOutcome& outcome, store::BounceRow& row,
                                    std::optional<Failure> failure, bool complaint,
                                    Clock::time_point now) {
  auto member = deps_.store.find_member(list.id, row.address);
  if (!member && member.error().code() != Errc::not_found) {
    return fail(std::move(member.error()));
  }
  if (!member || (!failure && !complaint)) {
    outcome.action =
        !member ? "recorded: not a member (any more)" : why_not_counted(outcome.classification);
    return deps_.store.add_bounce(row);
  }
  if (complaint) {
    // The member first, the record after: processed again after a crash between the two,
    // the complaint finds the change made and is recorded once.
    if (settings.complaint_action == list::ComplaintAction::unsubscribe) {
      outcome.action = "complaint: unsubscribed";
      CQLIST_TRY_VOID(deps_.store.remove_member(list.id, member->address));
    } else {
      outcome.action = "complaint: delivery set to nomail";
      member->mode = store::DeliveryMode::nomail;
      CQLIST_TRY_VOID(deps_.store.update_member(*member));
    }
    return deps_.store.add_bounce(row);
  }
  CQLIST_TRY(auto previous, deps_.store.bounce_state(list.id, member->address));
  ScoreChange change = score_bounce(previous, *failure, settings, now);
  change.state.list_id = list.id;
  change.state.address = member->address;
  row.weight = change.added;
  outcome.added = change.added;
  outcome.action = change.disabled_now ? "scored; delivery disabled"
                   : change.added > 0  ? "scored"
                   : previous && previous->delivery_disabled
                       ? "noted: delivery is paused (a test message bounced)"
                       : "noted, not counted (counted today already, or not persistent yet)";
  CQLIST_TRY_VOID(deps_.store.add_scored_bounce(row, change.state));
  if (change.disabled_now) {
    log::info("bounce.delivery_disabled", {{"list", list.address()},
                                           {"member", member->address},
                                           {"score", fmt::format("{:.1f}", change.state.score)}});
    if (auto told = notify_member(list, settings, change.state, false, row.diagnostic, now);
        !told) {
      log::warn("bounce.notice_failed",
                {{"list", list.address()}, {"error", told.error().describe()}});
    }
  }
  return {};
}

Result<BounceOutcome> BounceProcessor::process_spooled(list::Spool& spool, const std::string& id,
                                                       Clock::time_point now) {
  CQLIST_TRY(list::SpoolEntry entry, spool.load(id));
  CQLIST_TRY(store::Id list_id, entry.list_id());
  auto list = deps_.store.list_by_id(list_id);
  if (!list && list.error().code() == Errc::not_found) {
    log::warn("bounce.list_gone", {{"spool", id}, {"list_id", entry.envelope["list_id"]}});
    CQLIST_TRY_VOID(spool.remove(id));
    BounceOutcome gone;
    gone.dropped = "the list does not exist any more";
    return gone;
  }
  if (!list) {
    return fail(std::move(list.error()));
  }
  CQLIST_TRY(BounceOutcome outcome,
             process(*list, entry.envelope["recipient"], entry.message, now));
  CQLIST_TRY_VOID(spool.remove(id));
  return outcome;
}

Result<std::size_t> BounceProcessor::process_spool(list::Spool& spool, Clock::time_point now) {
  CQLIST_TRY(auto ids, spool.ids("bounce"));
  std::size_t handled = 0;
  for (const auto& id : ids) {
    if (auto done = process_spooled(spool, id, now); !done) {
      log::error("bounce.process_failed", {{"spool", id}, {"error", done.error().describe()}});
      continue;
    }
    ++handled;
  }
  return handled;
}

Result<void> BounceProcessor::run_timers(Clock::time_point now) {
  CQLIST_TRY(auto lists, deps_.store.lists());
  for (const store::ListRow& list : lists) {
    auto settings = list::parse_settings(list.settings);
    if (!settings) {
      log::error("bounce.settings_invalid",
                 {{"list", list.address()}, {"error", settings.error().describe()}});
      continue;
    }
    if (auto probed = run_probes(list, *settings, now); !probed) {
      log::error("bounce.probes_failed",
                 {{"list", list.address()}, {"error", probed.error().describe()}});
    }
    if (auto alerted = send_due_alert(list, *settings, now); !alerted) {
      log::error("bounce.alert_failed",
                 {{"list", list.address()}, {"error", alerted.error().describe()}});
    }
  }
  return {};
}

}  // namespace cqlist::bounce
