// cli/doctor_probe.cpp: the probe's SMTP conversation and what the doctor learns from it.
#include "cli/doctor_probe.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/log.hpp"
#include "doctor/probe_checks.hpp"
#include "mail/smtp_reply.hpp"
#include "server/smtp_wire.hpp"

namespace cqlist::cli {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxReplyBytes = 64 * 1024;
constexpr std::size_t kMaxMxProbed = 5;

asio::ip::address to_asio(const IpAddress& address) {
  error_code ec;
  return asio::ip::make_address(address.to_string(), ec);
}

// One probe connection. Every step runs against a deadline on a private io_context, as the
// server's SMTP client does, so a silent server cannot hold the doctor.
class Probe {
 public:
  explicit Probe(const SmtpProbeTarget& target) : target_(target), socket_(io_) {}

  SmtpProbeResult run();

 private:
  template <class Start>
  error_code run_until(Start start) {
    error_code result = asio::error::would_block;
    start(result);
    io_.restart();
    io_.run_until(Clock::now() + target_.timeout);
    if (result == asio::error::would_block) {
      error_code ignored;
      socket_.close(ignored);
      io_.restart();
      io_.run();
      return asio::error::timed_out;
    }
    return result;
  }

  std::string describe(const error_code& ec) const {
    return ec == asio::error::timed_out
               ? "no answer within " + std::to_string(target_.timeout.count()) + " s"
               : ec.message();
  }

  bool write(std::string_view bytes);
  std::optional<mail::SmtpReply> read_reply();

  std::optional<mail::SmtpReply> command(std::string_view line) {
    if (!write(line)) {
      return std::nullopt;
    }
    return read_reply();
  }

  bool connect();
  bool hello(bool after_tls);
  bool start_tls();

