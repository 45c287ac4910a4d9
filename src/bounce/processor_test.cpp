#include "bounce/processor.hpp"

#include <filesystem>
#include <memory>

#include <gtest/gtest.h>
#include <stdlib.h>

#include "list/verp.hpp"
#include "mail/message.hpp"
#include "mail/transfer_encoding.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cqlist::bounce {
namespace {

using std::chrono::hours;
using store::Clock;

const Clock::time_point kStart = Clock::from_time_t(1700006400);  // 2023-11-15 00:00 UTC
constexpr hours kDay(24);

Classification recipient_side(std::string reason = "userunknown") {
  Classification c;
  c.reason = std::move(reason);
  c.side = Side::recipient;
  c.member_action = MemberAction::count;
  c.provider = "gmail";
  c.advice = "mailbox";
  return c;
}

Classification sender_side() {
  Classification c;
  c.reason = "authfailure";
  c.side = Side::sender;
  c.member_action = MemberAction::none;
  c.provider = "gmail";
  c.advice = "authentication";
  return c;
}

class ProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "cqlist-bounce-XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto opened = store::open_sqlite_store(dir_ / "cqlist.db");
    ASSERT_TRUE(opened) << opened.error().describe();
    store_ = std::move(*opened);
    auto outbox = list::Spool::open(dir_ / "outbox");
    ASSERT_TRUE(outbox);
    outbox_ = std::make_unique<list::Spool>(std::move(*outbox));
    auto created = store_->create_list("ham", "cq-test.example", {});
    ASSERT_TRUE(created);
    list_ = *created;
    for (auto [address, role] : {std::pair{"bob@example.org", store::Role::member},
                                 std::pair{"carol@example.org", store::Role::member},
                                 std::pair{"olga@example.org", store::Role::owner}}) {
      store::MemberRow member;
      member.list_id = list_.id;
      member.address = address;
      member.role = role;
      ASSERT_TRUE(store_->add_member(member));
    }
    report_.format = "rfc3464";
    RecipientReport failed;
    failed.address = "bob@example.org";
    failed.action = "failed";
    failed.status = mail::EnhancedStatus{5, 1, 1};
    failed.reply_code = 550;
    failed.diagnostic = "550 5.1.1 The email account that you tried to reach does not exist.";
    failed.remote_host = "gmail-smtp-in.l.google.com";
    failed.permanent = true;
    report_.recipients.push_back(failed);
    classification_ = recipient_side();
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  BounceProcessor processor() {
    ProcessorDeps deps{*store_, *outbox_, tokens_};
    deps.parse = [this](std::string_view) -> Result<BounceReport> {
      if (unreadable_) {
        return fail(Errc::bad_syntax, "not a bounce: no delivery status found");
      }
      return report_;
    };
    deps.classify = [this](const BounceReport&, const RecipientReport&) { return classification_; };
    return BounceProcessor(deps);
  }

  std::string personal(std::string_view member) {
    return list::personal_bounce_address(tokens_, list_, member);
  }

  BounceOutcome bounce(std::string_view address, Clock::time_point at) {
    auto outcome = processor().process(list_, address, "bounce bytes", at);
    EXPECT_TRUE(outcome) << outcome.error().describe();
    return outcome ? *outcome : BounceOutcome{};
  }

  std::optional<store::MemberBounceState> state_of(std::string_view member) {
    auto state = store_->bounce_state(list_.id, member);
    EXPECT_TRUE(state);
    return state ? *state : std::nullopt;
  }

