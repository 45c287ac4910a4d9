// auth/crypto/hmac.cpp: HMAC-SHA256 through OpenSSL's EVP_MAC, keyed once per thread and key.
#include "auth/crypto/hmac.hpp"

#include <memory>
#include <string>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace cqlist::auth::crypto {
namespace {

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// A token is made per list member and copy. OpenSSL's one-shot HMAC() fetches the algorithm
// and sets up the key each time, under a lock all threads share; a context keyed once and
// duplicated per use skips both. Keys are the few secrets of a process.
struct KeyedContext {
  std::string key;
  MacCtxPtr ctx;
};

thread_local std::vector<KeyedContext> keyed_contexts;

EVP_MAC_CTX* keyed_context(std::string_view key) {
  constexpr std::size_t kKeysPerThread = 8;
  for (const KeyedContext& entry : keyed_contexts) {
    if (entry.key == key) {
      return entry.ctx.get();
    }
  }
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (hmac == nullptr) {
    return nullptr;
  }
  MacCtxPtr ctx(EVP_MAC_CTX_new(hmac));
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()),
                           key.size(), params) <= 0) {
    return nullptr;
  }
  if (keyed_contexts.size() == kKeysPerThread) {
    keyed_contexts.erase(keyed_contexts.begin());
  }
  keyed_contexts.push_back({std::string(key), std::move(ctx)});
  return keyed_contexts.back().ctx.get();
}

}  // namespace

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  Sha256Digest digest{};
  // Cannot fail for SHA-256 with in-memory inputs; a failure would mean OpenSSL is unusable,
  // and an all-zero digest then never matches a real token.
  EVP_MAC_CTX* keyed = keyed_context(key);
  MacCtxPtr ctx(keyed != nullptr ? EVP_MAC_CTX_dup(keyed) : nullptr);
  std::size_t length = 0;
  if (!ctx ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) <=
          0 ||
      EVP_MAC_final(ctx.get(), digest.data(), &length, digest.size()) <= 0) {
    return Sha256Digest{};
  }
  return digest;
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace cqlist::auth::crypto
