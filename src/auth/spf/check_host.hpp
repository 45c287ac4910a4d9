// auth/spf/check_host.hpp: the SPF verdict for a client address (RFC 7208 §4, §5, §6).
//
// Owns: check_host() over dns::Resolver, every mechanism and modifier, the processing
// limits (§4.6.4: 10 DNS mechanisms and modifiers across includes and redirects, 2 void
// lookups, 10 MX and 10 PTR names), IPv4-mapped IPv6 treated as IPv4 (§5), invalid domain
// names answered "none" without querying (§4.3), and the explanation of a fail (§6.2).
// Results are values; each evaluation records a Trace that an operator (and `doctor`) can
// read: the records seen, every term visited, every DNS query with its outcome and the running
// lookup count, and the term that decided.
// See also: record.hpp (grammar), macro.hpp (§7), report.hpp (Received-SPF, trace text).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip_address.hpp"
#include "dns/resolver.hpp"

namespace cqlist::auth::spf {

// RFC 7208 §2.6.
enum class SpfResult { none, neutral, pass, fail, softfail, temperror, permerror };

std::string_view result_name(SpfResult result);

struct TraceStep {
  enum class Kind {
    record,  // the SPF record found at `domain` (text)
    term,    // a mechanism or modifier visited (text)
    query,   // a DNS query (text = "name TYPE", status, records)
    note,    // what a step concluded ("matched", "include loop", ...)
  };
  Kind kind = Kind::note;
  unsigned depth = 0;  // 0 for the checked domain, +1 per include/redirect
  std::string domain;  // the current domain of check_host() at this step
  std::string text;
  dns::Status status = dns::Status::answer;  // queries only
  std::size_t records = 0;                   // queries only
  unsigned lookups = 0;                      // DNS mechanisms/modifiers counted so far (limit 10)
  unsigned voids = 0;                        // void lookups so far (limit 2)
};

struct Trace {
  std::vector<TraceStep> steps;
  std::string deciding_term;    // empty when no term decided (none, default neutral, errors)
  std::string deciding_domain;  // the domain whose record held it
  unsigned dns_lookups = 0;
  unsigned void_lookups = 0;
};

struct SpfOptions {
  std::string receiver = "unknown";  // %{r}: this host's name
  std::string default_explanation =
      "See https://www.open-spf.org/Why?s=mfrom;id=%{S};ip=%{C};r=%{R}";
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  unsigned max_dns_lookups = 10;
  unsigned max_void_lookups = 2;
  unsigned max_mx_ptr_names = 10;
};

struct SpfOutcome {
  SpfResult result = SpfResult::none;
  std::string reason;       // why, in plain words ("matched ip4:192.0.2.0/24 in example.org")
  std::string explanation;  // fail only: the exp= text or the default explanation
  std::string identity;     // "mailfrom" or "helo"
  std::string domain;       // the domain checked
  std::string sender;       // local-part@domain used for the %{s} macros
  std::string helo;
  IpAddress ip;
  Trace trace;
};

// check_host(ip, domain, sender) of RFC 7208 §4. `helo` feeds %{h}.
SpfOutcome check_host(dns::Resolver& resolver, const IpAddress& ip, std::string_view domain,
                      std::string_view sender, std::string_view helo,
                      const SpfOptions& options = {});

// The MAIL FROM identity (§2.4): an empty reverse-path checks postmaster@helo instead; a
// sender without '@' is taken as a domain with the local-part "postmaster" (§4.3).
SpfOutcome check_mail_from(dns::Resolver& resolver, const IpAddress& ip, std::string_view mail_from,
                           std::string_view helo, const SpfOptions& options = {});

// The HELO identity (§2.3): postmaster@helo against the HELO name's record.
SpfOutcome check_helo(dns::Resolver& resolver, const IpAddress& ip, std::string_view helo,
                      const SpfOptions& options = {});

// A multi-label name with labels of 1-63 octets, at most 253 octets (RFC 7208 §4.3).
bool is_valid_domain(std::string_view name);

}  // namespace cqlist::auth::spf
