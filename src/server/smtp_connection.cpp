// server/smtp_connection.cpp: the SMTP conversation with the relay, with deadlines.
#include "server/smtp_connection.hpp"

#include <exception>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include "base/log.hpp"
#include "base/strings.hpp"

namespace cqlist::server {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

constexpr std::size_t kMaxReplyLine = 4096;
constexpr std::size_t kMaxReplyLines = 200;

}  // namespace

template <class Start>
error_code SmtpConnectionImpl::run_until(Start start, Clock::time_point deadline) {
  error_code result = asio::error::would_block;
  start(result);
  io_.restart();
  io_.run_until(deadline);
  if (result == asio::error::would_block) {
    error_code ignored;
    socket_.close(ignored);  // fails the pending operation; run() then delivers that
    io_.restart();
    io_.run();
    return asio::error::timed_out;
  }
  return result;
}

Error SmtpConnectionImpl::broken(std::string_view activity, std::string_view reason) {
  broken_ = true;
  error_code ignored;
  socket_.close(ignored);
  return Error(Errc::temporary, "the SMTP connection to the relay at " + relay() + " failed " +
                                    std::string(activity) + ": " + std::string(reason) +
                                    "; check that Postfix runs and accepts mail there");
}

Error SmtpConnectionImpl::broken(std::string_view activity, const error_code& ec,
                                 std::chrono::seconds wait) {
  if (ec == asio::error::timed_out) {
    return broken(activity, "no answer within " + std::to_string(wait.count()) + " s");
  }
  return broken(activity, ec.message());
}

Error SmtpConnectionImpl::refused(std::string_view command, const mail::SmtpReply& reply) {
  broken_ = true;
  error_code ignored;
  socket_.close(ignored);
  std::string message = "the SMTP relay at " + relay() + " refused " + std::string(command) + ": " +
                        std::to_string(reply.code) + " " + reply.text();
  return Error(reply.transient() ? Errc::temporary : Errc::io,
               message + "; check the relay's log (Postfix: maillog) for the reason");
}

Result<void> SmtpConnectionImpl::write(std::string_view bytes) {
  error_code ec = run_until(
      [&](error_code& result) {
        auto done = [&result](const error_code& error, std::size_t) { result = error; };
        if (tls_) {
          asio::async_write(*tls_, asio::buffer(bytes), done);
        } else {
          asio::async_write(socket_, asio::buffer(bytes), done);
        }
      },
      deadline());
  if (ec) {
    return fail(broken("while writing", ec, config_.timeout));
  }
  return {};
}

Result<void> SmtpConnectionImpl::receive(Clock::time_point until, std::chrono::seconds wait) {
  std::size_t count = 0;
  error_code ec = run_until(
      [&](error_code& result) {
        auto done = [&result, &count](const error_code& error, std::size_t n) {
          result = error;
          count = n;
        };
        if (tls_) {
          tls_->async_read_some(asio::buffer(read_buffer_), done);
        } else {
          socket_.async_read_some(asio::buffer(read_buffer_), done);
        }
      },
      until);
  if (ec) {
    return fail(broken("while waiting for a reply", ec, wait));
  }
  input_.append(read_buffer_.data(), count);
  return {};
}

Result<mail::SmtpReply> SmtpConnectionImpl::read_reply(std::chrono::seconds wait) {
  if (broken_) {
    return fail(Errc::temporary, "the SMTP connection to " + relay() + " is closed");
  }
  Clock::time_point until = Clock::now() + wait;
  std::vector<std::string> lines;
  while (true) {
    std::size_t newline = input_.find('\n');
    if (newline == std::string::npos) {
      if (input_.size() > kMaxReplyLine) {
        return fail(broken("while reading a reply", "a reply line is implausibly long"));
      }
      CQLIST_TRY_VOID(receive(until, wait));
      continue;
    }
    std::string line = input_.substr(0, newline);
    input_.erase(0, newline + 1);
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    bool last = line.size() < 4 || line[3] != '-';
    lines.push_back(std::move(line));
    if (last) {
      break;
    }
    if (lines.size() > kMaxReplyLines) {
      return fail(broken("while reading a reply", "a reply has too many lines"));
    }
  }
  Result<mail::SmtpReply> reply = mail::SmtpReply::parse(lines);
  if (!reply) {
    return fail(broken("while reading a reply", reply.error().message()));
  }
  if (reply->code == 421) {
    broken_ = true;  // RFC 5321 §3.8: the server is closing the connection
    goodbye_ = "421 " + (reply->status ? reply->status->to_string() + " " : "") + reply->text();
  }
  return reply;
}

