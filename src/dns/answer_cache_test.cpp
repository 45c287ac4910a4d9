// The in-process answer cache on its own, with a clock the tests move by hand.
#include "dns/answer_cache.hpp"

#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace cqlist::dns {
namespace {

class AnswerCacheTest : public ::testing::Test {
 protected:
  AnswerCache cache(std::size_t capacity = 100) {
    return AnswerCache(capacity, std::chrono::seconds(60), [this] { return now_; });
  }

  void advance(std::chrono::milliseconds by) { now_ += by; }

  static Answer txt_answer(std::uint32_t ttl, std::string text = "v=spf1 -all") {
    Answer answer;
    answer.status = Status::answer;
    answer.security = Security::secure;
    answer.canonical_name = "example.org";
    answer.ttl = ttl;
    answer.records.push_back(TxtRecord{{std::move(text)}});
    answer.problem = "ignored a malformed TXT record: test";
    return answer;
  }

  static Answer negative(Status status, std::uint32_t ttl) {
    Answer answer;
    answer.status = status;
    answer.canonical_name = "missing.example.org";
    answer.ttl = ttl;
    return answer;
  }

  AnswerCache::Clock::time_point now_{std::chrono::hours(1)};
};

TEST_F(AnswerCacheTest, KeepsAnAnswerForItsTtl) {
  AnswerCache answers = cache();
  EXPECT_FALSE(answers.find("example.org", RecordType::txt));
  answers.store("example.org", RecordType::txt, txt_answer(300));

  auto hit = answers.find("EXAMPLE.org.", RecordType::txt);  // the name is normalized
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->status, Status::answer);
  EXPECT_EQ(hit->security, Security::secure);
  EXPECT_EQ(hit->canonical_name, "example.org");
  EXPECT_EQ(hit->problem, "ignored a malformed TXT record: test");
  EXPECT_EQ(hit->all<TxtRecord>(), std::vector<TxtRecord>{TxtRecord{{"v=spf1 -all"}}});
  EXPECT_EQ(hit->ttl, 300u);
  EXPECT_FALSE(answers.find("example.org", RecordType::a)) << "the type is part of the key";

