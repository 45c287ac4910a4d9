#include "auth/dkim/sign.hpp"

#include <gtest/gtest.h>

#include "auth/crypto/base64.hpp"
#include "auth/dkim/verify.hpp"
#include "base/file.hpp"
#include "dns/static_resolver.hpp"

namespace cqlist::auth::dkim {
namespace {

using std::chrono::system_clock;

const system_clock::time_point kNow = system_clock::from_time_t(1700000000);

crypto::PrivateKey key(const std::string& path) {
  auto text = read_file(std::string(CQLIST_SHARED_DIR) + "/conformance/" + path);
  EXPECT_TRUE(text.has_value()) << path;
  auto loaded = crypto::PrivateKey::from_text(text ? *text : "");
  EXPECT_TRUE(loaded.has_value()) << path;
  return *loaded;
}

crypto::PrivateKey rsa_key() {
  return key("dkim-dkimpy/data/2048_testkey.key");
}

crypto::PrivateKey ed25519_key() {
  return key("dkim-rfc8463/ed25519-private-seed.b64");
}

// A resolver publishing both keys under example.org.
dns::StaticResolver resolver_for(const crypto::PrivateKey& rsa, const crypto::PrivateKey& ed) {
  dns::StaticResolver resolver;
  EXPECT_TRUE(resolver
                  .add("rsa._domainkey.example.org", dns::RecordType::txt,
                       dns::TxtRecord{
                           {"v=DKIM1; k=rsa; p=" + crypto::base64_encode(rsa.public_key_bytes())}})
                  .has_value());
  EXPECT_TRUE(resolver
                  .add("ed._domainkey.example.org", dns::RecordType::txt,
                       dns::TxtRecord{{"v=DKIM1; k=ed25519; p=" +
                                       crypto::base64_encode(ed.public_key_bytes())}})
                  .has_value());
  return resolver;
}

SignerConfig dual_config() {
  SignerConfig config;
  config.domain = "Example.ORG";
  config.keys = {{"rsa", rsa_key()}, {"ed", ed25519_key()}};
  return config;
}

constexpr std::string_view kMessage =
    "From: Alice <alice@example.org>\r\nTo: list@example.org\r\nSubject: Hello\r\n"
    "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\nMessage-ID: <1@example.org>\r\n"
    "X-Unsigned: yes\r\n\r\nHello  world. \r\n\r\n";

TEST(Signer, CreateRejectsBadConfigs) {
  SignerConfig config = dual_config();
  config.keys.clear();
  EXPECT_EQ(Signer::create(config).error().message(), "DKIM signer has no key");
  config = dual_config();
  config.domain = "bad domain";
  EXPECT_FALSE(Signer::create(config).has_value());
  config = dual_config();
  config.identity = "@example.com";
  EXPECT_EQ(Signer::create(config).error().message(),
            "DKIM identity @example.com is not within example.org");
  config = dual_config();
  config.signed_headers = {"Subject"};
  config.oversigned_headers = {};
  EXPECT_EQ(Signer::create(config).error().message(), "the DKIM signed headers must include From");
}

TEST(Signer, RefusesMessagesWithoutFrom) {
  auto signer = Signer::create(dual_config());
  ASSERT_TRUE(signer.has_value());
  auto message = mail::Message::parse("Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(signer->sign(message, kNow).error().message(),
            "the message has no From field; DKIM requires one");
}

TEST(Signer, OverSignsAndFoldsAndNeverWritesL) {
  SignerConfig config = dual_config();
  config.expiry = std::chrono::hours(24);
  auto signer = Signer::create(config);
  ASSERT_TRUE(signer.has_value());
  auto message = mail::Message::parse(std::string(kMessage));
  auto values = signer->sign(message, kNow);
  ASSERT_TRUE(values.has_value()) << values.error().message();
  ASSERT_EQ(values->size(), 2u);
  for (const std::string& value : *values) {
    const std::string field = "DKIM-Signature: " + value;
    std::size_t start = 0;
    int lines = 0;
    while (start < field.size()) {
      std::size_t end = field.find("\r\n", start);
      if (end == std::string::npos) {
        end = field.size();
      }
      EXPECT_LE(end - start, 78u) << field;
      if (start > 0) {
        EXPECT_EQ(field[start], ' ');
      }
      start = end + 2;
      ++lines;
    }
    EXPECT_GT(lines, 3);
    auto sig = parse_signature(value);
    ASSERT_TRUE(sig.has_value()) << sig.error().message();
    EXPECT_FALSE(sig->body_length.has_value());
    EXPECT_EQ(sig->timestamp, 1700000000);
    EXPECT_EQ(sig->expiration, 1700000000 + 86400);
    EXPECT_EQ(sig->domain, "example.org");
    EXPECT_EQ(sig->header_canonicalization, Canonicalization::relaxed);
    EXPECT_EQ(sig->body_canonicalization, Canonicalization::relaxed);
    // Present fields twice (once signed, once over-signed), absent ones once.
    const auto count = [&](std::string_view name) {
      return std::count(sig->signed_headers.begin(), sig->signed_headers.end(), name);
    };
    EXPECT_EQ(count("from"), 2);
    EXPECT_EQ(count("subject"), 2);
    EXPECT_EQ(count("message-id"), 2);
    EXPECT_EQ(count("list-unsubscribe"), 1);
    EXPECT_EQ(count("content-type"), 1);
    EXPECT_EQ(count("references"), 0);
    EXPECT_EQ(count("x-unsigned"), 0);
  }
  EXPECT_NE(values->at(0).find("a=rsa-sha256; "), std::string::npos);
  EXPECT_NE(values->at(1).find("a=ed25519-sha256; "), std::string::npos);
}

TEST(Signer, SignaturesVerifyForEveryCanonicalizationAndLineEnding) {
  auto rsa = rsa_key();
  auto ed = ed25519_key();
  auto resolver = resolver_for(rsa, ed);
  int verified = 0;
  for (auto header : {Canonicalization::simple, Canonicalization::relaxed}) {
    for (auto body : {Canonicalization::simple, Canonicalization::relaxed}) {
      for (bool lf : {false, true}) {
        SignerConfig config = dual_config();
        config.header_canonicalization = header;
        config.body_canonicalization = body;
        config.identity = "list@lists.example.org";
        auto signer = Signer::create(config);
        ASSERT_TRUE(signer.has_value());
        std::string text(kMessage);
        if (lf) {
          std::string converted;
          for (char c : text) {
            if (c != '\r') {
              converted += c;
            }
          }
          text = converted;
        }
        auto message = mail::Message::parse(text);
        ASSERT_TRUE(signer->sign_in_place(message, kNow).has_value());
        // Through bytes and back, as a receiver sees it.
        auto received = mail::Message::parse(message.serialize());
        auto outcomes = verify_all(received, resolver, kNow);
        ASSERT_EQ(outcomes.size(), 2u);
        for (const auto& outcome : outcomes) {
          EXPECT_EQ(outcome.result, DkimResult::pass)
              << outcome.reason << " header=" << canonicalization_name(header)
              << " body=" << canonicalization_name(body) << " lf=" << lf;
          verified += outcome.result == DkimResult::pass ? 1 : 0;
        }
        EXPECT_EQ(outcomes[0].signature->selector, "rsa");
        EXPECT_EQ(outcomes[0].key_bits, 2048u);
        EXPECT_EQ(outcomes[1].signature->selector, "ed");
      }
    }
  }
  EXPECT_EQ(verified, 16);
}

TEST(Signer, OverSigningCatchesAddedFields) {
  auto rsa = rsa_key();
  auto ed = ed25519_key();
  auto resolver = resolver_for(rsa, ed);
  auto signer = Signer::create(dual_config());
  ASSERT_TRUE(signer.has_value());
  for (std::string_view added : {"From", "List-Unsubscribe", "Subject"}) {
    auto message = mail::Message::parse(std::string(kMessage));
    ASSERT_TRUE(signer->sign_in_place(message, kNow).has_value());
    ASSERT_TRUE(message.add_bottom(added, "<mailto:evil@example.net>"));
    auto outcomes = verify_all(mail::Message::parse(message.serialize()), resolver, kNow);
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_EQ(outcomes[0].result, DkimResult::fail) << added;
    EXPECT_EQ(outcomes[0].reason, "signature mismatch") << added;
    EXPECT_EQ(outcomes[1].reason, "signature mismatch") << added;
  }
  // An unsigned field may be added.
  auto message = mail::Message::parse(std::string(kMessage));
  ASSERT_TRUE(signer->sign_in_place(message, kNow).has_value());
  ASSERT_TRUE(message.add_top("Received", "from somewhere"));
  auto outcomes = verify_all(message, resolver, kNow);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].result, DkimResult::pass);
}

