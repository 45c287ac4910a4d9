// bounce/member_score_test.cpp: how bounces add to a member's score: weights, at most once a
// day, stale scores forgotten, transient failures only once they persist, the threshold, probes.
#include "bounce/member_score.hpp"

#include <gtest/gtest.h>

namespace cqlist::bounce {
namespace {

using std::chrono::hours;
using store::Clock;

const Clock::time_point kMidnight = Clock::from_time_t(1700006400);  // 2023-11-15 00:00 UTC
constexpr hours kDay(24);

store::MemberBounceState after(const std::vector<std::pair<Failure, Clock::time_point>>& bounces,
                               const list::ListSettings& settings = {}) {
  std::optional<store::MemberBounceState> state;
  for (const auto& [failure, at] : bounces) {
    state = score_bounce(state, failure, settings, at).state;
  }
  return *state;
}

TEST(MemberScore, PermanentCountsOneTemporaryHalf) {
  EXPECT_DOUBLE_EQ(after({{Failure::permanent, kMidnight}}).score, 1.0);
  EXPECT_DOUBLE_EQ(after({{Failure::temporary, kMidnight}}).score, 0.5);
  EXPECT_DOUBLE_EQ(
      after({{Failure::permanent, kMidnight}, {Failure::temporary, kMidnight + kDay}}).score, 1.5);
}

TEST(MemberScore, CountsAtMostOncePerCalendarDay) {
  auto state = after({{Failure::permanent, kMidnight + hours(1)},
                      {Failure::permanent, kMidnight + hours(5)},
                      {Failure::permanent, kMidnight + hours(23)}});
  EXPECT_DOUBLE_EQ(state.score, 1.0);
  EXPECT_EQ(state.last_bounce_at, kMidnight + hours(23));
  // Just after midnight UTC is another day, even though less than 24 hours have passed.
  state = after(
      {{Failure::permanent, kMidnight + hours(23)}, {Failure::permanent, kMidnight + hours(25)}});
  EXPECT_DOUBLE_EQ(state.score, 2.0);
}

TEST(MemberScore, StaleInformationStartsAgainFromZero) {
  list::ListSettings settings;
  settings.bounce_info_stale_after = 7 * kDay;
  auto state = after({{Failure::permanent, kMidnight},
                      {Failure::permanent, kMidnight + kDay},
                      {Failure::permanent, kMidnight + 2 * kDay},
                      {Failure::permanent, kMidnight + 10 * kDay}},
                     settings);
  EXPECT_DOUBLE_EQ(state.score, 1.0);
  EXPECT_EQ(state.first_bounce_at, kMidnight + 10 * kDay);
}

TEST(MemberScore, TransientCountsOnlyOnceItPersists) {
  list::ListSettings settings;
  settings.bounce_transient_after = 3 * kDay;
  std::vector<std::pair<Failure, Clock::time_point>> bounces;
  for (int day = 0; day <= 3; ++day) {
    bounces.push_back({Failure::transient, kMidnight + day * kDay});
  }
  EXPECT_DOUBLE_EQ(after(bounces, settings).score, 0.0);
  bounces.push_back({Failure::transient, kMidnight + 3 * kDay + hours(1)});
  EXPECT_DOUBLE_EQ(after(bounces, settings).score, 0.5);
}

TEST(MemberScore, ThresholdDisablesDeliveryOnce) {
  list::ListSettings settings;
  settings.bounce_score_threshold = 2.0;
  std::optional<store::MemberBounceState> state;
  ScoreChange first = score_bounce(state, Failure::permanent, settings, kMidnight);
  EXPECT_FALSE(first.disabled_now);
  ScoreChange second = score_bounce(first.state, Failure::permanent, settings, kMidnight + kDay);
  EXPECT_TRUE(second.disabled_now);
  EXPECT_TRUE(second.state.delivery_disabled);
  EXPECT_EQ(second.state.disabled_at, kMidnight + kDay);
  // Bounces while paused are noted for the probes, never scored.
  ScoreChange third =
      score_bounce(second.state, Failure::permanent, settings, kMidnight + 2 * kDay);
  EXPECT_FALSE(third.disabled_now);
  EXPECT_DOUBLE_EQ(third.added, 0.0);
  EXPECT_DOUBLE_EQ(third.state.score, 2.0);
  EXPECT_EQ(third.state.last_bounce_at, kMidnight + 2 * kDay);
}

TEST(MemberScore, ProbesReenableWhenOneDoesNotBounceAndRemoveAfterTheLast) {
  list::ListSettings settings;
  settings.bounce_probe_interval = 7 * kDay;
  settings.bounce_probes_before_removal = 2;
  store::MemberBounceState state;
  EXPECT_EQ(probe_step(state, settings, kMidnight), ProbeStep::wait);  // not disabled
  state.delivery_disabled = true;
  state.disabled_at = kMidnight;
  state.last_probe_at = kMidnight;
  state.last_bounce_at = kMidnight;
  EXPECT_EQ(probe_step(state, settings, kMidnight + 6 * kDay), ProbeStep::wait);
  EXPECT_EQ(probe_step(state, settings, kMidnight + 7 * kDay), ProbeStep::send_probe);
  state = after_probe(state, kMidnight + 7 * kDay);
  EXPECT_EQ(probe_step(state, settings, kMidnight + 14 * kDay), ProbeStep::reenable);

  state.last_bounce_at = kMidnight + 7 * kDay + hours(1);  // the probe bounced
  EXPECT_EQ(probe_step(state, settings, kMidnight + 14 * kDay), ProbeStep::send_probe);
  state = after_probe(state, kMidnight + 14 * kDay);
  state.last_bounce_at = kMidnight + 14 * kDay + hours(1);
  EXPECT_EQ(probe_step(state, settings, kMidnight + 21 * kDay), ProbeStep::unsubscribe);

  store::MemberBounceState fresh = reenabled(state);
  EXPECT_FALSE(fresh.delivery_disabled);
  EXPECT_DOUBLE_EQ(fresh.score, 0.0);
  EXPECT_EQ(fresh.probes_sent, 0);
  // The next bounce starts a new run instead of counting against the old one.
  ScoreChange next = score_bounce(fresh, Failure::transient, settings, kMidnight + 22 * kDay);
  EXPECT_DOUBLE_EQ(next.added, 0.0);
  EXPECT_EQ(next.state.first_bounce_at, kMidnight + 22 * kDay);
}

}  // namespace
}  // namespace cqlist::bounce
