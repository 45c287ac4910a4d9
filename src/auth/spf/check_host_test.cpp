#include "auth/spf/check_host.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "auth/spf/report.hpp"
#include "dns/static_resolver.hpp"

namespace cqlist::auth::spf {
namespace {

dns::StaticResolver zone(const char* text) {
  auto resolver = dns::StaticResolver::from_zone(text);
  EXPECT_TRUE(resolver.has_value()) << resolver.error().message();
  return resolver ? *resolver : dns::StaticResolver();
}

IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

constexpr const char* kZone = R"(
cq-test.example TXT "v=spf1 include:cq-test.example ~all"
relay.example TXT "v=spf1 ip4:192.0.2.25 include:_spf.relay.example ~all"
_spf.relay.example TXT "v=spf1 ip4:198.51.100.0/24 ip6:2001:db8:25::/48 -all"
two.example TXT "v=spf1 -all"
two.example TXT "v=spf1 +all"
mx.example TXT "v=spf1 mx/24 -all"
mx.example MX 10 mail.mx.example
mail.mx.example A 203.0.113.7
exp.example TXT "v=spf1 -all exp=why.exp.example"
why.exp.example TXT "%{i} is not one of %{d}'s senders"
slow.example TIMEOUT TXT
voids.example TXT "v=spf1 a:n1.voids.example a:n2.voids.example a:n3.voids.example -all"
helo.example TXT "v=spf1 a -all"
helo.example A 192.0.2.80
)";

TEST(SpfCheckHost, FoundingStorySelfIncludeIsPermerrorNamingTheLoop) {
  dns::StaticResolver resolver = zone(kZone);
  SpfOutcome outcome =
      check_mail_from(resolver, ip("192.0.2.1"), "list@cq-test.example", "mx.cq-test.example");
  EXPECT_EQ(outcome.result, SpfResult::permerror);
  EXPECT_NE(outcome.reason.find("includes itself"), std::string::npos) << outcome.reason;
  EXPECT_NE(outcome.reason.find("cq-test.example -> cq-test.example"), std::string::npos);
  EXPECT_EQ(outcome.trace.deciding_term, "include:cq-test.example");
  const std::string text = describe_trace(outcome);
  EXPECT_NE(text.find("loop: cq-test.example -> cq-test.example"), std::string::npos) << text;
  // The loop is caught before it is queried a second time.
  EXPECT_EQ(resolver.queries().size(), 1u);
}

TEST(SpfCheckHost, NestedIncludePassesWithTrace) {
  dns::StaticResolver resolver = zone(kZone);
  SpfOutcome outcome =
      check_mail_from(resolver, ip("198.51.100.9"), "a@relay.example", "mx.relay.example");
  EXPECT_EQ(outcome.result, SpfResult::pass);
  EXPECT_EQ(outcome.trace.deciding_term, "include:_spf.relay.example");
  EXPECT_EQ(outcome.trace.deciding_domain, "relay.example");
  EXPECT_EQ(outcome.trace.dns_lookups, 1u);
  const auto& steps = outcome.trace.steps;
  const auto inner = std::find_if(steps.begin(), steps.end(), [](const TraceStep& s) {
    return s.kind == TraceStep::Kind::term && s.text == "ip4:198.51.100.0/24";
  });
  ASSERT_NE(inner, steps.end());
  EXPECT_EQ(inner->depth, 1u);
  EXPECT_EQ(inner->domain, "_spf.relay.example");
  EXPECT_EQ(inner->lookups, 1u);
  EXPECT_EQ(authentication_results_fragment(outcome), "spf=pass smtp.mailfrom=a@relay.example");
  EXPECT_EQ(received_spf(outcome, "lists.example"),
            "pass (lists.example: domain of a@relay.example designates 198.51.100.9 as "
            "permitted sender) client-ip=198.51.100.9; envelope-from=\"a@relay.example\"; "
            "helo=\"mx.relay.example\"; identity=mailfrom; receiver=lists.example;");

  SpfOutcome soft = check_mail_from(resolver, ip("192.0.2.99"), "a@relay.example", "h.example");
  EXPECT_EQ(soft.result, SpfResult::softfail);
  EXPECT_EQ(soft.trace.deciding_term, "~all");
}

TEST(SpfCheckHost, Ipv4MappedIpv6IsTreatedAsIpv4) {
  dns::StaticResolver resolver = zone(kZone);
  SpfOutcome outcome = check_mail_from(resolver, ip("::ffff:192.0.2.25"), "a@relay.example", "");
  EXPECT_EQ(outcome.result, SpfResult::pass);
  EXPECT_EQ(outcome.ip.to_string(), "192.0.2.25");
  EXPECT_EQ(check_mail_from(resolver, ip("2001:db8:25::1"), "a@relay.example", "").result,
            SpfResult::pass);
}

TEST(SpfCheckHost, OutcomesForBrokenAndMissingRecords) {
  dns::StaticResolver resolver = zone(kZone);
  EXPECT_EQ(check_host(resolver, ip("192.0.2.1"), "two.example", "a@two.example", "").result,
            SpfResult::permerror);
  EXPECT_EQ(
      check_host(resolver, ip("192.0.2.1"), "nowhere.example", "a@nowhere.example", "").result,
      SpfResult::none);
  EXPECT_EQ(check_host(resolver, ip("192.0.2.1"), "slow.example", "a@slow.example", "").result,
            SpfResult::temperror);
  SpfOutcome voids = check_host(resolver, ip("192.0.2.1"), "voids.example", "a@voids.example", "");
  EXPECT_EQ(voids.result, SpfResult::permerror);
  EXPECT_EQ(voids.trace.void_lookups, 3u);
  EXPECT_EQ(voids.trace.deciding_term, "a:n3.voids.example");
}

TEST(SpfCheckHost, InvalidDomainsAreNoneWithoutQuerying) {
  dns::StaticResolver resolver = zone(kZone);
  const std::string long_label(64, 'x');
  for (const std::string& domain : {long_label + ".example", std::string("a..example"),
                                    std::string("localhost"), std::string("")}) {
    EXPECT_EQ(check_host(resolver, ip("192.0.2.1"), domain, "a@b", "").result, SpfResult::none)
        << domain;
  }
  EXPECT_TRUE(resolver.queries().empty());
  EXPECT_TRUE(is_valid_domain("example.org."));
  EXPECT_FALSE(is_valid_domain(".example.org"));
}

TEST(SpfCheckHost, MxWithCidrAndExplanation) {
  dns::StaticResolver resolver = zone(kZone);
  EXPECT_EQ(check_host(resolver, ip("203.0.113.200"), "mx.example", "a@mx.example", "").result,
            SpfResult::pass);
  SpfOptions options;
  options.default_explanation = "DEFAULT";
  SpfOutcome failed =
      check_host(resolver, ip("203.0.113.200"), "exp.example", "a@exp.example", "", options);
  EXPECT_EQ(failed.result, SpfResult::fail);
  EXPECT_EQ(failed.explanation, "203.0.113.200 is not one of exp.example's senders");
  SpfOutcome plain =
      check_host(resolver, ip("203.0.113.200"), "two.example", "a@two.example", "", options);
  EXPECT_EQ(plain.explanation, "");
}

TEST(SpfCheckHost, EmptyMailFromChecksPostmasterAtHelo) {
  dns::StaticResolver resolver = zone(kZone);
  SpfOutcome outcome = check_mail_from(resolver, ip("192.0.2.80"), "", "helo.example");
  EXPECT_EQ(outcome.result, SpfResult::pass);
  EXPECT_EQ(outcome.identity, "helo");
  EXPECT_EQ(outcome.sender, "postmaster@helo.example");
  EXPECT_EQ(authentication_results_fragment(outcome), "spf=pass smtp.helo=helo.example");
  EXPECT_EQ(check_helo(resolver, ip("192.0.2.81"), "helo.example").result, SpfResult::fail);
}

TEST(SpfCheckHost, LookupLimitCountsAcrossIncludes) {
  std::string text;
  for (int i = 0; i < 12; ++i) {
    text += "l" + std::to_string(i) + ".example TXT \"v=spf1 include:l" + std::to_string(i + 1) +
            ".example\"\n";
  }
  text += "l12.example TXT \"v=spf1 +all\"\n";
  dns::StaticResolver resolver = zone(text.c_str());
  SpfOutcome outcome = check_host(resolver, ip("192.0.2.1"), "l0.example", "a@l0.example", "");
  EXPECT_EQ(outcome.result, SpfResult::permerror);
  EXPECT_EQ(outcome.trace.dns_lookups, 11u);
  EXPECT_EQ(outcome.trace.deciding_term, "include:l11.example");
  SpfOutcome at_limit = check_host(resolver, ip("192.0.2.1"), "l2.example", "a@l2.example", "");
  EXPECT_EQ(at_limit.result, SpfResult::pass);
  EXPECT_EQ(at_limit.trace.dns_lookups, 10u);
}

}  // namespace
}  // namespace cqlist::auth::spf
