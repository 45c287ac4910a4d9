// The founding story end to end over the static resolver: stage 1 (self-include, no IPv6
// PTR, no DKIM record, no DMARC), then the doctor's own records loaded back into the zone.
#include "doctor/doctor.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "doctor/render.hpp"
#include "doctor/testing/doctor_fixture.hpp"

namespace cqlist::doctor {
namespace {

using namespace testing;

constexpr const char* kStage1 = R"(
cq-test.example TXT "v=spf1 include:cq-test.example ~all"
cq-test.example MX 10 mail.cq-test.example
mail.cq-test.example A 192.0.2.25
25.2.0.192.in-addr.arpa PTR mail.cq-test.example
)";

// The founding host as Postfix and the list's signing key describe it.
DoctorInput founding_setup() {
  DoctorInput input = founding_input();
  input.postfix = PostfixSettings{
      "all", "any", "", "", "mail.cq-test.example", "$myhostname", "", "may", "", "", "20", "0s"};
  input.signing_known = true;
  input.dkim_keys = {DkimKey{"cq2026", "/etc/cqlist/cq2026.pem", test_rsa_key()}};
  return input;
}

std::vector<std::string> ids_with(const std::vector<Finding>& findings, Severity severity) {
  std::vector<std::string> ids;
  for (const Finding& f : findings) {
    if (f.severity == severity) {
      ids.push_back(f.id + " " + f.subject);
    }
  }
  return ids;
}

TEST(Doctor, FoundingStoryStage1FailsWhereTheChecklistSays) {
  auto resolver = *dns::StaticResolver::from_zone(kStage1);
  auto findings = run_doctor(resolver, founding_setup());
  const auto failed = ids_with(findings, Severity::fail);
  for (const char* expected :
       {"SPF-05 cq-test.example", "SPF-07 192.0.2.25", "SPF-08 2001:db8::25", "PTR-01 2001:db8::25",
        "DKIM-02 cq2026._domainkey.cq-test.example", "OUT-02 2001:db8::25"}) {
    EXPECT_NE(std::find(failed.begin(), failed.end(), expected), failed.end()) << expected;
  }
  EXPECT_EQ(exit_status(findings), 2);
  const auto passed = ids_with(findings, Severity::pass);
  EXPECT_NE(std::find(passed.begin(), passed.end(), "PTR-02 192.0.2.25"), passed.end());
  EXPECT_NE(std::find(passed.begin(), passed.end(), "TLS-01 smtp_tls_security_level"),
            passed.end());
}

TEST(Doctor, ProposedRecordsLoadedIntoTheZoneMakeTheNextRunClean) {
  auto resolver = *dns::StaticResolver::from_zone(kStage1);
  auto findings = run_doctor(resolver, founding_setup());
  const std::string publish = render_publish_block(findings, Language::en);
  EXPECT_NE(publish.find("cq-test.example. 300 IN TXT \"v=spf1 ip4:192.0.2.25 "
                         "ip6:2001:db8::25 ~all\""),
            std::string::npos)
      << publish;
  EXPECT_NE(
      publish.find("5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. "
                   "3600 IN PTR mail.cq-test.example."),
      std::string::npos);
  EXPECT_NE(publish.find("mail.cq-test.example. 3600 IN AAAA 2001:db8::25"), std::string::npos);
  EXPECT_NE(publish.find("mail.cq-test.example. 3600 IN TXT \"v=spf1 a -all\""), std::string::npos);
  EXPECT_NE(publish.find("_dmarc.cq-test.example. 3600 IN TXT \"v=DMARC1; p=none; "
                         "rua=mailto:dmarc-reports@cq-test.example\""),
            std::string::npos);

  // The operator replaces the SPF record and publishes everything else.
  std::string zone;
  for (const char* line :
       {"cq-test.example MX 10 mail.cq-test.example", "mail.cq-test.example A 192.0.2.25",
        "25.2.0.192.in-addr.arpa PTR mail.cq-test.example"}) {
    zone += std::string(line) + "\n";
  }
  for (const DnsRecord& record : records_to_publish(findings)) {
    zone += record.zone_line() + "\n";
  }
  auto fixed = dns::StaticResolver::from_zone(zone);
  ASSERT_TRUE(fixed.has_value()) << fixed.error().message() << "\n" << zone;
  auto after = run_doctor(*fixed, founding_setup());
  EXPECT_EQ(ids_with(after, Severity::fail), std::vector<std::string>{}) << zone;
  EXPECT_EQ(ids_with(after, Severity::warn), std::vector<std::string>{});
  EXPECT_EQ(exit_status(after), 0);
  EXPECT_EQ(render_publish_block(after, Language::en), "");
}

TEST(Doctor, OnlyRunsTheGroupsAsked) {
  auto resolver = *dns::StaticResolver::from_zone(kStage1);
  auto findings = run_doctor(resolver, founding_setup(), {"DMARC"});
  ASSERT_FALSE(findings.empty());
  for (const Finding& f : findings) {
    EXPECT_EQ(f.id.rfind("DMARC-", 0), 0u) << f.id;
  }
}

TEST(Doctor, ProposedHostNameIsTheHeloNameOnlyInsideTheListDomain) {
  DoctorInput input = founding_setup();
  EXPECT_EQ(proposed_host_name(input), "mail.cq-test.example");
  input.helo_name = "vps-123.provider.example";
  EXPECT_EQ(proposed_host_name(input), "mail.cq-test.example");
  input.helo_name = "out.cq-test.example";
  EXPECT_EQ(proposed_host_name(input), "out.cq-test.example");
}

}  // namespace
}  // namespace cqlist::doctor
