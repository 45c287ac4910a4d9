// dns/testing/unbound_server_test.cpp: the test unbound server answers as StaticResolver does,
// around failing names in particular (children of a TIMEOUT or SERVFAIL name keep their
// records), and differs only where its header says it must.
#include "dns/testing/unbound_server.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "dns/static_resolver.hpp"
#include "dns/unbound_resolver.hpp"

namespace cqlist::dns {
namespace {

constexpr std::string_view kZone = R"(
sibling.example TXT "next to the failing names"
slow.example TXT "hidden by the timeout"
slow.example TIMEOUT
child.slow.example TXT "child of a TIMEOUT name"
leaf.inner.slow.example A 192.0.2.1
deeper.slow.example TIMEOUT
kept.deeper.slow.example A 192.0.2.2
partial.example TXT "v=spf1 -all"
partial.example TIMEOUT A
partial.example TIMEOUT AAAA
partial.example TIMEOUT MX
partial.example TIMEOUT PTR
below.partial.example TXT "child of a partly failing name"
broken.example SERVFAIL
child.broken.example A 192.0.2.3
half.example A 192.0.2.4
half.example SERVFAIL TXT
half.example SERVFAIL MX
)";

struct Probe {
  const char* name;
  RecordType type;
};

class UnboundServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto zone = StaticResolver::from_zone(kZone);
    ASSERT_TRUE(zone) << zone.error().describe();
    zone_ = new StaticResolver(*zone);
    auto started = testing::UnboundServer::start(*zone_);
    ASSERT_TRUE(started) << started.error().describe();
    server_ = started->release();
  }

  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete zone_;
    zone_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    UnboundOptions options;
    options.forwarders.push_back(server_->forwarder());
    options.timeout = std::chrono::milliseconds(300);
    auto created = UnboundResolver::create(options);
    ASSERT_TRUE(created) << created.error().describe();
    resolver_ = std::move(*created);
  }

  static StaticResolver* zone_;
  static testing::UnboundServer* server_;
  std::unique_ptr<UnboundResolver> resolver_;
};

StaticResolver* UnboundServerTest::zone_ = nullptr;
testing::UnboundServer* UnboundServerTest::server_ = nullptr;

TEST_F(UnboundServerTest, AnswersAsTheStaticZoneDoes) {
  const Probe probes[] = {
      {"sibling.example", RecordType::txt},
      {"sibling.example", RecordType::a},
      {"slow.example", RecordType::a},
      {"slow.example", RecordType::txt},
      {"child.slow.example", RecordType::txt},
      {"child.slow.example", RecordType::a},
      {"inner.slow.example", RecordType::a},  // an empty non-terminal below a TIMEOUT name
      {"leaf.inner.slow.example", RecordType::a},
      {"nothing.child.slow.example", RecordType::a},
      {"deeper.slow.example", RecordType::a},
      {"kept.deeper.slow.example", RecordType::a},
      {"kept.deeper.slow.example", RecordType::txt},
      {"partial.example", RecordType::txt},
      {"partial.example", RecordType::a},
      {"partial.example", RecordType::mx},
      {"below.partial.example", RecordType::txt},
      {"below.partial.example", RecordType::aaaa},
      {"broken.example", RecordType::a},
      {"child.broken.example", RecordType::a},
      {"child.broken.example", RecordType::txt},
      {"half.example", RecordType::a},
      {"half.example", RecordType::txt},
      {"half.example", RecordType::mx},
      {"missing.example", RecordType::a},
  };
  int timeouts = 0;
  for (const Probe& probe : probes) {
    const std::string what = fmt::format("{} {}", probe.name, record_type_name(probe.type));
    const Answer expected = zone_->query(probe.name, probe.type);
    const Answer got = resolver_->query(probe.name, probe.type);
    EXPECT_EQ(status_name(got.status), status_name(expected.status)) << what << ": " << got.problem;
    EXPECT_EQ(got.records, expected.records) << what;
    timeouts += expected.status == Status::timeout ? 1 : 0;
  }
  // The probes cover every outcome around the failing names.
  EXPECT_EQ(timeouts, 5);
  EXPECT_EQ(zone_->query("child.slow.example", RecordType::a).status, Status::nodata);
  EXPECT_EQ(zone_->query("nothing.child.slow.example", RecordType::a).status, Status::nxdomain);
  EXPECT_EQ(zone_->query("child.broken.example", RecordType::a).status, Status::answer);
  EXPECT_EQ(zone_->query("half.example", RecordType::mx).status, Status::servfail);
}

TEST_F(UnboundServerTest, TheTwoDocumentedDifferences) {
  // A failing name fails for every type it holds nothing of, not only the injected ones.
  EXPECT_EQ(zone_->query("half.example", RecordType::aaaa).status, Status::nodata);
  EXPECT_EQ(resolver_->query("half.example", RecordType::aaaa).status, Status::servfail);
  // Names below a failing name that hold nothing fail like it.
  EXPECT_EQ(zone_->query("nothing.slow.example", RecordType::a).status, Status::nxdomain);
  EXPECT_EQ(resolver_->query("nothing.slow.example", RecordType::a).status, Status::timeout);
  EXPECT_EQ(resolver_->query("nothing.broken.example", RecordType::a).status, Status::servfail);
}

TEST(UnboundConfig, GivesFailingNamesAndTheirChildrenTheirOwnZones) {
  auto zone = StaticResolver::from_zone(kZone);
  ASSERT_TRUE(zone) << zone.error().describe();
  const std::string conf = testing::unbound_config(*zone, 5353, "/tmp", {});
  for (const char* line : {
           "local-zone: \"slow.example.\" deny",
           "local-zone: \"deeper.slow.example.\" deny",
           "local-zone: \"child.slow.example.\" static",
           "local-zone: \"inner.slow.example.\" static",
           "local-zone: \"kept.deeper.slow.example.\" static",
           "local-zone: \"partial.example.\" deny",
           "local-zone: \"below.partial.example.\" static",
           "local-zone: \"broken.example.\" typetransparent",
           "local-zone: \"child.broken.example.\" static",
           "local-zone: \"half.example.\" typetransparent",
           "stub-zone:\n  name: \"broken.example.\"\n  stub-addr: 127.0.0.2",
           "local-data: 'partial.example. 300 IN TXT \"v=spf1 -all\"'",
       }) {
    EXPECT_NE(conf.find(line), std::string::npos) << line << "\n" << conf;
  }
  // The failure wins over the name's own records, as in StaticResolver.
  EXPECT_EQ(conf.find("hidden by the timeout"), std::string::npos) << conf;
  EXPECT_EQ(conf.find("local-zone: \"sibling.example.\""), std::string::npos) << conf;
  EXPECT_EQ(conf.find("local-zone: \"deeper.slow.example.\" static"), std::string::npos) << conf;
}

TEST(UnboundServer, RefusesTxtStringsDnsCannotCarry) {
  StaticResolver zone;
  ASSERT_TRUE(zone.add("long.example", RecordType::txt, TxtRecord{{std::string(256, 'k')}}));
  auto started = testing::UnboundServer::start(zone);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code(), Errc::invalid_argument);
  EXPECT_NE(started.error().message().find("TXT long.example has a 256-byte"), std::string::npos)
      << started.error().message();
}

}  // namespace
}  // namespace cqlist::dns