Result<mail::SmtpReply> SmtpConnectionImpl::command(std::string_view line) {
  CQLIST_TRY_VOID(write(line));
  return read_reply();
}

Result<void> SmtpConnectionImpl::connect() {
  error_code ec;
  std::vector<asio::ip::tcp::endpoint> endpoints;
  asio::ip::address literal = asio::ip::make_address(config_.host, ec);
  if (!ec) {
    endpoints.emplace_back(literal, config_.port);
  } else {
    // The relay is local: an address, or a name from /etc/hosts that resolves at once.
    asio::ip::tcp::resolver resolver(io_);
    auto results = resolver.resolve(config_.host, std::to_string(config_.port), ec);
    if (ec) {
      return fail(Errc::temporary, "cannot resolve the SMTP relay host \"" + config_.host +
                                       "\": " + ec.message() + "; use an IP address");
    }
    for (const auto& entry : results) {
      endpoints.push_back(entry.endpoint());
    }
  }
  ec = run_until(
      [&](error_code& result) {
        asio::async_connect(socket_, endpoints,
                            [&result](const error_code& error, const auto&) { result = error; });
      },
      deadline());
  if (ec) {
    return fail(broken("to connect", ec, config_.timeout));
  }
  // The body end and "." already go out in one write; no delay helps the command lines.
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  CQLIST_TRY(mail::SmtpReply greeting, read_reply());
  if (greeting.code != 220) {
    return fail(refused("the connection", greeting));
  }
  CQLIST_TRY_VOID(hello());
  if (config_.starttls && offers("STARTTLS")) {
    CQLIST_TRY_VOID(start_tls());
  }
  log::debug("smtp.connect", {{"relay", relay()}, {"tls", encrypted() ? "yes" : "no"}});
  return {};
}

Result<void> SmtpConnectionImpl::hello() {
  CQLIST_TRY(mail::SmtpReply answer, command("EHLO " + config_.helo_name + "\r\n"));
  if (answer.success()) {
    extensions_ = parse_ehlo_reply(answer);
    return {};
  }
  if (answer.permanent()) {
    // RFC 5321 §4.1.4: a server without ESMTP gets HELO, and no extension is used.
    CQLIST_TRY(answer, command("HELO " + config_.helo_name + "\r\n"));
    if (answer.success()) {
      extensions_.clear();
      return {};
    }
  }
  return fail(refused("EHLO", answer));
}

Result<void> SmtpConnectionImpl::start_tls() {
  CQLIST_TRY(mail::SmtpReply answer, command("STARTTLS\r\n"));
  if (broken_) {
    // A 421 here closed the connection: opening it failed, so the pool tries another.
    return fail(refused("STARTTLS", answer));
  }
  if (answer.code != 220) {
    // Opportunistic, as Postfix's smtp_tls_security_level=may: go on in the clear.
    std::string code = std::to_string(answer.code);
    log::warn("smtp.starttls_refused", {{"relay", relay()}, {"code", code}});
    return {};
  }
  if (!input_.empty()) {
    // Bytes that arrived before the handshake were injected in the clear (CVE-2011-0411).
    return fail(broken("during STARTTLS", "the relay sent data before the TLS handshake"));
  }
  try {
    tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    // The relay is the local Postfix; TLS here only keeps the loopback hop private, and a
    // self-signed certificate is normal, so no certificate check.
    tls_context_->set_verify_mode(asio::ssl::verify_none);
  } catch (const std::exception& e) {
    return fail(Errc::io, std::string("cannot set up TLS: ") + e.what());
  }
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, *tls_context_);
  error_code ec = run_until(
      [&](error_code& result) {
        tls_->async_handshake(asio::ssl::stream_base::client,
                              [&result](const error_code& error) { result = error; });
      },
      deadline());
  if (ec) {
    return fail(broken("in the TLS handshake", ec, config_.timeout));
  }
  extensions_.clear();  // RFC 3207 §4.2: forget what was learnt before TLS
  return hello();
}

