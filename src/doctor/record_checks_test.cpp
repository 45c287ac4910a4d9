// The record-level checks over the static resolver: each item's INFO/WARN case and its passing
// twin, with the exact advice for some.
#include "doctor/record_checks.hpp"

#include <gtest/gtest.h>

#include "doctor/auth_checks.hpp"
#include "doctor/render.hpp"
#include "doctor/testing/doctor_fixture.hpp"

namespace cqlist::doctor {
namespace {

using namespace testing;

constexpr const char* kSpf =
    "cq-test.example TXT \"v=spf1 ip4:192.0.2.25 ip6:2001:db8::25 ~all\"\n";

DoctorInput with_envelope(const std::string& envelope_domain) {
  DoctorInput input = founding_input();
  input.list = ListFacts{};
  input.list->address = "ham@cq-test.example";
  input.list->envelope_domain = envelope_domain;
  return input;
}

// --- SPF-14 ---------------------------------------------------------------------------------

TEST(DoctorRecords, Type99SpfRecordIsObsoleteWithTheExactAdvice) {
  dns::StaticResolver resolver = zone(std::string(kSpf) + R"(
cq-test.example 600 SPF "v=spf1 ip4:192.0.2.25 -all"
)");
  auto findings = check_spf_records(resolver, founding_input());
  const Finding* f = find_finding(findings, "SPF-14");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_EQ(
      render_finding(*f, Language::en),
      "[INFO] SPF-14   obsolete SPF (type 99) record published  (cq-test.example)\n"
      "  Found    cq-test.example. 600 IN SPF \"v=spf1 ip4:192.0.2.25 -all\"\n"
      "  Why      RFC 7208 §3.1 retired the SPF record type (99): receivers read SPF only from TXT "
      "records, so this record is never used. It does no harm by itself, but it is a second copy "
      "that drifts out of step with the TXT record, and checkers report it.\n"
      "  Fix      Remove the type-99 record in your DNS provider's panel and keep the TXT record.\n"
      "  Remove   cq-test.example. 600 IN SPF \"v=spf1 ip4:192.0.2.25 -all\"\n"
      "  Rule     RFC 7208 §3.1\n");
  EXPECT_EQ(render_finding(*f, Language::ja),
            "[INFO] SPF-14   廃止された SPF 型（タイプ 99）のレコードが公開されています  "
            "(cq-test.example)\n"
            "  現状     cq-test.example. 600 IN SPF \"v=spf1 ip4:192.0.2.25 -all\"\n"
            "  理由     RFC 7208 §3.1 で SPF 専用のレコード型（タイプ 99）は廃止され、受信側は TXT "
            "レコードだけを読みます。このレコードが使われることはありません。それ自体に害はありませ"
            "んが、TXT レコードと内容がずれていく二つ目の写しになり、検査ツールにも指摘されます。\n"
            "  対処     DNS 事業者の管理画面でタイプ 99 のレコードを削除してください。TXT "
            "レコードはそのまま残します。\n"
            "  削除     cq-test.example. 600 IN SPF \"v=spf1 ip4:192.0.2.25 -all\"\n"
            "  根拠     RFC 7208 §3.1\n");
}

TEST(DoctorRecords, NoType99SpfRecordPasses) {
  dns::StaticResolver resolver = zone(kSpf);
  auto findings = check_spf_records(resolver, founding_input());
  ASSERT_NE(find_finding(findings, "SPF-14"), nullptr);
  EXPECT_EQ(find_finding(findings, "SPF-14")->severity, Severity::pass);
}

// --- SPF-15 ---------------------------------------------------------------------------------

TEST(DoctorRecords, MacrosAndExistsAreReportedWhereverTheyAreIncluded) {
  dns::StaticResolver resolver = zone(R"(
cq-test.example TXT "v=spf1 ip4:192.0.2.25 include:_spf.relay.example ~all"
_spf.relay.example TXT "v=spf1 exists:%{i}._ip.relay.example a:%{d}.relay.example -all"
)");
  auto findings = check_spf_records(resolver, founding_input());
  const Finding* f = find_finding(findings, "SPF-15");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_EQ(f->found,
            (std::vector<std::string>{
                "exists:%{i}._ip.relay.example  (in the SPF record of _spf.relay.example)",
                "a:%{d}.relay.example  (in the SPF record of _spf.relay.example)"}));
  EXPECT_EQ(exit_status(findings), 0);
}

TEST(DoctorRecords, StaticSpfRecordHasNoDynamicTerms) {
  dns::StaticResolver resolver = zone(kSpf);
  auto findings = check_spf_records(resolver, founding_input());
  ASSERT_NE(find_finding(findings, "SPF-15"), nullptr);
  EXPECT_EQ(find_finding(findings, "SPF-15")->severity, Severity::pass);
}

// --- DMARC-04 -------------------------------------------------------------------------------

TEST(DoctorRecords, RemovedDmarcTagsAreInfoAndPctBecomesTestingMode) {
  dns::StaticResolver resolver = zone(R"(
_dmarc.cq-test.example 3600 TXT "v=DMARC1; p=quarantine; pct=50; rf=afrf; rua=mailto:d@cq-test.example"
)");
  auto findings = check_dmarc_records(resolver, founding_input());
  const Finding* f = find_finding(findings, "DMARC-04");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  ASSERT_EQ(f->fix.records_add.size(), 1u);
  EXPECT_EQ(f->fix.records_add[0].value(),
            "v=DMARC1; p=quarantine; rua=mailto:d@cq-test.example; t=y");
  EXPECT_EQ(
      render_finding(*f, Language::en),
      "[INFO] DMARC-04 DMARC record uses tags RFC 9989 removed (pct=50, rf=afrf)  "
      "(cq-test.example)\n"
      "  Found    _dmarc.cq-test.example. 3600 IN TXT \"v=DMARC1; p=quarantine; pct=50; rf=afrf; "
      "rua=mailto:d@cq-test.example\"\n"
      "  Why      RFC 9989, which replaces RFC 7489, removed pct=, rf= and ri=; receivers that "
      "follow it ignore them. pct= no longer applies the policy to part of the mail: newer "
      "receivers apply p= to all of it while older ones still sample. To try a stricter policy, "
      "use t=y (testing) instead: receivers then apply one step less than p= to all mail.\n"
      "  Fix      Replace the record with this one (removed tags dropped, t=y in place of "
      "pct=50):\n"
      "             _dmarc.cq-test.example. 3600 IN TXT \"v=DMARC1; p=quarantine; "
      "rua=mailto:d@cq-test.example; t=y\"\n"
      "  Remove   _dmarc.cq-test.example. 3600 IN TXT \"v=DMARC1; p=quarantine; pct=50; rf=afrf; "
      "rua=mailto:d@cq-test.example\"\n"
      "  Rule     RFC 9989 §4.7; RFC 9989 Appendix C\n");
  EXPECT_EQ(f->why.ja,
            "RFC 7489 に代わる RFC 9989 で pct=、rf=、ri= "
            "は廃止され、新しい規格に従う受信側はこれらを無視します。pct= "
            "で一部のメールにだけポリシーを適用することはできなくなり、新しい受信側は p= "
            "をすべてのメールに適用し、古い受信側だけが一部に適用します。より厳しいポリシーを試すと"
            "きは、代わりに t=y（テストモード）を使ってください。受信側はすべてのメールに p= "
            "より一段階ゆるいポリシーを適用します。");
  // DMARC-03 no longer warns about the same tags: INFO keeps the exit status.
  auto dmarc = check_dmarc(resolver, founding_input());
  EXPECT_EQ(find_finding(dmarc, "DMARC-03"), nullptr);
}

TEST(DoctorRecords, DmarcRecordWithoutRemovedTagsPasses) {
  dns::StaticResolver resolver = zone("_dmarc.cq-test.example TXT \"v=DMARC1; p=none\"\n");
  auto findings = check_dmarc_records(resolver, founding_input());
  EXPECT_EQ(find_finding(findings, "DMARC-04")->severity, Severity::pass);
}

// --- DMARC-08 -------------------------------------------------------------------------------

TEST(DoctorRecords, StrictSpfAlignmentWithASubdomainBounceAddressWarns) {
  dns::StaticResolver resolver =
      zone("_dmarc.cq-test.example TXT \"v=DMARC1; p=reject; aspf=s\"\n");
  auto findings = check_dmarc_records(resolver, with_envelope("bounces.cq-test.example"));
  const Finding* f = find_finding(findings, "DMARC-08");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warn);
  EXPECT_EQ(f->fix.records_add.at(0).value(), "v=DMARC1; p=reject");
  EXPECT_EQ(
      render_finding(*f, Language::en),
      "[WARN] DMARC-08 aspf=s: bounces.cq-test.example can never align with cq-test.example  "
      "(cq-test.example)\n"
      "  Found    _dmarc.cq-test.example. 300 IN TXT \"v=DMARC1; p=reject; aspf=s\"\n"
      "           envelope (bounce) domain bounces.cq-test.example, From domain cq-test.example\n"
      "  Why      With aspf=s, DMARC counts SPF only when its domain is exactly the From domain "
      "cq-test.example (RFC 7489 §3.1, RFC 9989 §4.4). bounces.cq-test.example belongs to the same "
      "organization but is not identical, so a passing SPF never helps DMARC: the list's mail "
      "passes DMARC through DKIM alone, and whenever DKIM breaks receivers apply p=reject.\n"
      "  Fix      Either drop aspf=s (relaxed alignment, the default, is enough for most domains) "
      "or give the list a bounce address directly in cq-test.example. The record without aspf=s:\n"
      "             _dmarc.cq-test.example. 300 IN TXT \"v=DMARC1; p=reject\"\n"
      "  Remove   _dmarc.cq-test.example. 300 IN TXT \"v=DMARC1; p=reject; aspf=s\"\n"
      "  Rule     RFC 7489 §3.1; RFC 9989 §4.4\n"
      "  Verify   cqlist doctor --only DMARC (after a DNS change, once the old record's TTL has "
      "passed)\n");
  EXPECT_EQ(exit_status(findings), 1);
}

TEST(DoctorRecords, StrictSpfAlignmentWithTheFromDomainAsEnvelopePasses) {
  dns::StaticResolver resolver =
      zone("_dmarc.cq-test.example TXT \"v=DMARC1; p=reject; aspf=s\"\n");
  auto findings = check_dmarc_records(resolver, with_envelope("cq-test.example"));
  EXPECT_EQ(find_finding(findings, "DMARC-08")->severity, Severity::pass);
}

// --- DMARC-09 -------------------------------------------------------------------------------

TEST(DoctorRecords, WeakerSubdomainPoliciesAreInfo) {
  dns::StaticResolver resolver =
      zone("_dmarc.cq-test.example TXT \"v=DMARC1; p=reject; sp=none; np=quarantine\"\n");
  auto findings = check_dmarc_records(resolver, founding_input());
  const Finding* f = find_finding(findings, "DMARC-09");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_EQ(f->fix.records_add.at(0).value(), "v=DMARC1; p=reject");
  EXPECT_EQ(f->why.ja,
            "sp= は cq-test.example のサブドメインに、np= "
            "はその下の存在しない名前に適用するポリシーです（RFC 9989 §4.7。np= を省略すると sp= "
            "が、sp= を省略すると p= が使われます）。ここがゆるいと、cq-test.example "
            "自体は守られていても、たとえば anything.cq-test.example "
            "を名乗るメールは誰でも送れてしまいます。なりすましをする側は、そうした名前をわざと選び"
            "ます。");
  EXPECT_EQ(exit_status(findings), 0);
}

TEST(DoctorRecords, StricterSubdomainPolicyPasses) {
  dns::StaticResolver resolver =
      zone("_dmarc.cq-test.example TXT \"v=DMARC1; p=quarantine; sp=reject\"\n");
  auto findings = check_dmarc_records(resolver, founding_input());
  EXPECT_EQ(find_finding(findings, "DMARC-09")->severity, Severity::pass);
}

// --- DNS-05 ---------------------------------------------------------------------------------

TEST(DoctorRecords, LongTtlsSayHowLongOldRecordsLive) {
  dns::StaticResolver resolver = zone(R"(
cq-test.example 86400 TXT "v=spf1 ip4:192.0.2.25 ~all"
_dmarc.cq-test.example 300 TXT "v=DMARC1; p=none"
)");
  auto findings = check_ttls(resolver, founding_input());
  const Finding* f = find_finding(findings, "DNS-05");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_EQ(
      render_finding(*f, Language::en),
      "[INFO] DNS-05   a changed record can take up to 1 day to reach receivers  "
      "(cq-test.example)\n"
      "  Found    cq-test.example TXT (SPF): TTL 86400 (1 day)\n"
      "           _dmarc.cq-test.example TXT (DMARC): TTL 300 (5 minutes)\n"
      "  Why      Resolvers keep an answer for its TTL. After you change one of these records, "
      "receivers may see the old record for up to 1 day (TTL 86400), so a fix printed here takes "
      "that long to work everywhere. The TTLs are what your resolver reported; an answer from its "
      "cache shows the time left, so the zone's own value can be higher.\n"
      "  Fix      Before changing a record, lower its TTL to 300 in your DNS provider's panel and "
      "wait 1 day; once the change has settled, raise it again (3600 is common).\n");
}

TEST(DoctorRecords, ShortTtlsPass) {
  dns::StaticResolver resolver = zone(kSpf);
  auto findings = check_ttls(resolver, founding_input());
  EXPECT_EQ(find_finding(findings, "DNS-05")->severity, Severity::pass);
}

// --- TLS-04 ---------------------------------------------------------------------------------

TEST(DoctorRecords, MtaStsIdSyntax) {
  EXPECT_EQ(mta_sts_id("v=STSv1; id=20261129T0900"), "20261129T0900");
  EXPECT_EQ(mta_sts_id("v=STSv1;id=1;"), "1");
  EXPECT_EQ(mta_sts_id("v=STSv1; id=2026-11-29"), std::nullopt);
  EXPECT_EQ(mta_sts_id("v=STSv1; id=" + std::string(33, 'a')), std::nullopt);
  EXPECT_EQ(mta_sts_id("v=STSv1"), std::nullopt);
  EXPECT_EQ(mta_sts_id("id=1; v=STSv1"), std::nullopt);
}

TEST(DoctorRecords, MtaStsAbsentIsInfoAndABadIdWarns) {
  dns::StaticResolver resolver = zone("cq-test.example MX 10 mail.cq-test.example\n");
  auto findings = check_transport_records(resolver, founding_input());
  const Finding* none = find_finding(findings, "TLS-04");
  ASSERT_NE(none, nullptr);
  EXPECT_EQ(none->severity, Severity::info);
  EXPECT_TRUE(none->fix.records_add.empty());
  EXPECT_NE(none->fix.summary.en.find("\"mx: mail.cq-test.example\""), std::string::npos);

  resolver = zone("_mta-sts.cq-test.example TXT \"v=STSv1; id=2026-11-29\"\n");
  findings = check_transport_records(resolver, founding_input());
  EXPECT_EQ(find_finding(findings, "TLS-04")->severity, Severity::warn);
}

TEST(DoctorRecords, ValidMtaStsRecordPasses) {
  dns::StaticResolver resolver = zone("_mta-sts.cq-test.example TXT \"v=STSv1; id=20261129\"\n");
  auto findings = check_transport_records(resolver, founding_input());
  const Finding* f = find_finding(findings, "TLS-04");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::pass);
  EXPECT_EQ(f->title.en, "MTA-STS record is valid (id=20261129); the policy file is not checked");
}

