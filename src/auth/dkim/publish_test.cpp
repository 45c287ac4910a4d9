#include "auth/dkim/publish.hpp"

#include <string>

#include <gtest/gtest.h>

#include "auth/crypto/keygen.hpp"
#include "auth/dkim/key_record.hpp"

namespace cqlist::auth::dkim {
namespace {

std::string join(const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& piece : pieces) {
    out += piece;
  }
  return out;
}

TEST(Publish, RsaRecordSplitsInto255BytePiecesThatParseBack) {
  auto key = crypto::generate_private_key(crypto::KeyType::rsa, 2048);
  ASSERT_TRUE(key.has_value());
  const std::string text = key_record_text(*key);
  EXPECT_TRUE(text.starts_with("v=DKIM1; k=rsa; p=MIIBIjAN")) << text;
  const auto pieces = split_character_strings(text);
  ASSERT_EQ(pieces.size(), 2U);
  EXPECT_EQ(pieces[0].size(), 255U);
  EXPECT_EQ(join(pieces), text);
  auto record = parse_key_record(join(pieces));
  ASSERT_TRUE(record.has_value()) << record.error().describe();
  ASSERT_FALSE(record->revoked());
  EXPECT_EQ(record->key->bits(), 2048U);
}

TEST(Publish, Ed25519RecordIsOneString) {
  auto key = crypto::generate_private_key(crypto::KeyType::ed25519);
  ASSERT_TRUE(key.has_value());
  const std::string text = key_record_text(*key);
  EXPECT_TRUE(text.starts_with("v=DKIM1; k=ed25519; p=")) << text;
  EXPECT_EQ(text.size(), 22U + 44U);
  EXPECT_EQ(split_character_strings(text).size(), 1U);
  auto record = parse_key_record(text);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->key_type, crypto::KeyType::ed25519);
}

TEST(Publish, SplitAndQuote) {
  EXPECT_EQ(split_character_strings("abcdefg", 3), (std::vector<std::string>{"abc", "def", "g"}));
  EXPECT_EQ(split_character_strings("", 3), (std::vector<std::string>{""}));
  EXPECT_EQ(quote_character_strings({"v=DKIM1; ", "p=a\"b\\"}), R"("v=DKIM1; " "p=a\"b\\")");
}

TEST(Publish, RecordName) {
  EXPECT_EQ(key_record_name("cq2026", "lists.example.org"), "cq2026._domainkey.lists.example.org");
}

}  // namespace
}  // namespace cqlist::auth::dkim
