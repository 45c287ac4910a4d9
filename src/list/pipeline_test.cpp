#include "list/pipeline.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "auth/arc/validate.hpp"
#include "list/testing/post_fixture.hpp"

namespace cqlist::list {
namespace {

using testing::kForeignIp;
using testing::kNow;
using testing::kRelaxedIp;

// The real store, except that reading members and the Message-ID cache fails as a busy or
// unreachable database does.
class UnavailableStore : public store::Store {
 public:
  explicit UnavailableStore(store::Store& real) : real_(real) {}

  Result<store::MemberRow> find_member(store::Id, std::string_view) override {
    return fail(Errc::temporary, "database is locked");
  }

  Result<bool> seen_message_id(store::Id, std::string_view) override {
    return fail(Errc::temporary, "database is locked");
  }

  // Everything else goes to the real store.
  Result<store::ListRow> create_list(std::string_view n, std::string_view d,
                                     const std::map<std::string, std::string>& s) override {
    return real_.create_list(n, d, s);
  }

  Result<store::ListRow> find_list(std::string_view n, std::string_view d) override {
    return real_.find_list(n, d);
  }

  Result<store::ListRow> list_by_id(store::Id id) override { return real_.list_by_id(id); }

  Result<std::vector<store::ListRow>> lists() override { return real_.lists(); }

  Result<void> update_settings(
      store::Id id, const std::map<std::string, std::optional<std::string>>& c) override {
    return real_.update_settings(id, c);
  }

  Result<void> delete_list(store::Id id) override { return real_.delete_list(id); }

  Result<store::MemberRow> add_member(const store::MemberRow& m) override {
    return real_.add_member(m);
  }

  Result<std::size_t> add_members(const std::vector<store::MemberRow>& m) override {
    return real_.add_members(m);
  }

  Result<void> update_member(const store::MemberRow& m) override { return real_.update_member(m); }

  Result<void> remove_member(store::Id id, std::string_view a) override {
    return real_.remove_member(id, a);
  }

  Result<std::vector<store::MemberRow>> members(store::Id id, std::string_view after,
                                                std::size_t limit) override {
    return real_.members(id, after, limit);
  }

  Result<std::size_t> member_count(store::Id id) override { return real_.member_count(id); }

  Result<store::PostRow> number_post(store::Id id, const store::PostRow& p) override {
    return real_.number_post(id, p);
  }

  Result<std::optional<store::PostRow>> find_post_by_spool(store::Id id,
                                                           std::string_view s) override {
    return real_.find_post_by_spool(id, s);
  }

  Result<std::optional<store::PostRow>> post(store::Id id, std::int64_t a) override {
    return real_.post(id, a);
  }

  Result<std::vector<store::PostRow>> posts(store::Id id, std::int64_t f, std::int64_t l) override {
    return real_.posts(id, f, l);
  }

  Result<void> queue_post(store::Id id, const std::vector<store::DeliveryJob>& j) override {
    return real_.queue_post(id, j);
  }

  Result<void> set_last_article(store::Id id, std::int64_t a) override {
    return real_.set_last_article(id, a);
  }

  Result<void> add_archived_post(const store::PostRow& p) override {
    return real_.add_archived_post(p);
  }

  Result<store::ListRow> import_list(const store::ListImport& i) override {
    return real_.import_list(i);
  }

  Result<std::vector<store::DeliveryJob>> due_jobs(store::Clock::time_point n,
                                                   std::size_t l) override {
    return real_.due_jobs(n, l);
  }

  Result<void> mark_job_done(store::Id id) override { return real_.mark_job_done(id); }

  Result<void> defer_job(store::Id id, std::string_view e, store::Clock::time_point r) override {
    return real_.defer_job(id, e, r);
  }

  Result<void> fail_job(store::Id id, std::string_view e) override { return real_.fail_job(id, e); }

  Result<std::vector<store::DeliveryJob>> pending_jobs(std::optional<store::Id> id) override {
    return real_.pending_jobs(id);
  }

  Result<store::HeldRow> hold(const store::HeldRow& h) override { return real_.hold(h); }

  Result<std::vector<store::HeldRow>> held(store::Id id,
                                           std::optional<store::HeldState> s) override {
    return real_.held(id, s);
  }

  Result<store::HeldRow> held_by_id(store::Id id) override { return real_.held_by_id(id); }

  Result<store::HeldRow> held_by_token(std::string_view t) override {
    return real_.held_by_token(t);
  }

  Result<void> decide_held(store::Id id, store::HeldState d) override {
    return real_.decide_held(id, d);
  }