  // The outbox's mail, bodies decoded (notices that are not ASCII go out in base64).
  std::vector<list::SpoolEntry> outbox() {
    std::vector<list::SpoolEntry> entries;
    for (const auto& id : outbox_->ids("out").value_or(std::vector<std::string>{})) {
      list::SpoolEntry entry = *outbox_->load(id);
      mail::Message message = mail::Message::parse(entry.message);
      if (message.first_value("Content-Transfer-Encoding").value_or("").find("base64") !=
          std::string::npos) {
        entry.message += "\n" + mail::decode_base64(message.body());
      }
      entries.push_back(std::move(entry));
    }
    return entries;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<list::Spool> outbox_;
  list::TokenSigner tokens_{"a secret for the tests"};
  store::ListRow list_;
  BounceReport report_;
  Classification classification_;
  bool unreadable_ = false;
};

TEST_F(ProcessorTest, ABounceWithoutAValidTokenChangesNothing) {
  std::string genuine = personal("bob@example.org");
  std::string forged = genuine;
  forged[genuine.find('+') + 1] = forged[genuine.find('+') + 1] == 'a' ? 'b' : 'a';
  for (const std::string& address :
       {forged, std::string("ham-bounces+bob=example.org@cq-test.example"),
        std::string("ham-bounces@cq-test.example")}) {
    BounceOutcome outcome = bounce(address, kStart);
    EXPECT_FALSE(outcome.dropped.empty()) << address;
  }
  EXPECT_TRUE(store_->bounces(list_.id, "bob@example.org")->empty());
  EXPECT_FALSE(state_of("bob@example.org"));
}

TEST_F(ProcessorTest, APermanentFailureOfTheMembersMailboxCountsOne) {
  BounceOutcome outcome = bounce(personal("bob@example.org"), kStart);
  EXPECT_TRUE(outcome.dropped.empty());
  EXPECT_DOUBLE_EQ(outcome.added, 1.0);
  auto rows = store_->bounces(list_.id, "bob@example.org");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().status, "5.1.1");
  EXPECT_EQ(rows->front().reason, "userunknown");
  EXPECT_EQ(rows->front().side, "recipient");
  EXPECT_EQ(rows->front().provider, "gmail");
  EXPECT_EQ(rows->front().remote_host, "gmail-smtp-in.l.google.com");
  EXPECT_DOUBLE_EQ(rows->front().weight, 1.0);
  EXPECT_DOUBLE_EQ(state_of("bob@example.org")->score, 1.0);
  report_.recipients.front().permanent = false;
  bounce(personal("bob@example.org"), kStart + kDay);
  EXPECT_DOUBLE_EQ(state_of("bob@example.org")->score, 1.5);
}

TEST_F(ProcessorTest, ThePersonalTokenWinsOverTheAddressTheParserRead) {
  report_.recipients.front().address = "forwarded@elsewhere.example";
  bounce(personal("carol@example.org"), kStart);
  EXPECT_DOUBLE_EQ(state_of("carol@example.org")->score, 1.0);
  EXPECT_FALSE(state_of("bob@example.org"));
  EXPECT_EQ(store_->bounces(list_.id, "carol@example.org")->size(), 1u);
}

TEST_F(ProcessorTest, AnXverpBounceCountsOnlyWhenTheReportNamesTheRecipient) {
  std::string sender = list::xverp_bounce_sender(tokens_, list_, 12);
  auto at = sender.rfind('@');
  auto for_member = [&](std::string_view user) {
    return sender.substr(0, at) + "+" + std::string(user) + "=example.org" + sender.substr(at);
  };
  BounceOutcome carol = bounce(for_member("carol"), kStart);  // the report names bob only
  EXPECT_FALSE(carol.dropped.empty());
  EXPECT_FALSE(state_of("carol@example.org"));
  EXPECT_TRUE(store_->bounces(list_.id, "carol@example.org")->empty());

  BounceOutcome bob = bounce(for_member("bob"), kStart);
  EXPECT_TRUE(bob.dropped.empty());
  EXPECT_DOUBLE_EQ(state_of("bob@example.org")->score, 1.0);

  unreadable_ = true;  // nothing to corroborate the recipient with
  EXPECT_FALSE(bounce(for_member("bob"), kStart + kDay).dropped.empty());
  EXPECT_DOUBLE_EQ(state_of("bob@example.org")->score, 1.0);
}

TEST_F(ProcessorTest, AnUnreadableReportWithAPersonalTokenIsRecordedNotCounted) {
  unreadable_ = true;
  BounceOutcome outcome = bounce(personal("bob@example.org"), kStart);
  EXPECT_TRUE(outcome.dropped.empty());
  auto rows = store_->bounces(list_.id, "bob@example.org");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().reason, "unparsed");
  EXPECT_EQ(rows->front().side, "unknown");
  EXPECT_FALSE(state_of("bob@example.org"));
}

