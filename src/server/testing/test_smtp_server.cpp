// server/testing/test_smtp_server.cpp: coroutine sessions on a private thread, STARTTLS included.
#include "server/testing/test_smtp_server.hpp"

#include <array>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "server/lmtp_protocol.hpp"

namespace cqlist::server::testing {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

// A fresh P-256 key and a self-signed certificate for "localhost", valid for a day.
void use_self_signed_certificate(asio::ssl::context& context) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* certificate = X509_new();
  if (key == nullptr || certificate == nullptr) {
    throw std::runtime_error("cannot generate a test key");
  }
  X509_set_version(certificate, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 86400);
  X509_set_pubkey(certificate, key);
  X509_NAME* name = X509_get_subject_name(certificate);
  const char* common_name = "localhost";
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(certificate, name);
  bool ok = X509_sign(certificate, key, EVP_sha256()) > 0 &&
            SSL_CTX_use_certificate(context.native_handle(), certificate) == 1 &&
            SSL_CTX_use_PrivateKey(context.native_handle(), key) == 1;
  X509_free(certificate);
  EVP_PKEY_free(key);
  if (!ok) {
    throw std::runtime_error("cannot make a self-signed test certificate");
  }
}

struct Session {
  Session(asio::ip::tcp::socket s, int number) : socket(std::move(s)), id(number) {}

  asio::ip::tcp::socket socket;
  int id;
  bool idle = false;    // waiting for a command
  bool expire = false;  // close_idle_connections() came while it was busy: close when idle
  bool encrypted = false;
  std::string input;
  std::optional<ReceivedMessage> transaction;
};

enum class Outcome { closed, start_tls };

}  // namespace