  Result<bool> remember_message_id(store::Id id, std::string_view m,
                                   store::Clock::time_point at) override {
    return real_.remember_message_id(id, m, at);
  }

  Result<std::size_t> forget_message_ids_before(store::Clock::time_point c) override {
    return real_.forget_message_ids_before(c);
  }

  Result<void> add_pending(const store::PendingAction& p) override { return real_.add_pending(p); }

  Result<store::PendingAction> take_pending(std::string_view t,
                                            store::Clock::time_point n) override {
    return real_.take_pending(t, n);
  }

  Result<std::optional<store::PendingAction>> find_pending(store::Id id, std::string_view a,
                                                           std::string_view d,
                                                           store::Clock::time_point n) override {
    return real_.find_pending(id, a, d, n);
  }

  Result<std::optional<store::PendingAction>> add_pending_unless_waiting(
      const store::PendingAction& p, store::Clock::time_point n) override {
    return real_.add_pending_unless_waiting(p, n);
  }

  Result<void> add_bounce(const store::BounceRow& b) override { return real_.add_bounce(b); }

  Result<std::vector<store::BounceRow>> bounces(store::Id id, std::string_view a) override {
    return real_.bounces(id, a);
  }

  Result<std::vector<store::BounceRow>> bounces_since(store::Id id,
                                                      store::Clock::time_point t) override {
    return real_.bounces_since(id, t);
  }

  Result<void> mark_bounces_alerted(store::Id id, const std::vector<store::Id>& ids,
                                    store::Clock::time_point t) override {
    return real_.mark_bounces_alerted(id, ids, t);
  }

  Result<std::optional<store::Clock::time_point>> last_bounce_alert(store::Id id) override {
    return real_.last_bounce_alert(id);
  }

  Result<std::optional<store::MemberBounceState>> bounce_state(store::Id id,
                                                               std::string_view a) override {
    return real_.bounce_state(id, a);
  }

  Result<void> put_bounce_state(const store::MemberBounceState& s) override {
    return real_.put_bounce_state(s);
  }

  Result<void> add_scored_bounce(const store::BounceRow& b,
                                 const store::MemberBounceState& s) override {
    return real_.add_scored_bounce(b, s);
  }

  Result<store::DigestState> digest_state(store::Id id) override { return real_.digest_state(id); }

  Result<void> queue_digest(store::Id id, const store::DigestState& next,
                            const std::vector<store::DeliveryJob>& jobs) override {
    return real_.queue_digest(id, next, jobs);
  }

  Result<std::vector<store::MemberBounceState>> bounce_states(store::Id id) override {
    return real_.bounce_states(id);
  }

 private:
  store::Store& real_;
};

class Pipeline : public testing::PostFixture {
 protected:
  Verdict checks(const mail::Message& message, std::string_view envelope_from,
                 std::string_view ip) {
    context_ = context_for(message, envelope_from, ip);
    context_.settings = settings_;
    PipelineServices services = this->services();
    return run_checks(message, context_, services);
  }

  Result<mail::Message> transforms(const mail::Message& message) {
    context_.article = 7;
    PipelineServices services = this->services();
    return run_transforms(message, context_, services);
  }

