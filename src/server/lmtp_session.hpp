// server/lmtp_session.hpp: one LMTP connection, and the state its server shares with it.
//
// Internal to lmtp_server.cpp. A session is a coroutine on its own strand; a second coroutine
// (the watchdog) closes it when the client stays silent past the idle timeout. Handler calls
// go to the worker pool (worker_call.hpp).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "server/listener.hpp"
#include "server/lmtp_protocol.hpp"
#include "server/lmtp_server.hpp"

namespace cqlist::server {

struct LmtpServerState {
  LmtpServerState(boost::asio::thread_pool& pool, LmtpServerConfig server_config,
                  LmtpHandler& lmtp_handler)
      : workers(pool),
        config(std::move(server_config)),
        handler(lmtp_handler),
        max_message_bytes(config.max_message_bytes) {}

  boost::asio::thread_pool& workers;
  const LmtpServerConfig config;
  LmtpHandler& handler;
  std::atomic<std::size_t> max_message_bytes;  // read at LHLO and MAIL (SIGHUP may change it)
};

class LmtpSession final : public Session, public std::enable_shared_from_this<LmtpSession> {
 public:
  LmtpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<LmtpServerState> state,
              std::uint64_t id);
  LmtpSession(const LmtpSession&) = delete;
  LmtpSession& operator=(const LmtpSession&) = delete;

  // The whole conversation, on the socket's executor (a strand).
  boost::asio::awaitable<void> run() override;

  // Any thread: the session ends with 421 as soon as no transaction is in progress.
  void request_stop() override;

 private:
  enum class Next { proceed, close };

  struct InputLine {
    std::string text;
    bool too_long = false;
  };

  boost::asio::awaitable<void> watchdog(std::shared_ptr<LmtpSession> self);
  boost::asio::awaitable<bool> flush();
  // `between_transactions`: a stop request may end the wait (not the write before it).
  boost::asio::awaitable<bool> read_more(bool between_transactions);
  boost::asio::awaitable<std::optional<InputLine>> read_command();

  boost::asio::awaitable<Next> handle(const InputLine& line);
  Next handle_lhlo(const std::string& argument);
  Next handle_mail(const std::string& argument);
  boost::asio::awaitable<Next> handle_rcpt(const std::string& argument);
  boost::asio::awaitable<Next> handle_data(const std::string& argument);
  boost::asio::awaitable<void> deliver(DataDecoder& decoder);
  Next handle_xforward(const std::string& argument);

  void reply(std::string_view line);
  void reply(const mail::SmtpReply& handler_reply);
  Next refuse(std::string_view line);  // an error reply, counted against the error limit
  void end_transaction();
  void arm_deadline();
  void disarm_deadline();
  void close();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  std::shared_ptr<LmtpServerState> state_;
  std::string session_label_;  // id as text, for log lines

  std::array<char, 16 * 1024> read_buffer_{};
  std::string input_;   // read but not yet consumed; pipelined commands wait here
  std::string output_;  // replies not yet written; flushed before every read

  Envelope envelope_;
  XForwardAttributes xforward_;
  bool xforward_allowed_ = false;  // the peer is one of the configured xforward_hosts
  bool greeted_ = false;           // LHLO seen
  bool in_transaction_ = false;
  std::size_t transaction_limit_ = 0;
  int errors_ = 0;

  bool waiting_idle_ = false;  // reading a command outside a transaction
  bool timed_out_ = false;
  bool stop_requested_ = false;
  bool cancelled_for_stop_ = false;
};

}  // namespace cqlist::server
