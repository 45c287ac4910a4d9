#include "base/ip_address.hpp"

#include <cstddef>
#include <vector>

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist {
namespace {

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Four decimal octets, each 0-255 without leading zeros (inet_pton, RFC 7208 qnum).
std::optional<std::array<std::uint8_t, 4>> parse_dotted_quad(std::string_view text) {
  std::array<std::uint8_t, 4> out{};
  std::size_t pos = 0;
  for (std::size_t octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') {
        return std::nullopt;
      }
      ++pos;
    }
    std::size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && is_digit(text[pos]) && pos - start < 3) {
      value = value * 10 + static_cast<unsigned>(text[pos] - '0');
      ++pos;
    }
    std::size_t digits = pos - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) {
      return std::nullopt;
    }
    out[octet] = static_cast<std::uint8_t>(value);
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  return out;
}

// RFC 4291 §2.2: up to eight 16-bit hex groups, one "::" for a run of zero groups, and
// optionally the last 32 bits as a dotted quad.
std::optional<std::array<std::uint8_t, 16>> parse_v6(std::string_view text) {
  if (text.size() < 2) {
    return std::nullopt;
  }
  std::vector<std::uint16_t> head;
  std::vector<std::uint16_t> tail;
  bool compressed = false;
  std::size_t pos = 0;
  if (text.substr(0, 2) == "::") {
    compressed = true;
    pos = 2;
  } else if (text[0] == ':') {
    return std::nullopt;
  }
  while (pos < text.size()) {
    std::vector<std::uint16_t>& groups = compressed ? tail : head;
    std::size_t start = pos;
    unsigned value = 0;
    while (pos < text.size() && hex_digit_value(text[pos]) >= 0 && pos - start < 5) {
      value = value * 16 + static_cast<unsigned>(hex_digit_value(text[pos]));
      ++pos;
    }
    std::size_t digits = pos - start;
    if (pos < text.size() && text[pos] == '.') {
      // Embedded IPv4 in the last 32 bits.
      auto quad = parse_dotted_quad(text.substr(start));
      if (!quad) {
        return std::nullopt;
      }
      groups.push_back(static_cast<std::uint16_t>(((*quad)[0] << 8) | (*quad)[1]));
      groups.push_back(static_cast<std::uint16_t>(((*quad)[2] << 8) | (*quad)[3]));
      pos = text.size();
      break;
    }
    if (digits == 0 || digits > 4) {
      return std::nullopt;
    }
    groups.push_back(static_cast<std::uint16_t>(value));
    if (pos == text.size()) {
      break;
    }
    if (text[pos] != ':') {
      return std::nullopt;
    }
    ++pos;
    if (pos < text.size() && text[pos] == ':') {
      if (compressed) {
        return std::nullopt;  // a second "::"
      }
      compressed = true;
      ++pos;
    } else if (pos == text.size()) {
      return std::nullopt;  // a trailing single ':'
    }
  }
  std::size_t total = head.size() + tail.size();
  if (compressed ? total > 7 : total != 8) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 16> out{};
  auto put = [&out](std::size_t index, std::uint16_t group) {
    out[2 * index] = static_cast<std::uint8_t>(group >> 8);
    out[2 * index + 1] = static_cast<std::uint8_t>(group & 0xff);
  };
  for (std::size_t i = 0; i < head.size(); ++i) {
    put(i, head[i]);
  }
  for (std::size_t i = 0; i < tail.size(); ++i) {
    put(8 - tail.size() + i, tail[i]);
  }
  return out;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    if (auto bytes = parse_v6(text)) {
      return v6(*bytes);
    }
    return std::nullopt;
  }
  if (auto quad = parse_dotted_quad(text)) {
    return v4(*quad);
  }
  return std::nullopt;
}

IpAddress IpAddress::v4(std::array<std::uint8_t, 4> bytes) {
  IpAddress address;
  address.family_ = Family::v4;
  for (std::size_t i = 0; i < 4; ++i) {
    address.bytes_[i] = bytes[i];
  }
  return address;
}

IpAddress IpAddress::v6(std::array<std::uint8_t, 16> bytes) {
  IpAddress address;
  address.family_ = Family::v6;
  address.bytes_ = bytes;
  return address;
}

std::optional<IpAddress> IpAddress::mapped_v4() const {
  if (family_ != Family::v6) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < 10; ++i) {
    if (bytes_[i] != 0) {
      return std::nullopt;
    }
  }
  if (bytes_[10] != 0xff || bytes_[11] != 0xff) {
    return std::nullopt;
  }
  return v4({bytes_[12], bytes_[13], bytes_[14], bytes_[15]});
}

bool IpAddress::in_network(const IpAddress& network, unsigned prefix_length) const {
  if (family_ != network.family_) {
    return false;
  }
  unsigned bits = is_v4() ? 32 : 128;
  if (prefix_length > bits) {
    return false;
  }
  std::size_t whole = prefix_length / 8;
  for (std::size_t i = 0; i < whole; ++i) {
    if (bytes_[i] != network.bytes_[i]) {
      return false;
    }
  }
  unsigned rest = prefix_length % 8;
  if (rest == 0) {
    return true;
  }
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (bytes_[whole] & mask) == (network.bytes_[whole] & mask);
}

std::string IpAddress::to_string() const {
  if (is_v4()) {
    return fmt::format("{}.{}.{}.{}", bytes_[0], bytes_[1], bytes_[2], bytes_[3]);
  }
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (auto mapped = mapped_v4()) {
    return "::ffff:" + mapped->to_string();
  }
  std::array<unsigned, 8> groups{};
  for (std::size_t i = 0; i < 8; ++i) {
    groups[i] = (static_cast<unsigned>(bytes_[2 * i]) << 8) | bytes_[2 * i + 1];
  }
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first on a tie.
  std::size_t best_start = 8;
  std::size_t best_length = 1;
  for (std::size_t i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < 8 && groups[j] == 0) {
      ++j;
    }
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') {
      out += ':';
    }
    out += fmt::format("{:x}", groups[i]);  // §4.3: lowercase, §4.1: no leading zeros
  }
  return out;
}

std::string IpAddress::reverse_name() const {
  std::string out;
  if (is_v4()) {
    return fmt::format("{}.{}.{}.{}.in-addr.arpa", bytes_[3], bytes_[2], bytes_[1], bytes_[0]);
  }
  // RFC 3596 §2.5: nibbles in reverse order.
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 16; i-- > 0;) {
    out += kHex[bytes_[i] & 0x0f];
    out += '.';
    out += kHex[bytes_[i] >> 4];
    out += '.';
  }
  out += "ip6.arpa";
  return out;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  std::size_t slash = text.find('/');
  auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) {
    return std::nullopt;
  }
  unsigned bits = address->is_v4() ? 32 : 128;
  if (slash == std::string_view::npos) {
    return IpNetwork{*address, bits};
  }
  std::string_view digits = text.substr(slash + 1);
  // No leading zeros, as RFC 7208's ip4-cidr-length grammar ("0" / %x31-39 0*1DIGIT).
  if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) {
    return std::nullopt;
  }
  unsigned length = 0;
  for (char c : digits) {
    if (!is_digit(c)) {
      return std::nullopt;
    }
    length = length * 10 + static_cast<unsigned>(c - '0');
  }
  if (length > bits) {
    return std::nullopt;
  }
  return IpNetwork{*address, length};
}

std::string IpNetwork::to_string() const {
  return fmt::format("{}/{}", address.to_string(), prefix_length);
}

}  // namespace cqlist
