#include "doctor/auth_checks.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "auth/crypto/keygen.hpp"
#include "auth/dkim/publish.hpp"
#include "doctor/testing/doctor_fixture.hpp"

namespace cqlist::doctor {
namespace {

using namespace testing;

std::string key_line(const auth::crypto::PrivateKey& key, const std::string& extra = "") {
  const std::string text = auth::dkim::key_record_text(key) + extra;
  return "cq2026._domainkey.cq-test.example TXT " +
         auth::dkim::quote_character_strings(auth::dkim::split_character_strings(text)) + "\n";
}

DoctorInput input_with_key(const auth::crypto::PrivateKey& key) {
  DoctorInput input;
  input.domain = "cq-test.example";
  input.signing_known = true;
  input.dkim_keys = {DkimKey{"cq2026", "/etc/cqlist/cq2026.pem", key}};
  return input;
}

TEST(DoctorDkim, PublishedKeyMatchingTheSigningKeyPasses) {
  auto resolver = zone(key_line(test_rsa_key()));
  auto findings = check_dkim(resolver, input_with_key(test_rsa_key()));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "DKIM-03");
  EXPECT_EQ(findings[0].severity, Severity::pass);
}

TEST(DoctorDkim, MissingRecordFailsWithTheRecordToPublish) {
  dns::StaticResolver resolver;
  auto findings = check_dkim(resolver, input_with_key(test_rsa_key()));
  const Finding* missing = find_finding(findings, "DKIM-02");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->severity, Severity::fail);
  const DnsRecord& record = missing->fix.records_add.at(0);
  EXPECT_EQ(record.name, "cq2026._domainkey.cq-test.example");
  EXPECT_EQ(record.value(), auth::dkim::key_record_text(test_rsa_key()));
  for (const std::string& piece : record.strings) {
    EXPECT_LE(piece.size(), 255u);
  }
  EXPECT_EQ(missing->fix.summary.ja,
            "/etc/cqlist/cq2026.pem の公開鍵をセレクタ cq2026 で公開してください。");
}

TEST(DoctorDkim, RotatedKeyNotPublishedFailsDkim03InBothLanguages) {
  auto resolver = zone(key_line(test_rsa_key(1024)));
  auto findings = check_dkim(resolver, input_with_key(test_rsa_key()));
  const Finding* mismatch = find_finding(findings, "DKIM-03");
  ASSERT_NE(mismatch, nullptr);
  EXPECT_EQ(mismatch->severity, Severity::fail);
  EXPECT_EQ(mismatch->why.en,
            "The public key at cq2026._domainkey.cq-test.example does not belong to "
            "/etc/cqlist/cq2026.pem, so every signature cqlist makes fails (dkim=fail). A "
            "rotated key was probably not published.");
  EXPECT_EQ(mismatch->why.ja,
            "cq2026._domainkey.cq-test.example の公開鍵は /etc/cqlist/cq2026.pem "
            "と対になっていないため、cqlist の署名はすべて失敗します（dkim=fail）。"
            "鍵を更新した後、新しい鍵を公開していない可能性があります。");
  EXPECT_EQ(mismatch->fix.records_remove.size(), 1u);
}

TEST(DoctorDkim, RevokedShortAndTestingKeys) {
  auto revoked = zone("cq2026._domainkey.cq-test.example TXT \"v=DKIM1; k=rsa; p=\"\n");
  EXPECT_EQ(find_finding(check_dkim(revoked, input_with_key(test_rsa_key())), "DKIM-02")->severity,
            Severity::fail);
  auto short_key = zone(key_line(test_rsa_key(1024)));
  EXPECT_EQ(
      find_finding(check_dkim(short_key, input_with_key(test_rsa_key(1024))), "DKIM-04")->severity,
      Severity::warn);
  auto testing = zone(key_line(test_rsa_key(), "; t=y"));
  EXPECT_EQ(find_finding(check_dkim(testing, input_with_key(test_rsa_key())), "DKIM-07")->severity,
            Severity::warn);
  auto ed = *auth::crypto::generate_private_key(auth::crypto::KeyType::ed25519);
  auto ed_zone = zone(key_line(ed));
  auto findings = check_dkim(ed_zone, input_with_key(ed));
  EXPECT_EQ(find_finding(findings, "DKIM-03")->severity, Severity::pass);
  EXPECT_EQ(find_finding(findings, "DKIM-06")->severity, Severity::warn);
}

