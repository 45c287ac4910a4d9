// server/lmtp_session.cpp: the LMTP conversation of one connection (RFC 2033).
#include "server/lmtp_session.hpp"

#include <chrono>
#include <exception>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "base/ip_address.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "server/worker_call.hpp"

namespace cqlist::server {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// RFC 5321 §4.5.3.1.4 allows 512; Postfix's XFORWARD lines and long addresses need more.
constexpr std::size_t kMaxCommandLine = 4096;

// As Postfix's smtpd_hard_error_limit: a client that keeps sending garbage is cut off.
constexpr int kMaxErrors = 20;

mail::SmtpReply temporary_failure() {
  mail::SmtpReply reply;
  reply.code = 451;
  reply.status = mail::EnhancedStatus{4, 3, 0};
  reply.lines = {"Temporary local problem, try again later"};
  return reply;
}

// A handler reply that is not a final 2xx/4xx/5xx would desynchronise the client.
mail::SmtpReply checked(mail::SmtpReply reply, std::string_view session) {
  if (reply.success() || reply.transient() || reply.permanent()) {
    return reply;
  }
  std::string code = std::to_string(reply.code);
  log::error("lmtp.handler_error", {{"session", session},
                                    {"error", "handler returned a reply that is not 2xx-5xx"},
                                    {"code", code}});
  return temporary_failure();
}

std::string peer_text(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  asio::ip::address address = socket.remote_endpoint(ec).address();
  if (ec) {
    return "unknown";
  }
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

// asio's address has no prefix match: the peer as an IpAddress, for xforward_allowed().
std::optional<IpAddress> peer_ip(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  asio::ip::address address = socket.remote_endpoint(ec).address();
  if (ec) {
    return std::nullopt;
  }
  if (address.is_v4()) {
    return IpAddress::v4(address.to_v4().to_bytes());
  }
  return IpAddress::v6(address.to_v6().to_bytes());
}

bool parse_size(std::string_view text, std::size_t& size) {
  if (text.empty()) {
    return false;
  }
  size = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
    auto digit = static_cast<std::size_t>(c - '0');
    // A number too large to hold is larger than any limit.
    size = size > (std::numeric_limits<std::size_t>::max() - digit) / 10
               ? std::numeric_limits<std::size_t>::max()
               : size * 10 + digit;
  }
  return true;
}

}  // namespace

LmtpSession::LmtpSession(asio::ip::tcp::socket socket, std::shared_ptr<LmtpServerState> state,
                         std::uint64_t id)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      state_(std::move(state)),
      session_label_(std::to_string(id)) {
  deadline_.expires_at(asio::steady_timer::time_point::max());
}

void LmtpSession::request_stop() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->stop_requested_ = true;
    if (self->waiting_idle_) {
      self->cancelled_for_stop_ = true;
      boost::system::error_code ignored;
      self->socket_.cancel(ignored);
    }
  });
}

awaitable<void> LmtpSession::run() {
  std::shared_ptr<LmtpSession> self = shared_from_this();  // alive while this runs
  asio::co_spawn(socket_.get_executor(), watchdog(self), asio::detached);
  envelope_.peer_address = peer_text(socket_);
  std::optional<IpAddress> peer = peer_ip(socket_);
  xforward_allowed_ = peer && xforward_allowed(*peer, state_->config.xforward_hosts);
  log::info("lmtp.connect", {{"session", session_label_}, {"peer", envelope_.peer_address}});
  const std::string& host = state_->config.hostname;
  reply("220 " + host + " LMTP cqlist ready");
  while (true) {
    if (stop_requested_ && !in_transaction_) {
      cancelled_for_stop_ = true;
      break;
    }
    std::optional<InputLine> line = co_await read_command();
    if (!line || co_await handle(*line) == Next::close) {
      break;
    }
  }
  if (timed_out_) {
    log::info("lmtp.timeout", {{"session", session_label_}, {"peer", envelope_.peer_address}});
    reply("421 4.4.2 " + host + " Error: timeout exceeded");
  } else if (cancelled_for_stop_) {
    reply("421 4.3.0 " + host + " Service shutting down, try again later");
  }
  co_await flush();
  close();
}

awaitable<void> LmtpSession::watchdog(std::shared_ptr<LmtpSession> self) {
  while (socket_.is_open()) {
    co_await deadline_.async_wait(kAsTuple);
    if (!socket_.is_open()) {
      break;
    }
    if (deadline_.expiry() <= asio::steady_timer::clock_type::now()) {
      timed_out_ = true;
      disarm_deadline();
      boost::system::error_code ignored;
      socket_.cancel(ignored);  // the pending read or write fails; run() answers 421
    }
  }
  (void)self;  // kept until here so that the session outlives this coroutine
}