  SmtpProbeTarget target_;
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  std::unique_ptr<asio::ssl::context> tls_context_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
  std::string input_;
  SmtpProbeResult result_;
};

bool Probe::write(std::string_view bytes) {
  const error_code ec = run_until([&](error_code& out) {
    auto done = [&out](const error_code& error, std::size_t) { out = error; };
    if (tls_) {
      asio::async_write(*tls_, asio::buffer(bytes), done);
    } else {
      asio::async_write(socket_, asio::buffer(bytes), done);
    }
  });
  if (ec) {
    result_.error = "writing failed: " + describe(ec);
    return false;
  }
  return true;
}

std::optional<mail::SmtpReply> Probe::read_reply() {
  std::vector<std::string> lines;
  std::array<char, 4096> buffer{};
  while (true) {
    const std::size_t newline = input_.find('\n');
    if (newline == std::string::npos) {
      if (input_.size() > kMaxReplyBytes) {
        result_.error = "the server sent an implausibly long reply";
        return std::nullopt;
      }
      std::size_t count = 0;
      const error_code ec = run_until([&](error_code& out) {
        auto done = [&out, &count](const error_code& error, std::size_t n) {
          out = error;
          count = n;
        };
        if (tls_) {
          tls_->async_read_some(asio::buffer(buffer), done);
        } else {
          socket_.async_read_some(asio::buffer(buffer), done);
        }
      });
      if (ec) {
        result_.error = "waiting for a reply failed: " + describe(ec);
        return std::nullopt;
      }
      input_.append(buffer.data(), count);
      continue;
    }
    std::string line = input_.substr(0, newline);
    input_.erase(0, newline + 1);
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    const bool last = line.size() < 4 || line[3] != '-';
    lines.push_back(std::move(line));
    if (last || lines.size() > 200) {
      break;
    }
  }
  auto reply = mail::SmtpReply::parse(lines);
  if (!reply) {
    result_.error = "the server's reply is not SMTP: " + lines.front();
    return std::nullopt;
  }
  return std::move(*reply);
}

bool Probe::connect() {
  const asio::ip::tcp::endpoint endpoint(to_asio(target_.address), target_.port);
  error_code ec;
  socket_.open(endpoint.protocol(), ec);
  if (!ec && target_.bind) {
    socket_.bind(asio::ip::tcp::endpoint(to_asio(*target_.bind), 0), ec);
    if (ec) {
      result_.error = "cannot send from " + target_.bind->to_string() +
                      " (Postfix's bind address): " + ec.message();
      return false;
    }
  }
  if (!ec) {
    ec = run_until([&](error_code& out) {
      socket_.async_connect(endpoint, [&out](const error_code& error) { out = error; });
    });
  }
  if (ec) {
    // No route, or no local address in the family: this host does not use the family at all.
    result_.no_route = ec == asio::error::network_unreachable ||
                       ec == asio::error::address_family_not_supported ||
                       ec == boost::system::errc::address_not_available;
    result_.error = describe(ec);
    return false;
  }
  auto greeting = read_reply();
  if (!greeting) {
    return false;
  }
  result_.greeting = std::to_string(greeting->code) + " " + greeting->text();
  if (greeting->code != 220) {
    result_.error = "the server refused the connection: " + result_.greeting;
    return false;
  }
  return true;
}

bool Probe::hello(bool after_tls) {
  auto reply = command("EHLO " + target_.helo + "\r\n");
  if (reply && reply->permanent()) {
    reply = command("HELO " + target_.helo + "\r\n");  // a server without ESMTP (RFC 5321 §4.1.4)
  }
  if (!reply) {
    return false;
  }
  if (!reply->success()) {
    result_.error = "EHLO refused: " + std::to_string(reply->code) + " " + reply->text();
    return false;
  }
  if (!after_tls) {
    result_.connected = true;
    result_.ehlo_first = std::to_string(reply->code) + " " +
                         (reply->lines.empty() ? std::string() : reply->lines.front());
    result_.client_address = doctor::reported_client_address(result_.ehlo_first);
    if (!result_.client_address) {
      result_.client_address = doctor::reported_client_address(result_.greeting);
    }
    result_.starttls = server::parse_ehlo_reply(*reply).contains("STARTTLS");
  }
  return true;
}

bool Probe::start_tls() {
  auto reply = command("STARTTLS\r\n");
  if (!reply) {
    return false;
  }
  if (reply->code != 220) {
    result_.error = "STARTTLS refused: " + std::to_string(reply->code) + " " + reply->text();
    return false;
  }
  if (!input_.empty()) {
    result_.error = "the server sent data before the TLS handshake";  // CVE-2011-0411
    return false;
  }
  try {
    tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    if (target_.ca_file.empty()) {
      tls_context_->set_default_verify_paths();
    } else {
      tls_context_->load_verify_file(target_.ca_file);
    }
    // The handshake completes whatever the certificate, so that the verdict can be reported
    // and the conversation ended politely; OpenSSL still verifies chain and name.
    tls_context_->set_verify_mode(asio::ssl::verify_none);
  } catch (const std::exception& e) {
    result_.error = std::string("cannot set up TLS: ") + e.what();
    return false;
  }
  tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, *tls_context_);
  SSL* ssl = tls_->native_handle();
  const bool literal = IpAddress::parse(target_.name).has_value();
  if (literal) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), target_.name.c_str());
  } else {
    SSL_set1_host(ssl, target_.name.c_str());
    // SNI; SSL_set_tlsext_host_name is a macro with a C cast.
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(target_.name.c_str()));
  }
  const error_code ec = run_until([&](error_code& out) {
    tls_->async_handshake(asio::ssl::stream_base::client,
                          [&out](const error_code& error) { out = error; });
  });
  if (ec) {
    result_.error = describe(ec);
    return false;
  }
  result_.handshake = true;
  result_.tls_version = SSL_get_version(ssl);
  const long verdict = SSL_get_verify_result(ssl);
  const bool has_certificate = SSL_get0_peer_certificate(ssl) != nullptr;
  result_.verified = verdict == X509_V_OK && has_certificate;
  if (!result_.verified) {
    result_.verify_error =
        has_certificate ? X509_verify_cert_error_string(verdict) : "the server sent no certificate";
  }
  return hello(true);
}

SmtpProbeResult Probe::run() {
  if (connect() && hello(false) && (!result_.starttls || start_tls())) {
    if (auto bye = command("QUIT\r\n"); !bye) {
      result_.error.clear();  // a server that hangs up on QUIT has still answered everything
    }
  }
  error_code ignored;
  socket_.close(ignored);
  log::debug("doctor.probe", {{"host", target_.name},
                              {"address", target_.address.to_string()},
                              {"port", std::to_string(target_.port)},
                              {"connected", result_.connected ? "yes" : "no"},
                              {"tls", result_.handshake ? result_.tls_version : "no"},
                              {"error", result_.error}});
  return result_;
}

