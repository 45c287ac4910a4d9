#include "auth/crypto/keygen.hpp"

#include <memory>

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace cqlist::auth::crypto {
namespace {

std::string take_openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) {
    return "no detail from OpenSSL";
  }
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

}  // namespace

Result<PrivateKey> generate_private_key(KeyType type, unsigned rsa_bits) {
  constexpr unsigned kMinRsaBits = 1024;
  constexpr unsigned kMaxRsaBits = 8192;
  if (type == KeyType::rsa && (rsa_bits < kMinRsaBits || rsa_bits > kMaxRsaBits)) {
    return fail(Errc::invalid_argument,
                "RSA keys for DKIM must be 1024 to 8192 bits, not " + std::to_string(rsa_bits));
  }
  EVP_PKEY* raw = type == KeyType::rsa
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits))
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (raw == nullptr) {
    return fail(Errc::internal, "OpenSSL could not generate the key: " + take_openssl_error());
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> generated(raw, &EVP_PKEY_free);
  // PrivateKey is built from PEM only (its constructor is private); the round trip also
  // proves the written form is one the loader accepts.
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), generated.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return fail(Errc::internal, "OpenSSL could not write the new key: " + take_openssl_error());
  }
  BUF_MEM* buffer = nullptr;
  BIO_get_mem_ptr(bio.get(), &buffer);
  return PrivateKey::from_pem(std::string_view(buffer->data, buffer->length));
}

Result<std::string> private_key_pem(const PrivateKey& key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.native(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    return fail(Errc::internal, "OpenSSL could not write the key: " + take_openssl_error());
  }
  BUF_MEM* buffer = nullptr;
  BIO_get_mem_ptr(bio.get(), &buffer);
  return std::string(buffer->data, buffer->length);
}

}  // namespace cqlist::auth::crypto
