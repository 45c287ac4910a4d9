#include "doctor/finding.hpp"

#include <gtest/gtest.h>

#include "doctor/render.hpp"

namespace cqlist::doctor {
namespace {

TEST(DoctorFinding, LongTxtRecordSplitsAfterSpacesIntoStringsOf255BytesAtMost) {
  std::string text = "v=spf1";
  for (int i = 0; i < 40; ++i) {
    text += " ip4:198.51.100." + std::to_string(i);
  }
  text += " ~all";
  DnsRecord record = txt_record("cq-test.example", text);
  ASSERT_GE(record.strings.size(), 2u);
  for (const std::string& piece : record.strings) {
    EXPECT_LE(piece.size(), 255u);
  }
  EXPECT_EQ(record.strings.front().back(), ' ');  // a split never lands inside a term
  EXPECT_EQ(record.value(), text);
  EXPECT_EQ(record.zone_line().rfind("cq-test.example. 3600 IN TXT \"v=spf1 ip4:", 0), 0u);
}

TEST(DoctorFinding, KeyWithoutSpacesSplitsAt255Bytes) {
  DnsRecord record = txt_record("s._domainkey.example", "p=" + std::string(400, 'A'));
  ASSERT_EQ(record.strings.size(), 2u);
  EXPECT_EQ(record.strings[0].size(), 255u);
  EXPECT_EQ(record.strings[1].size(), 147u);
}

TEST(DoctorFinding, ExitStatusIsTwoOnFailOneOnWarnElseZero) {
  std::vector<Finding> findings(2);
  findings[0].severity = Severity::pass;
  findings[1].severity = Severity::info;
  EXPECT_EQ(exit_status(findings), 0);
  findings[1].severity = Severity::warn;
  EXPECT_EQ(exit_status(findings), 1);
  findings[0].severity = Severity::fail;
  EXPECT_EQ(exit_status(findings), 2);
}

TEST(DoctorFinding, PublishBlockGathersEachRecordOnceAndKeepsPtrApart) {
  std::vector<Finding> findings(2);
  for (Finding& f : findings) {
    f.severity = Severity::fail;
    f.fix.records_add = {txt_record("cq-test.example", "v=spf1 ip4:192.0.2.25 ~all")};
  }
  findings[1].fix.records_add.push_back(
      DnsRecord{"25.2.0.192.in-addr.arpa", 3600, "PTR", {"mail.cq-test.example."}, true});
  findings[1].fix.commands = {"postconf -e 'inet_protocols = ipv4'"};
  EXPECT_EQ(records_to_publish(findings).size(), 2u);
  const std::string en = render_publish_block(findings, Language::en);
  EXPECT_EQ(en,
            "== Records to publish ==\n"
            "Add these records to your zone:\n"
            "  cq-test.example. 3600 IN TXT \"v=spf1 ip4:192.0.2.25 ~all\"\n"
            "Set these reverse DNS (PTR) records where the address is managed (your VPS "
            "provider's panel), not in your zone:\n"
            "  25.2.0.192.in-addr.arpa. 3600 IN PTR mail.cq-test.example.\n"
            "Run these commands on the mail server:\n"
            "  postconf -e 'inet_protocols = ipv4'\n");
  const std::string ja = render_publish_block(findings, Language::ja);
  EXPECT_NE(ja.find("== 公開するレコード ==\n次のレコードをあなたのゾーンに追加してください:\n"),
            std::string::npos)
      << ja;
  EXPECT_NE(ja.find("IP アドレスの管理者（VPS 事業者の管理画面など）で設定してください"),
            std::string::npos);
}

}  // namespace
}  // namespace cqlist::doctor
