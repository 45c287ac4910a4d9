// server/smtp_client_test.cpp: the SMTP client against Postfix's smtp-sink and a test server.
#include "server/smtp_client.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include "server/testing/smtp_sink.hpp"
#include "server/testing/test_smtp_server.hpp"

namespace cqlist::server {
namespace {

using testing::SmtpSink;
using testing::TestSmtpServer;
using testing::TestSmtpServerOptions;
using namespace std::chrono_literals;

SmtpRelayConfig relay(std::uint16_t port) {
  SmtpRelayConfig config;
  config.port = port;
  config.helo_name = "lists.example";
  config.timeout = 5s;
  return config;
}

OutgoingMessage message(std::vector<std::string> recipients, std::string body = "hello\r\n") {
  OutgoingMessage out;
  out.mail_from = "ham-bounces@lists.example";
  out.recipients = std::move(recipients);
  out.data = "From: poster@example.net\r\nSubject: test\r\n\r\n" + body;
  return out;
}

std::unique_ptr<SmtpSink> start_sink(const std::vector<std::string>& options = {}) {
  auto sink = SmtpSink::start(options);
  EXPECT_TRUE(sink) << sink.error().describe();
  return sink ? std::move(*sink) : nullptr;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SmtpClient, PipelinedTransactionReachesSmtpSink) {
  auto sink = start_sink();
  ASSERT_TRUE(sink);
  auto connection = SmtpConnection::open(relay(sink->port()));
  ASSERT_TRUE(connection) << connection.error().describe();
  EXPECT_TRUE((*connection)->offers("PIPELINING"));
  EXPECT_TRUE((*connection)->offers("pipelining"));
  EXPECT_FALSE((*connection)->offers("XVERP"));
  EXPECT_FALSE((*connection)->encrypted());

  auto result = (*connection)
                    ->send(message({"a@example.org", "b@example.org", "c@example.org"},
                                   ".dot\r\n..two\r\nend"));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_TRUE(result->accepted());
  EXPECT_EQ(result->mail_reply.code, 250);
  ASSERT_EQ(result->rcpt_replies.size(), 3u);
  for (const auto& reply : result->rcpt_replies) {
    EXPECT_EQ(reply.code, 250);
  }
  EXPECT_EQ(result->data_reply.code, 250);
  (*connection)->quit();

  auto dumped = sink->messages();
  ASSERT_EQ(dumped.size(), 1u);
  EXPECT_TRUE(contains(dumped[0], "X-Mail-Args: <ham-bounces@lists.example>\n"));
  EXPECT_TRUE(contains(dumped[0],
                       "X-Rcpt-Args: <a@example.org>\nX-Rcpt-Args: <b@example.org>\n"
                       "X-Rcpt-Args: <c@example.org>\n"));
  // smtp-sink unstuffs: the dots arrive as written, and the unterminated last line got CRLF.
  EXPECT_TRUE(contains(dumped[0], "\n\n.dot\n..two\nend\n"));
}

TEST(SmtpClient, XverpIsRefusedWhenNotOffered) {
  auto sink = start_sink();
  ASSERT_TRUE(sink);
  auto connection = SmtpConnection::open(relay(sink->port()));
  ASSERT_TRUE(connection);
  OutgoingMessage out = message({"a@example.org"});
  out.xverp = true;
  auto result = (*connection)->send(out);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), Errc::unsupported);
  EXPECT_TRUE((*connection)->usable());
  EXPECT_TRUE(sink->messages().empty());
}

TEST(SmtpClient, XverpIsSentWhenOffered) {
  TestSmtpServerOptions options;
  options.xverp = true;
  TestSmtpServer server(options);
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  EXPECT_TRUE((*connection)->offers("XVERP"));
  OutgoingMessage out = message({"a@example.org"});
  out.xverp = true;
  auto result = (*connection)->send(out);
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_TRUE(result->accepted());
  auto received = server.messages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0].mail_from_argument.starts_with("<ham-bounces@lists.example>"));
  EXPECT_TRUE(received[0].mail_from_argument.ends_with(" XVERP"));
  EXPECT_TRUE(received[0].pipelined);
}