Result<SmtpConnectionImpl::Envelope> SmtpConnectionImpl::envelope(
    const OutgoingMessage& message) const {
  if (message.recipients.empty()) {
    return fail(Errc::invalid_argument, "a message without recipients cannot be sent");
  }
  if (message.xverp && !offers("XVERP")) {
    return fail(Errc::unsupported,
                "the SMTP relay at " + relay() +
                    " does not offer XVERP; point cqlist at a Postfix smtpd listener (it offers "
                    "XVERP unless smtpd_discard_ehlo_keywords removes it) or send without VERP");
  }
  std::optional<std::string> mail_line = mail_from_command(message, extensions_);
  if (!mail_line) {
    return fail(Errc::invalid_argument,
                "the envelope sender contains CR, LF or angle brackets and cannot be sent");
  }
  Envelope lines{std::move(*mail_line), {}};
  for (const std::string& recipient : message.recipients) {
    std::optional<std::string> line = rcpt_to_command(recipient);
    if (!line) {
      return fail(Errc::invalid_argument, "the recipient \"" + recipient +
                                              "\" is empty or contains CR, LF or angle brackets");
    }
    lines.rcpt_lines.push_back(std::move(*line));
  }
  return lines;
}

Result<void> SmtpConnectionImpl::reset_if_needed() {
  if (!needs_reset_) {
    return {};
  }
  CQLIST_TRY(mail::SmtpReply reset, command("RSET\r\n"));
  if (!reset.success()) {
    return fail(refused("RSET", reset));
  }
  needs_reset_ = false;
  return {};
}

Result<bool> SmtpConnectionImpl::write_transaction(std::string before, const Envelope& envelope) {
  // RFC 2920: RSET, MAIL, every RCPT and DATA in one write, then the replies in order. The
  // previous message's data may open the group (§3.1): its "." ends that transaction first.
  bool reset = needs_reset_;
  std::string batch = std::move(before);
  if (reset) {
    batch += "RSET\r\n";
  }
  batch += envelope.mail_line;
  for (const std::string& line : envelope.rcpt_lines) {
    batch += line;
  }
  batch += "DATA\r\n";
  needs_reset_ = true;  // until the reply to the final "." ends the transaction
  CQLIST_TRY_VOID(write(batch));
  return reset;
}

Result<void> SmtpConnectionImpl::read_transaction(bool reset_sent, const Envelope& envelope,
                                                  TransactionResult& result) {
  recipient_accepted_ = false;
  if (reset_sent) {
    CQLIST_TRY(mail::SmtpReply reset, read_reply());
    if (!reset.success()) {
      return fail(refused("RSET", reset));
    }
  }
  CQLIST_TRY(result.mail_reply, read_reply());
  mail::SmtpReply last = result.mail_reply;
  for (std::size_t i = 0; i < envelope.rcpt_lines.size(); ++i) {
    if (!broken_) {
      CQLIST_TRY(last, read_reply());
    }
    // After a refused MAIL the RCPT replies only say "need MAIL": report the real cause.
    result.rcpt_replies.push_back(result.mail_reply.success() ? last : result.mail_reply);
    recipient_accepted_ = recipient_accepted_ || result.rcpt_replies.back().success();
  }
  if (!broken_) {
    CQLIST_TRY(result.data_reply, read_reply());
  }
  return {};
}

std::string SmtpConnectionImpl::data_block(const OutgoingMessage& message) const {
  if (!recipient_accepted_) {
    // A server should refuse DATA without recipients (RFC 2920 §3.1); end the empty message.
    return ".\r\n";
  }
  return dot_stuff(message.data);
}

