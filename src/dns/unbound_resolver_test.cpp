// Runs the production resolver against a real unbound server on loopback (see
// testing/unbound_server.hpp), with the same zone data the StaticResolver tests use.
#include "dns/unbound_resolver.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "dns/static_resolver.hpp"
#include "dns/testing/unbound_server.hpp"

namespace cqlist::dns {
namespace {

constexpr std::string_view kZone = R"(
example.org 600 TXT "v=spf1 ip4:192.0.2.0/24" " -all"
example.org TXT "odd \"quote\" 'single' back\\slash \007bell"
example.org A 192.0.2.1
example.org A 192.0.2.2
example.org AAAA 2001:db8::1
example.org MX 10 mx1.example.org.
example.org MX 20 mx2.example.org
example.org NS ns.example.org
example.org SOA ns.example.org. hostmaster.example.org. 2024010101
_25._tcp.mx1.example.org TLSA 3 1 1 0a1b2c3d
alias.example.org CNAME example.org
alias2.example.org CNAME alias.example.org
dangling.example.org CNAME nowhere.example.org
a.b.deep.example.org A 192.0.2.3
host.cq.test A 192.0.2.77
1.2.0.192.in-addr.arpa PTR mail.example.org
1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa PTR v6.example.org
1.0.0.10.in-addr.arpa PTR private.example.org
slow.example.org TIMEOUT
broken.example.org SERVFAIL
)";

class UnboundResolverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto zone = StaticResolver::from_zone(kZone);
    ASSERT_TRUE(zone) << zone.error().describe();
    auto started = testing::UnboundServer::start(*zone);
    ASSERT_TRUE(started) << started.error().describe();
    server_ = started->release();
  }

  static void TearDownTestSuite() {
    delete server_;  // SIGTERM to the unbound PID, then waitpid
    server_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(server_, nullptr); }

  static std::unique_ptr<UnboundResolver> resolver(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000),
      std::string trust_anchor_file = "", std::size_t cache_entries = 10000) {
    UnboundOptions options;
    options.forwarders.push_back(server_->forwarder());
    options.timeout = timeout;
    options.trust_anchor_file = std::move(trust_anchor_file);
    options.cache_entries = cache_entries;
    auto created = UnboundResolver::create(options);
    EXPECT_TRUE(created) << created.error().describe();
    return created ? std::move(*created) : nullptr;
  }

  static testing::UnboundServer* server_;
};

testing::UnboundServer* UnboundResolverTest::server_ = nullptr;

