// The ValiMail ARC test suite (../shared/conformance/arc-valimail/, README there): every
// validation case must give its cv, every signing case its three fields, compared as the
// suite's harness does (white space removed, sets of ";"-separated tag=value). Every case runs
// twice: with its scenario's keys in a StaticResolver (.../in_memory), and through the
// production UnboundResolver asking one real unbound on loopback for the whole suite
// (.../unbound), which serves the union of the scenarios' keys (dns/testing/served_zone.hpp).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "auth/arc/seal.hpp"
#include "auth/arc/validate.hpp"
#include "base/strings.hpp"
#include "dns/static_resolver.hpp"
#include "dns/testing/served_zone.hpp"

namespace cqlist::auth::arc {
namespace {

const std::string kSuite = std::string(CQLIST_SHARED_DIR) + "/conformance/arc-valimail/";

// Each value as one TXT record split into 255-octet strings, as the upstream harness serves it.
dns::StaticResolver zone_of(const YAML::Node& scenario) {
  dns::StaticResolver resolver;
  for (const auto& entry : scenario["txt-records"]) {
    const std::string value = entry.second.as<std::string>();
    dns::TxtRecord record;
    for (std::size_t pos = 0; pos < value.size(); pos += 255) {
      record.strings.push_back(value.substr(pos, 255));
    }
    EXPECT_TRUE(resolver.add(entry.first.as<std::string>(), dns::RecordType::txt, record));
  }
  return resolver;
}

// Every scenario's keys in one zone, so that one server answers the whole suite. merge_zone
// refuses a name two scenarios publish differently (none does); a key only some scenarios
// publish is visible to every case of the unbound run, whose expectations are the same.
dns::StaticResolver union_zone(const std::string& file) {
  dns::StaticResolver merged;
  for (const auto& scenario : YAML::LoadAllFromFile(kSuite + file)) {
    auto added = dns::testing::merge_zone(merged, zone_of(scenario));
    EXPECT_TRUE(added) << file << ": " << added.error().describe();
  }
  return merged;
}

std::set<std::string> tag_set(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
      compact += c;
    }
  }
  std::set<std::string> out;
  std::size_t pos = 0;
  while (pos <= compact.size()) {
    const std::size_t end = std::min(compact.find(';', pos), compact.size());
    if (end > pos) {
      out.insert(compact.substr(pos, end - pos));
    }
    pos = end + 1;
  }
  return out;
}

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t colon = text.find(':', pos);
    out.push_back(text.substr(pos, colon - pos));
    if (colon == std::string::npos) {
      return out;
    }
    pos = colon + 1;
  }
}

class ArcValidation : public dns::testing::ServedSuite<ArcValidation> {
 public:
  static dns::StaticResolver make_zone() { return union_zone("arc-draft-validation-tests.yml"); }
};

INSTANTIATE_TEST_SUITE_P(Through, ArcValidation, dns::testing::kBothBackends,
                         dns::testing::BackendName());

TEST_P(ArcValidation, ValiMailValidationSuite) {
  const auto scenarios = YAML::LoadAllFromFile(kSuite + "arc-draft-validation-tests.yml");
  int cases_run = 0;
  std::vector<std::string> failures;
  for (const auto& scenario : scenarios) {
    dns::StaticResolver scenario_zone = zone_of(scenario);
    dns::Resolver& keys =
        backend() == dns::testing::Backend::in_memory ? scenario_zone : resolver();
    // Four case names occur twice in one scenario; the suite's harness (PyYAML) keeps the last.
    std::map<std::string, YAML::Node> tests;
    for (const auto& test : scenario["tests"]) {
      tests[test.first.as<std::string>()] = test.second;
    }
    for (const auto& test : tests) {
      const std::string& name = test.first;
      const std::string text = test.second["message"].as<std::string>();
      std::string expected = to_ascii_lower(trim(test.second["cv"].as<std::string>("")));
      // Three cases leave cv empty: their newest seal says cv=fail, which RFC 8617 §5.2
      // makes a failing chain (Mail::DKIM and mailauth read them the same way).
      if (expected.empty()) {
        expected = "fail";
      }
      const ArcOutcome outcome =
          validate(mail::Message::parse(text), keys, std::chrono::system_clock::now());
      ++cases_run;
      const std::string got(chain_status_name(outcome.result));
      if (got != expected) {
        failures.push_back(name + ": expected " + expected + ", got " + got + " (" +
                           outcome.reason + ")");
      }
    }
  }
  EXPECT_EQ(cases_run, 171);
  for (const auto& failure : failures) {
    ADD_FAILURE() << failure;
  }
  EXPECT_EQ(failures.size(), 0u);
}

