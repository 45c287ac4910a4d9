#include "auth/dkim/verify.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "auth/crypto/base64.hpp"
#include "auth/dkim/sign.hpp"
#include "base/file.hpp"
#include "dns/static_resolver.hpp"

namespace cqlist::auth::dkim {
namespace {

using std::chrono::system_clock;

const system_clock::time_point kNow = system_clock::from_time_t(1700000000);

constexpr std::string_view kMessage = "From: alice@example.org\r\nSubject: Hi\r\n\r\nHello.\r\n";

crypto::PrivateKey ed25519_key() {
  auto text = read_file(std::string(CQLIST_SHARED_DIR) +
                        "/conformance/dkim-rfc8463/ed25519-private-seed.b64");
  EXPECT_TRUE(text.has_value());
  return *crypto::PrivateKey::from_text(text ? *text : "");
}

// A message signed with the Ed25519 key, selector "ed", d=example.org.
mail::Message signed_message(std::optional<std::chrono::seconds> expiry = std::nullopt) {
  SignerConfig config;
  config.domain = "example.org";
  config.keys = {{"ed", ed25519_key()}};
  config.expiry = expiry;
  config.identity = "@lists.example.org";
  auto message = mail::Message::parse(std::string(kMessage));
  EXPECT_TRUE(Signer::create(config)->sign_in_place(message, kNow).has_value());
  return message;
}

std::string ed_record(std::string_view extra = "") {
  return "v=DKIM1; k=ed25519; " + std::string(extra) +
         "p=" + crypto::base64_encode(ed25519_key().public_key_bytes());
}

DkimOutcome check(const mail::Message& message, std::string_view record,
                  system_clock::time_point now = kNow) {
  auto signature = parse_signature(message.fields()[0].value());
  EXPECT_TRUE(signature.has_value());
  auto key = parse_key_record(record);
  EXPECT_TRUE(key.has_value()) << key.error().message();
  return verify(message, 0, *signature, *key, now);
}

TEST(Verify, PassAndTestingFlag) {
  const auto message = signed_message();
  auto out = check(message, ed_record("t=y; "));
  EXPECT_EQ(out.result, DkimResult::pass);
  EXPECT_EQ(out.reason, "");
  EXPECT_TRUE(out.testing);
  EXPECT_EQ(out.field_index, 0u);
}

TEST(Verify, KeyProblems) {
  const auto message = signed_message();
  EXPECT_EQ(check(message, "v=DKIM1; k=ed25519; p=").reason, "key revoked");
  EXPECT_EQ(check(message, "v=DKIM1; k=ed25519; p=").result, DkimResult::permerror);
  EXPECT_EQ(check(message, ed_record("h=sha1; ")).reason, "key record h= does not allow sha256");
  EXPECT_EQ(check(message, ed_record("t=s; ")).reason,
            "key record t=s forbids the subdomain in i=");
  auto rsa_pem =
      read_file(std::string(CQLIST_SHARED_DIR) + "/conformance/dkim-rfc8463/rsa-private.pem");
  ASSERT_TRUE(rsa_pem.has_value());
  auto rsa = crypto::PrivateKey::from_text(*rsa_pem);
  ASSERT_TRUE(rsa.has_value());
  auto mismatch = check(message, "k=rsa; p=" + crypto::base64_encode(rsa->public_key_bytes()));
  EXPECT_EQ(mismatch.result, DkimResult::permerror);
  EXPECT_EQ(mismatch.reason, "key type rsa does not match algorithm ed25519-sha256");
}

TEST(Verify, ShortRsaKeyIsPolicy) {
  // RFC 8301 §3.2: keys under 1024 bits are never a pass.
  EVP_PKEY* small = EVP_RSA_gen(512);
  ASSERT_NE(small, nullptr);
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(small, &der);
  ASSERT_GT(length, 0);
  const std::string p = crypto::base64_encode(
      std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)));
  OPENSSL_free(der);
  EVP_PKEY_free(small);
  auto message = mail::Message::parse(
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=x; h=from; "
      "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n" +
      std::string(kMessage));
  auto out = check(message, "k=rsa; p=" + p);
  EXPECT_EQ(out.result, DkimResult::policy);
  EXPECT_EQ(out.reason, "key too short (512 bits)");
  EXPECT_EQ(out.key_bits, 512u);
}

