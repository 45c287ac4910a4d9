#include "doctor/selftest_checks.hpp"

#include <gtest/gtest.h>

#include "auth/dkim/publish.hpp"
#include "auth/dkim/sign.hpp"
#include "doctor/auth_checks.hpp"
#include "doctor/testing/doctor_fixture.hpp"
#include "mail/message.hpp"

namespace cqlist::doctor {
namespace {

using namespace testing;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1780000000));

std::string key_line(const auth::crypto::PrivateKey& key, const std::string& extra = "") {
  const std::string text = auth::dkim::key_record_text(key) + extra;
  return "cq2026._domainkey.cq-test.example TXT " +
         auth::dkim::quote_character_strings(auth::dkim::split_character_strings(text)) + "\n";
}

// A decorated list post as delivery hands it over, before signing.
constexpr const char* kCopy =
    "From: \"Taro via ham\" <ham@cq-test.example>\r\n"
    "Reply-To: taro@example.org\r\n"
    "To: ham@cq-test.example\r\n"
    "Subject: [ham:00042] self-test\r\n"
    "Date: Sun, 29 Nov 2026 09:00:00 +0900\r\n"
    "Message-ID: <self-test.1@example.org>\r\n"
    "List-Id: <ham.cq-test.example>\r\n"
    "List-Unsubscribe: <https://lists.cq-test.example/u/abc>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    "\r\n"
    "Hello.\r\n"
    "-- \r\n"
    "73 de JA1CQ\r\n";

// The copy signed by `config` (cqlist's defaults unless changed), as the self-test makes it.
std::string signed_copy(auth::dkim::SignerConfig config = {}) {
  config.domain = "cq-test.example";
  config.keys = {{"cq2026", test_rsa_key()}};
  auto signer = auth::dkim::Signer::create(std::move(config));
  EXPECT_TRUE(signer.has_value());
  mail::Message message = mail::Message::parse(kCopy);
  EXPECT_TRUE(signer->sign_in_place(message, kNow).has_value());
  return message.serialize();
}

DoctorInput selftest_input(std::string copy) {
  DoctorInput input;
  input.domain = "cq-test.example";
  input.signing_known = true;
  input.dkim_keys = {DkimKey{"cq2026", "/etc/cqlist/cq2026.pem", test_rsa_key()}};
  input.self_test = SelfTestSample{kCopy, std::move(copy), ""};
  return input;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(DoctorSelfTest, CqlistsOwnSignatureVerifiesAndCoversEveryImportantField) {
  auto resolver = zone(key_line(test_rsa_key()));
  auto findings = check_dkim_selftest(resolver, selftest_input(signed_copy()), kNow);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].id, "DKIM-09");
  EXPECT_EQ(findings[0].severity, Severity::pass);
  EXPECT_EQ(findings[1].id, "DKIM-12");
  EXPECT_EQ(findings[1].severity, Severity::pass);
  EXPECT_EQ(findings[1].subject, "cq2026._domainkey.cq-test.example");
  EXPECT_EQ(findings[1].title.en, "the self-test signature verifies against live DNS");
  EXPECT_EQ(exit_status(findings), 0);
}

TEST(DoctorSelfTest, PublishedKeyThatIsNotTheSigningKeyFailsDkim12InBothLanguages) {
  auto resolver = zone(key_line(test_rsa_key(1024)));
  auto findings = check_dkim_selftest(resolver, selftest_input(signed_copy()), kNow);
  const Finding* f = find_finding(findings, "DKIM-12");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::fail);
  EXPECT_EQ(f->found.at(0),
            "DKIM-Signature a=rsa-sha256 d=cq-test.example s=cq2026: dkim=fail (signature "
            "mismatch)");
  EXPECT_EQ(f->why.en,
            "A sample post, decorated and signed as delivery does it, was verified with the key "
            "published in DNS: dkim=fail (signature mismatch). Receivers get the same answer for "
            "every copy the list sends, so its mail counts as unsigned and fails DMARC unless "
            "SPF aligns (Gmail 5.7.26 / 5.7.30).");
  EXPECT_EQ(f->fix.summary.ja,
            "cq2026._domainkey.cq-test.example の鍵は cqlist "
            "が署名に使う鍵ではありません（鍵を更新した後、公開していないのでは）。古いレコード"
            "を下のレコードに置き換えてください。");
  ASSERT_EQ(f->fix.records_add.size(), 1u);
  EXPECT_EQ(f->fix.records_add[0].value(), auth::dkim::key_record_text(test_rsa_key()));
  EXPECT_EQ(exit_status(findings), 2);
}

