// server/lmtp_server_test.cpp: the real LMTP server on a loopback port, a recording handler.
#include "server/lmtp_server.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>

#include "base/ip_address.hpp"
#include "server/testing/line_client.hpp"
#include "server/testing/server_fixture.hpp"

namespace cqlist::server {
namespace {

using testing::EventLoopThread;
using testing::HandlerGate;
using testing::LineClient;
using namespace std::chrono_literals;

mail::SmtpReply make_reply(int code, std::string status, std::string text) {
  mail::SmtpReply reply;
  reply.code = code;
  reply.status = mail::EnhancedStatus::parse(status);
  reply.lines = {std::move(text)};
  return reply;
}

// Refuses "nobody@..." at RCPT and "refuse@..." after the data; can hold deliver() back.
class RecordingHandler : public LmtpHandler {
 public:
  mail::SmtpReply check_recipient(const Envelope& envelope, std::string_view recipient) override {
    std::lock_guard lock(mutex_);
    checked_.push_back(envelope);
    if (recipient.starts_with("nobody@")) {
      return make_reply(550, "5.1.1", "no such list");
    }
    return make_reply(250, "2.1.5", "Ok");
  }

  std::vector<mail::SmtpReply> deliver(const Envelope& envelope, std::string message) override {
    delivering.pass();
    std::lock_guard lock(mutex_);
    delivered_.push_back({envelope, std::move(message)});
    std::vector<mail::SmtpReply> replies;
    for (const std::string& recipient : envelope.recipients) {
      replies.push_back(recipient.starts_with("refuse@")
                            ? make_reply(550, "5.7.1", "refused by policy")
                            : make_reply(250, "2.0.0", "delivered"));
    }
    return replies;
  }

  struct Delivery {
    Envelope envelope;
    std::string message;
  };

  std::vector<Delivery> delivered() {
    std::lock_guard lock(mutex_);
    return delivered_;
  }

  std::vector<Envelope> checked() {
    std::lock_guard lock(mutex_);
    return checked_;
  }

  HandlerGate delivering;  // every deliver() passes through

