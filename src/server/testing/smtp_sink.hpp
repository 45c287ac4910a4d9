// server/testing/smtp_sink.hpp: Postfix's smtp-sink(1) as a child process for client tests.
//
// A real, independent SMTP server: it dumps every transaction to a file (-d) and counts the
// sessions that ended (-c), so tests can check what arrived and how many connections it took.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "base/result.hpp"

namespace cqlist::server::testing {

class SmtpSink {
 public:
  // Starts /usr/sbin/smtp-sink on 127.0.0.1 at a free port with extra `options` (e.g.
  // {"-f", "RCPT"}) and waits until it listens. As root it runs as "nobody" (-u).
  static Result<std::unique_ptr<SmtpSink>> start(const std::vector<std::string>& options = {});
  ~SmtpSink();  // kills the child by its PID and removes the dump directory
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  std::uint16_t port() const { return port_; }

  // The dumped transactions, in no particular order: smtp-sink's X-Mail-Args and X-Rcpt-Args
  // header lines, then the message as received, dots unstuffed, LF line ends.
  std::vector<std::string> messages() const;

  // Sessions that have ended so far (the "sess=" counter of -c), -1 before the first.
  int finished_sessions() const;

  // Waits up to 5 seconds for finished_sessions() to reach `count`; returns the last value.
  int wait_for_finished_sessions(int count) const;

 private:
  SmtpSink() = default;

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string directory_;
};

}  // namespace cqlist::server::testing