TEST(DoctorSelfTest, MissingKeyRecordFailsDkim12WithTheVerifiersReason) {
  dns::StaticResolver resolver;
  auto findings = check_dkim_selftest(resolver, selftest_input(signed_copy()), kNow);
  const Finding* f = find_finding(findings, "DKIM-12");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::fail);
  EXPECT_NE(f->found.at(0).find("dkim=permerror (key not found)"), std::string::npos)
      << f->found.at(0);
  EXPECT_EQ(f->fix.summary.en,
            "No usable key is published at cq2026._domainkey.cq-test.example. Publish the record "
            "below:");
  EXPECT_EQ(f->fix.records_add.at(0).value(), auth::dkim::key_record_text(test_rsa_key()));
}

TEST(DoctorSelfTest, ACopyThatCouldNotBeSignedFailsAndNoSampleMeansNoFinding) {
  dns::StaticResolver resolver;
  DoctorInput input = selftest_input("");
  input.self_test->error = "signing with cq2026 (/etc/cqlist/cq2026.pem): key too short";
  auto findings = check_dkim_selftest(resolver, input, kNow);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "DKIM-12");
  EXPECT_EQ(findings[0].severity, Severity::fail);
  EXPECT_EQ(findings[0].title.ja, "自己テストで見本の投稿に署名できませんでした");
  input.self_test.reset();
  EXPECT_TRUE(check_dkim_selftest(resolver, input, kNow).empty());
}

TEST(DoctorSelfTest, RsaSha1FailsDkim05) {
  auto resolver = zone(key_line(test_rsa_key()));
  const std::string sha1 = replaced(signed_copy(), "a=rsa-sha256", "a=rsa-sha1");
  auto findings = check_dkim_selftest(resolver, selftest_input(sha1), kNow);
  const Finding* f = find_finding(findings, "DKIM-05");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::fail);
  EXPECT_EQ(f->why.en,
            "RFC 8301 forbids rsa-sha1: receivers treat such a signature as if the mail were "
            "unsigned (dkim=permerror), and Gmail then rejects it when SPF does not pass either "
            "(5.7.26).");
  EXPECT_EQ(find_finding(findings, "DKIM-12")->severity, Severity::fail);
  EXPECT_EQ(
      find_finding(check_dkim_selftest(resolver, selftest_input(signed_copy()), kNow), "DKIM-05"),
      nullptr);
}

TEST(DoctorSelfTest, StrictKeyWithSubdomainIdentityWarnsDkim08) {
  auth::dkim::SignerConfig config;
  config.identity = "@lists.cq-test.example";
  auto strict = zone(key_line(test_rsa_key(), "; t=s"));
  auto findings = check_dkim_selftest(strict, selftest_input(signed_copy(config)), kNow);
  const Finding* f = find_finding(findings, "DKIM-08");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warn);
  EXPECT_EQ(f->why.ja,
            "鍵のレコードの t=s は「i= は d= と完全に一致しなければならない」という意味です。"
            "この署名は d=cq-test.example に対して i=@lists.cq-test.example "
            "となっているため、受信側は署名を無効とし（dkim=permerror）、署名のないメールと同じ"
            "に扱います。");
  EXPECT_EQ(f->fix.records_add.at(0).value(), auth::dkim::key_record_text(test_rsa_key()));

  auto relaxed = zone(key_line(test_rsa_key()));
  findings = check_dkim_selftest(relaxed, selftest_input(signed_copy(config)), kNow);
  EXPECT_EQ(find_finding(findings, "DKIM-08"), nullptr);
  EXPECT_EQ(find_finding(findings, "DKIM-12")->severity, Severity::pass);
}