struct TestSmtpServer::Impl {
  explicit Impl(TestSmtpServerOptions server_options)
      : options(std::move(server_options)),
        tls(asio::ssl::context::tls_server),
        acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    if (options.starttls) {
      use_self_signed_certificate(tls);
    }
  }

  awaitable<void> accept_loop() {
    while (true) {
      auto [ec, socket] = co_await acceptor.async_accept(kAsTuple);
      if (ec) {
        co_return;
      }
      int id = 0;
      {
        std::lock_guard lock(mutex);
        id = ++connection_count;
      }
      auto session = std::make_shared<Session>(std::move(socket), id);
      sessions[id] = session;
      asio::co_spawn(io, serve(session), asio::detached);
    }
  }

  awaitable<void> serve(std::shared_ptr<Session> session) {
    Outcome outcome = co_await converse(session->socket, *session);
    if (outcome == Outcome::start_tls) {
      asio::ssl::stream<asio::ip::tcp::socket&> stream(session->socket, tls);
      auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAsTuple);
      if (!ec) {
        session->encrypted = true;
        co_await converse(stream, *session);
      }
    }
    sessions.erase(session->id);
  }

  template <class Stream>
  awaitable<std::optional<std::string>> read_line(Stream& stream, Session& session) {
    if (session.expire) {
      std::string goodbye = "421 4.4.2 test-smtp Error: timeout exceeded\r\n";
      co_await asio::async_write(stream, asio::buffer(goodbye), kAsTuple);
      co_return std::nullopt;
    }
    while (true) {
      std::size_t end = session.input.find("\r\n");
      if (end != std::string::npos) {
        std::string line = session.input.substr(0, end);
        session.input.erase(0, end + 2);
        co_return line;
      }
      std::array<char, 8192> chunk{};
      session.idle = true;
      auto [ec, count] = co_await stream.async_read_some(asio::buffer(chunk), kAsTuple);
      session.idle = false;
      if (ec) {
        co_return std::nullopt;
      }
      session.input.append(chunk.data(), count);
    }
  }

  template <class Stream>
  awaitable<std::optional<std::string>> read_data(Stream& stream, Session& session) {
    DataDecoder decoder(100 * 1024 * 1024);
    while (true) {
      session.input.erase(0, decoder.feed(session.input));
      if (decoder.done()) {
        co_return decoder.take_message();
      }
      std::array<char, 8192> chunk{};
      auto [ec, count] = co_await stream.async_read_some(asio::buffer(chunk), kAsTuple);
      if (ec) {
        co_return std::nullopt;
      }
      session.input.append(chunk.data(), count);
    }
  }

  std::string ehlo_reply(const Session& session) const {
    std::string reply = "250-test-smtp\r\n";
    if (options.pipelining) {
      reply += "250-PIPELINING\r\n";
    }
    if (options.starttls && !session.encrypted) {
      reply += "250-STARTTLS\r\n";
    }
    if (options.xverp) {
      reply += "250-XVERP\r\n";
    }
    return reply + "250-SIZE 100000000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n";
  }

  std::string handle(Session& session, const std::string& line) {
    CommandLine command = split_command(line);
    const std::string& verb = command.verb;
    if (verb == "EHLO") {
      session.transaction.reset();
      return ehlo_reply(session);
    }
    if (verb == "HELO" || verb == "NOOP") {
      return "250 2.0.0 Ok\r\n";
    }
    if (verb == "RSET") {
      session.transaction.reset();
      return "250 2.0.0 Ok\r\n";
    }
    if (verb == "MAIL") {
      if (session.transaction) {
        return "503 5.5.1 Error: nested MAIL command\r\n";
      }
      ReceivedMessage message;
      message.connection = session.id;
      message.encrypted = session.encrypted;
      message.mail_from_argument =
          command.argument.substr(std::min<std::size_t>(5, command.argument.size()));
      message.pipelined = session.input.find("DATA\r\n") != std::string::npos;
      session.transaction = std::move(message);
      return "250 2.1.0 Ok\r\n";
    }
    if (verb == "RCPT") {
      if (!session.transaction) {
        return "503 5.5.1 Error: need MAIL command\r\n";
      }
      std::optional<PathArgument> path = parse_path_argument(command.argument, "TO");
      if (!path) {
        return "501 5.5.4 Syntax: RCPT TO:<address>\r\n";
      }
      if (options.refused_recipients.contains(path->address)) {
        return "550 5.1.1 <" + path->address + ">: Recipient address rejected\r\n";
      }
      if (options.deferred_recipients.contains(path->address)) {
        return "451 4.3.0 <" + path->address + ">: Temporary lookup failure\r\n";
      }
      session.transaction->recipients.push_back(path->address);
      return "250 2.1.5 Ok\r\n";
    }
    return "502 5.5.2 Error: command not recognized\r\n";
  }

  template <class Stream>
  awaitable<Outcome> converse(Stream& stream, Session& session) {
    // A reference, not a by-value string: see worker_call.hpp on g++ and co_await arguments.
    auto send = [&stream](const std::string& text) -> awaitable<bool> {
      auto [ec, written] = co_await asio::async_write(stream, asio::buffer(text), kAsTuple);
      (void)written;
      co_return !ec;
    };
    const std::string greeting = "220 test-smtp ESMTP\r\n";
    if (!session.encrypted && !co_await send(greeting)) {
      co_return Outcome::closed;
    }
    while (true) {
      std::optional<std::string> line = co_await read_line(stream, session);
      if (!line) {
        co_return Outcome::closed;
      }
      {
        std::lock_guard lock(mutex);
        command_log.push_back(*line);
      }
      CommandLine command = split_command(*line);
      if (command.verb == "QUIT") {
        const std::string bye = "221 2.0.0 Bye\r\n";
        co_await send(bye);
        co_return Outcome::closed;
      }
      if (command.verb == "STARTTLS" && options.starttls && !session.encrypted) {
        session.input.clear();  // nothing sent before the handshake may count (RFC 3207 §5)
        session.transaction.reset();
        const std::string ready = "220 2.0.0 Ready to start TLS\r\n";
        co_return co_await send(ready) ? Outcome::start_tls : Outcome::closed;
      }
      if (command.verb != "DATA") {
        const std::string reply = handle(session, *line);
        if (!co_await send(reply)) {
          co_return Outcome::closed;
        }
        continue;
      }
      const std::string refusal = !session.transaction ? "503 5.5.1 Error: need MAIL command\r\n"
                                  : session.transaction->recipients.empty()
                                      ? "554 5.5.1 Error: no valid recipients\r\n"
                                      : "";
      if (!refusal.empty()) {
        co_await send(refusal);
        continue;
      }
      const std::string go_ahead = "354 End data with <CR><LF>.<CR><LF>\r\n";
      co_await send(go_ahead);
      std::optional<std::string> data = co_await read_data(stream, session);
      if (!data) {
        co_return Outcome::closed;
      }
      session.transaction->data = std::move(*data);
      {
        std::lock_guard lock(mutex);
        received.push_back(std::move(*session.transaction));
      }
      session.transaction.reset();
      if (options.final_reply_delay.count() > 0) {
        asio::steady_timer content_checks(co_await asio::this_coro::executor);
        content_checks.expires_after(options.final_reply_delay);
        co_await content_checks.async_wait(kAsTuple);
      }
      const std::string queued = "250 2.0.0 Ok: queued\r\n";
      co_await send(queued);
    }
  }

  TestSmtpServerOptions options;
  asio::ssl::context tls;
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor;
  std::map<int, std::shared_ptr<Session>> sessions;  // touched on the server thread only
  std::thread thread;

  mutable std::mutex mutex;  // guards the members below
  int connection_count = 0;
  std::vector<ReceivedMessage> received;
  std::vector<std::string> command_log;
};

TestSmtpServer::TestSmtpServer(TestSmtpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

TestSmtpServer::~TestSmtpServer() {
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t TestSmtpServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

int TestSmtpServer::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connection_count;
}

std::vector<ReceivedMessage> TestSmtpServer::messages() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

std::vector<std::string> TestSmtpServer::commands() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->command_log;
}

void TestSmtpServer::close_idle_connections() {
  std::promise<void> done;
  asio::post(impl_->io, [this, &done] {
    for (auto& [id, session] : impl_->sessions) {
      if (!session->idle) {
        // Still finishing its last reply: it closes as soon as it waits for a command.
        session->expire = !session->transaction.has_value();
        continue;
      }
      boost::system::error_code ignored;
      if (!session->encrypted) {
        std::string_view goodbye = "421 4.4.2 test-smtp Error: timeout exceeded\r\n";
        asio::write(session->socket, asio::buffer(goodbye), ignored);
      }
      session->socket.close(ignored);
    }
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace cqlist::server::testing
