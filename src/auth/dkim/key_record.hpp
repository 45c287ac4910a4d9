// auth/dkim/key_record.hpp: the DKIM key record published at selector._domainkey.domain
// (RFC 6376 §3.6.1), as a value.
//
// Owns: parsing the TXT record text (its character-strings already joined, RFC 6376
// §3.6.2.2) and decoding p= into a crypto::PublicKey once, so that verifying many messages
// against one cached record costs no key parsing. A record that cannot be used is an Error
// (the verifier reports permerror with its message); an empty p= is a valid, revoked record.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/crypto/key.hpp"
#include "base/result.hpp"

namespace cqlist::auth::dkim {

struct KeyRecord {
  crypto::KeyType key_type = crypto::KeyType::rsa;  // k=, default rsa
  bool allows_sha256 = true;                        // h= lists sha256, or there is no h=
  bool testing = false;          // t=y: the domain is testing DKIM (RFC 6376 §3.6.1)
  bool strict_identity = false;  // t=s: i= must be exactly d=, not a subdomain
  // Empty when p= is empty: the key was revoked (§3.6.1).
  std::optional<crypto::PublicKey> key;

  bool revoked() const { return !key.has_value(); }
};

// Errc::bad_syntax / Errc::unsupported: v= not DKIM1 or not first, unknown k=, no p=, s= not
// covering email, a p= that is not a key of type k=.
Result<KeyRecord> parse_key_record(std::string_view text);

}  // namespace cqlist::auth::dkim
