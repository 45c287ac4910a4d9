// cli/inject.cpp: `cqlist inject LIST < message`: a post without an MTA.
//
// The message goes through exactly what the LMTP listener does with it (list::ListService::
// receive): checks, spool, numbering, archive and delivery jobs. The daemon (or `cqlist
// deliver`) then sends the copies. Exit codes follow what an MTA would make of the reply:
// 0 accepted or held, 75 (tempfail) for 4xx, 77 (noperm) for a refusal.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "base/file.hpp"
#include "cli/commands.hpp"
#include "cli/resolver_option.hpp"
#include "cli/runtime.hpp"
#include "list/service.hpp"

namespace cqlist::cli {
namespace {

constexpr int kExitNoPermission = 77;

struct InjectArgs {
  ConfigArgs config;
  ResolverArgs resolver;
  std::string list;
  std::string file = "-";
  std::string mail_from;
  std::string client_ip;
  std::string helo;
};

int run_inject(InjectArgs& args) {
  auto config = resolve_config(args.config);
  if (!config) {
    return report_error("inject", config.error());
  }
  if (args.resolver.address.empty()) {
    args.resolver.address = config->resolver;
  }
  auto runtime = open_runtime(*config);
  if (!runtime) {
    return report_error("inject", runtime.error());
  }
  auto resolver = make_resolver(args.resolver);
  if (!resolver) {
    return report_error("inject", resolver.error());
  }
  auto message = read_file(args.file == "-" ? "/dev/stdin" : args.file);
  if (!message) {
    return report_error("inject", message.error());
  }
  list::InboundEnvelope envelope;
  envelope.mail_from = args.mail_from;
  envelope.recipient = args.list;
  envelope.helo = args.helo;
  if (!args.client_ip.empty()) {
    auto ip = IpAddress::parse(args.client_ip);
    if (!ip) {
      fmt::print(stderr, "cqlist inject: --client-ip {} is not an IPv4 or IPv6 address\n",
                 args.client_ip);
      return kExitUsage;
    }
    envelope.client_ip = *ip;
  }
  list::ListService service(runtime->service_deps(**resolver));
  mail::SmtpReply reply = service.receive(envelope, *message);
  std::string text = reply.format();
  std::fputs(text.c_str(), reply.success() ? stdout : stderr);
  if (reply.success()) {
    return kExitOk;
  }
  return reply.transient() ? kExitTempFail : kExitNoPermission;
}

}  // namespace

void register_inject(CLI::App& app) {
  auto args = std::make_shared<InjectArgs>();
  auto* cmd = app.add_subcommand(
      "inject", "Post a message to a list without an MTA (same checks as mail from Postfix)");
  cmd->add_option("list", args->list, "The list address, NAME@DOMAIN")->required();
  cmd->add_option("file", args->file, "The message file (default: standard input)");
  cmd->add_option("--mail-from", args->mail_from,
                  "Envelope sender (default: empty, as for a local submission)");
  cmd->add_option("--client-ip", args->client_ip,
                  "Address of the server the post came from, for the SPF check");
  cmd->add_option("--helo", args->helo, "HELO name of that server");
  add_config_options(*cmd, args->config);
  add_resolver_options(*cmd, args->resolver);
  cmd->footer(
      "Exit status: 0 accepted (or held for a moderator), 75 try again later, 77 refused.\n"
      "The reply is printed as the LMTP listener would give it.");
  cmd->callback([args] { exit_code() = run_inject(*args); });
}

}  // namespace cqlist::cli
