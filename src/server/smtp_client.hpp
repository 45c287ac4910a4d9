// server/smtp_client.hpp: handing list mail to the MTA over SMTP (RFC 5321).
//
// Owns: one SMTP client connection (EHLO, STARTTLS when offered and wanted, PIPELINING: MAIL,
// every RCPT and DATA sent in one write, XVERP when the server offers it, dot-stuffing, the
// final "." in the same write as the body end; for a stream of messages, the next
// transaction's commands in that write too) and a bounded pool of reused connections.
// Postfix owns the queue, retries and TLS to the world; this client talks to a local Postfix.
//
// Calls block: delivery runs on worker threads, one connection per thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "mail/smtp_reply.hpp"

namespace cqlist::server {

struct SmtpRelayConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 10025;
  std::string helo_name = "localhost";
  bool starttls = true;  // upgrade when the server offers STARTTLS (no certificate check)
  std::chrono::seconds timeout{120};
  // RFC 5321 §4.5.3.2.6 (Postfix: smtp_data_done_timeout): giving up sooner on the reply to
  // the final "." would send again a copy the relay may have queued.
  std::chrono::seconds data_done_timeout{600};
  std::size_t max_connections = 4;
};

struct OutgoingMessage {
  std::string mail_from;  // reverse-path; with xverp the server expands it per recipient
  bool xverp = false;     // ask for XVERP (only when the server offered it; else refused)
  std::vector<std::string> recipients;
  std::string data;  // the message with CRLF line endings, not dot-stuffed
};

struct TransactionResult {
  mail::SmtpReply mail_reply;
  std::vector<mail::SmtpReply> rcpt_replies;  // one per recipient, in order (the MAIL reply
                                              // for each when MAIL was refused)
  mail::SmtpReply data_reply;                 // code 0 when DATA was not reached
  // DATA got its 354 and the message followed; a relay that answers DATA itself with a 2xx
  // has not taken a message it never received.
  bool message_sent = false;

  // The MTA took responsibility for the recipients whose RCPT reply is 2xx.
  bool accepted() const { return message_sent && data_reply.success(); }

  // MAIL went through and the relay refused every RCPT: its reply to DATA then only says
  // "no valid recipients" (Postfix: 554, even when the refusals were temporary).
  bool every_recipient_refused() const;
  // What decides the outcome: MAIL's refusal; else, when every RCPT was refused, the first of
  // those refusals (each recipient's own reply says whether to try it again); else the reply
  // to DATA or to the final ".".
  const mail::SmtpReply& deciding_reply() const;
};

class SmtpConnection {
 public:
  // Connects, reads the greeting, EHLO, STARTTLS + EHLO again when offered and configured.
  // Errc::temporary when the server cannot be reached or answers 4xx; Errc::io otherwise.
  static Result<std::unique_ptr<SmtpConnection>> open(const SmtpRelayConfig& config);
  virtual ~SmtpConnection() = default;
  virtual bool offers(std::string_view extension) const = 0;  // "XVERP", "PIPELINING", ...
  virtual bool encrypted() const = 0;
  // False once the connection broke or the server closed it (a 421 reply); drop it then.
  virtual bool usable() const = 0;
  // One transaction. Replies are values (a 550 RCPT is an outcome); Errc::temporary when the
  // connection broke, after which this connection is unusable.
  virtual Result<TransactionResult> send(const OutgoingMessage& message) = 0;
  // RSET between transactions is sent by send() itself when needed.

  // Sends the messages `next` hands out, in order. With PIPELINING each transaction's MAIL,
  // RCPT and DATA go out in the same write as the previous message's data and final ".",
  // so a message costs one round trip; without it, one send() per message.
  // `next` is called for the following message right after a write, before that write's
  // replies are read, so making a message (signing a copy) overlaps the round trip.
  // Every message `next` returned gets exactly one `done` call, in order, as soon as its
  // outcome is known; `done` returns false to stop (next is then not called again). A
  // message fetched but never sent because of a stop or a broken connection (after a stop,
  // the one fetched ahead) gets done(message, Errc::temporary error). Returns an error only when
  // the connection broke (after the done calls); a refused MAIL/RCPT/DATA is an outcome, and the
  // stream goes on after an RSET. A stop that comes when the server already said 354 to the next
  // message closes the connection (nothing else can end DATA without sending that message), so
  // check usable() afterwards.
  virtual Result<void> send_stream(
      const std::function<std::optional<OutgoingMessage>()>& next,
      const std::function<bool(const OutgoingMessage&, Result<TransactionResult>)>& done) = 0;
  virtual void quit() = 0;
};

// At most config.max_connections open at once; idle ones are reused.
class SmtpClientPool {
 public:
  explicit SmtpClientPool(SmtpRelayConfig config);
  ~SmtpClientPool();
  SmtpClientPool(const SmtpClientPool&) = delete;
  SmtpClientPool& operator=(const SmtpClientPool&) = delete;
  // Waits for a free connection (or opens one), sends, returns the connection to the pool.
  // A connection that failed is dropped and the send is retried once on a new one.
  Result<TransactionResult> send(const OutgoingMessage& message);
  // SmtpConnection::send_stream on one connection from the pool, held for the whole stream.
  // A reused connection the relay had closed before the first message got anywhere is
  // replaced once, as send() does; a connection that breaks later ends the stream with its
  // error, and the caller decides whether to go on.
  Result<void> send_stream(
      const std::function<std::optional<OutgoingMessage>()>& next,
      const std::function<bool(const OutgoingMessage&, Result<TransactionResult>)>& done);
  // True when the relay offers XVERP (asks once, on the first connection).
  Result<bool> offers(std::string_view extension);
  void close_all();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cqlist::server
