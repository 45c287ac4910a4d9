// server/smtp_client_test.cpp: the SMTP client against Postfix's smtp-sink and test servers.
#include "server/smtp_client.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
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

// A relay for what smtp-sink and TestSmtpServer cannot show: which commands arrived in the
// same read as a message's final "." (so in the client's same write), and hanging up after a
// number of messages, with a 421 or without a word. It answers every line of a read at once,
// as a pipelining server may, and serves one connection.
struct ScriptedRelayOptions {
  int hang_up_after = -1;  // messages; then the next command ends the connection
  bool say_421 = true;     // else the connection just closes
};

struct ScriptedMessage {
  std::vector<std::string> recipients;
  std::string data;  // dot-unstuffed, CRLF line ends
};

class ScriptedRelay {
 public:
  explicit ScriptedRelay(ScriptedRelayOptions options)
      : options_(options),
        acceptor_(io_,
                  boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    boost::asio::co_spawn(io_, serve(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~ScriptedRelay() {
    io_.stop();
    thread_.join();
  }

  ScriptedRelay(const ScriptedRelay&) = delete;
  ScriptedRelay& operator=(const ScriptedRelay&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  std::vector<ScriptedMessage> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }

  // How many final "." lines had the next MAIL behind them in the same read.
  int dots_followed_by_mail() const {
    std::lock_guard lock(mutex_);
    return dots_followed_by_mail_;
  }

 private:
  boost::asio::awaitable<void> serve() {
    constexpr auto kAsTuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    auto [accept_error, socket] = co_await acceptor_.async_accept(kAsTuple);
    if (accept_error) {
      co_return;
    }
    std::string replies = "220 scripted ESMTP\r\n";
    std::string input;
    std::optional<ScriptedMessage> transaction;
    bool in_data = false;
    bool hang_up = false;
    int delivered = 0;
    while (true) {
      auto [write_error, written] =
          co_await boost::asio::async_write(socket, boost::asio::buffer(replies), kAsTuple);
      (void)written;
      replies.clear();
      if (write_error || hang_up) {
        co_return;  // the socket closes with the coroutine
      }
      std::array<char, 64 * 1024> chunk{};
      auto [read_error, count] =
          co_await socket.async_read_some(boost::asio::buffer(chunk), kAsTuple);
      if (read_error) {
        co_return;
      }
      input.append(chunk.data(), count);
      bool after_dot = false;
      std::size_t end = 0;
      while (!hang_up && (end = input.find("\r\n")) != std::string::npos) {
        std::string line = input.substr(0, end);
        input.erase(0, end + 2);
        if (in_data) {
          if (line != ".") {
            transaction->data += (line.starts_with(".") ? line.substr(1) : line) + "\r\n";
            continue;
          }
          in_data = false;
          ++delivered;
          after_dot = true;
          std::lock_guard lock(mutex_);
          messages_.push_back(std::move(*transaction));
          transaction.reset();
          replies += "250 2.0.0 Ok: queued\r\n";
          continue;
        }
        if (after_dot && line.starts_with("MAIL")) {
          std::lock_guard lock(mutex_);
          ++dots_followed_by_mail_;
        }
        after_dot = false;
        if (delivered == options_.hang_up_after) {
          hang_up = true;
          if (options_.say_421) {
            replies += "421 4.3.2 scripted: service shutting down\r\n";
          }
        } else if (line.starts_with("EHLO")) {
          replies += "250-scripted\r\n250-PIPELINING\r\n250 8BITMIME\r\n";
        } else if (line.starts_with("MAIL")) {
          transaction.emplace();
          replies += "250 2.1.0 Ok\r\n";
        } else if (line.starts_with("RCPT TO:<") && transaction) {
          transaction->recipients.push_back(line.substr(9, line.size() - 10));
          replies += "250 2.1.5 Ok\r\n";
        } else if (line == "DATA" && transaction && !transaction->recipients.empty()) {
          in_data = true;
          replies += "354 End data with <CR><LF>.<CR><LF>\r\n";
        } else if (line == "QUIT") {
          hang_up = true;
          replies += "221 2.0.0 Bye\r\n";
        } else {
          transaction.reset();
          replies += line == "RSET" ? "250 2.0.0 Ok\r\n" : "503 5.5.1 Error: bad sequence\r\n";
        }
      }
    }
  }

  ScriptedRelayOptions options_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  mutable std::mutex mutex_;  // guards the members below
  std::vector<ScriptedMessage> messages_;
  int dots_followed_by_mail_ = 0;
};

// One send_stream() run: what next() handed out and what done() was told, in order.
struct StreamRun {
  std::vector<std::string> fetched;   // the first recipient of each message handed out
  std::vector<std::string> reported;  // the first recipient of each done() call
  std::vector<Result<TransactionResult>> results;
  Result<void> returned;
};

// Streams `messages` through `sender` (a connection or the pool); done() says stop at call
// number `stop_at` (1-based).
template <class Sender>
StreamRun stream(Sender& sender, const std::vector<OutgoingMessage>& messages,
                 std::size_t stop_at = std::numeric_limits<std::size_t>::max()) {
  StreamRun run;
  std::size_t handed_out = 0;
  run.returned = sender.send_stream(
      [&]() -> std::optional<OutgoingMessage> {
        if (handed_out == messages.size()) {
          return std::nullopt;
        }
        run.fetched.push_back(messages[handed_out].recipients.front());
        return messages[handed_out++];
      },
      [&](const OutgoingMessage& sent, Result<TransactionResult> result) {
        run.reported.push_back(sent.recipients.front());
        run.results.push_back(std::move(result));
        return run.results.size() < stop_at;
      });
  return run;
}

std::vector<OutgoingMessage> numbered_messages(int count) {
  std::vector<OutgoingMessage> out;
  for (int i = 0; i < count; ++i) {
    std::string n = std::to_string(i);
    out.push_back(message({"m" + n + "@example.org"}, "copy " + n + "\r\n.line " + n + "\r\n"));
  }
  return out;
}

std::vector<std::string> verbs(const std::vector<std::string>& commands) {
  std::vector<std::string> out;
  for (const std::string& command : commands) {
    out.push_back(command.substr(0, 4));
  }
  return out;
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

TEST(SmtpClient, ATemporaryRefusalOfEveryRecipientDecidesOverThe554ToData) {
  TestSmtpServerOptions options;
  options.deferred_recipients = {"later@example.org"};
  TestSmtpServer server(options);
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  auto result = (*connection)->send(message({"later@example.org"}));
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_FALSE(result->accepted());
  EXPECT_EQ(result->data_reply.code, 554);  // "no valid recipients": says nothing of why
  EXPECT_TRUE(result->every_recipient_refused());
  EXPECT_EQ(result->deciding_reply().code, 451);
  EXPECT_TRUE(result->deciding_reply().transient());

  auto mixed = (*connection)->send(message({"a@example.org", "later@example.org"}));
  ASSERT_TRUE(mixed) << mixed.error().describe();
  EXPECT_TRUE(mixed->accepted());
  EXPECT_FALSE(mixed->every_recipient_refused());
  EXPECT_EQ(mixed->deciding_reply().code, 250);
  EXPECT_EQ(mixed->rcpt_replies.at(1).code, 451);
}

TEST(SmtpClient, TheReplyToTheFinalDotMayTakeLongerThanACommand) {
  TestSmtpServerOptions options;
  options.final_reply_delay = 1500ms;  // content checks before the relay queues the message
  TestSmtpServer server(options);
  SmtpRelayConfig config = relay(server.port());
  config.timeout = 1s;
  SmtpClientPool pool(config);
  auto sent = pool.send(message({"a@example.org"}));
  ASSERT_TRUE(sent) << sent.error().describe();
  EXPECT_TRUE(sent->accepted());

  std::vector<Result<TransactionResult>> results;
  std::vector<OutgoingMessage> queue{message({"b@example.org"}), message({"c@example.org"})};
  auto streamed = pool.send_stream(
      [&]() -> std::optional<OutgoingMessage> {
        if (queue.empty()) {
          return std::nullopt;
        }
        OutgoingMessage next = queue.front();
        queue.erase(queue.begin());
        return next;
      },
      [&](const OutgoingMessage&, Result<TransactionResult> result) {
        results.push_back(std::move(result));
        return true;
      });
  ASSERT_TRUE(streamed) << streamed.error().describe();
  ASSERT_EQ(results.size(), 2u);
  for (const auto& result : results) {
    ASSERT_TRUE(result) << result.error().describe();
    EXPECT_TRUE(result->accepted());
  }
  EXPECT_EQ(server.messages().size(), 3u);
  EXPECT_EQ(server.connections(), 1);
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

TEST(SmtpStream, FiftyCopiesReachSmtpSinkInOrderOnOneConnection) {
  auto sink = start_sink();
  ASSERT_TRUE(sink);
  SmtpRelayConfig config = relay(sink->port());
  config.max_connections = 1;
  SmtpClientPool pool(config);
  std::vector<OutgoingMessage> messages = numbered_messages(50);
  StreamRun run = stream(pool, messages);
  ASSERT_TRUE(run.returned) << run.returned.error().describe();
  ASSERT_EQ(run.results.size(), 50u);
  EXPECT_EQ(run.reported, run.fetched);
  for (std::size_t i = 0; i < run.results.size(); ++i) {
    EXPECT_EQ(run.reported[i], "m" + std::to_string(i) + "@example.org");
    ASSERT_TRUE(run.results[i]) << run.results[i].error().describe();
    EXPECT_TRUE(run.results[i]->accepted());
    EXPECT_EQ(run.results[i]->data_reply.code, 250);
  }
  pool.close_all();
  EXPECT_EQ(sink->wait_for_finished_sessions(1), 1);
  std::vector<std::string> dumped = sink->messages();
  ASSERT_EQ(dumped.size(), 50u);
  std::set<std::string> recipients;
  for (const std::string& dump : dumped) {
    std::size_t at = dump.find("X-Rcpt-Args: <");
    ASSERT_NE(at, std::string::npos) << dump;
    std::string recipient = dump.substr(at + 14, dump.find('>', at) - at - 14);
    std::string n = recipient.substr(1, recipient.find('@') - 1);
    EXPECT_TRUE(contains(dump, "\n\ncopy " + n + "\n.line " + n + "\n")) << dump;
    recipients.insert(recipient);
  }
  EXPECT_EQ(recipients.size(), 50u);
}

TEST(SmtpStream, EachMailRidesInTheWriteOfThePreviousDataWhereSendWaits) {
  ScriptedRelay streamed(ScriptedRelayOptions{});
  auto connection = SmtpConnection::open(relay(streamed.port()));
  ASSERT_TRUE(connection) << connection.error().describe();
  StreamRun run = stream(**connection, numbered_messages(50));
  ASSERT_TRUE(run.returned) << run.returned.error().describe();
  ASSERT_EQ(run.results.size(), 50u);
  for (const auto& result : run.results) {
    ASSERT_TRUE(result) << result.error().describe();
    EXPECT_TRUE(result->accepted());
  }
  (*connection)->quit();
  ASSERT_EQ(streamed.messages().size(), 50u);
  // One write per copy: message k's data and "." and message k+1's MAIL arrive together.
  EXPECT_EQ(streamed.dots_followed_by_mail(), 49);
  EXPECT_EQ(streamed.messages()[7].recipients, std::vector<std::string>{"m7@example.org"});
  EXPECT_EQ(streamed.messages()[7].data, numbered_messages(8)[7].data);

  ScriptedRelay one_by_one(ScriptedRelayOptions{});
  auto plain = SmtpConnection::open(relay(one_by_one.port()));
  ASSERT_TRUE(plain);
  for (const OutgoingMessage& out : numbered_messages(5)) {
    auto result = (*plain)->send(out);
    ASSERT_TRUE(result) << result.error().describe();
    EXPECT_TRUE(result->accepted());
  }
  (*plain)->quit();
  EXPECT_EQ(one_by_one.messages().size(), 5u);
  EXPECT_EQ(one_by_one.dots_followed_by_mail(), 0);  // send() waits for the 250 first
}

TEST(SmtpStream, ARefusedRecipientIsAnOutcomeAndTheStreamGoesOnAfterRset) {
  TestSmtpServerOptions options;
  options.refused_recipients = {"gone@example.org"};
  TestSmtpServer server(options);
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  std::vector<OutgoingMessage> messages = numbered_messages(5);
  messages[2] = message({"gone@example.org"});
  StreamRun run = stream(**connection, messages);
  ASSERT_TRUE(run.returned) << run.returned.error().describe();
  ASSERT_EQ(run.results.size(), 5u);
  EXPECT_EQ(run.reported, run.fetched);
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    ASSERT_TRUE(run.results[i]) << run.results[i].error().describe();
    EXPECT_TRUE(run.results[i]->accepted()) << i;
  }
  ASSERT_TRUE(run.results[2]);
  EXPECT_FALSE(run.results[2]->accepted());
  ASSERT_EQ(run.results[2]->rcpt_replies.size(), 1u);
  EXPECT_EQ(run.results[2]->rcpt_replies[0].code, 550);
  EXPECT_EQ(run.results[2]->data_reply.code, 554);
  EXPECT_TRUE((*connection)->usable());
  EXPECT_EQ(verbs(server.commands()),
            (std::vector<std::string>{"EHLO", "MAIL", "RCPT", "DATA", "MAIL", "RCPT", "DATA",
                                      "MAIL", "RCPT", "DATA", "RSET", "MAIL", "RCPT", "DATA",
                                      "MAIL", "RCPT", "DATA"}));
  auto received = server.messages();
  ASSERT_EQ(received.size(), 4u);
  EXPECT_EQ(received[2].recipients, std::vector<std::string>{"m3@example.org"});
  EXPECT_EQ(received[2].data, messages[3].data);
}

TEST(SmtpStream, StoppingAfterThreeSendsNoFourthDataAndReportsEveryFetchedMessage) {
  TestSmtpServer server(TestSmtpServerOptions{});
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  StreamRun run = stream(**connection, numbered_messages(8), 3);
  ASSERT_TRUE(run.returned) << run.returned.error().describe();
  // The fourth's commands went out with the third's data; the fifth was fetched ahead
  // (made while the relay worked) and never went out.
  ASSERT_EQ(run.fetched.size(), 5u);
  EXPECT_EQ(run.reported, run.fetched);
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(run.results[i]) << run.results[i].error().describe();
    EXPECT_TRUE(run.results[i]->accepted());
  }
  ASSERT_FALSE(run.results[3]);
  EXPECT_EQ(run.results[3].error().code(), Errc::temporary);
  EXPECT_TRUE(contains(run.results[3].error().message(), "not sent"));
  ASSERT_FALSE(run.results[4]);
  EXPECT_TRUE(contains(run.results[4].error().message(), "not sent"));
  // The relay said 354 to the fourth: only closing the connection ends that without a message.
  EXPECT_FALSE((*connection)->usable());
  auto received = server.messages();
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[2].recipients, std::vector<std::string>{"m2@example.org"});
}

TEST(SmtpStream, StoppingBeforeA354SendsRsetAndKeepsTheConnection) {
  TestSmtpServerOptions options;
  options.refused_recipients = {"gone@example.org"};
  TestSmtpServer server(options);
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  std::vector<OutgoingMessage> messages = numbered_messages(4);
  messages[2] = message({"gone@example.org"});
  StreamRun run = stream(**connection, messages, 2);
  ASSERT_TRUE(run.returned) << run.returned.error().describe();
  ASSERT_EQ(run.results.size(), 4u);  // the fourth was fetched ahead
  EXPECT_EQ(run.reported, run.fetched);
  for (std::size_t i : {2u, 3u}) {
    ASSERT_FALSE(run.results[i]);
    EXPECT_EQ(run.results[i].error().code(), Errc::temporary);
  }
  EXPECT_TRUE((*connection)->usable());
  EXPECT_EQ(server.commands().back(), "RSET");
  auto next = (*connection)->send(message({"later@example.org"}));
  ASSERT_TRUE(next) << next.error().describe();
  EXPECT_TRUE(next->accepted());
  EXPECT_EQ(verbs(server.commands()).back(), "DATA");  // no second RSET
  EXPECT_EQ(server.messages().size(), 3u);
}

void expect_hang_up_after_five(bool say_421) {
  ScriptedRelayOptions options;
  options.hang_up_after = 5;
  options.say_421 = say_421;
  ScriptedRelay relay_server(options);
  auto connection = SmtpConnection::open(relay(relay_server.port()));
  ASSERT_TRUE(connection);
  StreamRun run = stream(**connection, numbered_messages(9));
  ASSERT_FALSE(run.returned);
  EXPECT_EQ(run.returned.error().code(), Errc::temporary);
  if (say_421) {
    EXPECT_TRUE(contains(run.returned.error().message(), "421 4.3.2 scripted"))
        << run.returned.error().message();
  }
  // The sixth went out with the fifth's data, the seventh was fetched ahead; nothing after.
  ASSERT_EQ(run.fetched.size(), 7u);
  EXPECT_EQ(run.reported, run.fetched);
  for (std::size_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(run.results[i]) << run.results[i].error().describe();
    EXPECT_TRUE(run.results[i]->accepted());
  }
  for (std::size_t i : {5u, 6u}) {
    ASSERT_FALSE(run.results[i]);
    EXPECT_EQ(run.results[i].error().code(), Errc::temporary);
  }
  EXPECT_FALSE((*connection)->usable());
  EXPECT_EQ(relay_server.messages().size(), 5u);
}

TEST(SmtpStream, A421AfterFiveMessagesFailsTheOneInFlight) {
  expect_hang_up_after_five(true);
}

TEST(SmtpStream, AClosedConnectionAfterFiveMessagesFailsTheOneInFlight) {
  expect_hang_up_after_five(false);
}

TEST(SmtpStream, WithoutPipeliningEachMessageIsSentInTurn) {
  TestSmtpServerOptions options;
  options.pipelining = false;
  options.refused_recipients = {"gone@example.org"};
  TestSmtpServer server(options);
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  EXPECT_FALSE((*connection)->offers("PIPELINING"));
  std::vector<OutgoingMessage> messages = numbered_messages(4);
  messages[1] = message({"gone@example.org"});
  StreamRun run = stream(**connection, messages);
  ASSERT_TRUE(run.returned) << run.returned.error().describe();
  ASSERT_EQ(run.results.size(), 4u);
  EXPECT_EQ(run.reported, run.fetched);
  ASSERT_TRUE(run.results[1]);
  EXPECT_FALSE(run.results[1]->accepted());
  EXPECT_EQ(run.results[1]->data_reply.code, 0);  // no DATA without a recipient
  auto received = server.messages();
  ASSERT_EQ(received.size(), 3u);
  for (const auto& one : received) {
    EXPECT_FALSE(one.pipelined);
  }
  EXPECT_EQ(received[1].recipients, std::vector<std::string>{"m2@example.org"});
}

TEST(SmtpStream, AnUnsendableMessageIsReportedInItsPlace) {
  TestSmtpServer server(TestSmtpServerOptions{});
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  std::vector<OutgoingMessage> messages = numbered_messages(3);
  messages[1].mail_from = "bad>\r\nRSET";
  StreamRun run = stream(**connection, messages);
  ASSERT_TRUE(run.returned) << run.returned.error().describe();
  ASSERT_EQ(run.results.size(), 3u);
  EXPECT_EQ(run.reported, run.fetched);
  ASSERT_FALSE(run.results[1]);
  EXPECT_EQ(run.results[1].error().code(), Errc::invalid_argument);
  EXPECT_TRUE(run.results[0] && run.results[0]->accepted());
  EXPECT_TRUE(run.results[2] && run.results[2]->accepted());
  EXPECT_EQ(server.messages().size(), 2u);
}

TEST(SmtpStream, PoolReplacesAConnectionTheRelayClosedWhileIdle) {
  TestSmtpServer server(TestSmtpServerOptions{});
  SmtpClientPool pool(relay(server.port()));
  auto first = pool.send(message({"a@example.org"}));
  ASSERT_TRUE(first) << first.error().describe();
  server.close_idle_connections();
  StreamRun run = stream(pool, numbered_messages(3));
  ASSERT_TRUE(run.returned) << run.returned.error().describe();
  ASSERT_EQ(run.results.size(), 3u);
  EXPECT_EQ(run.reported,
            (std::vector<std::string>{"m0@example.org", "m1@example.org", "m2@example.org"}));
  for (const auto& result : run.results) {
    ASSERT_TRUE(result) << result.error().describe();
    EXPECT_TRUE(result->accepted());
  }
  EXPECT_EQ(run.fetched.size(), 3u);  // the two that met the closed one were not made again
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.messages().size(), 4u);
}

TEST(SmtpStream, TheNextMessageIsMadeBeforeTheRepliesAreRead) {
  TestSmtpServer server(TestSmtpServerOptions{});
  auto connection = SmtpConnection::open(relay(server.port()));
  ASSERT_TRUE(connection);
  std::vector<OutgoingMessage> messages = numbered_messages(4);
  std::vector<std::string> events;
  std::size_t handed_out = 0;
  auto returned = (*connection)
                      ->send_stream(
                          [&]() -> std::optional<OutgoingMessage> {
                            if (handed_out == messages.size()) {
                              events.push_back("end");
                              return std::nullopt;
                            }
                            events.push_back("make " + std::to_string(handed_out));
                            return messages[handed_out++];
                          },
                          [&](const OutgoingMessage& sent, Result<TransactionResult> result) {
                            EXPECT_TRUE(result && result->accepted());
                            events.push_back("done " + sent.recipients.front().substr(1, 1));
                            return true;
                          });
  ASSERT_TRUE(returned) << returned.error().describe();
  // Message k+2 is made while the relay works on the write carrying k's data and k+1's
  // commands, before k's reply is read.
  EXPECT_EQ(events, (std::vector<std::string>{"make 0", "make 1", "make 2", "done 0", "make 3",
                                              "done 1", "end", "done 2", "done 3"}));
  EXPECT_EQ(server.messages().size(), 4u);
}

}  // namespace
}  // namespace cqlist::server
