// server/testing/line_client.hpp: a plain blocking TCP client for talking to servers in tests.
//
// Every read has a timeout, so a server that stays silent fails a test instead of hanging it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace cqlist::server::testing {

class LineClient {
 public:
  explicit LineClient(std::uint16_t port);  // 127.0.0.1; see connected()
  ~LineClient();
  LineClient(const LineClient&) = delete;
  LineClient& operator=(const LineClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  void send(std::string_view bytes);

  // One SMTP/LMTP reply with all its lines and CRLFs; "" on timeout or when the peer closed.
  std::string read_reply(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Everything up to and including the first `marker`; "" on timeout or close.
  std::string read_until(std::string_view marker,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // One HTTP response: the head and a Content-Length body; "" on timeout or close.
  std::string read_http_response(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // True when the peer closes the connection within `timeout` without sending anything more.
  bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  void close();

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);  // false on timeout or close

  int fd_ = -1;
  bool peer_closed_ = false;
  std::string buffer_;
};

}  // namespace cqlist::server::testing