// --- TLS-05 ---------------------------------------------------------------------------------

TEST(DoctorRecords, MissingTlsRptIsInfoWithTheRecordToPaste) {
  dns::StaticResolver resolver = zone(kSpf);
  auto findings = check_transport_records(resolver, founding_input());
  const Finding* f = find_finding(findings, "TLS-05");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_EQ(f->applies, Applies::inbound);
  EXPECT_EQ(f->fix.records_add.at(0).zone_line(),
            "_smtp._tls.cq-test.example. 3600 IN TXT \"v=TLSRPTv1; "
            "rua=mailto:tls-reports@cq-test.example\"");
  // Optional advice stays with its finding, out of the to-do block.
  EXPECT_TRUE(records_to_publish(findings).empty());
  EXPECT_EQ(exit_status(findings), 0);
}

TEST(DoctorRecords, TlsRptRecordPasses) {
  dns::StaticResolver resolver =
      zone("_smtp._tls.cq-test.example TXT \"v=TLSRPTv1; rua=mailto:tls@cq-test.example\"\n");
  auto findings = check_transport_records(resolver, founding_input());
  EXPECT_EQ(find_finding(findings, "TLS-05")->severity, Severity::pass);
}

// --- TLS-06 ---------------------------------------------------------------------------------

TEST(DoctorRecords, TlsaWithoutDnssecIsInfo) {
  dns::StaticResolver resolver = zone(R"(
cq-test.example MX 10 mail.cq-test.example
_25._tcp.mail.cq-test.example TLSA 3 1 1 0a1b2c3d
)");
  auto findings = check_transport_records(resolver, founding_input());
  const Finding* f = find_finding(findings, "TLS-06", "mail.cq-test.example");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_EQ(f->found, (std::vector<std::string>{"_25._tcp.mail.cq-test.example. 300 IN TLSA 3 1 1 "
                                                "0a1b2c3d (insecure)"}));
  EXPECT_EQ(f->title.en, "TLSA record without DNSSEC: senders ignore it");
}

