// server/http/http_server_test.cpp: the real HTTP server on a loopback port, a recording handler.
#include "server/http/http_server.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

#include "server/testing/line_client.hpp"

namespace cqlist::server {
namespace {

using testing::LineClient;

class RecordingHandler : public HttpHandler {
 public:
  HttpResponse handle(const HttpRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      threads_.push_back(std::this_thread::get_id());
    }
    if (request.path == "/boom") {
      throw std::runtime_error("handler failed");
    }
    HttpResponse response;
    if (request.path == "/missing") {
      response.status = 404;
      response.body = "no such page\n";
      return response;
    }
    response.content_type = "text/html; charset=utf-8";
    response.body = "<p>" + request.method + " " + request.path + "</p>";
    response.headers.emplace_back("X-Test", "yes");
    return response;
  }

  std::vector<HttpRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mutex_);
    return threads_;
  }

 private:
  std::mutex mutex_;
  std::vector<HttpRequest> requests_;
  std::vector<std::thread::id> threads_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServerConfig config;
    config.port = 0;
    config.max_body_bytes = 100;
    auto started = HttpServer::start(io_, workers_, config, handler_);
    ASSERT_TRUE(started) << started.error().describe();
    server_ = std::move(*started);
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    server_->stop();
    guard_.reset();
    io_.stop();
    io_thread_.join();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{
      io_.get_executor()};
  boost::asio::thread_pool workers_{2};
  RecordingHandler handler_;
  std::unique_ptr<HttpServer> server_;
  std::thread io_thread_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(HttpServerTest, GetDecodesPathAndQuery) {
  LineClient client(server_->port());
  client.send(
      "GET /archive/ham%20list?page=2&q=caf%C3%A9+au+lait HTTP/1.1\r\n"
      "Host: lists.example\r\nX-Forwarded-For: 192.0.2.1\r\n\r\n");
  std::string response = client.read_http_response();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
  EXPECT_TRUE(contains(response, "Content-Type: text/html; charset=utf-8\r\n"));
  std::string body = "<p>GET /archive/ham list</p>";
  EXPECT_TRUE(contains(response, "Content-Length: " + std::to_string(body.size()) + "\r\n"))
      << response;
  EXPECT_TRUE(contains(response, "X-Test: yes\r\n"));
  EXPECT_TRUE(response.ends_with("\r\n\r\n<p>GET /archive/ham list</p>"));

  auto requests = handler_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/archive/ham%20list?page=2&q=caf%C3%A9+au+lait");
  EXPECT_EQ(requests[0].path, "/archive/ham list");
  EXPECT_EQ(requests[0].query.at("page"), "2");
  EXPECT_EQ(requests[0].query.at("q"), "café au lait");
  EXPECT_EQ(requests[0].headers.at("x-forwarded-for"), "192.0.2.1");
  EXPECT_EQ(requests[0].remote_address, "127.0.0.1");
  // The handler ran on the worker pool, not on the event loop's thread.
  ASSERT_EQ(handler_.threads().size(), 1u);
  EXPECT_NE(handler_.threads()[0], io_thread_.get_id());
}

TEST_F(HttpServerTest, PostDecodesTheForm) {
  LineClient client(server_->port());
  std::string body = "List-Unsubscribe=One-Click&token=a%2Bb";
  client.send(
      "POST /unsubscribe/ham HTTP/1.1\r\nHost: lists.example\r\n"
      "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_TRUE(client.read_http_response().starts_with("HTTP/1.1 200 OK"));
  auto requests = handler_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body, body);
  EXPECT_EQ(requests[0].form.at("List-Unsubscribe"), "One-Click");
  EXPECT_EQ(requests[0].form.at("token"), "a+b");
}

TEST_F(HttpServerTest, PostDecodesAMultipartFormAsRfc8058Recommends) {
  LineClient client(server_->port());
  std::string body =
      "--b1\r\n"
      "Content-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\n"
      "One-Click\r\n"
      "--b1--\r\n";
  client.send(
      "POST /unsubscribe/ham HTTP/1.1\r\nHost: lists.example\r\n"
      "Content-Type: multipart/form-data; boundary=b1\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  std::string response = client.read_http_response();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK")) << response;
  std::string bare = "List-Unsubscribe=One-Click";
  client.send("POST /unsubscribe/ham HTTP/1.1\r\nHost: lists.example\r\nContent-Length: " +
              std::to_string(bare.size()) + "\r\n\r\n" + bare);
  EXPECT_TRUE(client.read_http_response().starts_with("HTTP/1.1 200 OK"));
  auto requests = handler_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].form.at("List-Unsubscribe"), "One-Click");
  EXPECT_EQ(requests[1].form.at("List-Unsubscribe"), "One-Click") << "no Content-Type given";
}

