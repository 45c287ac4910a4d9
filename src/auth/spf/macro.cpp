#include "auth/spf/macro.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

#include <fmt/format.h>

#include "auth/spf/record.hpp"
#include "base/strings.hpp"

namespace cqlist::auth::spf {
namespace {

// %{i}: dotted quad, or dot-separated nibbles for IPv6 (RFC 7208 §7.3).
std::string ip_macro(const IpAddress& ip) {
  if (ip.is_v4()) {
    return ip.to_string();
  }
  std::string out;
  // Upper-case nibbles, as in the RFC 7208 §7.4 example (DNS ignores the case).
  constexpr char kHex[] = "0123456789ABCDEF";
  for (std::uint8_t byte : ip.bytes()) {
    if (!out.empty()) {
      out += '.';
    }
    out += kHex[byte >> 4];
    out += '.';
    out += kHex[byte & 0xf];
  }
  return out;
}

// RFC 3986 unreserved characters stay; everything else becomes %XX.
std::string url_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string letter_value(char letter, const MacroContext& context) {
  switch (ascii_lower(letter)) {
    case 's':
      return context.sender;
    case 'l':
      return context.local_part;
    case 'o':
      return context.sender_domain;
    case 'd':
      return context.domain;
    case 'i':
      return ip_macro(context.ip);
    case 'p':
      return context.validated_name ? context.validated_name() : "unknown";
    case 'h':
      return context.helo;
    case 'v':
      return context.ip.is_v4() ? "in-addr" : "ip6";
    case 'c':
      return context.ip.to_string();
    case 'r':
      return context.receiver;
    case 't':
      return std::to_string(context.timestamp);
    default:
      return {};
  }
}

// Splits on the delimiters, optionally reverses, keeps the rightmost `keep` parts, joins
// with '.' (RFC 7208 §7.3).
std::string transform(std::string_view value, std::string_view delimiters, bool reverse,
                      std::size_t keep) {
  if (delimiters.empty()) {
    delimiters = ".";
  }
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || delimiters.find(value[i]) != std::string_view::npos) {
      parts.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  if (reverse) {
    std::vector<std::string_view> reversed(parts.rbegin(), parts.rend());
    parts = std::move(reversed);
  }
  const std::size_t first = keep != 0 && keep < parts.size() ? parts.size() - keep : 0;
  std::string out;
  for (std::size_t i = first; i < parts.size(); ++i) {
    if (i != first) {
      out += '.';
    }
    out += parts[i];
  }
  return out;
}

}  // namespace

Result<std::string> expand_macros(std::string_view text, const MacroContext& context,
                                  bool explanation) {
  CQLIST_TRY_VOID(check_macro_string(text, explanation));
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      const std::size_t literal_end = std::min(text.find('%', i), text.size());
      out += text.substr(i, literal_end - i);
      i = literal_end - 1;
      continue;
    }
    const char next = text[++i];
    if (next == '%') {
      out += '%';
      continue;
    }
    if (next == '_') {
      out += ' ';
      continue;
    }
    if (next == '-') {
      out += "%20";
      continue;
    }
    const char letter = text[i + 1];
    i += 2;
    std::size_t keep = 0;
    bool has_digits = false;
    while (text[i] >= '0' && text[i] <= '9') {
      has_digits = true;
      keep = std::min<std::size_t>(keep * 10 + static_cast<std::size_t>(text[i] - '0'), 1000);
      ++i;
    }
    if (has_digits && keep == 0) {
      return fail(Errc::bad_syntax, fmt::format("macro in '{}' keeps zero parts", text));
    }
    bool reverse = false;
    if (ascii_lower(text[i]) == 'r') {
      reverse = true;
      ++i;
    }
    const std::size_t delimiters_start = i;
    while (text[i] != '}') {
      ++i;
    }
    const std::string_view delimiters = text.substr(delimiters_start, i - delimiters_start);
    std::string value = letter_value(letter, context);
    if (has_digits || reverse || !delimiters.empty()) {
      value = transform(value, delimiters, reverse, keep);
    }
    const bool upper = letter >= 'A' && letter <= 'Z';
    out += upper ? url_escape(value) : value;
  }
  return out;
}

Result<std::string> expand_domain_spec(std::string_view spec, const MacroContext& context) {
  CQLIST_TRY(std::string name, expand_macros(spec, context, false));
  if (!name.empty() && name.back() == '.') {
    name.pop_back();
  }
  while (name.size() > 253) {
    const std::size_t dot = name.find('.');
    if (dot == std::string::npos) {
      break;
    }
    name.erase(0, dot + 1);
  }
  return name;
}

}  // namespace cqlist::auth::spf