TEST(Signer, BodyHashIsComputedOncePerBody) {
  auto signer = Signer::create(dual_config());
  ASSERT_TRUE(signer.has_value());
  auto message = mail::Message::parse(std::string(kMessage));
  BodyHashCache body_hashes(message.body());
  for (int recipient = 0; recipient < 5; ++recipient) {
    auto copy = message;
    ASSERT_TRUE(copy.add_bottom("X-Recipient", std::to_string(recipient)));
    auto values = signer->sign(copy, body_hashes, kNow);
    ASSERT_TRUE(values.has_value());
    EXPECT_EQ(values->size(), 2u);
  }
  EXPECT_EQ(body_hashes.computed(), 1u);
}

// A list post whose copies differ in the member's own List-Unsubscribe link (at the bottom,
// as list/ writes it) and in a field no signature covers.
mail::Message personal_template() {
  auto message = mail::Message::parse(std::string(kMessage));
  EXPECT_TRUE(message.add_bottom("List-Unsubscribe", "<https://x.example/u?m=nobody>"));
  EXPECT_TRUE(message.add_bottom("X-Member", "nobody"));
  EXPECT_TRUE(message.add_bottom("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"));
  return message;
}

TEST(CopySigner, EachCopyGetsTheSignaturesOfTheWholeCopy) {
  for (auto canonicalization : {Canonicalization::relaxed, Canonicalization::simple}) {
    SignerConfig config = dual_config();
    config.header_canonicalization = canonicalization;
    auto signer = Signer::create(config);
    ASSERT_TRUE(signer.has_value());
    mail::Message message = personal_template();
    const std::size_t count = message.fields().size();
    const std::vector<std::size_t> varying = {count - 3, count - 2, count - 1};
    BodyHashCache body_hashes(message.body());
    auto copies = CopySigner::create(*signer, message, varying, body_hashes, kNow);
    ASSERT_TRUE(copies.has_value());
    for (std::string member : {"alice@example.net", "bob@example.com", "carol@example.jp"}) {
      std::vector<std::string> values = {"<https://x.example/u?m=" + member + ">,\r\n  <mailto:x>",
                                         member, "List-Unsubscribe=One-Click"};
      mail::Message copy = message;
      std::vector<std::string> texts;
      for (std::size_t i = 0; i < varying.size(); ++i) {
        ASSERT_TRUE(copy.replace(varying[i], values[i]));
        texts.push_back(*mail::field_text(copy.fields()[varying[i]].name(), values[i], "\r\n"));
      }
      auto whole = signer->sign(copy, kNow);
      auto fast = copies->sign({texts[0], texts[1], texts[2]});
      ASSERT_TRUE(whole.has_value());
      ASSERT_TRUE(fast.has_value());
      EXPECT_EQ(*fast, *whole) << member;

      // And the copy verifies with the member's link; another member's link breaks it.
      for (auto it = fast->rbegin(); it != fast->rend(); ++it) {
        ASSERT_TRUE(copy.add_top("DKIM-Signature", *it));
      }
      auto resolver = resolver_for(rsa_key(), ed25519_key());
      auto outcomes = verify_all(copy, resolver, kNow);
      ASSERT_EQ(outcomes.size(), 2u);
      EXPECT_EQ(outcomes[0].result, DkimResult::pass);
      EXPECT_EQ(outcomes[1].result, DkimResult::pass);
      ASSERT_TRUE(copy.replace(varying[0] + 2, "<https://x.example/u?m=x>"));
      outcomes = verify_all(copy, resolver, kNow);
      EXPECT_EQ(outcomes[0].result, DkimResult::fail);
    }
    EXPECT_EQ(body_hashes.computed(), 1u);
  }
}

TEST(CopySigner, RefusesMissingFieldsAndWrongCounts) {
  auto signer = Signer::create(dual_config());
  ASSERT_TRUE(signer.has_value());
  mail::Message message = personal_template();
  BodyHashCache body_hashes(message.body());
  EXPECT_FALSE(CopySigner::create(*signer, message, {message.fields().size()}, body_hashes, kNow)
                   .has_value());
  auto copies =
      CopySigner::create(*signer, message, {message.fields().size() - 1}, body_hashes, kNow);
  ASSERT_TRUE(copies.has_value());
  EXPECT_FALSE(copies->sign({}).has_value());
  EXPECT_TRUE(copies->sign({"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"}).has_value());
}

}  // namespace
}  // namespace cqlist::auth::dkim
