// auth/dkim/signature.hpp: the DKIM-Signature header field as a value (RFC 6376 §3.5).
//
// Owns: parsing a DKIM-Signature field value into a Signature, strictly. Anything that makes
// a signature unverifiable (a missing required tag, a duplicate tag, v= other than 1, an
// algorithm cqlist does not accept, i= outside d=, h= without From) is an Error whose message
// becomes the reason of a permerror outcome (verify.hpp); parsing never throws or guesses.
// See also: tag_list.hpp (syntax), key_record.hpp (the DNS side).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crypto/key.hpp"
#include "base/result.hpp"

namespace cqlist::auth::dkim {

// rsa-sha1 is not an Algorithm on purpose: RFC 8301 §3.1 forbids verifying or signing with it.
enum class Algorithm { rsa_sha256, ed25519_sha256 };

std::string_view algorithm_name(Algorithm algorithm);

crypto::KeyType key_type_of(Algorithm algorithm);

enum class Canonicalization { simple, relaxed };

std::string_view canonicalization_name(Canonicalization canonicalization);

struct Signature {
  Algorithm algorithm = Algorithm::rsa_sha256;
  Canonicalization header_canonicalization = Canonicalization::simple;
  Canonicalization body_canonicalization = Canonicalization::simple;
  std::string domain;                        // d=, lowercased
  std::string selector;                      // s=, lowercased
  std::string identity;                      // i=, defaults to "@" + d
  std::vector<std::string> signed_headers;   // h=, lowercased, in order, duplicates kept
  std::string body_hash;                     // bh=, decoded
  std::string signature;                     // b=, decoded
  std::string signature_base64;              // b= without white space (for header.b=, RFC 6008)
  std::optional<std::uint64_t> body_length;  // l=
  std::optional<std::int64_t> timestamp;     // t=
  std::optional<std::int64_t> expiration;    // x=

  // The domain part of i= (lowercased).
  std::string identity_domain() const;
};

Result<Signature> parse_signature(std::string_view field_value);

// Syntax of d= and s= values: dot-separated labels of letters, digits, "-" and "_"
// (selectors and A-label domains; RFC 6376 §3.1, §3.5).
bool is_domain_name(std::string_view text);

}  // namespace cqlist::auth::dkim
