// bounce/alerts.cpp: the owners' summary of sender-side bounces, at most one per period.
//
// The first sender-side bounce after a quiet period is reported at once (a broken DKIM key
// should not wait a day); what follows within bounce_alert_period waits for the next summary.
// Each bounce is reported once: the summary marks what it covered.
#include <fmt/format.h>

#include "base/log.hpp"
#include "bounce/processor.hpp"
#include "bounce/summary.hpp"

namespace cqlist::bounce {
namespace {

using store::Clock;

// How far back unreported bounces are looked for when no summary was ever sent.
constexpr auto kFirstLookBack = std::chrono::hours(24 * 30);

}  // namespace

Result<void> BounceProcessor::send_due_alert(const store::ListRow& list,
                                             const list::ListSettings& settings,
                                             Clock::time_point now) {
  CQLIST_TRY(auto last, deps_.store.last_bounce_alert(list.id));
  if (last && now - *last < settings.bounce_alert_period) {
    return {};
  }
  // Bounces are recorded with the time they were processed, after the last summary's marks;
  // the minute covers one processed in the same second as that summary.
  Clock::time_point since = last ? *last - std::chrono::minutes(1) : now - kFirstLookBack;
  CQLIST_TRY(auto rows, deps_.store.bounces_since(list.id, since));
  std::vector<store::BounceRow> pending;
  std::vector<store::Id> ids;
  for (auto& row : rows) {
    if (row.side == "sender" && row.alerted_at == Clock::time_point()) {
      ids.push_back(row.id);
      pending.push_back(std::move(row));
    }
  }
  if (pending.empty()) {
    return {};
  }
  std::vector<BounceGroup> groups = group_bounces(pending);
  AlertMail mail = sender_alert(list::language_of(settings), list, groups, pending.front().at,
                                settings.bounce_alert_period);
  // Marked first: a crash in between loses one summary, never sends the same one twice.
  CQLIST_TRY_VOID(deps_.store.mark_bounces_alerted(list.id, ids, now));
  CQLIST_TRY_VOID(notify_owners(list, std::move(mail.subject), std::move(mail.body), now));
  log::info("bounce.alert_sent", {{"list", list.address()},
                                  {"bounces", std::to_string(pending.size())},
                                  {"groups", std::to_string(groups.size())}});
  return {};
}

}  // namespace cqlist::bounce
