// auth/dmarc/evaluate.cpp: alignment and the DMARC result.
#include "auth/dmarc/evaluate.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist::auth::dmarc {
namespace {

std::string normalize(std::string_view domain) {
  std::string out = to_ascii_lower(trim(domain));
  if (!out.empty() && out.back() == '.') {
    out.pop_back();
  }
  return out;
}

enum class Aligned { yes, no, unknown };

// §4.4.1 / §4.4.2: strict needs the same name; relaxed the same organizational domain.
Aligned aligned(std::string_view identifier, const PolicyDiscovery& discovery, Alignment mode,
                const OrgDomainFunction& org_domain) {
  std::string name = normalize(identifier);
  if (name.empty()) {
    return Aligned::no;
  }
  if (name == discovery.author_domain) {
    return Aligned::yes;
  }
  if (mode == Alignment::strict) {
    return Aligned::no;
  }
  std::optional<std::string> org = org_domain(name);
  if (!org) {
    return Aligned::unknown;
  }
  return *org == discovery.organizational_domain ? Aligned::yes : Aligned::no;
}

Policy downgrade(Policy policy) {
  return policy == Policy::reject ? Policy::quarantine : Policy::none;
}

}  // namespace

std::string_view dmarc_result_name(DmarcResult result) {
  switch (result) {
    case DmarcResult::pass:
      return "pass";
    case DmarcResult::fail:
      return "fail";
    case DmarcResult::none:
      return "none";
    case DmarcResult::temperror:
      return "temperror";
    case DmarcResult::permerror:
      return "permerror";
  }
  return "none";
}

Evaluation evaluate_discovered(PolicyDiscovery discovery, const DmarcInputs& inputs,
                               const OrgDomainFunction& org_domain, bool author_domain_exists) {
  Evaluation out;
  out.discovery = std::move(discovery);
  const PolicyDiscovery& found = out.discovery;
  switch (found.status) {
    case DiscoveryStatus::invalid_domain:
      out.result = DmarcResult::permerror;
      out.reason = found.problem + "; DMARC cannot be evaluated";
      return out;
    case DiscoveryStatus::temperror:
      out.result = DmarcResult::temperror;
      out.reason =
          "the DMARC policy could not be looked up (" + found.problem + "); try again later";
      return out;
    case DiscoveryStatus::none:
      out.result = DmarcResult::none;
      out.reason = fmt::format("{} publishes no DMARC policy", found.author_domain);
      return out;
    case DiscoveryStatus::found:
      break;
  }
  const Record& record = *found.record;
  out.testing = record.testing;

  bool any_unknown = false;
  bool spf_pass = iequals(trim(inputs.spf.result), "pass");
  if (spf_pass) {
    Aligned a = aligned(inputs.spf.domain, found, record.spf_alignment, org_domain);
    out.spf_aligned = a == Aligned::yes;
    any_unknown = any_unknown || a == Aligned::unknown;
  }
  bool aligned_temperror = false;
  for (const DkimInput& dkim : inputs.dkim) {
    bool pass = iequals(trim(dkim.result), "pass");
    bool temp = iequals(trim(dkim.result), "temperror");
    if (!pass && !temp) {
      continue;
    }
    Aligned a = aligned(dkim.domain, found, record.dkim_alignment, org_domain);
    any_unknown = any_unknown || a == Aligned::unknown;
    if (a == Aligned::yes && pass && !out.aligned_dkim_domain) {
      out.aligned_dkim_domain = normalize(dkim.domain);
    }
    aligned_temperror = aligned_temperror || (a == Aligned::yes && temp);
  }
  if (iequals(trim(inputs.spf.result), "temperror") &&
      aligned(inputs.spf.domain, found, record.spf_alignment, org_domain) == Aligned::yes) {
    aligned_temperror = true;
  }

  // §4.4: DMARC passes when at least one authenticated identifier is aligned.
  if (out.spf_aligned || out.aligned_dkim_domain) {
    out.result = DmarcResult::pass;
    out.reason = out.aligned_dkim_domain
                     ? fmt::format(
                           "DKIM signature of {} passed and is aligned with the From "
                           "domain {}",
                           *out.aligned_dkim_domain, found.author_domain)
                     : fmt::format("SPF passed for {} which is aligned with the From domain {}",
                                   normalize(inputs.spf.domain), found.author_domain);
    return out;
  }
  if (aligned_temperror || any_unknown) {
    out.result = DmarcResult::temperror;
    out.reason =
        "no aligned identifier passed, but an aligned check (or an organizational-domain "
        "lookup) failed temporarily; try again later";
    return out;
  }
  out.result = DmarcResult::fail;
  out.requested =
      applicable_policy(record, found.author_domain, found.record_domain, author_domain_exists);
  out.disposition = record.testing ? downgrade(out.requested) : out.requested;
  std::string why;
  if (!spf_pass && inputs.dkim.empty()) {
    why = "SPF did not pass and the message has no DKIM signature";
  } else {
    why = fmt::format(
        "neither SPF ({} for {}) nor any DKIM signature passed aligned with {} "
        "({} alignment for SPF, {} for DKIM)",
        inputs.spf.result.empty() ? "none" : inputs.spf.result,
        inputs.spf.domain.empty() ? "no domain" : inputs.spf.domain, found.author_domain,
        alignment_name(record.spf_alignment), alignment_name(record.dkim_alignment));
  }
  out.reason = fmt::format("{}; the policy of {} asks for {}", why, found.record_domain,
                           policy_name(out.requested));
  if (record.testing && out.requested != out.disposition) {
    out.reason += fmt::format(", lowered to {} because the record says t=y (testing)",
                              policy_name(out.disposition));
  }
  return out;
}

Evaluation evaluate(dns::Resolver& resolver, const DmarcInputs& inputs,
                    const DiscoveryOptions& options) {
  PolicyDiscovery discovery = discover_policy(resolver, inputs.from_domain, options);
  bool exists = true;
  if (discovery.status == DiscoveryStatus::found &&
      discovery.record_domain != discovery.author_domain && discovery.record->nonexistent_policy) {
    // RFC 9989 §4.7 np: "non-existent" is an NXDOMAIN for the name.
    exists =
        resolver.query(discovery.author_domain, dns::RecordType::a).status != dns::Status::nxdomain;
  }
  OrgDomainFunction org = [&](std::string_view name) -> std::optional<std::string> {
    OrganizationalDomain found = organizational_domain(resolver, name, options);
    if (found.temperror) {
      return std::nullopt;
    }
    return found.domain;
  };
  return evaluate_discovered(std::move(discovery), inputs, org, exists);
}

}  // namespace cqlist::auth::dmarc
