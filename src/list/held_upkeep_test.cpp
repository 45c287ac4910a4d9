// list/held_upkeep_test.cpp: expiry of held posts and the daily reminder, on a real store.
#include "list/held_upkeep.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/file.hpp"
#include "list/testing/command_fixture.hpp"

namespace cqlist::list {
namespace {

using std::chrono::hours;

// 2023-11-14 22:13:20 UTC: an hour later is the same UTC day, three hours later the next.
const Clock::time_point kNow = Clock::from_time_t(1700000000);
constexpr auto kDay = hours(24);

class HeldUpkeepTest : public CommandsTest {
 protected:
  HeldUpkeepReport upkeep(Clock::time_point now) {
    auto command_deps = deps();
    auto report = upkeep_held(command_deps, dir_ / "held-reminders", std::nullopt, now);
    EXPECT_TRUE(report) << report.error().describe();
    return report ? *report : HeldUpkeepReport{};
  }

  // The reminders queued since the last call (other mail in the outbox is a test failure).
  std::vector<Sent> reminders() {
    std::vector<Sent> out;
    for (Sent& sent : take_outbox()) {
      EXPECT_TRUE(contains(sent.subject(), "waiting for moderation") ||
                  contains(sent.subject(), "モデレーション待ち"))
          << sent.subject();
      out.push_back(std::move(sent));
    }
    return out;
  }
};

TEST_F(HeldUpkeepTest, DiscardsAPostOlderThanHeldExpiryAndKeepsAYoungerOne) {
  auto old_post = hold_post("stranger@example.org", "old offer", kNow - 31 * kDay);
  auto young_post = hold_post("other@example.org", "recent question", kNow - 29 * kDay);

  auto report = upkeep(kNow);

  ASSERT_EQ(report.expired.size(), 1u);
  EXPECT_EQ(report.expired[0].id, old_post.id);
  EXPECT_EQ(report.expired[0].list, "ham@cq-test.example");
  EXPECT_EQ(report.expired[0].age, 31 * kDay);
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(state_of(old_post), store::HeldState::discarded);
  EXPECT_FALSE(spool_->load(old_post.spool_path));  // its bytes are gone, as on discard
  EXPECT_EQ(state_of(young_post), store::HeldState::waiting);
  EXPECT_TRUE(spool_->load(young_post.spool_path));
  // The poster of the expired post is not told (its sender may be forged): the only mail is
  // the reminder to the moderator, which lists the post still waiting.
  auto sent = reminders();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].recipients, "mo@cq-test.example\n");
  EXPECT_FALSE(contains(sent[0].text(), "old offer"));
  EXPECT_TRUE(contains(sent[0].text(), "recent question"));
}

TEST_F(HeldUpkeepTest, HeldExpiryZeroKeepsEveryPost) {
  set("held_expiry", "0");
  set("held_reminder", "false");
  auto ancient = hold_post("stranger@example.org", "from last year", kNow - 400 * kDay);

  auto report = upkeep(kNow);

  EXPECT_TRUE(report.expired.empty());
  EXPECT_EQ(state_of(ancient), store::HeldState::waiting);
  EXPECT_TRUE(take_outbox().empty());
}

TEST_F(HeldUpkeepTest, AShortHeldExpiryCountsInSeconds) {
  set("held_expiry", "1s");
  set("held_reminder", "false");
  auto post = hold_post("stranger@example.org", "just now", kNow - std::chrono::seconds(2));
  auto report = upkeep(kNow);
  ASSERT_EQ(report.expired.size(), 1u);
  EXPECT_EQ(state_of(post), store::HeldState::discarded);
}

TEST_F(HeldUpkeepTest, ReminderGoesOutOncePerDayAndListsEveryWaitingPost) {
  auto first = hold_post("stranger@example.org", "first offer", kNow - 3 * kDay);
  auto second = hold_post("other@example.org", "second question", kNow - 2 * kDay);

  auto report = upkeep(kNow);
  ASSERT_EQ(report.reminders.size(), 1u);
  EXPECT_EQ(report.reminders[0].waiting, 2u);
  auto sent = reminders();
  ASSERT_EQ(sent.size(), 1u);
  // The hold notice's recipients: the moderator, not the owner while there is a moderator.
  EXPECT_EQ(sent[0].recipients, "mo@cq-test.example\n");
  EXPECT_EQ(sent[0].mail_from, "");  // null sender, like every notice
  EXPECT_EQ(sent[0].subject(), "[ham] 2 posts are waiting for moderation on ham@cq-test.example");
  EXPECT_EQ(sent[0].header("Auto-Submitted"), "auto-generated");
  EXPECT_EQ(sent[0].header("Reply-To"), "ham-owner@cq-test.example");
  const std::string text = sent[0].text();
  EXPECT_TRUE(contains(text, fmt::format("[{}] first offer", first.id))) << text;
  EXPECT_TRUE(contains(text, fmt::format("[{}] second question", second.id))) << text;
  EXPECT_TRUE(contains(text, "From:        stranger@example.org")) << text;
  EXPECT_TRUE(contains(text, "From:        other@example.org")) << text;
  EXPECT_TRUE(contains(text, "Held since:  2023-11-11 22:13 UTC")) << text;
  EXPECT_TRUE(contains(text, "Reason:      stranger@example.org is not a member")) << text;
  // Held 3 days ago, discarded after 30: 27 days from now.
  EXPECT_TRUE(contains(text, "Discarded:   2023-12-11 22:13 UTC, unless decided before")) << text;
  EXPECT_TRUE(contains(text, "cqlist held approve NUMBER")) << text;
  EXPECT_TRUE(contains(text, "(moderate CODE)")) << text;

  // The same UTC day: nothing, although the posts still wait.
  EXPECT_TRUE(upkeep(kNow + hours(1)).reminders.empty());
  EXPECT_TRUE(reminders().empty());
  // The next UTC day: again, now for the one post left.
  auto command_deps = deps();
  ASSERT_TRUE(decide_held(command_deps, first, store::HeldState::discarded));
  report = upkeep(kNow + hours(3));
  ASSERT_EQ(report.reminders.size(), 1u);
  sent = reminders();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].subject(), "[ham] 1 post is waiting for moderation on ham@cq-test.example");
  EXPECT_FALSE(contains(sent[0].text(), "first offer"));
  EXPECT_TRUE(contains(sent[0].text(), "second question"));
}

