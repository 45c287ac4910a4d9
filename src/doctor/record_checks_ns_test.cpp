// DNS-04 over static resolvers, one per name server address: a secondary serving an old SPF
// record, servers that agree, a server that does not answer, and the cases the check cannot
// judge (no NS records, no server reachable, no way to ask), which never WARN.
#include <map>
#include <memory>

#include <gtest/gtest.h>

#include "doctor/record_checks.hpp"
#include "doctor/render.hpp"
#include "doctor/testing/doctor_fixture.hpp"

namespace cqlist::doctor {
namespace {

using namespace testing;

constexpr const char* kDelegation = R"(
cq-test.example NS ns1.cq-test.example.
cq-test.example NS ns2.cq-test.example.
ns1.cq-test.example A 192.0.2.53
ns2.cq-test.example A 198.51.100.53
)";

constexpr const char* kCurrent = R"(
cq-test.example SOA ns1.cq-test.example. hostmaster.cq-test.example. 2026112901
cq-test.example TXT "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ~all"
cq-test.example TXT "google-site-verification=abc123"
_dmarc.cq-test.example TXT "v=DMARC1; p=none"
cq2026._domainkey.cq-test.example TXT "v=DKIM1; k=rsa; p=MIIB"
)";

// The zone before ip6: was added, as a secondary that missed the transfer still has it.
constexpr const char* kOld = R"(
cq-test.example SOA ns1.cq-test.example. hostmaster.cq-test.example. 2026010101
cq-test.example TXT "v=spf1 ip4:192.0.2.25 ~all"
_dmarc.cq-test.example TXT "v=DMARC1; p=none"
cq2026._domainkey.cq-test.example TXT "v=DKIM1; k=rsa; p=MIIB"
)";

// Hands out a fresh copy of the zone each address serves; an address without one refuses.
NameServerResolverFactory servers(std::map<std::string, std::string> zones) {
  auto resolvers = std::make_shared<std::map<std::string, dns::StaticResolver>>();
  for (const auto& [address, text] : zones) {
    resolvers->emplace(address, zone(text));
  }
  return [resolvers](const IpAddress& address) -> Result<std::unique_ptr<dns::Resolver>> {
    auto found = resolvers->find(address.to_string());
    if (found == resolvers->end()) {
      return fail(Errc::io, "connection refused");
    }
    return std::unique_ptr<dns::Resolver>(std::make_unique<dns::StaticResolver>(found->second));
  };
}

DoctorInput input_with(NameServerResolverFactory factory) {
  DoctorInput input = founding_input();
  input.dkim_keys.push_back({"cq2026", "cq2026.pem", test_rsa_key()});
  input.name_server_resolver = std::move(factory);
  return input;
}

std::vector<std::string> summary(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) {
    out.push_back(std::string(severity_name(f.severity)) + " " + f.subject + " " + f.title.en);
  }
  return out;
}

TEST(DoctorNameServers, SecondaryWithTheOldSpfRecordWarnsWithTheExactAdvice) {
  dns::StaticResolver resolver = zone(kDelegation);
  DoctorInput input = input_with(servers({{"192.0.2.53", kCurrent}, {"198.51.100.53", kOld}}));
  auto findings = check_name_servers(resolver, input);
  ASSERT_EQ(findings.size(), 1u) << ::testing::PrintToString(summary(findings));
  const Finding& f = findings.front();
  EXPECT_EQ(f.severity, Severity::warn);
  EXPECT_EQ(
      render_finding(f, Language::en),
      "[WARN] DNS-04   ns2.cq-test.example (198.51.100.53) serves a different SPF record from "
      "the other name servers  (cq-test.example)\n"
      "  Found    ns2.cq-test.example (198.51.100.53, SOA serial 2026010101): "
      "\"v=spf1 ip4:192.0.2.25 ~all\"\n"
      "           ns1.cq-test.example (192.0.2.53, SOA serial 2026112901): "
      "\"v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ~all\"\n"
      "  Why      Receivers' resolvers ask any one of the zone's name servers and believe its "
      "answer. Until ns2.cq-test.example serves the same SPF record as the others, the receivers "
      "that happen to ask it see a different record from those that ask the others, so the same "
      "mail can pass at one receiver and fail at the next. Usually a secondary server did not "
      "transfer the latest zone from the primary, or the record was edited at only one of two DNS "
      "providers. Its SOA serial 2026010101 is lower than 2026112901 on another server: it has "
      "not loaded the latest version of the zone.\n"
      "  Fix      Make ns2.cq-test.example serve the same records as the others. If it is a "
      "secondary, check that it receives the zone from the primary: the primary must allow zone "
      "transfers to it and notify it, its SOA serial must match the primary's after a change, and "
      "its log says why a transfer failed. If the zone is kept at two DNS providers, make the "
      "same change at both. If it is the other servers that serve the outdated record, correct "
      "those instead.\n"
      "  Verify   dig +norecurse @192.0.2.53 cq-test.example TXT; dig +norecurse @198.51.100.53 "
      "cq-test.example TXT (every server must print the same), then cqlist doctor --only DNS\n");
  EXPECT_EQ(
      render_finding(f, Language::ja),
      "[WARN] DNS-04   ns2.cq-test.example（198.51.100.53）はほかのネームサーバーと異なる "
      "SPF レコードを返しています  (cq-test.example)\n"
      "  現状     ns2.cq-test.example (198.51.100.53, SOA serial 2026010101): "
      "\"v=spf1 ip4:192.0.2.25 ~all\"\n"
      "           ns1.cq-test.example (192.0.2.53, SOA serial 2026112901): "
      "\"v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ~all\"\n"
      "  理由     受信側のリゾルバはゾーンのネームサーバーのどれか一台に問い合わせ、その回答"
      "をそのまま使います。ns2.cq-test.example がほかのサーバーと同じ SPF レコードを返す"
      "ようになるまでは、ns2.cq-test.example に問い合わせた受信側だけが異なるレコードを見る"
      "ため、同じメールがある受信側では通り、別の受信側では失敗することがあります。よくある"
      "原因は、セカンダリサーバーがプライマリから最新のゾーンを転送できていないことや、二つ"
      "の DNS 事業者の一方でだけレコードを変更したことです。このサーバーの SOA シリアル "
      "2026010101 はほかのサーバーの 2026112901 より小さく、最新のゾーンを読み込んでいま"
      "せん。\n"
      "  対処     ns2.cq-test.example がほかのサーバーと同じレコードを返すようにしてください。"
      "セカンダリの場合は、プライマリからゾーンを受け取れているか確認してください。プライマ"
      "リがこのサーバーへのゾーン転送を許可して変更を通知していること、変更後に SOA シリア"
      "ルがプライマリと一致することを確かめ、転送に失敗した理由はこのサーバーのログで確認で"
      "きます。ゾーンを二つの DNS 事業者で管理している場合は、両方で同じ変更をしてください。"
      "古いレコードを返しているのがほかのサーバーの方であれば、そちらを直してください。\n"
      "  確認     dig +norecurse @192.0.2.53 cq-test.example TXT; dig +norecurse "
      "@198.51.100.53 cq-test.example TXT（すべてのサーバーが同じ内容を返すこと）、その後 "
      "cqlist doctor --only DNS を実行してください\n");
  EXPECT_EQ(exit_status(findings), 1);
}

