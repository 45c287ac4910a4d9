// server/policy_server.cpp: policy delegation sessions; accepting and stop() are listener.cpp's.
#include "server/policy_server.hpp"

#include <array>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "base/log.hpp"
#include "server/listener.hpp"
#include "server/worker_call.hpp"

namespace cqlist::server {

namespace asio = boost::asio;
namespace beast = boost::beast;

std::string_view PolicyRequest::get(std::string_view name) const {
  auto found = attributes.find(name);
  return found == attributes.end() ? std::string_view() : std::string_view(found->second);
}

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// Postfix's own attributes are short; a client certificate's subject is the longest.
constexpr std::size_t kMaxLine = 16 * 1024;
constexpr std::size_t kMaxAttributes = 256;

// What every session shares; lives as long as the longest session.
struct PolicyState {
  asio::thread_pool& workers;
  const PolicyServerConfig config;
  PolicyHandler& handler;
};

// The action line, or "DUNNO" for one that would break the protocol's framing.
std::string checked_action(std::string action, std::string_view session) {
  if (!action.empty() && action.find_first_of("\r\n") == std::string::npos) {
    return action;
  }
  log::error("policy.handler_error",
             {{"session", session}, {"error", "handler returned an empty or multi-line action"}});
  return "DUNNO";
}

class PolicySession final : public Session, public std::enable_shared_from_this<PolicySession> {
 public:
  PolicySession(asio::ip::tcp::socket socket, std::shared_ptr<const PolicyState> state,
                std::uint64_t id)
      : stream_(std::move(socket)), state_(std::move(state)), label_(std::to_string(id)) {}

  asio::awaitable<void> run() override;

  void request_stop() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stop_requested_ = true;
      if (self->waiting_idle_) {
        self->stream_.cancel();
      }
    });
  }

 private:
  enum class Read { request, closed, malformed };

  asio::awaitable<Read> read_request(PolicyRequest& request);
  asio::awaitable<bool> read_more();

  beast::tcp_stream stream_;
  std::shared_ptr<const PolicyState> state_;
  std::string label_;  // the session id, for log lines
  std::array<char, 16 * 1024> read_buffer_{};
  std::string input_;  // read but not yet parsed
  bool waiting_idle_ = false;
  bool stop_requested_ = false;
};

asio::awaitable<bool> PolicySession::read_more() {
  stream_.expires_after(state_->config.idle_timeout);
  waiting_idle_ = input_.empty();
  auto [ec, count] = co_await stream_.async_read_some(asio::buffer(read_buffer_), kAsTuple);
  waiting_idle_ = false;
  if (ec) {
    co_return false;
  }
  input_.append(read_buffer_.data(), count);
  co_return true;
}

// Lines up to the empty line that ends a request. Postfix ends lines with LF; a CR before it
// is tolerated for people testing by hand with telnet.
asio::awaitable<PolicySession::Read> PolicySession::read_request(PolicyRequest& request) {
  request.attributes.clear();
  std::size_t lines = 0;
  while (true) {
    const std::size_t newline = input_.find('\n');
    if (newline == std::string::npos) {
      if (input_.size() > kMaxLine) {
        co_return Read::malformed;
      }
      if (stop_requested_ || !co_await read_more()) {
        co_return Read::closed;
      }
      continue;
    }
    std::string_view line(input_.data(), newline);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      input_.erase(0, newline + 1);
      co_return Read::request;
    }
    const std::size_t equals = line.find('=');
    if (line.size() > kMaxLine || equals == 0 || equals == std::string_view::npos ||
        ++lines > kMaxAttributes) {
      co_return Read::malformed;
    }
    request.attributes.insert_or_assign(std::string(line.substr(0, equals)),
                                        std::string(line.substr(equals + 1)));
    input_.erase(0, newline + 1);
  }
}

asio::awaitable<void> PolicySession::run() {
  std::shared_ptr<PolicySession> self = shared_from_this();  // alive while this runs
  PolicyRequest request;
  while (!stop_requested_) {
    const Read read = co_await read_request(request);
    if (read == Read::malformed) {
      log::warn("policy.bad_request", {{"session", label_},
                                       {"error",
                                        "a line is not name=value, too long, or one "
                                        "of too many; closing the connection"}});
      break;
    }
    if (read == Read::closed) {
      break;
    }
    auto decide = [&handler = state_->handler, &request, &session = label_] {
      try {
        return handler.decide(request);
      } catch (const std::exception& e) {
        log::error("policy.handler_error", {{"session", session}, {"error", e.what()}});
        return std::string("DUNNO");
      }
    };
    std::string action = co_await call_on_workers(state_->workers, std::move(decide));
    std::string answer = "action=" + checked_action(std::move(action), label_) + "\n\n";
    stream_.expires_after(state_->config.idle_timeout);
    auto [ec, written] = co_await asio::async_write(stream_, asio::buffer(answer), kAsTuple);
    (void)written;
    if (ec) {
      break;
    }
  }
  boost::system::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

class PolicyServerImpl final : public PolicyServer {
 public:
  explicit PolicyServerImpl(std::unique_ptr<Listener> listener) : listener_(std::move(listener)) {}

  std::uint16_t port() const override { return listener_->port(); }

  void stop() override { listener_->stop(); }

 private:
  std::unique_ptr<Listener> listener_;
};

}  // namespace

Result<std::unique_ptr<PolicyServer>> PolicyServer::start(asio::io_context& io,
                                                          asio::thread_pool& workers,
                                                          PolicyServerConfig config,
                                                          PolicyHandler& handler) {
  ListenerConfig listen{config.address, config.port, "policy service", "policy",
                        config.max_connections};
  auto state =
      std::make_shared<const PolicyState>(PolicyState{workers, std::move(config), handler});
  auto make_session = [state](asio::ip::tcp::socket socket, std::uint64_t id) {
    return std::make_shared<PolicySession>(std::move(socket), state, id);
  };
  // Past the limit a connection is closed unanswered: Postfix applies
  // smtpd_policy_service_default_action.
  CQLIST_TRY(auto listener, Listener::start(io, std::move(listen), make_session, nullptr));
  return std::unique_ptr<PolicyServer>(std::make_unique<PolicyServerImpl>(std::move(listener)));
}

}  // namespace cqlist::server
