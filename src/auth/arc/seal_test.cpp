#include "auth/arc/seal.hpp"

#include <gtest/gtest.h>

#include "auth/crypto/base64.hpp"
#include "base/file.hpp"
#include "dns/static_resolver.hpp"

namespace cqlist::auth::arc {
namespace {

using std::chrono::system_clock;

const system_clock::time_point kNow = system_clock::from_time_t(1700000000);

constexpr std::string_view kMessage =
    "From: Joe <joe@example.com>\r\nTo: list@example.org\r\nSubject: Hello\r\n"
    "Date: Thu, 14 Jan 2015 15:00:01 -0800\r\nMessage-ID: <1@example.com>\r\n\r\nHi there.\r\n";

// The RSA-1024 key of RFC 8463 Appendix A (also the ValiMail suite's "dummy" key).
crypto::PrivateKey rsa_key() {
  auto text =
      read_file(std::string(CQLIST_SHARED_DIR) + "/conformance/dkim-rfc8463/rsa-private.pem");
  EXPECT_TRUE(text.has_value());
  return *crypto::PrivateKey::from_text(text ? *text : "");
}

class ArcSeal : public ::testing::Test {
 protected:
  void SetUp() override {
    const crypto::PrivateKey key = rsa_key();
    dns::TxtRecord record;
    record.strings = {"v=DKIM1; k=rsa; p=" + crypto::base64_encode(key.public_key_bytes())};
    ASSERT_TRUE(resolver_.add("dummy._domainkey.example.org", dns::RecordType::txt, record));
    SealerConfig config;
    config.authserv_id = "lists.example.org";
    config.domain = "example.org";
    config.selector = "dummy";
    config.key = key;
    auto sealer = Sealer::create(config);
    ASSERT_TRUE(sealer) << sealer.error().message();
    sealer_.emplace(std::move(*sealer));
  }

  // Seals in place; returns the cv of the new set, or "skipped: reason".
  std::string seal(mail::Message& message, std::string_view results = "spf=pass") {
    auto outcome = sealer_->seal(message, results, resolver_, kNow);
    EXPECT_TRUE(outcome) << outcome.error().message();
    if (!outcome->set) {
      return "skipped: " + outcome->skipped_reason;
    }
    outcome->set->add_to(message);
    return std::string(chain_status_name(outcome->set->chain_status));
  }

  ArcOutcome check(const mail::Message& message) { return validate(message, resolver_, kNow); }

