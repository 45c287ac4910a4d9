// server/policy_server.hpp: a Postfix policy delegation server (Postfix's SMTPD_POLICY_README).
//
// Owns: the protocol only. Postfix's smtpd connects (`check_policy_service inet:HOST:PORT` in
// smtpd_recipient_restrictions) and sends a request as "name=value" lines ended by an empty
// line; the server answers one "action=WHAT" line and an empty line. A connection carries many
// requests, one after another, for as long as the smtpd process lives. It knows nothing about
// lists: a PolicyHandler decides the action.
//
// Why a policy server at all: it answers while the poster's server is still in the SMTP
// session, so Postfix refuses the recipient there and then, and never queues a message it
// would later have to bounce to a possibly forged sender.
//
// A request with a line that is not "name=value", a line longer than 16 KiB or more than 256
// attributes closes the connection without an answer: Postfix logs the problem and applies
// its smtpd_policy_service_default_action. A handler that throws, or answers something that
// is not one line, is answered "DUNNO" (no opinion), so a fault here never refuses mail.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "base/result.hpp"

namespace cqlist::server {

struct PolicyRequest {
  // As Postfix sent them ("request", "protocol_state", "sender", "recipient",
  // "client_address", "helo_name", ...); a repeated name keeps its last value.
  std::map<std::string, std::string, std::less<>> attributes;

  // The value of `name`, "" when Postfix did not send it.
  std::string_view get(std::string_view name) const;
};

// Called on worker threads, concurrently for different connections.
class PolicyHandler {
 public:
  virtual ~PolicyHandler() = default;
  // One line in access(5) form: "DUNNO", "OK", "550 5.7.1 reason", "DEFER_IF_PERMIT reason".
  virtual std::string decide(const PolicyRequest& request) = 0;
};

struct PolicyServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 10031;  // 0: any free port (tests), see PolicyServer::port()
  // Every smtpd process keeps its own connection (default_process_limit is 100).
  std::size_t max_connections = 256;
  // Longer than Postfix's smtpd_policy_service_max_idle (300 s), so that Postfix, which knows
  // when it is done, is the side that closes an idle connection.
  std::chrono::seconds idle_timeout{330};
};

class PolicyServer {
 public:
  // Binds and listens; Errc::io when the address cannot be bound (in use, not local).
  // `workers` and `handler` must outlive the sessions, i.e. until `io` has stopped.
  static Result<std::unique_ptr<PolicyServer>> start(boost::asio::io_context& io,
                                                     boost::asio::thread_pool& workers,
                                                     PolicyServerConfig config,
                                                     PolicyHandler& handler);
  virtual ~PolicyServer() = default;
  virtual std::uint16_t port() const = 0;
  // Stops accepting; a request being decided is still answered, then its connection closes.
  virtual void stop() = 0;
};

}  // namespace cqlist::server
