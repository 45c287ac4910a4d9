#include "cli/resolver_option.hpp"

#include <chrono>

#include <fmt/format.h>

#include "dns/unbound_resolver.hpp"

namespace cqlist::cli {

void add_resolver_options(CLI::App& cmd, ResolverArgs& args) {
  cmd.add_option("--resolver", args.address,
                 "Send DNS queries to this server (ADDR or ADDR@PORT) instead of the system's");
  cmd.add_option("--dns-timeout", args.timeout_ms, "Milliseconds to wait for one DNS answer")
      ->check(CLI::Range(100, 120000))
      ->capture_default_str();
}

Result<std::unique_ptr<dns::Resolver>> make_resolver(const ResolverArgs& args) {
  dns::UnboundOptions options;
  if (!args.address.empty()) {
    auto parsed = dns::parse_resolver_address(args.address);
    if (!parsed) {
      return fail(std::move(parsed.error()).with_context("in --resolver " + args.address));
    }
    options = std::move(*parsed);
  }
  options.timeout = std::chrono::milliseconds(args.timeout_ms);
  auto resolver = dns::UnboundResolver::create(options);
  if (!resolver) {
    return fail(resolver.error());
  }
  return std::unique_ptr<dns::Resolver>(std::move(*resolver));
}

}  // namespace cqlist::cli
