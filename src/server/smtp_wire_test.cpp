// server/smtp_wire_test.cpp: EHLO keywords, envelope commands, dot-stuffing.
#include "server/smtp_wire.hpp"

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

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

TEST(DotStuff, HandlesLineEndsAndDotsAtTheEdges) {
  EXPECT_EQ(dot_stuff("."), "..\r\n.\r\n");
  EXPECT_EQ(dot_stuff("\n"), "\r\n.\r\n");  // bare LF at index 0
  EXPECT_EQ(dot_stuff("\n."), "\r\n..\r\n.\r\n");
  EXPECT_EQ(dot_stuff(".\n.\n"), "..\r\n..\r\n.\r\n");
  EXPECT_EQ(dot_stuff("a\r\n.\r\nb\r\n"), "a\r\n..\r\nb\r\n.\r\n");  // an early end mark
  EXPECT_EQ(dot_stuff("\r\n.\r\n"), "\r\n..\r\n.\r\n");
}

TEST(DotStuff, PassesALoneCrThrough) {
  // A CR not followed by LF ends no line, so a dot after it is not at a line start.
  EXPECT_EQ(dot_stuff("a\r.b\r\n"), "a\r.b\r\n.\r\n");
  EXPECT_EQ(dot_stuff("\r"), "\r\r\n.\r\n");
  EXPECT_EQ(dot_stuff("a\r\nb\r"), "a\r\nb\r\r\n.\r\n");
  EXPECT_EQ(dot_stuff("\r\r\n"), "\r\r\n.\r\n");
}

// The byte-by-byte loop dot_stuff used before it appended whole lines: the definition of the
// output the faster version must keep.
std::string reference_dot_stuff(std::string_view data) {
  std::string out;
  bool at_line_start = true;
  for (std::size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (at_line_start && c == '.') {
      out.push_back('.');
    }
    if (c == '\n' && (i == 0 || data[i - 1] != '\r')) {
      out.push_back('\r');
    }
    out.push_back(c);
    at_line_start = c == '\n';
  }
  if (!data.empty() && !at_line_start) {
    out.append("\r\n");
  }
  out.append(".\r\n");
  return out;
}

TEST(DotStuff, MatchesTheByteByByteDefinitionOnRandomInput) {
  std::mt19937 random(20261129);
  std::uniform_int_distribution<std::size_t> length_of(0, 40);
  std::uniform_int_distribution<int> byte_of(0, 3);
  static constexpr char kBytes[] = {'.', '\r', '\n', 'a'};
  for (int round = 0; round < 5000; ++round) {
    std::string data(length_of(random), '\0');
    for (char& c : data) {
      c = kBytes[byte_of(random)];
    }
    ASSERT_EQ(dot_stuff(data), reference_dot_stuff(data))
        << "input bytes: " << testing::PrintToString(data);
  }
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

TEST(MailFrom, FindsAnEightBitByteAnywhereInTheMessage) {
  const SmtpExtensions extensions{{"8BITMIME", ""}};
  OutgoingMessage message;
  message.mail_from = "ham-bounces@lists.example";
  message.data = std::string(4099, 'a');  // whole words and a tail of three
  EXPECT_EQ(mail_from_command(message, extensions), "MAIL FROM:<ham-bounces@lists.example>\r\n");
  for (std::size_t at = 0; at < message.data.size(); ++at) {
    std::string data = message.data;
    data[at] = '\x80';
    OutgoingMessage eight_bit = message;
    eight_bit.data = std::move(data);
    ASSERT_EQ(mail_from_command(eight_bit, extensions),
              "MAIL FROM:<ham-bounces@lists.example> BODY=8BITMIME\r\n")
        << "8-bit byte at " << at;
  }
}

TEST(RcptTo, RefusesUnsafeAddresses) {
  EXPECT_EQ(rcpt_to_command("a@example.org"), "RCPT TO:<a@example.org>\r\n");
  EXPECT_FALSE(rcpt_to_command(""));
  EXPECT_FALSE(rcpt_to_command("a@example.org\r\nDATA"));
}

}  // namespace
}  // namespace cqlist::server
