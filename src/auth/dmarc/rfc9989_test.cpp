// auth/dmarc/rfc9989_test.cpp: DMARC evaluation rules written from RFC 9989's text, one row per
// rule, citing the section. No public DMARC conformance suite exists (shared/conformance README).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/dmarc/evaluate.hpp"
#include "dns/static_resolver.hpp"

namespace cqlist::auth::dmarc {
namespace {

constexpr std::string_view kZone = R"(
_dmarc.example.com TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
example.com A 192.0.2.1
news.example.com A 192.0.2.2
_dmarc.sp.example TXT "v=DMARC1; p=reject; sp=quarantine"
sub.sp.example A 192.0.2.3
_dmarc.np.example TXT "v=DMARC1; p=quarantine; sp=none; np=reject"
real.np.example A 192.0.2.4
_dmarc.strict.example TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
_dmarc.testing.example TXT "v=DMARC1; p=reject; t=y"
_dmarc.testq.example TXT "v=DMARC1; p=quarantine; t=y"
_dmarc.two.example TXT "v=DMARC1; p=reject"
_dmarc.two.example TXT "v=DMARC1; p=none"
_dmarc.mixed.example TXT "google-site-verification=abc"
_dmarc.mixed.example TXT "v=DMARC1; p=quarantine"
_dmarc.psd.example TXT "v=DMARC1; p=reject; psd=y"
_dmarc.org.psdn.example TXT "v=DMARC1; p=quarantine; psd=n"
_dmarc.psdn.example TXT "v=DMARC1; p=reject"
_dmarc.c.d.e.f.g.h.example.com TXT "v=DMARC1; p=none"
_dmarc.pct.example TXT "v=DMARC1; p=reject; pct=10; rf=afrf; ri=3600"
_dmarc.nop.example TXT "v=DMARC1; rua=mailto:reports@nop.example"
_dmarc.badp.example TXT "v=DMARC1; p=rejectt"
_dmarc.broken.example TXT "v=DMARC1 p=reject"
_dmarc.version.example TXT "v=DMARC2; p=reject"
_dmarc.slow.example TIMEOUT
_dmarc.case.example TXT "V = DMARC1 ; P = Reject ; ADKIM = s"
)";

struct Case {
  const char* section;
  const char* rule;
  const char* from;
  const char* spf;   // "result:domain" or ""
  const char* dkim;  // "result:domain,result:domain" or ""
  const char* result;
  const char* disposition;
  const char* record_domain;  // "" when no record applies
};

const Case kCases[] = {
    {"4.4", "aligned DKIM pass gives pass", "example.com", "fail:other.org", "pass:example.com",
     "pass", "none", "example.com"},
    {"4.4", "aligned SPF pass gives pass", "example.com", "pass:example.com", "", "pass", "none",
     "example.com"},
    {"4.4", "nothing aligned passes: fail, p applies", "example.com", "pass:other.org",
     "pass:other.org", "fail", "reject", "example.com"},
    {"4.4.1", "relaxed DKIM: parent d= aligns with a subdomain From", "news.example.com", "",
     "pass:example.com", "pass", "none", "example.com"},
    {"4.4.1", "relaxed DKIM: subdomain d= aligns with the org domain From", "example.com", "",
     "pass:mail.example.com", "pass", "none", "example.com"},
    {"4.4.1", "strict DKIM: parent d= does not align", "mail.strict.example", "",
     "pass:strict.example", "fail", "reject", "strict.example"},
    {"4.4.1", "strict DKIM: the exact d= aligns", "mail.strict.example", "",
     "pass:mail.strict.example", "pass", "none", "strict.example"},
    {"4.4.1", "a failed aligned DKIM signature does not count", "example.com", "",
     "fail:example.com", "fail", "reject", "example.com"},
    {"4.4.1", "one aligned pass among several signatures suffices", "example.com", "",
     "fail:example.com,pass:esp.example,pass:example.com", "pass", "none", "example.com"},
    {"4.4.2", "relaxed SPF: bounce subdomain aligns", "example.com", "pass:bounce.example.com", "",
     "pass", "none", "example.com"},
    {"4.4.2", "strict SPF: bounce subdomain does not align", "strict.example",
     "pass:bounce.strict.example", "", "fail", "reject", "strict.example"},
    {"4.4.2", "SPF softfail is not a pass", "example.com", "softfail:example.com", "", "fail",
     "reject", "example.com"},
    {"4.4", "an aligned temperror with no pass is temperror", "example.com", "fail:example.com",
     "temperror:example.com", "temperror", "none", "example.com"},
    {"4.7", "sp applies to subdomains", "sub.sp.example", "", "", "fail", "quarantine",
     "sp.example"},
    {"4.7", "p applies to the domain itself even when sp is set", "sp.example", "", "", "fail",
     "reject", "sp.example"},
    {"4.7", "np applies to a non-existent subdomain", "ghost.np.example", "", "", "fail", "reject",
     "np.example"},
    {"4.7", "sp (not np) applies to an existing subdomain", "real.np.example", "", "", "fail",
     "none", "np.example"},
    {"4.7", "t=y lowers reject to quarantine", "testing.example", "", "", "fail", "quarantine",
     "testing.example"},
    {"4.7", "t=y lowers quarantine to none", "testq.example", "", "", "fail", "none",
     "testq.example"},
    {"4.7", "a record without p is treated as p=none", "nop.example", "", "", "fail", "none",
     "nop.example"},
    {"4.7", "an invalid p value falls back to none", "badp.example", "", "", "fail", "none",
     "badp.example"},
    {"4.7", "tag names and values are case-insensitive", "mail.case.example", "",
     "pass:case.example", "fail", "reject", "case.example"},
    {"C", "removed tags pct/rf/ri are ignored: the whole policy applies", "pct.example", "", "",
     "fail", "reject", "pct.example"},
    {"4.10", "two DMARC records at one name count as none", "two.example", "", "", "none", "none",
     ""},
    {"4.10", "TXT records not starting with v=DMARC1 are ignored", "mixed.example", "", "", "fail",
     "quarantine", "mixed.example"},
    {"4.10", "a record without ';' after v=DMARC1 is not a valid record", "broken.example", "", "",
     "none", "none", ""},
    {"4.10", "another version than DMARC1 is not a DMARC record", "version.example", "", "", "none",
     "none", ""},
    {"4.10", "no record anywhere on the walk: none", "nodmarc.example", "pass:nodmarc.example", "",
     "none", "none", ""},
    {"4.10.1", "the walk finds the org domain's record from a deep subdomain",
     "a.b.news.example.com", "", "", "fail", "reject", "example.com"},
    {"4.10", "8+ labels jump to the last 7: the 8-label name is never queried",
     "a.b.c.d.e.f.g.h.example.com", "", "", "fail", "reject", "example.com"},
    {"4.10.1", "a PSD record (psd=y) supplies the policy", "a.b.psd.example", "", "", "fail",
     "reject", "psd.example"},
    {"4.10.2", "psd=y: org domain is one label below; a sibling does not align", "a.b.psd.example",
     "", "pass:other.psd.example", "fail", "reject", "psd.example"},
    {"4.10.2", "psd=y: names under the same org domain align", "a.b.psd.example", "",
     "pass:x.b.psd.example", "pass", "none", "psd.example"},
    {"4.10.2", "psd=n stops the walk: the parent does not align", "sub.org.psdn.example", "",
     "pass:psdn.example", "fail", "quarantine", "org.psdn.example"},
    {"4.10.2", "psd=n: names under the org domain align", "sub.org.psdn.example",
     "pass:bounce.org.psdn.example", "", "pass", "none", "org.psdn.example"},
    {"4.10", "a DNS timeout is temperror", "slow.example", "", "pass:slow.example", "temperror",
     "none", ""},
    {"4.10", "From domains are compared without case or trailing dot", "EXAMPLE.COM.", "",
     "pass:Example.Com", "pass", "none", "example.com"},
    {"4.4", "an invalid From domain is permerror", "bad..example", "", "pass:bad..example",
     "permerror", "none", ""},
};

std::pair<std::string, std::string> split_pair(std::string_view text) {
  std::size_t colon = text.find(':');
  return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

TEST(Rfc9989Table, EveryRowHolds) {
  auto zone = dns::StaticResolver::from_zone(kZone);
  ASSERT_TRUE(zone) << zone.error().message();
  int cases_run = 0;
  for (const Case& c : kCases) {
    SCOPED_TRACE(std::string("RFC 9989 §") + c.section + ": " + c.rule);
    DmarcInputs inputs;
    inputs.from_domain = c.from;
    if (*c.spf != '\0') {
      auto [result, domain] = split_pair(c.spf);
      inputs.spf = {result, domain};
    }
    std::string_view dkim = c.dkim;
    while (!dkim.empty()) {
      std::size_t comma = dkim.find(',');
      auto [result, domain] = split_pair(dkim.substr(0, comma));
      inputs.dkim.push_back({result, domain});
      dkim = comma == std::string_view::npos ? std::string_view{} : dkim.substr(comma + 1);
    }
    Evaluation evaluation = evaluate(*zone, inputs);
    EXPECT_EQ(dmarc_result_name(evaluation.result), c.result) << evaluation.reason;
    EXPECT_EQ(policy_name(evaluation.disposition), c.disposition) << evaluation.reason;
    EXPECT_EQ(evaluation.discovery.record_domain, c.record_domain);
    EXPECT_FALSE(evaluation.reason.empty());
    ++cases_run;
  }
  EXPECT_GE(cases_run, 38);
}

TEST(Rfc9989Walk, EightLabelNameJumpsToSevenLabels) {
  std::vector<std::string> targets = walk_targets("a.b.c.d.e.f.g.h.example.com");
  ASSERT_EQ(targets.size(), 8U);
  EXPECT_EQ(targets[0], "a.b.c.d.e.f.g.h.example.com");
  EXPECT_EQ(targets[1], "d.e.f.g.h.example.com");
  EXPECT_EQ(targets[6], "example.com");
  EXPECT_EQ(targets[7], "com");
}

TEST(Rfc9989Walk, QueriesEachNameOnceAndStopsAtTheFirstRecord) {
  auto zone = dns::StaticResolver::from_zone(kZone);
  ASSERT_TRUE(zone);
  PolicyDiscovery found = discover_policy(*zone, "a.b.news.example.com");
  ASSERT_EQ(found.status, DiscoveryStatus::found);
  EXPECT_EQ(found.organizational_domain, "example.com");
  // Policy walk: 4 names up to example.com; the org-domain walk adds "com" (§4.10.2 walks on
  // to find psd= boundaries).
  ASSERT_EQ(found.steps.size(), 5U);
  EXPECT_EQ(found.steps[0].name, "_dmarc.a.b.news.example.com");
  EXPECT_EQ(found.steps[3].name, "_dmarc.example.com");
  EXPECT_EQ(found.steps[4].name, "_dmarc.com");
  EXPECT_EQ(zone->queries().size(), 5U);
}

TEST(Rfc9989Walk, TwoRecordsAreExplained) {
  auto zone = dns::StaticResolver::from_zone(kZone);
  ASSERT_TRUE(zone);
  PolicyDiscovery found = discover_policy(*zone, "two.example");
  EXPECT_EQ(found.status, DiscoveryStatus::none);
  ASSERT_FALSE(found.steps.empty());
  EXPECT_NE(found.steps[0].outcome.find("2 DMARC records"), std::string::npos)
      << found.steps[0].outcome;
}

}  // namespace
}  // namespace cqlist::auth::dmarc
