#include "doctor/spf_checks.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "doctor/render.hpp"
#include "doctor/testing/doctor_fixture.hpp"

namespace cqlist::doctor {
namespace {

using namespace testing;

TEST(DoctorSpf, SelfIncludeIsALoopThatAuthorizesNothingWithTheExactAdvice) {
  dns::StaticResolver resolver = zone(R"(
cq-test.example 600 TXT "v=spf1 include:cq-test.example ~all"
)");
  auto findings = check_spf(resolver, founding_input());
  const Finding* loop = find_finding(findings, "SPF-05");
  ASSERT_NE(loop, nullptr);
  EXPECT_EQ(loop->severity, Severity::fail);
  ASSERT_EQ(loop->fix.records_add.size(), 1u);
  EXPECT_EQ(loop->fix.records_add[0].zone_line(),
            "cq-test.example. 600 IN TXT \"v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ~all\"");
  EXPECT_EQ(render_finding(*loop, Language::en),
            "[FAIL] SPF-05   include loop  (cq-test.example)\n"
            "  Found    cq-test.example. 600 IN TXT \"v=spf1 include:cq-test.example ~all\"\n"
            "  Why      'include:cq-test.example' points back to a record already being "
            "evaluated (loop: cq-test.example -> cq-test.example). Evaluation can only end in "
            "permerror (RFC 7208 §4.6.4), which receivers treat as \"SPF did not pass\" (Gmail "
            "5.7.26); the include authorizes no address at all.\n"
            "  Fix      Replace the SPF record of cq-test.example with this one (exactly one TXT "
            "record starting with v=spf1):\n"
            "             cq-test.example. 600 IN TXT \"v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 "
            "~all\"\n"
            "           DNS lookups after the fix: 0 of 10.\n"
            "  Remove   cq-test.example. 600 IN TXT \"v=spf1 include:cq-test.example ~all\"\n"
            "  Rule     RFC 7208 §4.6.4 (limit -> permerror); RFC 7208 §5.2 (include)\n"
            "  Source   Gmail 5.7.26 / 4.7.27\n"
            "  Verify   cqlist doctor --only SPF (after a DNS change, once the old record's TTL "
            "has passed)\n");
  const std::string ja = render_finding(*loop, Language::ja);
  EXPECT_NE(ja.find("[FAIL] SPF-05   include がループしています  (cq-test.example)\n"),
            std::string::npos)
      << ja;
  EXPECT_NE(ja.find("  理由     'include:cq-test.example' は評価中のレコード自身を指しています"
                    "（loop: cq-test.example -> cq-test.example）。評価は必ず permerror "
                    "で終わり（RFC 7208 §4.6.4）、受信側は「SPF "
                    "が通らなかった」として扱います（Gmail の 5.7.26 など）。この include "
                    "はどのアドレスも許可していません。\n"),
            std::string::npos)
      << ja;
  EXPECT_NE(ja.find("  対処     cq-test.example の SPF レコードを次の一つに置き換えてください"
                    "（v=spf1 で始まる TXT レコードは必ず一つだけにします）。\n"),
            std::string::npos);
  EXPECT_NE(ja.find("修正後の DNS 参照回数: 10 回中 0 回です。"), std::string::npos);
  // Both egress addresses fail: the loop is a permerror for every address.
  ASSERT_NE(find_finding(findings, "SPF-07", "192.0.2.25"), nullptr);
  EXPECT_EQ(find_finding(findings, "SPF-07", "192.0.2.25")->severity, Severity::fail);
  EXPECT_NE(find_finding(findings, "SPF-07", "192.0.2.25")->found.back().find("spf=permerror"),
            std::string::npos);
  EXPECT_EQ(find_finding(findings, "SPF-08", "2001:db8::25")->severity, Severity::fail);
}

TEST(DoctorSpf, Ip4OnlyRecordFailsForTheIpv6EgressAndKeepsTheWorkingInclude) {
  dns::StaticResolver resolver = zone(R"(
cq-test.example TXT "v=spf1 ip4:192.0.2.25 include:_spf.relay.example ~all"
_spf.relay.example TXT "v=spf1 ip4:198.51.100.0/24 -all"
)");
  auto findings = check_spf(resolver, founding_input());
  EXPECT_EQ(find_finding(findings, "SPF-07", "192.0.2.25")->severity, Severity::pass);
  const Finding* v6 = find_finding(findings, "SPF-08", "2001:db8::25");
  ASSERT_NE(v6, nullptr);
  EXPECT_EQ(v6->severity, Severity::fail);
  EXPECT_NE(v6->why.en.find("gets spf=softfail"), std::string::npos) << v6->why.en;
  EXPECT_NE(v6->why.en.find("Postfix reaches Gmail over IPv6 whenever it can"), std::string::npos);
  EXPECT_NE(v6->why.ja.find("Postfix は使える限り IPv6 で Gmail に接続する"), std::string::npos);
  EXPECT_NE(v6->trace.find("decided by '~all'"), std::string::npos) << v6->trace;
  EXPECT_EQ(v6->fix.records_add.at(0).value(),
            "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 include:_spf.relay.example ~all");
  EXPECT_EQ(v6->fix.note.en, "DNS lookups after the fix: 1 of 10.");
  // The include authorizes neither address: worth knowing, not an error.
  const Finding* unused = find_finding(findings, "SPF-13");
  ASSERT_NE(unused, nullptr);
  EXPECT_EQ(unused->severity, Severity::info);
}

TEST(DoctorSpf, RecordCoveringBothFamiliesPasses) {
  dns::StaticResolver resolver = zone(R"(
cq-test.example TXT "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ~all"
)");
  auto findings = check_spf(resolver, founding_input());
  for (const Finding& f : findings) {
    EXPECT_EQ(f.severity, Severity::pass) << f.id << " " << f.subject;
  }
  ASSERT_NE(find_finding(findings, "SPF-01"), nullptr);
  EXPECT_EQ(find_finding(findings, "SPF-01")->why.en,
            "The record is valid and needs 0 of the 10 DNS lookups allowed.");
  EXPECT_EQ(find_finding(findings, "SPF-01")->why.ja,
            "レコードは正しく、DNS 参照回数は上限 10 回のうち 0 回です。");
}

TEST(DoctorSpf, MissingAndDuplicateRecordsFailSpf01) {
  dns::StaticResolver none = zone("cq-test.example A 192.0.2.25\n");
  auto findings = check_spf(none, founding_input());
  const Finding* missing = find_finding(findings, "SPF-01");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->severity, Severity::fail);
  EXPECT_EQ(missing->fix.records_add.at(0).value(), "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ~all");
  EXPECT_NE(missing->fix.summary.en.find("Publish this SPF record"), std::string::npos);

