// server/lmtp_protocol_test.cpp: command parsing, XFORWARD and the DATA decoder.
#include "server/lmtp_protocol.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "base/ip_address.hpp"
#include "server/lmtp_server.hpp"

namespace cqlist::server {
namespace {

TEST(SplitCommand, UpperCasesTheVerbAndTrimsTheArgument) {
  CommandLine command = split_command("mail From:<a@example.org>  ");
  EXPECT_EQ(command.verb, "MAIL");
  EXPECT_EQ(command.argument, "From:<a@example.org>");
  EXPECT_EQ(split_command("QUIT").argument, "");
}

TEST(PathArgument, ReadsAddressAndParameters) {
  auto path = parse_path_argument("FROM:<a@example.org> SIZE=100 body=8BITMIME", "FROM");
  ASSERT_TRUE(path);
  EXPECT_EQ(path->address, "a@example.org");
  ASSERT_EQ(path->parameters.size(), 2u);
  EXPECT_EQ(path->parameters[0].first, "SIZE");
  EXPECT_EQ(path->parameters[0].second, "100");
  EXPECT_EQ(path->parameters[1].first, "BODY");
  EXPECT_EQ(path->parameters[1].second, "8BITMIME");
}

TEST(PathArgument, AcceptsWhatPostfixAccepts) {
  EXPECT_EQ(parse_path_argument("FROM:<>", "FROM")->address, "");
  EXPECT_EQ(parse_path_argument("from: <a@b.example>", "FROM")->address, "a@b.example");
  EXPECT_EQ(parse_path_argument("TO:a@b.example", "TO")->address, "a@b.example");
  EXPECT_EQ(parse_path_argument("TO:<@relay.example:a@b.example>", "TO")->address, "a@b.example");
  EXPECT_EQ(parse_path_argument("TO:<\"odd>local\"@b.example>", "TO")->address,
            "\"odd>local\"@b.example");
}

TEST(PathArgument, RefusesBrokenSyntax) {
  EXPECT_FALSE(parse_path_argument("FROM<a@b.example>", "FROM"));
  EXPECT_FALSE(parse_path_argument("TO:<a@b.example>", "FROM"));
  EXPECT_FALSE(parse_path_argument("FROM:<a@b.example", "FROM"));
  EXPECT_FALSE(parse_path_argument("FROM:<a@b.example>SIZE=1", "FROM"));
  EXPECT_FALSE(parse_path_argument("FROM:", "FROM"));
  EXPECT_FALSE(parse_path_argument("FROM:<a@b.example> =1", "FROM"));
  EXPECT_FALSE(parse_path_argument("FROM:<a\x01@b.example>", "FROM"));
}

TEST(Xtext, DecodesHexEscapes) {
  EXPECT_EQ(decode_xtext("a+2Bb+3D"), "a+b=");
  EXPECT_FALSE(decode_xtext("a+2"));
  EXPECT_FALSE(decode_xtext("a+ZZ"));
}

TEST(XForward, IsAllowedFromLoopbackByDefault) {
  auto allowed = [](std::string_view peer, const std::vector<IpNetwork>& trusted) {
    return xforward_allowed(*IpAddress::parse(peer), trusted);
  };
  std::vector<IpNetwork> loopback = loopback_networks();
  EXPECT_TRUE(allowed("127.0.0.1", loopback));
  EXPECT_TRUE(allowed("127.1.2.3", loopback));
  EXPECT_TRUE(allowed("::1", loopback));
  EXPECT_TRUE(allowed("::ffff:127.0.0.1", loopback));  // a dual-stack listener's view of it
  EXPECT_FALSE(allowed("192.0.2.1", loopback));
  EXPECT_FALSE(allowed("::ffff:192.0.2.1", loopback));
  EXPECT_FALSE(allowed("2001:db8::1", loopback));
  EXPECT_FALSE(allowed("::", loopback));

  std::vector<IpNetwork> configured = {*IpNetwork::parse("192.0.2.0/24"),
                                       *IpNetwork::parse("2001:db8::25")};
  EXPECT_TRUE(allowed("192.0.2.200", configured));
  EXPECT_TRUE(allowed("::ffff:192.0.2.7", configured));
  EXPECT_TRUE(allowed("2001:db8::25", configured));
  EXPECT_FALSE(allowed("2001:db8::26", configured));
  EXPECT_FALSE(allowed("127.0.0.1", configured));
  EXPECT_FALSE(allowed("127.0.0.1", {}));
}

TEST(XForward, SetsAttributesAndKeepsTheOthers) {
  XForwardAttributes start;
  start.helo = "kept.example";
  auto attributes = apply_xforward("NAME=mx.example.net ADDR=192.0.2.7 proto=ESMTP PORT=25", start);
  ASSERT_TRUE(attributes);
  EXPECT_EQ(attributes->name, "mx.example.net");
  EXPECT_EQ(attributes->address, "192.0.2.7");
  EXPECT_EQ(attributes->protocol, "ESMTP");
  EXPECT_EQ(attributes->helo, "kept.example");
}

TEST(XForward, RemovesTheIpv6PrefixAndClearsUnavailable) {
  XForwardAttributes start;
  start.name = "old.example";
  auto attributes =
      apply_xforward("ADDR=IPv6:2001:db8::1 NAME=[UNAVAILABLE] HELO=[tempunavail]", start);
  ASSERT_TRUE(attributes);
  EXPECT_EQ(attributes->address, "2001:db8::1");
  EXPECT_EQ(attributes->name, "");
  EXPECT_EQ(attributes->helo, "");
}

TEST(XForward, DecodesXtextValues) {
  auto attributes = apply_xforward("HELO=[192.0.2.1+5D", {});
  ASSERT_TRUE(attributes);
  EXPECT_EQ(attributes->helo, "[192.0.2.1]");
}

TEST(XForward, MakesValuesThatCannotBeUsedUnavailable) {
  XForwardAttributes start;
  start.name = "old.example";
  start.address = "192.0.2.1";
  std::string too_long = "PROTO=" + std::string(256, 'a');
  std::vector<std::string> unusable;
  auto attributes = apply_xforward(
      "HELO=my+20host NAME=a+2 ADDR=192.0.2.7+0A " + too_long + " PORT=+ZZ", start, &unusable);
  ASSERT_TRUE(attributes);
  EXPECT_EQ(attributes->helo, "");
  EXPECT_EQ(attributes->name, "");
  EXPECT_EQ(attributes->address, "");
  EXPECT_EQ(attributes->protocol, "");
  EXPECT_EQ(unusable, (std::vector<std::string>{"HELO=my+20host", "NAME=a+2", "ADDR=192.0.2.7+0A",
                                                too_long}));
  EXPECT_EQ(apply_xforward("HELO=h+C3+A9.example NAME=mx.example", {})->name, "mx.example");
}

TEST(XForward, RefusesBadCommands) {
  EXPECT_FALSE(apply_xforward("", {}));
  EXPECT_FALSE(apply_xforward("COLOUR=red", {}));
  EXPECT_FALSE(apply_xforward("NAME", {}));
  EXPECT_FALSE(apply_xforward("=mx.example", {}));
  EXPECT_FALSE(apply_xforward("HELO=my+20host COLOUR=red", {}));
}

std::string decode_whole(std::string_view input, std::size_t limit = 1000) {
  DataDecoder decoder(limit);
  std::size_t consumed = decoder.feed(input);
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(consumed, input.size());
  return decoder.take_message();
}

TEST(DataDecoder, UnstuffsDotsAndEndsAtTheDotLine) {
  EXPECT_EQ(decode_whole("a\r\n..b\r\n.\r\n"), "a\r\n.b\r\n");
  EXPECT_EQ(decode_whole(".\r\n"), "");
  EXPECT_EQ(decode_whole("...\r\n.\r\n"), "..\r\n");
}

TEST(DataDecoder, KeepsBareLineFeedsAndCarriageReturnsAsData) {
  EXPECT_EQ(decode_whole("a\nb\r\n..c\n.\nd\r.\r\n.\r\n"), "a\nb\r\n.c\n.\nd\r.\r\n");
}

// The SMTP smuggling pattern: a dot line ended otherwise than by CRLF.CRLF must not end the
// data, or what follows it would be read as the next transaction's commands.
TEST(DataDecoder, OnlyCrLfDotCrLfEndsTheData) {
  for (std::string input : {"a\n.\nQUIT\r\n", "a\r\n.\nQUIT\r\n", "a\n.\r\nQUIT\r\n",
                            "a\r.\rQUIT\r\n", "a\r\n.\rQUIT\r\n"}) {
    DataDecoder decoder(1000);
    EXPECT_EQ(decoder.feed(input), input.size()) << input;
    EXPECT_FALSE(decoder.done()) << input;
  }
}

TEST(DataDecoder, LeavesWhatFollowsTheEnd) {
  DataDecoder decoder(1000);
  std::string input = "a\r\n.\r\nQUIT\r\n";
  EXPECT_EQ(decoder.feed(input), input.size() - 6);
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(decoder.take_message(), "a\r\n");
}

// Pipes the same bytes through in two pieces split at every position.
TEST(DataDecoder, GivesTheSameResultForAnySplit) {
  std::string input = "Subject: x\r\n\r\n..dot\r\nbare\n.\n.\rx\r\n.\r.\r\n.\r\n";
  std::string expected = "Subject: x\r\n\r\n.dot\r\nbare\n.\n.\rx\r\n\r.\r\n";
  for (std::size_t split = 0; split <= input.size(); ++split) {
    DataDecoder decoder(1000);
    std::string pending = input.substr(0, split);
    pending.erase(0, decoder.feed(pending));
    pending += input.substr(split);
    pending.erase(0, decoder.feed(pending));
    ASSERT_TRUE(decoder.done()) << "split at " << split;
    EXPECT_TRUE(pending.empty()) << "split at " << split;
    EXPECT_EQ(decoder.take_message(), expected) << "split at " << split;
  }
}

TEST(DataDecoder, StopsStoringPastTheLimitButReadsToTheEnd) {
  DataDecoder decoder(10);
  std::string input = std::string(50, 'x') + "\r\n" + std::string(50, 'y') + "\r\n.\r\n";
  EXPECT_EQ(decoder.feed(input), input.size());
  EXPECT_TRUE(decoder.done());
  EXPECT_TRUE(decoder.too_large());
  EXPECT_EQ(decoder.size(), 104u);
  EXPECT_TRUE(decoder.take_message().empty());
}

TEST(DataDecoder, AtTheLimitIsNotTooLarge) {
  DataDecoder decoder(5);
  decoder.feed("abc\r\n.\r\n");
  EXPECT_TRUE(decoder.done());
  EXPECT_FALSE(decoder.too_large());
  EXPECT_EQ(decoder.take_message(), "abc\r\n");
}

}  // namespace
}  // namespace cqlist::server
