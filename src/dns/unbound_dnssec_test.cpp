// dns/unbound_dnssec_test.cpp: DNSSEC through the production resolver. Zones are signed at run
// time (ldns-keygen and ldns-signzone, package ldnsutils: no key is committed), served by a real
// unbound from auth-zone files, and validated by UnboundResolver with the zones' DS records as
// trust anchors: signed answers are secure, a record changed after signing is bogus, names
// outside the anchors stay insecure.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "dns/static_resolver.hpp"
#include "dns/testing/unbound_server.hpp"
#include "dns/unbound_resolver.hpp"

namespace cqlist::dns {
namespace {

// Runs `argv` in `directory`; its standard output, or an error with everything it printed.
Result<std::string> run(const std::string& directory, const std::vector<std::string>& argv) {
  int out[2];
  if (pipe(out) != 0) {
    return fail(Errc::io, "pipe failed");
  }
  const pid_t pid = fork();
  if (pid < 0) {
    return fail(Errc::io, "fork failed");
  }
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(out[1], 2);
    close(out[0]);
    close(out[1]);
    std::vector<char*> args;
    for (const std::string& arg : argv) {
      args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    if (chdir(directory.c_str()) == 0) {
      execvp(args[0], args.data());
    }
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buffer[4096];
  ssize_t got = 0;
  while ((got = read(out[0], buffer, sizeof buffer)) > 0) {
    text.append(buffer, static_cast<std::size_t>(got));
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return fail(Errc::internal,
                fmt::format("{} failed (is ldnsutils installed? tools/install-deps.sh): {}",
                            argv[0], text));
  }
  return text;
}

Result<void> write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return out ? Result<void>{} : fail(Errc::io, "could not write " + path);
}

// Signs `zone` (records relative to it, zone-file syntax) with a new KSK and ZSK; returns the
// signed zone file's path and appends the KSK's DS record to `anchors`.
Result<std::string> sign_zone(const std::string& directory, const std::string& zone,
                              const std::string& records, std::string& anchors) {
  const std::string file = directory + "/" + zone + ".zone";
  CQLIST_TRY_VOID(
      write_text(file, fmt::format("$ORIGIN {0}.\n$TTL 300\n"
                                   "@ IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300\n"
                                   "@ IN NS ns.{0}.\nns IN A 127.0.0.1\n{1}",
                                   zone, records)));
  CQLIST_TRY(std::string ksk, run(directory, {"ldns-keygen", "-a", "ECDSAP256SHA256", "-k", zone}));
  CQLIST_TRY(std::string zsk, run(directory, {"ldns-keygen", "-a", "ECDSAP256SHA256", zone}));
  ksk = std::string(trim(ksk));
  zsk = std::string(trim(zsk));
  CQLIST_TRY_VOID(run(directory, {"ldns-signzone", file, zsk, ksk}));
  CQLIST_TRY(std::string ds, read_file(directory + "/" + ksk + ".ds"));
  anchors += ds;
  return file + ".signed";
}

std::vector<std::string> auth_zone(const std::string& zone, const std::string& file) {
  return {"auth-zone:",
          fmt::format("  name: \"{}.\"", zone),
          fmt::format("  zonefile: \"{}\"", file),
          "  for-downstream: yes",
          "  for-upstream: no",
          "  fallback-enabled: no"};
}

class UnboundDnssecTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/cqlist-dnssec-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = new std::string(pattern);
    anchors_ = new std::string(*directory_ + "/anchors.ds");
    std::string anchors;
    auto secure = sign_zone(*directory_, "secure.test",
                            "@ IN A 192.0.2.80\n"
                            "@ IN TXT \"v=spf1 ip4:192.0.2.80 -all\"\n"
                            "sel._domainkey IN TXT \"v=DKIM1; k=ed25519; \" "
                            "\"p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n",
                            anchors);
    ASSERT_TRUE(secure) << secure.error().describe();
    auto tampered = sign_zone(*directory_, "tampered.test", "@ IN A 192.0.2.81\n", anchors);
    ASSERT_TRUE(tampered) << tampered.error().describe();
    // Change the signed address afterwards: its RRSIG no longer matches.
    auto text = read_file(*tampered);
    ASSERT_TRUE(text);
    const std::size_t at = text->find("192.0.2.81");
    ASSERT_NE(at, std::string::npos);
    text->replace(at, 10, "192.0.2.66");
    ASSERT_TRUE(write_text(*tampered, *text));
    ASSERT_TRUE(write_text(*anchors_, anchors));

