// bounce/member_score.cpp: the score rules of member_score.hpp.
#include "bounce/member_score.hpp"

#include <chrono>

namespace cqlist::bounce {
namespace {

using store::Clock;

bool never(Clock::time_point when) {
  return when == Clock::time_point();
}

std::int64_t utc_day(Clock::time_point when) {
  return std::chrono::duration_cast<std::chrono::hours>(when.time_since_epoch()).count() / 24;
}

double weight_of(Failure failure, const store::MemberBounceState& state,
                 const list::ListSettings& settings, Clock::time_point now) {
  switch (failure) {
    case Failure::permanent:
      return 1.0;
    case Failure::temporary:
      return 0.5;
    case Failure::transient:
      return now - state.first_bounce_at > settings.bounce_transient_after ? 0.5 : 0.0;
  }
  return 0.0;
}

}  // namespace

ScoreChange score_bounce(const std::optional<store::MemberBounceState>& previous, Failure failure,
                         const list::ListSettings& settings, Clock::time_point now) {
  ScoreChange change;
  store::MemberBounceState& state = change.state;
  if (previous) {
    state = *previous;
  }
  if (state.delivery_disabled) {
    // A test message (or a late copy) bounced: remembered for probe_step(), never scored.
    state.last_bounce_at = now;
    return change;
  }
  bool stale = !previous || never(state.last_bounce_at) ||
               now - state.last_bounce_at > settings.bounce_info_stale_after;
  if (stale) {
    state.score = 0;
    state.first_bounce_at = now;
    state.last_counted_at = Clock::time_point();
  }
  state.last_bounce_at = now;
  double weight = weight_of(failure, state, settings, now);
  if (weight > 0 && !never(state.last_counted_at) &&
      utc_day(state.last_counted_at) == utc_day(now)) {
    weight = 0;  // counted today already
  }
  if (weight > 0) {
    state.score += weight;
    state.last_counted_at = now;
    change.added = weight;
  }
  if (state.score >= settings.bounce_score_threshold) {
    state.delivery_disabled = true;
    state.disabled_at = now;
    state.probes_sent = 0;
    state.last_probe_at = now;  // the notice of the pause is the first message to watch
    change.disabled_now = true;
  }
  return change;
}

ProbeStep probe_step(const store::MemberBounceState& state, const list::ListSettings& settings,
                     Clock::time_point now) {
  if (!state.delivery_disabled || now - state.last_probe_at < settings.bounce_probe_interval) {
    return ProbeStep::wait;
  }
  if (state.probes_sent > 0 && state.last_bounce_at < state.last_probe_at) {
    return ProbeStep::reenable;
  }
  if (static_cast<std::size_t>(state.probes_sent) >= settings.bounce_probes_before_removal) {
    return ProbeStep::unsubscribe;
  }
  return ProbeStep::send_probe;
}

store::MemberBounceState after_probe(store::MemberBounceState state, Clock::time_point now) {
  state.probes_sent += 1;
  state.last_probe_at = now;
  return state;
}

store::MemberBounceState reenabled(store::MemberBounceState state) {
  state.delivery_disabled = false;
  state.score = 0;
  state.first_bounce_at = Clock::time_point();
  state.last_bounce_at = Clock::time_point();  // the next bounce starts a new run
  state.last_counted_at = Clock::time_point();
  state.probes_sent = 0;
  return state;
}

}  // namespace cqlist::bounce
