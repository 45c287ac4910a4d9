// server/listener.hpp: opening the listening sockets of the LMTP and HTTP servers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "base/result.hpp"

namespace cqlist::server {

// Binds and listens on `address`:`port` (port 0: any free port). Errc::invalid_argument when
// `address` is not an IP address, Errc::io when the system refuses (port in use, address not
// on this host). `service` names the listener in the message ("LMTP", "HTTP").
Result<boost::asio::ip::tcp::acceptor> open_listener(const boost::asio::any_io_executor& executor,
                                                     const std::string& address, std::uint16_t port,
                                                     std::string_view service);

}  // namespace cqlist::server