TEST(DoctorRecords, SecureTlsaPasses) {
  dns::StaticResolver resolver = zone(R"(
cq-test.example MX 10 mail.cq-test.example
_25._tcp.mail.cq-test.example TLSA 3 1 1 0a1b2c3d
)");
  resolver.set_security("_25._tcp.mail.cq-test.example", dns::Security::secure);
  auto findings = check_transport_records(resolver, founding_input());
  EXPECT_EQ(find_finding(findings, "TLS-06", "mail.cq-test.example")->severity, Severity::pass);
}

// --- REP-01 ---------------------------------------------------------------------------------

TEST(DoctorRecords, DnsblQueryNames) {
  EXPECT_EQ(dnsbl_query_name(*IpAddress::parse("192.0.2.25"), "zen.spamhaus.org."),
            "25.2.0.192.zen.spamhaus.org");
  EXPECT_EQ(dnsbl_query_name(*IpAddress::parse("2001:db8::25"), "zen.spamhaus.org"),
            "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org");
}

TEST(DoctorRecords, ListedEgressAddressWarns) {
  dns::StaticResolver resolver = zone("25.2.0.192.zen.spamhaus.org A 127.0.0.4\n");
  auto findings = check_reputation(resolver, founding_input());
  const Finding* f = find_finding(findings, "REP-01", "192.0.2.25");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warn);
  EXPECT_EQ(render_finding(*f, Language::en),
            "[WARN] REP-01   192.0.2.25 is listed on zen.spamhaus.org (127.0.0.4)  (192.0.2.25)\n"
            "  Found    25.2.0.192.zen.spamhaus.org. 300 IN A 127.0.0.4\n"
            "  Why      Many receivers refuse or junk mail from addresses on zen.spamhaus.org. "
            "127.0.0.4: XBL: the host looks infected or hijacked.\n"
            "  Fix      Find the cause first (an open relay, a stolen account, an infected "
            "script), or the listing comes back; then look 192.0.2.25 up at "
            "https://check.spamhaus.org/ and follow the removal steps it shows.\n"
            "  Source   Spamhaus DNSBL return codes\n"
            "  Verify   cqlist doctor --only REP (after a DNS change, once the old record's TTL "
            "has passed)\n");
  EXPECT_EQ(render_finding(*f, Language::ja),
            "[WARN] REP-01   192.0.2.25 は zen.spamhaus.org に登録されています（127.0.0.4）  "
            "(192.0.2.25)\n"
            "  現状     25.2.0.192.zen.spamhaus.org. 300 IN A 127.0.0.4\n"
            "  理由     zen.spamhaus.org "
            "に登録されたアドレスからのメールは、多くの受信側で拒否されるか迷惑メールに振り分けられ"
            "ます。127.0.0.4: XBL: ホストが感染しているか乗っ取られているようです。\n"
            "  対処     "
            "まず原因（オープンリレー、盗まれたアカウント、感染したスクリプトなど）を取り除いてくだ"
            "さい。そうしないと再び登録されます。そのうえで https://check.spamhaus.org/ で "
            "192.0.2.25 を調べ、表示される削除手順に従ってください。\n"
            "  出典     Spamhaus DNSBL return codes\n"
            "  確認     cqlist doctor --only REP を実行してください（DNS "
            "を変更した場合は、古いレコードの TTL が過ぎてから）\n");
  EXPECT_EQ(find_finding(findings, "REP-01", "2001:db8::25")->severity, Severity::pass);
  EXPECT_EQ(exit_status(findings), 1);
}

