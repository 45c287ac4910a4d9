#include "dns/static_resolver.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace cqlist::dns {
namespace {

constexpr std::string_view kZone = R"(
# comment
; another comment
example.org TXT "v=spf1 ip4:192.0.2.0/24" " -all"
example.org TXT bare
Example.ORG. 600 IN A 192.0.2.1
example.org A 192.0.2.2
example.org AAAA 2001:DB8::1
example.org MX 10 mx1.example.org.
example.org MX 20 mx2.example.org
example.org NS ns.example.org.
example.org SOA ns.example.org. hostmaster.example.org. 2024010101 3600 600 86400 300
1.2.0.192.in-addr.arpa PTR mail.example.org.
_25._tcp.mx1.example.org TLSA 3 1 1 0a1B2c
escaped.example.org TXT "a \"quoted\" word" "semi\059colon" "back\\slash"
alias.example.org CNAME example.org.
alias2.example.org CNAME alias.example.org
dangling.example.org CNAME nowhere.example.org
loop1.example.org CNAME loop2.example.org
loop2.example.org CNAME loop1.example.org
slow.example.org TIMEOUT
broken.example.org SERVFAIL
half.example.org A 192.0.2.9
half.example.org TIMEOUT TXT
a.b.deep.example.org A 192.0.2.3
)";

StaticResolver zone() {
  auto resolver = StaticResolver::from_zone(kZone);
  EXPECT_TRUE(resolver) << (resolver ? "" : resolver.error().describe());
  return resolver ? *resolver : StaticResolver();
}