  ListSettings settings_;
  PostContext context_;
};

TEST_F(Pipeline, MemberPostIsAcceptedAndTheAuthorKnown) {
  const mail::Message message = post("=?utf-8?q?Mi=C3=A4?= <mia@RELAXED.example>");
  const Verdict verdict = checks(message, "mia@relaxed.example", kRelaxedIp);
  EXPECT_TRUE(verdict.accepted()) << verdict.stage << ": " << verdict.reason;
  EXPECT_EQ(context_.author, "mia@relaxed.example");
  EXPECT_EQ(context_.author_display_name, "Miä");
  ASSERT_TRUE(context_.poster);
  EXPECT_EQ(context_.poster->address, "mia@relaxed.example");
  EXPECT_EQ(context_.authenticity.dmarc, "pass");
}

TEST_F(Pipeline, MemberIsKnownWhateverTheCaseOfTheLocalPart) {
  // fml compares members without case; a member imported as mia@ posting as MIA@ is one.
  settings_.non_member = NonMemberAction::reject;
  const Verdict verdict = checks(post("MIA@Relaxed.example"), "MIA@relaxed.example", kRelaxedIp);
  EXPECT_TRUE(verdict.accepted()) << verdict.stage << ": " << verdict.reason;
  ASSERT_TRUE(context_.poster);
  EXPECT_EQ(context_.poster->address, "mia@relaxed.example");
}

TEST_F(Pipeline, NonMemberIsRejectedAndTheVerdictLogged) {
  settings_.non_member = NonMemberAction::reject;
  ::testing::internal::CaptureStderr();
  const Verdict verdict =
      checks(post("Eve <eve@relaxed.example>"), "eve@relaxed.example", kRelaxedIp);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(verdict.decision, Decision::reject);
  EXPECT_EQ(verdict.stage, "posting_policy");
  EXPECT_EQ(verdict.status, "5.7.1");
  EXPECT_FALSE(context_.poster);
  EXPECT_NE(log.find("event=post.verdict list=ham@cq-test.example stage=posting_policy "
                     "decision=reject reason=\"only members of ham@cq-test.example may post; "
                     "you are not a member\""),
            std::string::npos)
      << log;
}

TEST_F(Pipeline, LoopStopsTheChecksBeforeAnyDnsLookup) {
  const Verdict verdict = checks(post("mia@relaxed.example", "List-Id: <ham.cq-test.example>\r\n"),
                                 "mia@relaxed.example", kRelaxedIp);
  EXPECT_EQ(verdict.decision, Decision::discard);
  EXPECT_EQ(verdict.stage, "loop");
  EXPECT_TRUE(resolver_.queries().empty());
  EXPECT_TRUE(context_.authenticity.dmarc.empty());
}

TEST_F(Pipeline, OversizedPostIsRefusedBeforeAuthentication) {
  settings_.max_message_bytes = 100;
  const Verdict verdict = checks(post("mia@relaxed.example"), "mia@relaxed.example", kRelaxedIp);
  EXPECT_EQ(verdict.decision, Decision::reject);
  EXPECT_EQ(verdict.status, "5.3.4");
  EXPECT_TRUE(resolver_.queries().empty());
}

TEST_F(Pipeline, SpoofedMemberIsHeldBeforeThePostingPolicyAcceptsIt) {
  const Verdict verdict =
      checks(post("Alice <alice@strict.example>"), "alice@strict.example", kForeignIp);
  EXPECT_EQ(verdict.decision, Decision::hold);
  EXPECT_EQ(verdict.stage, "authenticity");
  EXPECT_TRUE(context_.poster);
}

TEST_F(Pipeline, UnreadableMemberListIsATemporaryFailure) {
  UnavailableStore unavailable(*store_);
  context_ = context_for(post("mia@relaxed.example"), "mia@relaxed.example", kRelaxedIp);
  PipelineServices services{unavailable, resolver_, nullptr, "lists.cq-test.example"};
  const Verdict verdict = run_checks(post("mia@relaxed.example"), context_, services);
  EXPECT_EQ(verdict.decision, Decision::reject);
  EXPECT_EQ(verdict.status, "4.3.0");
  EXPECT_EQ(verdict.stage, "author");
  EXPECT_NE(verdict.reason.find("could not be read (database is locked); try again later"),
            std::string::npos)
      << verdict.reason;
}

TEST_F(Pipeline, UnreadableMessageIdCacheIsATemporaryFailure) {
  UnavailableStore unavailable(*store_);
  const mail::Message message = post("mia@relaxed.example");
  context_ = context_for(message, "mia@relaxed.example", kRelaxedIp);
  PipelineServices services{unavailable, resolver_, nullptr, "lists.cq-test.example"};
  const Verdict verdict = check_loop(message, context_, services);
  EXPECT_EQ(verdict.decision, Decision::reject);
  EXPECT_EQ(verdict.status, "4.3.0");
}

TEST_F(Pipeline, DuplicateIsDetectedOnlyAfterThePostWasDistributed) {
  const mail::Message message =
      post("mia@relaxed.example", "Message-ID: <dup@relaxed.example>\r\n");
  ASSERT_TRUE(checks(message, "mia@relaxed.example", kRelaxedIp).accepted());
  // Not distributed yet (say the numbering failed and Postfix retries): checked again, fine.
  ASSERT_TRUE(checks(message, "mia@relaxed.example", kRelaxedIp).accepted());
  auto distributed = transforms(message);
  ASSERT_TRUE(distributed) << distributed.error().describe();

  const Verdict verdict = checks(message, "mia@relaxed.example", kRelaxedIp);
  EXPECT_EQ(verdict.decision, Decision::discard);
  EXPECT_EQ(verdict.stage, "loop");
  EXPECT_NE(verdict.reason.find("duplicate: Message-ID <dup@relaxed.example>"), std::string::npos)
      << verdict.reason;
}

TEST_F(Pipeline, TransformsNeedTheArticleNumber) {
  const mail::Message message = post("mia@relaxed.example");
  context_ = context_for(message, "mia@relaxed.example", kRelaxedIp);
  PipelineServices services = this->services();
  auto result = run_transforms(message, context_, services);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), Errc::invalid_argument);
}

