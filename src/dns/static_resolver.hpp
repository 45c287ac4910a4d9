// dns/static_resolver.hpp: a Resolver answering from records held in memory.
//
// Owns: a small zone-text reader and the DNS answer rules unit tests rely on: case-insensitive
// names, NXDOMAIN vs NODATA (a name with records below it exists, RFC 8020), CNAME chains
// (followed up to 8 links, a loop is SERVFAIL) and injected failures (TIMEOUT, SERVFAIL).
// Every answer is Security::insecure unless set_security() says otherwise.
//
// Zone text, one record a line ('#' or ';' starts a comment line):
//   example.org TXT "v=spf1 ip4:192.0.2.0/24 -all" "second string"
//   example.org 600 A 192.0.2.1          (optional TTL, default 300; optional class IN)
//   example.org MX 10 mx.example.org.
//   alias.example.org CNAME target.example.org
//   1.2.0.192.in-addr.arpa PTR mail.example.org
//   example.org SOA ns.example.org. hostmaster.example.org. 2024010101
//   _25._tcp.mx.example.org TLSA 3 1 1 0a1b2c...   (hex)
//   slow.example.org TIMEOUT [TYPE]       (queries for the name, or one type, time out)
//   broken.example.org SERVFAIL [TYPE]
// TXT strings are quoted with \" \\ and \DDD escapes (RFC 1035 §5.1), or one bare word.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "dns/resolver.hpp"

namespace cqlist::dns {

class StaticResolver : public Resolver {
 public:
  StaticResolver() = default;
  StaticResolver(const StaticResolver& other);
  StaticResolver& operator=(const StaticResolver& other);

  // Reads zone text (the format above); the error names the offending line.
  static Result<StaticResolver> from_zone(std::string_view text);

  // Adds one zone line; blank and comment lines are accepted and ignored.
  Result<void> add_line(std::string_view line);

  // Adds one record. The data must fit the type (IpAddress for A/AAAA, a name string for
  // NS/CNAME/PTR, MxRecord, TxtRecord, SoaRecord, TlsaRecord); a mismatch is invalid_argument.
  Result<void> add(std::string_view name, RecordType type, RecordData data,
                   std::uint32_t ttl = 300);

  // Makes queries for `name` (every type, or only `type`) end in `status` (timeout/servfail).
  void inject_failure(std::string_view name, Status status,
                      std::optional<RecordType> type = std::nullopt);

  // Marks the answers for `name` with a DNSSEC state (default insecure).
  void set_security(std::string_view name, Security security);

  Answer query(std::string_view name, RecordType type) override;

  // The zone's contents, for tools that serve the same data from a real DNS server.
  struct Entry {
    std::string name;  // normalized
    RecordType type;
    RecordData data;
    std::uint32_t ttl;
  };

  struct Failure {
    std::string name;
    std::optional<RecordType> type;
    Status status;
  };

  std::vector<Entry> entries() const;
  std::vector<Failure> failures() const;

  // Every query made so far, in order, as "name TYPE" (lowercase name): tests assert lookup
  // counts and order with it.
  std::vector<std::string> queries() const;
  void clear_queries();

 private:
  struct Record {
    RecordType type;
    RecordData data;
    std::uint32_t ttl;
  };

  struct Node {
    std::vector<Record> records;
    std::vector<std::pair<std::optional<RecordType>, Status>> failures;
    Security security = Security::insecure;
  };

  bool name_exists(const std::string& name) const;

  mutable std::mutex mutex_;
  std::map<std::string, Node> nodes_;
  std::vector<std::string> queries_;
};

}  // namespace cqlist::dns