void LmtpSession::arm_deadline() {
  if (state_->config.idle_timeout.count() > 0) {
    deadline_.expires_after(state_->config.idle_timeout);
  }
}

void LmtpSession::disarm_deadline() {
  deadline_.expires_at(asio::steady_timer::time_point::max());
}

void LmtpSession::close() {
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  deadline_.cancel();
}

awaitable<bool> LmtpSession::flush() {
  if (output_.empty()) {
    co_return true;
  }
  std::string pending;
  pending.swap(output_);
  arm_deadline();
  auto [ec, written] = co_await asio::async_write(socket_, asio::buffer(pending), kAsTuple);
  disarm_deadline();
  (void)written;
  if (!ec) {
    timed_out_ = false;  // as in read_more(): a late watchdog cancelled nothing
  }
  co_return !ec;
}

awaitable<bool> LmtpSession::read_more(bool between_transactions) {
  // Replies to pipelined commands go out together, just before the session would wait.
  // A stop may cancel only the wait that follows, never this write: it may carry the 250s
  // after a message's data.
  if (!co_await flush()) {
    co_return false;
  }
  if (between_transactions && stop_requested_) {
    cancelled_for_stop_ = true;  // asked while the replies were being written
    co_return false;
  }
  waiting_idle_ = between_transactions;
  arm_deadline();
  auto [ec, count] = co_await socket_.async_read_some(asio::buffer(read_buffer_), kAsTuple);
  disarm_deadline();
  waiting_idle_ = false;
  if (ec) {
    co_return false;
  }
  // The watchdog may have fired after this read had already completed: its cancel() then met
  // no pending operation, and the session goes on, so it has not timed out.
  timed_out_ = false;
  input_.append(read_buffer_.data(), count);
  co_return true;
}

awaitable<std::optional<LmtpSession::InputLine>> LmtpSession::read_command() {
  bool too_long = false;
  while (true) {
    std::size_t newline = input_.find('\n');
    if (newline != std::string::npos) {
      InputLine line{input_.substr(0, newline), too_long || newline > kMaxCommandLine};
      input_.erase(0, newline + 1);
      if (!line.text.empty() && line.text.back() == '\r') {
        line.text.pop_back();
      }
      co_return line;
    }
    if (input_.size() > kMaxCommandLine) {
      too_long = true;  // discard up to the end of the line, then refuse it
      input_.clear();
    }
    if (!co_await read_more(!in_transaction_)) {
      co_return std::nullopt;
    }
  }
}

void LmtpSession::reply(std::string_view line) {
  output_.append(line);
  output_.append("\r\n");
}

void LmtpSession::reply(const mail::SmtpReply& handler_reply) {
  output_.append(handler_reply.format());
}

LmtpSession::Next LmtpSession::refuse(std::string_view line) {
  reply(line);
  if (++errors_ >= kMaxErrors) {
    reply("421 4.7.0 " + state_->config.hostname + " Error: too many errors");
    return Next::close;
  }
  return Next::proceed;
}

void LmtpSession::end_transaction() {
  in_transaction_ = false;
  envelope_.mail_from.clear();
  envelope_.recipients.clear();
  envelope_.client_address.clear();
  envelope_.client_name.clear();
  envelope_.client_helo.clear();
  // XFORWARD_README: the attributes apply to one transaction; RSET or DOT resets them.
  xforward_ = XForwardAttributes{};
}

awaitable<LmtpSession::Next> LmtpSession::handle(const InputLine& line) {
  if (line.too_long) {
    co_return refuse("500 5.5.2 Error: line too long");
  }
  CommandLine command = split_command(line.text);
  const std::string& verb = command.verb;
  if (verb == "LHLO") {
    co_return handle_lhlo(command.argument);
  }
  if (verb == "MAIL") {
    co_return handle_mail(command.argument);
  }
  if (verb == "RCPT") {
    co_return co_await handle_rcpt(command.argument);
  }
  if (verb == "DATA") {
    co_return co_await handle_data(command.argument);
  }
  if (verb == "XFORWARD") {
    co_return handle_xforward(command.argument);
  }
  if (verb == "RSET") {
    end_transaction();
    reply("250 2.0.0 Ok");
  } else if (verb == "NOOP") {
    reply("250 2.0.0 Ok");
  } else if (verb == "QUIT") {
    reply("221 2.0.0 Bye");
    co_return Next::close;
  } else if (verb == "VRFY") {
    reply("252 2.0.0 Cannot VRFY, but will accept the message and attempt delivery");
  } else if (verb == "HELO" || verb == "EHLO") {
    co_return refuse("500 5.5.1 Error: this is an LMTP server; send LHLO (RFC 2033)");
  } else {
    co_return refuse("500 5.5.2 Error: command not recognized");
  }
  co_return Next::proceed;
}

