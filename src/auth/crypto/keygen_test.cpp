#include "auth/crypto/keygen.hpp"

#include <gtest/gtest.h>

namespace cqlist::auth::crypto {
namespace {

TEST(Keygen, RsaKeyHasTheAskedSizeAndSurvivesPem) {
  auto key = generate_private_key(KeyType::rsa, 1024);
  ASSERT_TRUE(key.has_value()) << key.error().describe();
  EXPECT_EQ(key->type(), KeyType::rsa);
  EXPECT_EQ(key->bits(), 1024U);
  auto pem = private_key_pem(*key);
  ASSERT_TRUE(pem.has_value());
  EXPECT_TRUE(pem->starts_with("-----BEGIN PRIVATE KEY-----\n")) << *pem;
  auto reloaded = PrivateKey::from_text(*pem);
  ASSERT_TRUE(reloaded.has_value());
  EXPECT_EQ(reloaded->public_key_bytes(), key->public_key_bytes());
}

TEST(Keygen, Ed25519KeySignsWhatItsPublicHalfVerifies) {
  auto key = generate_private_key(KeyType::ed25519);
  ASSERT_TRUE(key.has_value()) << key.error().describe();
  EXPECT_EQ(key->type(), KeyType::ed25519);
  ASSERT_EQ(key->public_key_bytes().size(), 32U);
  auto pem = private_key_pem(*key);
  ASSERT_TRUE(pem.has_value());
  auto reloaded = PrivateKey::from_pem(*pem);
  ASSERT_TRUE(reloaded.has_value());
  const Sha256Digest digest = sha256("list mail");
  auto signature = reloaded->sign_digest(digest);
  ASSERT_TRUE(signature.has_value());
  auto public_key = PublicKey::from_bytes(KeyType::ed25519, key->public_key_bytes());
  ASSERT_TRUE(public_key.has_value());
  EXPECT_TRUE(public_key->verify_digest(digest, *signature));
}

TEST(Keygen, TwoKeysDiffer) {
  auto first = generate_private_key(KeyType::ed25519);
  auto second = generate_private_key(KeyType::ed25519);
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->public_key_bytes(), second->public_key_bytes());
}

TEST(Keygen, RefusesRsaSizesDkimForbids) {
  auto small = generate_private_key(KeyType::rsa, 512);
  ASSERT_FALSE(small.has_value());
  EXPECT_EQ(small.error().code(), Errc::invalid_argument);
  EXPECT_NE(small.error().message().find("512"), std::string::npos);
  EXPECT_FALSE(generate_private_key(KeyType::rsa, 16384).has_value());
}

}  // namespace
}  // namespace cqlist::auth::crypto
