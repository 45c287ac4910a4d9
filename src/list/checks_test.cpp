#include <gtest/gtest.h>

#include "list/message_id.hpp"
#include "list/pipeline.hpp"
#include "list/testing/post_fixture.hpp"

namespace cqlist::list {
namespace {

using testing::kNow;
using testing::kRelaxedIp;

class Checks : public testing::PostFixture {
 protected:
  // Runs one check stage on a post from `from`.
  Verdict run(Verdict (*stage)(const mail::Message&, PostContext&, PipelineServices&),
              const mail::Message& message, std::string_view from = "mia@relaxed.example") {
    context_ = context_for(message, from, kRelaxedIp);
    context_.author = std::string(from);
    auto member = store_->find_member(list_.id, from);
    if (member) {
      context_.poster = *member;
    }
    context_.settings = settings_;
    PipelineServices services = this->services();
    return stage(message, context_, services);
  }

  ListSettings settings_;
  PostContext context_;
};

TEST(DecisionName, NamesEveryDecision) {
  EXPECT_EQ(decision_name(Decision::accept), "accept");
  EXPECT_EQ(decision_name(Decision::hold), "hold");
  EXPECT_EQ(decision_name(Decision::reject), "reject");
  EXPECT_EQ(decision_name(Decision::discard), "discard");
}

TEST(MessageIdOf, ReadsTheIdWithoutBrackets) {
  auto id = [](std::string_view header) {
    return message_id_of(mail::Message::parse(std::string(header) + "\r\nbody\r\n"));
  };
  EXPECT_EQ(id("Message-ID: <abc@example.org>\r\n"), "abc@example.org");
  EXPECT_EQ(id("Message-Id:\r\n <folded@example.org> (comment)\r\n"), "folded@example.org");
  EXPECT_EQ(id("Message-ID: bare@example.org\r\n"), "bare@example.org");
  EXPECT_EQ(id("Message-ID: <unterminated@example.org\r\n"), "");
  EXPECT_EQ(id("Message-ID: two words\r\n"), "");
  EXPECT_EQ(id("Subject: none\r\n"), "");
}

TEST_F(Checks, PostWithoutListMarksPassesTheLoopCheck) {
  const Verdict verdict =
      run(check_loop, post("mia@relaxed.example",
                           "List-Id: Other list <other.cq-test.example>\r\n"
                           "X-ML-Name: spam\r\nX-Loop: spam@cq-test.example\r\n"));
  EXPECT_TRUE(verdict.accepted()) << verdict.reason;
}

TEST_F(Checks, OurListIdIsALoop) {
  const Verdict verdict =
      run(check_loop, post("mia@relaxed.example", "List-Id: Ham <HAM.cq-test.example>\r\n"));
  EXPECT_EQ(verdict.decision, Decision::discard);
  EXPECT_EQ(verdict.stage, "loop");
  EXPECT_EQ(verdict.reason,
            "loop: already passed through this list (List-Id <ham.cq-test.example>)");
}

TEST_F(Checks, OurXmlNameIsALoop) {
  const Verdict verdict = run(check_loop, post("mia@relaxed.example", "X-ML-Name: ham\r\n"));
  EXPECT_EQ(verdict.decision, Decision::discard);
  EXPECT_EQ(verdict.reason, "loop: already passed through this list (X-ML-Name: ham)");
}

TEST_F(Checks, XLoopWithTheListAddressIsALoop) {
  const Verdict verdict =
      run(check_loop, post("mia@relaxed.example", "X-Loop: <ham@CQ-TEST.example>\r\n"));
  EXPECT_EQ(verdict.decision, Decision::discard);
  EXPECT_NE(verdict.reason.find("X-Loop: ham@cq-test.example"), std::string::npos)
      << verdict.reason;
}

TEST_F(Checks, MessageIdIsADuplicateOnlyOnceRemembered) {
  const mail::Message message =
      post("mia@relaxed.example", "Message-ID: <once@relaxed.example>\r\n");
  // Checking records nothing: the same post checked again (a retry after a 4xx) passes.
  EXPECT_TRUE(run(check_loop, message).accepted());
  EXPECT_TRUE(run(check_loop, message).accepted());

  ASSERT_TRUE(store_->remember_message_id(list_.id, "once@relaxed.example", kNow));
  const Verdict verdict = run(check_loop, message);
  EXPECT_EQ(verdict.decision, Decision::discard);
  EXPECT_EQ(verdict.reason,
            "duplicate: Message-ID <once@relaxed.example> was already distributed by "
            "ham@cq-test.example");
}

TEST_F(Checks, PostWithoutMessageIdIsNotADuplicate) {
  const mail::Message message = mail::Message::parse(
      "From: mia@relaxed.example\r\nTo: ham@cq-test.example\r\nSubject: x\r\n\r\nbody\r\n");
  EXPECT_TRUE(run(check_loop, message).accepted());
  EXPECT_EQ(context_.notes.back(), "no_message_id: duplicate detection skipped");
}

TEST_F(Checks, SizeAtTheLimitPasses) {
  const mail::Message message = post("mia@relaxed.example");
  settings_.max_message_bytes = message.serialize().size();
  EXPECT_TRUE(run(check_size, message).accepted());
}

TEST_F(Checks, OversizedPostIsRejectedWithTheLimitInWords) {
  const mail::Message message = post("mia@relaxed.example");
  context_ = context_for(message, "mia@relaxed.example", kRelaxedIp);
  context_.size = 12 * 1024 * 1024 + 512 * 1024;
  context_.settings.max_message_bytes = 10 * 1024 * 1024;
  PipelineServices services = this->services();
  const Verdict verdict = check_size(message, context_, services);
  EXPECT_EQ(verdict.decision, Decision::reject);
  EXPECT_EQ(verdict.status, "5.3.4");
  EXPECT_EQ(verdict.stage, "size");
  EXPECT_EQ(verdict.reason,
            "the message is 12.5 MiB (13107200 bytes), but posts to ham@cq-test.example may be "
            "at most 10 MiB (10485760 bytes); send large files as a link instead");
}

TEST_F(Checks, MemberMayPost) {
  const Verdict verdict = run(check_posting_policy, post("mia@relaxed.example"));
  EXPECT_TRUE(verdict.accepted()) << verdict.reason;
}

TEST_F(Checks, NonMemberIsHeldByDefault) {
  const Verdict verdict =
      run(check_posting_policy, post("eve@relaxed.example"), "eve@relaxed.example");
  EXPECT_EQ(verdict.decision, Decision::hold);
  EXPECT_EQ(verdict.stage, "posting_policy");
  EXPECT_EQ(verdict.reason,
            "eve@relaxed.example is not a member of ham@cq-test.example; a moderator decides");
}

TEST_F(Checks, NonMemberIsRejectedWhenConfigured) {
  settings_.non_member = NonMemberAction::reject;
  const Verdict verdict =
      run(check_posting_policy, post("eve@relaxed.example"), "eve@relaxed.example");
  EXPECT_EQ(verdict.decision, Decision::reject);
  EXPECT_EQ(verdict.status, "5.7.1");
  EXPECT_EQ(verdict.reason, "only members of ham@cq-test.example may post; you are not a member");
}

TEST_F(Checks, NonMemberIsDiscardedWhenConfigured) {
  settings_.non_member = NonMemberAction::discard;
  const Verdict verdict =
      run(check_posting_policy, post("eve@relaxed.example"), "eve@relaxed.example");
  EXPECT_EQ(verdict.decision, Decision::discard);
  EXPECT_NE(verdict.reason.find("non_member=discard"), std::string::npos) << verdict.reason;
}

TEST_F(Checks, MemberWhoMayNotPostGetsTheNonMemberAction) {
  auto mia = store_->find_member(list_.id, "mia@relaxed.example");
  ASSERT_TRUE(mia);
  mia->may_post = false;
  ASSERT_TRUE(store_->update_member(*mia));
  settings_.non_member = NonMemberAction::reject;
  const Verdict verdict = run(check_posting_policy, post("mia@relaxed.example"));
  EXPECT_EQ(verdict.decision, Decision::reject);
  EXPECT_EQ(verdict.reason,
            "your membership of ham@cq-test.example does not include posting; ask the list owner");
}

TEST_F(Checks, ModeratedListHoldsMembersAndNonMembers) {
  settings_.posting = PostingPolicy::moderated;
  for (std::string_view from : {"mia@relaxed.example", "eve@relaxed.example"}) {
    const Verdict verdict = run(check_posting_policy, post(from), from);
    EXPECT_EQ(verdict.decision, Decision::hold) << from;
    EXPECT_EQ(verdict.reason, "ham@cq-test.example is moderated: every post waits for a moderator");
  }
}

TEST_F(Checks, ModeratedListLetsOwnersAndModeratorsPost) {
  settings_.posting = PostingPolicy::moderated;
  for (std::string_view from : {"olga@cq-test.example", "mo@cq-test.example"}) {
    const Verdict verdict = run(check_posting_policy, post(from), from);
    EXPECT_TRUE(verdict.accepted()) << from << ": " << verdict.reason;
  }
}

TEST_F(Checks, OpenListAcceptsAnyone) {
  settings_.posting = PostingPolicy::open;
  EXPECT_TRUE(
      run(check_posting_policy, post("eve@relaxed.example"), "eve@relaxed.example").accepted());
}

}  // namespace
}  // namespace cqlist::list
