// server/http/http_server.hpp: the HTTP listener (Boost.Beast), behind the operator's TLS proxy.
//
// Owns: HTTP/1.1 parsing, keep-alive, limits (header and body size, timeouts) and dispatch to
// an HttpHandler. Routes and pages belong to web/ and cli/serve.cpp; handlers block, so they
// run on the worker pool.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "base/result.hpp"

namespace cqlist::server {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // path and query as sent ("/unsubscribe/ham?t=...")
  std::string path;                            // target without the query, percent-decoded
  std::map<std::string, std::string> query;    // decoded query parameters
  std::map<std::string, std::string> headers;  // names lowercase
  std::string body;
  std::string remote_address;
  // Body fields of an application/x-www-form-urlencoded or multipart/form-data POST (RFC 8058's
  // "List-Unsubscribe=One-Click" comes either way).
  std::map<std::string, std::string> form;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Called on worker threads, concurrently for different connections.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HttpResponse handle(const HttpRequest& request) = 0;
};

struct HttpServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds timeout{30};
  // Past it a connection is answered 503 and closed.
  std::size_t max_connections = 256;
};

class HttpServer {
 public:
  // Errc::io when the address cannot be bound. `workers` and `handler` must outlive the
  // sessions, i.e. until `io` has stopped.
  static Result<std::unique_ptr<HttpServer>> start(boost::asio::io_context& io,
                                                   boost::asio::thread_pool& workers,
                                                   HttpServerConfig config, HttpHandler& handler);
  virtual ~HttpServer() = default;
  virtual std::uint16_t port() const = 0;
  // Stops accepting; a request being handled is still answered, then its connection closes.
  virtual void stop() = 0;
};

}  // namespace cqlist::server
