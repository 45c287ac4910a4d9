// dns/testing/served_zone_test.cpp: merging suite zones, and one zone answered both ways.
#include "dns/testing/served_zone.hpp"

#include <string>

#include <gtest/gtest.h>

#include "dns/static_resolver.hpp"

namespace cqlist::dns::testing {
namespace {

StaticResolver zone_of(std::string_view text) {
  auto zone = StaticResolver::from_zone(text);
  EXPECT_TRUE(zone) << zone.error().describe();
  return zone ? *zone : StaticResolver();
}

TEST(MergeZone, AddsWhatIsNewAndAcceptsWhatAgrees) {
  StaticResolver merged = zone_of("key._domainkey.example.org TXT \"v=DKIM1; p=AAAA\"\n");
  ASSERT_TRUE(merge_zone(merged, zone_of("key._domainkey.example.org TXT \"v=DKIM1; p=AAAA\"\n"
                                         "other._domainkey.example.org TXT \"v=DKIM1; p=BBBB\"\n"
                                         "example.org A 192.0.2.1\n")));
  EXPECT_EQ(merged.entries().size(), 3u);
  EXPECT_EQ(merged.query("key._domainkey.example.org", RecordType::txt).records.size(), 1u);
  EXPECT_EQ(merged.query("other._domainkey.example.org", RecordType::txt).status, Status::answer);
}

TEST(MergeZone, RefusesZonesThatDisagree) {
  StaticResolver merged = zone_of("key._domainkey.example.org TXT \"v=DKIM1; p=AAAA\"\n");
  for (std::string_view other : {"key._domainkey.example.org TXT \"v=DKIM1; p=CCCC\"\n",
                                 "key._domainkey.example.org TXT \"v=DKIM1; p=AAAA\"\n"
                                 "key._domainkey.example.org TXT \"second\"\n"}) {
    auto result = merge_zone(merged, zone_of(other));
    ASSERT_FALSE(result) << other;
    EXPECT_NE(result.error().message().find("key._domainkey.example.org TXT"), std::string::npos)
        << result.error().message();
  }
  EXPECT_EQ(merged.entries().size(), 1u);
}

TEST(ServedZone, BothBackendsAnswerFromTheSameZone) {
  ServedZone served(zone_of("key._domainkey.example.org TXT \"v=DKIM1; \" \"p=AAAA\"\n"));
  for (Backend backend : {Backend::in_memory, Backend::unbound}) {
    auto resolver = served.resolver(backend);
    ASSERT_TRUE(resolver) << resolver.error().describe();
    Answer answer = (*resolver)->query("key._domainkey.example.org", RecordType::txt);
    ASSERT_EQ(answer.status, Status::answer) << backend_name(backend) << ": " << answer.problem;
    EXPECT_EQ(answer.all<TxtRecord>().at(0).joined(), "v=DKIM1; p=AAAA") << backend_name(backend);
    EXPECT_EQ((*resolver)->query("missing.example.org", RecordType::txt).status, Status::nxdomain)
        << backend_name(backend);
    // The same resolver (and unbound server) serves every later case.
    auto again = served.resolver(backend);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *resolver) << backend_name(backend);
  }
  EXPECT_NE(*served.resolver(Backend::unbound), *served.resolver(Backend::in_memory));
}

}  // namespace
}  // namespace cqlist::dns::testing