TEST(SmtpClient, RefusedRecipientIsReportedAndTheRestDelivered) {
  TestSmtpServerOptions options;
  options.refused_recipients = {"gone@example.org"};
  TestSmtpServer server(options);
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  auto result = (*connection)->send(message({"a@example.org", "gone@example.org"}));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_TRUE(result->accepted());
  ASSERT_EQ(result->rcpt_replies.size(), 2u);
  EXPECT_EQ(result->rcpt_replies[0].code, 250);
  EXPECT_EQ(result->rcpt_replies[1].code, 550);
  ASSERT_TRUE(result->rcpt_replies[1].status);
  EXPECT_EQ(result->rcpt_replies[1].status->to_string(), "5.1.1");
  auto received = server.messages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].recipients, std::vector<std::string>{"a@example.org"});
  EXPECT_TRUE(received[0].pipelined);
  EXPECT_EQ(received[0].data, message({}).data);
}

TEST(SmtpClient, AllRecipientsRefusedWhilePipeliningThenRset) {
  TestSmtpServerOptions options;
  options.refused_recipients = {"gone@example.org", "left@example.org"};
  TestSmtpServer server(options);
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  auto refused = (*connection)->send(message({"gone@example.org", "left@example.org"}));
  ASSERT_TRUE(refused) << refused.error().describe();
  EXPECT_FALSE(refused->accepted());
  EXPECT_EQ(refused->data_reply.code, 554);  // DATA went out in the pipeline and was refused
  EXPECT_TRUE((*connection)->usable());

  auto next = (*connection)->send(message({"a@example.org"}));
  ASSERT_TRUE(next) << next.error().describe();
  EXPECT_TRUE(next->accepted());
  std::vector<std::string> commands = server.commands();
  std::vector<std::string> verbs;
  for (const std::string& command : commands) {
    verbs.push_back(command.substr(0, 4));
  }
  EXPECT_EQ(verbs, (std::vector<std::string>{"EHLO", "MAIL", "RCPT", "RCPT", "DATA", "RSET", "MAIL",
                                             "RCPT", "DATA"}));
  EXPECT_EQ(server.messages().size(), 1u);
}

TEST(SmtpClient, AllRecipientsRefusedWithoutPipeliningSendsNoData) {
  auto sink = start_sink({"-f", "RCPT"});  // -f implies -p: no PIPELINING
  ASSERT_TRUE(sink);
  auto connection = SmtpConnection::open(relay(sink->port()));
  ASSERT_TRUE(connection);
  EXPECT_FALSE((*connection)->offers("PIPELINING"));
  auto result = (*connection)->send(message({"a@example.org", "b@example.org"}));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_FALSE(result->accepted());
  EXPECT_EQ(result->mail_reply.code, 250);
  ASSERT_EQ(result->rcpt_replies.size(), 2u);
  EXPECT_TRUE(result->rcpt_replies[0].permanent());
  EXPECT_TRUE(result->rcpt_replies[1].permanent());
  EXPECT_EQ(result->data_reply.code, 0);
  // The connection stays in step: the next transaction (after RSET) gets its own replies.
  auto again = (*connection)->send(message({"c@example.org"}));
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->mail_reply.code, 250);
  EXPECT_TRUE(again->rcpt_replies[0].permanent());
  // smtp-sink opens a dump file at MAIL; no message content may have reached any of them.
  for (const std::string& dumped : sink->messages()) {
    EXPECT_FALSE(contains(dumped, "Subject: test")) << dumped;
  }
}

TEST(SmtpClient, PoolReusesOneConnection) {
  auto sink = start_sink();
  ASSERT_TRUE(sink);
  SmtpRelayConfig config = relay(sink->port());
  config.max_connections = 1;
  SmtpClientPool pool(config);
  for (int i = 0; i < 5; ++i) {
    auto result = pool.send(message({"m" + std::to_string(i) + "@example.org"}));
    ASSERT_TRUE(result) << result.error().describe();
    EXPECT_TRUE(result->accepted());
  }
  pool.close_all();
  EXPECT_EQ(sink->wait_for_finished_sessions(1), 1);
  EXPECT_EQ(sink->messages().size(), 5u);
}

TEST(SmtpClient, PoolBoundsConnectionsAcrossThreads) {
  auto sink = start_sink();
  ASSERT_TRUE(sink);
  SmtpRelayConfig config = relay(sink->port());
  config.max_connections = 2;
  SmtpClientPool pool(config);
  std::vector<std::thread> senders;
  std::atomic<int> accepted{0};
  for (int t = 0; t < 6; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto result = pool.send(message({"t" + std::to_string(t) + "@example.org"}));
        if (result && result->accepted()) {
          ++accepted;
        }
      }
    });
  }
  for (auto& sender : senders) {
    sender.join();
  }
  EXPECT_EQ(accepted.load(), 30);
  pool.close_all();
  int sessions = sink->wait_for_finished_sessions(2);
  EXPECT_GE(sessions, 1);
  EXPECT_LE(sessions, 2);
  EXPECT_EQ(sink->messages().size(), 30u);
}

