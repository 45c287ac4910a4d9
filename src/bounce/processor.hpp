// bounce/processor.hpp: what the list does when a bounce comes back, and later.
//
// Owns: the way of one bounce from the spool (list/service.cpp keeps mail to
// NAME-bounces+KEY durably, kind "bounce") to the store, and the timers that follow:
//   1. authenticate the VERP address (list/verp.hpp). No valid token: logged and dropped,
//      never counted, so nobody can get members removed by forging bounces. A personal token
//      names the member, and wins over whatever the parser reads; an XVERP token proves only
//      the article, so the recipient Postfix appended must be a member and be named in the
//      report itself.
//   2. parse (parse.hpp) and classify (classify.hpp) the member's part of the report, and
//      record it (store::BounceRow) whatever it is, for `cqlist bounces`.
//   3. apply: the member's own mailbox problems add to their score (member_score.hpp); a
//      spam complaint sets nomail or unsubscribes (list setting complaint_action); problems
//      of the list's own sending setup, of the message, or unknown ones never touch a score.
//      A sender-side bounce makes the owners' summary due (alerts.hpp).
// Timers (run_timers, every minute or so from the daemon): test messages to members whose
// delivery is paused, re-enabling, removal after bounced test messages (owners told), and the
// owners' summaries of sender-side bounces, at most one per list per bounce_alert_period.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "bounce/classify.hpp"
#include "bounce/member_score.hpp"
#include "bounce/report.hpp"
#include "list/settings.hpp"
#include "list/spool.hpp"
#include "list/token.hpp"
#include "store/store.hpp"

namespace cqlist::bounce {

struct ProcessorDeps {
  store::Store& store;
  list::Spool& outbox;  // notices, test messages and summaries for the MTA
  const list::TokenSigner& tokens;
  // The parser and the classifier; tests plug in fixed answers. Null: parse_bounce, classify.
  std::function<Result<BounceReport>(std::string_view message)> parse = nullptr;
  std::function<Classification(const BounceReport&, const RecipientReport&)> classify = nullptr;
};

// What one bounce did, for the log and for tests.
struct BounceOutcome {
  std::string dropped;  // why nothing at all was recorded ("no valid bounce token"); else empty
  std::string address;  // the member it was about
  Classification classification;
  double added = 0;    // to the member's score
  std::string action;  // "scored", "delivery disabled", "not counted: sender side", ...
};

class BounceProcessor {
 public:
  explicit BounceProcessor(ProcessorDeps deps) : deps_(deps) {}

  // A bounce that arrived for `bounce_address` (the whole RCPT TO, NAME-bounces+KEY...@DOMAIN)
  // of `list` at `now`.
  Result<BounceOutcome> process(const store::ListRow& list, std::string_view bounce_address,
                                std::string_view message, store::Clock::time_point now);

  // A spool entry of kind "bounce": processed, then removed (also when it was dropped; it is
  // kept only when the store failed, to be tried again).
  Result<BounceOutcome> process_spooled(list::Spool& spool, const std::string& id,
                                        store::Clock::time_point now);

  // Every bounce waiting in the spool, oldest first; returns how many were handled.
  Result<std::size_t> process_spool(list::Spool& spool, store::Clock::time_point now);

  // Probes, re-enabling, removals and owners' summaries due at `now`, for every list.
  Result<void> run_timers(store::Clock::time_point now);

  // The same for one list (also right after a sender-side bounce, for its summary).
  Result<void> run_probes(const store::ListRow& list, const list::ListSettings& settings,
                          store::Clock::time_point now);
  Result<void> send_due_alert(const store::ListRow& list, const list::ListSettings& settings,
                              store::Clock::time_point now);

 private:
  // Scores the member's failure or carries out their complaint; records `row` with the
  // weight it got.
  Result<void> apply(const store::ListRow& list, const list::ListSettings& settings,
                     BounceOutcome& outcome, store::BounceRow& row, std::optional<Failure> failure,
                     bool complaint, store::Clock::time_point now);
  Result<void> notify_member(const store::ListRow& list, const list::ListSettings& settings,
                             const store::MemberBounceState& state, bool probe,
                             std::string_view diagnostic, store::Clock::time_point now);
  Result<void> notify_owners(const store::ListRow& list, std::string subject, std::string body,
                             store::Clock::time_point now);

  ProcessorDeps deps_;
};

}  // namespace cqlist::bounce