TEST_F(ProcessorTest, OnlyTheMembersOwnProblemsTouchTheScore) {
  for (Side side : {Side::sender, Side::message, Side::unknown, Side::not_a_bounce}) {
    classification_ = recipient_side("whatever");
    classification_.side = side;  // even with a classifier that says "count"
    bounce(personal("bob@example.org"), kStart);
  }
  EXPECT_FALSE(state_of("bob@example.org"));
  EXPECT_EQ(store_->bounces(list_.id, "bob@example.org")->size(), 4u);
  classification_ = recipient_side();
  report_.kind = ReportKind::auto_reply;
  bounce(personal("bob@example.org"), kStart);
  EXPECT_FALSE(state_of("bob@example.org"));
}

TEST_F(ProcessorTest, TransientFailuresCountOnlyWhenTheyPersist) {
  classification_.side = Side::transient;
  classification_.member_action = MemberAction::weak;
  report_.recipients.front().permanent = false;
  for (int day = 0; day <= 3; ++day) {
    bounce(personal("bob@example.org"), kStart + day * kDay);
  }
  EXPECT_DOUBLE_EQ(state_of("bob@example.org")->score, 0.0);
  bounce(personal("bob@example.org"), kStart + 4 * kDay);
  EXPECT_DOUBLE_EQ(state_of("bob@example.org")->score, 0.5);
}

TEST_F(ProcessorTest, AComplaintSetsNomailOrUnsubscribesPerSetting) {
  classification_ = Classification{};
  classification_.reason = "feedback";
  classification_.side = Side::complaint;
  classification_.member_action = MemberAction::stop;
  report_.kind = ReportKind::complaint;
  bounce(personal("bob@example.org"), kStart);
  EXPECT_EQ(store_->find_member(list_.id, "bob@example.org")->mode, store::DeliveryMode::nomail);

  ASSERT_TRUE(store_->update_settings(list_.id, {{"complaint_action", "unsubscribe"}}));
  list_ = *store_->list_by_id(list_.id);
  report_.recipients.front().address = "carol@example.org";
  bounce(personal("carol@example.org"), kStart);
  EXPECT_FALSE(store_->find_member(list_.id, "carol@example.org"));
  EXPECT_EQ(store_->bounces(list_.id, "bob@example.org")->size(), 1u);
  EXPECT_EQ(store_->bounces(list_.id, "carol@example.org")->size(), 1u);
}

TEST_F(ProcessorTest, SenderSideBouncesGiveTheOwnersOneSummaryPerPeriod) {
  classification_ = sender_side();
  report_.recipients.front().status = mail::EnhancedStatus{5, 7, 26};
  report_.recipients.front().diagnostic =
      "550-5.7.26 This mail has been blocked because the sender is unauthenticated.";
  bounce(personal("bob@example.org"), kStart);
  bounce(personal("carol@example.org"), kStart + hours(1));
  bounce(personal("bob@example.org"), kStart + hours(2));
  EXPECT_FALSE(state_of("bob@example.org"));
  EXPECT_FALSE(state_of("carol@example.org"));
  auto mails = outbox();
  ASSERT_EQ(mails.size(), 1u);  // the first at once; the others wait for the period
  EXPECT_EQ(mails[0].envelope["recipients"], "olga@example.org\n");
  EXPECT_EQ(mails[0].envelope["mail_from"], "");
  EXPECT_NE(mails[0].message.find("5.7.26"), std::string::npos);
  EXPECT_NE(mails[0].message.find("cqlist doctor"), std::string::npos);

  ASSERT_TRUE(processor().run_timers(kStart + hours(23)));
  EXPECT_EQ(outbox().size(), 1u);
  ASSERT_TRUE(processor().run_timers(kStart + kDay));
  mails = outbox();
  ASSERT_EQ(mails.size(), 2u);
  std::string second = mails[0].message.find("(2 bounces)") != std::string::npos ? mails[0].message
                                                                                 : mails[1].message;
  EXPECT_NE(second.find("(2 bounces)"), std::string::npos);
  EXPECT_NE(second.find("2 members"), std::string::npos);
  ASSERT_TRUE(processor().run_timers(kStart + 3 * kDay));
  EXPECT_EQ(outbox().size(), 2u);  // nothing new to report
}

