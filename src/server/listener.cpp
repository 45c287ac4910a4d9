// server/listener.cpp: bind and listen, with errors an operator can act on.
#include "server/listener.hpp"

#include <string>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/system/error_code.hpp>

namespace cqlist::server {

Result<boost::asio::ip::tcp::acceptor> open_listener(const boost::asio::any_io_executor& executor,
                                                     const std::string& address, std::uint16_t port,
                                                     std::string_view service) {
  namespace ip = boost::asio::ip;
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
  if (acceptor.listen(boost::asio::socket_base::max_listen_connections, ec)) {
    return refused("listen for");
  }
  return acceptor;
}

}  // namespace cqlist::server