TEST(DoctorSelfTest, UnsignedAndNotOversignedFieldsWarnDkim09) {
  auth::dkim::SignerConfig config;
  config.signed_headers = {"from", "subject", "date", "list-id"};
  config.oversigned_headers = {"from"};
  auto resolver = zone(key_line(test_rsa_key()));
  auto findings = check_dkim_selftest(resolver, selftest_input(signed_copy(config)), kNow);
  const Finding* f = find_finding(findings, "DKIM-09");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warn);
  EXPECT_EQ(f->why.en,
            "Only header fields listed in h= are protected. A field listed once more than the "
            "message has it (over-signed) cannot be added after signing without breaking the "
            "signature; RFC 8058 requires List-Unsubscribe and List-Unsubscribe-Post to be "
            "signed. Not signed: To, Message-ID, Reply-To, List-Unsubscribe, "
            "List-Unsubscribe-Post. Not over-signed (one more can be added after signing): "
            "Subject, Date, Cc, List-Id.");
  EXPECT_EQ(find_finding(findings, "DKIM-12")->severity, Severity::pass);
  EXPECT_EQ(exit_status(findings), 1);
}

TEST(DoctorSelfTest, BodyLengthTagWarnsDkim10) {
  auto resolver = zone(key_line(test_rsa_key()));
  const std::string limited = replaced(signed_copy(), "a=rsa-sha256;", "a=rsa-sha256; l=7;");
  auto findings = check_dkim_selftest(resolver, selftest_input(limited), kNow);
  const Finding* f = find_finding(findings, "DKIM-10");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warn);
  EXPECT_EQ(f->title.en, "the signature uses l= (body length)");
  EXPECT_EQ(
      find_finding(check_dkim_selftest(resolver, selftest_input(signed_copy()), kNow), "DKIM-10"),
      nullptr);
}

TEST(DoctorSelfTest, SimpleCanonicalizationIsInfoDkim11AndDoesNotChangeTheExitStatus) {
  auth::dkim::SignerConfig config;
  config.header_canonicalization = auth::dkim::Canonicalization::simple;
  config.body_canonicalization = auth::dkim::Canonicalization::simple;
  auto resolver = zone(key_line(test_rsa_key()));
  auto findings = check_dkim_selftest(resolver, selftest_input(signed_copy(config)), kNow);
  const Finding* f = find_finding(findings, "DKIM-11");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::info);
  EXPECT_EQ(f->title.en, "canonicalization c=simple/simple");
  EXPECT_EQ(find_finding(findings, "DKIM-12")->severity, Severity::pass);
  EXPECT_EQ(exit_status(findings), 0);
  EXPECT_EQ(
      find_finding(check_dkim_selftest(resolver, selftest_input(signed_copy()), kNow), "DKIM-11"),
      nullptr);
}

TEST(DoctorListPractice, TagAndFooterFailList02WithList01AndWarnOtherwise) {
  auto resolver = zone("_dmarc.gmail.com TXT \"v=DMARC1; p=none; sp=quarantine\"\n");
  DoctorInput input;
  input.domain = "cq-test.example";
  input.list = ham_list();
  auto findings = check_list(resolver, input);
  ASSERT_EQ(find_finding(findings, "LIST-01")->severity, Severity::fail);
  const Finding* f = find_finding(findings, "LIST-02");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::fail);
  EXPECT_EQ(f->why.ja,
            "このリストは件名にタグを付け、本文にフッターを付けます。投稿者の署名は Subject "
            "と本文を対象にしているため、受信側では検証に失敗します（Google も件名タグと"
            "フッターを DKIM を壊す変更として挙げています）。LIST-01（DMARC を適用している"
            "ドメインの投稿者の From をそのまま残す）と重なるため、その投稿は迷惑メール扱いか"
            "拒否になります。");

  input.list->from_rewrite = "when_needed";
  findings = check_list(resolver, input);
  f = find_finding(findings, "LIST-02");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::warn);
  EXPECT_EQ(f->why.en,
            "The list adds a tag to the Subject and appends a footer to the body. The poster's "
            "signature covers Subject and the body, so it no longer verifies at the receiver "
            "(Google names subject tags and footers as DKIM-breaking). From is rewritten for "
            "domains that enforce DMARC, so this does not block delivery; posters at p=none "
            "domains still arrive with dmarc=fail.");
  EXPECT_EQ(f->fix.commands, std::vector<std::string>{
                                 "cqlist list set ham@cq-test.example subject_tag=none footer="});

  input.list->subject_tag = false;
  input.list->footer = false;
  EXPECT_EQ(find_finding(check_list(resolver, input), "LIST-02"), nullptr);
}

