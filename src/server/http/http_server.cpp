// server/http/http_server.cpp: HTTP/1.1 sessions on Boost.Beast, dispatching to the handler.
#include "server/http/http_server.hpp"

#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "mail/content_type.hpp"
#include "server/http/url_decode.hpp"
#include "server/listener.hpp"
#include "server/worker_call.hpp"

namespace cqlist::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

// What every session shares; lives as long as the longest session.
struct HttpState {
  asio::thread_pool& workers;
  const HttpServerConfig config;
  HttpHandler& handler;
};

HttpResponse plain_response(int status, std::string text) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(text) + "\n";
  return response;
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

// The request as the handler sees it; nullopt when the target or form cannot be decoded.
std::optional<HttpRequest> to_request(http::request<http::string_body>& message,
                                      std::string remote_address) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  std::string_view target = request.target;
  if (target.empty() || target.front() != '/') {
    return std::nullopt;  // behind a proxy every target is origin-form (RFC 9112 §3.2.1)
  }
  std::size_t question = target.find('?');
  std::optional<std::string> path = percent_decode(target.substr(0, question), false);
  if (!path) {
    return std::nullopt;
  }
  request.path = std::move(*path);
  if (question != std::string_view::npos) {
    auto query = decode_form(target.substr(question + 1));
    if (!query) {
      return std::nullopt;
    }
    request.query = std::move(*query);
  }
  for (const auto& field : message) {
    std::string name = to_ascii_lower(field.name_string());
    auto [it, inserted] = request.headers.emplace(name, std::string(field.value()));
    if (!inserted) {
      it->second += ", " + std::string(field.value());  // RFC 9110 §5.3
    }
  }
  request.body = std::move(message.body());
  request.remote_address = std::move(remote_address);
  auto content_type = request.headers.find("content-type");
  if (content_type == request.headers.end()) {
    // Some one-click senders leave the type out of their "List-Unsubscribe=One-Click".
    request.form = decode_form(request.body).value_or(std::map<std::string, std::string>{});
  } else {
    // The field has MIME's syntax (RFC 9110 §8.3.1), so the mail parser reads its parameters.
    mail::ContentType type = mail::parse_content_type(content_type->second);
    std::optional<std::map<std::string, std::string>> form;
    if (type.is("application", "x-www-form-urlencoded")) {
      form = decode_form(request.body);
    } else if (type.is("multipart", "form-data")) {
      form = decode_multipart_form(request.body, type.parameter("boundary"));
    } else {
      form.emplace();
    }
    if (!form) {
      return std::nullopt;
    }
    request.form = std::move(*form);
  }
  return request;
}

http::response<http::string_body> to_message(HttpResponse response, unsigned version,
                                             bool keep_alive, bool head_request) {
  if (response.status < 100 || response.status > 599) {
    log::error("http.handler_error", {{"error", "handler returned an invalid status"}});
    response = plain_response(500, "Internal server error");
  }
  http::response<http::string_body> message;
  message.version(version);
  message.result(static_cast<unsigned>(response.status));
  message.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) {
    if (has_line_break(name) || has_line_break(value)) {
      log::error("http.handler_error", {{"error", "header with a line break dropped"}});
      continue;
    }
    message.insert(name, value);
  }
  message.keep_alive(keep_alive);
  std::size_t length = response.body.size();
  if (!head_request) {
    message.body() = std::move(response.body);
  }
  message.content_length(length);
  return message;
}

class HttpSession final : public Session, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(asio::ip::tcp::socket socket, std::shared_ptr<const HttpState> state)
      : stream_(std::move(socket)), state_(std::move(state)) {}

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
  // `response` by reference: see worker_call.hpp on g++ and by-value arguments.
  asio::awaitable<bool> respond(HttpResponse& response, unsigned version, bool keep_alive,
                                bool head_request) {
    auto message = to_message(std::move(response), version, keep_alive, head_request);
    stream_.expires_after(state_->config.timeout);
    auto [ec, written] = co_await http::async_write(stream_, message, kAsTuple);
    (void)written;
    co_return !ec;
  }

  beast::tcp_stream stream_;
  std::shared_ptr<const HttpState> state_;
  beast::flat_buffer buffer_;
  bool waiting_idle_ = false;
  bool stop_requested_ = false;
};

