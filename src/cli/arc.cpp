// cli/arc.cpp: `cqlist arc seal`: add an ARC set to a message as the list server would.
//
// The ARC-Authentication-Results carry this hop's results: --results when given, else the
// message's Authentication-Results fields written under --authserv-id (the local MTA's), else
// the results of running the receiver's checks here (auth::authres::check_message(), as
// `cqlist check` does). The incoming chain is validated first, which decides cv=. For operators
// testing their ARC key and for interoperability tests.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "auth/arc/seal.hpp"
#include "auth/authres/authres.hpp"
#include "auth/authres/receiver.hpp"
#include "auth/crypto/key.hpp"
#include "base/file.hpp"
#include "cli/commands.hpp"
#include "cli/resolver_option.hpp"
#include "mail/message.hpp"

namespace cqlist::cli {
namespace {

namespace arc = auth::arc;
namespace authres = auth::authres;

struct SealArgs {
  std::string input = "-";
  std::string domain;
  std::string selector;
  std::string key_file;
  std::string authserv_id;
  std::optional<std::string> results;
  std::string ip;
  std::string helo;
  std::optional<std::string> mail_from;
  std::int64_t time = 0;
  ResolverArgs resolver;
};

Result<arc::Sealer> make_sealer(const SealArgs& args) {
  CQLIST_TRY(std::string text, read_file(args.key_file));
  auto key = auth::crypto::PrivateKey::from_text(text);
  if (!key) {
    return fail(std::move(key.error()).with_context("reading " + args.key_file));
  }
  arc::SealerConfig config;
  config.authserv_id = args.authserv_id;
  config.domain = args.domain;
  config.selector = args.selector;
  config.key = std::move(*key);
  return arc::Sealer::create(std::move(config));
}

int run_seal(const SealArgs& args) {
  authres::Envelope envelope;
  if (!args.ip.empty()) {
    envelope.client_ip = IpAddress::parse(args.ip);
    if (!envelope.client_ip) {
      fmt::print(stderr, "cqlist arc seal: --ip {} is not an IPv4 or IPv6 address\n", args.ip);
      return kExitUsage;
    }
  }
  envelope.helo = args.helo;
  envelope.mail_from = args.mail_from;
  auto sealer = make_sealer(args);
  if (!sealer) {
    fmt::print(stderr, "cqlist arc seal: {}\n", sealer.error().describe());
    const Errc code = sealer.error().code();
    return code == Errc::not_found || code == Errc::io ? kExitNoInput : kExitUsage;
  }
  auto bytes = read_file(args.input == "-" ? "/dev/stdin" : args.input);
  if (!bytes) {
    fmt::print(stderr, "cqlist arc seal: {}\n", bytes.error().describe());
    return kExitNoInput;
  }
  auto resolver = make_resolver(args.resolver);
  if (!resolver) {
    fmt::print(stderr, "cqlist arc seal: cannot set up DNS: {}\n", resolver.error().describe());
    return kExitConfig;
  }
  mail::Message message = mail::Message::parse(std::move(*bytes));
  const auto now = args.time > 0
                       ? std::chrono::system_clock::time_point(std::chrono::seconds(args.time))
                       : std::chrono::system_clock::now();

  std::string results =
      args.results.value_or(arc::merge_authentication_results(message, args.authserv_id));
  std::optional<arc::ArcOutcome> incoming;
  if (!args.results && results.empty()) {
    authres::ReceiverOptions options;
    options.receiver = args.authserv_id;
    options.now = now;
    authres::ReceiverChecks checks = authres::check_message(message, **resolver, envelope, options);
    results = authres::format_results(authres::result_entries(checks));
    incoming = std::move(checks.arc);
  }
  auto sealed = incoming ? sealer->seal(message, results, std::move(*incoming), now)
                         : sealer->seal(message, results, **resolver, now);
  if (!sealed) {
    fmt::print(stderr, "cqlist arc seal: {}\n", sealed.error().describe());
    return kExitDataError;
  }
  int code = kExitOk;
  if (sealed->set) {
    sealed->set->add_to(message);
  } else {
    // The message still goes to standard output, unchanged, so a pipeline loses nothing.
    fmt::print(stderr, "cqlist arc seal: no ARC set added: {}\n", sealed->skipped_reason);
    code = kExitDataError;
  }
  const std::string out = message.serialize();
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    fmt::print(stderr, "cqlist arc seal: could not write the sealed message\n");
    return kExitIoError;
  }
  return code;
}

}  // namespace

void register_arc(CLI::App& app) {
  auto* arc_cmd = app.add_subcommand("arc", "ARC: seal a message as the list server would");
  arc_cmd->require_subcommand(1);

  auto* seal = arc_cmd->add_subcommand(
      "seal", "Validate a message's ARC chain, add this hop's ARC set and print the message");
  seal->footer(
      "This hop's results (ARC-Authentication-Results): --results if given, else the "
      "message's Authentication-Results fields of --authserv-id, else the checks of `cqlist "
      "check` run here (SPF needs --ip). Exit status 65 when the chain may not be extended (the "
      "message is printed unchanged).");
  auto args = std::make_shared<SealArgs>();
  seal->add_option("file", args->input, "Message file (RFC 5322), or - for standard input")
      ->capture_default_str();
  seal->add_option("--domain", args->domain, "Sealing domain (d=), e.g. lists.example.org")
      ->required();
  seal->add_option("--selector", args->selector, "Selector (s=) of the RSA key")->required();
  seal->add_option("--key", args->key_file, "RSA private key file (PEM), at least 1024 bits")
      ->required();
  seal->add_option("--authserv-id", args->authserv_id,
                   "This host's authserv-id, e.g. lists.example.org")
      ->required();
  seal->add_option("--results", args->results,
                   "This hop's results without the authserv-id, e.g. \"spf=pass "
                   "smtp.mailfrom=example.org; dkim=pass header.d=example.org\"");
  seal->add_option("--ip", args->ip, "Address of the server the message came from (for SPF)");
  seal->add_option("--helo", args->helo, "The name that server gave in HELO/EHLO");
  seal->add_option("--mail-from", args->mail_from,
                   "Envelope sender (MAIL FROM); default: the Return-Path field");
  seal->add_option("--time", args->time, "Sealing time as a UNIX time (t=; default now)");
  add_resolver_options(*seal, args->resolver);
  seal->callback([args] { exit_code() = run_seal(*args); });
}

}  // namespace cqlist::cli
