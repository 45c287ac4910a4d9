// dns/resolver.hpp: the DNS lookups cqlist makes, as an interface.
//
// Owns: record and answer value types and the Resolver interface that auth/ (DKIM keys, SPF,
// DMARC), doctor/ and the post pipeline use. Implementations: UnboundResolver (libunbound:
// validating, caching, system resolver or an explicit forwarder) and StaticResolver (zone
// text in memory, for unit tests).
//
// Every lookup returns an Answer: NXDOMAIN, NODATA, SERVFAIL and timeouts are outcomes that
// SPF and DMARC treat differently (RFC 7208 §4.6.4 void lookups vs temperror), so they are
// values, never errors. query() blocks and is safe to call from several threads at once;
// the server runs authentication checks on its worker pool.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/ip_address.hpp"

namespace cqlist::dns {

enum class RecordType : std::uint16_t {
  a = 1,
  ns = 2,
  cname = 5,
  soa = 6,
  ptr = 12,
  mx = 15,
  txt = 16,
  aaaa = 28,
  tlsa = 52,
  spf = 99,  // obsolete (RFC 7208 §3.1); only the doctor asks, to advise removing it
};

// "A", "TXT", ... as in zone files; parse_record_type() reads them in any case.
std::string_view record_type_name(RecordType type);
std::optional<RecordType> parse_record_type(std::string_view text);

enum class Status {
  answer,    // at least one record of the asked type (possibly behind CNAMEs)
  nxdomain,  // the name does not exist
  nodata,    // the name exists, but has no record of this type
  servfail,  // the servers failed (includes DNSSEC-bogus answers from a validating resolver)
  timeout,   // no answer in time
};

// "answer", "nxdomain", "nodata", "servfail", "timeout".
std::string_view status_name(Status status);

// Lowercase, without one trailing dot: the form names are compared and returned in.
std::string normalize_name(std::string_view name);

// DNSSEC state of an answer (RFC 4033 §5).
enum class Security { insecure, secure, bogus };

// "insecure", "secure", "bogus".
std::string_view security_name(Security security);

struct MxRecord {
  std::uint16_t preference = 0;
  std::string exchange;
  friend bool operator==(const MxRecord&, const MxRecord&) = default;
};

// A TXT record keeps its character-strings apart; SPF, DKIM and DMARC join them with nothing
// in between (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
struct TxtRecord {
  std::vector<std::string> strings;
  std::string joined() const;
  friend bool operator==(const TxtRecord&, const TxtRecord&) = default;
};

struct SoaRecord {
  std::string mname;
  std::string rname;
  std::uint32_t serial = 0;
  friend bool operator==(const SoaRecord&, const SoaRecord&) = default;
};

struct TlsaRecord {
  std::uint8_t usage = 0;
  std::uint8_t selector = 0;
  std::uint8_t matching_type = 0;
  std::string data;  // raw bytes
  friend bool operator==(const TlsaRecord&, const TlsaRecord&) = default;
};

// A: IpAddress (v4); AAAA: IpAddress (v6); NS, CNAME, PTR: a domain name (no trailing dot).
using RecordData = std::variant<IpAddress, std::string, MxRecord, TxtRecord, SoaRecord, TlsaRecord>;

struct Answer {
  Status status = Status::servfail;
  Security security = Security::insecure;
  // The name the records belong to after following CNAMEs (lowercase, no trailing dot).
  std::string canonical_name;
  std::uint32_t ttl = 0;
  std::vector<RecordData> records;
  // Why the answer is servfail/bogus/timeout, for traces ("DNSSEC validation failed: ...").
  std::string problem;

  bool ok() const { return status == Status::answer; }

  // Records of one kind, e.g. answer.all<TxtRecord>() or answer.all<IpAddress>().
  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& record : records) {
      if (const T* value = std::get_if<T>(&record)) {
        out.push_back(*value);
      }
    }
    return out;
  }
};

class Resolver {
 public:
  virtual ~Resolver() = default;

  // `name` is a domain name in A-label form, with or without a trailing dot.
  virtual Answer query(std::string_view name, RecordType type) = 0;
};

}  // namespace cqlist::dns
