#include "auth/spf/record.hpp"

#include <array>
#include <cstddef>

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist::auth::spf {
namespace {

constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

constexpr bool is_macro_letter(char c, bool explanation) {
  switch (ascii_lower(c)) {
    case 's':
    case 'l':
    case 'o':
    case 'd':
    case 'i':
    case 'p':
    case 'h':
    case 'v':
      return true;
    case 'c':
    case 'r':
    case 't':
      return explanation;
    default:
      return false;
  }
}

constexpr bool is_delimiter(char c) {
  return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

// toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool is_toplabel(std::string_view label) {
  if (label.empty() || label.front() == '-' || label.back() == '-') {
    return false;
  }
  bool alpha = false;
  bool hyphen = false;
  for (char c : label) {
    if (is_alpha(c)) {
      alpha = true;
    } else if (c == '-') {
      hyphen = true;
    } else if (!is_digit(c)) {
      return false;
    }
  }
  return alpha || hyphen;
}

// A number without leading zeros, at most `max`.
std::optional<unsigned> parse_cidr(std::string_view digits, unsigned max) {
  if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits.front() == '0')) {
    return std::nullopt;
  }
  unsigned value = 0;
  for (char c : digits) {
    if (!is_digit(c)) {
      return std::nullopt;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) {
    return std::nullopt;
  }
  return value;
}

// domain-spec = macro-string domain-end (RFC 7208 §7.1).
Result<void> check_domain_spec(std::string_view spec, std::string_view term) {
  if (spec.empty()) {
    return fail(Errc::bad_syntax, fmt::format("'{}' names no domain", term));
  }
  CQLIST_TRY_VOID(check_macro_string(spec, false));
  if (spec.back() == '}') {
    return {};  // ends in a macro-expand
  }
  std::string_view name = spec;
  if (name.back() == '.') {
    name.remove_suffix(1);
  }
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || !is_toplabel(name.substr(dot + 1))) {
    return fail(Errc::bad_syntax,
                fmt::format("'{}': the domain must end in a valid top-level label", term));
  }
  return {};
}

// Splits "/N" and "//N" off the end of a, mx terms (dual-cidr-length, RFC 7208 §5.6).
Result<void> split_dual_cidr(std::string_view& rest, Mechanism& mechanism) {
  const std::size_t double_slash = rest.rfind("//");
  if (double_slash != std::string_view::npos) {
    auto cidr6 = parse_cidr(rest.substr(double_slash + 2), 128);
    if (!cidr6) {
      return fail(Errc::bad_syntax, fmt::format("'{}': bad IPv6 prefix length", mechanism.text));
    }
    mechanism.cidr6 = *cidr6;
    rest = rest.substr(0, double_slash);
  }
  const std::size_t slash = rest.rfind('/');
  if (slash != std::string_view::npos) {
    auto cidr4 = parse_cidr(rest.substr(slash + 1), 32);
    if (cidr4) {
      mechanism.cidr4 = *cidr4;
      rest = rest.substr(0, slash);
    } else if (rest.find(':') == std::string_view::npos) {
      return fail(Errc::bad_syntax, fmt::format("'{}': bad IPv4 prefix length", mechanism.text));
    }
  }
  return {};
}

Result<Mechanism> parse_mechanism(std::string_view term) {
  Mechanism mechanism;
  mechanism.text = std::string(term);
  std::string_view rest = term;
  switch (rest.front()) {
    case '+':
      rest.remove_prefix(1);
      break;
    case '-':
      mechanism.qualifier = Qualifier::fail;
      rest.remove_prefix(1);
      break;
    case '~':
      mechanism.qualifier = Qualifier::softfail;
      rest.remove_prefix(1);
      break;
    case '?':
      mechanism.qualifier = Qualifier::neutral;
      rest.remove_prefix(1);
      break;
    default:
      break;
  }
  std::size_t name_end = 0;
  while (name_end < rest.size() && rest[name_end] != ':' && rest[name_end] != '/') {
    ++name_end;
  }
  const std::string name = to_ascii_lower(rest.substr(0, name_end));
  rest.remove_prefix(name_end);
  constexpr std::array<MechanismKind, 8> kinds = {
      MechanismKind::all, MechanismKind::include, MechanismKind::a,   MechanismKind::mx,
      MechanismKind::ptr, MechanismKind::ip4,     MechanismKind::ip6, MechanismKind::exists};
  bool known = false;
  for (MechanismKind kind : kinds) {
    if (name == mechanism_name(kind)) {
      mechanism.kind = kind;
      known = true;
    }
  }
  if (!known) {
    return fail(Errc::bad_syntax, fmt::format("unknown mechanism '{}'", term));
  }
  const bool has_colon = !rest.empty() && rest.front() == ':';
  switch (mechanism.kind) {
    case MechanismKind::all:
      if (!rest.empty()) {
        return fail(Errc::bad_syntax, fmt::format("'{}': 'all' takes no argument", term));
      }
      break;
    case MechanismKind::include:
    case MechanismKind::exists:
      if (!has_colon) {
        return fail(Errc::bad_syntax, fmt::format("'{}' needs ':domain'", term));
      }
      mechanism.domain_spec = std::string(rest.substr(1));
      CQLIST_TRY_VOID(check_domain_spec(mechanism.domain_spec, term));
      break;
    case MechanismKind::a:
    case MechanismKind::mx:
      CQLIST_TRY_VOID(split_dual_cidr(rest, mechanism));
      [[fallthrough]];
    case MechanismKind::ptr:
      if (!rest.empty()) {
        if (!has_colon) {
          return fail(Errc::bad_syntax, fmt::format("'{}' is not a valid term", term));
        }
        mechanism.domain_spec = std::string(rest.substr(1));
        CQLIST_TRY_VOID(check_domain_spec(mechanism.domain_spec, term));
      }
      break;
    case MechanismKind::ip4:
    case MechanismKind::ip6: {
      const bool v4 = mechanism.kind == MechanismKind::ip4;
      if (!has_colon) {
        return fail(Errc::bad_syntax, fmt::format("'{}' needs ':address'", term));
      }
      rest.remove_prefix(1);
      unsigned prefix = v4 ? 32 : 128;
      const std::size_t slash = rest.find('/');
      if (slash != std::string_view::npos) {
        auto cidr = parse_cidr(rest.substr(slash + 1), prefix);
        if (!cidr) {
          return fail(Errc::bad_syntax, fmt::format("'{}': bad prefix length", term));
        }
        prefix = *cidr;
        rest = rest.substr(0, slash);
      }
      auto address = IpAddress::parse(rest);
      if (!address || address->is_v4() != v4) {
        return fail(Errc::bad_syntax, fmt::format("'{}': not an IPv{} address", term, v4 ? 4 : 6));
      }
      mechanism.network = IpNetwork{*address, prefix};
      break;
    }
  }
  return mechanism;
}

}  // namespace

