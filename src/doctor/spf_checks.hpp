// doctor/spf_checks.hpp: checklist §4.3, the SPF record of the list's envelope domain.
//
// Owns: SPF-01 (exactly one record), SPF-02 (syntax), SPF-03/04 (lookup and void limits, with
// the cost of each include), SPF-05/06 (loops, includes without a record), SPF-07/08 (the
// verdict for every egress address, IPv4 and IPv6 apart, with the evaluation trace), SPF-09
// (the all qualifier), SPF-10 (ptr), SPF-11 (terms after all), SPF-13 (includes that
// authorize none of this host's addresses), SPF-16 (very wide ranges), and the corrected
// record they all point to: working includes kept, the self-include and ptr dropped, ip4:/ip6:
// added for every egress address that does not pass.
#pragma once

#include <string>
#include <vector>

#include "auth/spf/record.hpp"
#include "dns/resolver.hpp"
#include "doctor/doctor.hpp"
#include "doctor/finding.hpp"

namespace cqlist::doctor {

// The DNS lookups a record costs under RFC 7208 §4.6.4, term by term.
struct TermCost {
  std::string term;      // "include:_spf.example.net"
  unsigned lookups = 0;  // this term and everything below it
  unsigned voids = 0;
  std::string problem;  // "loop: a -> a", "no SPF record at x", empty when fine
};

struct RecordCost {
  std::vector<TermCost> terms;  // only the terms that query DNS
  unsigned lookups = 0;
  unsigned voids = 0;
};

// Walks includes and redirects of `record` (published at `domain`) without evaluating it.
RecordCost record_cost(dns::Resolver& resolver, const auth::spf::Record& record,
                       const std::string& domain);

std::vector<Finding> check_spf(dns::Resolver& resolver, const DoctorInput& input);

}  // namespace cqlist::doctor
