// cli/resolver_option.hpp: the `--resolver ADDR[@PORT]` option every DNS-using command has.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "base/result.hpp"
#include "dns/resolver.hpp"

namespace cqlist::cli {

// Adds --resolver and --dns-timeout to `cmd`; values land in the returned strings.
struct ResolverArgs {
  std::string address;  // empty: the system's resolvers (/etc/resolv.conf)
  int timeout_ms = 5000;
};

void add_resolver_options(CLI::App& cmd, ResolverArgs& args);

// The resolver the options ask for. The error says what to fix ("--resolver 1.2.3.4@99999:
// port must be 1-65535").
Result<std::unique_ptr<dns::Resolver>> make_resolver(const ResolverArgs& args);

}  // namespace cqlist::cli
