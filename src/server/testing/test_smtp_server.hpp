// server/testing/test_smtp_server.hpp: a small SMTP server for the SMTP client's tests.
//
// Owns what smtp-sink cannot do: STARTTLS with a self-signed certificate made at start-up,
// XVERP in the EHLO reply, refusing chosen recipients while pipelining, closing idle
// connections the way Postfix's smtpd_timeout does, and recording each transaction (whether
// it arrived encrypted, whether MAIL through DATA came in one write).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace cqlist::server::testing {

struct TestSmtpServerOptions {
  bool pipelining = true;
  bool starttls = false;
  bool xverp = false;
  std::set<std::string> refused_recipients;        // RCPT TO gets "550 5.1.1"
  std::set<std::string> deferred_recipients;       // RCPT TO gets "451 4.3.0", as Postfix when a
                                                   // lookup table fails
  std::chrono::milliseconds final_reply_delay{0};  // before the reply to the final "."
};

struct ReceivedMessage {
  int connection = 0;  // 1, 2, ... in the order the connections were accepted
  bool encrypted = false;
  bool pipelined = false;               // MAIL, the RCPTs and DATA arrived together
  std::string mail_from_argument;       // everything after "MAIL FROM:"
  std::vector<std::string> recipients;  // the accepted ones
  std::string data;                     // dot-unstuffed, CRLF line ends
};

class TestSmtpServer {
 public:
  // Listens on 127.0.0.1, any free port, and serves on a thread of its own.
  explicit TestSmtpServer(TestSmtpServerOptions options);
  ~TestSmtpServer();
  TestSmtpServer(const TestSmtpServer&) = delete;
  TestSmtpServer& operator=(const TestSmtpServer&) = delete;

  std::uint16_t port() const;
  int connections() const;
  std::vector<ReceivedMessage> messages() const;
  std::vector<std::string> commands() const;  // every command line, all connections, in order

  // Every connection that waits for a command gets "421 4.4.2" and is closed, as Postfix
  // does when smtpd_timeout expires. Returns once that has happened.
  void close_idle_connections();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cqlist::server::testing