Result<void> SmtpConnectionImpl::send_in_turn(const Envelope& envelope, TransactionResult& result) {
  CQLIST_TRY(result.mail_reply, command(envelope.mail_line));
  if (!result.mail_reply.success()) {
    result.rcpt_replies.assign(envelope.rcpt_lines.size(), result.mail_reply);
    return {};
  }
  for (const std::string& line : envelope.rcpt_lines) {
    if (broken_) {
      result.rcpt_replies.push_back(result.rcpt_replies.back());
      continue;
    }
    CQLIST_TRY(mail::SmtpReply answer, command(line));
    recipient_accepted_ = recipient_accepted_ || answer.success();
    result.rcpt_replies.push_back(std::move(answer));
  }
  if (recipient_accepted_ && !broken_) {
    CQLIST_TRY(result.data_reply, command("DATA\r\n"));
  }
  return {};
}

Result<TransactionResult> SmtpConnectionImpl::send(const OutgoingMessage& message) {
  recipient_accepted_ = false;
  if (broken_) {
    return fail(Errc::temporary,
                "the SMTP connection to " + relay() + " is closed; open a new one");
  }
  CQLIST_TRY(Envelope lines, envelope(message));
  CQLIST_TRY_VOID(reset_if_needed());
  TransactionResult result;
  if (offers("PIPELINING")) {
    CQLIST_TRY(bool reset_sent, write_transaction(std::string(), lines));
    CQLIST_TRY_VOID(read_transaction(reset_sent, lines, result));
  } else {
    needs_reset_ = true;  // until the reply to the final "." ends the transaction
    CQLIST_TRY_VOID(send_in_turn(lines, result));
  }
  if (result.data_reply.code != 354) {
    return result;  // DATA refused or not reached: the next send() begins with RSET
  }
  CQLIST_TRY_VOID(write(data_block(message)));
  CQLIST_TRY(result.data_reply, read_final_reply());
  result.message_sent = recipient_accepted_;
  needs_reset_ = !recipient_accepted_;  // after "." alone, RSET first as before
  return result;
}

Error SmtpConnectionImpl::closed_by_relay() {
  return broken("during a stream of messages",
                goodbye_.empty() ? std::string("it closed the connection")
                                 : "it closed the connection with \"" + goodbye_ + "\"");
}

Result<void> SmtpConnectionImpl::send_each(const StreamNext& next, const StreamDone& done) {
  while (std::optional<OutgoingMessage> message = next()) {
    Result<TransactionResult> result = send(*message);
    std::optional<Error> failure;
    if (!result) {
      failure = result.error();
    }
    bool more = done(*message, std::move(result));
    if (broken_) {
      return fail(failure ? *failure : closed_by_relay());
    }
    if (!more) {
      break;
    }
  }
  return {};
}