TEST_F(UnboundResolverTest, TxtStringsStaySeparate) {
  auto dns = resolver();
  Answer answer = dns->query("EXAMPLE.org.", RecordType::txt);
  ASSERT_EQ(answer.status, Status::answer) << answer.problem;
  EXPECT_EQ(answer.security, Security::insecure);
  EXPECT_EQ(answer.canonical_name, "example.org");
  EXPECT_GT(answer.ttl, 0u);
  EXPECT_LE(answer.ttl, 600u);
  auto txts = answer.all<TxtRecord>();
  ASSERT_EQ(txts.size(), 2u);
  // Record order within an RRset is not fixed.
  const TxtRecord& spf = txts[0].strings.size() == 2 ? txts[0] : txts[1];
  const TxtRecord& odd = txts[0].strings.size() == 2 ? txts[1] : txts[0];
  EXPECT_EQ(spf.strings, (std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24", " -all"}));
  EXPECT_EQ(spf.joined(), "v=spf1 ip4:192.0.2.0/24 -all");
  EXPECT_EQ(odd.strings, std::vector<std::string>{"odd \"quote\" 'single' back\\slash \abell"});
}

TEST_F(UnboundResolverTest, EveryRecordType) {
  auto dns = resolver();
  auto sorted = [](std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    return values;
  };
  Answer a = dns->query("example.org", RecordType::a);
  ASSERT_EQ(a.status, Status::answer) << a.problem;
  std::vector<std::string> addresses;
  for (const auto& address : a.all<IpAddress>()) {
    addresses.push_back(address.to_string());
  }
  EXPECT_EQ(sorted(addresses), (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(dns->query("example.org", RecordType::aaaa).all<IpAddress>(),
            std::vector<IpAddress>{*IpAddress::parse("2001:db8::1")});
  auto mx = dns->query("example.org", RecordType::mx).all<MxRecord>();
  std::sort(mx.begin(), mx.end(),
            [](const MxRecord& x, const MxRecord& y) { return x.preference < y.preference; });
  EXPECT_EQ(mx, (std::vector<MxRecord>{{10, "mx1.example.org"}, {20, "mx2.example.org"}}));
  EXPECT_EQ(dns->query("example.org", RecordType::ns).all<std::string>(),
            std::vector<std::string>{"ns.example.org"});
  EXPECT_EQ(dns->query("example.org", RecordType::soa).all<SoaRecord>(),
            (std::vector<SoaRecord>{{"ns.example.org", "hostmaster.example.org", 2024010101}}));
  EXPECT_EQ(dns->query("_25._tcp.mx1.example.org", RecordType::tlsa).all<TlsaRecord>(),
            (std::vector<TlsaRecord>{{3, 1, 1, std::string("\x0a\x1b\x2c\x3d", 4)}}));
  EXPECT_EQ(dns->query("alias2.example.org", RecordType::cname).all<std::string>(),
            std::vector<std::string>{"alias.example.org"});
}

TEST_F(UnboundResolverTest, BuiltInLocalZonesAreForwarded) {
  auto dns = resolver();
  // Without "nodefault" libunbound would answer these NXDOMAIN itself (RFC 6761 test.,
  // TEST-NET-1, 2001:db8::/32, RFC 1918).
  Answer ptr = dns->query(IpAddress::parse("192.0.2.1")->reverse_name(), RecordType::ptr);
  EXPECT_EQ(ptr.all<std::string>(), std::vector<std::string>{"mail.example.org"}) << ptr.problem;
  EXPECT_EQ(dns->query(IpAddress::parse("2001:db8::1")->reverse_name(), RecordType::ptr)
                .all<std::string>(),
            std::vector<std::string>{"v6.example.org"});
  EXPECT_EQ(
      dns->query(IpAddress::parse("10.0.0.1")->reverse_name(), RecordType::ptr).all<std::string>(),
      std::vector<std::string>{"private.example.org"});
  EXPECT_EQ(dns->query("host.cq.test", RecordType::a).all<IpAddress>(),
            std::vector<IpAddress>{*IpAddress::parse("192.0.2.77")});
}

TEST_F(UnboundResolverTest, CnameChains) {
  auto dns = resolver();
  Answer answer = dns->query("alias2.example.org", RecordType::a);
  ASSERT_EQ(answer.status, Status::answer) << answer.problem;
  EXPECT_EQ(answer.canonical_name, "example.org");
  EXPECT_EQ(answer.all<IpAddress>().size(), 2u);
  Answer dangling = dns->query("dangling.example.org", RecordType::txt);
  EXPECT_EQ(dangling.status, Status::nxdomain);
  EXPECT_EQ(dangling.canonical_name, "nowhere.example.org");
}

TEST_F(UnboundResolverTest, NxdomainAndNodata) {
  auto dns = resolver();
  EXPECT_EQ(dns->query("missing.example.org", RecordType::a).status, Status::nxdomain);
  EXPECT_EQ(dns->query("example.org", RecordType::ptr).status, Status::nodata);
  EXPECT_EQ(dns->query("b.deep.example.org", RecordType::a).status, Status::nodata);
}

TEST_F(UnboundResolverTest, Servfail) {
  auto dns = resolver();
  Answer answer = dns->query("broken.example.org", RecordType::txt);
  EXPECT_EQ(answer.status, Status::servfail);
  EXPECT_FALSE(answer.problem.empty());
}

TEST_F(UnboundResolverTest, TimeoutCancelsTheQuery) {
  auto dns = resolver(std::chrono::milliseconds(300));
  auto start = std::chrono::steady_clock::now();
  Answer answer = dns->query("slow.example.org", RecordType::txt);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(answer.status, Status::timeout);
  EXPECT_NE(answer.problem.find("300 ms"), std::string::npos) << answer.problem;
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500));
  // The resolver stays usable after a cancelled query.
  EXPECT_EQ(dns->query("example.org", RecordType::a).status, Status::answer);
}

TEST_F(UnboundResolverTest, ConcurrentQueriesFromManyThreads) {
  // Without the answer cache, so every query goes through libunbound's threads.
  auto dns = resolver(std::chrono::milliseconds(3000), "", 0);
  std::vector<std::thread> threads;
  std::vector<int> answered(4, 0);
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&dns, &answered, t] {
      for (int i = 0; i < 50; ++i) {
        RecordType type = i % 2 == 0 ? RecordType::a : RecordType::txt;
        answered[t] += dns->query("alias.example.org", type).ok() ? 1 : 0;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (int count : answered) {
    EXPECT_EQ(count, 50);
  }
}

TEST_F(UnboundResolverTest, TimeoutsAndAnswersInterleaved) {
  // Cancellation races with delivery; run both paths side by side (meant for ASan builds),
  // without the answer cache so the answers come through libunbound every time.
  auto dns = resolver(std::chrono::milliseconds(40), "", 0);
  std::vector<std::thread> threads;
  std::vector<int> timeouts(4, 0);
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&dns, &timeouts, t] {
      for (int i = 0; i < 5; ++i) {
        std::string name = t % 2 == 0 ? fmt::format("n{}.slow.example.org", i) : "example.org";
        timeouts[t] += dns->query(name, RecordType::a).status == Status::timeout ? 1 : 0;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(timeouts, (std::vector<int>{5, 0, 5, 0}));
}

TEST_F(UnboundResolverTest, TrustAnchorMakesUnsignedDataBogus) {
  // A DS for example.org that no key matches: the unsigned zone cannot validate (RFC 4035
  // §5), while names outside the anchored zone stay insecure.
  std::string anchor = server_->directory() + "/anchor.ds";
  std::ofstream(anchor) << "example.org. IN DS 12345 13 2 "
                           "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";
  auto dns = resolver(std::chrono::milliseconds(3000), anchor);
  Answer bogus = dns->query("example.org", RecordType::a);
  EXPECT_EQ(bogus.status, Status::servfail);
  EXPECT_EQ(bogus.security, Security::bogus);
  EXPECT_TRUE(bogus.records.empty());
  EXPECT_NE(bogus.problem.find("DNSSEC validation failed"), std::string::npos) << bogus.problem;
  Answer outside = dns->query("host.cq.test", RecordType::a);
  EXPECT_EQ(outside.status, Status::answer) << outside.problem;
  EXPECT_EQ(outside.security, Security::insecure);
}

TEST_F(UnboundResolverTest, RepeatedQueriesAreAnsweredFromTheCache) {
  auto dns = resolver();
  Answer first = dns->query("example.org", RecordType::mx);
  ASSERT_EQ(first.status, Status::answer) << first.problem;
  Answer second = dns->query("EXAMPLE.ORG.", RecordType::mx);
  EXPECT_EQ(second.status, Status::answer);
  EXPECT_EQ(second.records, first.records);
  EXPECT_EQ(second.canonical_name, "example.org");
  EXPECT_EQ(second.security, Security::insecure);
  EXPECT_GT(second.ttl, 0u);
  EXPECT_LE(second.ttl, first.ttl);
  const AnswerCache::Stats stats = dns->cache_stats();
  EXPECT_EQ(stats.misses, 1u) << "only the first query went to libunbound";
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST_F(UnboundResolverTest, NegativeAnswersAreCached) {
  auto dns = resolver();
  Answer nxdomain = dns->query("missing.example.org", RecordType::a);
  ASSERT_EQ(nxdomain.status, Status::nxdomain);
  // The server's negative TTL (RFC 2308: the SOA's TTL and minimum, 300 s here).
  EXPECT_GT(nxdomain.ttl, 0u);
  EXPECT_LE(nxdomain.ttl, 300u);
  EXPECT_EQ(dns->query("missing.example.org", RecordType::a).status, Status::nxdomain);
  EXPECT_EQ(dns->query("example.org", RecordType::ptr).status, Status::nodata);
  EXPECT_EQ(dns->query("example.org", RecordType::ptr).status, Status::nodata);
  EXPECT_EQ(dns->cache_stats().misses, 2u);
  EXPECT_EQ(dns->cache_stats().hits, 2u);
}

TEST_F(UnboundResolverTest, ServfailAndTimeoutsAreNotCached) {
  auto dns = resolver(std::chrono::milliseconds(300));
  EXPECT_EQ(dns->query("broken.example.org", RecordType::txt).status, Status::servfail);
  EXPECT_EQ(dns->query("broken.example.org", RecordType::txt).status, Status::servfail);
  EXPECT_EQ(dns->query("slow.example.org", RecordType::txt).status, Status::timeout);
  EXPECT_EQ(dns->query("slow.example.org", RecordType::txt).status, Status::timeout);
  const AnswerCache::Stats stats = dns->cache_stats();
  EXPECT_EQ(stats.misses, 4u) << "every query was asked again";
  EXPECT_EQ(stats.hits, 0u);
  EXPECT_EQ(stats.entries, 0u);
}

TEST_F(UnboundResolverTest, CachedQueriesFromEightThreads) {
  auto dns = resolver();
  const std::vector<std::pair<std::string, RecordType>> questions = {
      {"example.org", RecordType::a},        {"example.org", RecordType::txt},
      {"alias2.example.org", RecordType::a}, {"missing.example.org", RecordType::a},
      {"example.org", RecordType::ptr},      {"a.b.deep.example.org", RecordType::a},
      {"example.org", RecordType::mx},       {"example.org", RecordType::aaaa},
  };
  const std::vector<Status> expected = {Status::answer,   Status::answer, Status::answer,
                                        Status::nxdomain, Status::nodata, Status::answer,
                                        Status::answer,   Status::answer};
  std::vector<std::thread> threads;
  std::vector<int> right(8, 0);
  for (std::size_t t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < 200; ++i) {
        const std::size_t q = (i + t) % questions.size();
        Answer answer = dns->query(questions[q].first, questions[q].second);
        right[t] += answer.status == expected[q] ? 1 : 0;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(right, std::vector<int>(8, 200));
  const AnswerCache::Stats stats = dns->cache_stats();
  EXPECT_EQ(stats.hits + stats.misses, 8u * 200u);
  // At worst every thread misses each question once, before the first answer is stored.
  EXPECT_LE(stats.misses, 8u * questions.size());
  EXPECT_EQ(stats.entries, questions.size());
}

TEST_F(UnboundResolverTest, TheCacheCanBeTurnedOff) {
  UnboundOptions options;
  options.forwarders.push_back(server_->forwarder());
  options.cache_entries = 0;
  auto created = UnboundResolver::create(options);
  ASSERT_TRUE(created) << created.error().describe();
  EXPECT_EQ((*created)->query("example.org", RecordType::a).status, Status::answer);
  EXPECT_EQ((*created)->query("example.org", RecordType::a).status, Status::answer);
  const AnswerCache::Stats stats = (*created)->cache_stats();
  EXPECT_EQ(stats.hits + stats.misses + stats.entries, 0u);
}

TEST(UnboundResolverCache, AnswersWithoutTheServerUntilTheTtlRunsOut) {
  auto zone = StaticResolver::from_zone(R"(
short.cache.test 1 A 192.0.2.10
long.cache.test 600 TXT "v=spf1 -all"
)");
  ASSERT_TRUE(zone) << zone.error().describe();
  auto server = testing::UnboundServer::start(*zone);
  ASSERT_TRUE(server) << server.error().describe();
  UnboundOptions options;
  options.forwarders.push_back((*server)->forwarder());
  options.timeout = std::chrono::milliseconds(500);
  auto created = UnboundResolver::create(options);
  ASSERT_TRUE(created) << created.error().describe();
  UnboundResolver& dns = **created;
  ASSERT_EQ(dns.query("short.cache.test", RecordType::a).status, Status::answer);
  ASSERT_EQ(dns.query("long.cache.test", RecordType::txt).status, Status::answer);
  ASSERT_EQ(dns.query("missing.cache.test", RecordType::a).status, Status::nxdomain);
  const auto asked = std::chrono::steady_clock::now();

  server->reset();  // SIGTERM and wait: nothing answers on that port any more
  Answer short_lived = dns.query("short.cache.test", RecordType::a);
  // Unless this thread stalled for the whole second, the answer is still fresh.
  if (std::chrono::steady_clock::now() - asked < std::chrono::milliseconds(900)) {
    EXPECT_EQ(short_lived.status, Status::answer) << short_lived.problem;
    EXPECT_EQ(short_lived.all<IpAddress>(),
              std::vector<IpAddress>{*IpAddress::parse("192.0.2.10")});
  }
  EXPECT_EQ(dns.query("long.cache.test", RecordType::txt).all<TxtRecord>(),
            std::vector<TxtRecord>{TxtRecord{{"v=spf1 -all"}}});
  EXPECT_EQ(dns.query("missing.cache.test", RecordType::a).status, Status::nxdomain);

  // libunbound counts TTLs in whole seconds, so its own copy may live up to a second longer.
  std::this_thread::sleep_until(asked + std::chrono::milliseconds(2500));
  Answer expired = dns.query("short.cache.test", RecordType::a);
  EXPECT_TRUE(expired.status == Status::servfail || expired.status == Status::timeout)
      << status_name(expired.status) << ": " << expired.problem;
  EXPECT_EQ(dns.query("long.cache.test", RecordType::txt).status, Status::answer);
  EXPECT_EQ(dns.cache_stats().misses, 4u) << "three first queries and the expired one";
}

TEST(ParseResolverAddress, Forms) {
  EXPECT_EQ(parse_resolver_address("127.0.0.1@5353")->forwarders,
            std::vector<std::string>{"127.0.0.1@5353"});
  EXPECT_EQ(parse_resolver_address("192.0.2.53")->forwarders,
            std::vector<std::string>{"192.0.2.53@53"});
  EXPECT_EQ(parse_resolver_address("::1@53")->forwarders, std::vector<std::string>{"::1@53"});
  EXPECT_EQ(parse_resolver_address("2001:DB8:0::35")->forwarders,
            std::vector<std::string>{"2001:db8::35@53"});
  for (const char* bad : {"", "localhost", "127.0.0.1@", "127.0.0.1@0", "127.0.0.1@65536",
                          "127.0.0.1@53x", "[::1]:53", "127.0.0.1:53"}) {
    auto parsed = parse_resolver_address(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), Errc::bad_syntax);
  }
}

TEST(UnboundResolver, RejectsBadOptions) {
  UnboundOptions options;
  options.forwarders.push_back("not an address");
  EXPECT_FALSE(UnboundResolver::create(options));
  UnboundOptions missing_anchor;
  missing_anchor.forwarders.push_back("127.0.0.1@53");
  missing_anchor.trust_anchor_file = "/nonexistent/anchor";
  EXPECT_FALSE(UnboundResolver::create(missing_anchor));
}

}  // namespace
}  // namespace cqlist::dns