TEST_F(Pipeline, ArcSetCarriesTheResultsAndValidates) {
  const mail::Message message = strict_signed_post("Alice <alice@strict.example>");
  ASSERT_TRUE(checks(message, "alice@strict.example", kForeignIp).accepted());
  ASSERT_EQ(context_.authenticity.dkim, "pass");
  auto distributed = transforms(message);
  ASSERT_TRUE(distributed) << distributed.error().describe();

  const mail::Message& out = *distributed;
  ASSERT_EQ(out.fields()[0].name(), "ARC-Seal");
  std::string aar = out.first_value("ARC-Authentication-Results").value_or("");
  std::replace(aar.begin(), aar.end(), '\t', ' ');
  EXPECT_EQ(aar.rfind("i=1; lists.cq-test.example; spf=fail", 0), 0u) << aar;
  EXPECT_NE(aar.find("dkim=pass (1024-bit key) header.d=strict.example"), std::string::npos) << aar;
  EXPECT_NE(aar.find("dmarc=pass (p=reject dis=none) header.from=strict.example"),
            std::string::npos)
      << aar;
  // The results travel in the ARC set only; cqlist adds no Authentication-Results field.
  EXPECT_TRUE(out.find_all("Authentication-Results").empty());

  // A member's provider validates the chain with the key the list publishes.
  const auth::arc::ArcOutcome chain =
      auth::arc::validate(mail::Message::parse(out.serialize()), resolver_, kNow);
  EXPECT_EQ(chain.result, auth::arc::ChainStatus::pass) << chain.reason;
  ASSERT_EQ(chain.sets.size(), 1u);
  EXPECT_EQ(chain.sets[0].seal_domain, "cq-test.example");
  EXPECT_TRUE(context_.notes.back() == "arc_sealed: i=1 cv=none") << context_.notes.back();
}

TEST_F(Pipeline, AnIncomingChainIsJudgedAsItArrivedNotAfterTheListsEdits) {
  // A forwarder in front of the list sealed the post (i=1); the list's subject tag and
  // headers then break that hop's ARC-Message-Signature, which must not make cqlist call the
  // chain failed: RFC 8617 judges the chain as received.
  mail::Message message = strict_signed_post("Alice <alice@strict.example>");
  auto hop = sealer_->seal(message, "spf=pass smtp.mailfrom=strict.example", resolver_, kNow);
  ASSERT_TRUE(hop) << hop.error().describe();
  ASSERT_TRUE(hop->set) << hop->skipped_reason;
  hop->set->add_to(message);
  ASSERT_TRUE(checks(message, "alice@strict.example", kForeignIp).accepted());
  auto distributed = transforms(message);
  ASSERT_TRUE(distributed) << distributed.error().describe();
  EXPECT_EQ(context_.notes.back(), "arc_sealed: i=2 cv=pass");
  const auth::arc::ArcOutcome chain =
      auth::arc::validate(mail::Message::parse(distributed->serialize()), resolver_, kNow);
  EXPECT_EQ(chain.result, auth::arc::ChainStatus::pass) << chain.reason;
  EXPECT_EQ(chain.sets.size(), 2u);
}

TEST_F(Pipeline, NoArcSetWhenTheListTurnsItOff) {
  settings_.arc = false;
  const mail::Message message = post("mia@relaxed.example");
  ASSERT_TRUE(checks(message, "mia@relaxed.example", kRelaxedIp).accepted());
  auto distributed = transforms(message);
  ASSERT_TRUE(distributed) << distributed.error().describe();
  EXPECT_FALSE(distributed->find_first("ARC-Seal"));
  EXPECT_EQ(context_.notes.back(), "arc_skipped: arc=off for this list");
}

TEST_F(Pipeline, NoArcSetWithoutAKey) {
  sealer_.reset();
  const mail::Message message = post("mia@relaxed.example");
  ASSERT_TRUE(checks(message, "mia@relaxed.example", kRelaxedIp).accepted());
  auto distributed = transforms(message);
  ASSERT_TRUE(distributed) << distributed.error().describe();
  EXPECT_FALSE(distributed->find_first("ARC-Seal"));
  EXPECT_EQ(context_.notes.back(), "arc_skipped: no ARC signing key is configured");
}

}  // namespace
}  // namespace cqlist::list
