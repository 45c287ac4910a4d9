// dns/testing/unbound_server.hpp: a real unbound DNS server on loopback, for tests.
//
// Owns: turning a StaticResolver's zone into an unbound.conf (local-data under a static root
// zone; TIMEOUT names as "deny" zones, which drop queries; SERVFAIL names as stub zones
// pointing at an address the server is told never to query), starting `unbound -d -c CONF` as a
// child on a free 127.0.0.1 port, waiting until it answers, and killing it by PID. Tests then point
// an UnboundResolver at forwarder() so the production code path runs against the same data the
// in-memory resolver serves. TIMEOUT/SERVFAIL apply to the whole name here (and the names
// below it), not to single record types.
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
