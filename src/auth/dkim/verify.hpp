// auth/dkim/verify.hpp: checks the DKIM-Signature fields of a received message (RFC 6376 §6).
//
// Owns: the DKIM verdict of each signature, as a value: a bad signature is an outcome with a
// reason an operator understands, never an Error. verify() is the sans-I/O core (the caller
// brings the parsed key record and the time); verify_all() is the thin shell that finds every
// signature and looks its key up through dns::Resolver.
//
// RFC 8301: rsa-sha1 signatures and RSA keys under 1024 bits are never a pass.
// See also: sign.hpp, key_record.hpp, canonicalize.hpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/dkim/canonicalize.hpp"
#include "auth/dkim/key_record.hpp"
#include "auth/dkim/signature.hpp"
#include "dns/resolver.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::dkim {

// The RFC 8601 §2.7.1 result words.
enum class DkimResult { none, pass, fail, neutral, temperror, permerror, policy };

std::string_view result_name(DkimResult result);

struct DkimOutcome {
  DkimResult result = DkimResult::none;
  std::string reason;                  // empty for pass: "body hash mismatch", "key revoked", ...
  std::optional<Signature> signature;  // absent when the field did not parse
  std::size_t field_index = 0;         // which field of the message
  unsigned key_bits = 0;               // size of the key used, when one was found
  bool testing = false;                // the key record says t=y
};

// Checks the DKIM-Signature field at `field_index`, already parsed into `signature`, against
// its key record, as of `now` (x= expiry). `body_hashes`, when given, must belong to
// message.body(); several signatures over one body then hash it once per canonicalization.
DkimOutcome verify(const mail::Message& message, std::size_t field_index,
                   const Signature& signature, const KeyRecord& key,
                   std::chrono::system_clock::time_point now, BodyHashCache* body_hashes = nullptr);

// The key record at selector._domainkey.domain. `record` is set when the lookup found a usable
// record; otherwise `result` says why not: permerror "key not found" (NXDOMAIN, NODATA, no TXT)
// or "bad key record: ...", temperror for SERVFAIL or a timeout. Shared with ARC.
struct KeyLookup {
  DkimResult result = DkimResult::none;
  std::string reason;
  std::optional<KeyRecord> record;
};

KeyLookup lookup_key(dns::Resolver& resolver, std::string_view selector, std::string_view domain);

// Every DKIM-Signature field of `message`, in message order, each with its own outcome.
// Keys come from TXT selector._domainkey.domain: no record → permerror "key not found",
// SERVFAIL or timeout → temperror.
std::vector<DkimOutcome> verify_all(const mail::Message& message, dns::Resolver& resolver,
                                    std::chrono::system_clock::time_point now);

}  // namespace cqlist::auth::dkim
