// cli/doctor_probe.hpp: `cqlist doctor --probe`: the SMTP conversations the doctor may not have.
//
// Owns: one short SMTP probe (connect over the family asked, greeting, EHLO, STARTTLS with a
// verified handshake when offered, EHLO again, QUIT; never MAIL, RCPT or DATA; 10 s per step)
// and the two uses of it that fill doctor::DoctorInput: the client address a large provider's
// MX reports back per family (OUT-01), and each MX of the list domain over STARTTLS (TLS-03).
// doctor/ turns these facts into findings; it opens no connection itself.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "base/ip_address.hpp"
#include "dns/resolver.hpp"
#include "doctor/doctor.hpp"

namespace cqlist::cli {

struct DoctorProbeArgs {
  bool probe = false;
  std::string probe_host = "gmail-smtp-in.l.google.com:25";  // HOST[:PORT], [IPv6]:PORT
  std::uint16_t mx_port = 25;
  std::string ca_file;  // trust only these CAs (tests); default: the system's store
};

// Adds --probe, --probe-host, --probe-mx-port and --ca-file.
void add_doctor_probe_options(CLI::App& cmd, DoctorProbeArgs& args);

struct SmtpProbeTarget {
  std::string name;  // the host name the certificate must carry (or the address)
  IpAddress address;
  std::uint16_t port = 25;
  std::string helo = "localhost";
  std::optional<IpAddress> bind;  // the local address to connect from, when Postfix pins one
  std::string ca_file;
  std::chrono::seconds timeout{10};
};

struct SmtpProbeResult {
  bool connected = false;  // an SMTP greeting and EHLO reply came back
  bool no_route = false;   // the connect failed for want of a route or address in the family
  std::string error;       // why the conversation stopped short ("" when it ran to QUIT)
  std::string greeting;    // the 220 line
  std::string ehlo_first;  // the first line of the (first) EHLO reply
  std::optional<IpAddress> client_address;  // what the server said it saw
  bool starttls = false;                    // offered in the EHLO reply
  bool handshake = false;
  bool verified = false;
  std::string verify_error;  // OpenSSL's reason the chain or name did not verify
  std::string tls_version;
};

// Never sends anything but EHLO (HELO), STARTTLS and QUIT.
SmtpProbeResult probe_smtp(const SmtpProbeTarget& target);

// Probes when args.probe: fills input.egress_probes and input.mx_tls.
void add_probe_facts(const DoctorProbeArgs& args, dns::Resolver& resolver,
                     doctor::DoctorInput& input);

}  // namespace cqlist::cli
