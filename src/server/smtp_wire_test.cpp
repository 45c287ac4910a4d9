// server/smtp_wire_test.cpp: EHLO keywords, envelope commands, dot-stuffing.
#include "server/smtp_wire.hpp"

#include <string>

#include <gtest/gtest.h>

namespace cqlist::server {
namespace {

TEST(DotStuff, DoublesLeadingDotsAndEndsWithTheDotLine) {
  EXPECT_EQ(dot_stuff("a\r\n.b\r\n..c\r\n"), "a\r\n..b\r\n...c\r\n.\r\n");
  EXPECT_EQ(dot_stuff(".\r\n"), "..\r\n.\r\n");
  EXPECT_EQ(dot_stuff("a.b\r\n"), "a.b\r\n.\r\n");  // only at the start of a line
}

TEST(DotStuff, EndsTheLastLineAndTurnsBareLfIntoCrlf) {
  EXPECT_EQ(dot_stuff("a\nb"), "a\r\nb\r\n.\r\n");
  EXPECT_EQ(dot_stuff("a\n.b\n"), "a\r\n..b\r\n.\r\n");
  EXPECT_EQ(dot_stuff(""), ".\r\n");
}

TEST(EhloReply, ListsKeywordsInUpperCase) {
  auto reply = mail::SmtpReply::parse(
      "250-relay.example\r\n250-pipelining\r\n250-SIZE 10240000\r\n250-XVERP\r\n250 ");
  ASSERT_TRUE(reply);
  SmtpExtensions extensions = parse_ehlo_reply(*reply);
  EXPECT_EQ(extensions.size(), 3u);
  EXPECT_TRUE(extensions.contains("PIPELINING"));
  EXPECT_EQ(extensions.at("SIZE"), "10240000");
  EXPECT_TRUE(extensions.contains("XVERP"));
  EXPECT_FALSE(extensions.contains("RELAY.EXAMPLE"));  // the first line is the greeting
}

TEST(MailFrom, AddsOnlyParametersTheServerOffers) {
  OutgoingMessage message;
  message.mail_from = "ham-bounces@lists.example";
  message.data = "Subject: caf\xc3\xa9\r\n\r\nx\r\n";
  EXPECT_EQ(mail_from_command(message, {}), "MAIL FROM:<ham-bounces@lists.example>\r\n");
  SmtpExtensions extensions{{"SIZE", "1000"}, {"8BITMIME", ""}};
  EXPECT_EQ(mail_from_command(message, extensions),
            "MAIL FROM:<ham-bounces@lists.example> SIZE=" + std::to_string(message.data.size()) +
                " BODY=8BITMIME\r\n");
  message.xverp = true;
  message.data = "x\r\n";
  EXPECT_EQ(mail_from_command(message, {{"8BITMIME", ""}}),
            "MAIL FROM:<ham-bounces@lists.example> XVERP\r\n");
  message.mail_from = "a>\r\nRCPT TO:<b@x";
  EXPECT_FALSE(mail_from_command(message, {}));
}

TEST(RcptTo, RefusesUnsafeAddresses) {
  EXPECT_EQ(rcpt_to_command("a@example.org"), "RCPT TO:<a@example.org>\r\n");
  EXPECT_FALSE(rcpt_to_command(""));
  EXPECT_FALSE(rcpt_to_command("a@example.org\r\nDATA"));
}

}  // namespace
}  // namespace cqlist::server