TEST(DoctorRecords, SpamhausErrorCodesAreNeverAListing) {
  dns::StaticResolver resolver = zone(R"(
25.2.0.192.zen.spamhaus.org A 127.255.255.254
5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org A 127.0.0.2
5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org A 127.255.255.255
)");
  auto findings = check_reputation(resolver, founding_input());
  for (const char* ip : {"192.0.2.25", "2001:db8::25"}) {
    const Finding* f = find_finding(findings, "REP-01", ip);
    ASSERT_NE(f, nullptr) << ip;
    EXPECT_EQ(f->severity, Severity::info) << ip;
    EXPECT_EQ(f->title.en, std::string("could not check ") + ip + " against zen.spamhaus.org");
    EXPECT_EQ(f->title.en.find("listed"), std::string::npos);
  }
  EXPECT_EQ(find_finding(findings, "REP-01", "192.0.2.25")->why.ja,
            "127.255.255.x は登録を示す値ではなくエラーコードです。Spamhaus "
            "は、大手の公開リゾルバ（8.8.8.8、1.1.1.1 など）を経由した問い合わせに 127.255.255.254 "
            "を、問い合わせが多すぎるリゾルバに 127.255.255.255 を、ゾーン名の誤りに "
            "127.255.255.252 を返します。192.0.2.25 が登録されているかどうかは分かりません。");
  EXPECT_EQ(exit_status(findings), 0);
}

