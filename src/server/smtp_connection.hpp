// server/smtp_connection.hpp: one SMTP connection to the relay (internal to the SMTP client).
//
// The API blocks, so each connection owns a private io_context: an operation is started
// asynchronously and the io_context runs until it completes or the deadline passes, after
// which the socket is closed and the operation fails. No call can wait past the timeout.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/system/error_code.hpp>

#include "base/result.hpp"
#include "base/strings.hpp"
#include "mail/smtp_reply.hpp"
#include "server/smtp_client.hpp"
#include "server/smtp_wire.hpp"

namespace cqlist::server {

class SmtpConnectionImpl final : public SmtpConnection {
 public:
  using StreamNext = std::function<std::optional<OutgoingMessage>()>;
  using StreamDone = std::function<bool(const OutgoingMessage&, Result<TransactionResult>)>;

  explicit SmtpConnectionImpl(SmtpRelayConfig config) : config_(std::move(config)), socket_(io_) {}

  Result<void> connect();

  bool offers(std::string_view extension) const override {
    return extensions_.find(to_ascii_upper(extension)) != extensions_.end();
  }

  bool encrypted() const override { return tls_ != nullptr; }

  bool usable() const override { return !broken_; }

  Result<TransactionResult> send(const OutgoingMessage& message) override;
  Result<void> send_stream(const StreamNext& next, const StreamDone& done) override;
  void quit() override;

  const SmtpExtensions& extensions() const { return extensions_; }

  // Whether the last transaction (of send() or a stream) got a recipient accepted before it
  // ended or failed.
  bool recipient_accepted() const { return recipient_accepted_; }

 private:
  using Clock = std::chrono::steady_clock;

  template <class Start>
  boost::system::error_code run_until(Start start, Clock::time_point deadline);

  Clock::time_point deadline() const { return Clock::now() + config_.timeout; }

  std::string relay() const { return config_.host + ":" + std::to_string(config_.port); }

  Error broken(std::string_view activity, std::string_view reason);
  Error broken(std::string_view activity, const boost::system::error_code& ec,
               std::chrono::seconds wait);
  Error refused(std::string_view command, const mail::SmtpReply& reply);
  Error closed_by_relay();  // after a 421 in the middle of a stream

  Result<void> write(std::string_view bytes);
  // `wait`: what `deadline` was set from, for the message when it passes.
  Result<void> receive(Clock::time_point deadline, std::chrono::seconds wait);

  Result<mail::SmtpReply> read_reply() { return read_reply(config_.timeout); }

  Result<mail::SmtpReply> read_reply(std::chrono::seconds wait);

  // The reply to the final "." may take longer: the relay runs its content checks first.
  Result<mail::SmtpReply> read_final_reply() { return read_reply(config_.data_done_timeout); }

  Result<mail::SmtpReply> command(std::string_view line);
  Result<void> hello();
  Result<void> start_tls();

  // The command lines of one transaction, checked so that they cannot break the protocol.
  struct Envelope {
    std::string mail_line;
    std::vector<std::string> rcpt_lines;
  };

  Result<Envelope> envelope(const OutgoingMessage& message) const;
  Result<void> reset_if_needed();
  // One write: `before` (the previous message's data block, or nothing), RSET when the last
  // transaction stopped half-way, MAIL, every RCPT and DATA. Returns whether RSET went out.
  Result<bool> write_transaction(std::string before, const Envelope& envelope);
  // The replies to write_transaction()'s commands, in order, after any reply to `before`.
  Result<void> read_transaction(bool reset_sent, const Envelope& envelope,
                                TransactionResult& result);
  // After 354: the dot-stuffed data and ".", or "." alone when no recipient was accepted.
  std::string data_block(const OutgoingMessage& message) const;
  Result<void> send_in_turn(const Envelope& envelope, TransactionResult& result);
  // send_stream() for a server without PIPELINING: send() per message.
  Result<void> send_each(const StreamNext& next, const StreamDone& done);

  SmtpRelayConfig config_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::ssl::context> tls_context_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
  std::array<char, 16 * 1024> read_buffer_{};
  std::string input_;
  SmtpExtensions extensions_;
  bool broken_ = false;
  bool needs_reset_ = false;  // the last transaction stopped half-way: RSET first
  bool recipient_accepted_ = false;
  std::string goodbye_;  // the 421 reply that closed the connection, if one did
};

// Connects, greets, EHLO, STARTTLS when offered and configured.
Result<std::unique_ptr<SmtpConnectionImpl>> open_connection(const SmtpRelayConfig& config);

}  // namespace cqlist::server
