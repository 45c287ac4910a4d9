// list/posting_gate_test.cpp: the RCPT-time membership check against a real store.
#include "list/posting_gate.hpp"

#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "list/testing/post_fixture.hpp"

namespace cqlist::list {
namespace {

// ham@cq-test.example with members mia@relaxed.example, alice@strict.example, ... (see
// post_fixture.hpp), set to refuse non-members.
class PostingGateTest : public testing::PostFixture {
 protected:
  void SetUp() override {
    PostFixture::SetUp();
    set("non_member", "reject");
    auto spool = Spool::open(directory_ / "spool");
    ASSERT_TRUE(spool) << spool.error().describe();
    spool_.emplace(std::move(*spool));
    auto outbox = Spool::open(directory_ / "outbox");
    ASSERT_TRUE(outbox) << outbox.error().describe();
    outbox_.emplace(std::move(*outbox));
    archive_.emplace(directory_ / "archive");
    service_ = std::make_unique<ListService>(ServiceDeps{
        *store_, resolver_, *spool_, *outbox_, *archive_, keys_, tokens_, "lists.cq-test.example"});
    gate_ = std::make_unique<PostingGate>(*service_, *store_);
  }

  void TearDown() override {
    gate_.reset();
    service_.reset();
    PostFixture::TearDown();
  }

  void set(const std::string& name, std::optional<std::string> value) {
    auto updated = store_->update_settings(list_.id, {{name, std::move(value)}});
    ASSERT_TRUE(updated) << updated.error().describe();
  }

  GateDecision rcpt(std::string_view sender, std::string_view recipient = "ham@cq-test.example",
                    std::string_view state = "RCPT") {
    return gate_->decide({state, recipient, sender, "203.0.113.9", "mx.poster.example"});
  }

  std::optional<Spool> spool_;
  std::optional<Spool> outbox_;
  std::optional<Archive> archive_;
  KeyRing keys_{"lists.cq-test.example"};
  TokenSigner tokens_{"a secret of the installation"};
  std::unique_ptr<ListService> service_;
  std::unique_ptr<PostingGate> gate_;
};

TEST_F(PostingGateTest, NonMemberIsRefusedWithHowToJoin) {
  GateDecision decision = rcpt("spammer@forged.example");
  EXPECT_TRUE(decision.refuse);
  EXPECT_EQ(decision.action,
            "550 5.7.1 only members of ham@cq-test.example may post, and "
            "spammer@forged.example is not one; post from the address you subscribed with, or "
            "send \"subscribe\" to ham-request@cq-test.example to join");
}

TEST_F(PostingGateTest, MembersOwnersAndModeratorsPass) {
  for (std::string_view sender :
       {"mia@relaxed.example", "alice@strict.example", "olga@cq-test.example", "mo@cq-test.example",
        "mia@RELAXED.example"}) {
    GateDecision decision = rcpt(sender);
    EXPECT_FALSE(decision.refuse) << sender;
    EXPECT_EQ(decision.action, "DUNNO") << sender;
  }
  // The local part ignores case too, as fml compares members: a member imported as
  // Mia@ who sends as mia@ is still a member.
  EXPECT_FALSE(rcpt("MIA@relaxed.example").refuse);
  EXPECT_FALSE(rcpt("Mia@Relaxed.Example").refuse);
  EXPECT_TRUE(rcpt("mia2@relaxed.example").refuse);
}

TEST_F(PostingGateTest, MemberWhoMayNotPostIsRefusedWithAnotherReason) {
  auto member = store_->find_member(list_.id, "mia@relaxed.example");
  ASSERT_TRUE(member) << member.error().describe();
  member->may_post = false;
  ASSERT_TRUE(store_->update_member(*member));
  GateDecision decision = rcpt("mia@relaxed.example");
  EXPECT_TRUE(decision.refuse);
  EXPECT_EQ(decision.action,
            "550 5.7.1 your membership of ham@cq-test.example does not include posting; ask the "
            "list owners at ham-owner@cq-test.example");
}

TEST_F(PostingGateTest, BouncesAreNeverRefused) {
  EXPECT_EQ(rcpt("").action, "DUNNO");
  EXPECT_FALSE(rcpt("").refuse);
}

TEST_F(PostingGateTest, OnlyTheRcptStageRefuses) {
  EXPECT_TRUE(rcpt("spammer@forged.example", "ham@cq-test.example", "RCPT").refuse);
  for (std::string_view state : {"DATA", "END-OF-MESSAGE", "MAIL", "CONNECT", ""}) {
    EXPECT_EQ(rcpt("spammer@forged.example", "ham@cq-test.example", state).action, "DUNNO")
        << state;
  }
}

TEST_F(PostingGateTest, OtherAddressesOfTheListAndUnknownListsPass) {
  for (std::string_view recipient :
       {"ham-request@cq-test.example", "ham-owner@cq-test.example",
        "ham-bounces+key+m=x.example@cq-test.example", "ham-unsubscribe@cq-test.example",
        "eggs@cq-test.example", "ham@other.example", "ham+tag@cq-test.example", "not an address"}) {
    EXPECT_EQ(rcpt("spammer@forged.example", recipient).action, "DUNNO") << recipient;
  }
  // Routing folds case as the LMTP side does: this is the posting address.
  EXPECT_TRUE(rcpt("spammer@forged.example", "HAM@CQ-TEST.example").refuse);
}

TEST_F(PostingGateTest, ListsThatHoldDiscardOrAreNotMembersOnlyPass) {
  set("non_member", "hold");
  EXPECT_EQ(rcpt("spammer@forged.example").action, "DUNNO");
  set("non_member", "discard");
  EXPECT_EQ(rcpt("spammer@forged.example").action, "DUNNO");
  set("non_member", "reject");
  set("posting", "moderated");
  EXPECT_EQ(rcpt("spammer@forged.example").action, "DUNNO");
  set("posting", "open");
  EXPECT_EQ(rcpt("spammer@forged.example").action, "DUNNO");
  set("posting", "members");
  EXPECT_TRUE(rcpt("spammer@forged.example").refuse);
}

TEST_F(PostingGateTest, WhatCannotBeDecidedPasses) {
  // An unreadable sender: the post's From decides after the data.
  EXPECT_EQ(rcpt("no-at-sign").action, "DUNNO");
  EXPECT_EQ(rcpt("a@b@c").action, "DUNNO");
  // Settings the store holds but cannot be read: the LMTP side reports them.
  set("posting", "everyone");
  EXPECT_EQ(rcpt("spammer@forged.example").action, "DUNNO");
}

}  // namespace
}  // namespace cqlist::list
