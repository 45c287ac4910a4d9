#include "auth/crypto/key.hpp"

#include <vector>

#include <gtest/gtest.h>

#include "auth/crypto/base64.hpp"
#include "auth/crypto/keygen.hpp"
#include "base/file.hpp"

namespace cqlist::auth::crypto {
namespace {

std::string shared(const std::string& path) {
  auto text = read_file(std::string(CQLIST_SHARED_DIR) + "/conformance/" + path);
  EXPECT_TRUE(text.has_value()) << path;
  return text ? *text : std::string();
}

TEST(Base64, RoundTripsAndSkipsWhitespace) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*base64_decode("Zm9v\r\n YmFy"), "foobar");
  EXPECT_EQ(*base64_decode("Zg =="), "f");
}

TEST(Base64, RejectsGarbage) {
  EXPECT_FALSE(base64_decode("Zm9v!mFy").has_value());
  EXPECT_FALSE(base64_decode("Zm9").has_value());
  EXPECT_FALSE(base64_decode("Zg==Zg==").has_value());
  EXPECT_FALSE(base64_decode("Z===").has_value());
}

TEST(Sha256, IncrementalEqualsOneShot) {
  Sha256 hasher;
  hasher.update("ab");
  hasher.update("c");
  EXPECT_EQ(hasher.finish(), sha256("abc"));
  EXPECT_EQ(base64_encode(std::string_view(reinterpret_cast<const char*>(sha256("").data()), 32)),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(PrivateKey, Ed25519SeedGivesRfc8463PublicKey) {
  auto key = PrivateKey::from_text(shared("dkim-rfc8463/ed25519-private-seed.b64"));
  ASSERT_TRUE(key.has_value()) << key.error().message();
  EXPECT_EQ(key->type(), KeyType::ed25519);
  EXPECT_EQ(base64_encode(key->public_key_bytes()), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
}

TEST(PrivateKey, ReadsPkcs1AndPkcs8Pem) {
  auto pkcs1 = PrivateKey::from_text(shared("dkim-rfc8463/rsa-private.pem"));
  ASSERT_TRUE(pkcs1.has_value()) << pkcs1.error().message();
  EXPECT_EQ(pkcs1->type(), KeyType::rsa);
  EXPECT_EQ(pkcs1->bits(), 1024u);
  auto pkcs8 = PrivateKey::from_text(shared("dkim-dkimpy/data/2048_testkey_PKCS8.key"));
  ASSERT_TRUE(pkcs8.has_value()) << pkcs8.error().message();
  EXPECT_EQ(pkcs8->bits(), 2048u);
}

TEST(PrivateKey, RejectsNonsense) {
  EXPECT_FALSE(PrivateKey::from_text("not a key").has_value());
  EXPECT_FALSE(
      PrivateKey::from_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
          .has_value());
  EXPECT_FALSE(PrivateKey::from_ed25519_seed("short").has_value());
}

TEST(PublicKey, ReadsSubjectPublicKeyInfoAndRsaPublicKey) {
  // The p= values of dkimpy's records: the same 1024-bit key as SubjectPublicKeyInfo and as
  // a bare PKCS#1 RSAPublicKey.
  for (const char* path : {"dkim-dkimpy/data/1024_testkey_wo_markers.pub.txt",
                           "dkim-dkimpy/data/1024_testkey_wo_markers.pub.rsa.txt"}) {
    const std::string record = shared(path);
    const std::size_t p = record.find("p=");
    ASSERT_NE(p, std::string::npos) << path;
    auto der = base64_decode(record.substr(p + 2));
    ASSERT_TRUE(der.has_value()) << path;
    auto key = PublicKey::from_bytes(KeyType::rsa, *der);
    ASSERT_TRUE(key.has_value()) << path << ": " << key.error().message();
    EXPECT_EQ(key->bits(), 1024u) << path;
  }
  EXPECT_FALSE(PublicKey::from_bytes(KeyType::rsa, "junk").has_value());
  EXPECT_FALSE(PublicKey::from_bytes(KeyType::ed25519, std::string(31, 'x')).has_value());
}

TEST(Keys, SignatureVerifiesAndTamperingFails) {
  for (const char* path :
       {"dkim-rfc8463/rsa-private.pem", "dkim-rfc8463/ed25519-private-seed.b64"}) {
    auto key = PrivateKey::from_text(shared(path));
    ASSERT_TRUE(key.has_value()) << path;
    auto pub = PublicKey::from_bytes(key->type(), key->public_key_bytes());
    ASSERT_TRUE(pub.has_value()) << path;
    const Sha256Digest digest = sha256("hello");
    auto signature = key->sign_digest(digest);
    ASSERT_TRUE(signature.has_value()) << path;
    EXPECT_TRUE(pub->verify_digest(digest, *signature)) << path;
    EXPECT_FALSE(pub->verify_digest(sha256("hellO"), *signature)) << path;
    std::string bad = *signature;
    bad[3] = static_cast<char>(bad[3] ^ 1);
    EXPECT_FALSE(pub->verify_digest(digest, bad)) << path;
    EXPECT_FALSE(pub->verify_digest(digest, "")) << path;
  }
}

// Signing contexts are kept per thread and key: many keys in turn, and keys freed and made
// again (a reload), must each still sign with their own key.
TEST(Keys, ManyRsaKeysSignedInTurnEachVerifyWithTheirOwnPublicKey) {
  const Sha256Digest digest = sha256("list mail");
  for (int round = 0; round < 2; ++round) {
    std::vector<PrivateKey> keys;
    for (int i = 0; i < 10; ++i) {  // more than a thread keeps contexts for
      auto key = generate_private_key(KeyType::rsa, 1024);
      ASSERT_TRUE(key.has_value());
      keys.push_back(std::move(*key));
    }
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t i = 0; i < keys.size(); ++i) {
        auto signature = keys[i].sign_digest(digest);
        ASSERT_TRUE(signature.has_value()) << i;
        auto own = PublicKey::from_bytes(KeyType::rsa, keys[i].public_key_bytes());
        auto other =
            PublicKey::from_bytes(KeyType::rsa, keys[(i + 1) % keys.size()].public_key_bytes());
        ASSERT_TRUE(own.has_value() && other.has_value());
        EXPECT_TRUE(own->verify_digest(digest, *signature)) << i;
        EXPECT_FALSE(other->verify_digest(digest, *signature)) << i;
      }
    }
  }
}

}  // namespace
}  // namespace cqlist::auth::crypto
