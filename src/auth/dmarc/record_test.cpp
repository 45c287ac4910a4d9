// auth/dmarc/record_test.cpp: DMARC record parsing (RFC 9989 §4.7).
#include "auth/dmarc/record.hpp"

#include <gtest/gtest.h>

namespace cqlist::auth::dmarc {
namespace {

TEST(DmarcRecord, ReadsEveryTag) {
  auto record = parse_record(
      "v=DMARC1; p=quarantine; sp=reject; np=none; t=y; adkim=s; aspf=r; "
      "rua=mailto:a@example.com, mailto:b@example.net; ruf=mailto:f@example.com; fo=1:d; psd=n");
  ASSERT_TRUE(record) << record.error().message();
  EXPECT_EQ(record->policy, Policy::quarantine);
  EXPECT_TRUE(record->policy_given);
  EXPECT_EQ(record->subdomain_policy, Policy::reject);
  EXPECT_EQ(record->nonexistent_policy, Policy::none);
  EXPECT_TRUE(record->testing);
  EXPECT_EQ(record->dkim_alignment, Alignment::strict);
  EXPECT_EQ(record->spf_alignment, Alignment::relaxed);
  ASSERT_EQ(record->aggregate_report_uris.size(), 2U);
  EXPECT_EQ(record->aggregate_report_uris[1], "mailto:b@example.net");
  ASSERT_EQ(record->failure_report_uris.size(), 1U);
  EXPECT_EQ(record->failure_options, "1:d");
  EXPECT_EQ(record->psd, PsdFlag::no);
  EXPECT_TRUE(record->problems.empty());
  EXPECT_EQ(format_record(*record),
            "v=DMARC1; p=quarantine; sp=reject; np=none; psd=n; t=y; adkim=s; fo=1:d; "
            "rua=mailto:a@example.com,mailto:b@example.net; ruf=mailto:f@example.com");
}

TEST(DmarcRecord, DefaultsWhenTagsAreAbsent) {
  auto record = parse_record("v=DMARC1");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->policy, Policy::none);
  EXPECT_FALSE(record->policy_given);
  EXPECT_FALSE(record->subdomain_policy);
  EXPECT_FALSE(record->testing);
  EXPECT_EQ(record->dkim_alignment, Alignment::relaxed);
  EXPECT_EQ(record->failure_options, "0");
  EXPECT_EQ(record->psd, PsdFlag::unknown);
}

TEST(DmarcRecord, RemovedTagsAreToleratedAndNoted) {
  auto record = parse_record("v=DMARC1; p=reject; pct=20; rf=afrf; ri=86400");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->policy, Policy::reject);
  ASSERT_EQ(record->problems.size(), 3U);
  EXPECT_EQ(record->problems[0],
            "pct= was removed by RFC 9989 and is ignored (use t=y to test a policy on part of "
            "the mail)");
}

TEST(DmarcRecord, BadValuesFallBackToDefaultsWithAnExplanation) {
  auto record = parse_record("v=DMARC1; p=rejectt; adkim=x; fo=2; t=maybe; psd=q; rua=http://x");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->policy, Policy::none);
  EXPECT_FALSE(record->policy_given);
  EXPECT_EQ(record->dkim_alignment, Alignment::relaxed);
  EXPECT_EQ(record->failure_options, "0");
  EXPECT_FALSE(record->testing);
  ASSERT_EQ(record->problems.size(), 6U);
  EXPECT_EQ(record->problems[0], "p=rejectt is not a valid value; using p=none (RFC 9989 §4.7)");
}

TEST(DmarcRecord, UnknownTagsAndDuplicates) {
  auto record = parse_record("v=DMARC1; p=reject; future=1; p=none; ;");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->policy, Policy::reject);
  ASSERT_EQ(record->problems.size(), 1U);
  EXPECT_EQ(record->problems[0], "tag p= appears twice; the first one is used");
}

TEST(DmarcRecord, NotADmarcRecord) {
  for (const char* text :
       {"", "p=reject; v=DMARC1", "v=spf1 -all", "v=DMARC2; p=none", "hello world"}) {
    auto record = parse_record(text);
    EXPECT_FALSE(record) << text;
    if (!record) {
      EXPECT_EQ(record.error().code(), Errc::bad_syntax);
    }
  }
}

TEST(DmarcRecord, MissingSemicolonIsExplained) {
  auto record = parse_record("v=DMARC1 p=reject");
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().message(),
            "the version tag reads \"v=DMARC1 p=reject\": tags must be separated by ';' (write "
            "\"v=DMARC1; ...\")");
  EXPECT_TRUE(looks_like_dmarc("v=DMARC1 p=reject"));
  EXPECT_TRUE(looks_like_dmarc("  v = DMARC1;"));
  EXPECT_FALSE(looks_like_dmarc("v=spf1"));
}

}  // namespace
}  // namespace cqlist::auth::dmarc
