// server/policy_server_test.cpp: the real policy server on a loopback port, a fake handler.
#include "server/policy_server.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

#include "server/testing/line_client.hpp"
#include "server/testing/server_fixture.hpp"

namespace cqlist::server {
namespace {

using testing::EventLoopThread;
using testing::HandlerGate;
using testing::LineClient;
using namespace std::chrono_literals;

// Refuses sender "spam@..."; throws for "throw@..."; answers two lines for "lines@...";
// otherwise DUNNO. Records every request; can hold decide() back for sender "slow@...".
class FakeHandler : public PolicyHandler {
 public:
  std::string decide(const PolicyRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    std::string_view sender = request.get("sender");
    if (sender.starts_with("slow@")) {
      slow.pass();
    }
    if (sender.starts_with("throw@")) {
      throw std::runtime_error("the store is on fire");
    }
    if (sender.starts_with("lines@")) {
      return "550 5.7.1 first\n550 5.7.1 second";
    }
    if (sender.starts_with("spam@")) {
      return "550 5.7.1 only members of ham@lists.example may post";
    }
    return "DUNNO";
  }

  std::vector<PolicyRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  HandlerGate slow;  // what "slow@..." senders pass through

 private:
  std::mutex mutex_;
  std::vector<PolicyRequest> requests_;
};

// A request as Postfix 3.7's smtpd sends it at RCPT (abridged).
std::string rcpt_request(std::string_view sender, std::string_view recipient) {
  return "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
         "client_address=203.0.113.9\nclient_name=unknown\nhelo_name=mx.poster.example\n"
         "sender=" +
         std::string(sender) + "\nrecipient=" + std::string(recipient) +
         "\nrecipient_count=0\nqueue_id=\ninstance=1a2b.6565c1f0.3e8d1.0\nsize=0\n\n";
}

class PolicyServerTest : public ::testing::Test {
 protected:
  void start(PolicyServerConfig config = {}) {
    config.port = 0;
    auto started = PolicyServer::start(io_, workers_, config, handler_);
    ASSERT_TRUE(started) << started.error().describe();
    server_ = std::move(*started);
    loop_.start();
  }

  void TearDown() override {
    if (server_) {
      server_->stop();
    }
    loop_.stop();
  }

  boost::asio::io_context io_;
  boost::asio::thread_pool workers_{2};
  FakeHandler handler_;
  std::unique_ptr<PolicyServer> server_;
  EventLoopThread loop_{io_};
};

TEST_F(PolicyServerTest, AnswersWithTheHandlersActionAndPassesEveryAttribute) {
  start();
  LineClient client(server_->port());
  ASSERT_TRUE(client.connected());
  client.send(rcpt_request("spam@forged.example", "ham@lists.example"));
  EXPECT_EQ(client.read_until("\n\n"),
            "action=550 5.7.1 only members of ham@lists.example may post\n\n");
  auto requests = handler_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const PolicyRequest& request = requests[0];
  EXPECT_EQ(request.attributes.size(), 12u);
  EXPECT_EQ(request.get("request"), "smtpd_access_policy");
  EXPECT_EQ(request.get("protocol_state"), "RCPT");
  EXPECT_EQ(request.get("sender"), "spam@forged.example");
  EXPECT_EQ(request.get("recipient"), "ham@lists.example");
  EXPECT_EQ(request.get("client_address"), "203.0.113.9");
  EXPECT_EQ(request.get("helo_name"), "mx.poster.example");
  EXPECT_EQ(request.get("queue_id"), "");       // sent empty
  EXPECT_EQ(request.get("ccert_subject"), "");  // not sent at all
}

TEST_F(PolicyServerTest, OneConnectionCarriesManyRequestsAlsoSentTogether) {
  start();
  LineClient client(server_->port());
  client.send(rcpt_request("spam@forged.example", "ham@lists.example"));
  EXPECT_EQ(client.read_until("\n\n"),
            "action=550 5.7.1 only members of ham@lists.example may post\n\n");
  // Two requests in one write: two answers, in order.
  client.send(rcpt_request("alice@members.example", "ham@lists.example") +
              rcpt_request("spam@forged.example", "eggs@lists.example"));
  EXPECT_EQ(client.read_until("\n\n"), "action=DUNNO\n\n");
  EXPECT_EQ(client.read_until("\n\n"),
            "action=550 5.7.1 only members of ham@lists.example may post\n\n");
  auto requests = handler_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].get("sender"), "alice@members.example");
  EXPECT_EQ(requests[2].get("recipient"), "eggs@lists.example");
  // A request does not inherit attributes of the one before it.
  client.send("sender=\n\n");
  EXPECT_EQ(client.read_until("\n\n"), "action=DUNNO\n\n");
  ASSERT_EQ(handler_.requests().size(), 4u);
  EXPECT_EQ(handler_.requests()[3].attributes.size(), 1u);
  EXPECT_EQ(handler_.requests()[3].get("recipient"), "");
}

TEST_F(PolicyServerTest, ValuesKeepTheirEqualsSignsAndCrLfIsTolerated) {
  start();
  LineClient client(server_->port());
  client.send(
      "request=smtpd_access_policy\r\nsender=a=b@example.net\r\nccert_subject=CN=x, O=y"
      "\r\n\r\n");
  EXPECT_EQ(client.read_until("\n\n"), "action=DUNNO\n\n");
  ASSERT_EQ(handler_.requests().size(), 1u);
  EXPECT_EQ(handler_.requests()[0].get("sender"), "a=b@example.net");
  EXPECT_EQ(handler_.requests()[0].get("ccert_subject"), "CN=x, O=y");
}

