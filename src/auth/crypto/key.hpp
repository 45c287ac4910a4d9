// auth/crypto/key.hpp: the OpenSSL 3 EVP keys DKIM and ARC sign and verify with.
//
// Owns: loading keys once (private keys from PEM or a raw Ed25519 seed, public keys from the
// bytes of a DKIM p= tag), SHA-256, and the two signature schemes of RFC 6376/8463:
// RSASSA-PKCS1-v1_5 with SHA-256 and PureEdDSA Ed25519. Both sign the SHA-256 digest of the
// data: RSA wraps it in a DigestInfo, Ed25519 signs the 32 digest bytes themselves (RFC 8463
// §3), so callers always hash first and pass the digest.
//
// Ed25519 signatures are made by libsodium, which signs about twice as fast as OpenSSL 3.0
// (a personalised fan-out makes one per member); Ed25519 is deterministic, so the bytes are
// the ones OpenSSL would give. Everything else, Ed25519 verification included, is OpenSSL's.
//
// Keys are immutable and cheap to copy (shared EVP_PKEY); sign and verify are safe to call from
// several threads at once.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"

using EVP_PKEY = struct evp_pkey_st;
using EVP_MD_CTX = struct evp_md_ctx_st;

namespace cqlist::auth::crypto {

struct Ed25519SecretKey;  // libsodium's form of an Ed25519 private key, wiped when freed

enum class KeyType { rsa, ed25519 };

std::string_view key_type_name(KeyType type);

constexpr std::size_t kSha256Size = 32;
constexpr std::size_t kEd25519SeedSize = 32;

using Sha256Digest = std::array<unsigned char, kSha256Size>;

Sha256Digest sha256(std::string_view data);

// Incremental SHA-256, for hashing canonicalized data piece by piece.
class Sha256 {
 public:
  Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  ~Sha256();

  void update(std::string_view data);
  Sha256Digest finish();

 private:
  EVP_MD_CTX* ctx_;
};

class PrivateKey {
 public:
  // PEM "RSA PRIVATE KEY" (PKCS#1), "PRIVATE KEY" (PKCS#8, RSA or Ed25519).
  static Result<PrivateKey> from_pem(std::string_view pem);

  // The 32-byte Ed25519 private key (seed) as RFC 8032 and RFC 8463 Appendix A give it.
  static Result<PrivateKey> from_ed25519_seed(std::string_view seed);

  // A key file's contents: PEM, or a base64 Ed25519 seed (dkimpy's and RFC 8463's format).
  static Result<PrivateKey> from_text(std::string_view text);

  KeyType type() const { return type_; }

  unsigned bits() const;

  // The signature over a SHA-256 digest (see the file comment).
  Result<std::string> sign_digest(const Sha256Digest& digest) const;

  // The public half as a DKIM p= value carries it (RSA: SubjectPublicKeyInfo DER; Ed25519:
  // the raw 32 bytes, RFC 8463 §4).
  std::string public_key_bytes() const;

  EVP_PKEY* native() const { return key_.get(); }

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> key, KeyType type,
             std::shared_ptr<const Ed25519SecretKey> ed25519 = nullptr)
      : key_(std::move(key)), type_(type), ed25519_(std::move(ed25519)) {}

  // An Ed25519 EVP_PKEY as a PrivateKey, with libsodium's form of it for signing.
  static Result<PrivateKey> from_ed25519_pkey(std::shared_ptr<EVP_PKEY> key);

  std::shared_ptr<EVP_PKEY> key_;
  KeyType type_;
  std::shared_ptr<const Ed25519SecretKey> ed25519_;  // set when type_ is ed25519
};

class PublicKey {
 public:
  // RSA: SubjectPublicKeyInfo or PKCS#1 RSAPublicKey DER (both occur in DKIM records);
  // Ed25519: the raw 32-byte key (RFC 8463 §4).
  static Result<PublicKey> from_bytes(KeyType type, std::string_view bytes);

  KeyType type() const { return type_; }

  unsigned bits() const;

  // False for a wrong signature and for one OpenSSL cannot even parse.
  bool verify_digest(const Sha256Digest& digest, std::string_view signature) const;

  EVP_PKEY* native() const { return key_.get(); }

 private:
  PublicKey(std::shared_ptr<EVP_PKEY> key, KeyType type) : key_(std::move(key)), type_(type) {}

  std::shared_ptr<EVP_PKEY> key_;
  KeyType type_;
};

}  // namespace cqlist::auth::crypto
