// doctor/sending_path.hpp: where list mail leaves this host, and under which names.
//
// Owns: the doctor's inputs about the outbound path: the host's global addresses
// (getifaddrs), the Postfix settings that pick the egress family and address (read from
// `postconf -xh ...` output), and the rules that turn both into the addresses a receiver will
// see: inet_protocols drops a family, smtp_bind_address/smtp_bind_address6 pin one address,
// a relayhost means the Internet sees the relay instead (checklist OUT-01..03).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.hpp"
#include "base/result.hpp"

namespace cqlist::doctor {

struct EgressAddress {
  IpAddress address;
  std::string source;  // "--ip", "interface eth0", "smtp_bind_address"
};

// The Postfix parameters the doctor reads, in the order it asks postconf for them.
struct PostfixSettings {
  std::string inet_protocols;
  std::string smtp_address_preference;
  std::string smtp_bind_address;
  std::string smtp_bind_address6;
  std::string myhostname;
  std::string smtp_helo_name;
  std::string relayhost;
  std::string smtp_tls_security_level;
  // TLS-02 (DANE needs "dnssec"; a policy map is how MTA-STS plugs in) and VOL-03 (how many
  // connections Postfix opens to one receiver, and the pause between deliveries; the
  // default_ ones, as smtp_destination_* exist only where master.cf defines "smtp").
  std::string smtp_dns_support_level;
  std::string smtp_tls_policy_maps;
  std::string default_destination_concurrency_limit;
  std::string default_destination_rate_delay;

  bool sends_ipv4() const;
  bool sends_ipv6() const;
  // smtp_helo_name, with Postfix's default "$myhostname" resolved.
  std::string helo_name() const;
};

// The parameter names, space-separated, for `postconf -xh`.
std::string_view postconf_parameters();

// postconf prints one value a line in the order asked. Errc::bad_syntax when the line count
// does not match (postconf printed warnings or is a different program).
Result<PostfixSettings> parse_postconf_output(std::string_view output);

// Global unicast addresses of this host's interfaces: no loopback, link-local, ULA
// (fc00::/7), RFC 1918 or CGNAT (100.64/10) addresses. A VPS shows its public addresses
// here; a host behind NAT does not, and its operator passes --ip instead.
std::vector<EgressAddress> host_global_addresses();

// True for addresses a receiver on the Internet could see as a client.
bool is_global_unicast(const IpAddress& address);

// The addresses mail really leaves from: `candidates` filtered by the family Postfix uses and
// replaced by the bind address of a family when one is set.
std::vector<EgressAddress> effective_egress(const std::vector<EgressAddress>& candidates,
                                            const std::optional<PostfixSettings>& postfix);

}  // namespace cqlist::doctor
