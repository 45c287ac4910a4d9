// doctor/sending_path.cpp: host addresses, postconf output and the effective egress.
#include "doctor/sending_path.hpp"

#include <array>
#include <cstring>

#include <fmt/format.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "base/strings.hpp"

namespace cqlist::doctor {
namespace {

bool in(const IpAddress& address, std::string_view network) {
  auto parsed = IpNetwork::parse(network);
  return parsed && parsed->contains(address);
}

std::optional<IpAddress> from_sockaddr(const sockaddr* addr) {
  if (addr->sa_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, addr, sizeof v4);
    std::array<std::uint8_t, 4> bytes{};
    std::memcpy(bytes.data(), &v4.sin_addr, bytes.size());
    return IpAddress::v4(bytes);
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, addr, sizeof v6);
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &v6.sin6_addr, bytes.size());
    return IpAddress::v6(bytes);
  }
  return std::nullopt;
}

}  // namespace

bool PostfixSettings::sends_ipv4() const {
  const std::string protocols = to_ascii_lower(inet_protocols);
  return protocols.empty() || protocols.find("all") != std::string::npos ||
         protocols.find("ipv4") != std::string::npos;
}

bool PostfixSettings::sends_ipv6() const {
  const std::string protocols = to_ascii_lower(inet_protocols);
  return protocols.empty() || protocols.find("all") != std::string::npos ||
         protocols.find("ipv6") != std::string::npos;
}

std::string PostfixSettings::helo_name() const {
  if (smtp_helo_name.empty() || smtp_helo_name == "$myhostname" ||
      smtp_helo_name == "${myhostname}") {
    return myhostname;
  }
  return smtp_helo_name;
}

std::string_view postconf_parameters() {
  return "inet_protocols smtp_address_preference smtp_bind_address smtp_bind_address6 "
         "myhostname smtp_helo_name relayhost smtp_tls_security_level smtp_dns_support_level "
         "smtp_tls_policy_maps default_destination_concurrency_limit "
         "default_destination_rate_delay";
}

Result<PostfixSettings> parse_postconf_output(std::string_view output) {
  std::vector<std::string> lines;
  while (!output.empty()) {
    const std::size_t end = output.find('\n');
    lines.emplace_back(trim(output.substr(0, end)));
    output.remove_prefix(end == std::string_view::npos ? output.size() : end + 1);
  }
  if (lines.size() != 12) {
    return fail(Errc::bad_syntax,
                fmt::format("postconf printed {} lines for the 12 parameters asked ({}); run "
                            "`postconf -xh {}` to see why",
                            lines.size(), postconf_parameters(), postconf_parameters()));
  }
  PostfixSettings settings;
  settings.inet_protocols = lines[0];
  settings.smtp_address_preference = lines[1];
  settings.smtp_bind_address = lines[2];
  settings.smtp_bind_address6 = lines[3];
  settings.myhostname = lines[4];
  settings.smtp_helo_name = lines[5];
  settings.relayhost = lines[6];
  settings.smtp_tls_security_level = lines[7];
  settings.smtp_dns_support_level = lines[8];
  settings.smtp_tls_policy_maps = lines[9];
  settings.default_destination_concurrency_limit = lines[10];
  settings.default_destination_rate_delay = lines[11];
  return settings;
}

bool is_global_unicast(const IpAddress& address) {
  if (address.is_v4()) {
    for (std::string_view network :
         {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
          "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3"}) {
      if (in(address, network)) {
        return false;
      }
    }
    return true;
  }
  if (address.mapped_v4()) {
    return is_global_unicast(*address.mapped_v4());
  }
  // Global unicast is 2000::/3 (RFC 4291 §2.4); everything else is local or special.
  return in(address, "2000::/3");
}

std::vector<EgressAddress> host_global_addresses() {
  std::vector<EgressAddress> found;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) {
    return found;
  }
  for (const ifaddrs* entry = list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || (entry->ifa_flags & IFF_UP) == 0) {
      continue;
    }
    auto address = from_sockaddr(entry->ifa_addr);
    if (address && is_global_unicast(*address)) {
      found.push_back({*address, fmt::format("interface {}", entry->ifa_name)});
    }
  }
  freeifaddrs(list);
  return found;
}

std::vector<EgressAddress> effective_egress(const std::vector<EgressAddress>& candidates,
                                            const std::optional<PostfixSettings>& postfix) {
  if (!postfix) {
    return candidates;
  }
  std::vector<EgressAddress> out;
  bool bound_v4 = false;
  bool bound_v6 = false;
  if (postfix->sends_ipv4() && !postfix->smtp_bind_address.empty()) {
    if (auto bind = IpAddress::parse(postfix->smtp_bind_address); bind && bind->is_v4()) {
      out.push_back({*bind, "smtp_bind_address"});
      bound_v4 = true;
    }
  }
  if (postfix->sends_ipv6() && !postfix->smtp_bind_address6.empty()) {
    if (auto bind = IpAddress::parse(postfix->smtp_bind_address6); bind && !bind->is_v4()) {
      out.push_back({*bind, "smtp_bind_address6"});
      bound_v6 = true;
    }
  }
  for (const EgressAddress& candidate : candidates) {
    const bool v4 = candidate.address.is_v4();
    if ((v4 && (bound_v4 || !postfix->sends_ipv4())) ||
        (!v4 && (bound_v6 || !postfix->sends_ipv6()))) {
      continue;
    }
    out.push_back(candidate);
  }
  return out;
}

}  // namespace cqlist::doctor
