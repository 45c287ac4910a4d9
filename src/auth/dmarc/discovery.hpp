// auth/dmarc/discovery.hpp: finding the DMARC policy record for a From domain and the
// organizational domain of any name (RFC 9989 §4.10, the DNS tree walk).
//
// Owns: the walk itself (query _dmarc.<name>, then up one label at a time, jumping to the
// last seven labels when a name has eight or more), the rules for what counts as a record at
// a name (not starting with v=DMARC1: ignored; two DMARC records: none, §4.10 step 2), the
// psd=y / psd=n boundaries of organizational-domain selection (§4.10.2), and the RFC 7489
// compatibility mode (From domain, then its Public Suffix List registrable domain). Every
// name queried is recorded in `steps` so `cqlist dmarc` can show how a policy was found.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/dmarc/public_suffix.hpp"
#include "auth/dmarc/record.hpp"
#include "dns/resolver.hpp"

namespace cqlist::auth::dmarc {

enum class DiscoveryMode {
  tree_walk,    // RFC 9989 §4.10
  rfc7489_psl,  // RFC 7489 §6.6.3 with the Public Suffix List
};

struct DiscoveryOptions {
  DiscoveryMode mode = DiscoveryMode::tree_walk;
  const PublicSuffixList* psl = nullptr;  // required for rfc7489_psl
};

// What one _dmarc.<name> query gave.
struct WalkStep {
  std::string name;  // the name queried, "_dmarc.example.com"
  dns::Status status = dns::Status::nxdomain;
  // One line for a human: "no DMARC record", "DMARC record found", "2 DMARC records: both
  // ignored (RFC 9989 §4.10)", "record ignored: ...".
  std::string outcome;
  std::optional<Record> record;  // set when exactly one valid DMARC record was there
};

enum class DiscoveryStatus {
  found,           // a policy record applies
  none,            // no DMARC record anywhere on the walk
  temperror,       // a DNS failure stopped the walk
  invalid_domain,  // the From domain is not a domain name
};

std::string_view discovery_status_name(DiscoveryStatus status);

struct PolicyDiscovery {
  DiscoveryStatus status = DiscoveryStatus::none;
  std::string author_domain;  // lowercase, no trailing dot
  std::string record_domain;  // where the record was found (without "_dmarc.")
  std::optional<Record> record;
  std::string organizational_domain;  // of the author domain
  std::vector<WalkStep> steps;        // every query, in order
  std::string problem;                // for temperror / invalid_domain
};

// The names the tree walk queries for `domain`, without the "_dmarc." prefix, in order
// (§4.10 step 5): "a.b.example.com", "b.example.com", "example.com", "com".
std::vector<std::string> walk_targets(std::string_view domain);

// Policy discovery (§4.10.1) and, on the same queries, the organizational domain
// (§4.10.2). Never fails: DNS trouble is DiscoveryStatus::temperror.
PolicyDiscovery discover_policy(dns::Resolver& resolver, std::string_view from_domain,
                                const DiscoveryOptions& options = {});

struct OrganizationalDomain {
  std::string domain;
  bool temperror = false;
  std::vector<WalkStep> steps;
};

// The organizational domain of any name (§4.10.2), used for relaxed alignment (§4.4).
OrganizationalDomain organizational_domain(dns::Resolver& resolver, std::string_view domain,
                                           const DiscoveryOptions& options = {});

// The policy that applies to mail from `author_domain` when `record` was found at
// `record_domain` (§4.7: p for the domain itself, sp for subdomains, np for subdomains that do
// not exist).
Policy applicable_policy(const Record& record, std::string_view author_domain,
                         std::string_view record_domain, bool author_domain_exists);

}  // namespace cqlist::auth::dmarc
