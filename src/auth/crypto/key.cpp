// auth/crypto/key.cpp: private and public keys, SHA-256, and the per-thread signing contexts.
#include "auth/crypto/key.hpp"

#include <array>
#include <cstddef>
#include <vector>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "auth/crypto/base64.hpp"
#include "base/strings.hpp"

namespace cqlist::auth::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, PkeyFree{});
}

const unsigned char* bytes_of(std::string_view data) {
  return reinterpret_cast<const unsigned char*>(data.data());
}

// The text of the most recent OpenSSL error, clearing the queue so it does not leak into the
// next, unrelated call on this thread.
std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return "no detail from OpenSSL";
  }
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

Result<KeyType> type_of(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return KeyType::rsa;
    case EVP_PKEY_ED25519:
      return KeyType::ed25519;
    default:
      return fail(Errc::unsupported, "the key is neither RSA nor Ed25519");
  }
}

// An RSA signing context, initialised once per thread and key and then reused. A fresh
// EVP_PKEY_CTX makes OpenSSL 3 fetch the implementation again (under a lock all threads share)
// and set up new RSA blinding, which costs about a fifth of a signature. The context holds a
// reference to its key, so a cached key's address cannot be reused by another key; the few
// most recent keys of a thread are kept (keys change only on reload).
struct CachedSigningContext {
  EVP_PKEY* key;
  PkeyCtxPtr rsa;
};

thread_local std::vector<CachedSigningContext> signing_contexts;

const CachedSigningContext* signing_context(EVP_PKEY* key) {
  constexpr std::size_t kKeysPerThread = 8;
  auto& cache = signing_contexts;
  for (const CachedSigningContext& entry : cache) {
    if (entry.key == key) {
      return &entry;
    }
  }
  CachedSigningContext entry{key, PkeyCtxPtr(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr))};
  if (!entry.rsa || EVP_PKEY_sign_init(entry.rsa.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(entry.rsa.get(), RSA_PKCS1_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_signature_md(entry.rsa.get(), EVP_sha256()) <= 0) {
    return nullptr;
  }
  if (cache.size() == kKeysPerThread) {
    cache.erase(cache.begin());
  }
  cache.push_back(std::move(entry));
  return &cache.back();
}

// After a failed signature the context's state is unknown: the next one starts afresh.
void forget_signing_context(EVP_PKEY* key) {
  std::erase_if(signing_contexts,
                [key](const CachedSigningContext& entry) { return entry.key == key; });
}

}  // namespace

struct Ed25519SecretKey {
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> bytes{};  // the seed, then the public key
  Ed25519SecretKey() = default;
  Ed25519SecretKey(const Ed25519SecretKey&) = delete;
  Ed25519SecretKey& operator=(const Ed25519SecretKey&) = delete;

  ~Ed25519SecretKey() { sodium_memzero(bytes.data(), bytes.size()); }
};

std::string_view key_type_name(KeyType type) {
  return type == KeyType::rsa ? "rsa" : "ed25519";
}

Sha256Digest sha256(std::string_view data) {
  // Fetched once: EVP_sha256() makes OpenSSL 3 look the implementation up on every call, under
  // a lock all threads share, and a hash is made for every signed copy.
  static EVP_MD* const fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  Sha256Digest digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length,
             fetched != nullptr ? fetched : EVP_sha256(), nullptr);
  return digest;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
}

Sha256::Sha256(Sha256&& other) noexcept : ctx_(other.ctx_) {
  other.ctx_ = nullptr;
}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = other.ctx_;
    other.ctx_ = nullptr;
  }
  return *this;
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
}

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(ctx_, data.data(), data.size());
}

Sha256Digest Sha256::finish() {
  Sha256Digest digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_, digest.data(), &length);
  EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
  return digest;
}

Result<PrivateKey> PrivateKey::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) {
    return fail(Errc::bad_syntax, "cannot read the PEM private key: " + openssl_error());
  }
  auto key = own(raw);
  CQLIST_TRY(KeyType type, type_of(key.get()));
  if (type == KeyType::ed25519) {
    return from_ed25519_pkey(std::move(key));
  }
  return PrivateKey(std::move(key), type);
}

Result<PrivateKey> PrivateKey::from_ed25519_seed(std::string_view seed) {
  if (seed.size() != kEd25519SeedSize) {
    return fail(Errc::bad_syntax,
                "an Ed25519 private key is 32 bytes, got " + std::to_string(seed.size()));
  }
  EVP_PKEY* raw =
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes_of(seed), seed.size());
  if (raw == nullptr) {
    return fail(Errc::internal, "OpenSSL refused the Ed25519 key: " + openssl_error());
  }
  return from_ed25519_pkey(own(raw));
}

