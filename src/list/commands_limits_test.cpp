// What wears out: moderation codes after moderation_code_lifetime, the `get` allowance of an
// address per day, and confirmation codes once used by their web link.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "base/strings.hpp"
#include "list/testing/command_fixture.hpp"

namespace cqlist::list {
namespace {

TEST_F(CommandsTest, ExpiredModerationCodeDecidesNothing) {
  const store::HeldRow held =
      hold_post("stranger@example.org", "Old news", Clock::now() - std::chrono::hours(24 * 15));
  request("mo@cq-test.example", "Re: [ham] held post: Old news (moderate " + held.token + ")",
          "approve\r\n");
  EXPECT_TRUE(distributed_.empty());
  EXPECT_EQ(state_of(held), store::HeldState::waiting);
  const std::string text = only_mail().text();
  EXPECT_TRUE(contains(text, "The moderation code " + held.token)) << text;
  EXPECT_TRUE(contains(text, "has expired (codes work for 14d)"));
  EXPECT_TRUE(contains(text, "cqlist held approve " + std::to_string(held.id)));

  // The command form with the token expires the same way; within the lifetime it works.
  request("mo@cq-test.example", "", "reject " + held.token + " too old\r\n");
  EXPECT_TRUE(contains(only_mail().text(), "has expired"));
  EXPECT_EQ(state_of(held), store::HeldState::waiting);
  set("moderation_code_lifetime", "30d");
  request("mo@cq-test.example", "", "approve " + held.token + "\r\n");
  EXPECT_EQ(state_of(held), store::HeldState::approved);
  EXPECT_EQ(distributed_.size(), 1u);
  EXPECT_TRUE(take_outbox().size() == 1u);
}

TEST_F(CommandsTest, ModerationCodesNeverExpireWithLifetimeZero) {
  set("moderation_code_lifetime", "0");
  const store::HeldRow held =
      hold_post("stranger@example.org", "Ancient", Clock::now() - std::chrono::hours(24 * 400));
  request("olga@cq-test.example", "", "discard " + held.token + "\r\n");
  EXPECT_EQ(state_of(held), store::HeldState::discarded);
  EXPECT_TRUE(contains(only_mail().text(), "was discarded"));
}

TEST_F(CommandsTest, ADecidedPostIsReportedAsDecidedEvenAfterItsCodeExpired) {
  const store::HeldRow held =
      hold_post("stranger@example.org", "Done", Clock::now() - std::chrono::hours(24 * 20));
  auto command_deps = deps();
  ASSERT_TRUE(decide_held(command_deps, held, store::HeldState::discarded));
  request("mo@cq-test.example", "", "approve " + held.token + "\r\n");
  EXPECT_TRUE(contains(only_mail().text(), "was decided already (discarded)"));
}

TEST_F(CommandsTest, GetDailyLimitCountsArticlesPerAddress) {
  set("get_daily_limit", "3");
  add_member("nick@relaxed.example", store::Role::member);
  ASSERT_TRUE(store_->set_last_article(list_.id, 4));
  for (int article = 1; article <= 4; ++article) {
    ASSERT_TRUE(archive_->write(
        list_, article, fmt::format("Subject: article {}\r\n\r\nText {}.\r\n", article, article)));
  }
  request("mia@relaxed.example", "", "get 1-2\r\n");
  EXPECT_EQ(only_mail().subject(), "ham@cq-test.example articles 1-2");

  // One more fits today; article 4 is refused with the reason.
  request("mia@relaxed.example", "", "get 3-4\r\n");
  auto sent = take_outbox();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].subject(), "ham@cq-test.example articles 3");
  const std::string refused = sent[1].text();
  EXPECT_TRUE(contains(refused, "Not sent: 4. At most 3 articles a day")) << refused;
  EXPECT_TRUE(contains(refused, "mia@relaxed.example has had them today"));

  // Nothing more today; other addresses have their own allowance.
  request("Mia <mia@relaxed.example>", "", "get 1\r\n");
  sent = take_outbox();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_TRUE(contains(sent[0].text(), "Not sent: 1."));
  request("nick@relaxed.example", "", "get 1-3\r\n");
  EXPECT_EQ(only_mail().subject(), "ham@cq-test.example articles 1-3");
}

