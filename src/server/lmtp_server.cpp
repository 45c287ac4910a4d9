// server/lmtp_server.cpp: the LMTP server: its sessions behind the shared listener, and the
// 421 a connection past the limit gets.
#include "server/lmtp_server.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "server/listener.hpp"
#include "server/lmtp_session.hpp"

namespace cqlist::server {

namespace asio = boost::asio;

namespace {

asio::awaitable<void> refuse_busy(asio::ip::tcp::socket& socket, std::string hostname) {
  std::string line = "421 4.3.2 " + hostname + " Too many connections, try again later\r\n";
  co_await asio::async_write(socket, asio::buffer(line), asio::as_tuple(asio::use_awaitable));
}

class LmtpServerImpl final : public LmtpServer {
 public:
  LmtpServerImpl(std::unique_ptr<Listener> listener, std::shared_ptr<LmtpServerState> state)
      : listener_(std::move(listener)), state_(std::move(state)) {}

  std::uint16_t port() const override { return listener_->port(); }

  void stop() override { listener_->stop(); }

  void set_max_message_bytes(std::size_t bytes) override { state_->max_message_bytes.store(bytes); }

 private:
  std::unique_ptr<Listener> listener_;
  std::shared_ptr<LmtpServerState> state_;
};

}  // namespace

std::vector<IpNetwork> loopback_networks() {
  return {IpNetwork{IpAddress::v4({127, 0, 0, 0}), 8},
          IpNetwork{IpAddress::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), 128}};
}

Result<std::unique_ptr<LmtpServer>> LmtpServer::start(asio::io_context& io,
                                                      asio::thread_pool& workers,
                                                      LmtpServerConfig config,
                                                      LmtpHandler& handler) {
  ListenerConfig listen{config.address, config.port, "LMTP", "lmtp", config.max_connections};
  auto state = std::make_shared<LmtpServerState>(workers, std::move(config), handler);
  auto make_session = [state](asio::ip::tcp::socket socket, std::uint64_t id) {
    return std::make_shared<LmtpSession>(std::move(socket), state, id);
  };
  auto refuse = [hostname = state->config.hostname](asio::ip::tcp::socket& socket) {
    return refuse_busy(socket, hostname);
  };
  CQLIST_TRY(auto listener, Listener::start(io, std::move(listen), make_session, refuse));
  return std::unique_ptr<LmtpServer>(
      std::make_unique<LmtpServerImpl>(std::move(listener), std::move(state)));
}

}  // namespace cqlist::server
