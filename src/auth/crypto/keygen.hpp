// auth/crypto/keygen.hpp: making new DKIM signing keys and writing them out.
//
// Owns: key generation for `cqlist dkim keygen` (RSA of a chosen size, Ed25519) and the PEM
// form the key file is written in. PKCS#8 "PRIVATE KEY" PEM is what PrivateKey::from_pem
// reads back and what OpenSSL, dkimpy (RSA) and opendkim accept.
// See also: key.hpp (loading and using keys), auth/dkim/publish.hpp (the DNS record).
#pragma once

#include <string>

#include "auth/crypto/key.hpp"
#include "base/result.hpp"

namespace cqlist::auth::crypto {

// RFC 8301 §3.2: signers use RSA keys of at least 1024 bits; 2048 is cqlist's default.
inline constexpr unsigned kDefaultRsaBits = 2048;

// Errc::invalid_argument: RSA bits outside 1024..8192 (ignored for Ed25519).
Result<PrivateKey> generate_private_key(KeyType type, unsigned rsa_bits = kDefaultRsaBits);

// The key as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), unencrypted.
Result<std::string> private_key_pem(const PrivateKey& key);

}  // namespace cqlist::auth::crypto
