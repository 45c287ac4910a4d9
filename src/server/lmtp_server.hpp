// server/lmtp_server.hpp: the LMTP listener Postfix delivers list mail to (RFC 2033).
//
// Owns: the protocol only: LHLO (announcing PIPELINING, ENHANCEDSTATUSCODES, 8BITMIME,
// SIZE <limit>, XFORWARD), MAIL FROM with SIZE=, RCPT TO, XFORWARD from the xforward_hosts
// only (Postfix passes the client's address and HELO name, so cqlist can check SPF itself),
// DATA with dot-unstuffing and the size limit enforced while reading, RSET, NOOP, QUIT, and
// one reply per accepted recipient after the data. It knows nothing about lists: an
// LmtpHandler decides.
//
// Handler calls block (they write the spool with fsync, query the store and DNS), so they run
// on the worker pool; the event loop keeps serving other connections meanwhile.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "mail/smtp_reply.hpp"

namespace cqlist::server {

struct Envelope {
  std::string lhlo;                     // the client's LHLO name
  std::string mail_from;                // reverse-path without angle brackets ("" for bounces)
  std::vector<std::string> recipients;  // accepted RCPT TO addresses, in order
  // From XFORWARD (empty when the client did not send it or sent [UNAVAILABLE]).
  std::string client_address;  // "192.0.2.1" or "2001:db8::1" (an "IPv6:" prefix removed)
  std::string client_name;
  std::string client_helo;
  std::string peer_address;  // the LMTP client's own address
};

// Called on worker threads, concurrently for different connections.
class LmtpHandler {
 public:
  virtual ~LmtpHandler() = default;
  // One RCPT TO. A reply that is not 2xx refuses this recipient (e.g. "550 5.1.1 no such list").
  virtual mail::SmtpReply check_recipient(const Envelope& envelope, std::string_view recipient) = 0;
  // After the data: one reply per envelope.recipients entry, in order. A 2xx reply promises
  // the message is on disk (fsync) already. `message` has CRLF line endings, dots unstuffed;
  // a bare LF or CR the client sent inside a line is kept as it came.
  virtual std::vector<mail::SmtpReply> deliver(const Envelope& envelope, std::string message) = 0;
};

// 127.0.0.0/8 and ::1: Postfix on the same machine.
std::vector<IpNetwork> loopback_networks();

struct LmtpServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8024;           // 0: any free port (tests), see LmtpServer::port()
  std::string hostname = "localhost";  // in the greeting and LHLO reply
  std::size_t max_message_bytes = 10 * 1024 * 1024;
  std::size_t max_recipients = 1000;
  std::size_t max_connections = 64;
  std::chrono::seconds idle_timeout{300};
  // The clients whose XFORWARD is believed; others are not offered it. Its address and HELO
  // name feed the SPF and DMARC checks of the poster, so any client could otherwise pass
  // them with a forged address. Empty: nobody.
  std::vector<IpNetwork> xforward_hosts = loopback_networks();
};

class LmtpServer {
 public:
  // Binds and listens; Errc::io when the address cannot be bound (in use, not local).
  // `workers` and `handler` must outlive the sessions, i.e. until `io` has stopped.
  static Result<std::unique_ptr<LmtpServer>> start(boost::asio::io_context& io,
                                                   boost::asio::thread_pool& workers,
                                                   LmtpServerConfig config, LmtpHandler& handler);
  virtual ~LmtpServer() = default;
  virtual std::uint16_t port() const = 0;
  // Stops accepting; sessions in progress finish their current transaction.
  virtual void stop() = 0;
  // Takes effect for new transactions (SIGHUP reload).
  virtual void set_max_message_bytes(std::size_t bytes) = 0;
};

}  // namespace cqlist::server
