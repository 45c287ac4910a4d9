// auth/crypto/hmac.cpp: HMAC-SHA256 through OpenSSL's one-shot HMAC().
#include "auth/crypto/hmac.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace cqlist::auth::crypto {

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  // HMAC() cannot fail for SHA-256 with in-memory inputs; a null result would mean OpenSSL is
  // unusable, and an all-zero digest then never matches a real token.
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return digest;
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace cqlist::auth::crypto
