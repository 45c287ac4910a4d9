// cli/spf.cpp: `cqlist spf DOMAIN --ip ADDR`: the SPF verdict for one sending address, with
// the explanation and, on request, every step that led to it (RFC 7208 check_host()).
//
// Exit codes: 0 when a verdict was reached (whatever it is: the verdict is the output),
// 75 (try again) for temperror, 64 for bad arguments, 78 when the resolver cannot be set up.
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "auth/spf/check_host.hpp"
#include "auth/spf/report.hpp"
#include "cli/commands.hpp"
#include "cli/json_text.hpp"
#include "cli/resolver_option.hpp"

namespace cqlist::cli {
namespace {

struct SpfArgs {
  std::string domain;
  std::string ip;
  std::string helo;
  std::string sender;
  std::string receiver;
  bool trace = false;
  bool json = false;
  ResolverArgs resolver;
};

std::string_view step_kind(auth::spf::TraceStep::Kind kind) {
  switch (kind) {
    case auth::spf::TraceStep::Kind::record:
      return "record";
    case auth::spf::TraceStep::Kind::term:
      return "term";
    case auth::spf::TraceStep::Kind::query:
      return "query";
    case auth::spf::TraceStep::Kind::note:
      return "note";
  }
  return "note";
}

std::string to_json(const auth::spf::SpfOutcome& outcome, const std::string& receiver) {
  std::string steps;
  for (const auth::spf::TraceStep& step : outcome.trace.steps) {
    if (!steps.empty()) {
      steps += ",";
    }
    steps += fmt::format(R"({{"kind":"{}","depth":{},"domain":{},"text":{})", step_kind(step.kind),
                         step.depth, json_string(step.domain), json_string(step.text));
    if (step.kind == auth::spf::TraceStep::Kind::query) {
      steps += fmt::format(R"(,"status":"{}","records":{})", dns::status_name(step.status),
                           step.records);
    }
    steps += fmt::format(R"(,"lookups":{},"voids":{}}})", step.lookups, step.voids);
  }
  return fmt::format(
      R"({{"result":"{}","reason":{},"explanation":{},"domain":{},"sender":{},"ip":"{}",)"
      R"("helo":{},"identity":"{}","received_spf":{},"authentication_results":{},)"
      R"("trace":{{"dns_lookups":{},"void_lookups":{},"deciding_term":{},"deciding_domain":{},)"
      R"("steps":[{}]}}}})",
      auth::spf::result_name(outcome.result), json_string(outcome.reason),
      json_string(outcome.explanation), json_string(outcome.domain), json_string(outcome.sender),
      outcome.ip.to_string(), json_string(outcome.helo), outcome.identity,
      json_string(auth::spf::received_spf(outcome, receiver)),
      json_string(auth::spf::authentication_results_fragment(outcome)), outcome.trace.dns_lookups,
      outcome.trace.void_lookups, json_string(outcome.trace.deciding_term),
      json_string(outcome.trace.deciding_domain), steps);
}

int run_spf(const SpfArgs& args) {
  auto ip = IpAddress::parse(args.ip);
  if (!ip) {
    std::fprintf(stderr, "cqlist spf: --ip %s is not an IPv4 or IPv6 address\n", args.ip.c_str());
    return kExitUsage;
  }
  auto resolver = make_resolver(args.resolver);
  if (!resolver) {
    std::fprintf(stderr, "cqlist spf: cannot set up DNS: %s\n",
                 resolver.error().describe().c_str());
    return kExitConfig;
  }
  auth::spf::SpfOptions options;
  const std::string receiver = args.receiver.empty() ? "cqlist" : args.receiver;
  options.receiver = receiver;
  const std::string sender = args.sender.empty() ? "postmaster@" + args.domain : args.sender;
  auth::spf::SpfOutcome outcome =
      auth::spf::check_host(**resolver, *ip, args.domain, sender, args.helo, options);
  if (args.json) {
    fmt::print("{}\n", to_json(outcome, receiver));
  } else {
    fmt::print("SPF result for {} sending as {}: {}\n", outcome.ip.to_string(), outcome.sender,
               auth::spf::result_name(outcome.result));
    fmt::print("  why:     {}\n", outcome.reason);
    fmt::print("  meaning: {}\n", auth::spf::result_meaning(outcome.result));
    if (outcome.result == auth::spf::SpfResult::fail) {
      fmt::print("  explanation (shown to senders of rejected mail): {}\n", outcome.explanation);
    }
    fmt::print("  Received-SPF: {}\n", auth::spf::received_spf(outcome, receiver));
    fmt::print("  Authentication-Results: {}; {}\n", receiver,
               auth::spf::authentication_results_fragment(outcome));
    if (args.trace) {
      fmt::print("\nHow the result was reached:\n{}", auth::spf::describe_trace(outcome));
    }
  }
  return outcome.result == auth::spf::SpfResult::temperror ? kExitTempFail : kExitOk;
}

}  // namespace

void register_spf(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "spf", "Check whether a domain's SPF record lets an IP address send its mail");
  auto args = std::make_shared<SpfArgs>();
  cmd->add_option("domain", args->domain, "The domain whose SPF record is checked")->required();
  cmd->add_option("--ip", args->ip, "The sending server's IPv4 or IPv6 address")->required();
  cmd->add_option("--helo", args->helo, "The name the server gives in HELO/EHLO");
  cmd->add_option("--sender", args->sender,
                  "The envelope sender (MAIL FROM); default postmaster@DOMAIN");
  cmd->add_option("--receiver", args->receiver,
                  "This host's name, for Received-SPF and the %{r} macro");
  cmd->add_flag("--trace", args->trace, "Show every record, term and DNS query visited");
  cmd->add_flag("--json", args->json, "Print the result and the trace as JSON");
  add_resolver_options(*cmd, args->resolver);
  cmd->callback([args] { exit_code() = run_spf(*args); });
}

}  // namespace cqlist::cli
