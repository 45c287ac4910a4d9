// auth/spf/record.hpp: the SPF record grammar (RFC 7208 §4.5, §4.6, §5, §6, §12).
//
// Owns: recognising an SPF record among a name's TXT records ("v=spf1" then a space or the
// end, case-insensitively) and parsing it into terms. A syntax error is an outcome the
// evaluator turns into permerror, so parse_record() fails with Errc::bad_syntax and a reason
// that names the offending term. Domain-specs stay unexpanded macro-strings here; macro.hpp
// expands them during evaluation.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.hpp"
#include "base/result.hpp"

namespace cqlist::auth::spf {

// The result a matching mechanism gives (RFC 7208 §4.6.2); '+' is the default.
enum class Qualifier { pass, fail, softfail, neutral };

enum class MechanismKind { all, include, a, mx, ptr, ip4, ip6, exists };

// "all", "include", ... as written in records.
std::string_view mechanism_name(MechanismKind kind);

struct Mechanism {
  Qualifier qualifier = Qualifier::pass;
  MechanismKind kind = MechanismKind::all;
  std::string domain_spec;  // unexpanded; empty when absent (a, mx, ptr use the current domain)
  IpNetwork network;        // ip4, ip6
  unsigned cidr4 = 32;      // a, mx dual-cidr-length (RFC 7208 §5.6)
  unsigned cidr6 = 128;
  std::string text;  // the term as written, for traces

  // include, a, mx, ptr and exists cost a DNS lookup (RFC 7208 §4.6.4).
  bool queries_dns() const;
};

struct Modifier {
  std::string name;  // lowercase
  std::string value;
};

struct Record {
  std::vector<Mechanism> mechanisms;
  std::optional<std::string> redirect;  // domain-spec
  std::optional<std::string> exp;       // domain-spec
  std::vector<Modifier> unknown_modifiers;
};

// True when a TXT record's text is an SPF version 1 record (RFC 7208 §4.5).
bool is_spf_record(std::string_view text);

// Parses a record that is_spf_record() accepted.
Result<Record> parse_record(std::string_view text);

// Checks macro-string syntax (RFC 7208 §7.1); `explanation` allows the c, r and t letters
// and spaces.
Result<void> check_macro_string(std::string_view text, bool explanation);

}  // namespace cqlist::auth::spf