TEST_F(ProcessorTest, TheThresholdPausesDeliveryThenProbesReenableOrRemove) {
  for (int day = 0; day < 5; ++day) {
    bounce(personal("bob@example.org"), kStart + day * kDay + hours(1));
    bounce(personal("bob@example.org"), kStart + day * kDay + hours(2));  // same day
  }
  auto state = state_of("bob@example.org");
  ASSERT_TRUE(state);
  EXPECT_DOUBLE_EQ(state->score, 5.0);
  EXPECT_TRUE(state->delivery_disabled);
  EXPECT_TRUE(store_->find_member(list_.id, "bob@example.org")->bounce_disabled);
  auto mails = outbox();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].envelope["recipients"], "bob@example.org\n");
  EXPECT_EQ(mails[0].envelope["mail_from"], personal("bob@example.org"));
  EXPECT_NE(mails[0].message.find("paused"), std::string::npos);

  Clock::time_point paused = state->disabled_at;
  // Each test message bounces; after three the member is removed and the owner told.
  for (int probe = 1; probe <= 3; ++probe) {
    ASSERT_TRUE(processor().run_timers(paused + probe * 7 * kDay));
    EXPECT_EQ(state_of("bob@example.org")->probes_sent, probe);
    bounce(personal("bob@example.org"), paused + probe * 7 * kDay + hours(1));
  }
  EXPECT_EQ(outbox().size(), 4u);
  ASSERT_TRUE(processor().run_timers(paused + 28 * kDay));
  EXPECT_FALSE(store_->find_member(list_.id, "bob@example.org"));
  bool owner_told = false;
  for (auto& mail : outbox()) {
    owner_told = owner_told || (mail.envelope["recipients"] == "olga@example.org\n" &&
                                mail.message.find("removed") != std::string::npos);
  }
  EXPECT_TRUE(owner_told);
}

TEST_F(ProcessorTest, AProbeThatDoesNotBounceReenablesDelivery) {
  ASSERT_TRUE(store_->update_settings(list_.id, {{"bounce_score_threshold", "1"}}));
  list_ = *store_->list_by_id(list_.id);
  bounce(personal("bob@example.org"), kStart);
  ASSERT_TRUE(state_of("bob@example.org")->delivery_disabled);
  ASSERT_TRUE(processor().run_timers(kStart + 7 * kDay));
  EXPECT_EQ(state_of("bob@example.org")->probes_sent, 1);
  ASSERT_TRUE(processor().run_timers(kStart + 14 * kDay));
  auto state = state_of("bob@example.org");
  EXPECT_FALSE(state->delivery_disabled);
  EXPECT_DOUBLE_EQ(state->score, 0.0);
  EXPECT_FALSE(store_->find_member(list_.id, "bob@example.org")->bounce_disabled);
}

TEST_F(ProcessorTest, SpooledBouncesAreRemovedOnceHandled) {
  auto spool = list::Spool::open(dir_ / "spool");
  ASSERT_TRUE(spool);
  for (const std::string& recipient :
       {personal("bob@example.org"),
        std::string("ham-bounces+x+bob=example.org@cq-test.example")}) {
    ASSERT_TRUE(spool->add({{"list_id", std::to_string(list_.id)}, {"recipient", recipient}},
                           "bounce bytes", "bounce"));
  }
  auto handled = processor().process_spool(*spool, kStart);
  ASSERT_TRUE(handled);
  EXPECT_EQ(*handled, 2u);
  EXPECT_TRUE(spool->ids("bounce")->empty());
  EXPECT_EQ(store_->bounces(list_.id, "bob@example.org")->size(), 1u);  // the forged one: none
}

}  // namespace
}  // namespace cqlist::bounce