    auto zone = StaticResolver::from_zone("plain.test A 192.0.2.90\n");
    ASSERT_TRUE(zone);
    std::vector<std::string> clauses = auth_zone("secure.test", *secure);
    for (std::string& line : auth_zone("tampered.test", *tampered)) {
      clauses.push_back(std::move(line));
    }
    // The server's static root zone would answer NXDOMAIN first; transparent lets the
    // auth-zones answer.
    auto started = testing::UnboundServer::start(
        *zone,
        {"local-zone: \"secure.test.\" transparent", "local-zone: \"tampered.test.\" transparent"},
        clauses);
    ASSERT_TRUE(started) << started.error().describe();
    server_ = started->release();
  }

  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    if (directory_ != nullptr) {
      std::error_code ignored;
      std::filesystem::remove_all(*directory_, ignored);
    }
    delete directory_;
    delete anchors_;
  }

  void SetUp() override { ASSERT_NE(server_, nullptr); }

  static std::unique_ptr<UnboundResolver> resolver(bool validate = true) {
    UnboundOptions options;
    options.forwarders.push_back(server_->forwarder());
    options.timeout = std::chrono::milliseconds(5000);
    if (validate) {
      options.trust_anchor_file = *anchors_;
    }
    auto created = UnboundResolver::create(options);
    EXPECT_TRUE(created) << created.error().describe();
    return created ? std::move(*created) : nullptr;
  }

  static testing::UnboundServer* server_;
  static std::string* directory_;
  static std::string* anchors_;
};

testing::UnboundServer* UnboundDnssecTest::server_ = nullptr;
std::string* UnboundDnssecTest::directory_ = nullptr;
std::string* UnboundDnssecTest::anchors_ = nullptr;

TEST_F(UnboundDnssecTest, SignedAnswersAreSecure) {
  auto dns = resolver();
  Answer a = dns->query("secure.test", RecordType::a);
  ASSERT_EQ(a.status, Status::answer) << a.problem;
  EXPECT_EQ(a.security, Security::secure);
  EXPECT_EQ(a.all<IpAddress>(), std::vector<IpAddress>{*IpAddress::parse("192.0.2.80")});
  Answer txt = dns->query("secure.test", RecordType::txt);
  ASSERT_EQ(txt.status, Status::answer) << txt.problem;
  EXPECT_EQ(txt.security, Security::secure);
  ASSERT_EQ(txt.all<TxtRecord>().size(), 1U);
  EXPECT_EQ(txt.all<TxtRecord>()[0].joined(), "v=spf1 ip4:192.0.2.80 -all");
  // A DKIM key record: what a DANE- or DNSSEC-aware verifier would rely on.
  EXPECT_EQ(dns->query("sel._domainkey.secure.test", RecordType::txt).security, Security::secure);
}

TEST_F(UnboundDnssecTest, SignedDenialsAreSecure) {
  auto dns = resolver();
  Answer missing = dns->query("nothing.secure.test", RecordType::a);
  EXPECT_EQ(missing.status, Status::nxdomain) << missing.problem;
  EXPECT_EQ(missing.security, Security::secure);
  Answer nodata = dns->query("secure.test", RecordType::mx);
  EXPECT_EQ(nodata.status, Status::nodata) << nodata.problem;
  EXPECT_EQ(nodata.security, Security::secure);
}

TEST_F(UnboundDnssecTest, DataChangedAfterSigningIsBogus) {
  auto dns = resolver();
  Answer bogus = dns->query("tampered.test", RecordType::a);
  EXPECT_EQ(bogus.status, Status::servfail);
  EXPECT_EQ(bogus.security, Security::bogus);
  EXPECT_TRUE(bogus.records.empty());
  EXPECT_NE(bogus.problem.find("DNSSEC validation failed"), std::string::npos) << bogus.problem;
}

TEST_F(UnboundDnssecTest, OutsideTheAnchorsOrWithoutThemAnswersAreInsecure) {
  auto validating = resolver();
  Answer plain = validating->query("plain.test", RecordType::a);
  ASSERT_EQ(plain.status, Status::answer) << plain.problem;
  EXPECT_EQ(plain.security, Security::insecure);
  // Signed data is only "secure" when validated: without a trust anchor it is insecure, and
  // the changed record is served as it is.
  auto trusting = resolver(false);
  EXPECT_EQ(trusting->query("secure.test", RecordType::a).security, Security::insecure);
  Answer changed = trusting->query("tampered.test", RecordType::a);
  ASSERT_EQ(changed.status, Status::answer) << changed.problem;
  EXPECT_EQ(changed.security, Security::insecure);
  EXPECT_EQ(changed.all<IpAddress>(), std::vector<IpAddress>{*IpAddress::parse("192.0.2.66")});
}

}  // namespace
}  // namespace cqlist::dns