  dns::StaticResolver resolver_;
  std::optional<Sealer> sealer_;
};

TEST_F(ArcSeal, SealedChainsValidate) {
  auto message = mail::Message::parse(std::string(kMessage));
  EXPECT_EQ(check(message).result, ChainStatus::none);
  EXPECT_EQ(seal(message), "none");
  ASSERT_EQ(message.fields().size(), 8u);
  EXPECT_EQ(message.fields()[0].name(), "ARC-Seal");
  EXPECT_EQ(message.fields()[1].name(), "ARC-Message-Signature");
  EXPECT_EQ(message.fields()[2].value(), " i=1; lists.example.org; spf=pass");
  // Alphabetical tags, folded only between tags (seal.hpp).
  const std::string seal_value = message.fields()[0].unfolded_value();
  EXPECT_EQ(seal_value.substr(0, 16), "a=rsa-sha256; b=");
  EXPECT_NE(seal_value.find("; cv=none; d=example.org; i=1; s=dummy; t=1700000000"),
            std::string::npos)
      << seal_value;

  ArcOutcome outcome = check(message);
  EXPECT_EQ(outcome.result, ChainStatus::pass) << outcome.reason;
  EXPECT_EQ(seal(message, ""), "pass");
  EXPECT_EQ(message.fields()[2].value(), " i=2; lists.example.org; none");
  outcome = check(message);
  EXPECT_EQ(outcome.result, ChainStatus::pass) << outcome.reason;
  EXPECT_EQ(outcome.oldest_pass, 0u);
  ASSERT_EQ(outcome.sets.size(), 2u);
  EXPECT_EQ(outcome.sets[1].instance, 2u);
  EXPECT_EQ(outcome.sets[1].seal_domain, "example.org");
  EXPECT_EQ(outcome.sets[1].results_payload, "lists.example.org; none");
  EXPECT_EQ(outcome.sets[0].seal, Check::pass);
  EXPECT_EQ(outcome.sets[0].message_signature, Check::pass);
}

TEST_F(ArcSeal, ChangeBetweenHopsGivesOldestPass) {
  auto message = mail::Message::parse(std::string(kMessage));
  EXPECT_EQ(seal(message), "none");
  // A list hop validates the chain as received, tags the subject, then seals with that verdict:
  // the chain still passes, AMS(1) no longer does.
  ArcOutcome incoming = check(message);
  ASSERT_EQ(incoming.result, ChainStatus::pass);
  ASSERT_TRUE(message.replace(*message.find_first("Subject"), " [list] Hello"));
  auto sealed = sealer_->seal(message, "spf=pass", std::move(incoming), kNow);
  ASSERT_TRUE(sealed && sealed->set);
  EXPECT_EQ(sealed->set->chain_status, ChainStatus::pass);
  sealed->set->add_to(message);
  const ArcOutcome outcome = check(message);
  EXPECT_EQ(outcome.result, ChainStatus::pass) << outcome.reason;
  EXPECT_EQ(outcome.oldest_pass, 2u);
  EXPECT_EQ(outcome.sets[0].message_signature, Check::fail);
  EXPECT_EQ(outcome.sets[0].message_signature_reason,
            "the signed header fields were changed after this hop signed them (signature "
            "mismatch)");
}

TEST_F(ArcSeal, ChangeAfterLastHopFailsAndClosesTheChain) {
  auto message = mail::Message::parse(std::string(kMessage));
  EXPECT_EQ(seal(message), "none");
  message.set_body("Hi there, changed.\r\n");
  ArcOutcome outcome = check(message);
  EXPECT_EQ(outcome.result, ChainStatus::fail);
  EXPECT_EQ(outcome.reason,
            "ARC set 1 (example.org): the body was changed after this hop signed it (body hash "
            "mismatch)");
  EXPECT_EQ(outcome.failed_instance, 1u);

  // A failing chain is sealed with cv=fail; after that nobody may add a set.
  EXPECT_EQ(seal(message), "fail");
  outcome = check(message);
  EXPECT_EQ(outcome.result, ChainStatus::fail);
  EXPECT_TRUE(outcome.closed);
  EXPECT_EQ(outcome.reason,
            "the last forwarder (example.org) already found the chain broken (cv=fail)");
  EXPECT_EQ(seal(message),
            "skipped: the newest ARC-Seal already says cv=fail; the chain may not be extended");
}

TEST_F(ArcSeal, TamperedSealAndMissingKey) {
  auto message = mail::Message::parse(std::string(kMessage));
  EXPECT_EQ(seal(message), "none");
  std::string value(message.fields()[0].value());
  value.replace(value.find("cv=none"), 7, "cv=none; x=1");
  ASSERT_TRUE(message.replace(0, value));
  ArcOutcome outcome = check(message);
  EXPECT_EQ(outcome.reason,
            "ARC-Seal 1 (example.org): the seal's signature does not match its ARC headers");
  EXPECT_EQ(outcome.sets[0].seal, Check::fail);

  dns::StaticResolver empty;
  outcome = validate(message, empty, kNow);
  EXPECT_EQ(outcome.reason,
            "ARC set 1 (example.org): key not found at dummy._domainkey.example.org");
  empty.inject_failure("dummy._domainkey.example.org", dns::Status::timeout);
  outcome = validate(message, empty, kNow);
  EXPECT_EQ(outcome.reason,
            "ARC set 1 (example.org): key lookup timeout (dummy._domainkey.example.org) (a DNS "
            "problem; it may work later)");
}

TEST_F(ArcSeal, AtMostFiftySets) {
  auto message = mail::Message::parse(std::string(kMessage));
  for (int k = 0; k < 50; ++k) {
    ASSERT_EQ(seal(message), k == 0 ? "none" : "pass") << "set " << k + 1;
  }
  EXPECT_EQ(check(message).sets.size(), 50u);
  EXPECT_EQ(seal(message), "skipped: the ARC chain already has 50 sets, the most RFC 8617 allows");
}

TEST(ArcSealer, RejectsBadConfiguration) {
  SealerConfig config;
  config.authserv_id = "lists.example.org";
  config.domain = "example.org";
  config.selector = "dummy";
  EXPECT_EQ(Sealer::create(config).error().message(), "ARC sealer has no key");
  config.key = rsa_key();
  config.signed_headers = {"from", "ARC-Seal"};
  EXPECT_EQ(Sealer::create(config).error().message(),
            "the ARC-Message-Signature may not sign ARC-Seal (RFC 8617 §4.1.2)");
  config.signed_headers = {"from"};
  config.authserv_id = "two words";
  EXPECT_FALSE(Sealer::create(config));
}

TEST(ArcMergeResults, TakesOnlyOwnAuthservIdInOrder) {
  const auto message = mail::Message::parse(
      "Authentication-Results: lists.example.org; arc=none;\n  spf=pass smtp.mfrom=a@b.example\n"
      "Authentication-Results: other.example; dkim=fail\n"
      "Authentication-Results: LISTS.example.org 1; dkim=pass header.d=b.example; \n"
      "Authentication-Results: lists.example.org; none\n"
      "From: a@b.example\n\nbody\n");
  EXPECT_EQ(merge_authentication_results(message, "lists.example.org"),
            "arc=none;\r\n spf=pass smtp.mfrom=a@b.example;\r\n dkim=pass header.d=b.example");
  EXPECT_EQ(merge_authentication_results(message, "nobody.example"), "");
}

// Chains sealed by dkimpy (arc_sign, the fuzz seeds; names say how each was damaged) validate
// with cqlist as dkimpy would validate them.
TEST(ArcInterop, DkimpySealedChains) {
  const std::string dir = std::string(CQLIST_SOURCE_ROOT) + "/fuzz/corpus/arc/";
  auto zone = dns::StaticResolver::from_zone(
      "dummy._domainkey.example.org TXT \"v=DKIM1; k=rsa; "
      "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi"
      "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZy"
      "VYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\"\n");
  ASSERT_TRUE(zone);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"no_arc", "none"},
      {"i1_pass", "pass"},
      {"i2_pass", "pass"},
      {"i3_pass", "pass"},
      {"i2_subject_changed_before_seal2", "pass"},
      {"i1_aar_malformed", "fail"},
      {"i1_duplicate_seal", "fail"},
      {"i1_key_missing", "fail"},
      {"i1_seal_tampered", "fail"},
      {"i2_body_altered", "fail"},
      {"i2_closed_cv_fail", "fail"},
      {"i2_missing_ams", "fail"},
  };
  int cases_run = 0;
  for (const auto& [name, expected] : cases) {
    auto text = read_file(dir + name + ".eml");
    ASSERT_TRUE(text) << name;
    const ArcOutcome outcome = validate(mail::Message::parse(*text), *zone, kNow);
    EXPECT_EQ(chain_status_name(outcome.result), expected) << name << ": " << outcome.reason;
    if (name == "i2_subject_changed_before_seal2") {
      EXPECT_EQ(outcome.oldest_pass, 2u);
    }
    ++cases_run;
  }
  EXPECT_EQ(cases_run, 12);
}

}  // namespace
}  // namespace cqlist::auth::arc
