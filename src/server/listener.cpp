// server/listener.cpp: bind and listen, accept, the connection limit, stop().
#include "server/listener.hpp"

#include <chrono>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "base/log.hpp"

namespace cqlist::server {

namespace asio = boost::asio;

Result<asio::ip::tcp::acceptor> open_listener(const asio::any_io_executor& executor,
                                              const std::string& address, std::uint16_t port,
                                              std::string_view service) {
  namespace ip = asio::ip;
  boost::system::error_code ec;
  ip::address ip_address = ip::make_address(address, ec);
  if (ec) {
    return fail(Errc::invalid_argument, std::string(service) + " listen address \"" + address +
                                            "\" is not an IP address; give one such as 127.0.0.1");
  }
  ip::tcp::endpoint endpoint(ip_address, port);
  ip::tcp::acceptor acceptor(executor);
  auto refused = [&](std::string_view step) {
    return fail(Errc::io, "cannot " + std::string(step) + " " + std::string(service) + " on " +
                              address + ":" + std::to_string(port) + ": " + ec.message() +
                              "; check that no other process uses the port and that the "
                              "address belongs to this host");
  };
  if (acceptor.open(endpoint.protocol(), ec)) {
    return refused("open a socket for");
  }
  // A restarted daemon must be able to bind while old connections sit in TIME_WAIT.
  if (acceptor.set_option(ip::tcp::acceptor::reuse_address(true), ec)) {
    return refused("configure the socket for");
  }
  if (acceptor.bind(endpoint, ec)) {
    return refused("bind");
  }
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
    return refused("listen for");
  }
  return acceptor;
}

struct Listener::State {
  State(asio::io_context& io, ListenerConfig listener_config, MakeSession make, Refuse refusal)
      : strand(asio::make_strand(io)),
        acceptor(strand),
        config(std::move(listener_config)),
        make_session(std::move(make)),
        refuse(std::move(refusal)) {}

  std::string event(std::string_view name) const {
    return config.log_name + "." + std::string(name);
  }

  asio::strand<asio::io_context::executor_type> strand;
  asio::ip::tcp::acceptor acceptor;  // touched on `strand` only
  const ListenerConfig config;
  const MakeSession make_session;
  const Refuse refuse;

  std::mutex mutex;  // guards the members below
  std::map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_session_id = 1;
  bool stopping = false;
};

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> refuse_and_close(std::shared_ptr<Listener::State> state,
                                       asio::ip::tcp::socket socket) {
  if (state->refuse) {
    co_await state->refuse(socket);
  }
  boost::system::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

void log_session_failure(const Listener::State& state, std::exception_ptr error) {
  // The network edge: whatever escaped the session is logged, the connection is gone.
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    log::error(state.event("session_failed"), {{"error", e.what()}});
  } catch (...) {
    log::error(state.event("session_failed"), {{"error", "unknown exception"}});
  }
}

asio::awaitable<void> accept_loop(std::shared_ptr<Listener::State> state) {
  while (state->acceptor.is_open()) {
    // Each connection gets its own strand: sessions never share state, and the io_context
    // may be run by several threads.
    auto session_strand = asio::make_strand(state->strand.get_inner_executor());
    auto [ec, socket] = co_await state->acceptor.async_accept(session_strand, kAsTuple);
    if (ec == asio::error::operation_aborted || !state->acceptor.is_open()) {
      break;
    }
    if (ec) {
      // Out of file descriptors and the like: say so, and do not spin on the error.
      log::error(state->event("accept_failed"), {{"error", ec.message()}});
      asio::steady_timer pause(state->strand, std::chrono::milliseconds(100));
      co_await pause.async_wait(kAsTuple);
      continue;
    }
    std::shared_ptr<Session> session;
    std::uint64_t id = 0;
    {
      std::lock_guard lock(state->mutex);
      if (state->stopping) {
        break;  // accepted just before stop() closed the acceptor: dropped unanswered
      }
      if (state->sessions.size() < state->config.max_connections) {
        id = state->next_session_id++;
        session = state->make_session(std::move(socket), id);
        state->sessions.emplace(id, session);
      }
    }
    if (!session) {
      log::warn(state->event("refused"), {{"reason", "max_connections"}});
      asio::co_spawn(session_strand, refuse_and_close(state, std::move(socket)), asio::detached);
      continue;
    }
    asio::co_spawn(session_strand, session->run(), [state, id](std::exception_ptr error) {
      {
        std::lock_guard lock(state->mutex);
        state->sessions.erase(id);
      }
      if (error) {
        log_session_failure(*state, error);
      }
    });
  }
}

}  // namespace

Result<std::unique_ptr<Listener>> Listener::start(asio::io_context& io, ListenerConfig config,
                                                  MakeSession make_session, Refuse refuse) {
  auto state =
      std::make_shared<State>(io, std::move(config), std::move(make_session), std::move(refuse));
  CQLIST_TRY(state->acceptor, open_listener(state->strand, state->config.address,
                                            state->config.port, state->config.service));
  std::uint16_t port = state->acceptor.local_endpoint().port();
  std::string port_text = std::to_string(port);
  log::info(state->event("listening"), {{"address", state->config.address}, {"port", port_text}});
  asio::co_spawn(state->strand, accept_loop(state), asio::detached);
  return std::unique_ptr<Listener>(new Listener(std::move(state), port));
}

Listener::~Listener() {
  stop();
}

void Listener::stop() {
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) {
      return;
    }
    state_->stopping = true;
    for (auto& [id, weak] : state_->sessions) {
      if (auto session = weak.lock()) {
        sessions.push_back(std::move(session));
      }
    }
  }
  asio::dispatch(state_->strand, [state = state_] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
  });
  for (auto& session : sessions) {
    session->request_stop();
  }
}

}  // namespace cqlist::server
