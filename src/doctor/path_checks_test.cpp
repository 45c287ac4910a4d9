#include "doctor/path_checks.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "doctor/render.hpp"
#include "doctor/testing/doctor_fixture.hpp"

namespace cqlist::doctor {
namespace {

using namespace testing;

constexpr const char* kForward = R"(
mail.cq-test.example A 192.0.2.25
mail.cq-test.example AAAA 2001:db8::25
mail.cq-test.example TXT "v=spf1 a -all"
)";

TEST(DoctorPtr, MissingIpv6PtrFailsWithTheProviderActionInBothLanguages) {
  auto resolver = zone(kForward);
  auto findings = check_ptr_and_helo(resolver, input_for({"2001:db8::25"}));
  const Finding* ptr = find_finding(findings, "PTR-01");
  ASSERT_NE(ptr, nullptr);
  EXPECT_EQ(ptr->severity, Severity::fail);
  ASSERT_EQ(ptr->fix.records_add.size(), 1u);  // the AAAA is already there
  EXPECT_TRUE(ptr->fix.records_add[0].at_provider);
  EXPECT_EQ(ptr->fix.summary.en,
            "Set the PTR of 2001:db8::25 to mail.cq-test.example where the address is managed "
            "(your VPS provider's panel or support); this is not done in your own zone. Make "
            "sure mail.cq-test.example has AAAA 2001:db8::25.");
  EXPECT_EQ(ptr->fix.summary.ja,
            "2001:db8::25 の PTR を mail.cq-test.example "
            "に設定してください。設定場所はアドレスを管理している側（VPS "
            "事業者の管理画面やサポート窓口）で、あなたのゾーンではありません。また "
            "mail.cq-test.example に AAAA 2001:db8::25 があることを確認してください。");
  EXPECT_EQ(ptr->why.ja,
            "2001:db8::25（IPv6）に逆引きの名前がありません。Gmail、Yahoo、Microsoft "
            "は、正引きで同じアドレスに戻る PTR を必須としています。Gmail は 550 "
            "5.7.1（「IPv6 sending guidelines regarding PTR records」）や 4.7.23/5.7.25 "
            "で拒否します。");
}

TEST(DoctorPtr, ForwardConfirmedPtrPasses) {
  auto resolver =
      zone(std::string(kForward) + "25.2.0.192.in-addr.arpa PTR mail.cq-test.example\n");
  auto findings = check_ptr_and_helo(resolver, input_for({"192.0.2.25"}));
  ASSERT_NE(find_finding(findings, "PTR-02"), nullptr);
  EXPECT_EQ(find_finding(findings, "PTR-02")->severity, Severity::pass);
  EXPECT_EQ(find_finding(findings, "PTR-01"), nullptr);
  EXPECT_EQ(find_finding(findings, "HELO-01"), nullptr);
  EXPECT_EQ(find_finding(findings, "HELO-03"), nullptr);
}

TEST(DoctorPtr, PtrToAProviderNameWithoutForwardRecordFailsPtr02) {
  auto resolver = zone(std::string(kForward) + R"(
25.2.0.192.in-addr.arpa PTR vps-25.provider.example
25.2.0.192.in-addr.arpa PTR other.provider.example
)");
  auto findings = check_ptr_and_helo(resolver, input_for({"192.0.2.25"}));
  const Finding* ptr = find_finding(findings, "PTR-02");
  ASSERT_NE(ptr, nullptr);
  EXPECT_EQ(ptr->severity, Severity::fail);
  EXPECT_EQ(ptr->fix.records_add.at(0).zone_line(),
            "25.2.0.192.in-addr.arpa. 3600 IN PTR mail.cq-test.example.");
  ASSERT_NE(find_finding(findings, "PTR-03"), nullptr);
  EXPECT_EQ(find_finding(findings, "PTR-03")->severity, Severity::warn);
}

TEST(DoctorPtr, ProviderDefaultNameWarnsAndOwnNameDoesNot) {
  auto resolver = zone(std::string(kForward) + R"(
25.2.0.192.in-addr.arpa PTR 192-0-2-25.dynamic.provider.example
192-0-2-25.dynamic.provider.example A 192.0.2.25
)");
  auto findings = check_ptr_and_helo(resolver, input_for({"192.0.2.25"}));
  ASSERT_NE(find_finding(findings, "PTR-04"), nullptr);
  EXPECT_EQ(find_finding(findings, "PTR-04")->severity, Severity::warn);
  EXPECT_EQ(find_finding(findings, "PTR-04")->fix.summary.en,
            "Set the PTR of 192.0.2.25 to mail.cq-test.example at your provider.");
  EXPECT_EQ(find_finding(findings, "PTR-02")->severity, Severity::pass);
  EXPECT_EQ(find_finding(findings, "HELO-02")->severity, Severity::info);
  auto own = zone(std::string(kForward) + "25.2.0.192.in-addr.arpa PTR mail.cq-test.example\n");
  EXPECT_EQ(find_finding(check_ptr_and_helo(own, input_for({"192.0.2.25"})), "PTR-04"), nullptr);
}

TEST(DoctorHelo, ShortNameWarnsWithAPostconfCommand) {
  auto resolver = zone(kForward);
  DoctorInput input = input_for({"192.0.2.25"});
  input.helo_name = "vps123";
  auto findings = check_ptr_and_helo(resolver, input);
  const Finding* helo = find_finding(findings, "HELO-01");
  ASSERT_NE(helo, nullptr);
  EXPECT_EQ(helo->severity, Severity::warn);
  EXPECT_EQ(helo->fix.commands.at(0),
            "postconf -e 'myhostname = mail.cq-test.example' && postfix reload");
}

TEST(DoctorHelo, HeloNameWithoutAddressOrSpfWarns) {
  auto resolver = zone("mail.cq-test.example A 192.0.2.99\n");
  auto findings = check_ptr_and_helo(resolver, input_for({"192.0.2.25"}));
  ASSERT_NE(find_finding(findings, "HELO-01"), nullptr);
  EXPECT_EQ(find_finding(findings, "HELO-01")->fix.records_add.at(0).zone_line(),
            "mail.cq-test.example. 3600 IN A 192.0.2.25");
  ASSERT_NE(find_finding(findings, "HELO-03"), nullptr);
  EXPECT_EQ(find_finding(findings, "HELO-03")->fix.records_add.at(0).zone_line(),
            "mail.cq-test.example. 3600 IN TXT \"v=spf1 a -all\"");
}

TEST(DoctorTls, NoTlsFailsAndMayPasses) {
  DoctorInput input = input_for({"192.0.2.25"});
  input.postfix = PostfixSettings{};
  input.postfix->smtp_tls_security_level = "";
  auto findings = check_tls(input);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::fail);
  EXPECT_EQ(findings[0].fix.commands.at(0),
            "postconf -e 'smtp_tls_security_level = may' && postfix reload");
  input.postfix->smtp_tls_security_level = "may";
  EXPECT_EQ(check_tls(input).at(0).severity, Severity::pass);
}

