// cli/dmarc.cpp: `cqlist dmarc DOMAIN`: which DMARC policy applies to mail whose From address
// is at DOMAIN, and how it was found (every _dmarc name queried on the RFC 9989 tree walk).
#include <memory>
#include <string>

#include <fmt/format.h>

#include "auth/dmarc/discovery.hpp"
#include "auth/dmarc/public_suffix.hpp"
#include "cli/commands.hpp"
#include "cli/json_text.hpp"
#include "cli/resolver_option.hpp"

namespace cqlist::cli {
namespace {

struct DmarcArgs {
  std::string domain;
  bool json = false;
  bool rfc7489 = false;
  ResolverArgs resolver;
};

struct Applied {
  auth::dmarc::Policy policy = auth::dmarc::Policy::none;
  std::string why;
};

Applied applied_policy(dns::Resolver& resolver, const auth::dmarc::PolicyDiscovery& found) {
  using auth::dmarc::policy_name;
  const auth::dmarc::Record& record = *found.record;
  Applied out;
  bool exists = true;
  if (found.record_domain != found.author_domain && record.nonexistent_policy) {
    exists =
        resolver.query(found.author_domain, dns::RecordType::a).status != dns::Status::nxdomain;
  }
  out.policy =
      auth::dmarc::applicable_policy(record, found.author_domain, found.record_domain, exists);
  if (found.record_domain == found.author_domain) {
    out.why = "p= of the domain's own record";
  } else if (!exists && record.nonexistent_policy) {
    out.why = fmt::format("np= of {}, because {} does not exist in DNS", found.record_domain,
                          found.author_domain);
  } else if (record.subdomain_policy) {
    out.why = fmt::format("sp= of {}, which covers its subdomains", found.record_domain);
  } else {
    out.why = fmt::format("p= of {}, which also covers its subdomains", found.record_domain);
  }
  return out;
}

void print_text(const auth::dmarc::PolicyDiscovery& found, const Applied* applied) {
  using namespace auth::dmarc;
  fmt::print("From domain: {}\n", found.author_domain);
  fmt::print("How it was found:\n");
  for (const WalkStep& step : found.steps) {
    fmt::print("  {:<40} {}\n", step.name, step.outcome);
  }
  switch (found.status) {
    case DiscoveryStatus::invalid_domain:
      fmt::print("Result: {}\n", found.problem);
      return;
    case DiscoveryStatus::temperror:
      fmt::print(
          "Result: DNS failure ({}). Nothing is known about the policy; try again, or "
          "check the resolver with --resolver.\n",
          found.problem);
      return;
    case DiscoveryStatus::none:
      fmt::print(
          "Result: no DMARC policy applies to {}. Receivers will not act on DMARC for "
          "this domain; its owner can publish one at _dmarc.{}.\n",
          found.author_domain, found.organizational_domain);
      fmt::print("Organizational domain: {}\n", found.organizational_domain);
      return;
    case DiscoveryStatus::found:
      break;
  }
  const Record& record = *found.record;
  fmt::print("Policy record: _dmarc.{}\n  {}\n", found.record_domain, record.text);
  fmt::print("Organizational domain: {}\n", found.organizational_domain);
  fmt::print("Policy for failing mail from {}: {} ({}){}\n", found.author_domain,
             policy_name(applied->policy), applied->why,
             record.testing ? "; t=y: receivers apply one step less while the owner tests" : "");
  fmt::print("Alignment: DKIM {}, SPF {}\n", alignment_name(record.dkim_alignment),
             alignment_name(record.spf_alignment));
  for (const std::string& problem : record.problems) {
    fmt::print("Record problem: {}\n", problem);
  }
}

void print_json(const auth::dmarc::PolicyDiscovery& found, const Applied* applied) {
  using namespace auth::dmarc;
  std::string out = "{\"domain\":" + json_string(found.author_domain) +
                    ",\"status\":" + json_string(discovery_status_name(found.status)) +
                    ",\"organizational_domain\":" + json_string(found.organizational_domain);
  if (found.record) {
    out += ",\"record_domain\":" + json_string(found.record_domain) +
           ",\"record\":" + json_string(found.record->text) +
           ",\"policy\":" + json_string(policy_name(applied->policy)) +
           ",\"policy_reason\":" + json_string(applied->why) +
           ",\"testing\":" + (found.record->testing ? "true" : "false") + ",\"problems\":[";
    for (std::size_t i = 0; i < found.record->problems.size(); ++i) {
      out += (i == 0 ? "" : ",") + json_string(found.record->problems[i]);
    }
    out += "]";
  }
  if (!found.problem.empty()) {
    out += ",\"problem\":" + json_string(found.problem);
  }
  out += ",\"queries\":[";
  for (std::size_t i = 0; i < found.steps.size(); ++i) {
    out += std::string(i == 0 ? "" : ",") + "{\"name\":" + json_string(found.steps[i].name) +
           ",\"status\":" + json_string(dns::status_name(found.steps[i].status)) +
           ",\"outcome\":" + json_string(found.steps[i].outcome) + "}";
  }
  fmt::print("{}]}}\n", out);
}

int run_dmarc(const DmarcArgs& args) {
  auto resolver = make_resolver(args.resolver);
  if (!resolver) {
    fmt::print(stderr, "cqlist dmarc: {}\n", resolver.error().describe());
    return kExitConfig;
  }
  auth::dmarc::DiscoveryOptions options;
  std::optional<auth::dmarc::PublicSuffixList> psl;
  if (args.rfc7489) {
    auto loaded = auth::dmarc::PublicSuffixList::system();
    if (!loaded) {
      fmt::print(stderr, "cqlist dmarc: {}\n", loaded.error().describe());
      return kExitConfig;
    }
    psl = std::move(*loaded);
    options.mode = auth::dmarc::DiscoveryMode::rfc7489_psl;
    options.psl = &*psl;
  }
  auth::dmarc::PolicyDiscovery found =
      auth::dmarc::discover_policy(**resolver, args.domain, options);
  Applied applied;
  if (found.record) {
    applied = applied_policy(**resolver, found);
  }
  if (args.json) {
    print_json(found, &applied);
  } else {
    print_text(found, &applied);
  }
  switch (found.status) {
    case auth::dmarc::DiscoveryStatus::invalid_domain:
      return kExitUsage;
    case auth::dmarc::DiscoveryStatus::temperror:
      return kExitTempFail;
    default:
      return kExitOk;
  }
}

}  // namespace

void register_dmarc(CLI::App& app) {
  auto args = std::make_shared<DmarcArgs>();
  auto* cmd = app.add_subcommand(
      "dmarc", "Show the DMARC policy that applies to mail from DOMAIN and how it was found");
  cmd->add_option("DOMAIN", args->domain, "The domain of a From address (e.g. example.com)")
      ->required();
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->add_flag("--rfc7489", args->rfc7489,
                "Find the organizational domain the old way (RFC 7489, Public Suffix List) "
                "instead of the RFC 9989 DNS tree walk");
  add_resolver_options(*cmd, args->resolver);
  cmd->callback([args] { exit_code() = run_dmarc(*args); });
}

}  // namespace cqlist::cli
