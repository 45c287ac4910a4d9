// bounce/member_score.hpp: a member's bounce score and what it leads to, as pure functions.
//
// Owns: the rules, Mailman-like, with times passed in so tests need no clock:
//   - a permanent failure of the member's mailbox adds 1, a temporary one 0.5, at most once
//     per calendar day (UTC), so one broken day of a provider cannot remove anyone;
//   - a transient failure (the MTA still retries) adds 0.5 only once the member has been
//     bouncing for longer than bounce_transient_after;
//   - a score whose last bounce is older than bounce_info_stale_after starts again at zero;
//   - at bounce_score_threshold delivery is disabled; then every bounce_probe_interval a test
//     message goes out: one that did not bounce re-enables delivery, and after
//     bounce_probes_before_removal bounced ones the member is removed.
// Which bounces are the member's problem at all is the classifier's decision (classify.hpp);
// the processor only brings recipient-side and transient ones here.
#pragma once

#include <optional>

#include "list/settings.hpp"
#include "store/store.hpp"

namespace cqlist::bounce {

enum class Failure {
  permanent,  // the member's mailbox refused for good (5.1.1, 5.2.1 ...)
  temporary,  // the member's mailbox refused for now (mailbox full reported as 4.x.x)
  transient,  // the MTA is still retrying; counts only when it persists
};

struct ScoreChange {
  store::MemberBounceState state;
  double added = 0;           // what this bounce added to the score
  bool disabled_now = false;  // the score reached the threshold with this bounce
};

// The member's record after one more bounce of theirs at `now`. `previous` is their record
// (std::nullopt: none yet); list_id and address are taken from it or must be set by the
// caller on the result.
ScoreChange score_bounce(const std::optional<store::MemberBounceState>& previous, Failure failure,
                         const list::ListSettings& settings, store::Clock::time_point now);

enum class ProbeStep {
  wait,         // nothing to do yet
  send_probe,   // send a test message (and count it)
  reenable,     // the last test message did not bounce: deliver again
  unsubscribe,  // every test message bounced
};

ProbeStep probe_step(const store::MemberBounceState& state, const list::ListSettings& settings,
                     store::Clock::time_point now);

// The record after a test message went out at `now`.
store::MemberBounceState after_probe(store::MemberBounceState state, store::Clock::time_point now);

// The record of a member whose delivery resumes: score, run and probes cleared.
store::MemberBounceState reenabled(store::MemberBounceState state);

}  // namespace cqlist::bounce
