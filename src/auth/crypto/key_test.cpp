// auth/crypto/key_test.cpp: key reading, signing and verifying, the per-thread signing contexts.
#include "auth/crypto/key.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>

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

// OpenSSL's Ed25519 signature of `digest`. cqlist signs with libsodium; Ed25519 is
// deterministic, so it must give exactly these bytes.
std::string fresh_context_signature(const PrivateKey& key, const Sha256Digest& digest) {
  std::string signature(64, '\0');
  std::size_t length = signature.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx != nullptr &&
                  EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key.native()) > 0 &&
                  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                                 digest.data(), digest.size()) > 0;
  EVP_MD_CTX_free(ctx);
  EXPECT_TRUE(ok);
  signature.resize(ok ? length : 0);
  return signature;
}

TEST(Keys, Ed25519SignaturesInARowEqualFreshContextSignatures) {
  auto key = PrivateKey::from_text(shared("dkim-rfc8463/ed25519-private-seed.b64"));
  ASSERT_TRUE(key.has_value());
  auto pub = PublicKey::from_bytes(KeyType::ed25519, key->public_key_bytes());
  ASSERT_TRUE(pub.has_value());
  // Different digests in turn: a context that kept anything from the previous message
  // would give a different signature for the next.
  const std::vector<Sha256Digest> digests = {sha256("copy for alice"), sha256("copy for bob"),
                                             sha256("")};
  std::vector<std::string> expected;
  for (const Sha256Digest& digest : digests) {
    expected.push_back(fresh_context_signature(*key, digest));
    ASSERT_EQ(expected.back().size(), 64u);
  }
  EXPECT_NE(expected[0], expected[1]);
  for (int i = 0; i < 200; ++i) {
    const std::size_t which = static_cast<std::size_t>(i) % digests.size();
    auto signature = key->sign_digest(digests[which]);
    ASSERT_TRUE(signature.has_value()) << i << ": " << signature.error().message();
    ASSERT_EQ(*signature, expected[which]) << i;
    ASSERT_TRUE(pub->verify_digest(digests[which], *signature)) << i;
  }
}

TEST(Keys, Ed25519KeyFromPemSignsAsOpenSslDoes) {
  auto generated = generate_private_key(KeyType::ed25519);
  ASSERT_TRUE(generated.has_value());
  auto pem = private_key_pem(*generated);
  ASSERT_TRUE(pem.has_value());
  auto key = PrivateKey::from_text(*pem);
  ASSERT_TRUE(key.has_value()) << key.error().describe();
  ASSERT_EQ(key->type(), KeyType::ed25519);
  auto pub = PublicKey::from_bytes(KeyType::ed25519, key->public_key_bytes());
  ASSERT_TRUE(pub.has_value());
  for (const char* text : {"one", "two", "three"}) {
    const Sha256Digest digest = sha256(text);
    auto signature = key->sign_digest(digest);
    ASSERT_TRUE(signature.has_value()) << signature.error().describe();
    EXPECT_EQ(*signature, fresh_context_signature(*key, digest)) << text;
    EXPECT_TRUE(pub->verify_digest(digest, *signature)) << text;
  }
}

TEST(Keys, TwoEd25519KeysAlternatingOnOneThreadEachSignWithTheirOwnKey) {
  auto first = PrivateKey::from_ed25519_seed(std::string(32, '\x01'));
  auto second = PrivateKey::from_ed25519_seed(std::string(32, '\x02'));
  ASSERT_TRUE(first.has_value() && second.has_value());
  auto first_pub = PublicKey::from_bytes(KeyType::ed25519, first->public_key_bytes());
  auto second_pub = PublicKey::from_bytes(KeyType::ed25519, second->public_key_bytes());
  ASSERT_TRUE(first_pub.has_value() && second_pub.has_value());
  const Sha256Digest digest = sha256("list mail");
  const std::string first_expected = fresh_context_signature(*first, digest);
  const std::string second_expected = fresh_context_signature(*second, digest);
  ASSERT_NE(first_expected, second_expected);
  for (int i = 0; i < 20; ++i) {
    auto a = first->sign_digest(digest);
    auto b = second->sign_digest(digest);
    ASSERT_TRUE(a.has_value() && b.has_value()) << i;
    EXPECT_EQ(*a, first_expected) << i;
    EXPECT_EQ(*b, second_expected) << i;
    EXPECT_TRUE(first_pub->verify_digest(digest, *a)) << i;
    EXPECT_FALSE(second_pub->verify_digest(digest, *a)) << i;
    EXPECT_TRUE(second_pub->verify_digest(digest, *b)) << i;
  }
}

TEST(Keys, Ed25519SignatureOnAnotherThreadIsCorrect) {
  auto key = PrivateKey::from_ed25519_seed(std::string(32, '\x2a'));
  ASSERT_TRUE(key.has_value());
  auto pub = PublicKey::from_bytes(KeyType::ed25519, key->public_key_bytes());
  ASSERT_TRUE(pub.has_value());
  const Sha256Digest digest = sha256("list mail");
  const std::string expected = fresh_context_signature(*key, digest);
  ASSERT_TRUE(key->sign_digest(digest).has_value());  // this thread now has a cached context
  std::vector<std::string> signatures(2);
  std::thread other([&] {
    for (std::string& signature : signatures) {
      auto result = key->sign_digest(digest);
      signature = result ? *result : std::string();
    }
  });
  other.join();
  for (const std::string& signature : signatures) {
    EXPECT_EQ(signature, expected);
    EXPECT_TRUE(pub->verify_digest(digest, signature));
  }
  auto again = key->sign_digest(digest);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, expected);
}

}  // namespace
}  // namespace cqlist::auth::crypto
