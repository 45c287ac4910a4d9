// cli/check.cpp: `cqlist check FILE`: what a receiver's authentication checks say of a message.
//
// Runs SPF (given the sending server's address), every DKIM signature, the ARC chain and DMARC
// through auth::authres::check_message(), the same code the list server uses, then prints a
// verdict, each result explained for an operator (check_explain.hpp) and the
// Authentication-Results field a receiver would add. --json prints the same as one object.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "auth/authres/authres.hpp"
#include "auth/authres/receiver.hpp"
#include "base/file.hpp"
#include "cli/check_explain.hpp"
#include "cli/commands.hpp"
#include "cli/json_text.hpp"
#include "cli/resolver_option.hpp"
#include "cli/runtime.hpp"
#include "mail/message.hpp"

namespace cqlist::cli {
namespace {

namespace authres = auth::authres;

// Exit status when the checks ran and the message is not authenticated: like grep's 1, the
// answer "no" rather than an error.
constexpr int kExitNotAuthenticated = 1;

constexpr std::string_view kExitCodes =
    "Exit status: 0 when the message is authenticated (DMARC passes; or the From domain "
    "publishes no DMARC policy and SPF or a DKIM signature passes), 1 when it is not, 75 when "
    "a DNS lookup failed temporarily and the result is unknown, 64/66/78 for bad options, an "
    "unreadable file or an unusable resolver.";

struct CheckArgs {
  std::string path;
  std::string ip;
  std::string helo;
  std::optional<std::string> mail_from;
  std::string authserv_id;
  bool json = false;
  bool trace = false;
  std::int64_t at = 0;
  ResolverArgs resolver;
};

int exit_code_for(Verdict verdict) {
  switch (verdict) {
    case Verdict::authenticated:
      return kExitOk;
    case Verdict::temporary:
      return kExitTempFail;
    case Verdict::not_authenticated:
      break;
  }
  return kExitNotAuthenticated;
}

// The field for a terminal or a file: LF line ends (format() writes CRLF for messages).
std::string field_text(const authres::AuthenticationResults& results) {
  std::string out = "Authentication-Results:";
  for (char c : authres::format(results)) {
    if (c != '\r') {
      out += c;
    }
  }
  return out;
}

void print_text(const Summary& summary, const std::vector<Explained>& items,
                const std::string& field) {
  fmt::print("Verdict: {}\n  {}\n", verdict_name(summary.verdict), summary.text);
  for (const Explained& item : items) {
    fmt::print("\n{}: {}\n", item.title, item.result);
    if (!item.why.empty()) {
      fmt::print("  why:     {}\n", item.why);
    }
    fmt::print("  meaning: {}\n", item.meaning);
    for (const std::string& line : item.details) {
      fmt::print("  {}\n", line);
    }
  }
  fmt::print("\nThe Authentication-Results field a receiver would add:\n{}\n", field);
}

std::string json_item(const Explained& item) {
  std::string out = "{\"method\":" + json_string(item.method) +
                    ",\"result\":" + json_string(item.result) +
                    ",\"reason\":" + json_string(item.entry.reason);
  // Properties flat ("header.d": "example.org"), as they read in the field.
  for (const authres::Property& property : item.entry.properties) {
    out +=
        "," + json_string(property.ptype + "." + property.name) + ":" + json_string(property.value);
  }
  out += ",\"title\":" + json_string(item.title) + ",\"why\":" + json_string(item.why) +
         ",\"meaning\":" + json_string(item.meaning) + ",\"details\":[";
  for (std::size_t i = 0; i < item.details.size(); ++i) {
    out += (i == 0 ? "" : ",") + json_string(item.details[i]);
  }
  return out + "]}";
}

void print_json(const Summary& summary, const std::vector<Explained>& items,
                const std::string& field, int exit_code) {
  std::string out = "{\"verdict\":" + json_string(verdict_name(summary.verdict)) +
                    ",\"exit_code\":" + std::to_string(exit_code) +
                    ",\"summary\":" + json_string(summary.text) +
                    ",\"authentication_results\":" + json_string(field) + ",\"results\":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i == 0 ? "" : ",") + json_item(items[i]);
  }
  fmt::print("{}]}}\n", out);
}

int run_check(const CheckArgs& args) {
  authres::Envelope envelope;
  if (!args.ip.empty()) {
    envelope.client_ip = IpAddress::parse(args.ip);
    if (!envelope.client_ip) {
      fmt::print(stderr, "cqlist check: --ip {} is not an IPv4 or IPv6 address\n", args.ip);
      return kExitUsage;
    }
  }
  envelope.helo = args.helo;
  envelope.mail_from = args.mail_from;
  auto bytes = read_file(args.path == "-" ? "/dev/stdin" : args.path);
  if (!bytes) {
    fmt::print(stderr, "cqlist check: {}\n", bytes.error().describe());
    return kExitNoInput;
  }
  auto resolver = make_resolver(args.resolver);
  if (!resolver) {
    fmt::print(stderr, "cqlist check: cannot set up DNS: {}\n", resolver.error().describe());
    return kExitConfig;
  }
  const mail::Message message = mail::Message::parse(std::move(*bytes));
  authres::ReceiverOptions options;
  options.receiver = args.authserv_id.empty() ? system_hostname() : args.authserv_id;
  if (args.at > 0) {
    options.now = std::chrono::system_clock::time_point(std::chrono::seconds(args.at));
  }

  const authres::ReceiverChecks checks =
      authres::check_message(message, **resolver, envelope, options);
  const Summary summary = summarize(checks);
  const std::vector<Explained> items = explain(checks, args.trace);
  const std::string field = field_text(authres::authentication_results(checks, options.receiver));
  const int exit_code = exit_code_for(summary.verdict);
  if (args.json) {
    print_json(summary, items, field, exit_code);
  } else {
    print_text(summary, items, field);
  }
  return exit_code;
}

}  // namespace

void register_check(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "check",
      "Check a message as a receiving server would (SPF, DKIM, ARC, DMARC) and explain each "
      "result");
  cmd->footer(std::string(kExitCodes));
  auto args = std::make_shared<CheckArgs>();
  cmd->add_option("file", args->path, "Message file (RFC 5322), or - for standard input")
      ->required();
  cmd->add_option("--ip", args->ip,
                  "Address of the server that sent the message (SPF is checked only with it)");
  cmd->add_option("--helo", args->helo, "The name that server gave in HELO/EHLO");
  cmd->add_option("--mail-from", args->mail_from,
                  "Envelope sender (MAIL FROM; \"\" for <>); default: the Return-Path field");
  cmd->add_option("--authserv-id", args->authserv_id,
                  "Name in the Authentication-Results field (default: this host's name)");
  cmd->add_flag("--json", args->json, "Print one JSON object: verdict, results, the field");
  cmd->add_flag("--trace", args->trace,
                "Show every SPF step and DNS query, and each name DMARC looked up");
  cmd->add_option("--at", args->at, "Check as of this UNIX time (for expiry, x=)");
  add_resolver_options(*cmd, args->resolver);
  cmd->callback([args] { exit_code() = run_check(*args); });
}

}  // namespace cqlist::cli