asio::awaitable<void> HttpSession::run() {
  std::shared_ptr<HttpSession> self = shared_from_this();  // alive while this runs
  boost::system::error_code ec;
  std::string remote = stream_.socket().remote_endpoint(ec).address().to_string();
  while (!stop_requested_) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(state_->config.max_body_bytes);
    stream_.expires_after(state_->config.timeout);
    waiting_idle_ = buffer_.size() == 0;
    auto [header_error, header_bytes] =
        co_await http::async_read_header(stream_, buffer_, parser, kAsTuple);
    waiting_idle_ = false;
    (void)header_bytes;
    boost::system::error_code read_error = header_error;
    if (!read_error && beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      // curl and others wait for this before sending a large body.
      http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
      auto [continue_error, continue_bytes] = co_await http::async_write(stream_, go_on, kAsTuple);
      (void)continue_bytes;
      read_error = continue_error;
    }
    if (!read_error) {
      auto [body_error, body_bytes] = co_await http::async_read(stream_, buffer_, parser, kAsTuple);
      (void)body_bytes;
      read_error = body_error;
    }
    if (read_error) {
      // A request the parser refused gets an answer; a closed or silent connection does not.
      if (read_error.category() == http::make_error_code(http::error::end_of_stream).category() &&
          read_error != http::error::end_of_stream && read_error != http::error::partial_message) {
        int status = read_error == http::error::body_limit     ? 413
                     : read_error == http::error::header_limit ? 431
                                                               : 400;
        std::string reason = read_error.message();
        log::info("http.bad_request", {{"peer", remote}, {"error", reason}});
        HttpResponse refusal = plain_response(status, "Bad request: " + reason);
        co_await respond(refusal, 11, false, false);
      }
      break;
    }
    http::request<http::string_body> message = parser.release();
    unsigned version = message.version();
    bool keep_alive = message.keep_alive();
    bool head_request = message.method() == http::verb::head;
    std::optional<HttpRequest> request = to_request(message, remote);
    if (!request) {
      HttpResponse refusal = plain_response(400, "Bad request: malformed target or form");
      co_await respond(refusal, version, false, false);
      break;
    }
    auto handle = [&handler = state_->handler, &request = *request] {
      try {
        return handler.handle(request);
      } catch (const std::exception& e) {
        log::error("http.handler_error", {{"path", request.path}, {"error", e.what()}});
        return plain_response(500, "Internal server error");
      }
    };
    HttpResponse response = co_await call_on_workers(state_->workers, std::move(handle));
    keep_alive = keep_alive && !stop_requested_;
    if (!co_await respond(response, version, keep_alive, head_request) || !keep_alive) {
      break;
    }
  }
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  stream_.close();
}

// A connection past the limit: 503 and closed, so a client or proxy can tell it from a crash.
asio::awaitable<void> refuse_busy(asio::ip::tcp::socket& socket) {
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Length: 37\r\nRetry-After: 5\r\nConnection: close\r\n\r\n"
      "Too many connections, try again later";
  co_await asio::async_write(socket, asio::buffer(kBusy), kAsTuple);
}

class HttpServerImpl final : public HttpServer {
 public:
  explicit HttpServerImpl(std::unique_ptr<Listener> listener) : listener_(std::move(listener)) {}

  std::uint16_t port() const override { return listener_->port(); }

  void stop() override { listener_->stop(); }

 private:
  std::unique_ptr<Listener> listener_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(asio::io_context& io,
                                                      asio::thread_pool& workers,
                                                      HttpServerConfig config,
                                                      HttpHandler& handler) {
  ListenerConfig listen{config.address, config.port, "HTTP", "http", config.max_connections};
  auto state = std::make_shared<const HttpState>(HttpState{workers, std::move(config), handler});
  auto make_session = [state](asio::ip::tcp::socket socket, std::uint64_t /*id*/) {
    return std::make_shared<HttpSession>(std::move(socket), state);
  };
  CQLIST_TRY(auto listener, Listener::start(io, std::move(listen), make_session, refuse_busy));
  return std::unique_ptr<HttpServer>(std::make_unique<HttpServerImpl>(std::move(listener)));
}

}  // namespace cqlist::server
