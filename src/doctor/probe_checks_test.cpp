#include "doctor/probe_checks.hpp"

#include <gtest/gtest.h>

#include "doctor/testing/doctor_fixture.hpp"

namespace cqlist::doctor {
namespace {

using namespace testing;

EgressProbe seen_probe(const char* address, bool ipv6) {
  EgressProbe probe;
  probe.ipv6 = ipv6;
  probe.target = "gmail-smtp-in.l.google.com:25";
  probe.connected = true;
  probe.seen = IpAddress::parse(address);
  probe.reply = std::string("250-mx.google.com at your service, [") + address + "]";
  return probe;
}

TEST(DoctorProbe, ClientAddressIsReadFromTheBracketedLiteral) {
  EXPECT_EQ(reported_client_address("mx.google.com at your service, [2001:db8::1]"),
            IpAddress::parse("2001:db8::1"));
  EXPECT_EQ(reported_client_address("mx.example Hello mail.example [IPv6:2001:db8::25]"),
            IpAddress::parse("2001:db8::25"));
  EXPECT_EQ(reported_client_address("mx.example [ESMTP] hello [192.0.2.25]"),
            IpAddress::parse("192.0.2.25"));
  EXPECT_EQ(reported_client_address("mx.example at your service"), std::nullopt);
  EXPECT_EQ(reported_client_address("mx.example [not.an.address] [300.1.1.1"), std::nullopt);
}

TEST(DoctorProbe, AddressSeenByTheProviderDifferentFromTheOneCheckedWarns) {
  DoctorInput input = founding_input();
  input.egress_probes = {seen_probe("198.51.100.7", false)};
  auto findings = check_egress_probe(input);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "OUT-01");
  EXPECT_EQ(findings[0].severity, Severity::warn);
  EXPECT_EQ(findings[0].subject, "198.51.100.7");
  EXPECT_EQ(findings[0].title.en, "receivers see 198.51.100.7 over IPv4, not the address checked");
  EXPECT_NE(findings[0].why.en.find("but the doctor checked 192.0.2.25"), std::string::npos);
  EXPECT_NE(findings[0].why.en.find("both must cover 198.51.100.7"), std::string::npos);
  EXPECT_NE(findings[0].why.ja.find("198.51.100.7 を対象にする必要があります"), std::string::npos);
  EXPECT_TRUE(findings[0].fix.commands.empty());  // a rerun is not a fix to paste
  EXPECT_EQ(findings[0].verify.en,
            "cqlist doctor --domain cq-test.example --ip 198.51.100.7 --ip 2001:db8::25 --probe");
}

TEST(DoctorProbe, AddressSeenByTheProviderThatWasCheckedPasses) {
  DoctorInput input = founding_input();
  input.egress_probes = {seen_probe("192.0.2.25", false), seen_probe("2001:db8::25", true)};
  auto findings = check_egress_probe(input);
  ASSERT_EQ(findings.size(), 2u);
  for (const Finding& f : findings) {
    EXPECT_EQ(f.severity, Severity::pass) << f.subject;
    EXPECT_TRUE(f.fix.empty());
  }
  EXPECT_EQ(findings[1].title.en, "receivers see 2001:db8::25 over IPv6, as checked");
  EXPECT_EQ(findings[1].title.ja,
            "受信側から見える IPv6 の送信元は 2001:db8::25 で、確認したアドレスと一致します");
}

TEST(DoctorProbe, Ipv6SeenWhenNoIpv6WasCheckedWarns) {
  DoctorInput input = input_for({"192.0.2.25"});
  input.egress_probes = {seen_probe("2001:db8::99", true)};
  auto findings = check_egress_probe(input);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warn);
  EXPECT_NE(findings[0].why.en.find("but no IPv6 address was checked"), std::string::npos);
}

TEST(DoctorProbe, PortBlockedInOneFamilyWarnsAndInEveryFamilyFails) {
  DoctorInput input = founding_input();
  EgressProbe blocked;
  blocked.ipv6 = true;
  blocked.target = "gmail-smtp-in.l.google.com:25";
  blocked.error = "no answer within 10 s";
  input.egress_probes = {seen_probe("192.0.2.25", false), blocked};
  auto findings = check_egress_probe(input);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[1].severity, Severity::warn);
  EXPECT_EQ(findings[1].title.en, "port 25 unreachable over IPv6");
  EXPECT_NE(findings[1].fix.summary.en.find("inet_protocols = ipv4"), std::string::npos);

  EgressProbe blocked_v4 = blocked;
  blocked_v4.ipv6 = false;
  input.egress_probes = {blocked_v4, blocked};
  findings = check_egress_probe(input);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].severity, Severity::fail);
  EXPECT_EQ(findings[0].title.ja, "IPv4 で 25 番ポートに接続できず、メールを送信できません");
}

