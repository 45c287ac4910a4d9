#include "mail/smtp_reply.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cqlist::mail {
namespace {

constexpr std::string_view kGmailUnauthenticated =
    "550-5.7.26 This mail has been blocked because the sender is unauthenticated.\r\n"
    "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM.\r\n"
    "550-5.7.26\r\n"
    "550-5.7.26  Authentication results:\r\n"
    "550-5.7.26  DKIM = did not pass\r\n"
    "550-5.7.26  SPF [example.com] with ip: [192.0.2.1] = did not pass\r\n"
    "550-5.7.26\r\n"
    "550-5.7.26  For instructions on setting up authentication, go to\r\n"
    "550 5.7.26  https://support.google.com/mail/answer/81126#authentication "
    "d2e1a72fcca58-7046f3a4sm1234567b3a.64 - gsmtp\r\n";

const std::vector<std::string> kGmailUnauthenticatedLines = {
    "This mail has been blocked because the sender is unauthenticated.",
    "Gmail requires all senders to authenticate with either SPF or DKIM.",
    "",
    " Authentication results:",
    " DKIM = did not pass",
    " SPF [example.com] with ip: [192.0.2.1] = did not pass",
    "",
    " For instructions on setting up authentication, go to",
    " https://support.google.com/mail/answer/81126#authentication "
    "d2e1a72fcca58-7046f3a4sm1234567b3a.64 - gsmtp",
};

TEST(SmtpReplyParse, GmailMultiLineUnauthenticated) {
  SmtpReply reply = SmtpReply::parse(kGmailUnauthenticated).value();
  EXPECT_EQ(reply.code, 550);
  EXPECT_EQ(reply.status, (EnhancedStatus{5, 7, 26}));
  EXPECT_EQ(reply.lines, kGmailUnauthenticatedLines);
  EXPECT_TRUE(reply.permanent());
  EXPECT_EQ(reply.text(),
            "This mail has been blocked because the sender is unauthenticated. Gmail requires "
            "all senders to authenticate with either SPF or DKIM. Authentication results: DKIM = "
            "did not pass SPF [example.com] with ip: [192.0.2.1] = did not pass For instructions "
            "on setting up authentication, go to "
            "https://support.google.com/mail/answer/81126#authentication "
            "d2e1a72fcca58-7046f3a4sm1234567b3a.64 - gsmtp");
}

TEST(SmtpReplyParse, GmailRepliesUnwrappedIntoOneString) {
  // How a bounce's Diagnostic-Code or a log line carries the same reply.
  std::string joined;
  for (char c : kGmailUnauthenticated) {
    if (c == '\n') {
      joined += ' ';
    } else if (c != '\r') {
      joined += c;
    }
  }
  joined.pop_back();
  SmtpReply reply = SmtpReply::parse(joined).value();
  EXPECT_EQ(reply.code, 550);
  EXPECT_EQ(reply.status, (EnhancedStatus{5, 7, 26}));
  EXPECT_EQ(reply.lines, kGmailUnauthenticatedLines);

  SmtpReply unsolicited =
      SmtpReply::parse(
          "550-5.7.1 [192.0.2.1      12] Our system has detected that this message is "
          "550-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail, "
          "550-5.7.1 this message has been blocked. For more information, go to "
          "550 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError "
          "z7si1234567ejb.12 - gsmtp")
          .value();
  EXPECT_EQ(unsolicited.status, (EnhancedStatus{5, 7, 1}));
  EXPECT_EQ(unsolicited.lines,
            (std::vector<std::string>{
                "[192.0.2.1      12] Our system has detected that this message is",
                "likely unsolicited mail. To reduce the amount of spam sent to Gmail,",
                "this message has been blocked. For more information, go to",
                " https://support.google.com/mail/?p=UnsolicitedMessageError "
                "z7si1234567ejb.12 - gsmtp"}));
}

TEST(SmtpReplyParse, OutlookAndYahooSingleLines) {
  SmtpReply outlook =
      SmtpReply::parse(
          "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your "
          "Internet service provider since part of their network is on our block list (S3150). "
          "[AM4PEPF00027A5F.eurprd04.prod.outlook.com 2024-05-01T10:00:00.000Z 08DC6A]")
          .value();
  EXPECT_EQ(outlook.code, 550);
  EXPECT_EQ(outlook.status, (EnhancedStatus{5, 7, 1}));
  ASSERT_EQ(outlook.lines.size(), 1u);
  EXPECT_EQ(outlook.lines[0].substr(0, 33), "Unfortunately, messages from [192");

  SmtpReply outlook_auth =
      SmtpReply::parse(
          "550 5.7.515 Access denied, sending domain example.com doesn't meet the required "
          "authentication level.")
          .value();
  EXPECT_EQ(outlook_auth.status, (EnhancedStatus{5, 7, 515}));
  EXPECT_EQ(outlook_auth.text(),
            "Access denied, sending domain example.com doesn't meet the required authentication "
            "level.");

  SmtpReply yahoo = SmtpReply::parse(
                        "554 5.7.9 Message not accepted for policy reasons.  See "
                        "https://senders.yahooinc.com/error-codes")
                        .value();
  EXPECT_EQ(yahoo.status, (EnhancedStatus{5, 7, 9}));
  EXPECT_EQ(
      yahoo.text(),
      "Message not accepted for policy reasons.  See https://senders.yahooinc.com/error-codes");

  SmtpReply deferred =
      SmtpReply::parse(
          "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected "
          "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes")
          .value();
  EXPECT_EQ(deferred.code, 421);
  EXPECT_TRUE(deferred.transient());
  EXPECT_EQ(deferred.status, (EnhancedStatus{4, 7, 0}));
  EXPECT_EQ(deferred.lines,
            (std::vector<std::string>{"[TSS04] Messages from 192.0.2.1 temporarily deferred due "
                                      "to unexpected volume or user complaints - 4.16.55.1; see "
                                      "https://postmaster.yahooinc.com/error-codes"}));
}

TEST(SmtpReplyParse, StatusThatDisagreesWithTheCodeIsIgnored) {
  SmtpReply reply = SmtpReply::parse("550 2.1.5 Ok").value();
  EXPECT_EQ(reply.code, 550);
  EXPECT_EQ(reply.status, std::nullopt);
  EXPECT_EQ(reply.lines, (std::vector<std::string>{"2.1.5 Ok"}));
  EXPECT_EQ(SmtpReply::parse("250 4.0.0 queued").value().status, std::nullopt);
}

TEST(SmtpReplyParse, RepliesWithoutStatus) {
  SmtpReply ehlo =
      SmtpReply::parse("250-mx.example.org Hello\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n")
          .value();
  EXPECT_EQ(ehlo.code, 250);
  EXPECT_EQ(ehlo.status, std::nullopt);
  EXPECT_EQ(ehlo.lines, (std::vector<std::string>{"mx.example.org Hello", "PIPELINING",
                                                  "ENHANCEDSTATUSCODES"}));
  SmtpReply joined = SmtpReply::parse("250-first 250-second 250 last").value();
  EXPECT_EQ(joined.lines, (std::vector<std::string>{"first", "second", "last"}));
  // After the final line nothing splits: "550 " inside text stays text.
  EXPECT_EQ(SmtpReply::parse("552 Message size exceeds 550 MB").value().lines,
            (std::vector<std::string>{"Message size exceeds 550 MB"}));
  SmtpReply bare = SmtpReply::parse("354").value();
  EXPECT_EQ(bare.code, 354);
  EXPECT_TRUE(bare.intermediate());
  EXPECT_EQ(bare.text(), "");
}

TEST(SmtpReplyParse, LinesWithoutTheCodeAreKeptAsText) {
  SmtpReply reply = SmtpReply::parse(
                        "550-5.1.1 The email account that you tried to reach does not exist.\n"
                        "    Please try double-checking the recipient's email address\n"
                        "550 5.1.1 for typos.")
                        .value();
  EXPECT_EQ(reply.lines,
            (std::vector<std::string>{
                "The email account that you tried to reach does not exist.",
                "    Please try double-checking the recipient's email address", "for typos."}));
  EXPECT_EQ(reply.text(),
            "The email account that you tried to reach does not exist. Please try "
            "double-checking the recipient's email address for typos.");
}

TEST(SmtpReplyParse, FromSeparateLines) {
  std::vector<std::string> lines = {"451-4.3.0 Temporary failure", "451 4.3.0 try again later"};
  SmtpReply reply = SmtpReply::parse(lines).value();
  EXPECT_EQ(reply.code, 451);
  EXPECT_EQ(reply.status, (EnhancedStatus{4, 3, 0}));
  EXPECT_EQ(reply.text(), "Temporary failure try again later");
}

TEST(SmtpReplyParse, RejectsTextWithoutReplyCode) {
  for (std::string_view bad : {"", "\r\n", "hello", "600 nope", "190 nope", "260 nope", "25",
                               "2500 x", "250x", "smtp; 550 5.1.1 x"}) {
    EXPECT_FALSE(SmtpReply::parse(bad).has_value()) << bad;
  }
}

TEST(SmtpReplyFormat, WireLines) {
  EXPECT_EQ((SmtpReply{250, EnhancedStatus{2, 1, 5}, {"Ok"}}).format(), "250 2.1.5 Ok\r\n");
  EXPECT_EQ((SmtpReply{250, EnhancedStatus{2, 0, 0}, {"first", "last"}}).format(),
            "250-2.0.0 first\r\n250 2.0.0 last\r\n");
  EXPECT_EQ((SmtpReply{250, std::nullopt, {"cqlist.example", "PIPELINING", "ENHANCEDSTATUSCODES"}})
                .format(),
            "250-cqlist.example\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n");
  EXPECT_EQ((SmtpReply{354, std::nullopt, {}}).format(), "354\r\n");
  EXPECT_EQ((SmtpReply{250, EnhancedStatus{2, 0, 0}, {}}).format(), "250 2.0.0\r\n");
  EXPECT_EQ((SmtpReply{550, EnhancedStatus{5, 7, 1}, {"", "x"}}).format(),
            "550-5.7.1\r\n550 5.7.1 x\r\n");
}

TEST(SmtpReplyFormat, DropsInconsistentStatusAndLineBreaks) {
  EXPECT_EQ((SmtpReply{550, EnhancedStatus{2, 0, 0}, {"no"}}).format(), "550 no\r\n");
  EXPECT_EQ((SmtpReply{550, EnhancedStatus{5, 7, 1}, {"a\r\n250 b"}}).format(),
            "550 5.7.1 a  250 b\r\n");
}

TEST(SmtpReplyFormat, ParseOfFormatGivesTheReply) {
  SmtpReply gmail = SmtpReply::parse(kGmailUnauthenticated).value();
  EXPECT_EQ(SmtpReply::parse(gmail.format()).value(), gmail);
  SmtpReply lmtp{452, EnhancedStatus{4, 2, 2}, {"<member@example.org> mailbox full"}};
  EXPECT_EQ(lmtp.format(), "452 4.2.2 <member@example.org> mailbox full\r\n");
  EXPECT_EQ(SmtpReply::parse(lmtp.format()).value(), lmtp);
}

}  // namespace
}  // namespace cqlist::mail