TEST(DoctorDkim, NoKeyFailsForAListAndWarnsForABareDomain) {
  dns::StaticResolver resolver;
  DoctorInput input;
  input.domain = "cq-test.example";
  input.signing_known = true;
  auto findings = check_dkim(resolver, input);
  EXPECT_EQ(findings.at(0).id, "DKIM-01");
  EXPECT_EQ(findings.at(0).severity, Severity::fail);
  EXPECT_EQ(findings.at(0).fix.commands.at(1),
            "cqlist list set LIST@cq-test.example dkim_selector_rsa=cqlist "
            "dkim_key_rsa=/var/lib/cqlist/dkim/cqlist.pem");
  input.signing_known = false;
  EXPECT_EQ(check_dkim(resolver, input).at(0).severity, Severity::warn);
}

TEST(DoctorDmarc, MissingRecordWarnsWithTheRecordAndAnExistingOnePasses) {
  dns::StaticResolver empty = zone("cq-test.example A 192.0.2.25\n");
  auto findings = check_dmarc(empty, input_with_key(test_rsa_key()));
  const Finding* missing = find_finding(findings, "DMARC-01");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->severity, Severity::warn);
  EXPECT_EQ(missing->fix.records_add.at(0).zone_line(),
            "_dmarc.cq-test.example. 3600 IN TXT \"v=DMARC1; p=none; "
            "rua=mailto:dmarc-reports@cq-test.example\"");
  EXPECT_EQ(missing->why.ja,
            "Gmail、Yahoo、Microsoft は大量送信者に DMARC レコードを求めており（Gmail "
            "5.7.40）、p=none で足ります。あなたのドメインを名乗って誰が送っているかの"
            "レポートも受け取れるようになります。");
  EXPECT_EQ(find_finding(findings, "DMARC-07")->severity, Severity::pass);

  auto published = zone("_dmarc.cq-test.example TXT \"v=DMARC1; p=quarantine\"\n");
  findings = check_dmarc(published, input_with_key(test_rsa_key()));
  EXPECT_EQ(find_finding(findings, "DMARC-01")->severity, Severity::pass);
  EXPECT_EQ(find_finding(findings, "DMARC-10"), nullptr);
  EXPECT_EQ(find_finding(findings, "DMARC-03"), nullptr);
  EXPECT_EQ(find_finding(findings, "DMARC-05")->severity, Severity::info);  // no rua
  auto reported =
      zone("_dmarc.cq-test.example TXT \"v=DMARC1; p=none; rua=mailto:d@cq-test.example\"\n");
  EXPECT_EQ(find_finding(check_dmarc(reported, input_with_key(test_rsa_key())), "DMARC-05"),
            nullptr);
}

TEST(DoctorDmarc, ReportsToAnotherDomainNeedItsAuthorization) {
  const std::string record =
      "_dmarc.cq-test.example TXT \"v=DMARC1; p=none; rua=mailto:d@reports.example\"\n";
  auto unauthorized = zone(record);
  auto findings = check_dmarc(unauthorized, input_with_key(test_rsa_key()));
  const Finding* f = find_finding(findings, "DMARC-06");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warn);
  EXPECT_EQ(f->fix.records_add.at(0).zone_line(),
            "cq-test.example._report._dmarc.reports.example. 3600 IN TXT \"v=DMARC1\"");
  auto authorized =
      zone(record + "cq-test.example._report._dmarc.reports.example TXT \"v=DMARC1\"\n");
  EXPECT_EQ(find_finding(check_dmarc(authorized, input_with_key(test_rsa_key())), "DMARC-06"),
            nullptr);
}

TEST(DoctorDmarc, TwoRecordsFailAndMissingPolicyWarns) {
  auto two = zone(R"(_dmarc.cq-test.example TXT "v=DMARC1; p=none"
_dmarc.cq-test.example TXT "v=DMARC1; p=reject"
)");
  EXPECT_EQ(find_finding(check_dmarc(two, input_with_key(test_rsa_key())), "DMARC-02")->severity,
            Severity::fail);
  auto no_p = zone("_dmarc.cq-test.example TXT \"v=DMARC1; rua=mailto:d@cq-test.example\"\n");
  auto findings = check_dmarc(no_p, input_with_key(test_rsa_key()));
  EXPECT_EQ(find_finding(findings, "DMARC-03")->severity, Severity::warn);
  EXPECT_EQ(find_finding(findings, "DMARC-10")->severity, Severity::info);
}

TEST(DoctorDmarc, NothingAlignsWhenTheListUsesAForeignEnvelopeAndNoKey) {
  dns::StaticResolver resolver;
  DoctorInput input;
  input.domain = "cq-test.example";
  input.list = ListFacts{};
  input.list->envelope_domain = "bounces.other.example";
  EXPECT_EQ(find_finding(check_dmarc(resolver, input), "DMARC-07")->severity, Severity::fail);
}