TEST(Verify, Expiry) {
  const auto message = signed_message(std::chrono::seconds(60));
  EXPECT_EQ(check(message, ed_record(), kNow + std::chrono::seconds(60)).result, DkimResult::pass);
  auto late = check(message, ed_record(), kNow + std::chrono::seconds(61));
  EXPECT_EQ(late.result, DkimResult::fail);
  EXPECT_EQ(late.reason, "expired");
}

TEST(Verify, TamperedBodyAndHeader) {
  auto message = signed_message();
  message.set_body("Hello!\r\n");
  EXPECT_EQ(check(message, ed_record()).reason, "body hash mismatch");
  message = signed_message();
  ASSERT_TRUE(message.replace(*message.find_first("Subject"), "Hi there"));
  auto out = check(message, ed_record());
  EXPECT_EQ(out.result, DkimResult::fail);
  EXPECT_EQ(out.reason, "signature mismatch");
}

TEST(VerifyAll, MapsDnsStatusesAndParseErrors) {
  auto message = signed_message();
  ASSERT_TRUE(message.add_bottom("DKIM-Signature",
                                 "v=1; a=rsa-sha1; d=x.org; s=s; h=from; "
                                 "bh=AAAA; b=AAAA"));
  dns::StaticResolver resolver;
  auto outcomes = verify_all(message, resolver, kNow);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].result, DkimResult::permerror);
  EXPECT_EQ(outcomes[0].reason, "key not found");
  EXPECT_EQ(outcomes[1].result, DkimResult::permerror);
  EXPECT_EQ(outcomes[1].reason, "unknown algorithm rsa-sha1 (RFC 8301)");
  EXPECT_FALSE(outcomes[1].signature.has_value());
  EXPECT_EQ(outcomes[1].field_index, message.fields().size() - 1);

  resolver.inject_failure("ed._domainkey.example.org", dns::Status::timeout);
  outcomes = verify_all(message, resolver, kNow);
  EXPECT_EQ(outcomes[0].result, DkimResult::temperror);
  EXPECT_EQ(outcomes[0].reason, "key lookup timeout (ed._domainkey.example.org)");

  dns::StaticResolver servfail;
  servfail.inject_failure("ed._domainkey.example.org", dns::Status::servfail);
  EXPECT_EQ(verify_all(message, servfail, kNow)[0].result, DkimResult::temperror);

  dns::StaticResolver bad_record;
  ASSERT_TRUE(bad_record
                  .add("ed._domainkey.example.org", dns::RecordType::txt,
                       dns::TxtRecord{{"v=DKIM1; k=ed25519"}})
                  .has_value());
  EXPECT_EQ(verify_all(message, bad_record, kNow)[0].reason,
            "bad key record: key record has no p= tag");

  // A record split into several strings is joined before parsing (RFC 6376 §3.6.2.2).
  const std::string record = ed_record();
  dns::StaticResolver split;
  ASSERT_TRUE(split
                  .add("ed._domainkey.example.org", dns::RecordType::txt,
                       dns::TxtRecord{{record.substr(0, 30), record.substr(30)}})
                  .has_value());
  EXPECT_EQ(verify_all(message, split, kNow)[0].result, DkimResult::pass);
  EXPECT_EQ(split.queries(), (std::vector<std::string>{"ed._domainkey.example.org TXT"}));
}

TEST(VerifyAll, NoSignatureMeansNoOutcome) {
  dns::StaticResolver resolver;
  EXPECT_TRUE(verify_all(mail::Message::parse(std::string(kMessage)), resolver, kNow).empty());
}

}  // namespace
}  // namespace cqlist::auth::dkim
