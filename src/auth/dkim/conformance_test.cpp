// DKIM conformance vectors from ../shared/conformance (README there): RFC 8463 Appendix A,
// RFC 6376 Appendix A.2, dkimpy's pre-signed messages. Keys come from the folders'
// dns-zone.txt files, and every case runs twice: through StaticResolver (.../in_memory) and
// through the production UnboundResolver asking a real unbound on loopback that serves the
// same records (.../unbound; one server a suite, dns/testing/served_zone.hpp).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "auth/crypto/base64.hpp"
#include "auth/dkim/sign.hpp"
#include "auth/dkim/verify.hpp"
#include "base/file.hpp"
#include "base/strings.hpp"
#include "dns/static_resolver.hpp"
#include "dns/testing/served_zone.hpp"

namespace cqlist::auth::dkim {
namespace {

using std::chrono::system_clock;

std::string conformance(const std::string& path) {
  auto text = read_file(std::string(CQLIST_SHARED_DIR) + "/conformance/" + path);
  EXPECT_TRUE(text.has_value()) << path;
  return text ? *text : std::string();
}

// One TXT record in 255-octet strings, the way a zone publishes a long key (DNS cannot carry
// a longer string).
dns::TxtRecord txt_record(const std::string& value) {
  dns::TxtRecord record;
  for (std::size_t i = 0; i < value.size(); i += 255) {
    record.strings.push_back(value.substr(i, 255));
  }
  return record;
}

// "<name> <TXT value>" lines, each value one TXT record.
dns::StaticResolver zone(const std::string& path) {
  dns::StaticResolver resolver;
  const std::string text = conformance(path);
  std::size_t pos = 0;
  int records = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string_view line = trim(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
    const std::size_t space = line.find(' ');
    if (line.empty() || space == std::string_view::npos) {
      continue;
    }
    EXPECT_TRUE(resolver
                    .add(line.substr(0, space), dns::RecordType::txt,
                         txt_record(std::string(line.substr(space + 1))))
                    .has_value());
    ++records;
  }
  EXPECT_GT(records, 1) << path;
  return resolver;
}

std::vector<DkimOutcome> verify_file(const std::string& path, dns::Resolver& resolver,
                                     std::int64_t now) {
  return verify_all(mail::Message::parse(conformance(path)), resolver,
                    system_clock::from_time_t(now));
}

constexpr std::int64_t kRfc8463Time = 1528637909;

class Rfc8463 : public dns::testing::ServedSuite<Rfc8463> {
 public:
  static dns::StaticResolver make_zone() { return zone("dkim-rfc8463/dns-zone.txt"); }
};

INSTANTIATE_TEST_SUITE_P(Through, Rfc8463, dns::testing::kBothBackends,
                         dns::testing::BackendName());

TEST_P(Rfc8463, SignedMessageVerifies) {
  auto outcomes = verify_file("dkim-rfc8463/signed-message.eml", resolver(), kRfc8463Time);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].result, DkimResult::pass) << outcomes[0].reason;
  EXPECT_EQ(outcomes[0].signature->algorithm, Algorithm::ed25519_sha256);
  EXPECT_EQ(outcomes[1].result, DkimResult::pass) << outcomes[1].reason;
  EXPECT_EQ(outcomes[1].signature->algorithm, Algorithm::rsa_sha256);
  for (const char* one :
       {"dkim-rfc8463/signed-ed25519-only.eml", "dkim-rfc8463/signed-rsa-only.eml"}) {
    auto single = verify_file(one, resolver(), kRfc8463Time);
    ASSERT_EQ(single.size(), 1u) << one;
    EXPECT_EQ(single[0].result, DkimResult::pass) << one << ": " << single[0].reason;
  }
}

TEST_P(Rfc8463, NegativeVariantsFailWithTheRightReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"dkim-rfc8463/negative-body-altered.eml", "body hash mismatch"},
      {"dkim-rfc8463/negative-subject-altered.eml", "signature mismatch"},
  };
  int checked = 0;
  for (const auto& [path, reason] : cases) {
    auto outcomes = verify_file(path, resolver(), kRfc8463Time);
    ASSERT_FALSE(outcomes.empty()) << path;
    for (const auto& outcome : outcomes) {
      EXPECT_EQ(outcome.result, DkimResult::fail) << path;
      EXPECT_EQ(outcome.reason, reason) << path;
      ++checked;
    }
  }
  EXPECT_GE(checked, 2);
}