LmtpSession::Next LmtpSession::handle_lhlo(const std::string& argument) {
  if (argument.empty()) {
    return refuse("501 5.5.4 Syntax: LHLO hostname");
  }
  end_transaction();  // like EHLO (RFC 5321 §4.1.4), LHLO starts afresh
  envelope_.lhlo = argument;
  greeted_ = true;
  const std::string& host = state_->config.hostname;
  reply("250-" + host);
  reply("250-PIPELINING");
  reply("250-ENHANCEDSTATUSCODES");
  reply("250-8BITMIME");
  std::string size = "SIZE " + std::to_string(state_->max_message_bytes.load());
  // Postfix sends XFORWARD only when it is announced, so a client that may not use it is not
  // told of it.
  if (xforward_allowed_) {
    reply("250-" + size);
    reply("250 XFORWARD NAME ADDR PROTO HELO");
  } else {
    reply("250 " + size);
  }
  return Next::proceed;
}

LmtpSession::Next LmtpSession::handle_mail(const std::string& argument) {
  if (!greeted_) {
    return refuse("503 5.5.1 Error: send LHLO first");
  }
  if (in_transaction_) {
    return refuse("503 5.5.1 Error: nested MAIL command");
  }
  std::optional<PathArgument> path = parse_path_argument(argument, "FROM");
  if (!path) {
    return refuse("501 5.5.4 Syntax: MAIL FROM:<address>");
  }
  std::size_t limit = state_->max_message_bytes.load();
  for (const auto& [name, value] : path->parameters) {
    if (name == "SIZE") {
      std::size_t announced = 0;
      if (!parse_size(value, announced)) {
        return refuse("501 5.5.4 Bad SIZE parameter");
      }
      if (announced > limit) {
        return refuse("552 5.3.4 Message size exceeds the limit of " + std::to_string(limit) +
                      " bytes");
      }
    } else if (name == "BODY") {
      if (!iequals(value, "7BIT") && !iequals(value, "8BITMIME")) {
        return refuse("501 5.5.4 Bad BODY parameter (7BIT or 8BITMIME)");
      }
    } else {
      return refuse("555 5.5.4 Unsupported MAIL FROM parameter " + name);
    }
  }
  in_transaction_ = true;
  transaction_limit_ = limit;
  envelope_.mail_from = std::move(path->address);
  envelope_.client_address = xforward_.address;
  envelope_.client_name = xforward_.name;
  envelope_.client_helo = xforward_.helo;
  reply("250 2.1.0 Ok");
  return Next::proceed;
}

awaitable<LmtpSession::Next> LmtpSession::handle_rcpt(const std::string& argument) {
  if (!in_transaction_) {
    co_return refuse("503 5.5.1 Error: need MAIL command");
  }
  std::optional<PathArgument> path = parse_path_argument(argument, "TO");
  if (!path || path->address.empty()) {
    co_return refuse("501 5.5.4 Syntax: RCPT TO:<address>");
  }
  if (!path->parameters.empty()) {
    co_return refuse("555 5.5.4 Unsupported RCPT TO parameter " + path->parameters[0].first);
  }
  if (envelope_.recipients.size() >= state_->config.max_recipients) {
    reply("452 4.5.3 Error: too many recipients");
    co_return Next::proceed;
  }
  auto check = [&handler = state_->handler, &envelope = envelope_, &session = session_label_,
                recipient = path->address] {
    try {
      return handler.check_recipient(envelope, recipient);
    } catch (const std::exception& e) {
      log::error("lmtp.handler_error",
                 {{"session", session}, {"stage", "rcpt"}, {"error", e.what()}});
      return temporary_failure();
    }
  };
  mail::SmtpReply answer = co_await call_on_workers(state_->workers, std::move(check));
  answer = checked(std::move(answer), session_label_);
  reply(answer);
  if (answer.success()) {
    envelope_.recipients.push_back(std::move(path->address));
  }
  co_return Next::proceed;
}

