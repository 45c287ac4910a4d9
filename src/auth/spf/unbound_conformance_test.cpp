// The OpenSPF suites once more, through the production path: UnboundResolver (libunbound)
// asking a real unbound on loopback that serves each scenario's zone (dns/testing). The test
// server gives a TIMEOUT name a "deny" zone of its own and the names below it static zones, so
// in the "Initial processing" scenario, where example.com is TIMEOUT, fine.example.com and
// trail.example.com still answer; rfc7208-tests.yml passes whole, as in conformance_test.cpp.
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "auth/spf/check_host.hpp"
#include "auth/spf/conformance_zone.hpp"
#include "dns/testing/unbound_server.hpp"
#include "dns/unbound_resolver.hpp"

namespace cqlist::auth::spf {
namespace {

// The zone as unbound can load it: a space in a name is written \032 in local-data, and a TXT
// record with no character-strings (the suite's "null text", which RFC 1035 cannot carry)
// is left out.
dns::StaticResolver loadable(const dns::StaticResolver& zone) {
  auto escape = [](const std::string& name) {
    std::string out;
    for (char c : name) {
      out += c == ' ' ? std::string("\\032") : std::string(1, c);
    }
    return out;
  };
  dns::StaticResolver out;
  for (const auto& entry : zone.entries()) {
    const auto* txt = std::get_if<dns::TxtRecord>(&entry.data);
    if (txt != nullptr && txt->strings.empty()) {
      continue;
    }
    EXPECT_TRUE(out.add(escape(entry.name), entry.type, entry.data, entry.ttl));
  }
  for (const auto& failure : zone.failures()) {
    out.inject_failure(escape(failure.name), failure.status, failure.type);
  }
  return out;
}

struct SuiteRun {
  int cases = 0;
  int passed = 0;
  std::vector<std::string> failures;
};

// One unbound server a scenario (each has its own zone), one resolver for all its cases.
SuiteRun run_suite(const std::string& file) {
  SuiteRun run;
  std::vector<YAML::Node> scenarios =
      YAML::LoadAllFromFile(std::string(CQLIST_SHARED_DIR) + "/conformance/spf-openspf/" + file);
  for (const YAML::Node& scenario : scenarios) {
    if (!scenario["tests"]) {
      continue;
    }
    auto zone = suite::zone(scenario["zonedata"]);
    if (!zone) {
      run.failures.push_back(zone.error().describe());
      continue;
    }
    auto server = dns::testing::UnboundServer::start(loadable(*zone));
    if (!server) {
      run.failures.push_back(server.error().describe());
      continue;
    }
    dns::UnboundOptions options;
    options.forwarders.push_back((*server)->forwarder());
    options.timeout = std::chrono::milliseconds(800);
    auto resolver = dns::UnboundResolver::create(options);
    if (!resolver) {
      run.failures.push_back(resolver.error().describe());
      continue;
    }
    for (const auto& entry : scenario["tests"]) {
      const std::string name = entry.first.as<std::string>();
      const YAML::Node& test = entry.second;
      ++run.cases;
      std::set<std::string> accepted;
      if (test["result"].IsSequence()) {
        for (const auto& result : test["result"]) {
          accepted.insert(result.as<std::string>());
        }
      } else {
        accepted.insert(test["result"].as<std::string>());
      }
      SpfOptions spf_options;
      spf_options.default_explanation = "DEFAULT";
      spf_options.receiver = "unknown";
      const std::string mail_from =
          test["mailfrom"] ? suite::latin1(test["mailfrom"].as<std::string>()) : "";
      const std::string helo = test["helo"] ? suite::latin1(test["helo"].as<std::string>()) : "";
      SpfOutcome outcome =
          check_mail_from(**resolver, *IpAddress::parse(test["host"].as<std::string>()), mail_from,
                          helo, spf_options);
      bool ok = accepted.count(std::string(result_name(outcome.result))) > 0;
      if (ok && test["explanation"] && outcome.result == SpfResult::fail) {
        ok = outcome.explanation == test["explanation"].as<std::string>();
      }
      if (ok) {
        ++run.passed;
      } else {
        run.failures.push_back(fmt::format("{}: got {} ({}) explanation '{}'", name,
                                           result_name(outcome.result), outcome.reason,
                                           outcome.explanation));
      }
    }
  }
  return run;
}

TEST(SpfUnboundConformance, Rfc7208SuiteThroughLibunbound) {
  SuiteRun run = run_suite("rfc7208-tests.yml");
  for (const std::string& failure : run.failures) {
    ADD_FAILURE() << "unbound path: " << failure;
  }
  std::printf("rfc7208-tests.yml through libunbound: %d of %d cases pass\n", run.passed, run.cases);
  EXPECT_EQ(run.cases, 203);
  EXPECT_EQ(run.passed, 203);
}

// Reported like the in-memory run (RFC 7208 wins where the suites differ); it passes whole too.
TEST(SpfUnboundConformance, Rfc4408SuiteThroughLibunbound) {
  SuiteRun run = run_suite("rfc4408-tests.yml");
  for (const std::string& failure : run.failures) {
    std::printf("rfc4408 through libunbound differs: %s\n", failure.c_str());
  }
  std::printf("rfc4408-tests.yml through libunbound: %d of %d cases pass\n", run.passed, run.cases);
  EXPECT_EQ(run.cases, 191);
  EXPECT_EQ(run.passed, 191);
}

}  // namespace
}  // namespace cqlist::auth::spf