TEST_F(PolicyServerTest, AMalformedLineClosesTheConnectionUnanswered) {
  start();
  const std::string long_value(17 * 1024, 'x');
  const std::vector<std::string> bad_requests = {
      "request=smtpd_access_policy\nno equals sign\n\n", "=value without a name\n\n",
      "name=" + long_value + "\n\n", "name=" + long_value};
  for (const std::string& bad : bad_requests) {
    LineClient client(server_->port());
    client.send(bad);
    EXPECT_TRUE(client.closed_by_peer()) << bad.substr(0, 40);
  }
  std::string many;
  for (int i = 0; i < 300; ++i) {
    many += "name" + std::to_string(i) + "=value\n";
  }
  LineClient client(server_->port());
  client.send(many + "\n");
  EXPECT_TRUE(client.closed_by_peer());
  EXPECT_TRUE(handler_.requests().empty());
}

TEST_F(PolicyServerTest, AFailingHandlerIsAnsweredDunno) {
  start();
  LineClient client(server_->port());
  client.send(rcpt_request("throw@example.net", "ham@lists.example"));
  EXPECT_EQ(client.read_until("\n\n"), "action=DUNNO\n\n");
  client.send(rcpt_request("lines@example.net", "ham@lists.example"));
  EXPECT_EQ(client.read_until("\n\n"), "action=DUNNO\n\n");
  // The connection goes on serving.
  client.send(rcpt_request("spam@forged.example", "ham@lists.example"));
  EXPECT_TRUE(client.read_until("\n\n").starts_with("action=550 5.7.1"));
}

TEST_F(PolicyServerTest, OtherConnectionsAreServedWhileAHandlerBlocks) {
  start();
  handler_.slow.hold();
  LineClient first(server_->port());
  first.send(rcpt_request("slow@members.example", "ham@lists.example"));
  ASSERT_TRUE(handler_.slow.wait_until_reached());
  // decide() now sleeps on a worker; the event loop and the other worker serve the rest.
  LineClient second(server_->port());
  second.send(rcpt_request("spam@forged.example", "ham@lists.example"));
  EXPECT_TRUE(second.read_until("\n\n", 2s).starts_with("action=550 5.7.1"));
  EXPECT_TRUE(first.read_until("\n\n", 100ms).empty());  // still waiting for the handler
  handler_.slow.release();
  EXPECT_EQ(first.read_until("\n\n"), "action=DUNNO\n\n");
}

TEST_F(PolicyServerTest, IdleConnectionIsClosed) {
  PolicyServerConfig config;
  config.idle_timeout = 1s;
  start(config);
  LineClient client(server_->port());
  client.send(rcpt_request("alice@members.example", "ham@lists.example"));
  EXPECT_EQ(client.read_until("\n\n"), "action=DUNNO\n\n");
  auto began = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_peer(4s));
  EXPECT_GE(std::chrono::steady_clock::now() - began, 900ms);
}

TEST_F(PolicyServerTest, ConnectionsPastTheLimitAreClosed) {
  PolicyServerConfig config;
  config.max_connections = 1;
  start(config);
  LineClient first(server_->port());
  first.send("sender=a@example.net\n\n");
  EXPECT_EQ(first.read_until("\n\n"), "action=DUNNO\n\n");
  LineClient second(server_->port());
  EXPECT_TRUE(second.closed_by_peer());
  first.close();
  // Once the first session has ended, a new one is served again.
  std::string answer;
  for (int attempt = 0; attempt < 50 && answer.empty(); ++attempt) {
    LineClient third(server_->port());
    third.send("sender=a@example.net\n\n");
    answer = third.read_until("\n\n", 200ms);
  }
  EXPECT_EQ(answer, "action=DUNNO\n\n");
}

TEST_F(PolicyServerTest, StopAnswersTheRequestInProgressThenCloses) {
  start();
  LineClient idle(server_->port());
  idle.send("sender=a@example.net\n\n");
  EXPECT_EQ(idle.read_until("\n\n"), "action=DUNNO\n\n");
  handler_.slow.hold();
  LineClient busy(server_->port());
  busy.send(rcpt_request("slow@members.example", "ham@lists.example"));
  ASSERT_TRUE(handler_.slow.wait_until_reached());

  server_->stop();
  EXPECT_TRUE(idle.closed_by_peer());
  handler_.slow.release();
  EXPECT_EQ(busy.read_until("\n\n"), "action=DUNNO\n\n");
  EXPECT_TRUE(busy.closed_by_peer());
  // No listener and no session left: the event loop runs out of work and returns.
  EXPECT_TRUE(loop_.finishes_within(5s));
  EXPECT_FALSE(LineClient(server_->port()).connected());
}

TEST_F(PolicyServerTest, StartFailsWhenThePortIsTaken) {
  boost::asio::ip::tcp::acceptor taken(
      io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  PolicyServerConfig config;
  config.port = taken.local_endpoint().port();
  auto started = PolicyServer::start(io_, workers_, config, handler_);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code(), Errc::io);
  EXPECT_NE(started.error().message().find("policy service"), std::string::npos);
}

}  // namespace
}  // namespace cqlist::server