TEST(DoctorNameServers, ServersThatAgreePassEvenWhenTheyWalkUpAndSplitStringsDifferently) {
  // lists.cq-test.example has no NS records of its own: its zone is cq-test.example's.
  dns::StaticResolver resolver = zone(kDelegation);
  std::string split = R"(
cq-test.example SOA ns1.cq-test.example. hostmaster.cq-test.example. 2026112901
lists.cq-test.example TXT "v=spf1 ip4:192.0.2.25 " "-all"
_dmarc.lists.cq-test.example TXT "v=DMARC1; p=reject"
)";
  std::string joined = R"(
cq-test.example SOA ns1.cq-test.example. hostmaster.cq-test.example. 2026112901
lists.cq-test.example TXT "v=spf1 ip4:192.0.2.25 -all"
lists.cq-test.example TXT "google-site-verification=abc123"
_dmarc.lists.cq-test.example TXT "v=DMARC1; p=reject"
)";
  DoctorInput input = input_with(servers({{"192.0.2.53", split}, {"198.51.100.53", joined}}));
  input.domain = "lists.cq-test.example";
  auto findings = check_name_servers(resolver, input);
  EXPECT_EQ(summary(findings),
            (std::vector<std::string>{
                "PASS cq-test.example all 2 name servers serve the same SPF, DMARC and DKIM "
                "records"}));
  EXPECT_EQ(findings.front().found,
            (std::vector<std::string>{
                "ns1.cq-test.example (192.0.2.53, SOA serial 2026112901): answered",
                "ns2.cq-test.example (198.51.100.53, SOA serial 2026112901): answered"}));
}

TEST(DoctorNameServers, AServerThatDoesNotAnswerWarnsWhileTheOthersDo) {
  dns::StaticResolver resolver = zone(std::string(kDelegation) + R"(
cq-test.example NS ns3.other.example.
ns3.other.example AAAA 2001:db8:53::3
)");
  DoctorInput input = input_with(servers({{"192.0.2.53", kCurrent},
                                          {"198.51.100.53", kCurrent},
                                          {"2001:db8:53::3", "cq-test.example TIMEOUT"}}));
  auto findings = check_name_servers(resolver, input);
  EXPECT_EQ(summary(findings),
            (std::vector<std::string>{
                "WARN cq-test.example name server ns3.other.example did not answer"}));
  const Finding& f = findings.front();
  EXPECT_EQ(f.found, (std::vector<std::string>{
                         "ns3.other.example (2001:db8:53::3): did not answer (timeout)",
                         "ns1.cq-test.example (192.0.2.53, SOA serial 2026112901): answered",
                         "ns2.cq-test.example (198.51.100.53, SOA serial 2026112901): answered"}));
  EXPECT_EQ(f.verify.en,
            "dig +norecurse @2001:db8:53::3 cq-test.example SOA (each must answer), then cqlist "
            "doctor --only DNS");
}

TEST(DoctorNameServers, WhatCannotBeCheckedIsNeverAWarning) {
  // No way to ask (the caller wants no network): no finding at all.
  dns::StaticResolver resolver = zone(kDelegation);
  DoctorInput input = input_with({});
  EXPECT_TRUE(check_name_servers(resolver, input).empty());

  // No NS records anywhere up to the top-level domain.
  dns::StaticResolver bare = zone("cq-test.example A 192.0.2.25\n");
  input = input_with(servers({{"192.0.2.53", kCurrent}}));
  auto findings = check_name_servers(bare, input);
  EXPECT_EQ(summary(findings),
            (std::vector<std::string>{"INFO cq-test.example name servers not compared"}));
  EXPECT_EQ(findings.front().found,
            (std::vector<std::string>{"(no NS record at cq-test.example)"}));

  // No server reachable from this host: outgoing DNS may be blocked here.
  input = input_with(servers({}));
  findings = check_name_servers(resolver, input);
  EXPECT_EQ(summary(findings),
            (std::vector<std::string>{"INFO cq-test.example name servers not compared"}));
  EXPECT_EQ(exit_status(findings), 0);
}

}  // namespace
}  // namespace cqlist::doctor
