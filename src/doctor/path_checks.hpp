// doctor/path_checks.hpp: checklist §4.1, §4.2 and §4.7: the outbound path, reverse DNS,
// the HELO name and TLS.
//
// Owns: OUT-01 (which addresses and families mail leaves from), OUT-02 (IPv6 readiness, from
// the other checks' findings for IPv6 addresses), OUT-03 (a relayhost), PTR-01/02/03 (a PTR
// per egress address that resolves back to it), HELO-01 (an FQDN resolving to the egress
// addresses), HELO-03 (SPF for the HELO name, used for bounces sent with MAIL FROM:<>) and
// TLS-01 (Postfix offers STARTTLS when sending).
#pragma once

#include <vector>

#include "dns/resolver.hpp"
#include "doctor/doctor.hpp"
#include "doctor/finding.hpp"

namespace cqlist::doctor {

std::vector<Finding> check_outbound(const DoctorInput& input);

std::vector<Finding> check_ptr_and_helo(dns::Resolver& resolver, const DoctorInput& input);

std::vector<Finding> check_tls(const DoctorInput& input);

// OUT-02, from the PTR/SPF findings already made for IPv6 egress addresses.
std::vector<Finding> check_ipv6_readiness(const DoctorInput& input,
                                          const std::vector<Finding>& findings);

}  // namespace cqlist::doctor