  advance(std::chrono::milliseconds(100'500));
  ASSERT_TRUE(answers.find("example.org", RecordType::txt));
  EXPECT_EQ(answers.find("example.org", RecordType::txt)->ttl, 200u) << "what is left, rounded up";
  advance(std::chrono::milliseconds(199'499));
  EXPECT_TRUE(answers.find("example.org", RecordType::txt));
  advance(std::chrono::milliseconds(1));
  EXPECT_FALSE(answers.find("example.org", RecordType::txt)) << "expired at exactly 300 s";

  const AnswerCache::Stats stats = answers.stats();
  EXPECT_EQ(stats.hits, 4u);
  EXPECT_EQ(stats.misses, 3u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST_F(AnswerCacheTest, AnExpiredEntryIsReplacedByTheNextAnswer) {
  AnswerCache answers = cache();
  answers.store("example.org", RecordType::txt, txt_answer(10, "old"));
  advance(std::chrono::seconds(11));
  answers.store("example.org", RecordType::txt, txt_answer(10, "new"));
  auto hit = answers.find("example.org", RecordType::txt);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->all<TxtRecord>().front().joined(), "new");
  EXPECT_EQ(answers.stats().entries, 1u);
}

TEST_F(AnswerCacheTest, NegativeAnswersUseTheirTtlOrTheFallback) {
  AnswerCache answers = cache();
  answers.store("missing.example.org", RecordType::a, negative(Status::nxdomain, 5));
  answers.store("example.org", RecordType::ptr, negative(Status::nodata, 0));
  ASSERT_TRUE(answers.find("missing.example.org", RecordType::a));
  EXPECT_EQ(answers.find("missing.example.org", RecordType::a)->status, Status::nxdomain);
  EXPECT_EQ(answers.find("example.org", RecordType::ptr)->status, Status::nodata);

  advance(std::chrono::seconds(5));
  EXPECT_FALSE(answers.find("missing.example.org", RecordType::a));
  advance(std::chrono::seconds(54));
  EXPECT_TRUE(answers.find("example.org", RecordType::ptr)) << "fallback 60 s";
  advance(std::chrono::seconds(1));
  EXPECT_FALSE(answers.find("example.org", RecordType::ptr));
}

TEST_F(AnswerCacheTest, FailuresAndZeroTtlAnswersAreNotKept) {
  AnswerCache answers = cache();
  Answer servfail = negative(Status::servfail, 300);
  servfail.problem = "the DNS server answered rcode 2";
  answers.store("broken.example.org", RecordType::txt, servfail);
  Answer bogus = servfail;
  bogus.security = Security::bogus;
  answers.store("bogus.example.org", RecordType::txt, bogus);
  answers.store("slow.example.org", RecordType::txt, negative(Status::timeout, 300));
  answers.store("example.org", RecordType::txt, txt_answer(0));
  EXPECT_FALSE(answers.find("broken.example.org", RecordType::txt));
  EXPECT_FALSE(answers.find("bogus.example.org", RecordType::txt));
  EXPECT_FALSE(answers.find("slow.example.org", RecordType::txt));
  EXPECT_FALSE(answers.find("example.org", RecordType::txt));
  EXPECT_EQ(answers.stats().entries, 0u);
}

TEST_F(AnswerCacheTest, WhenFullTheOldestEntryGoes) {
  AnswerCache answers = cache(3);
  for (int i = 0; i < 5; ++i) {
    answers.store(fmt::format("n{}.example.org", i), RecordType::a, txt_answer(300));
  }
  EXPECT_EQ(answers.stats().entries, 3u);
  EXPECT_FALSE(answers.find("n0.example.org", RecordType::a));
  EXPECT_FALSE(answers.find("n1.example.org", RecordType::a));
  for (int i = 2; i < 5; ++i) {
    EXPECT_TRUE(answers.find(fmt::format("n{}.example.org", i), RecordType::a)) << i;
  }
  // Storing a name again makes it the newest.
  answers.store("n2.example.org", RecordType::a, txt_answer(300));
  answers.store("n5.example.org", RecordType::a, txt_answer(300));
  EXPECT_TRUE(answers.find("n2.example.org", RecordType::a));
  EXPECT_FALSE(answers.find("n3.example.org", RecordType::a));
}

TEST_F(AnswerCacheTest, CapacityZeroKeepsNothing) {
  AnswerCache answers = cache(0);
  answers.store("example.org", RecordType::txt, txt_answer(300));
  EXPECT_FALSE(answers.find("example.org", RecordType::txt));
}

TEST(AnswerCache, ConcurrentStoresAndFinds) {
  // Meant for TSan/ASan builds as much as for the counts.
  AnswerCache answers(50);
  std::vector<std::thread> threads;
  std::vector<int> found(8, 0);
  for (std::size_t t = 0; t < 8; ++t) {
    threads.emplace_back([&answers, &found, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string name = fmt::format("n{}.example.org", i % 80);
        if (auto hit = answers.find(name, RecordType::a)) {
          found[t] += hit->canonical_name == name ? 1 : 0;
        } else {
          Answer answer;
          answer.status = Status::answer;
          answer.canonical_name = name;
          answer.ttl = 300;
          answer.records.push_back(*IpAddress::parse("192.0.2.1"));
          answers.store(name, RecordType::a, answer);
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  const AnswerCache::Stats stats = answers.stats();
  EXPECT_EQ(stats.hits + stats.misses, 8u * 2000u);
  EXPECT_LE(stats.entries, 50u);
  std::uint64_t total_found = 0;
  for (int count : found) {
    total_found += static_cast<std::uint64_t>(count);
  }
  EXPECT_EQ(total_found, stats.hits) << "every hit was the answer stored for that name";
}

}  // namespace
}  // namespace cqlist::dns