// HOST, HOST:PORT, [IPv6] or [IPv6]:PORT; a bare IPv6 literal has no port.
std::pair<std::string, std::uint16_t> split_host_port(const std::string& text) {
  std::string host = text;
  std::string port;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    host = text.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    if (close != std::string::npos && close + 1 < text.size() && text[close + 1] == ':') {
      port = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  unsigned long number = 25;
  if (!port.empty()) {
    try {
      number = std::stoul(port);
    } catch (const std::exception&) {
      number = 0;
    }
  }
  return {host, static_cast<std::uint16_t>(number <= 65535 ? number : 0)};
}

// The host's first address in the family: an address literal itself, else its A or AAAA.
std::optional<IpAddress> address_in(dns::Resolver& resolver, const std::string& host, bool ipv6) {
  if (auto literal = IpAddress::parse(host)) {
    return literal->is_v4() != ipv6 ? literal : std::nullopt;
  }
  dns::Answer answer = resolver.query(host, ipv6 ? dns::RecordType::aaaa : dns::RecordType::a);
  for (const IpAddress& address : answer.all<IpAddress>()) {
    if (address.is_v4() != ipv6) {
      return address;
    }
  }
  return std::nullopt;
}

std::optional<IpAddress> bind_address(const doctor::DoctorInput& input, bool ipv6) {
  if (!input.postfix) {
    return std::nullopt;
  }
  auto address =
      IpAddress::parse(ipv6 ? input.postfix->smtp_bind_address6 : input.postfix->smtp_bind_address);
  return address && address->is_v4() != ipv6 ? address : std::nullopt;
}

std::vector<std::string> mx_hosts(dns::Resolver& resolver, const std::string& domain) {
  dns::Answer answer = resolver.query(domain, dns::RecordType::mx);
  auto records = answer.all<dns::MxRecord>();
  std::stable_sort(records.begin(), records.end(),
                   [](const auto& a, const auto& b) { return a.preference < b.preference; });
  std::vector<std::string> hosts;
  for (const dns::MxRecord& record : records) {
    const std::string host = dns::normalize_name(record.exchange);
    if (!host.empty() && host != "." &&
        std::find(hosts.begin(), hosts.end(), host) == hosts.end()) {
      hosts.push_back(host);
    }
  }
  if (hosts.size() > kMaxMxProbed) {
    hosts.resize(kMaxMxProbed);
  }
  return hosts;
}

}  // namespace

void add_doctor_probe_options(CLI::App& cmd, DoctorProbeArgs& args) {
  cmd.add_flag("--probe", args.probe,
               "Also talk SMTP (EHLO, STARTTLS, QUIT; never a message): to a large provider's "
               "MX once per address family, to see the address receivers see, and to each MX "
               "of the domain, to check its STARTTLS and certificate (TLS-03)");
  cmd.add_option("--probe-host", args.probe_host,
                 "HOST[:PORT] the egress probe talks to (default "
                 "gmail-smtp-in.l.google.com:25)")
      ->check(
          [](const std::string& text) {
            const auto [host, port] = split_host_port(text);
            return host.empty() || port == 0 ? "write HOST, HOST:PORT or [IPv6]:PORT"
                                             : std::string();
          },
          "");
  cmd.add_option("--probe-mx-port", args.mx_port,
                 "Port of the domain's MX hosts for the TLS-03 probe (default 25)");
  cmd.add_option("--ca-file", args.ca_file,
                 "Verify MX certificates against the CAs in this PEM file instead of the "
                 "system's");
}

SmtpProbeResult probe_smtp(const SmtpProbeTarget& target) {
  return Probe(target).run();
}

void add_probe_facts(const DoctorProbeArgs& args, dns::Resolver& resolver,
                     doctor::DoctorInput& input) {
  if (!args.probe) {
    return;
  }
  const std::string helo =
      !input.helo_name.empty() ? input.helo_name : doctor::proposed_host_name(input);
  const auto [host, port] = split_host_port(args.probe_host);
  for (const bool ipv6 : {false, true}) {
    const std::optional<IpAddress> address = address_in(resolver, host, ipv6);
    if (!address) {
      continue;  // the provider has no address in this family (or a literal of the other)
    }
    SmtpProbeTarget target{host, *address, port, helo, bind_address(input, ipv6), args.ca_file};
    const SmtpProbeResult result = probe_smtp(target);
    doctor::EgressProbe probe;
    probe.ipv6 = ipv6;
    probe.target = fmt::format("{}:{}", host, port);
    if (host != address->to_string()) {
      probe.target += " (" + address->to_string() + ")";
    }
    probe.connected = result.connected;
    probe.no_route = !result.connected && result.no_route;
    probe.error = result.error;
    probe.seen = result.client_address;
    probe.reply = result.ehlo_first;
    input.egress_probes.push_back(std::move(probe));
  }
  input.mx_tls.emplace();
  for (const std::string& mx : mx_hosts(resolver, input.domain)) {
    doctor::MxTlsProbe probe;
    probe.mx = mx;
    std::optional<IpAddress> address = address_in(resolver, mx, false);
    if (!address) {
      address = address_in(resolver, mx, true);
    }
    if (!address) {
      probe.error = "the MX name has no A or AAAA record";
      input.mx_tls->push_back(std::move(probe));
      continue;
    }
    probe.address = address->to_string();
    SmtpProbeTarget target{mx, *address, args.mx_port, helo, std::nullopt, args.ca_file};
    const SmtpProbeResult result = probe_smtp(target);
    probe.connected = result.connected;
    probe.error = result.error;
    probe.starttls = result.starttls;
    probe.handshake = result.handshake;
    probe.verified = result.verified;
    probe.verify_error = result.verify_error;
    probe.tls_version = result.tls_version;
    input.mx_tls->push_back(std::move(probe));
  }
}

}  // namespace cqlist::cli