TEST(DoctorProbe, NoIpv6RouteIsOnlyInformation) {
  DoctorInput input = input_for({"192.0.2.25"});
  EgressProbe none;
  none.ipv6 = true;
  none.target = "gmail-smtp-in.l.google.com:25";
  none.no_route = true;
  none.error = "Network is unreachable";
  input.egress_probes = {seen_probe("192.0.2.25", false), none};
  auto findings = check_egress_probe(input);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[1].severity, Severity::info);
  EXPECT_EQ(exit_status(findings), 0);
}

TEST(DoctorProbe, NotProbedGivesNoFinding) {
  DoctorInput input = founding_input();
  EXPECT_TRUE(check_egress_probe(input).empty());
  EXPECT_TRUE(check_inbound_tls(input).empty());
  auto resolver = zone("");
  EXPECT_EQ(find_finding(run_doctor(resolver, input, {"TLS"}), "TLS-03"), nullptr);
  input.mx_tls = std::vector<MxTlsProbe>{};
  MxTlsProbe unreachable;
  unreachable.mx = "mx.cq-test.example";
  input.mx_tls->push_back(unreachable);
  EXPECT_NE(find_finding(run_doctor(resolver, input, {"TLS"}), "TLS-03"), nullptr);
}

MxTlsProbe mx_probe() {
  MxTlsProbe probe;
  probe.mx = "mx.cq-test.example";
  probe.address = "192.0.2.30";
  probe.connected = true;
  probe.starttls = true;
  probe.handshake = true;
  probe.verified = true;
  probe.tls_version = "TLSv1.3";
  return probe;
}

TEST(DoctorInboundTls, VerifiedCertificatePasses) {
  DoctorInput input = founding_input();
  input.mx_tls = std::vector<MxTlsProbe>{mx_probe()};
  auto findings = check_inbound_tls(input);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "TLS-03");
  EXPECT_EQ(findings[0].severity, Severity::pass);
  EXPECT_EQ(findings[0].applies, Applies::inbound);
  EXPECT_EQ(findings[0].title.en, "MX mx.cq-test.example offers STARTTLS with a valid certificate");
  EXPECT_TRUE(findings[0].fix.empty());
}

TEST(DoctorInboundTls, UntrustedChainWarnsWithTheReason) {
  DoctorInput input = founding_input();
  MxTlsProbe probe = mx_probe();
  probe.verified = false;
  probe.verify_error = "unable to get local issuer certificate";
  input.mx_tls = std::vector<MxTlsProbe>{probe};
  auto findings = check_inbound_tls(input);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::warn);
  EXPECT_EQ(findings[0].title.ja, "MX mx.cq-test.example の証明書は送信側で検証できません");
  EXPECT_NE(findings[0].why.en.find("did not verify: unable to get local issuer certificate"),
            std::string::npos);
  EXPECT_NE(findings[0].fix.summary.en.find("certbot certonly -d mx.cq-test.example"),
            std::string::npos);
  EXPECT_EQ(findings[0].found.at(0),
            "mx.cq-test.example (192.0.2.30) port 25: TLSv1.3, certificate: unable to get local "
            "issuer certificate");
}

TEST(DoctorInboundTls, NoStarttlsAndUnreachableWarn) {
  DoctorInput input = founding_input();
  MxTlsProbe plain = mx_probe();
  plain.starttls = false;
  plain.handshake = false;
  MxTlsProbe down = mx_probe();
  down.mx = "mx2.cq-test.example";
  down.connected = false;
  down.error = "Connection refused";
  input.mx_tls = std::vector<MxTlsProbe>{plain, down};
  auto findings = check_inbound_tls(input);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].severity, Severity::warn);
  EXPECT_EQ(findings[0].title.en, "MX mx.cq-test.example does not offer STARTTLS");
  EXPECT_EQ(findings[1].severity, Severity::warn);
  EXPECT_NE(findings[1].why.en.find("(Connection refused)"), std::string::npos);
  EXPECT_EQ(exit_status(findings), 1);
}

}  // namespace
}  // namespace cqlist::doctor