TEST(SmtpClient, PoolAsksForExtensionsOnce) {
  TestSmtpServerOptions options;
  options.xverp = true;
  TestSmtpServer server(options);
  SmtpClientPool pool(relay(server.port()));
  auto xverp = pool.offers("XVERP");
  ASSERT_TRUE(xverp) << xverp.error().describe();
  EXPECT_TRUE(*xverp);
  EXPECT_FALSE(*pool.offers("CHUNKING"));
  EXPECT_EQ(server.connections(), 1);
}

TEST(SmtpClient, PoolRetriesWhenTheRelayClosedAnIdleConnection) {
  TestSmtpServer server(TestSmtpServerOptions{});
  SmtpClientPool pool(relay(server.port()));
  auto first = pool.send(message({"a@example.org"}));
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_TRUE(first->accepted());

  server.close_idle_connections();  // Postfix's smtpd_timeout, while the pool kept it
  auto second = pool.send(message({"b@example.org"}));
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_TRUE(second->accepted());
  EXPECT_EQ(server.connections(), 2);
  auto received = server.messages();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[1].recipients, std::vector<std::string>{"b@example.org"});
  EXPECT_EQ(received[1].connection, 2);
}

TEST(SmtpClient, StartTlsWhenOfferedAndWanted) {
  TestSmtpServerOptions options;
  options.starttls = true;
  TestSmtpServer server(options);
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection) << connection.error().describe();
  EXPECT_TRUE((*connection)->encrypted());
  EXPECT_FALSE((*connection)->offers("STARTTLS"));  // the EHLO after TLS no longer offers it
  auto result = (*connection)->send(message({"a@example.org", "b@example.org"}));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_TRUE(result->accepted());
  (*connection)->quit();
  auto received = server.messages();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0].encrypted);
  EXPECT_EQ(received[0].recipients.size(), 2u);
  std::vector<std::string> commands = server.commands();
  ASSERT_GE(commands.size(), 3u);
  EXPECT_EQ(commands[1], "STARTTLS");
  EXPECT_TRUE(commands[2].starts_with("EHLO"));
}

TEST(SmtpClient, StaysInTheClearWhenTlsIsNotWanted) {
  TestSmtpServerOptions options;
  options.starttls = true;
  TestSmtpServer server(options);
  SmtpRelayConfig config = relay(server.port());
  config.starttls = false;
  auto connection = SmtpConnection::open(config);
  ASSERT_TRUE(connection);
  EXPECT_FALSE((*connection)->encrypted());
  ASSERT_TRUE((*connection)->send(message({"a@example.org"})));
  ASSERT_EQ(server.messages().size(), 1u);
  EXPECT_FALSE(server.messages()[0].encrypted);
}

TEST(SmtpClient, SilentServerTimesOut) {
  boost::asio::io_context io;
  // Listening, never accepting: the kernel completes the connection, nobody ever greets.
  boost::asio::ip::tcp::acceptor silent(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  SmtpRelayConfig config = relay(silent.local_endpoint().port());
  config.timeout = 1s;
  auto began = std::chrono::steady_clock::now();
  auto connection = SmtpConnection::open(config);
  auto took = std::chrono::steady_clock::now() - began;
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().code(), Errc::temporary);
  EXPECT_TRUE(connection.error().message().find("no answer within 1 s") != std::string::npos)
      << connection.error().message();
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 3s);
}

TEST(SmtpClient, NothingListeningIsTemporary) {
  boost::asio::io_context io;
  std::uint16_t port = 0;
  {
    boost::asio::ip::tcp::acceptor closed_again(
        io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    port = closed_again.local_endpoint().port();
  }
  auto connection = SmtpConnection::open(relay(port));
  ASSERT_FALSE(connection);
  EXPECT_EQ(connection.error().code(), Errc::temporary);
  SmtpClientPool pool(relay(port));
  auto result = pool.send(message({"a@example.org"}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), Errc::temporary);
}

TEST(SmtpClient, RefusesEnvelopesThatWouldBreakTheCommandLine) {
  TestSmtpServer server(TestSmtpServerOptions{});
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  EXPECT_EQ((*connection)->send(message({"a@example.org>\r\nRCPT TO:<b@x"})).error().code(),
            Errc::invalid_argument);
  EXPECT_EQ((*connection)->send(message({})).error().code(), Errc::invalid_argument);
  EXPECT_TRUE(server.messages().empty());
}

}  // namespace
}  // namespace cqlist::server