TEST_P(Rfc8463, SigningReproducesBothSignaturesByteForByte) {
  auto expected = verify_file("dkim-rfc8463/signed-message.eml",
                              *std::make_unique<dns::StaticResolver>(), kRfc8463Time);
  ASSERT_EQ(expected.size(), 2u);

  auto ed = crypto::PrivateKey::from_text(conformance("dkim-rfc8463/ed25519-private-seed.b64"));
  auto rsa = crypto::PrivateKey::from_text(conformance("dkim-rfc8463/rsa-private.pem"));
  ASSERT_TRUE(ed.has_value());
  ASSERT_TRUE(rsa.has_value());
  SignerConfig config;
  config.domain = "football.example.com";
  config.identity = "@football.example.com";
  config.keys = {{"brisbane", *ed}, {"test", *rsa}};
  config.signed_headers = {"from", "to", "subject", "date", "message-id"};
  config.oversigned_headers = {"from", "subject", "date"};
  config.write_query_method = true;
  config.header_separator = " : ";
  auto signer = Signer::create(config);
  ASSERT_TRUE(signer.has_value()) << signer.error().message();

  auto message = mail::Message::parse(conformance("dkim-rfc8463/unsigned-message.eml"));
  auto values = signer->sign(message, system_clock::from_time_t(kRfc8463Time));
  ASSERT_TRUE(values.has_value()) << values.error().message();
  ASSERT_EQ(values->size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    auto ours = parse_signature(values->at(i));
    ASSERT_TRUE(ours.has_value()) << ours.error().message();
    EXPECT_EQ(ours->signature_base64, expected[i].signature->signature_base64) << i;
    EXPECT_EQ(ours->body_hash, expected[i].signature->body_hash) << i;
  }

  // And the signed result verifies.
  ASSERT_TRUE(signer->sign_in_place(message, system_clock::from_time_t(kRfc8463Time)).has_value());
  auto outcomes = verify_all(message, resolver(), system_clock::from_time_t(kRfc8463Time));
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].result, DkimResult::pass) << outcomes[0].reason;
  EXPECT_EQ(outcomes[1].result, DkimResult::pass) << outcomes[1].reason;
}

class Rfc6376 : public dns::testing::ServedSuite<Rfc6376> {
 public:
  // The Appendix C public key, published at the selector Appendix A.2 signs with.
  static dns::StaticResolver make_zone() {
    const std::string pem = conformance("dkim-rfc6376/appendix-C-rsa.public");
    std::string base64;
    std::size_t pos = 0;
    while (pos < pem.size()) {
      std::size_t end = pem.find('\n', pos);
      end = end == std::string::npos ? pem.size() : end;
      const std::string_view part = std::string_view(pem).substr(pos, end - pos);
      if (!part.starts_with("-----")) {
        base64 += part;
      }
      pos = end + 1;
    }
    dns::StaticResolver resolver;
    EXPECT_TRUE(resolver
                    .add("brisbane._domainkey.example.com", dns::RecordType::txt,
                         txt_record("v=DKIM1; k=rsa; p=" + base64))
                    .has_value());
    return resolver;
  }
};

INSTANTIATE_TEST_SUITE_P(Through, Rfc6376, dns::testing::kBothBackends,
                         dns::testing::BackendName());

TEST_P(Rfc6376, AppendixA2FailsOnItsBodyHash) {
  // Its bh= is the relaxed body hash although it says c=simple/simple (SOURCE.txt).
  auto outcomes = verify_file("dkim-rfc6376/appendix-A2-signed.eml", resolver(), 1700000000);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].result, DkimResult::fail);
  EXPECT_EQ(outcomes[0].reason, "body hash mismatch");
}

