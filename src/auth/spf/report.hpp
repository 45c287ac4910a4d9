// auth/spf/report.hpp: how an SPF outcome is written down for mail and for people.
//
// Owns: the Received-SPF field value (RFC 7208 §9.1), the spf= part of an
// Authentication-Results field (RFC 8601 §2.7.2, RFC 7208 §9.2), and the trace as numbered
// plain-language lines for an operator (`cqlist spf --trace`, later `doctor`).
#pragma once

#include <string>

#include "auth/spf/check_host.hpp"

namespace cqlist::auth::spf {

// "pass (example.net: domain of a@example.org designates 192.0.2.1 as permitted sender)
//  client-ip=192.0.2.1; envelope-from="a@example.org"; helo=mx.example.org;
//  identity=mailfrom; receiver=example.net;" on one line.
std::string received_spf(const SpfOutcome& outcome, const std::string& receiver);

// "spf=pass smtp.mailfrom=a@example.org" or "spf=none smtp.helo=mx.example.org".
std::string authentication_results_fragment(const SpfOutcome& outcome);

// One line per step, indented by include depth, ending with the result line.
std::string describe_trace(const SpfOutcome& outcome);

// What the result means for the operator, and what to do about it, in one sentence.
std::string result_meaning(SpfResult result);

}  // namespace cqlist::auth::spf