TEST_F(CommandsTest, ConfirmationLinkLooksFirstAndConfirmsOnce) {
  request("Link User <linkuser@example.org>", "subscribe", "");
  const std::string token = token_of(only_mail());
  auto command_deps = deps();

  auto looked = confirm_by_link(command_deps, token, false);
  ASSERT_TRUE(looked) << looked.error().describe();
  EXPECT_EQ(looked->list, "ham@cq-test.example");
  EXPECT_EQ(looked->action, "subscribe");
  EXPECT_EQ(looked->address, "linkuser@example.org");
  EXPECT_FALSE(is_member("linkuser@example.org"));  // a GET (or a link scanner) changes nothing
  EXPECT_TRUE(take_outbox().empty());

  auto confirmed = confirm_by_link(command_deps, to_ascii_upper(token), true);
  ASSERT_TRUE(confirmed) << confirmed.error().describe();
  EXPECT_TRUE(is_member("linkuser@example.org"));
  EXPECT_EQ(store_->find_member(list_.id, "linkuser@example.org")->display_name, "Link User");
  const Sent welcome = only_mail();
  EXPECT_EQ(welcome.subject(), "Welcome to ham@cq-test.example");
  EXPECT_EQ(welcome.recipients, "linkuser@example.org\n");
  EXPECT_EQ(welcome.mail_from, "");

  EXPECT_EQ(confirm_by_link(command_deps, token, true).error().code(), Errc::not_found);
  EXPECT_EQ(confirm_by_link(command_deps, "aaaaaaaaaaaaaaaaaaaaaaaaaa", false).error().code(),
            Errc::not_found);
}

TEST_F(CommandsTest, UnsubscribeByConfirmationLink) {
  request("mia@relaxed.example", "unsubscribe", "");
  const std::string token = token_of(only_mail());
  auto command_deps = deps();
  auto done = confirm_by_link(command_deps, token, true);
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->action, "unsubscribe");
  EXPECT_FALSE(is_member("mia@relaxed.example"));
  EXPECT_EQ(only_mail().subject(), "You have left ham@cq-test.example");
}

TEST_F(CommandsTest, DeliveryChangeByConfirmationLink) {
  request("mia@relaxed.example", "", "nomail on\r\n");  // From not vouched for: a request
  const std::string token = token_of(only_mail());
  auto command_deps = deps();

  auto looked = confirm_by_link(command_deps, token, false);
  ASSERT_TRUE(looked) << looked.error().describe();
  EXPECT_EQ(looked->list, "ham@cq-test.example");
  EXPECT_EQ(looked->action, "nomail on");
  EXPECT_EQ(looked->address, "mia@relaxed.example");
  EXPECT_EQ(delivery_change_wording(looked->action), Text::mode_change_nomail_on);
  EXPECT_EQ(store_->find_member(list_.id, "mia@relaxed.example")->mode,
            store::DeliveryMode::regular)
      << "a GET (or a link scanner) changes nothing";

  auto confirmed = confirm_by_link(command_deps, token, true);
  ASSERT_TRUE(confirmed) << confirmed.error().describe();
  EXPECT_TRUE(confirmed->carried_out);
  EXPECT_EQ(store_->find_member(list_.id, "mia@relaxed.example")->mode,
            store::DeliveryMode::nomail);
  EXPECT_EQ(confirm_by_link(command_deps, token, true).error().code(), Errc::not_found);
}

TEST_F(CommandsTest, DeliveryChangeLinkOfAnAddressThatLeftChangesNothing) {
  request("mia@relaxed.example", "", "digest on\r\n");
  const std::string token = token_of(only_mail());
  ASSERT_TRUE(store_->remove_member(list_.id, "mia@relaxed.example"));
  auto command_deps = deps();
  auto done = confirm_by_link(command_deps, token, true);
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->action, "digest on");
  EXPECT_FALSE(done->carried_out);
  EXPECT_FALSE(is_member("mia@relaxed.example"));
}

TEST(DeliveryChangeWording, NamesTheChangeOfEachDeliveryCommandOnly) {
  EXPECT_EQ(delivery_change_wording("digest on"), Text::mode_change_digest_on);
  EXPECT_EQ(delivery_change_wording("digest off"), Text::mode_change_digest_off);
  EXPECT_EQ(delivery_change_wording("nomail off"), Text::mode_change_nomail_off);
  EXPECT_EQ(delivery_change_wording("subscribe"), std::nullopt);
  EXPECT_EQ(delivery_change_wording("unsubscribe"), std::nullopt);
}

}  // namespace
}  // namespace cqlist::list