awaitable<LmtpSession::Next> LmtpSession::handle_data(const std::string& argument) {
  if (!in_transaction_) {
    co_return refuse("503 5.5.1 Error: need MAIL command");
  }
  if (!argument.empty()) {
    co_return refuse("501 5.5.4 Syntax: DATA");
  }
  if (envelope_.recipients.empty()) {
    // RFC 2033 §4.2: 503 in LMTP, where SMTP servers answer 554.
    co_return refuse("503 5.5.1 Error: no valid recipients");
  }
  reply("354 End data with <CR><LF>.<CR><LF>");
  DataDecoder decoder(transaction_limit_);
  while (true) {
    input_.erase(0, decoder.feed(input_));
    if (decoder.done()) {
      break;
    }
    if (!co_await read_more(false)) {
      co_return Next::close;
    }
  }
  co_await deliver(decoder);
  end_transaction();
  // The limit cuts off a client that is out of step; one that completes transactions is not,
  // and a connection Postfix reuses for hours would otherwise gather every stray error.
  errors_ = 0;
  co_return Next::proceed;
}

awaitable<void> LmtpSession::deliver(DataDecoder& decoder) {
  std::string size = std::to_string(decoder.size());
  std::size_t count = envelope_.recipients.size();
  if (decoder.too_large()) {
    std::string limit = std::to_string(transaction_limit_);
    log::warn("lmtp.too_large", {{"session", session_label_},
                                 {"from", envelope_.mail_from},
                                 {"size", size},
                                 {"limit", limit}});
    for (std::size_t i = 0; i < count; ++i) {
      reply("552 5.3.4 Message size exceeds the limit of " + limit + " bytes");
    }
    co_return;
  }
  auto hand_over = [&handler = state_->handler, &envelope = envelope_, &session = session_label_,
                    message = decoder.take_message()]() mutable {
    try {
      return handler.deliver(envelope, std::move(message));
    } catch (const std::exception& e) {
      log::error("lmtp.handler_error",
                 {{"session", session}, {"stage", "data"}, {"error", e.what()}});
      return std::vector<mail::SmtpReply>(envelope.recipients.size(), temporary_failure());
    }
  };
  std::vector<mail::SmtpReply> answers =
      co_await call_on_workers(state_->workers, std::move(hand_over));
  if (answers.size() != count) {
    std::string got = std::to_string(answers.size());
    log::error("lmtp.handler_error", {{"session", session_label_},
                                      {"error", "deliver() returned the wrong number of replies"},
                                      {"replies", got}});
    answers.resize(count, temporary_failure());
  }
  std::size_t accepted = 0;
  for (mail::SmtpReply& answer : answers) {
    answer = checked(std::move(answer), session_label_);
    if (answer.success()) {
      ++accepted;
    }
    reply(answer);
  }
  std::string recipients = std::to_string(count);
  std::string accepted_text = std::to_string(accepted);
  log::info("lmtp.delivered", {{"session", session_label_},
                               {"from", envelope_.mail_from},
                               {"recipients", recipients},
                               {"accepted", accepted_text},
                               {"size", size}});
}

LmtpSession::Next LmtpSession::handle_xforward(const std::string& argument) {
  if (!xforward_allowed_) {
    // Not announced to this client, so a well-behaved one never sends it: counted as an
    // error, as any other command it was not offered.
    log::warn("lmtp.xforward_refused", {{"session", session_label_},
                                        {"peer", envelope_.peer_address},
                                        {"advice",
                                         "if this client is your Postfix, add its address to "
                                         "lmtp.xforward_hosts in cqlist.toml"}});
    return refuse("550 5.7.0 Error: XFORWARD is not allowed from this client");
  }
  if (in_transaction_) {
    return refuse("503 5.5.1 Error: MAIL transaction in progress");
  }
  std::vector<std::string> unusable;
  std::optional<XForwardAttributes> attributes = apply_xforward(argument, xforward_, &unusable);
  if (!attributes) {
    return refuse("501 5.5.4 Syntax: XFORWARD attribute=value...");
  }
  if (!unusable.empty()) {
    std::string sent;
    for (const std::string& attribute : unusable) {
      sent += (sent.empty() ? "" : " ") + attribute;
    }
    log::info("lmtp.xforward_unusable", {{"session", session_label_}, {"attributes", sent}});
  }
  xforward_ = std::move(*attributes);
  reply("250 2.0.0 Ok");
  return Next::proceed;
}

}  // namespace cqlist::server