class ArcSigning : public dns::testing::ServedSuite<ArcSigning> {
 public:
  static dns::StaticResolver make_zone() { return union_zone("arc-draft-sign-tests.yml"); }
};

INSTANTIATE_TEST_SUITE_P(Through, ArcSigning, dns::testing::kBothBackends,
                         dns::testing::BackendName());

TEST_P(ArcSigning, ValiMailSigningSuite) {
  const auto scenarios = YAML::LoadAllFromFile(kSuite + "arc-draft-sign-tests.yml");
  int cases_run = 0;
  std::vector<std::string> failures;
  for (const auto& scenario : scenarios) {
    dns::StaticResolver scenario_zone = zone_of(scenario);
    dns::Resolver& keys =
        backend() == dns::testing::Backend::in_memory ? scenario_zone : resolver();
    auto key = crypto::PrivateKey::from_pem(scenario["privatekey"].as<std::string>());
    ASSERT_TRUE(key) << key.error().message();
    for (const auto& test : scenario["tests"]) {
      const std::string name = test.first.as<std::string>();
      const YAML::Node& spec = test.second;
      SealerConfig config;
      config.authserv_id = spec["srv-id"].as<std::string>();
      config.domain = scenario["domain"].as<std::string>();
      config.selector = scenario["sel"].as<std::string>();
      config.key = *key;
      config.signed_headers = split_names(spec["sig-headers"].as<std::string>());
      auto sealer = Sealer::create(config);
      ASSERT_TRUE(sealer) << sealer.error().message();

      const mail::Message message = mail::Message::parse(spec["message"].as<std::string>());
      const std::chrono::system_clock::time_point at{
          std::chrono::seconds(spec["t"].as<std::int64_t>())};
      auto sealed = sealer->seal(message, merge_authentication_results(message, config.authserv_id),
                                 keys, at);
      ASSERT_TRUE(sealed) << sealed.error().message();
      ++cases_run;

      const std::string expected_seal = spec["AS"].as<std::string>("");
      if (trim(expected_seal).empty()) {
        if (sealed->set) {
          failures.push_back(name + ": sealed, but the suite expects no new set");
        }
        continue;
      }
      if (!sealed->set) {
        failures.push_back(name + ": not sealed: " + sealed->skipped_reason);
        continue;
      }
      const SealedSet& set = *sealed->set;
      auto compare = [&](const char* what, const std::string& expected, const std::string& got) {
        if (tag_set(expected) != tag_set(got)) {
          failures.push_back(name + ": " + what + " differs\n  expected: " + expected +
                             "\n  got:      " + got);
        }
      };
      compare("AAR", spec["AAR"].as<std::string>(), set.authentication_results);
      compare("AMS", spec["AMS"].as<std::string>(), set.message_signature);
      compare("AS", expected_seal, set.seal);
    }
  }
  EXPECT_EQ(cases_run, 17);
  for (const auto& failure : failures) {
    ADD_FAILURE() << failure;
  }
  EXPECT_EQ(failures.size(), 0u);
}

}  // namespace
}  // namespace cqlist::auth::arc
