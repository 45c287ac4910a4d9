// The parsed-record cache: one parse per distinct text, bounded, safe across threads.
#include "auth/spf/record_cache.hpp"

#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace cqlist::auth::spf {
namespace {

TEST(RecordCache, TheSameTextGivesTheSameParsedRecord) {
  RecordCache cache;
  auto first = cache.parse("v=spf1 ip4:192.0.2.0/24 include:_spf.example.org -all");
  ASSERT_TRUE(first) << first.error().describe();
  auto second = cache.parse("v=spf1 ip4:192.0.2.0/24 include:_spf.example.org -all");
  ASSERT_TRUE(second);
  EXPECT_EQ(first->get(), second->get()) << "parsed once, shared";
  ASSERT_EQ((*first)->mechanisms.size(), 3u);
  EXPECT_EQ((*first)->mechanisms[1].text, "include:_spf.example.org");
  EXPECT_EQ((*first)->mechanisms[2].qualifier, Qualifier::fail);

  auto other = cache.parse("v=spf1 ip4:192.0.2.0/24 include:_spf.example.org ~all");
  ASSERT_TRUE(other);
  EXPECT_NE(other->get(), first->get()) << "a changed record is a new entry";
  EXPECT_EQ((*other)->mechanisms[2].qualifier, Qualifier::softfail);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(RecordCache, InvalidRecordsFailEveryTimeAndAreNotKept) {
  RecordCache cache;
  for (int i = 0; i < 2; ++i) {
    auto parsed = cache.parse("v=spf1 ip4:192.0.2.300 -all");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), Errc::bad_syntax);
    EXPECT_EQ(parsed.error().message(),
              parse_record("v=spf1 ip4:192.0.2.300 -all").error().message());
  }
  EXPECT_EQ(cache.size(), 0u);
}

TEST(RecordCache, StartsOverWhenFull) {
  RecordCache by_count(3, 1 << 20);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(by_count.parse(fmt::format("v=spf1 a:host{}.example.org -all", i)));
  }
  EXPECT_EQ(by_count.size(), 1u) << "the fourth record found the cache full";

  const std::string text = "v=spf1 a:host.example.org -all";  // 30 bytes
  RecordCache by_bytes(100, 70);
  ASSERT_TRUE(by_bytes.parse(text));
  ASSERT_TRUE(by_bytes.parse(text + " "));
  EXPECT_EQ(by_bytes.size(), 2u);
  ASSERT_TRUE(by_bytes.parse(text + "  "));
  EXPECT_EQ(by_bytes.size(), 1u) << "a third would pass 70 bytes";

  RecordCache tiny(100, 10);
  auto big = tiny.parse(text);
  ASSERT_TRUE(big) << "a record over the limit is parsed, just not kept";
  EXPECT_EQ((*big)->mechanisms.size(), 2u);
  EXPECT_EQ(tiny.size(), 0u);
}

TEST(RecordCache, ParsesFromManyThreads) {
  RecordCache cache(16);
  std::vector<std::thread> threads;
  std::vector<int> right(8, 0);
  for (std::size_t t = 0; t < 8; ++t) {
    threads.emplace_back([&cache, &right, t] {
      for (int i = 0; i < 500; ++i) {
        const int n = (i + static_cast<int>(t)) % 24;  // more texts than fit: clears race finds
        auto parsed = cache.parse(fmt::format("v=spf1 a:host{}.example.org -all", n));
        right[t] += parsed && (*parsed)->mechanisms.front().domain_spec ==
                                  fmt::format("host{}.example.org", n)
                        ? 1
                        : 0;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(right, std::vector<int>(8, 500));
  EXPECT_LE(cache.size(), 16u);
}

}  // namespace
}  // namespace cqlist::auth::spf
