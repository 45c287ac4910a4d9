// dns/testing/unbound_server.hpp: a real unbound DNS server on loopback, for tests.
//
// Owns: turning a StaticResolver's zone into an unbound.conf, starting `unbound -d -c CONF` as a
// child on a free 127.0.0.1 port, waiting until it answers, and killing it by PID. Tests then point
// an UnboundResolver at forwarder() so the production code path runs against the same data the
// in-memory resolver serves.
//
// How the zone maps onto unbound's local zones (the most specific zone covering a query name
// decides how it is answered):
//   - records are local-data under a static root zone: NXDOMAIN and NODATA as StaticResolver
//     gives them, empty non-terminals included;
//   - a name with injected failures gets a zone of its own: "deny" (queries are dropped, so the
//     client times out) for TIMEOUT, "typetransparent" plus a stub zone at an address the
//     server may not query for SERVFAIL. Its records of the failing types are left out (the
//     failure wins, as in StaticResolver); records of other types are answered;
//   - every existing name directly below a failing name gets a static zone, so children with
//     records (fine.example.com under a TIMEOUT example.com) answer as StaticResolver does.
// Two things unbound cannot say, where the servers differ: a failing name fails for *every*
// type it holds no record of (StaticResolver: only the injected types; they coincide when the
// failing types are all the types the name lacks, as in the OpenSPF suites), and names below
// a failing name that hold nothing fail like it (StaticResolver: NXDOMAIN). A name has one
// failure status; with both TIMEOUT and SERVFAIL injected, the first one injected applies.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "base/result.hpp"
#include "dns/static_resolver.hpp"

namespace cqlist::dns::testing {

class UnboundServer {
 public:
  // `extra_server_lines` go into the server: clause as they are (e.g. "verbosity: 2");
  // `extra_clauses` after the last clause (e.g. an "auth-zone:" serving a signed zone file).
  static Result<std::unique_ptr<UnboundServer>> start(
      const StaticResolver& zone, const std::vector<std::string>& extra_server_lines = {},
      const std::vector<std::string>& extra_clauses = {});
  ~UnboundServer();
  UnboundServer(const UnboundServer&) = delete;
  UnboundServer& operator=(const UnboundServer&) = delete;

  std::uint16_t port() const { return port_; }

  // "127.0.0.1@PORT", the form UnboundOptions::forwarders takes.
  std::string forwarder() const;

  const std::string& directory() const { return directory_; }

 private:
  UnboundServer() = default;
  Result<void> launch(const StaticResolver& zone,
                      const std::vector<std::string>& extra_server_lines,
                      const std::vector<std::string>& extra_clauses);

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string directory_;
};

// The unbound.conf text for `zone` (exposed for debugging failed tests).
std::string unbound_config(const StaticResolver& zone, std::uint16_t port,
                           const std::string& directory,
                           const std::vector<std::string>& extra_server_lines,
                           const std::vector<std::string>& extra_clauses = {});

}  // namespace cqlist::dns::testing