TEST(StaticResolver, TxtKeepsStringsApart) {
  auto resolver = zone();
  Answer answer = resolver.query("example.org", RecordType::txt);
  ASSERT_EQ(answer.status, Status::answer);
  auto txts = answer.all<TxtRecord>();
  ASSERT_EQ(txts.size(), 2u);
  EXPECT_EQ(txts[0].strings, (std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24", " -all"}));
  EXPECT_EQ(txts[0].joined(), "v=spf1 ip4:192.0.2.0/24 -all");
  EXPECT_EQ(txts[1].strings, std::vector<std::string>{"bare"});
  EXPECT_EQ(answer.security, Security::insecure);
  EXPECT_EQ(answer.canonical_name, "example.org");

  auto escaped = resolver.query("escaped.example.org", RecordType::txt).all<TxtRecord>();
  ASSERT_EQ(escaped.size(), 1u);
  EXPECT_EQ(escaped[0].strings,
            (std::vector<std::string>{"a \"quoted\" word", "semi;colon", "back\\slash"}));
}

TEST(StaticResolver, EveryRecordType) {
  auto resolver = zone();
  Answer a = resolver.query("EXAMPLE.org.", RecordType::a);
  ASSERT_EQ(a.status, Status::answer);
  EXPECT_EQ(a.all<IpAddress>(), (std::vector<IpAddress>{*IpAddress::parse("192.0.2.1"),
                                                        *IpAddress::parse("192.0.2.2")}));
  EXPECT_EQ(a.ttl, 300u);
  EXPECT_EQ(resolver.query("example.org", RecordType::aaaa).all<IpAddress>(),
            std::vector<IpAddress>{*IpAddress::parse("2001:db8::1")});
  EXPECT_EQ(resolver.query("example.org", RecordType::mx).all<MxRecord>(),
            (std::vector<MxRecord>{{10, "mx1.example.org"}, {20, "mx2.example.org"}}));
  EXPECT_EQ(resolver.query("example.org", RecordType::ns).all<std::string>(),
            std::vector<std::string>{"ns.example.org"});
  EXPECT_EQ(resolver.query("example.org", RecordType::soa).all<SoaRecord>(),
            (std::vector<SoaRecord>{{"ns.example.org", "hostmaster.example.org", 2024010101}}));
  EXPECT_EQ(resolver.query("1.2.0.192.in-addr.arpa", RecordType::ptr).all<std::string>(),
            std::vector<std::string>{"mail.example.org"});
  EXPECT_EQ(resolver.query("_25._tcp.mx1.example.org", RecordType::tlsa).all<TlsaRecord>(),
            (std::vector<TlsaRecord>{{3, 1, 1, std::string("\x0a\x1b\x2c", 3)}}));
}

TEST(StaticResolver, NxdomainVersusNodata) {
  auto resolver = zone();
  EXPECT_EQ(resolver.query("missing.example.org", RecordType::a).status, Status::nxdomain);
  EXPECT_EQ(resolver.query("example.org", RecordType::tlsa).status, Status::nodata);
  // An empty non-terminal exists (RFC 8020).
  EXPECT_EQ(resolver.query("b.deep.example.org", RecordType::a).status, Status::nodata);
  EXPECT_EQ(resolver.query("deep.example.org", RecordType::txt).status, Status::nodata);
  EXPECT_EQ(resolver.query("eep.example.org", RecordType::txt).status, Status::nxdomain);
}

TEST(StaticResolver, FollowsCnames) {
  auto resolver = zone();
  Answer answer = resolver.query("alias2.example.org", RecordType::a);
  ASSERT_EQ(answer.status, Status::answer);
  EXPECT_EQ(answer.canonical_name, "example.org");
  EXPECT_EQ(answer.all<IpAddress>().size(), 2u);
  // Asking for the CNAME itself does not follow it.
  Answer cname = resolver.query("alias2.example.org", RecordType::cname);
  EXPECT_EQ(cname.all<std::string>(), std::vector<std::string>{"alias.example.org"});
  EXPECT_EQ(cname.canonical_name, "alias2.example.org");

  Answer dangling = resolver.query("dangling.example.org", RecordType::txt);
  EXPECT_EQ(dangling.status, Status::nxdomain);
  EXPECT_EQ(dangling.canonical_name, "nowhere.example.org");

  Answer loop = resolver.query("loop1.example.org", RecordType::a);
  EXPECT_EQ(loop.status, Status::servfail);
  EXPECT_TRUE(loop.records.empty());
  EXPECT_NE(loop.problem.find("CNAME chain"), std::string::npos) << loop.problem;
}

TEST(StaticResolver, InjectedFailures) {
  auto resolver = zone();
  Answer slow = resolver.query("slow.example.org", RecordType::txt);
  EXPECT_EQ(slow.status, Status::timeout);
  EXPECT_FALSE(slow.problem.empty());
  EXPECT_EQ(resolver.query("Broken.example.org", RecordType::mx).status, Status::servfail);
  EXPECT_EQ(resolver.query("half.example.org", RecordType::txt).status, Status::timeout);
  EXPECT_EQ(resolver.query("half.example.org", RecordType::a).status, Status::answer);
}

TEST(StaticResolver, SecurityStates) {
  auto resolver = zone();
  resolver.set_security("example.org", Security::secure);
  EXPECT_EQ(resolver.query("example.org", RecordType::a).security, Security::secure);
  // alias2 and alias are insecure: the chain is only as strong as its weakest link.
  EXPECT_EQ(resolver.query("alias2.example.org", RecordType::a).security, Security::insecure);
  resolver.set_security("escaped.example.org", Security::bogus);
  Answer bogus = resolver.query("escaped.example.org", RecordType::txt);
  EXPECT_EQ(bogus.status, Status::servfail);
  EXPECT_EQ(bogus.security, Security::bogus);
  EXPECT_TRUE(bogus.records.empty());
}

TEST(StaticResolver, ProgrammaticAddAndQueryLog) {
  StaticResolver resolver;
  ASSERT_TRUE(resolver.add("x.test", RecordType::a, *IpAddress::parse("192.0.2.5"), 60));
  ASSERT_TRUE(resolver.add("x.test", RecordType::txt, TxtRecord{{"hello"}}));
  auto mismatch = resolver.add("x.test", RecordType::aaaa, *IpAddress::parse("192.0.2.5"));
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code(), Errc::invalid_argument);
  EXPECT_FALSE(resolver.add("x.test", RecordType::mx, std::string("mx.test")));
  Answer a = resolver.query("X.TEST.", RecordType::a);
  EXPECT_EQ(a.ttl, 60u);
  EXPECT_EQ(resolver.query("x.test", RecordType::txt).all<TxtRecord>()[0].joined(), "hello");
  EXPECT_EQ(resolver.queries(), (std::vector<std::string>{"x.test A", "x.test TXT"}));
  resolver.clear_queries();
  EXPECT_TRUE(resolver.queries().empty());
}

TEST(StaticResolver, RejectsBadZoneLines) {
  for (const char* line :
       {"x.test", "x.test A", "x.test A 2001:db8::1", "x.test AAAA 192.0.2.1",
        "x.test MX ten mx.test", "x.test TXT \"open", "x.test BOGUS 1", "x.test TLSA 3 1 1 abc",
        "x.test TLSA 3 1 1 zz", "x.test SOA a b c", "x.test TIMEOUT NOPE", "x.test 300"}) {
    StaticResolver resolver;
    EXPECT_FALSE(resolver.add_line(line)) << line;
  }
  auto bad = StaticResolver::from_zone("ok.test A 192.0.2.1\nbad.test A nope\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().describe().find("zone line 2"), std::string::npos)
      << bad.error().describe();
}

TEST(StaticResolver, ConcurrentQueries) {
  auto resolver = zone();
  std::vector<std::thread> threads;
  std::vector<int> answered(4, 0);
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&resolver, &answered, t] {
      for (int i = 0; i < 200; ++i) {
        answered[t] += resolver.query("alias.example.org", RecordType::a).ok() ? 1 : 0;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (int count : answered) {
    EXPECT_EQ(count, 200);
  }
  EXPECT_EQ(resolver.queries().size(), 800u);
}

}  // namespace
}  // namespace cqlist::dns
