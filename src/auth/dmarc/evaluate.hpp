// auth/dmarc/evaluate.hpp: the DMARC verdict for one message (RFC 9989 §4.4, §5.3).
//
// Owns: identifier alignment (strict: same name; relaxed: same organizational domain) of the
// SPF-authenticated MAIL FROM domain and each DKIM d= with the From domain, the result
// (pass/fail/none/temperror/permerror), and the policy to apply with t=y downgrading it one
// step (§4.7 "t"). SPF and DKIM outcomes come in as plain words and domains, so this code does
// not depend on how they were computed (the SPF evaluator, DKIM verifier, or a trusted
// Authentication-Results field).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/dmarc/discovery.hpp"
#include "auth/dmarc/record.hpp"
#include "dns/resolver.hpp"

namespace cqlist::auth::dmarc {

struct SpfInput {
  std::string result;  // RFC 7208 §2.6 word: "pass", "fail", "softfail", "temperror", ...
  std::string domain;  // the MAIL FROM domain it was evaluated for
};

struct DkimInput {
  std::string result;  // RFC 8601 §2.7.1 word: "pass", "fail", "temperror", ...
  std::string domain;  // the signature's d=
};

struct DmarcInputs {
  std::string from_domain;  // RFC5322.From domain
  SpfInput spf;
  std::vector<DkimInput> dkim;
};

enum class DmarcResult { pass, fail, none, temperror, permerror };

// "pass", "fail", "none", "temperror", "permerror" (RFC 8601 §2.7.x vocabulary).
std::string_view dmarc_result_name(DmarcResult result);

struct Evaluation {
  DmarcResult result = DmarcResult::none;
  // What the Domain Owner asks for this message: none unless the result is fail.
  Policy disposition = Policy::none;
  // The policy from the record before t=y downgraded it (equal to disposition otherwise).
  Policy requested = Policy::none;
  bool testing = false;
  bool spf_aligned = false;
  std::optional<std::string> aligned_dkim_domain;
  // One or two sentences for a human: why this result and this disposition.
  std::string reason;
  PolicyDiscovery discovery;
};

// Gives the organizational domain of a name; std::nullopt on a DNS failure.
using OrgDomainFunction = std::function<std::optional<std::string>(std::string_view)>;

// The verdict from an already-made discovery; `org_domain` answers relaxed-alignment
// questions for names other than the From domain. `author_domain_exists` matters only for np=.
Evaluation evaluate_discovered(PolicyDiscovery discovery, const DmarcInputs& inputs,
                               const OrgDomainFunction& org_domain,
                               bool author_domain_exists = true);

// Discovery plus evaluation through `resolver`.
Evaluation evaluate(dns::Resolver& resolver, const DmarcInputs& inputs,
                    const DiscoveryOptions& options = {});

}  // namespace cqlist::auth::dmarc
