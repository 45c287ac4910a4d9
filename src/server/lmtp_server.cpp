// server/lmtp_server.cpp: the LMTP listener: accepting, the connection limit, stop().
#include "server/lmtp_server.hpp"

#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "base/log.hpp"
#include "server/listener.hpp"
#include "server/lmtp_session.hpp"

namespace cqlist::server {

namespace asio = boost::asio;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Everything the accept loop touches; shared so that it outlives the LmtpServer object while
// operations are still pending on the event loop.
struct Listener {
  Listener(asio::io_context& io, std::shared_ptr<LmtpServerState> server_state)
      : strand(asio::make_strand(io)), acceptor(strand), state(std::move(server_state)) {}

  asio::strand<asio::io_context::executor_type> strand;
  asio::ip::tcp::acceptor acceptor;
  std::shared_ptr<LmtpServerState> state;
};

asio::awaitable<void> refuse_busy(asio::ip::tcp::socket socket, std::string hostname) {
  std::string line = "421 4.3.2 " + hostname + " Too many connections, try again later\r\n";
  co_await asio::async_write(socket, asio::buffer(line), kAsTuple);
  boost::system::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<Listener> listener) {
  const std::shared_ptr<LmtpServerState>& state = listener->state;
  while (listener->acceptor.is_open()) {
    // Each connection gets its own strand: sessions never share state, and the io_context
    // may be run by several threads.
    auto session_strand = asio::make_strand(listener->strand.get_inner_executor());
    auto [ec, socket] = co_await listener->acceptor.async_accept(session_strand, kAsTuple);
    if (ec == asio::error::operation_aborted || !listener->acceptor.is_open()) {
      break;
    }
    if (ec) {
      // Out of file descriptors and the like: say so, and do not spin on the error.
      log::error("lmtp.accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(listener->strand, std::chrono::milliseconds(100));
      co_await pause.async_wait(kAsTuple);
      continue;
    }
    if (state->open_sessions.load() >= state->config.max_connections) {
      log::warn("lmtp.refused", {{"reason", "max_connections"}});
      auto executor = socket.get_executor();
      asio::co_spawn(executor, refuse_busy(std::move(socket), state->config.hostname),
                     asio::detached);
      continue;
    }
    std::shared_ptr<LmtpSession> session;
    {
      std::lock_guard lock(state->mutex);
      if (state->stopping) {
        break;  // accepted just before stop() closed the acceptor: dropped unanswered
      }
      std::uint64_t id = state->next_session_id++;
      state->open_sessions.fetch_add(1);
      session = std::make_shared<LmtpSession>(std::move(socket), state, id);
      state->sessions.emplace(id, session);
    }
    auto executor = session->executor();
    asio::co_spawn(executor, session->run(), [session](std::exception_ptr error) {
      if (error) {
        // The network edge: whatever escaped the session is logged, the connection is gone.
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          log::error("lmtp.session_failed", {{"error", e.what()}});
        } catch (...) {
          log::error("lmtp.session_failed", {{"error", "unknown exception"}});
        }
      }
    });
  }
}

class LmtpServerImpl final : public LmtpServer {
 public:
  LmtpServerImpl(std::shared_ptr<Listener> listener, std::uint16_t port)
      : listener_(std::move(listener)), port_(port) {}

  ~LmtpServerImpl() override { stop(); }

  std::uint16_t port() const override { return port_; }

  void stop() override {
    asio::dispatch(listener_->strand, [listener = listener_] {
      boost::system::error_code ignored;
      listener->acceptor.close(ignored);
    });
    std::vector<std::shared_ptr<LmtpSession>> sessions;
    {
      std::lock_guard lock(listener_->state->mutex);
      if (listener_->state->stopping) {
        return;
      }
      listener_->state->stopping = true;
      for (auto& [id, weak] : listener_->state->sessions) {
        if (auto session = weak.lock()) {
          sessions.push_back(std::move(session));
        }
      }
    }
    for (auto& session : sessions) {
      session->request_stop();
    }
  }

  void set_max_message_bytes(std::size_t bytes) override {
    listener_->state->max_message_bytes.store(bytes);
  }

 private:
  std::shared_ptr<Listener> listener_;
  std::uint16_t port_;
};

}  // namespace

Result<std::unique_ptr<LmtpServer>> LmtpServer::start(asio::io_context& io,
                                                      asio::thread_pool& workers,
                                                      LmtpServerConfig config,
                                                      LmtpHandler& handler) {
  auto state = std::make_shared<LmtpServerState>(workers, std::move(config), handler);
  auto listener = std::make_shared<Listener>(io, state);
  CQLIST_TRY(listener->acceptor,
             open_listener(listener->strand, state->config.address, state->config.port, "LMTP"));
  std::uint16_t port = listener->acceptor.local_endpoint().port();
  std::string port_text = std::to_string(port);
  log::info("lmtp.listening", {{"address", state->config.address}, {"port", port_text}});
  asio::co_spawn(listener->strand, accept_loop(listener), asio::detached);
  return std::unique_ptr<LmtpServer>(std::make_unique<LmtpServerImpl>(std::move(listener), port));
}

}  // namespace cqlist::server
