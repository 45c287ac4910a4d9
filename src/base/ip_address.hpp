// base/ip_address.hpp: IPv4 and IPv6 addresses as values, with prefix matching.
//
// Owns: parsing and formatting of textual addresses (RFC 4291 §2.2, RFC 5952 canonical form),
// IPv4-mapped IPv6 addresses, CIDR matching, and reverse-DNS names. SPF, the doctor's egress
// checks and PTR lookups all build on it.
//
// Parsing is strict, like glibc's inet_pton(): IPv4 is exactly four decimal octets without
// leading zeros ("01.2.3.4" is rejected: RFC 7208's qnum grammar and inet_pton agree, and
// inet_aton's octal reading of such text is a known trap); IPv6 is RFC 4291 §2.2 text with an
// optional trailing dotted quad, no zone index ("%eth0") and no brackets.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cqlist {

class IpAddress {
 public:
  enum class Family { v4, v6 };

  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(std::array<std::uint8_t, 4> bytes);
  static IpAddress v6(std::array<std::uint8_t, 16> bytes);

  Family family() const { return family_; }

  bool is_v4() const { return family_ == Family::v4; }

  // The 4 or 16 address bytes (the first 4 for IPv4).
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }

  // ::ffff:a.b.c.d as the IPv4 address it carries (RFC 4291 §2.5.5.2).
  std::optional<IpAddress> mapped_v4() const;

  // True when the first `prefix_length` bits equal those of `network` (same family only).
  bool in_network(const IpAddress& network, unsigned prefix_length) const;

  // Dotted quad, or RFC 5952 canonical IPv6 text.
  std::string to_string() const;

  // "4.3.2.1.in-addr.arpa" or the nibble form under ip6.arpa, without a trailing dot.
  std::string reverse_name() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::v4;
  std::array<std::uint8_t, 16> bytes_{};
};

// An address with a prefix length: "192.0.2.0/24", "2001:db8::/32". A bare address is a
// host network (/32 or /128). The host bits need not be zero ("192.0.2.1/24" is accepted,
// as SPF's ip4: mechanism allows it).
struct IpNetwork {
  IpAddress address;
  unsigned prefix_length = 0;

  static std::optional<IpNetwork> parse(std::string_view text);

  bool contains(const IpAddress& candidate) const {
    return candidate.in_network(address, prefix_length);
  }

  // "192.0.2.0/24" with the address as given.
  std::string to_string() const;

  friend bool operator==(const IpNetwork&, const IpNetwork&) = default;
};

}  // namespace cqlist