TEST_F(HeldUpkeepTest, TheDayOfTheLastReminderSurvivesARestart) {
  hold_post("stranger@example.org", "offer", kNow - 2 * kDay);
  ASSERT_EQ(upkeep(kNow).reminders.size(), 1u);
  reminders();
  // A new process reads the day from the file alone.
  EXPECT_EQ(read_file(dir_ / "held-reminders" / "ham@cq-test.example").value_or(""),
            "2023-11-14\n");
  CommandDeps fresh{*store_, *outbox_, *spool_, tokens_, nullptr};
  auto again = upkeep_held(fresh, dir_ / "held-reminders", list_.id, kNow + hours(1));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->reminders.empty());
  EXPECT_TRUE(reminders().empty());
}

TEST_F(HeldUpkeepTest, ReminderOfAJapaneseListIsInJapanese) {
  set("language", "ja");
  hold_post("stranger@example.org", "first offer", kNow - 3 * kDay);
  hold_post("other@example.org", "second question", kNow - 2 * kDay);

  upkeep(kNow);

  auto sent = reminders();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].subject(),
            "[ham] ham@cq-test.example でモデレーション待ちの投稿が 2 件あります");
  const std::string text = sent[0].text();
  EXPECT_TRUE(contains(text, "まだモデレーターの判断を待っています")) << text;
  EXPECT_TRUE(contains(text, "差出人:    stranger@example.org")) << text;
  EXPECT_TRUE(contains(text, "破棄予定:  2023-12-11 22:13 UTC")) << text;
  EXPECT_TRUE(contains(text, "cqlist held approve 番号")) << text;
  EXPECT_FALSE(contains(text, "waiting for a moderator")) << text;
}

TEST_F(HeldUpkeepTest, NoReminderWhenNothingIsHeld) {
  auto report = upkeep(kNow);
  EXPECT_TRUE(report.reminders.empty());
  EXPECT_TRUE(report.expired.empty());
  EXPECT_TRUE(take_outbox().empty());
}

TEST_F(HeldUpkeepTest, NoReminderWhenTurnedOff) {
  set("held_reminder", "false");
  hold_post("stranger@example.org", "offer", kNow - 2 * kDay);
  EXPECT_TRUE(upkeep(kNow).reminders.empty());
  EXPECT_TRUE(take_outbox().empty());
}

TEST_F(HeldUpkeepTest, NoReminderWhileEveryPostIsFresherThanADay) {
  // The hold notice has just told the moderators about this one.
  hold_post("stranger@example.org", "offer", kNow - hours(2));
  EXPECT_TRUE(upkeep(kNow).reminders.empty());
  EXPECT_TRUE(take_outbox().empty());
}

TEST_F(HeldUpkeepTest, OwnersAreRemindedWhenTheListHasNoModerator) {
  ASSERT_TRUE(store_->remove_member(list_.id, "mo@cq-test.example"));
  hold_post("stranger@example.org", "offer", kNow - 2 * kDay);
  upkeep(kNow);
  auto sent = reminders();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].recipients, "olga@cq-test.example\n");
}

TEST_F(HeldUpkeepTest, AListWithNobodyToRemindIsAProblemOncePerDay) {
  ASSERT_TRUE(store_->remove_member(list_.id, "mo@cq-test.example"));
  ASSERT_TRUE(store_->remove_member(list_.id, "olga@cq-test.example"));
  hold_post("stranger@example.org", "offer", kNow - 2 * kDay);
  auto report = upkeep(kNow);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].error.code(), Errc::not_found);
  EXPECT_TRUE(contains(report.problems[0].error.message(), "--role owner"));
  EXPECT_TRUE(upkeep(kNow + hours(1)).problems.empty());
}

TEST(HeldUpkeepSettings, DefaultsAndValues) {
  auto defaults = settings_as_strings(ListSettings{});
  EXPECT_EQ(defaults["held_expiry"], "30d");
  EXPECT_EQ(defaults["held_reminder"], "true");
  EXPECT_EQ(validate_setting("held_expiry", "720h").value_or(""), "30d");
  EXPECT_EQ(validate_setting("held_expiry", "1s").value_or(""), "1s");
  EXPECT_EQ(validate_setting("held_expiry", "0").value_or(""), "0");
  EXPECT_FALSE(validate_setting("held_expiry", "a month"));
  EXPECT_EQ(validate_setting("held_reminder", "off").value_or(""), "false");
  auto settings = parse_settings({{"held_expiry", "2d"}, {"held_reminder", "no"}});
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->held_expiry, hours(48));
  EXPECT_FALSE(settings->held_reminder);
}

}  // namespace
}  // namespace cqlist::list