TEST_F(HttpServerTest, HandlerStatusPassesThrough) {
  LineClient client(server_->port());
  client.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string response = client.read_http_response();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 404 Not Found\r\n")) << response;
  EXPECT_TRUE(contains(response, "Content-Type: text/plain; charset=utf-8\r\n"));
  EXPECT_TRUE(response.ends_with("no such page\n"));
}

TEST_F(HttpServerTest, KeepsTheConnectionAliveBetweenRequests) {
  LineClient client(server_->port());
  client.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(client.read_http_response().ends_with("<p>GET /one</p>"));
  client.send("GET /two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string second = client.read_http_response();
  EXPECT_TRUE(second.ends_with("<p>GET /two</p>"));
  EXPECT_TRUE(contains(second, "Connection: close\r\n"));
  EXPECT_TRUE(client.closed_by_peer());
  EXPECT_EQ(handler_.requests().size(), 2u);
}

TEST_F(HttpServerTest, BodyOverTheLimitGets413) {
  LineClient client(server_->port());
  client.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" +
              std::string(1000, 'a'));
  std::string response = client.read_http_response();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 413 ")) << response;
  EXPECT_TRUE(client.closed_by_peer());
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(HttpServerTest, MalformedRequestsGet400) {
  {
    LineClient client(server_->port());
    client.send("THIS IS NOT HTTP\r\n\r\n");
    EXPECT_TRUE(client.read_http_response().starts_with("HTTP/1.1 400 "));
  }
  {
    LineClient client(server_->port());
    client.send("GET /bad%zzescape HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(client.read_http_response().starts_with("HTTP/1.1 400 "));
  }
  {
    LineClient client(server_->port());
    client.send("GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
    EXPECT_TRUE(client.read_http_response().starts_with("HTTP/1.1 431 "));
  }
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(HttpServerTest, HandlerExceptionGets500) {
  LineClient client(server_->port());
  client.send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(client.read_http_response().starts_with("HTTP/1.1 500 "));
}

TEST_F(HttpServerTest, HeadGetsTheLengthWithoutTheBody) {
  LineClient client(server_->port());
  client.send("HEAD /page HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string head = client.read_until("\r\n\r\n");
  std::string length = std::to_string(std::string("<p>HEAD /page</p>").size());
  EXPECT_TRUE(contains(head, "Content-Length: " + length + "\r\n")) << head;
  // Had the HEAD response carried a body, it would stand before the next status line.
  std::string next = client.read_http_response();
  EXPECT_TRUE(next.starts_with("HTTP/1.1 200 OK\r\n")) << next;
  EXPECT_TRUE(next.ends_with("<p>GET /after</p>"));
}

TEST_F(HttpServerTest, SilentClientIsDisconnectedAfterTheTimeout) {
  HttpServerConfig config;
  config.port = 0;
  config.timeout = std::chrono::seconds(1);
  auto started = HttpServer::start(io_, workers_, config, handler_);
  ASSERT_TRUE(started) << started.error().describe();
  LineClient client((*started)->port());
  client.send("GET /slow HTTP/1.1\r\n");  // and never the rest of the head
  auto began = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_peer(std::chrono::seconds(4)));
  EXPECT_GE(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(900));
  EXPECT_TRUE(handler_.requests().empty());
  (*started)->stop();
}

TEST_F(HttpServerTest, ConnectionsPastTheLimitGet503) {
  HttpServerConfig config;
  config.port = 0;
  config.max_connections = 1;
  auto started = HttpServer::start(io_, workers_, config, handler_);
  ASSERT_TRUE(started) << started.error().describe();
  const std::uint16_t port = (*started)->port();
  LineClient first(port);
  first.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(first.read_http_response().starts_with("HTTP/1.1 200"));
  LineClient second(port);
  std::string refusal = second.read_http_response();
  EXPECT_TRUE(refusal.starts_with("HTTP/1.1 503 ")) << refusal;
  EXPECT_TRUE(contains(refusal, "Too many connections")) << refusal;
  EXPECT_TRUE(second.closed_by_peer());
  first.close();
  // Once the first session has ended, a new one is served again.
  std::string answer;
  for (int attempt = 0; attempt < 50 && !answer.starts_with("HTTP/1.1 200"); ++attempt) {
    LineClient third(port);
    third.send("GET /third HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    answer = third.read_http_response();
    if (!answer.starts_with("HTTP/1.1 200")) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  (*started)->stop();
}

TEST_F(HttpServerTest, StopClosesIdleConnections) {
  LineClient client(server_->port());
  client.send("GET /one HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(client.read_http_response().starts_with("HTTP/1.1 200"));
  server_->stop();
  EXPECT_TRUE(client.closed_by_peer());
}

}  // namespace
}  // namespace cqlist::server