TEST(DoctorDns, NullMxAndNonexistentDomainFail) {
  auto null_mx = zone("cq-test.example MX 0 .\n");
  auto findings = check_dns(null_mx, input_with_key(test_rsa_key()));
  ASSERT_NE(find_finding(findings, "DNS-02"), nullptr);
  EXPECT_EQ(find_finding(findings, "DNS-02")->severity, Severity::fail);
  dns::StaticResolver nothing = zone("other.example A 192.0.2.1\n");
  EXPECT_EQ(find_finding(check_dns(nothing, input_with_key(test_rsa_key())), "DNS-01")->severity,
            Severity::fail);
  auto fine = zone("cq-test.example MX 10 mail.cq-test.example\n");
  findings = check_dns(fine, input_with_key(test_rsa_key()));
  EXPECT_EQ(find_finding(findings, "DNS-02"), nullptr);
  EXPECT_EQ(find_finding(findings, "DNS-03")->severity, Severity::info);  // unsigned zone
}

TEST(DoctorDns, BogusDnssecFails) {
  auto resolver = zone("cq-test.example MX 10 mail.cq-test.example\n");
  resolver.set_security("cq-test.example", dns::Security::bogus);
  auto findings = check_dns(resolver, input_with_key(test_rsa_key()));
  EXPECT_EQ(find_finding(findings, "DNS-03")->severity, Severity::fail);
}

TEST(DoctorList, KeepingFromWhileTaggingFailsForGmailPostersInBothLanguages) {
  auto resolver = zone(R"(_dmarc.gmail.com TXT "v=DMARC1; p=none; sp=quarantine"
_dmarc.none.example TXT "v=DMARC1; p=none"
)");
  DoctorInput input;
  input.domain = "cq-test.example";
  input.list = ham_list();
  auto findings = check_list(resolver, input);
  const Finding* from = find_finding(findings, "LIST-01");
  ASSERT_NE(from, nullptr);
  EXPECT_EQ(from->severity, Severity::fail);
  EXPECT_EQ(from->why.en,
            "The subject tag and footer break the poster's DKIM signature, and the list's own "
            "SPF and DKIM do not align with the poster's domain, so mail from gmail.com arrives "
            "with dmarc=fail and is quarantined or rejected (Gmail 5.7.26 \"domain's DMARC "
            "policy\").");
  EXPECT_EQ(from->why.ja,
            "件名タグやフッターで投稿者の DKIM 署名が壊れ、リスト自身の SPF と DKIM "
            "も投稿者のドメインとは揃わないため、gmail.com からの投稿は dmarc=fail "
            "となり、迷惑メール扱いや拒否になります（Gmail 5.7.26「domain's DMARC policy」）。");
  EXPECT_EQ(from->fix.commands.at(0),
            "cqlist list set ham@cq-test.example from_rewrite=when_needed");
  EXPECT_EQ(find_finding(findings, "LIST-05")->severity,
            Severity::info);  // 1,200/day: far from bulk

  input.list->from_rewrite = "when_needed";
  input.list->one_click = true;
  findings = check_list(resolver, input);
  EXPECT_EQ(find_finding(findings, "LIST-01")->severity, Severity::pass);
  EXPECT_EQ(find_finding(findings, "LIST-05"), nullptr);
}

TEST(DoctorList, ForeignEnvelopeFailsList03) {
  dns::StaticResolver resolver;
  DoctorInput input;
  input.domain = "cq-test.example";
  input.list = ham_list();
  input.list->from_rewrite = "always";
  input.list->envelope_domain = "gmail.com";
  EXPECT_EQ(find_finding(check_list(resolver, input), "LIST-03")->severity, Severity::fail);
}

TEST(DoctorVolume, GmailVolumeWarnsNearTheBulkThreshold) {
  DoctorInput input;
  input.domain = "cq-test.example";
  input.list = ham_list();
  auto findings = check_volume(input);
  EXPECT_EQ(find_finding(findings, "VOL-01")->severity, Severity::info);
  EXPECT_EQ(find_finding(findings, "VOL-01")->title.en, "about 1200 messages a day to Gmail");
  input.list->posts_per_day = 40;  // 4,800 a day
  findings = check_volume(input);
  EXPECT_EQ(find_finding(findings, "VOL-01")->severity, Severity::warn);
  EXPECT_EQ(find_finding(findings, "VOL-01")->title.ja, "Gmail 宛ては 1 日あたり約 4800 通です");
  EXPECT_EQ(find_finding(findings, "VOL-02")->severity, Severity::info);
  dns::StaticResolver resolver;
  EXPECT_EQ(find_finding(check_list(resolver, input), "LIST-05")->severity, Severity::warn);
}

}  // namespace
}  // namespace cqlist::doctor