// Every private key of the dkimpy set, with the published key record its round trip is
// checked against, each at its own selector of example.com.
constexpr std::pair<const char*, const char*> kRoundTripKeys[] = {
    {"test.private", "test.txt"},
    {"2048_testkey.key", "2048_testkey_wo_markers.pub.rsa.txt"},
    {"2048_testkey_PKCS8.key", "2048_testkey_PKCS8.key.pub.txt"},
    {"1024_testkey.key", "1024_testkey_wo_markers.pub.txt"},
    {"ed25519test.key", "ed25519test.dns"},
    {"rfc8032_7_1.key", "ed25519test.dns"},  // wrong key on purpose: must fail
};

std::string round_trip_selector(std::size_t index) {
  return fmt::format("roundtrip{}", index);
}

class Dkimpy : public dns::testing::ServedSuite<Dkimpy> {
 public:
  static dns::StaticResolver make_zone() {
    dns::StaticResolver resolver = zone("dkim-dkimpy/dns-zone.txt");
    for (std::size_t i = 0; i < std::size(kRoundTripKeys); ++i) {
      const std::string record = std::string(
          trim(conformance(std::string("dkim-dkimpy/data/") + kRoundTripKeys[i].second)));
      EXPECT_TRUE(resolver
                      .add(round_trip_selector(i) + "._domainkey.example.com", dns::RecordType::txt,
                           txt_record(record))
                      .has_value());
    }
    return resolver;
  }
};

INSTANTIATE_TEST_SUITE_P(Through, Dkimpy, dns::testing::kBothBackends, dns::testing::BackendName());

TEST_P(Dkimpy, PreSignedVectorsGiveTheDocumentedResults) {
  struct Case {
    const char* file;
    std::vector<DkimResult> results;
    const char* reason;  // of the last outcome
  };

  const Case cases[] = {
      {"rfc6376.signed.msg", {DkimResult::pass, DkimResult::pass}, ""},
      {"rfc6376.signed.rsa.msg", {DkimResult::pass}, ""},
      {"ed25519test2.msg", {DkimResult::pass}, ""},
      {"test2.message", {DkimResult::pass}, ""},
      {"test.message.baddomain",
       {DkimResult::permerror},
       "d= is not a domain name: legitimate.com(.attacker.com"},
  };
  int cases_run = 0;
  for (const Case& c : cases) {
    auto outcomes = verify_file(std::string("dkim-dkimpy/data/") + c.file, resolver(), 1700000000);
    ASSERT_EQ(outcomes.size(), c.results.size()) << c.file;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      EXPECT_EQ(result_name(outcomes[i].result), result_name(c.results[i]))
          << c.file << " #" << i << ": " << outcomes[i].reason;
    }
    EXPECT_EQ(outcomes.back().reason, c.reason) << c.file;
    ++cases_run;
  }
  EXPECT_EQ(cases_run, 5);
}

TEST_P(Dkimpy, KeysSignAndVerifyRoundTrip) {
  // Every private key of the dkimpy set signs a message its published key verifies.
  int cases_run = 0;
  for (std::size_t i = 0; i < std::size(kRoundTripKeys); ++i) {
    const auto& [private_file, record_file] = kRoundTripKeys[i];
    auto key =
        crypto::PrivateKey::from_text(conformance(std::string("dkim-dkimpy/data/") + private_file));
    ASSERT_TRUE(key.has_value()) << private_file << ": " << key.error().message();
    SignerConfig config;
    config.domain = "example.com";
    config.keys = {{round_trip_selector(i), *key}};
    auto message = mail::Message::parse(conformance("dkim-dkimpy/data/test.message"));
    message.remove_all("DKIM-Signature");
    ASSERT_TRUE(Signer::create(config)
                    ->sign_in_place(message, system_clock::from_time_t(1700000000))
                    .has_value());
    auto outcomes = verify_all(message, resolver(), system_clock::from_time_t(1700000000));
    ASSERT_EQ(outcomes.size(), 1u);
    const bool mismatch = std::string_view(private_file) == "rfc8032_7_1.key";
    EXPECT_EQ(outcomes[0].result, mismatch ? DkimResult::fail : DkimResult::pass)
        << private_file << " (" << record_file << "): " << outcomes[0].reason;
    ++cases_run;
  }
  EXPECT_EQ(cases_run, 6);
}

}  // namespace
}  // namespace cqlist::auth::dkim
