// auth/arc/seal.hpp: adding an ARC set to a message (RFC 8617 §5.1).
//
// Owns: making the three fields of a new set: ARC-Authentication-Results from the
// authentication results this hop produced, ARC-Message-Signature (a relaxed/relaxed DKIM
// signature with i= instead of an identity) and ARC-Seal with the cv= the incoming chain earned.
// The incoming chain is validated first (validate.hpp); a chain whose newest seal already says
// cv=fail, or that is malformed or full (50 sets), gets no new set.
//
// Layout: tags in alphabetical order, lowercase, "; " between them, folded only between tags,
// never inside a value. Under relaxed canonicalization a fold equals one space, so the seal a
// later hop checks does not depend on where the lines were folded. RSA-SHA256 (RFC 8617 §4.1).
// See also: auth/dkim/sign.hpp (the DKIM signature of the same message).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/arc/validate.hpp"
#include "auth/crypto/key.hpp"
#include "base/result.hpp"
#include "dns/resolver.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::arc {

struct SealerConfig {
  std::string authserv_id;                // this host's authserv-id, first word of the AAR payload
  std::string domain;                     // d= of both signatures
  std::string selector;                   // s=
  std::optional<crypto::PrivateKey> key;  // RSA, at least 1024 bits (RFC 8301)
  // h= of the ARC-Message-Signature, in this order. Never ARC-Seal (RFC 8617 §4.1.2).
  std::vector<std::string> signed_headers = {
      "from",       "to",       "cc",           "subject",      "date",
      "message-id", "reply-to", "mime-version", "content-type", "content-transfer-encoding",
      "list-id"};
};

// One new set: field values for message.add_top(name, value).
struct SealedSet {
  unsigned instance = 0;
  ChainStatus chain_status = ChainStatus::none;
  std::string authentication_results;  // ARC-Authentication-Results
  std::string message_signature;       // ARC-Message-Signature
  std::string seal;                    // ARC-Seal

  // Adds the three fields at the top, ARC-Seal first in the message.
  void add_to(mail::Message& message) const;
};

struct SealOutcome {
  ArcOutcome incoming;           // the chain as received
  std::optional<SealedSet> set;  // absent when no set may be added
  std::string skipped_reason;    // why not, for the log
};

class Sealer {
 public:
  // Errc::invalid_argument: bad domain, selector or authserv-id, no key, a key that is not RSA
  // or under 1024 bits, ARC-Seal in the signed headers.
  static Result<Sealer> create(SealerConfig config);

  // Seals `message` whose chain was validated as `incoming`. `authentication_results` is this
  // hop's RFC 8601 result list without the authserv-id ("spf=pass smtp.mailfrom=...; dkim=...");
  // empty means "none". t= is `now`.
  Result<SealOutcome> seal(const mail::Message& message, std::string_view authentication_results,
                           ArcOutcome incoming, std::chrono::system_clock::time_point now) const;

  // Validates the chain through `resolver`, then seals.
  Result<SealOutcome> seal(const mail::Message& message, std::string_view authentication_results,
                           dns::Resolver& resolver,
                           std::chrono::system_clock::time_point now) const;

  const SealerConfig& config() const { return config_; }

 private:
  explicit Sealer(SealerConfig config) : config_(std::move(config)) {}

  SealerConfig config_;
};

// The results of every Authentication-Results field of `authserv_id` (compared without case),
// in message order, joined with "; " and a fold: the way the ValiMail suite and most sealers
// carry the inbound results into the AAR. Empty when there is none.
std::string merge_authentication_results(const mail::Message& message,
                                         std::string_view authserv_id);

}  // namespace cqlist::auth::arc