TEST(DoctorOut, DescribesThePathAndARelay) {
  DoctorInput input = input_for({"192.0.2.25", "2001:db8::25"});
  auto findings = check_outbound(input);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::info);
  EXPECT_EQ(findings[0].found.at(1), "IPv6 2001:db8::25 (from --ip)");
  input.postfix = PostfixSettings{};
  input.postfix->relayhost = "[smtp.relay.example]:587";
  findings = check_outbound(input);
  ASSERT_NE(find_finding(findings, "OUT-03"), nullptr);
  EXPECT_EQ(check_outbound(input_for({})).at(0).severity, Severity::warn);
}

TEST(DoctorOut, Ipv6ReadinessFailsOnlyWhenAnIpv6CheckFailed) {
  DoctorInput input = input_for({"192.0.2.25", "2001:db8::25"});
  std::vector<Finding> findings(1);
  findings[0].id = "PTR-01";
  findings[0].subject = "2001:db8::25";
  findings[0].severity = Severity::fail;
  auto out = check_ipv6_readiness(input, findings);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "OUT-02");
  EXPECT_NE(out[0].fix.summary.en.find("postconf -e 'inet_protocols = ipv4'"), std::string::npos);
  findings[0].severity = Severity::pass;
  EXPECT_TRUE(check_ipv6_readiness(input, findings).empty());
  findings[0].id = "DKIM-02";  // an unverifiable signature fails IPv6 sending too
  findings[0].subject = "cq2026._domainkey.cq-test.example";
  findings[0].severity = Severity::fail;
  ASSERT_EQ(check_ipv6_readiness(input, findings).size(), 1u);
  EXPECT_EQ(check_ipv6_readiness(input, findings)[0].found.at(0),
            "IPv6 egress 2001:db8::25 fails DKIM-02");
}

TEST(DoctorSendingPath, PostconfOutputAndEgressRules) {
  auto settings = parse_postconf_output(
      "ipv4\nany\n192.0.2.30\n\nmail.cq-test.example\n$myhostname\n\nmay\n\n\n20\n0s\n");
  ASSERT_TRUE(settings.has_value()) << settings.error().message();
  EXPECT_TRUE(settings->sends_ipv4());
  EXPECT_FALSE(settings->sends_ipv6());
  EXPECT_EQ(settings->helo_name(), "mail.cq-test.example");
  std::vector<EgressAddress> host{{*IpAddress::parse("192.0.2.25"), "interface eth0"},
                                  {*IpAddress::parse("2001:db8::25"), "interface eth0"}};
  auto egress = effective_egress(host, *settings);
  ASSERT_EQ(egress.size(), 1u);
  EXPECT_EQ(egress[0].address.to_string(), "192.0.2.30");
  EXPECT_EQ(egress[0].source, "smtp_bind_address");
  EXPECT_FALSE(parse_postconf_output("all\n").has_value());
  EXPECT_FALSE(is_global_unicast(*IpAddress::parse("10.1.2.3")));
  EXPECT_FALSE(is_global_unicast(*IpAddress::parse("fe80::1")));
  EXPECT_TRUE(is_global_unicast(*IpAddress::parse("2001:db8::25")));
}

}  // namespace
}  // namespace cqlist::doctor