Result<void> SmtpConnectionImpl::send_stream(const StreamNext& next, const StreamDone& done) {
  if (broken_) {
    return fail(Errc::temporary,
                "the SMTP connection to " + relay() + " is closed; open a new one");
  }
  // The pool asks whether anything of the first message was accepted when a reused connection
  // fails at once; what the previous stream on this connection did says nothing about that.
  recipient_accepted_ = false;
  if (!offers("PIPELINING")) {
    return send_each(next, done);
  }

  // The message whose DATA got 354: its data block opens the next write, and its final reply
  // is the first one read after that write.
  struct Awaiting {
    OutgoingMessage message;
    TransactionResult result;
    std::string block;
  };

  std::optional<Awaiting> awaiting;
  std::optional<OutgoingMessage> message;  // fetched, not yet reported, not awaiting
  // The message after `message`, fetched right after the write that the relay is now working
  // on: making it (for a fan-out, signing a copy) overlaps that round trip instead of waiting
  // for it, so the reads that follow seldom block.
  std::optional<OutgoingMessage> upcoming;
  auto drop_upcoming = [&](const Error& unsent) {
    if (upcoming) {
      done(*upcoming, fail(unsent));
      upcoming.reset();
    }
  };
  // The connection broke: whatever has no final reply yet was not sent, as far as anyone knows.
  auto abandon = [&](const Error& error) -> Result<void> {
    Error unsent = error.temporary() ? error : Error(Errc::temporary, error.message());
    if (awaiting) {
      done(awaiting->message, fail(unsent));
      awaiting.reset();
    }
    if (message) {
      done(*message, fail(unsent));
      message.reset();
    }
    drop_upcoming(unsent);
    return fail(error);
  };
  // Reads the awaiting message's final reply and reports it; returns what `done` said.
  // A 421 as that reply also ends the stream.
  auto conclude = [&]() -> Result<bool> {
    CQLIST_TRY(awaiting->result.data_reply, read_final_reply());
    bool more = done(awaiting->message, std::move(awaiting->result));
    awaiting.reset();
    if (broken_) {
      return fail(closed_by_relay());
    }
    return more;
  };
  // Sends the awaiting message's data on its own: nothing follows it.
  auto finish = [&]() -> Result<bool> {
    CQLIST_TRY_VOID(write(awaiting->block));
    return conclude();
  };
  const Error stopped_first(Errc::temporary, "not sent: the sender stopped the stream first");

  bool going = true;
  upcoming = next();
  while (going && upcoming) {
    message = std::move(upcoming);
    upcoming.reset();
    Result<Envelope> lines = envelope(*message);
    if (!lines) {
      // Nothing of this one goes out, but the message before it must be reported first.
      if (awaiting) {
        Result<bool> more = finish();
        if (!more) {
          return abandon(more.error());
        }
        going = *more;
      }
      going = done(*message, fail(lines.error())) && going;
      message.reset();
      if (going) {
        upcoming = next();
      }
      continue;
    }
    std::string before = awaiting ? std::move(awaiting->block) : std::string();
    Result<bool> reset_sent = write_transaction(std::move(before), *lines);
    if (!reset_sent) {
      return abandon(reset_sent.error());
    }
    upcoming = next();
    if (awaiting) {
      Result<bool> more = conclude();
      if (!more) {
        return abandon(more.error());
      }
      going = *more;
    }
    TransactionResult result;
    if (Result<void> read = read_transaction(*reset_sent, *lines, result); !read) {
      return abandon(read.error());
    }
    if (broken_) {
      return abandon(closed_by_relay());
    }
    if (!going) {
      // Stopped while this message's commands were already out: its data stays here.
      done(*message, fail(stopped_first));
      message.reset();
      drop_upcoming(stopped_first);
      if (result.data_reply.code == 354) {
        // The relay waits for the data, and only a closed connection ends that without
        // delivering something: Postfix then discards the transaction.
        log::info("smtp.stream_stopped", {{"relay", relay()}, {"connection", "closed"}});
        broken_ = true;
        error_code ignored;
        socket_.close(ignored);
        return {};
      }
      return reset_if_needed();
    }
    if (result.data_reply.code != 354) {
      // Refused: an outcome. needs_reset_ stays set, so the next write begins with RSET.
      going = done(*message, std::move(result));
      message.reset();
      continue;
    }
    std::string block = data_block(*message);
    result.message_sent = recipient_accepted_;  // reported only once the block is written
    needs_reset_ = !recipient_accepted_;        // as send() after the final reply
    awaiting = Awaiting{std::move(*message), std::move(result), std::move(block)};
    message.reset();
  }
  if (awaiting) {
    Result<bool> more = finish();
    if (!more) {
      return abandon(more.error());
    }
  }
  drop_upcoming(stopped_first);
  return {};
}

void SmtpConnectionImpl::quit() {
  if (broken_) {
    return;
  }
  if (write("QUIT\r\n")) {
    (void)read_reply();
  }
  broken_ = true;
  error_code ignored;
  socket_.close(ignored);
}

Result<std::unique_ptr<SmtpConnectionImpl>> open_connection(const SmtpRelayConfig& config) {
  try {
    auto connection = std::make_unique<SmtpConnectionImpl>(config);
    CQLIST_TRY_VOID(connection->connect());
    return connection;
  } catch (const std::exception& e) {
    return fail(Errc::io, "cannot open an SMTP connection to " + config.host + ": " + e.what());
  }
}

}  // namespace cqlist::server
