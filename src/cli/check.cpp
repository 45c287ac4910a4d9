// cli/check.cpp: `cqlist check FILE`: what a receiver's authentication checks say of a message.
//
// Prints an RFC 8601 Authentication-Results field and, per result, an explanation for a list
// operator (what happened, what to do). Every check method is one function returning
// CheckResults; the printers know nothing of DKIM, so SPF, DMARC and ARC join by adding a
// function and a call in run_check(). --json prints one JSON object a line, one per result.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "auth/dkim/verify.hpp"
#include "base/file.hpp"
#include "cli/commands.hpp"
#include "cli/json_text.hpp"
#include "cli/resolver_option.hpp"
#include "dns/resolver.hpp"
#include "mail/message.hpp"

namespace cqlist::cli {
namespace {

namespace dkim = auth::dkim;

// One method result (one DKIM signature, later one SPF check, one ARC set...).
struct CheckResult {
  std::string method;   // RFC 8601 method name: "dkim"
  std::string result;   // RFC 8601 result word: "pass", "fail", ...
  std::string reason;   // empty when there is nothing to say
  std::string comment;  // short, e.g. "2048-bit key"
  std::vector<std::pair<std::string, std::string>> properties;  // ("header.d", "example.org")
  std::string title;        // "DKIM signature 1 (d=example.org, s=sel, rsa-sha256)"
  std::string explanation;  // for the operator: what it means, what to do
};

std::string explain_dkim(const dkim::DkimOutcome& outcome) {
  const std::string domain = outcome.signature ? outcome.signature->domain : "the signer";
  const std::string record =
      outcome.signature ? outcome.signature->selector + "._domainkey." + outcome.signature->domain
                        : "the key record";
  switch (outcome.result) {
    case dkim::DkimResult::pass:
      return fmt::format("{} vouches for this message: it has not changed since it was signed.{}",
                         domain,
                         outcome.testing ? " (The key record says t=y: the domain is testing "
                                           "DKIM, so receivers may ignore the result.)"
                                         : "");
    case dkim::DkimResult::fail:
      return fmt::format(
          "The signature does not match the message ({}). Either the message was changed after "
          "signing (a list's subject tag or footer does this to the author's signature, which is "
          "why the list signs again with its own domain), or it was signed with another key "
          "than the one published at {}.",
          outcome.reason, record);
    case dkim::DkimResult::temperror:
      return fmt::format(
          "The key could not be fetched right now ({}). Run the check again; if this persists, "
          "check the resolver (--resolver) and the DNS servers of {}.",
          outcome.reason, domain);
    case dkim::DkimResult::permerror:
      return fmt::format(
          "The signature cannot be checked ({}). If {} is your domain, compare the TXT record "
          "at {} with what `cqlist dkim keygen` printed.",
          outcome.reason, domain, record);
    case dkim::DkimResult::policy:
      return fmt::format("The signature is not acceptable by policy ({}).", outcome.reason);
    case dkim::DkimResult::neutral:
      return fmt::format("The signature proves nothing ({}).", outcome.reason);
    case dkim::DkimResult::none:
      break;
  }
  return "The message has no DKIM signature: receivers such as Gmail then rely on SPF alone.";
}

// DKIM (RFC 6376): one result per DKIM-Signature field, or one "none".
std::vector<CheckResult> check_dkim(const mail::Message& message, dns::Resolver& resolver,
                                    std::chrono::system_clock::time_point now) {
  std::vector<CheckResult> results;
  const auto outcomes = dkim::verify_all(message, resolver, now);
  std::size_t number = 0;
  for (const dkim::DkimOutcome& outcome : outcomes) {
    ++number;
    CheckResult result;
    result.method = "dkim";
    result.result = std::string(dkim::result_name(outcome.result));
    result.reason = outcome.reason;
    if (outcome.key_bits != 0) {
      result.comment = fmt::format("{}-bit key", outcome.key_bits);
    }
    if (outcome.testing) {
      result.comment += result.comment.empty() ? "testing" : "; testing";
    }
    if (const auto& signature = outcome.signature) {
      // RFC 8601 §2.7.1 and RFC 6008: header.d, header.i, header.s, header.a, header.b.
      result.properties = {{"header.d", signature->domain},
                           {"header.i", signature->identity},
                           {"header.s", signature->selector},
                           {"header.a", std::string(dkim::algorithm_name(signature->algorithm))},
                           {"header.b", signature->signature_base64.substr(0, 8)}};
      result.title = fmt::format("DKIM signature {} (d={}, s={}, {})", number, signature->domain,
                                 signature->selector, dkim::algorithm_name(signature->algorithm));
    } else {
      result.title = fmt::format("DKIM signature {} (unreadable)", number);
    }
    result.explanation = explain_dkim(outcome);
    results.push_back(std::move(result));
  }
  if (results.empty()) {
    CheckResult none;
    none.method = "dkim";
    none.result = "none";
    none.title = "DKIM";
    none.explanation = explain_dkim(dkim::DkimOutcome{});
    results.push_back(std::move(none));
  }
  return results;
}

// RFC 8601 §2.2 value: a token as it is, anything else as a quoted-string.
std::string ar_value(std::string_view text) {
  bool token = !text.empty();
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    token = token && byte > ' ' && byte < 0x7f &&
            std::string_view("()<>,;:\\\"[]?=").find(c) == std::string_view::npos;
  }
  // '@' and '/' (i= identities, base64) are allowed in a pvalue; keep them readable.
  if (token) {
    return std::string(text);
  }
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

void print_authentication_results(const std::string& authserv_id,
                                  const std::vector<CheckResult>& results) {
  std::string field = "Authentication-Results: " + authserv_id;
  for (const CheckResult& result : results) {
    field += ";\n\t" + result.method + "=" + result.result;
    if (!result.comment.empty()) {
      field += " (" + result.comment + ")";
    }
    if (!result.reason.empty()) {
      field += " reason=" + ar_value(result.reason);
    }
    for (const auto& [name, value] : result.properties) {
      field += " " + name + "=" + ar_value(value);
    }
  }
  fmt::print("{}\n", field);
}

void print_explanations(const std::vector<CheckResult>& results) {
  for (const CheckResult& result : results) {
    fmt::print("\n{}: {}\n  {}\n", result.title, result.result, result.explanation);
  }
}

void print_json(const std::vector<CheckResult>& results) {
  for (const CheckResult& result : results) {
    std::string line = "{\"method\":" + json_string(result.method) +
                       ",\"result\":" + json_string(result.result) +
                       ",\"reason\":" + json_string(result.reason);
    for (const auto& [name, value] : result.properties) {
      line += "," + json_string(name) + ":" + json_string(value);
    }
    line += ",\"explanation\":" + json_string(result.explanation) + "}";
    fmt::print("{}\n", line);
  }
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
    return "localhost";
  }
  return name;
}

struct CheckArgs {
  std::string path;
  bool json = false;
  std::int64_t at = 0;
  std::string authserv_id;
  ResolverArgs resolver;
};

int run_check(const CheckArgs& args) {
  auto bytes = read_file(args.path == "-" ? "/dev/stdin" : args.path);
  if (!bytes) {
    fmt::print(stderr, "cqlist check: {}\n", bytes.error().describe());
    return kExitNoInput;
  }
  auto resolver = make_resolver(args.resolver);
  if (!resolver) {
    fmt::print(stderr, "cqlist check: {}\n", resolver.error().describe());
    return kExitUsage;
  }
  const mail::Message message = mail::Message::parse(std::move(*bytes));
  const auto now = args.at > 0
                       ? std::chrono::system_clock::time_point(std::chrono::seconds(args.at))
                       : std::chrono::system_clock::now();

  std::vector<CheckResult> results = check_dkim(message, **resolver, now);
  // SPF, DMARC and ARC results are appended here as they land.

  if (args.json) {
    print_json(results);
  } else {
    print_authentication_results(args.authserv_id.empty() ? host_name() : args.authserv_id,
                                 results);
    print_explanations(results);
  }
  return kExitOk;
}

}  // namespace

void register_check(CLI::App& app) {
  auto* cmd = app.add_subcommand("check",
                                 "Verify the DKIM signatures of a message and explain each result");
  auto args = std::make_shared<CheckArgs>();
  cmd->add_option("file", args->path, "Message file (RFC 5322), or - for standard input")
      ->required();
  cmd->add_flag("--json", args->json, "One JSON object a line, one per signature");
  cmd->add_option("--at", args->at, "Check as of this UNIX time (for expiry, x=)");
  cmd->add_option("--authserv-id", args->authserv_id,
                  "Name in the Authentication-Results field (default: this host's name)");
  add_resolver_options(*cmd, args->resolver);
  cmd->callback([args] { exit_code() = run_check(*args); });
}

}  // namespace cqlist::cli