 private:
  std::mutex mutex_;
  std::vector<Delivery> delivered_;
  std::vector<Envelope> checked_;
};

class LmtpServerTest : public ::testing::Test {
 protected:
  void start(LmtpServerConfig config = {}) {
    config.port = 0;
    config.hostname = "lists.example";
    auto started = LmtpServer::start(io_, workers_, config, handler_);
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

  // Connects, reads the greeting and sends LHLO.
  std::unique_ptr<LineClient> greeted_client() {
    auto client = std::make_unique<LineClient>(server_->port());
    EXPECT_TRUE(client->connected());
    EXPECT_TRUE(client->read_reply().starts_with("220 lists.example"));
    client->send("LHLO mx.example\r\n");
    EXPECT_TRUE(client->read_reply().starts_with("250-lists.example"));
    return client;
  }

  boost::asio::io_context io_;
  boost::asio::thread_pool workers_{2};
  RecordingHandler handler_;
  std::unique_ptr<LmtpServer> server_;
  EventLoopThread loop_{io_};
};

TEST_F(LmtpServerTest, LhloAnnouncesTheExtensions) {
  LmtpServerConfig config;
  config.max_message_bytes = 123456;
  start(config);
  LineClient client(server_->port());
  EXPECT_EQ(client.read_reply(), "220 lists.example LMTP cqlist ready\r\n");
  client.send("LHLO mx.example\r\n");
  EXPECT_EQ(client.read_reply(),
            "250-lists.example\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
            "250-8BITMIME\r\n250-SIZE 123456\r\n250 XFORWARD NAME ADDR PROTO HELO\r\n");
  client.send("QUIT\r\n");
  EXPECT_TRUE(client.read_reply().starts_with("221 2.0.0"));
  EXPECT_TRUE(client.closed_by_peer());
}

TEST_F(LmtpServerTest, PipelinedTransactionGetsOneReplyPerRecipient) {
  start();
  LineClient client(server_->port());
  ASSERT_TRUE(client.read_reply().starts_with("220"));
  // Everything up to the end of the data in one write, as Postfix's lmtp client pipelines.
  client.send(
      "LHLO mx.example\r\nMAIL FROM:<poster@example.net> SIZE=40 BODY=8BITMIME\r\n"
      "RCPT TO:<ham@lists.example>\r\nRCPT TO:<nobody@lists.example>\r\n"
      "RCPT TO:<refuse@lists.example>\r\nDATA\r\n");
  EXPECT_TRUE(client.read_reply().starts_with("250-lists.example"));
  EXPECT_EQ(client.read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client.read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(client.read_reply(), "550 5.1.1 no such list\r\n");
  EXPECT_EQ(client.read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_TRUE(client.read_reply().starts_with("354 "));
  client.send("Subject: hi\r\n\r\n..leading dot\nbare LF line\r\n.\r\nQUIT\r\n");
  EXPECT_EQ(client.read_reply(), "250 2.0.0 delivered\r\n");
  EXPECT_EQ(client.read_reply(), "550 5.7.1 refused by policy\r\n");
  EXPECT_TRUE(client.read_reply().starts_with("221"));

  auto delivered = handler_.delivered();
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].message, "Subject: hi\r\n\r\n.leading dot\nbare LF line\r\n");
  const Envelope& envelope = delivered[0].envelope;
  EXPECT_EQ(envelope.lhlo, "mx.example");
  EXPECT_EQ(envelope.mail_from, "poster@example.net");
  EXPECT_EQ(envelope.recipients,
            (std::vector<std::string>{"ham@lists.example", "refuse@lists.example"}));
  EXPECT_EQ(envelope.peer_address, "127.0.0.1");
}

TEST_F(LmtpServerTest, NullSenderIsAccepted) {
  start();
  auto client = greeted_client();
  client->send("MAIL FROM:<>\r\nRCPT TO:<ham-bounces@lists.example>\r\nDATA\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("354"));
  client->send("x\r\n.\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 delivered\r\n");
  ASSERT_EQ(handler_.delivered().size(), 1u);
  EXPECT_EQ(handler_.delivered()[0].envelope.mail_from, "");
}

// A bare LF or CR around the dot leaves the data open: the "commands" after it are message
// text, not a second transaction smuggled past the first one's checks.
TEST_F(LmtpServerTest, OnlyCrLfDotCrLfEndsTheData) {
  start();
  auto client = greeted_client();
  client->send("MAIL FROM:<a@example.net>\r\nRCPT TO:<ham@lists.example>\r\nDATA\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("354"));
  std::string smuggled =
      "MAIL FROM:<forged@example.net>\r\nRCPT TO:<ham@lists.example>\r\nDATA\r\n"
      "Subject: smuggled\r\n";
  client->send("Subject: hi\r\n\r\nbody\n.\n" + smuggled + "\r.\r" + smuggled + ".\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 delivered\r\n");
  client->send("NOOP\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");

  auto delivered = handler_.delivered();
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].message, "Subject: hi\r\n\r\nbody\n.\n" + smuggled + "\r.\r" + smuggled);
  EXPECT_EQ(delivered[0].envelope.mail_from, "a@example.net");
}

TEST_F(LmtpServerTest, SizeAboveTheLimitIsRefusedAtMail) {
  LmtpServerConfig config;
  config.max_message_bytes = 1000;
  start(config);
  auto client = greeted_client();
  client->send("MAIL FROM:<a@example.net> SIZE=1001\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("552 5.3.4 "));
  client->send("MAIL FROM:<a@example.net> SIZE=1000\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
}

TEST_F(LmtpServerTest, BodyValueIsCaseInsensitive) {
  start();
  auto client = greeted_client();
  // RFC 5321 §2.4: keywords and their values here are case-insensitive.
  client->send(
      "MAIL FROM:<a@example.net> BODY=8bitmime\r\nRSET\r\n"
      "MAIL FROM:<a@example.net> body=7Bit\r\nRSET\r\n"
      "MAIL FROM:<a@example.net> BODY=binarymime\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("501 5.5.4"));
}

TEST_F(LmtpServerTest, DataAboveTheLimitIsRefusedForEachRecipient) {
  LmtpServerConfig config;
  config.max_message_bytes = 1000;
  start(config);
  auto client = greeted_client();
  client->send(
      "MAIL FROM:<a@example.net>\r\nRCPT TO:<ham@lists.example>\r\n"
      "RCPT TO:<eggs@lists.example>\r\nDATA\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("354"));
  for (int i = 0; i < 100; ++i) {
    client->send(std::string(98, 'x') + "\r\n");
  }
  client->send(".\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("552 5.3.4 "));
  EXPECT_TRUE(client->read_reply().starts_with("552 5.3.4 "));
  EXPECT_TRUE(handler_.delivered().empty());
  // The connection is still in step: the next command gets its own reply.
  client->send("NOOP\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
}

TEST_F(LmtpServerTest, NewLimitAppliesToNewTransactions) {
  start();
  server_->set_max_message_bytes(50);
  auto client = std::make_unique<LineClient>(server_->port());
  ASSERT_TRUE(client->read_reply().starts_with("220"));
  client->send("LHLO mx.example\r\n");
  EXPECT_NE(client->read_reply().find("250-SIZE 50\r\n"), std::string::npos);
  client->send("MAIL FROM:<a@example.net> SIZE=51\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("552 5.3.4"));
}

TEST_F(LmtpServerTest, XforwardAttributesReachTheHandlerForOneTransaction) {
  start();
  auto client = greeted_client();
  client->send(
      "XFORWARD NAME=mx.example.net ADDR=IPv6:2001:db8::25 PROTO=ESMTP\r\n"
      "XFORWARD HELO=helo.example.net\r\n"
      "MAIL FROM:<a@example.net>\r\nRCPT TO:<ham@lists.example>\r\nDATA\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("354"));
  client->send("x\r\n.\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 delivered\r\n");
  // The next transaction has no XFORWARD: nothing may leak into it (XFORWARD_README).
  client->send("MAIL FROM:<b@example.net>\r\nRCPT TO:<ham@lists.example>\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");

  auto checked = handler_.checked();
  ASSERT_EQ(checked.size(), 2u);
  EXPECT_EQ(checked[0].client_address, "2001:db8::25");
  EXPECT_EQ(checked[0].client_name, "mx.example.net");
  EXPECT_EQ(checked[0].client_helo, "helo.example.net");
  EXPECT_EQ(checked[1].client_address, "");
  EXPECT_EQ(checked[1].client_name, "");
  EXPECT_EQ(checked[1].client_helo, "");
  ASSERT_EQ(handler_.delivered().size(), 1u);
  EXPECT_EQ(handler_.delivered()[0].envelope.client_address, "2001:db8::25");
}

TEST_F(LmtpServerTest, XforwardIsRefusedInsideATransactionAndUnavailableClears) {
  start();
  auto client = greeted_client();
  client->send(
      "XFORWARD ADDR=192.0.2.1 NAME=[UNAVAILABLE]\r\nRSET\r\n"
      "XFORWARD ADDR=192.0.2.9\r\nXFORWARD ADDR=[UNAVAILABLE]\r\n"
      "MAIL FROM:<a@example.net>\r\nXFORWARD ADDR=192.0.2.2\r\n"
      "RCPT TO:<ham@lists.example>\r\nXFORWARD BOGUS=1\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("503 5.5.1"));
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("503 5.5.1"));
  ASSERT_EQ(handler_.checked().size(), 1u);
  EXPECT_EQ(handler_.checked()[0].client_address, "");
}

// Postfix forwards a HELO name with a space as HELO=my+20host: the transaction goes on
// without that attribute.
TEST_F(LmtpServerTest, XforwardValueThatCannotBeUsedIsLeftOut) {
  start();
  auto client = greeted_client();
  client->send(
      "XFORWARD NAME=mx.example.net ADDR=192.0.2.1 HELO=my+20host\r\n"
      "MAIL FROM:<a@example.net>\r\nRCPT TO:<ham@lists.example>\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
  ASSERT_EQ(handler_.checked().size(), 1u);
  EXPECT_EQ(handler_.checked()[0].client_name, "mx.example.net");
  EXPECT_EQ(handler_.checked()[0].client_address, "192.0.2.1");
  EXPECT_EQ(handler_.checked()[0].client_helo, "");
}

// A reused connection: errors spread over many transactions do not add up to the limit.
TEST_F(LmtpServerTest, ErrorCountStartsAfreshWithEachTransaction) {
  start();
  auto client = greeted_client();
  for (int transaction = 0; transaction < 3; ++transaction) {
    std::string commands;
    for (int error = 0; error < 19; ++error) {
      commands += "BOGUS\r\n";
    }
    commands += "MAIL FROM:<a@example.net>\r\nRCPT TO:<ham@lists.example>\r\nDATA\r\nx\r\n.\r\n";
    client->send(commands);
    for (int error = 0; error < 19; ++error) {
      ASSERT_TRUE(client->read_reply().starts_with("500 5.5.2")) << transaction;
    }
    EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
    EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
    EXPECT_TRUE(client->read_reply().starts_with("354"));
    EXPECT_EQ(client->read_reply(), "250 2.0.0 delivered\r\n");
  }
  EXPECT_EQ(handler_.delivered().size(), 3u);
}

TEST_F(LmtpServerTest, TooManyErrorsCloseTheConnection) {
  start();
  auto client = greeted_client();
  std::string commands;
  for (int error = 0; error < 20; ++error) {
    commands += "BOGUS\r\n";
  }
  client->send(commands + "NOOP\r\n");
  for (int error = 0; error < 20; ++error) {
    ASSERT_TRUE(client->read_reply().starts_with("500 5.5.2"));
  }
  EXPECT_EQ(client->read_reply(), "421 4.7.0 lists.example Error: too many errors\r\n");
  EXPECT_TRUE(client->closed_by_peer());
}

// XFORWARD's address feeds the SPF and DMARC checks: a client not in xforward_hosts (here the
// test's own 127.0.0.1) is not offered it and cannot pass a forged address with it.
TEST_F(LmtpServerTest, XforwardIsOnlyForTrustedClients) {
  LmtpServerConfig config;
  config.max_message_bytes = 123456;
  config.xforward_hosts = {*IpNetwork::parse("192.0.2.0/24")};
  start(config);
  LineClient client(server_->port());
  ASSERT_TRUE(client.read_reply().starts_with("220"));
  client.send("LHLO mx.example\r\n");
  EXPECT_EQ(client.read_reply(),
            "250-lists.example\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
            "250-8BITMIME\r\n250 SIZE 123456\r\n");
  client.send(
      "XFORWARD ADDR=192.0.2.1 HELO=mx.example.org\r\n"
      "MAIL FROM:<a@example.org>\r\nRCPT TO:<ham@lists.example>\r\n");
  EXPECT_EQ(client.read_reply(), "550 5.7.0 Error: XFORWARD is not allowed from this client\r\n");
  EXPECT_EQ(client.read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client.read_reply(), "250 2.1.5 Ok\r\n");
  ASSERT_EQ(handler_.checked().size(), 1u);
  EXPECT_EQ(handler_.checked()[0].client_address, "");
  EXPECT_EQ(handler_.checked()[0].client_helo, "");
}

TEST_F(LmtpServerTest, RecipientsPastTheLimitAreDeferred) {
  LmtpServerConfig config;
  config.max_recipients = 2;
  start(config);
  auto client = greeted_client();
  client->send(
      "MAIL FROM:<a@example.net>\r\nRCPT TO:<a@lists.example>\r\n"
      "RCPT TO:<b@lists.example>\r\nRCPT TO:<c@lists.example>\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("452 4.5.3"));
  EXPECT_EQ(handler_.checked().size(), 2u);
}

TEST_F(LmtpServerTest, RsetEndsTheTransaction) {
  start();
  auto client = greeted_client();
  client->send("MAIL FROM:<a@example.net>\r\nRCPT TO:<ham@lists.example>\r\nRSET\r\nDATA\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("503 5.5.1"));
}

TEST_F(LmtpServerTest, DataWithoutValidRecipientsIsRefused) {
  start();
  auto client = greeted_client();
  client->send("MAIL FROM:<a@example.net>\r\nRCPT TO:<nobody@lists.example>\r\nDATA\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_TRUE(client->read_reply().starts_with("550 5.1.1"));
  // RFC 2033 §4.2: 503, not SMTP's 554; the client sends no data and the session goes on.
  EXPECT_EQ(client->read_reply(), "503 5.5.1 Error: no valid recipients\r\n");
  client->send("NOOP\r\n");
  EXPECT_EQ(client->read_reply(), "250 2.0.0 Ok\r\n");
}

TEST_F(LmtpServerTest, RefusesWrongCommands) {
  start();
  LineClient client(server_->port());
  ASSERT_TRUE(client.read_reply().starts_with("220"));
  client.send(
      "MAIL FROM:<a@example.net>\r\nHELO mx.example\r\nEHLO mx.example\r\n"
      "BDAT 10 LAST\r\n" +
      std::string(5000, 'x') + "\r\nVRFY ham\r\nNOOP\r\n");
  EXPECT_TRUE(client.read_reply().starts_with("503 5.5.1"));  // no LHLO yet
  EXPECT_TRUE(client.read_reply().starts_with("500 5.5.1"));
  EXPECT_TRUE(client.read_reply().starts_with("500 5.5.1"));
  EXPECT_TRUE(client.read_reply().starts_with("500 5.5.2"));
  EXPECT_EQ(client.read_reply(), "500 5.5.2 Error: line too long\r\n");
  EXPECT_TRUE(client.read_reply().starts_with("252 "));
  EXPECT_EQ(client.read_reply(), "250 2.0.0 Ok\r\n");
}

TEST_F(LmtpServerTest, OtherSessionsRunWhileAHandlerBlocks) {
  start();
  handler_.delivering.hold();
  auto first = greeted_client();
  first->send("MAIL FROM:<a@example.net>\r\nRCPT TO:<ham@lists.example>\r\nDATA\r\n");
  EXPECT_EQ(first->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(first->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_TRUE(first->read_reply().starts_with("354"));
  first->send("x\r\n.\r\n");
  ASSERT_TRUE(handler_.delivering.wait_until_reached());

  // deliver() now sleeps on a worker; the event loop must still greet and serve.
  LineClient second(server_->port());
  EXPECT_TRUE(second.read_reply(2s).starts_with("220 "));
  second.send(
      "LHLO other.example\r\nMAIL FROM:<b@example.net>\r\nRCPT TO:<eggs@lists.example>\r\n");
  EXPECT_TRUE(second.read_reply(2s).starts_with("250-"));
  EXPECT_EQ(second.read_reply(2s), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(second.read_reply(2s), "250 2.1.5 Ok\r\n");
  EXPECT_TRUE(first->read_reply(100ms).empty());  // still waiting for the handler

  handler_.delivering.release();
  EXPECT_EQ(first->read_reply(), "250 2.0.0 delivered\r\n");
}

TEST_F(LmtpServerTest, IdleClientIsClosedWith421) {
  LmtpServerConfig config;
  config.idle_timeout = 1s;
  start(config);
  LineClient client(server_->port());
  ASSERT_TRUE(client.read_reply().starts_with("220"));
  auto began = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.read_reply(4s).starts_with("421 4.4.2"));
  EXPECT_GE(std::chrono::steady_clock::now() - began, 900ms);
  EXPECT_TRUE(client.closed_by_peer());
}

TEST_F(LmtpServerTest, ConnectionsPastTheLimitGet421) {
  LmtpServerConfig config;
  config.max_connections = 1;
  start(config);
  LineClient first(server_->port());
  ASSERT_TRUE(first.read_reply().starts_with("220"));
  LineClient second(server_->port());
  EXPECT_TRUE(second.read_reply().starts_with("421 4.3.2"));
  EXPECT_TRUE(second.closed_by_peer());
  first.send("QUIT\r\n");
  EXPECT_TRUE(first.read_reply().starts_with("221"));
  first.close();
  // Once the first session has ended, a new one is served again.
  std::string greeting;
  for (int attempt = 0; attempt < 50 && !greeting.starts_with("220"); ++attempt) {
    LineClient third(server_->port());
    greeting = third.read_reply();
    if (!greeting.starts_with("220")) {
      std::this_thread::sleep_for(20ms);
    }
  }
  EXPECT_TRUE(greeting.starts_with("220"));
}

TEST_F(LmtpServerTest, StopLetsTheCurrentTransactionFinish) {
  start();
  auto idle = greeted_client();
  auto busy = greeted_client();
  busy->send("MAIL FROM:<a@example.net>\r\nRCPT TO:<ham@lists.example>\r\nDATA\r\n");
  EXPECT_EQ(busy->read_reply(), "250 2.1.0 Ok\r\n");
  EXPECT_EQ(busy->read_reply(), "250 2.1.5 Ok\r\n");
  EXPECT_TRUE(busy->read_reply().starts_with("354"));
  busy->send("first half\r\n");

  server_->stop();
  EXPECT_TRUE(idle->read_reply().starts_with("421 4.3.0"));
  EXPECT_TRUE(idle->closed_by_peer());

  busy->send("second half\r\n.\r\n");
  EXPECT_EQ(busy->read_reply(), "250 2.0.0 delivered\r\n");
  EXPECT_TRUE(busy->read_reply().starts_with("421 4.3.0"));
  EXPECT_TRUE(busy->closed_by_peer());
  ASSERT_EQ(handler_.delivered().size(), 1u);
  EXPECT_EQ(handler_.delivered()[0].message, "first half\r\nsecond half\r\n");

  // No listener and no session left: the event loop runs out of work and returns.
  EXPECT_TRUE(loop_.finishes_within(5s));
  EXPECT_FALSE(LineClient(server_->port()).connected());
}

TEST_F(LmtpServerTest, StartFailsWhenThePortIsTaken) {
  boost::asio::ip::tcp::acceptor taken(
      io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  LmtpServerConfig config;
  config.port = taken.local_endpoint().port();
  auto started = LmtpServer::start(io_, workers_, config, handler_);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code(), Errc::io);
  config.address = "not-an-address";
  EXPECT_EQ(LmtpServer::start(io_, workers_, config, handler_).error().code(),
            Errc::invalid_argument);
}

}  // namespace
}  // namespace cqlist::server
