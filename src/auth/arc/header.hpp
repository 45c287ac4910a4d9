// auth/arc/header.hpp: the three header fields of an ARC set (RFC 8617 §4.1) as values.
//
// Owns: strict parsing of ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results field
// values, and the names of those fields. Anything that makes a field unusable (a missing or
// duplicated tag, an instance outside 1..50, cv= other than none/pass/fail, h= in a seal) is
// an Error whose message becomes the reason the chain fails (validate.hpp); parsing never
// guesses. ARC reuses the DKIM tag-list syntax (RFC 8617 §4.1.2, §4.1.3: "the same as
// DKIM-Signature"), so the syntax itself lives in auth/dkim/tag_list.hpp.
// See also: chain.hpp (grouping fields into sets), validate.hpp, seal.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/dkim/signature.hpp"
#include "base/result.hpp"

namespace cqlist::auth::arc {

inline constexpr std::string_view kSealField = "ARC-Seal";
inline constexpr std::string_view kMessageSignatureField = "ARC-Message-Signature";
inline constexpr std::string_view kAuthenticationResultsField = "ARC-Authentication-Results";

// RFC 8617 §4.2.1: instances run from 1 to 50.
inline constexpr unsigned kMaxInstance = 50;

// The chain validation status a sealer records (cv=, RFC 8617 §4.1.3) and a validator reports
// (RFC 8617 §5.2).
enum class ChainStatus { none, pass, fail };

std::string_view chain_status_name(ChainStatus status);

// ARC-Message-Signature: a DKIM signature without v= whose i= is the instance (RFC 8617 §4.1.2).
// `signature` is filled so that dkim::verify() can check it (identity "@" + d).
struct MessageSignature {
  unsigned instance = 0;
  dkim::Signature signature;
};

// ARC-Seal (RFC 8617 §4.1.3).
struct Seal {
  unsigned instance = 0;
  dkim::Algorithm algorithm = dkim::Algorithm::rsa_sha256;
  ChainStatus chain_status = ChainStatus::none;
  std::string domain;     // d=, lowercased
  std::string selector;   // s=, lowercased
  std::string signature;  // b=, decoded
  std::optional<std::int64_t> timestamp;
};

// ARC-Authentication-Results: "i=N;" followed by an RFC 8601 payload (RFC 8617 §4.1.1).
struct AuthenticationResults {
  unsigned instance = 0;
  std::string payload;  // everything after "i=N;", trimmed
};

// The i= value of any ARC field: 1..50, decimal, no sign. Errc::bad_syntax otherwise.
Result<unsigned> parse_instance(std::string_view text);

// The instance of a field of one of the three kinds, without checking anything else; used to
// group fields into sets before they are checked one by one.
Result<unsigned> field_instance(std::string_view field_name, std::string_view field_value);

Result<MessageSignature> parse_message_signature(std::string_view field_value);
Result<Seal> parse_seal(std::string_view field_value);
Result<AuthenticationResults> parse_authentication_results(std::string_view field_value);

}  // namespace cqlist::auth::arc
