// bounce/parse_test.cpp: the bounce parser on cqlist's own samples (testdata/*.eml).
#include "bounce/parse.hpp"

#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "bounce/testing/corpus.hpp"
#include "bounce/testing/line_ends.hpp"

namespace cqlist::bounce {
namespace {

using testing::with_line_ends;

std::string sample(const std::string& name) {
  std::string bytes =
      testing::file_bytes(std::string(CQLIST_SOURCE_ROOT) + "/src/bounce/testdata/" + name);
  EXPECT_FALSE(bytes.empty()) << name;
  return bytes;
}

BounceReport parsed(const std::string& bytes) {
  Result<BounceReport> report = parse_bounce(bytes);
  EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().message());
  return report ? *report : BounceReport{};
}

// What a sample says about its one failed recipient.
struct ExpectedFailure {
  std::string_view address = {};
  std::string_view status = {};
  int reply_code = 0;
  std::optional<std::string_view> remote_host = {};  // unset: not checked
  std::string_view smtp_command = {};
  std::string_view diagnostic = {};  // how it starts, or all of it with `whole_diagnostic`
  bool whole_diagnostic = false;
};

void expect_failure(const RecipientReport& member, const ExpectedFailure& expected) {
  EXPECT_EQ(member.address, expected.address);
  ASSERT_TRUE(member.status.has_value());
  EXPECT_EQ(member.status->to_string(), expected.status);
  EXPECT_EQ(member.reply_code, expected.reply_code);
  if (expected.remote_host) {
    EXPECT_EQ(member.remote_host, *expected.remote_host);
  }
  EXPECT_EQ(member.smtp_command, expected.smtp_command);
  EXPECT_TRUE(member.permanent);
  if (expected.whole_diagnostic) {
    EXPECT_EQ(member.diagnostic, expected.diagnostic);
  } else {
    EXPECT_EQ(member.diagnostic.rfind(expected.diagnostic, 0), 0u) << member.diagnostic;
  }
}

void expect_gmail_authentication_failure(const BounceReport& report) {
  ASSERT_EQ(report.kind, ReportKind::delivery_failure);
  EXPECT_EQ(report.format, "rfc3464");
  EXPECT_EQ(report.reporting_mta, "mail.list.example.org");
  EXPECT_EQ(report.original_message_id, "<nyaan-123@example.jp>");
  ASSERT_EQ(report.recipients.size(), 1u);
  const RecipientReport& member = report.recipients[0];
  EXPECT_EQ(member.action, "failed");
  // The multi-line reply comes out as one text, its repeated "550-5.7.26" prefixes gone.
  expect_failure(member, {.address = "member@gmail.com",
                          .status = "5.7.26",
                          .reply_code = 550,
                          .remote_host = "gmail-smtp-in.l.google.com",
                          .smtp_command = "DATA",
                          .diagnostic = "550 5.7.26 This mail has been blocked because the sender "
                                        "is unauthenticated. Gmail requires all senders"});
  EXPECT_EQ(member.diagnostic.find("550-"), std::string::npos) << member.diagnostic;
  EXPECT_NE(member.diagnostic.find("SPF [list.example.org] with ip: [192.0.2.10] = did not pass"),
            std::string::npos)
      << member.diagnostic;
}

TEST(ParseBounce, PostfixDsnWithGmailMultiLineAuthenticationReply) {
  expect_gmail_authentication_failure(parsed(sample("postfix-gmail-5.7.26.eml")));
}

TEST(ParseBounce, CrlfAndLoneCrLineEndsReadTheSame) {
  std::string lf = sample("postfix-gmail-5.7.26.eml");
  expect_gmail_authentication_failure(parsed(with_line_ends(lf, "\r\n")));
  expect_gmail_authentication_failure(parsed(with_line_ends(lf, "\r")));
}

TEST(ParseBounce, QmailText) {
  BounceReport report = parsed(sample("qmail.eml"));
  ASSERT_EQ(report.kind, ReportKind::delivery_failure);
  ASSERT_EQ(report.recipients.size(), 1u);
  expect_failure(report.recipients[0],
                 {.address = "mike@example.com",
                  .status = "5.1.1",
                  .reply_code = 550,
                  .smtp_command = "RCPT",
                  .diagnostic = "550 5.1.1 <mike@example.com>: Recipient address rejected"});
}

TEST(ParseBounce, EximText) {
  BounceReport report = parsed(sample("exim.eml"));
  ASSERT_EQ(report.kind, ReportKind::delivery_failure);
  ASSERT_EQ(report.recipients.size(), 1u) << "the sender in the copy is not a recipient";
  expect_failure(
      report.recipients[0],
      {.address = "kuro@mail.example.net",
       .status = "5.2.2",
       .reply_code = 552,
       .remote_host = "mx.mail.example.net",
       .smtp_command = "RCPT",
       .diagnostic = "552 5.2.2 Mailbox full: kuro@mail.example.net is out of storage space",
       .whole_diagnostic = true});
}

TEST(ParseBounce, JapaneseCarrierTextInUndeclaredIso2022Jp) {
  // No MIME header at all, the text in raw ISO-2022-JP: as old Japanese MTAs send it.
  BounceReport report = parsed(sample("japanese-carrier-iso2022jp.eml"));
  ASSERT_EQ(report.kind, ReportKind::delivery_failure);
  EXPECT_EQ(report.original_message_id, "<nyaan-128@example.jp>");
  ASSERT_EQ(report.recipients.size(), 1u) << "the list address in the copy is not a recipient";
  const RecipientReport& member = report.recipients[0];
  EXPECT_EQ(member.address, "member@docomo.ne.jp");
  EXPECT_FALSE(member.status.has_value());
  EXPECT_EQ(member.reply_code, 0);
  EXPECT_EQ(member.diagnostic,
            "<member@docomo.ne.jp> "
            "\xE5\xAE\x9B\xE5\x85\x88\xE3\x81\xAE\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB"
            "\xE3\x82\xA2\xE3\x83\x89\xE3\x83\xAC\xE3\x82\xB9\xE3\x81\x8C\xE8\xA6\x8B"
            "\xE3\x81\xA4\xE3\x81\x8B\xE3\x82\x8A\xE3\x81\xBE\xE3\x81\x9B\xE3\x82\x93"
            " (user unknown)");  // 宛先のメールアドレスが見つかりません
}

TEST(ParseBounce, AutoReplyIsRecognisedAndNamesWhoAnswered) {
  BounceReport report = parsed(sample("auto-reply.eml"));
  EXPECT_EQ(report.kind, ReportKind::auto_reply);
  ASSERT_EQ(report.recipients.size(), 1u);
  EXPECT_EQ(report.recipients[0].address, "shiro@example.com");
  EXPECT_FALSE(report.recipients[0].permanent);
}

TEST(ParseBounce, AutoReplyFromIsReadWithTheHeaderGrammar) {
  // An "@" in the display name is not the address (running-text reading would take it).
  std::string bytes = sample("auto-reply.eml");
  bytes.replace(bytes.find("From: Shiro <"), 13, "From: \"bob@example.org via list\" <");
  BounceReport report = parsed(bytes);
  EXPECT_EQ(report.kind, ReportKind::auto_reply);
  ASSERT_EQ(report.recipients.size(), 1u);
  EXPECT_EQ(report.recipients[0].address, "shiro@example.com");
}

TEST(ParseBounce, ArfComplaintNamesTheMemberAndFeedbackType) {
  BounceReport report = parsed(sample("arf.eml"));
  EXPECT_EQ(report.kind, ReportKind::complaint);
  EXPECT_EQ(report.reporting_mta, "fbl.example.net");
  EXPECT_EQ(report.original_message_id, "<nyaan-127@example.jp>");
  ASSERT_EQ(report.recipients.size(), 1u);
  EXPECT_EQ(report.recipients[0].address, "sabi@example.net");
  EXPECT_EQ(report.recipients[0].feedback_type, "abuse");
}

TEST(ParseBounce, DelayedDsnIsADelayNotAFailure) {
  std::string lf = sample("postfix-gmail-5.7.26.eml");
  std::string delayed = lf;
  delayed.replace(delayed.find("Action: failed"), 14, "Action: delayed");
  delayed.replace(delayed.find("Status: 5.7.26"), 14, "Status: 4.7.26");
  BounceReport report = parsed(delayed);
  EXPECT_EQ(report.kind, ReportKind::delay);
  ASSERT_EQ(report.recipients.size(), 1u);
  EXPECT_FALSE(report.recipients[0].permanent);
}

TEST(ParseBounce, ReasonStatedAboveTheListOfAddressesBelongsToEachOfThem) {
  // MailMarshal's form: the remote reply once, then the addresses, then a trailer of fields.
  BounceReport report = parsed(
      "From: postmaster@relay.example.net\nTo: cats-bounces@list.example.org\n"
      "Subject: Undeliverable mail\n\n"
      "Could not be delivered because of\n\n550 5.1.1 User unknown\n\n"
      "The following recipients were affected:\n    kuro@example.net\n    tama@example.net\n\n"
      "Additional Information\n======================\nRemote-MTA:   <203.0.113.2>\n");
  ASSERT_EQ(report.recipients.size(), 2u);
  for (const RecipientReport& member : report.recipients) {
    EXPECT_EQ(member.reply_code, 550) << member.address;
    ASSERT_TRUE(member.status.has_value()) << member.address;
    EXPECT_EQ(member.status->to_string(), "5.1.1");
    EXPECT_NE(member.diagnostic.find("User unknown"), std::string::npos) << member.diagnostic;
  }
}

TEST(ParseBounce, ListHeadingWithoutACodeStillExplainsTheAddresses) {
  BounceReport report = parsed(
      "From: postmaster@relay.example.net\nTo: cats-bounces@list.example.org\n"
      "Subject: Delivery Status Notification\n\n"
      "Delivery to the following recipients was aborted after 5.0 hour(s):\n\n"
      "  * kuro@example.net\n\nTechnical details:\nRouting: Could not find a gateway\n");
  ASSERT_EQ(report.recipients.size(), 1u);
  EXPECT_NE(report.recipients[0].diagnostic.find("aborted after 5.0 hour(s)"), std::string::npos)
      << report.recipients[0].diagnostic;
}

TEST(ParseBounce, GarbageIsRefusedWithAReason) {
  for (std::string bytes : {std::string(), std::string("\r\n\r\n"), std::string("\x01\x02\xff"),
                            std::string("Subject: hello\n\nJust a note about lunch.\n")}) {
    Result<BounceReport> report = parse_bounce(bytes);
    ASSERT_FALSE(report.has_value()) << bytes;
    EXPECT_EQ(report.error().code(), Errc::bad_syntax);
    EXPECT_NE(report.error().message().find("not a"), std::string::npos)
        << report.error().message();
  }
}

}  // namespace
}  // namespace cqlist::bounce