TEST(DoctorRecords, UnlistedAddressesPassAndTheZonesAreConfigurable) {
  dns::StaticResolver resolver = zone("25.2.0.192.bl.example A 127.0.0.2\n");
  DoctorInput input = founding_input();
  input.dnsbl_zones = {"zen.spamhaus.org", "bl.example"};
  auto findings = check_reputation(resolver, input);
  std::vector<std::string> seen;
  for (const Finding& f : findings) {
    if (f.id == "REP-01") {
      seen.push_back(f.subject + " " + std::string(severity_name(f.severity)) + " " + f.title.en);
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "192.0.2.25 PASS 192.0.2.25 is not listed on zen.spamhaus.org",
                      "192.0.2.25 WARN 192.0.2.25 is listed on bl.example (127.0.0.2)",
                      "2001:db8::25 PASS 2001:db8::25 is not listed on zen.spamhaus.org",
                      "2001:db8::25 PASS 2001:db8::25 is not listed on bl.example"}));
  input.dnsbl_zones.clear();
  EXPECT_EQ(find_finding(check_reputation(resolver, input), "REP-01"), nullptr);
}

// --- REP-02 ---------------------------------------------------------------------------------

TEST(DoctorRecords, PostmasterToolsVerificationMissingIsInfo) {
  dns::StaticResolver resolver = zone(kSpf);
  auto findings = check_reputation(resolver, founding_input());
  const Finding* f = find_finding(findings, "REP-02");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_NE(f->fix.summary.en.find("google-site-verification=CODE"), std::string::npos);
}

TEST(DoctorRecords, PostmasterToolsVerificationPresentPasses) {
  dns::StaticResolver resolver =
      zone(std::string(kSpf) + "cq-test.example TXT \"google-site-verification=abc123\"\n");
  auto findings = check_reputation(resolver, founding_input());
  EXPECT_EQ(find_finding(findings, "REP-02")->severity, Severity::pass);
}

}  // namespace
}  // namespace cqlist::doctor
