// bench/spf_bench.cpp: SPF evaluations per second through cqlist's check_host(), over the
// record set of bench/spf_zone.txt and the checks of bench/spf_checks.txt.
//
// Two benchmarks: spf/in_memory (StaticResolver: the cost of SPF itself) and, with
// --resolver ADDR@PORT, spf/unbound (the production UnboundResolver forwarding to that server,
// its cache warm after the first round: the cost a receiver pays). bench/spf_bench.py runs this
// next to pyspf and libspf2 against the same loopback DNS server and prints the ratios.
// Every check's result is compared with the expected one before timing; a mismatch aborts, so a
// fast wrong answer cannot be reported.
//
// Own flags (before Google Benchmark's): --zone FILE, --checks FILE (default bench/…, relative
// to the working directory), --resolver ADDR@PORT.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <benchmark/benchmark.h>

#include "auth/spf/check_host.hpp"
#include "base/file.hpp"
#include "base/ip_address.hpp"
#include "dns/static_resolver.hpp"
#include "dns/unbound_resolver.hpp"

namespace {

namespace spf = cqlist::auth::spf;
namespace dns = cqlist::dns;

struct Check {
  cqlist::IpAddress ip;
  std::string mail_from;
  std::string helo;
  std::string expected;
};

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    const std::size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string_view::npos) {
      break;
    }
    line.remove_prefix(start);
    const std::size_t end = std::min(line.find_first_of(" \t\r"), line.size());
    out.push_back(line.substr(0, end));
    line.remove_prefix(end);
  }
  return out;
}

bool load_checks(const std::string& path, std::vector<Check>& checks) {
  auto text = cqlist::read_file(path);
  if (!text) {
    std::fprintf(stderr, "spf_bench: %s\n", text.error().describe().c_str());
    return false;
  }
  std::string_view rest = *text;
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find('\n'), rest.size());
    const std::vector<std::string_view> fields = words(rest.substr(0, end));
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (fields.empty() || fields[0].front() == '#') {
      continue;
    }
    auto ip = fields.size() == 4 ? cqlist::IpAddress::parse(fields[0]) : std::nullopt;
    if (!ip) {
      std::fprintf(stderr, "spf_bench: %s: bad line (want: ip mail-from helo result)\n",
                   path.c_str());
      return false;
    }
    checks.push_back({*ip, std::string(fields[1]), std::string(fields[2]), std::string(fields[3])});
  }
  return !checks.empty();
}

// Runs every check once; false (after saying which) when a result is not the expected one.
bool verify(dns::Resolver& resolver, const std::vector<Check>& checks, const char* label) {
  bool ok = true;
  for (const Check& check : checks) {
    const spf::SpfOutcome outcome =
        spf::check_mail_from(resolver, check.ip, check.mail_from, check.helo);
    if (spf::result_name(outcome.result) != check.expected) {
      std::fprintf(stderr, "spf_bench (%s): %s from %s gave %s (%s), expected %s\n", label,
                   check.mail_from.c_str(), check.ip.to_string().c_str(),
                   std::string(spf::result_name(outcome.result)).c_str(), outcome.reason.c_str(),
                   check.expected.c_str());
      ok = false;
    }
  }
  return ok;
}

void evaluate_all(benchmark::State& state, dns::Resolver& resolver,
                  const std::vector<Check>& checks) {
  for (auto _ : state) {
    for (const Check& check : checks) {
      spf::SpfOutcome outcome =
          spf::check_mail_from(resolver, check.ip, check.mail_from, check.helo);
      benchmark::DoNotOptimize(outcome);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(checks.size()));
}

}  // namespace

int main(int argc, char** argv) {
  std::string zone_path = "bench/spf_zone.txt";
  std::string checks_path = "bench/spf_checks.txt";
  std::string forwarder;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if ((arg == "--zone" || arg == "--checks" || arg == "--resolver") && i + 1 < argc) {
      std::string& target = arg == "--zone"     ? zone_path
                            : arg == "--checks" ? checks_path
                                                : forwarder;
      target = argv[++i];
    } else {
      rest.push_back(argv[i]);
    }
  }

  auto zone_text = cqlist::read_file(zone_path);
  if (!zone_text) {
    std::fprintf(stderr, "spf_bench: %s (run from the source root, or give --zone)\n",
                 zone_text.error().describe().c_str());
    return 1;
  }
  auto zone = dns::StaticResolver::from_zone(*zone_text);
  std::vector<Check> checks;
  if (!zone) {
    std::fprintf(stderr, "spf_bench: %s: %s\n", zone_path.c_str(), zone.error().describe().c_str());
    return 1;
  }
  if (!load_checks(checks_path, checks) || !verify(*zone, checks, "in memory")) {
    return 1;
  }
  // In memory: CPU time, which a machine busy with other work does not inflate (pyspf is
  // measured the same way).
  benchmark::RegisterBenchmark(
      "spf/in_memory", [&](benchmark::State& state) { evaluate_all(state, *zone, checks); });

  std::unique_ptr<dns::UnboundResolver> unbound;
  if (!forwarder.empty()) {
    auto options = dns::parse_resolver_address(forwarder);
    if (!options) {
      std::fprintf(stderr, "spf_bench: --resolver %s: %s\n", forwarder.c_str(),
                   options.error().describe().c_str());
      return 1;
    }
    auto created = dns::UnboundResolver::create(*options);
    if (!created) {
      std::fprintf(stderr, "spf_bench: --resolver %s: %s\n", forwarder.c_str(),
                   created.error().describe().c_str());
      return 1;
    }
    unbound = std::move(*created);
    // The first round fills libunbound's cache; timing starts warm.
    if (!verify(*unbound, checks, "unbound")) {
      return 1;
    }
    // Wall-clock time: libunbound answers on its own threads, and the other implementations
    // over DNS are timed by the clock too.
    benchmark::RegisterBenchmark("spf/unbound", [&](benchmark::State& state) {
      evaluate_all(state, *unbound, checks);
    })->UseRealTime();
  }

  int bench_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&bench_argc, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
