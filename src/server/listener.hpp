// server/listener.hpp: the listening socket, accept loop, connection limit and stop() that the
// LMTP, HTTP and policy servers share.
//
// Owns: binding (errors an operator can act on), accepting without spinning on errors such as
// running out of file descriptors, the connection limit (a connection past it gets the
// server's refusal, then is closed), and stopping: no new connections, and every open session
// asked to finish what it is doing. The protocols live in the sessions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "base/result.hpp"

namespace cqlist::server {

// Binds and listens on `address`:`port` (port 0: any free port). Errc::invalid_argument when
// `address` is not an IP address, Errc::io when the system refuses (port in use, address not
// on this host). `service` names the listener in the message ("LMTP", "HTTP").
Result<boost::asio::ip::tcp::acceptor> open_listener(const boost::asio::any_io_executor& executor,
                                                     const std::string& address, std::uint16_t port,
                                                     std::string_view service);

// One accepted connection, as the listener sees it.
class Session {
 public:
  virtual ~Session() = default;
  // The whole conversation; runs on the socket's executor (a strand of its own).
  virtual boost::asio::awaitable<void> run() = 0;
  // Any thread: finish what is in progress, then close.
  virtual void request_stop() = 0;
};

struct ListenerConfig {
  std::string address;
  std::uint16_t port = 0;  // 0: any free port (tests), see Listener::port()
  std::string service;     // in error messages: "LMTP", "HTTP", "policy service"
  std::string log_name;    // prefix of log events: "lmtp" gives lmtp.listening, lmtp.refused
  std::size_t max_connections = 64;
};

class Listener {
 public:
  // A session for an accepted socket; `id` is unique within this listener (for log lines).
  using MakeSession = std::function<std::shared_ptr<Session>(boost::asio::ip::tcp::socket socket,
                                                             std::uint64_t id)>;
  // Answers a connection past the limit ("421 ... try again later"); the listener closes it
  // after. Empty: closed unanswered.
  using Refuse = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket& socket)>;

  // Binds, listens and starts accepting on `io`.
  static Result<std::unique_ptr<Listener>> start(boost::asio::io_context& io, ListenerConfig config,
                                                 MakeSession make_session, Refuse refuse);
  ~Listener();  // stop()
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  std::uint16_t port() const { return port_; }

  // Stops accepting and asks every open session to stop. Idempotent, any thread.
  void stop();

  struct State;  // shared with the accept loop, which may outlive this object

 private:
  Listener(std::shared_ptr<State> state, std::uint16_t port)
      : state_(std::move(state)), port_(port) {}

  std::shared_ptr<State> state_;
  std::uint16_t port_;
};

}  // namespace cqlist::server