TEST(DoctorListPractice, ArcAlignmentAndAutoReplyNotesAreInfoOnly) {
  DoctorInput input;
  input.domain = "cq-test.example";
  EXPECT_TRUE(check_list_practice(input).empty());
  input.list = ham_list();
  input.list->arc = true;
  auto findings = check_list_practice(input);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(find_finding(findings, "LIST-06")->title.en, "posts get an ARC seal");
  EXPECT_EQ(find_finding(findings, "LIST-06")->found.at(0), "arc = true");
  EXPECT_EQ(find_finding(findings, "LIST-07")->severity, Severity::info);
  EXPECT_EQ(find_finding(findings, "LIST-08")->title.ja,
            "返信や通知は MAIL FROM:<> と Auto-Submitted を付けて送っています");
  EXPECT_EQ(exit_status(findings), 0);
  input.list->arc = false;
  EXPECT_EQ(find_finding(check_list_practice(input), "LIST-06")->title.en, "posts get no ARC seal");
}

TEST(DoctorPace, PostfixConcurrencyIsShownWithTheBackOffRecipe) {
  DoctorInput input = founding_input();
  input.list = ham_list();
  input.delivery_workers = 4;
  input.relay_max_connections = 4;
  input.postfix = PostfixSettings{};
  input.postfix->default_destination_concurrency_limit = "20";
  input.postfix->default_destination_rate_delay = "0s";
  auto findings = check_sending_pace(input);
  ASSERT_EQ(findings.size(), 1u);
  const Finding& f = findings[0];
  EXPECT_EQ(f.id, "VOL-03");
  EXPECT_EQ(f.severity, Severity::info);
  EXPECT_EQ(f.found.at(0),
            "cqlist.toml: [delivery] workers = 4, [relay] max_connections = 4 (connections to "
            "the local MTA)");
  EXPECT_EQ(
      f.found.at(1),
      "Postfix: default_destination_concurrency_limit = 20, default_destination_rate_delay = 0s");
  EXPECT_EQ(f.fix.commands.at(0), "postconf -e 'smtp_destination_concurrency_limit = 5'");

  input.postfix->relayhost = "[smtp.provider.example]:587";
  findings = check_sending_pace(input);
  EXPECT_EQ(findings.at(0).found.at(1),
            "relayhost = [smtp.provider.example]:587: the relay paces mail to Gmail");
  EXPECT_TRUE(findings.at(0).fix.commands.empty());
  input.list.reset();
  EXPECT_TRUE(check_sending_pace(input).empty());
}

TEST(DoctorTlsPolicy, OpportunisticTlsGetsTheDaneCommandsAndDaneWithDnssecDoesNot) {
  DoctorInput input = founding_input();
  EXPECT_TRUE(check_outbound_tls_policy(input).empty());
  input.postfix = PostfixSettings{};
  input.postfix->smtp_tls_security_level = "may";
  input.postfix->smtp_dns_support_level = "";
  auto findings = check_outbound_tls_policy(input);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "TLS-02");
  EXPECT_EQ(findings[0].severity, Severity::info);
  EXPECT_EQ(findings[0].title.en, "outbound mail honours neither DANE nor MTA-STS");
  EXPECT_EQ(
      findings[0].fix.commands,
      (std::vector<std::string>{"postconf -e 'smtp_dns_support_level = dnssec'",
                                "postconf -e 'smtp_tls_security_level = dane'", "postfix reload"}));

  input.postfix->smtp_tls_security_level = "dane";  // without DNSSEC Postfix falls back to may
  EXPECT_FALSE(check_outbound_tls_policy(input).at(0).fix.commands.empty());

  input.postfix->smtp_dns_support_level = "dnssec";
  findings = check_outbound_tls_policy(input);
  EXPECT_EQ(findings.at(0).title.ja, "送信時に DANE を守ります");
  EXPECT_TRUE(findings.at(0).fix.commands.empty());
  EXPECT_EQ(exit_status(findings), 0);
}

}  // namespace
}  // namespace cqlist::doctor
