// doctor/probe_checks.hpp: findings from what `cqlist doctor --probe` saw on the network.
//
// Owns: OUT-01's probe findings (the client address a large provider's MX reported back, per
// family, against the egress addresses the other checks ran for; port 25 blocked) and TLS-03
// (each MX of the list domain: STARTTLS offered, handshake, certificate chain and name). The
// connections are the CLI's (cli/doctor_probe.cpp); these only read DoctorInput.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "base/ip_address.hpp"
#include "doctor/doctor.hpp"
#include "doctor/finding.hpp"

namespace cqlist::doctor {

// The first bracketed address literal in an SMTP reply text, which is how servers report the
// client address: "mx.google.com at your service, [2001:db8::1]" -> 2001:db8::1;
// "[IPv6:2001:db8::1]" is read too.
std::optional<IpAddress> reported_client_address(std::string_view text);

// Nothing when input.egress_probes is empty.
std::vector<Finding> check_egress_probe(const DoctorInput& input);

// Nothing when input.mx_tls is absent.
std::vector<Finding> check_inbound_tls(const DoctorInput& input);

}  // namespace cqlist::doctor
