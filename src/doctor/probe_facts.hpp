// doctor/probe_facts.hpp: what `cqlist doctor --probe` saw on the network, as plain values.
//
// Owns: the facts the CLI's SMTP probes hand the doctor (cli/doctor_probe.cpp makes the
// connections; doctor/ never opens one): the client address a large provider's MX reported
// back per address family, and how each MX of the list domain did STARTTLS.
#pragma once

#include <optional>
#include <string>

#include "base/ip_address.hpp"

namespace cqlist::doctor {

// One EHLO to a large provider's MX over one address family (checklist OUT-01).
struct EgressProbe {
  bool ipv6 = false;
  std::string target;  // "gmail-smtp-in.l.google.com:25 (2a00:1450::1b)"
  bool connected = false;
  // The connection failed because this host has no route in the family (no IPv6 at all),
  // rather than being refused or timing out on the way (port 25 blocked).
  bool no_route = false;
  std::string error;              // why there was no SMTP conversation
  std::optional<IpAddress> seen;  // the client address the server reported back
  std::string reply;              // the greeting or EHLO line it was read from
};

// One MX of the list domain, connected to on port 25 (checklist TLS-03).
struct MxTlsProbe {
  std::string mx;       // "mx.cq-test.example"
  std::string address;  // the address connected to
  bool connected = false;
  std::string error;  // no SMTP conversation, or the STARTTLS handshake failed
  bool starttls = false;
  bool handshake = false;
  bool verified = false;     // the chain is trusted and the certificate names the MX
  std::string verify_error;  // OpenSSL's reason when not verified
  std::string tls_version;   // "TLSv1.3"
};

}  // namespace cqlist::doctor