std::string_view mechanism_name(MechanismKind kind) {
  switch (kind) {
    case MechanismKind::all:
      return "all";
    case MechanismKind::include:
      return "include";
    case MechanismKind::a:
      return "a";
    case MechanismKind::mx:
      return "mx";
    case MechanismKind::ptr:
      return "ptr";
    case MechanismKind::ip4:
      return "ip4";
    case MechanismKind::ip6:
      return "ip6";
    case MechanismKind::exists:
      return "exists";
  }
  return "?";
}

bool Mechanism::queries_dns() const {
  return kind == MechanismKind::include || kind == MechanismKind::a || kind == MechanismKind::mx ||
         kind == MechanismKind::ptr || kind == MechanismKind::exists;
}

bool is_spf_record(std::string_view text) {
  return istarts_with(text, "v=spf1") && (text.size() == 6 || text[6] == ' ');
}

Result<void> check_macro_string(std::string_view text, bool explanation) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '%') {
      const bool literal = (c >= 0x21 && c <= 0x7e) || (explanation && c == ' ');
      if (!literal) {
        return fail(Errc::bad_syntax, fmt::format("byte 0x{:02x} is not allowed in '{}'",
                                                  static_cast<unsigned char>(c), text));
      }
      continue;
    }
    if (i + 1 >= text.size()) {
      return fail(Errc::bad_syntax, fmt::format("'%' at the end of '{}'", text));
    }
    const char next = text[++i];
    if (next == '%' || next == '_' || next == '-') {
      continue;
    }
    if (next != '{' || i + 1 >= text.size() || !is_macro_letter(text[i + 1], explanation)) {
      return fail(Errc::bad_syntax, fmt::format("invalid macro in '{}'", text));
    }
    i += 2;
    while (i < text.size() && is_digit(text[i])) {
      ++i;
    }
    if (i < text.size() && ascii_lower(text[i]) == 'r') {
      ++i;
    }
    while (i < text.size() && is_delimiter(text[i])) {
      ++i;
    }
    if (i >= text.size() || text[i] != '}') {
      return fail(Errc::bad_syntax, fmt::format("invalid macro in '{}'", text));
    }
  }
  return {};
}

Result<Record> parse_record(std::string_view text) {
  if (!is_spf_record(text)) {
    return fail(Errc::bad_syntax, "the record does not start with 'v=spf1'");
  }
  Record record;
  std::string_view rest = text.substr(6);
  while (!rest.empty()) {
    if (rest.front() == ' ') {
      rest.remove_prefix(1);
      continue;
    }
    const std::size_t end = rest.find(' ');
    const std::string_view term = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    for (char c : term) {
      if (c < 0x21 || c > 0x7e) {
        return fail(Errc::bad_syntax,
                    fmt::format("term '{}' contains the byte 0x{:02x}, which SPF does not allow",
                                term, static_cast<unsigned char>(c)));
      }
    }
    // A modifier is name "=" ...; a mechanism never has '=' before ':' or '/'.
    std::size_t name_end = 0;
    while (name_end < term.size() &&
           (is_alpha(term[name_end]) || is_digit(term[name_end]) || term[name_end] == '-' ||
            term[name_end] == '_' || term[name_end] == '.')) {
      ++name_end;
    }
    if (name_end > 0 && name_end < term.size() && term[name_end] == '=' && is_alpha(term[0])) {
      const std::string name = to_ascii_lower(term.substr(0, name_end));
      const std::string value(term.substr(name_end + 1));
      if (name == "redirect" || name == "exp") {
        std::optional<std::string>& slot = name == "redirect" ? record.redirect : record.exp;
        if (slot) {
          return fail(Errc::bad_syntax, fmt::format("the '{}=' modifier appears twice", name));
        }
        CQLIST_TRY_VOID(check_domain_spec(value, term));
        slot = value;
      } else {
        CQLIST_TRY_VOID(check_macro_string(value, false));
        record.unknown_modifiers.push_back(Modifier{name, value});
      }
      continue;
    }
    CQLIST_TRY(Mechanism mechanism, parse_mechanism(term));
    record.mechanisms.push_back(std::move(mechanism));
  }
  return record;
}

}  // namespace cqlist::auth::spf
