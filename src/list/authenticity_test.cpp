#include <gtest/gtest.h>

#include "list/pipeline.hpp"
#include "list/testing/post_fixture.hpp"

namespace cqlist::list {
namespace {

using testing::kForeignIp;
using testing::kRelaxedIp;
using testing::kStrictIp;

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The result list as one line: folds read back as one space.
std::string unfolded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 2) == "\r\n" && i + 2 < text.size()) {
      out += ' ';
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool has_note(const PostContext& context, std::string_view prefix) {
  for (const std::string& note : context.notes) {
    if (note.starts_with(prefix)) {
      return true;
    }
  }
  return false;
}

class Authenticity : public testing::PostFixture {
 protected:
  // Checks a post whose From and envelope sender are `from`, sent from `ip` ("" = unknown).
  Verdict check(const mail::Message& message, std::string_view from, std::string_view ip) {
    context_ = context_for(message, from, ip);
    context_.settings = settings_;
    context_.author = std::string(from);
    if (auto member = store_->find_member(list_.id, from)) {
      context_.poster = *member;
    }
    PipelineServices services = this->services();
    return check_authenticity(message, context_, services);
  }

  ListSettings settings_;
  PostContext context_;
};

TEST_F(Authenticity, SpoofedMemberOfRejectDomainIsHeld) {
  const Verdict verdict =
      check(post("Alice <alice@strict.example>"), "alice@strict.example", kForeignIp);
  EXPECT_EQ(verdict.decision, Decision::hold);
  EXPECT_EQ(verdict.stage, "authenticity");
  EXPECT_EQ(verdict.reason,
            "From claims a member at strict.example, but the message fails DMARC for "
            "strict.example (p=reject): possibly forged");
  const list::Authenticity& result = context_.authenticity;
  EXPECT_EQ(result.spf, "fail");
  EXPECT_EQ(result.dkim, "none");
  EXPECT_EQ(result.dmarc, "fail");
  EXPECT_EQ(result.dmarc_policy, "reject");
  EXPECT_EQ(result.from_domain, "strict.example");
  EXPECT_TRUE(result.from_domain_enforces);
  const std::string results = unfolded(result.results);
  EXPECT_EQ(results.rfind("spf=fail reason=", 0), 0u) << results;
  EXPECT_TRUE(contains(results,
                       " smtp.mailfrom=alice@strict.example; dkim=none; dmarc=fail "
                       "(p=reject dis=reject) reason="))
      << results;
  EXPECT_TRUE(results.ends_with(" header.from=strict.example")) << results;
  EXPECT_EQ(result.reason, "spf=fail dkim=none dmarc=fail from=strict.example p=reject");
}

TEST_F(Authenticity, MemberWithValidDkimIsAccepted) {
  const Verdict verdict =
      check(strict_signed_post("Alice <alice@strict.example>"), "alice@strict.example", kForeignIp);
  EXPECT_TRUE(verdict.accepted()) << verdict.reason;
  const list::Authenticity& result = context_.authenticity;
  EXPECT_EQ(result.spf, "fail");
  EXPECT_EQ(result.dkim, "pass");
  EXPECT_EQ(result.dmarc, "pass");
  // Mitigation still needs to know the domain enforces: the list will break the signature.
  EXPECT_TRUE(result.from_domain_enforces);
  EXPECT_EQ(result.dmarc_policy, "reject");
  const std::string results = unfolded(result.results);
  EXPECT_TRUE(contains(results,
                       "dkim=pass (1024-bit key) header.d=strict.example "
                       "header.i=@strict.example header.s=s1 header.a=rsa-sha256"))
      << results;
  EXPECT_TRUE(contains(results, "; dmarc=pass (p=reject dis=none) header.from=strict.example"))
      << results;
}

TEST_F(Authenticity, MemberSendingFromTheDomainsServersPassesSpf) {
  const Verdict verdict = check(post("alice@strict.example"), "alice@strict.example", kStrictIp);
  EXPECT_TRUE(verdict.accepted()) << verdict.reason;
  EXPECT_EQ(context_.authenticity.spf, "pass");
  EXPECT_EQ(context_.authenticity.dmarc, "pass");
}

TEST_F(Authenticity, FailureForANoneDomainIsNotHeld) {
  const Verdict verdict = check(post("mia@relaxed.example"), "mia@relaxed.example", kForeignIp);
  EXPECT_TRUE(verdict.accepted()) << verdict.reason;
  EXPECT_EQ(context_.authenticity.dmarc, "fail");
  EXPECT_EQ(context_.authenticity.dmarc_policy, "none");
  EXPECT_FALSE(context_.authenticity.from_domain_enforces);
}

TEST_F(Authenticity, NonMemberFailingDmarcIsLeftToThePostingPolicy) {
  const Verdict verdict = check(post("eve@strict.example"), "eve@strict.example", kForeignIp);
  EXPECT_TRUE(verdict.accepted()) << verdict.reason;
  EXPECT_EQ(context_.authenticity.dmarc, "fail");
  EXPECT_TRUE(context_.authenticity.from_domain_enforces);
}

TEST_F(Authenticity, HoldCanBeTurnedOff) {
  settings_.hold_dmarc_failures = false;
  const Verdict verdict = check(post("alice@strict.example"), "alice@strict.example", kForeignIp);
  EXPECT_TRUE(verdict.accepted()) << verdict.reason;
  EXPECT_EQ(context_.authenticity.dmarc, "fail");
}

TEST_F(Authenticity, TestingRejectPolicyStillEnforcesQuarantine) {
  const Verdict verdict = check(post("tess@testing.example"), "tess@testing.example", kForeignIp);
  EXPECT_EQ(verdict.decision, Decision::hold);
  EXPECT_EQ(verdict.reason,
            "From claims a member at testing.example, but the message fails DMARC for "
            "testing.example (p=reject, t=y): possibly forged");
  EXPECT_TRUE(context_.authenticity.from_domain_enforces);
}

TEST_F(Authenticity, DmarcTemperrorHoldsNothing) {
  resolver_.inject_failure("_dmarc.strict.example", dns::Status::servfail);
  const Verdict verdict = check(post("alice@strict.example"), "alice@strict.example", kForeignIp);
  EXPECT_TRUE(verdict.accepted()) << verdict.reason;
  EXPECT_EQ(context_.authenticity.dmarc, "temperror");
  EXPECT_FALSE(context_.authenticity.from_domain_enforces);
  EXPECT_TRUE(has_note(context_, "dmarc_temperror: strict.example")) << context_.notes.size();
}

TEST_F(Authenticity, UnknownClientAddressSkipsSpf) {
  const Verdict verdict = check(post("mia@relaxed.example"), "mia@relaxed.example", "");
  EXPECT_TRUE(verdict.accepted());
  EXPECT_EQ(context_.authenticity.spf, "");
  EXPECT_TRUE(has_note(context_, "spf_not_evaluated"));
  EXPECT_FALSE(contains(context_.authenticity.results, "spf="));
}

constexpr std::string_view kTrustedPass =
    "Authentication-Results: mx.cq-test.example;\r\n"
    "\tspf=pass smtp.mailfrom=alice@strict.example;\r\n"
    "\tdkim=pass header.d=strict.example;\r\n"
    "\tdmarc=pass header.from=strict.example\r\n";

TEST_F(Authenticity, TrustedResultsAreBelieved) {
  settings_.trusted_authserv_id = "MX.cq-test.example";
  // No signature, foreign address: computed here it would fail; the MTA saw otherwise.
  const Verdict verdict =
      check(post("alice@strict.example", kTrustedPass), "alice@strict.example", kForeignIp);
  EXPECT_TRUE(verdict.accepted()) << verdict.reason;
  const list::Authenticity& result = context_.authenticity;
  EXPECT_EQ(result.spf, "pass");
  EXPECT_EQ(result.dkim, "pass");
  EXPECT_EQ(result.dmarc, "pass");
  EXPECT_EQ(result.dmarc_policy, "reject");
  EXPECT_EQ(result.results,
            "spf=pass smtp.mailfrom=alice@strict.example;\r\n\tdkim=pass "
            "header.d=strict.example;\r\n\tdmarc=pass header.from=strict.example");
  EXPECT_TRUE(contains(result.reason, "(spf,dkim,dmarc from MX.cq-test.example)")) << result.reason;
  EXPECT_TRUE(has_note(context_, "authres_trusted: spf,dkim,dmarc"));
}

TEST_F(Authenticity, ResultsFromAnotherIdAreIgnored) {
  settings_.trusted_authserv_id = "mx.cq-test.example";
  std::string forged(kTrustedPass);
  forged.replace(forged.find("mx.cq-test.example"), 18, "mx.attacker.example");
  const Verdict verdict =
      check(post("alice@strict.example", forged), "alice@strict.example", kForeignIp);
  EXPECT_EQ(verdict.decision, Decision::hold);
  EXPECT_EQ(context_.authenticity.spf, "fail");
  EXPECT_FALSE(has_note(context_, "authres_trusted"));
}

TEST_F(Authenticity, ResultsAreIgnoredWithoutATrustedId) {
  const Verdict verdict =
      check(post("alice@strict.example", kTrustedPass), "alice@strict.example", kForeignIp);
  EXPECT_EQ(verdict.decision, Decision::hold);
  EXPECT_EQ(context_.authenticity.dmarc, "fail");
}

TEST_F(Authenticity, MethodsTheTrustedMtaDidNotReportAreComputed) {
  settings_.trusted_authserv_id = "mx.cq-test.example";
  // The MTA checked SPF only; DKIM (none here) and DMARC (aligned SPF: pass) are computed.
  const Verdict verdict = check(post("alice@strict.example",
                                     "Authentication-Results: mx.cq-test.example; spf=pass "
                                     "smtp.mailfrom=alice@strict.example\r\n"),
                                "alice@strict.example", kForeignIp);
  EXPECT_TRUE(verdict.accepted()) << verdict.reason;
  EXPECT_EQ(context_.authenticity.spf, "pass");
  EXPECT_EQ(context_.authenticity.dkim, "none");
  EXPECT_EQ(context_.authenticity.dmarc, "pass");
  EXPECT_TRUE(has_note(context_, "authres_trusted: spf believed"));
}

TEST_F(Authenticity, TrustedDmarcFailHoldsASpoofedMember) {
  settings_.trusted_authserv_id = "mx.cq-test.example";
  const Verdict verdict =
      check(strict_signed_post("alice@strict.example",
                               "Authentication-Results: mx.cq-test.example; dmarc=fail "
                               "header.from=strict.example\r\n"),
            "alice@strict.example", kStrictIp);
  EXPECT_EQ(verdict.decision, Decision::hold) << context_.authenticity.reason;
  EXPECT_EQ(context_.authenticity.dkim, "pass");
  EXPECT_EQ(context_.authenticity.dmarc, "fail");
}

TEST_F(Authenticity, PostWithoutAuthorIsADmarcPermerror) {
  const Verdict verdict = check(post("undisclosed-recipients:;"), "", kRelaxedIp);
  EXPECT_TRUE(verdict.accepted());
  EXPECT_EQ(context_.authenticity.dmarc, "permerror");
  EXPECT_TRUE(contains(context_.authenticity.results, "dmarc=permerror"))
      << context_.authenticity.results;
}

}  // namespace
}  // namespace cqlist::list
