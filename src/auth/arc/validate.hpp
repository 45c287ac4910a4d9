// auth/arc/validate.hpp: validating the ARC chain of a received message (RFC 8617 §5.2).
//
// Owns: the chain verdict (cv = none / pass / fail), the oldest-pass value (§5.2 step 5) and a
// per-set account of what was checked, each with a reason an operator can act on. Like DKIM
// outcomes, a broken chain is a value, never an Error.
//
// Steps, as in §5.2: collect the sets (none → cv=none); the newest seal says cv=fail → fail;
// structure (instances 1..N, one field of each kind, at most 50; seal 1 says cv=none and every
// later seal cv=pass); the newest ARC-Message-Signature must verify; older ones only give
// oldest-pass; every ARC-Seal, newest first, must verify.
// The core takes a KeyFinder so it runs without DNS in tests; the Resolver overload looks keys
// up at selector._domainkey.domain like DKIM does. See also: seal.hpp, chain.hpp.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/arc/header.hpp"
#include "auth/dkim/verify.hpp"
#include "dns/resolver.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::arc {

enum class Check { not_checked, pass, fail };

std::string_view check_name(Check check);

struct SetOutcome {
  unsigned instance = 0;
  std::string seal_domain;      // d= of the ARC-Seal (who vouched for this hop)
  std::string seal_selector;    // s= of the ARC-Seal
  std::string results_payload;  // the ARC-Authentication-Results after "i=N;"
  Check message_signature = Check::not_checked;
  std::string message_signature_reason;  // empty when it passed or was not checked
  Check seal = Check::not_checked;
  std::string seal_reason;
};

struct ArcOutcome {
  ChainStatus result = ChainStatus::none;
  // Why the chain failed, in words an operator understands; empty for pass and none.
  std::string reason;
  // §5.2 step 5: the oldest instance from which every ARC-Message-Signature still verifies;
  // 0 when all do (only meaningful for pass).
  unsigned oldest_pass = 0;
  // The set the failure was found in, when it was one set's fault.
  std::optional<unsigned> failed_instance;
  std::vector<SetOutcome> sets;  // instance order, 1..N (empty when the structure is broken)
  // The newest seal says cv=fail: a forwarder ended the chain and nobody may extend it
  // (RFC 8617 §5.1.2).
  bool closed = false;
};

using KeyFinder =
    std::function<dkim::KeyLookup(std::string_view selector, std::string_view domain)>;

ArcOutcome validate(const mail::Message& message, const KeyFinder& find_key,
                    std::chrono::system_clock::time_point now);

ArcOutcome validate(const mail::Message& message, dns::Resolver& resolver,
                    std::chrono::system_clock::time_point now);

}  // namespace cqlist::auth::arc