Result<PrivateKey> PrivateKey::from_ed25519_pkey(std::shared_ptr<EVP_PKEY> key) {
  static const bool sodium_ready = sodium_init() >= 0;
  if (!sodium_ready) {
    return fail(Errc::internal, "libsodium could not be initialised");
  }
  std::array<unsigned char, kEd25519SeedSize> seed{};
  std::size_t seed_length = seed.size();
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> openssl_public_key{};
  std::size_t public_length = openssl_public_key.size();
  auto secret = std::make_shared<Ed25519SecretKey>();
  const bool derived =
      EVP_PKEY_get_raw_private_key(key.get(), seed.data(), &seed_length) > 0 &&
      seed_length == seed.size() &&
      crypto_sign_seed_keypair(public_key.data(), secret->bytes.data(), seed.data()) == 0 &&
      EVP_PKEY_get_raw_public_key(key.get(), openssl_public_key.data(), &public_length) > 0 &&
      public_length == public_key.size() && public_key == openssl_public_key;
  sodium_memzero(seed.data(), seed.size());
  if (!derived) {
    ERR_clear_error();
    return fail(Errc::internal,
                "the Ed25519 key could not be prepared for signing (OpenSSL and libsodium "
                "disagree on its public half)");
  }
  return PrivateKey(std::move(key), KeyType::ed25519, std::move(secret));
}

Result<PrivateKey> PrivateKey::from_text(std::string_view text) {
  const std::string_view trimmed = trim(text);
  if (trimmed.starts_with("-----BEGIN")) {
    return from_pem(trimmed);
  }
  auto seed = base64_decode(trimmed);
  if (!seed || seed->size() != kEd25519SeedSize) {
    return fail(Errc::bad_syntax,
                "the key file is neither PEM nor a base64 32-byte Ed25519 private key");
  }
  return from_ed25519_seed(*seed);
}

unsigned PrivateKey::bits() const {
  return static_cast<unsigned>(EVP_PKEY_get_bits(key_.get()));
}

Result<std::string> PrivateKey::sign_digest(const Sha256Digest& digest) const {
  std::size_t length = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
  std::string signature(length, '\0');
  auto* out = reinterpret_cast<unsigned char*>(signature.data());
  if (type_ == KeyType::rsa) {
    const CachedSigningContext* cached = signing_context(key_.get());
    if (cached == nullptr ||
        EVP_PKEY_sign(cached->rsa.get(), out, &length, digest.data(), digest.size()) <= 0) {
      forget_signing_context(key_.get());
      return fail(Errc::internal, "RSA signing failed: " + openssl_error());
    }
  } else {
    unsigned long long signed_length = 0;
    if (ed25519_ == nullptr || crypto_sign_detached(out, &signed_length, digest.data(),
                                                    digest.size(), ed25519_->bytes.data()) != 0) {
      return fail(Errc::internal, "Ed25519 signing failed");
    }
    length = static_cast<std::size_t>(signed_length);
  }
  signature.resize(length);
  return signature;
}

std::string PrivateKey::public_key_bytes() const {
  if (type_ == KeyType::ed25519) {
    std::string raw(32, '\0');
    std::size_t length = raw.size();
    EVP_PKEY_get_raw_public_key(key_.get(), reinterpret_cast<unsigned char*>(raw.data()), &length);
    raw.resize(length);
    return raw;
  }
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key_.get(), &der);
  if (length <= 0) {
    return {};
  }
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

Result<PublicKey> PublicKey::from_bytes(KeyType type, std::string_view bytes) {
  if (type == KeyType::ed25519) {
    if (bytes.size() != 32) {
      return fail(Errc::bad_syntax,
                  "an Ed25519 public key is 32 bytes, p= has " + std::to_string(bytes.size()));
    }
    EVP_PKEY* raw =
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes_of(bytes), bytes.size());
    if (raw == nullptr) {
      return fail(Errc::bad_syntax, "OpenSSL refused the Ed25519 public key: " + openssl_error());
    }
    return PublicKey(own(raw), KeyType::ed25519);
  }
  const auto length = static_cast<long>(bytes.size());
  const unsigned char* cursor = bytes_of(bytes);
  // RFC 6376 §3.6.1 says SubjectPublicKeyInfo, but PKCS#1 RSAPublicKey keys are published and
  // other verifiers accept them (dkimpy's *.pub.rsa.txt vectors).
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &cursor, length);
  if (raw == nullptr) {
    ERR_clear_error();
    cursor = bytes_of(bytes);
    raw = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &cursor, length);
  }
  if (raw == nullptr || cursor != bytes_of(bytes) + bytes.size()) {
    EVP_PKEY_free(raw);
    return fail(Errc::bad_syntax,
                "p= is neither a SubjectPublicKeyInfo nor an RSAPublicKey: " + openssl_error());
  }
  auto key = own(raw);
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return fail(Errc::bad_syntax, "p= holds a key that is not RSA although k=rsa");
  }
  return PublicKey(std::move(key), KeyType::rsa);
}

unsigned PublicKey::bits() const {
  return static_cast<unsigned>(EVP_PKEY_get_bits(key_.get()));
}

bool PublicKey::verify_digest(const Sha256Digest& digest, std::string_view signature) const {
  int ok = 0;
  if (type_ == KeyType::rsa) {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
    ok = ctx && EVP_PKEY_verify_init(ctx.get()) > 0 &&
                 EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) > 0 &&
                 EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) > 0
             ? EVP_PKEY_verify(ctx.get(), bytes_of(signature), signature.size(), digest.data(),
                               digest.size())
             : 0;
  } else {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) > 0
             ? EVP_DigestVerify(ctx.get(), bytes_of(signature), signature.size(), digest.data(),
                                digest.size())
             : 0;
  }
  if (ok != 1) {
    ERR_clear_error();
  }
  return ok == 1;
}

}  // namespace cqlist::auth::crypto