  dns::StaticResolver two = zone(R"(
cq-test.example TXT "v=spf1 ip4:192.0.2.25 -all"
cq-test.example TXT "v=spf1 ip6:2001:db8::25 -all"
)");
  findings = check_spf(two, founding_input());
  const Finding* many = find_finding(findings, "SPF-01");
  ASSERT_NE(many, nullptr);
  EXPECT_EQ(many->severity, Severity::fail);
  EXPECT_EQ(many->fix.records_remove.size(), 2u);
  // Merged, keeping the operator's -all.
  EXPECT_EQ(many->fix.records_add.at(0).value(), "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 -all");
}

TEST(DoctorSpf, SyntaxErrorFailsSpf02) {
  dns::StaticResolver resolver =
      zone(R"(cq-test.example TXT "v=spf1 ip4:192.0.2.25 bogus:x ~all")");
  auto findings = check_spf(resolver, founding_input());
  const Finding* syntax = find_finding(findings, "SPF-02");
  ASSERT_NE(syntax, nullptr);
  EXPECT_EQ(syntax->severity, Severity::fail);
  EXPECT_NE(syntax->why.en.find("unknown mechanism"), std::string::npos) << syntax->why.en;
}

TEST(DoctorSpf, LookupLimitsAndDeadIncludes) {
  std::string text = "cq-test.example TXT \"v=spf1 ip4:192.0.2.25 ip6:2001:db8::25";
  std::string more;
  for (int i = 0; i < 11; ++i) {
    text += " a:h" + std::to_string(i) + ".cq-test.example";
    more += "h" + std::to_string(i) + ".cq-test.example A 198.51.100.1\n";
  }
  dns::StaticResolver resolver = zone(text + " ~all\"\n" + more);
  auto findings = check_spf(resolver, founding_input());
  const Finding* limit = find_finding(findings, "SPF-03");
  ASSERT_NE(limit, nullptr);
  EXPECT_EQ(limit->severity, Severity::fail);
  EXPECT_EQ(limit->title.en, "11 DNS lookups (limit 10)");

  dns::StaticResolver eight = zone(R"(
cq-test.example TXT "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 include:a.example include:b.example ~all"
a.example TXT "v=spf1 a:1.a.example a:2.a.example a:3.a.example -all"
b.example TXT "v=spf1 a:1.b.example a:2.b.example a:3.b.example -all"
)");
  findings = check_spf(eight, founding_input());
  ASSERT_NE(find_finding(findings, "SPF-03"), nullptr);
  EXPECT_EQ(find_finding(findings, "SPF-03")->severity, Severity::warn);
  EXPECT_NE(find_finding(findings, "SPF-03")->found.back().find("include:b.example"),
            std::string::npos);
  EXPECT_NE(find_finding(findings, "SPF-03")->found.back().find(" 4 lookups"), std::string::npos);

  dns::StaticResolver dead = zone(R"(
cq-test.example TXT "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 include:gone.example include:gone2.example include:gone3.example ~all"
)");
  findings = check_spf(dead, founding_input());
  ASSERT_NE(find_finding(findings, "SPF-06"), nullptr);
  EXPECT_EQ(find_finding(findings, "SPF-06")->severity, Severity::fail);
  ASSERT_NE(find_finding(findings, "SPF-04"), nullptr);
  // The proposal drops the dead includes.
  EXPECT_EQ(find_finding(findings, "SPF-06")->fix.records_add.at(0).value(),
            "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ~all");
}

TEST(DoctorSpf, QualifiersPtrWideRangesAndTermsAfterAll) {
  dns::StaticResolver open = zone(R"(cq-test.example TXT "v=spf1 +all")");
  auto findings = check_spf(open, founding_input());
  ASSERT_NE(find_finding(findings, "SPF-09"), nullptr);
  EXPECT_EQ(find_finding(findings, "SPF-09")->severity, Severity::fail);
  EXPECT_EQ(find_finding(findings, "SPF-09")->fix.records_add.at(0).value(),
            "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ~all");

  dns::StaticResolver neutral = zone(
      R"(cq-test.example TXT "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ptr ip4:0.0.0.0/1 ?all a")");
  findings = check_spf(neutral, founding_input());
  EXPECT_EQ(find_finding(findings, "SPF-09")->severity, Severity::warn);
  EXPECT_EQ(find_finding(findings, "SPF-10")->severity, Severity::warn);
  EXPECT_EQ(find_finding(findings, "SPF-16")->severity, Severity::warn);
  EXPECT_EQ(find_finding(findings, "SPF-11")->severity, Severity::warn);
  EXPECT_EQ(find_finding(findings, "SPF-10")->fix.records_add.at(0).value(),
            "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ip4:0.0.0.0/1 ~all");
}

TEST(DoctorSpf, OversizedRecordWarns) {
  std::string terms;
  for (int i = 0; i < 30; ++i) {
    terms += " ip4:198.51.100." + std::to_string(i);
  }
  dns::StaticResolver resolver = zone(
      "cq-test.example TXT \"v=spf1 ip4:192.0.2.25 "
      "ip6:2001:db8::25 \" \"" +
      terms.substr(1) + " ~all\"\n");
  auto findings = check_spf(resolver, founding_input());
  ASSERT_NE(find_finding(findings, "SPF-12"), nullptr);
  EXPECT_EQ(find_finding(findings, "SPF-12")->severity, Severity::warn);
  EXPECT_EQ(find_finding(findings, "SPF-07")->severity, Severity::pass);
}

TEST(DoctorSpf, SenderIdLeftoverIsInfoToRemove) {
  dns::StaticResolver resolver = zone(R"(
cq-test.example TXT "v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ~all"
cq-test.example TXT "spf2.0/pra ip4:192.0.2.25 ~all"
)");
  auto findings = check_spf(resolver, founding_input());
  const Finding* old = find_finding(findings, "SPF-17");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->severity, Severity::info);
  EXPECT_EQ(old->fix.records_remove.at(0).value(), "spf2.0/pra ip4:192.0.2.25 ~all");
  EXPECT_EQ(find_finding(findings, "SPF-01")->severity, Severity::pass);
}

TEST(DoctorSpf, RelayhostSkipsThePerAddressVerdict) {
  dns::StaticResolver resolver =
      zone(R"(cq-test.example TXT "v=spf1 include:_spf.relay.example ~all"
_spf.relay.example TXT "v=spf1 ip4:198.51.100.0/24 -all"
)");
  DoctorInput input = founding_input();
  input.postfix = PostfixSettings{};
  input.postfix->relayhost = "[smtp.relay.example]:587";
  auto findings = check_spf(resolver, input);
  EXPECT_EQ(find_finding(findings, "SPF-07"), nullptr);
  EXPECT_EQ(find_finding(findings, "SPF-01")->severity, Severity::pass);
}

}  // namespace
}  // namespace cqlist::doctor
