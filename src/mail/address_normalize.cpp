// Comparison forms of addresses: domains in lowercase A-labels (libidn2), local parts as
// written or ASCII case-folded.

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <arpa/inet.h>
#include <idn2.h>

#include "base/strings.hpp"
#include "mail/address.hpp"
#include "mail/charset.hpp"

namespace cqlist::mail {

namespace {

constexpr std::size_t kMaxLabelLength = 63;    // RFC 1035 §2.3.4
constexpr std::size_t kMaxDomainLength = 253;  // 255 octets on the wire, without the dot

struct FreeDeleter {
  void operator()(char* pointer) const { std::free(pointer); }
};

using Idn2String = std::unique_ptr<char, FreeDeleter>;

bool is_control(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

// Input quoted in an Error message: control characters would break the log line.
std::string printable(std::string_view text) {
  std::string out(text);
  std::replace_if(out.begin(), out.end(), is_control, '?');
  return out;
}

tl::unexpected<Error> invalid_domain(std::string_view domain, std::string_view why) {
  return fail(Errc::bad_syntax, "the domain \"" + printable(domain) +
                                    "\" is not a valid domain name: " + std::string(why));
}

bool is_ldh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// The host-name rules of RFC 5321 §4.1.2 (Let-dig [Ldh-str]) and the DNS length limits, on a
// lowercase ASCII name.
Result<std::string> check_ascii_domain(std::string original, std::string_view shown) {
  if (original.empty()) {
    return invalid_domain(shown, "it is empty");
  }
  if (original.size() > kMaxDomainLength) {
    return invalid_domain(shown, "it is longer than 253 characters");
  }
  std::size_t start = 0;
  while (start <= original.size()) {
    std::size_t dot = original.find('.', start);
    std::size_t end = dot == std::string::npos ? original.size() : dot;
    std::string_view label = std::string_view(original).substr(start, end - start);
    if (label.empty()) {
      return invalid_domain(shown, "it has an empty label");
    }
    if (label.size() > kMaxLabelLength) {
      return invalid_domain(shown, "a label is longer than 63 characters");
    }
    for (char c : label) {
      if (!is_ldh(c)) {
        return invalid_domain(shown, "it holds a character other than letters, digits, '-'");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return invalid_domain(shown, "a label starts or ends with '-'");
    }
    if (dot == std::string::npos) {
      break;
    }
    start = dot + 1;
  }
  return original;
}

// "[192.0.2.1]", "[IPv6:2001:db8::1]" (RFC 5321 §4.1.3) in the form inet_ntop writes, so
// that equal addresses compare equal; other tagged literals only get a lowercase tag.
Result<std::string> normalize_address_literal(std::string_view literal) {
  if (literal.size() < 2 || literal.back() != ']') {
    return invalid_domain(literal, "the address literal has no closing \"]\"");
  }
  std::string content(literal.substr(1, literal.size() - 2));
  bool is_ipv6 = istarts_with(content, "IPv6:");
  int family = is_ipv6 ? AF_INET6 : AF_INET;
  if (is_ipv6) {
    content.erase(0, 5);
  } else if (std::size_t colon = content.find(':'); colon != std::string::npos) {
    // General-address-literal: Standardized-tag ":" 1*dcontent.
    std::string tag = to_ascii_lower(std::string_view(content).substr(0, colon));
    bool valid = !tag.empty() && colon + 1 < content.size() && tag.front() != '-' &&
                 tag.back() != '-' && std::all_of(tag.begin(), tag.end(), is_ldh);
    for (std::size_t i = colon + 1; valid && i < content.size(); ++i) {
      auto byte = static_cast<unsigned char>(content[i]);
      valid =
          byte >= 33 && byte <= 126 && content[i] != '[' && content[i] != ']' && content[i] != '\\';
    }
    if (!valid) {
      return invalid_domain(literal, "the address literal is malformed");
    }
    return "[" + tag + content.substr(colon) + "]";
  }
  unsigned char binary[16];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(family, content.c_str(), binary) != 1 ||
      inet_ntop(family, binary, text, sizeof text) == nullptr) {
    return invalid_domain(literal, "the address literal is not an IP address");
  }
  return std::string(is_ipv6 ? "[IPv6:" : "[") + text + "]";
}

std::string without_trailing_dot(std::string_view domain) {
  if (!domain.empty() && domain.back() == '.') {
    domain.remove_suffix(1);
  }
  return std::string(domain);
}

Result<std::string> idn2_ascii(const std::string& domain, std::string_view shown) {
  char* raw = nullptr;
  int rc = idn2_to_ascii_8z(domain.c_str(), &raw, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc == IDN2_DISALLOWED) {
    // UTS #46 transitional processing still maps what IDNA2008 disallows (symbols, emoji
    // domains that registries of the IDNA2003 era sold and that still resolve).
    rc = idn2_to_ascii_8z(domain.c_str(), &raw, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
  }
  Idn2String ascii(raw);
  if (rc != IDN2_OK || !ascii) {
    return invalid_domain(shown, idn2_strerror(rc));
  }
  return std::string(ascii.get());
}

}  // namespace

Result<std::string> domain_to_ascii(std::string_view domain) {
  std::string_view trimmed = trim(domain);
  if (!trimmed.empty() && trimmed.front() == '[') {
    return normalize_address_literal(trimmed);
  }
  std::string name = without_trailing_dot(trimmed);
  if (!is_ascii(name)) {
    if (!is_valid_utf8(name)) {
      return invalid_domain(domain, "it is neither ASCII nor UTF-8");
    }
    auto ascii = idn2_ascii(name, domain);
    if (!ascii) {
      return ascii;
    }
    // U+3002 IDEOGRAPHIC FULL STOP maps to '.', so a trailing one appears only now.
    name = without_trailing_dot(*ascii);
  }
  auto checked = check_ascii_domain(to_ascii_lower(name), domain);
  if (!checked) {
    return checked;
  }
  if (checked->find("xn--") != std::string::npos) {
    // A-labels written by the sender must decode (RFC 5891 §5.4).
    char* raw = nullptr;
    int rc = idn2_to_unicode_8z8z(checked->c_str(), &raw, 0);
    Idn2String unicode(raw);
    if (rc != IDN2_OK) {
      return invalid_domain(domain, idn2_strerror(rc));
    }
  }
  return checked;
}

Result<std::string> domain_to_unicode(std::string_view domain) {
  auto ascii = domain_to_ascii(domain);
  if (!ascii || ascii->front() == '[' || ascii->find("xn--") == std::string::npos) {
    return ascii;
  }
  char* raw = nullptr;
  int rc = idn2_to_unicode_8z8z(ascii->c_str(), &raw, 0);
  Idn2String unicode(raw);
  if (rc != IDN2_OK || !unicode) {
    return invalid_domain(domain, idn2_strerror(rc));
  }
  return std::string(unicode.get());
}

Result<std::string> normalized_address(const Mailbox& mailbox, const NormalizeOptions& options) {
  if (mailbox.local_part.empty() && !mailbox.local_part_quoted) {
    return fail(Errc::bad_syntax,
                "the address \"" + printable(mailbox.addr_spec()) + "\" has no local part");
  }
  if (mailbox.domain.empty()) {
    return fail(Errc::bad_syntax,
                "the address \"" + printable(mailbox.addr_spec()) + "\" has no domain");
  }
  // RFC 5321 §4.1.2 and RFC 6531 §3.3: no control characters, and UTF-8 when not ASCII.
  bool has_control = std::any_of(mailbox.local_part.begin(), mailbox.local_part.end(), is_control);
  if (has_control || !is_valid_utf8(mailbox.local_part)) {
    return fail(Errc::bad_syntax, "the local part of \"" + printable(mailbox.addr_spec()) +
                                      "\" holds control characters or bytes that are not UTF-8");
  }
  auto domain = domain_to_ascii(mailbox.domain);
  if (!domain) {
    return fail(std::move(domain.error()));
  }
  Mailbox normal;
  normal.local_part = options.local_part_case == LocalPartCase::fold
                          ? to_ascii_lower(mailbox.local_part)
                          : mailbox.local_part;
  // Quoted and unquoted spellings of the same string are the same local part (RFC 5322
  // §3.4.1), so the comparison form quotes only what must be quoted.
  normal.local_part_quoted = false;
  normal.domain = std::move(*domain);
  return normal.addr_spec();
}

Result<std::string> normalized_address(const EnvelopeAddress& address,
                                       const NormalizeOptions& options) {
  if (address.is_null()) {
    return std::string();
  }
  if (address.domain.empty()) {
    // Only "Postmaster" gets here (split_addr_spec): RFC 5321 §4.5.1 makes it case-insensitive.
    return to_ascii_lower(address.local_part);
  }
  Mailbox mailbox;
  mailbox.local_part = address.local_part;
  mailbox.local_part_quoted = address.local_part_quoted;
  mailbox.domain = address.domain;
  return normalized_address(mailbox, options);
}

}  // namespace cqlist::mail
