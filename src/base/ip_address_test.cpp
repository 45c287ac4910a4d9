#include "base/ip_address.hpp"

#include <string>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace cqlist {
namespace {

TEST(IpAddress, ParsesIpv4) {
  auto address = IpAddress::parse("192.0.2.1");
  ASSERT_TRUE(address);
  EXPECT_TRUE(address->is_v4());
  EXPECT_EQ(address->bytes()[0], 192);
  EXPECT_EQ(address->bytes()[3], 1);
  EXPECT_EQ(address->to_string(), "192.0.2.1");
  EXPECT_EQ(IpAddress::parse("0.0.0.0")->to_string(), "0.0.0.0");
  EXPECT_EQ(IpAddress::parse("255.255.255.255")->to_string(), "255.255.255.255");
}

TEST(IpAddress, RejectsMalformedIpv4) {
  for (const char* text : {"", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1.2.3.4.5", "256.1.1.1",
                           "1.2.3.-1", "01.2.3.4", "1.2.3.04", "1.2.3.4 ", " 1.2.3.4", "1..3.4",
                           "1.2.3.0x1", "1.2.3.1000", "a.b.c.d", "1.2.3.4/24"}) {
    EXPECT_FALSE(IpAddress::parse(text)) << text;
  }
}

TEST(IpAddress, ParsesIpv6AndFormatsPerRfc5952) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"2001:db8::1", "2001:db8::1"},
      {"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
      {"::", "::"},
      {"::1", "::1"},
      {"1::", "1::"},
      // §4.2.2: a single zero group is not compressed.
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
      // §4.2.3: the longest run wins; the first on a tie.
      {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
      {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
      {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
      // §5: IPv4-mapped addresses keep the dotted quad.
      {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
      {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
      {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
  };
  for (const auto& [input, canonical] : cases) {
    auto address = IpAddress::parse(input);
    ASSERT_TRUE(address) << input;
    EXPECT_FALSE(address->is_v4()) << input;
    EXPECT_EQ(address->to_string(), canonical) << input;
    // Same bytes as the C library's parser.
    unsigned char expected[16];
    ASSERT_EQ(inet_pton(AF_INET6, input.c_str(), expected), 1) << input;
    for (std::size_t i = 0; i < 16; ++i) {
      EXPECT_EQ(address->bytes()[i], expected[i]) << input << " byte " << i;
    }
  }
}

TEST(IpAddress, RejectsMalformedIpv6) {
  for (const char* text :
       {":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::2",
        "1::2:", "12345::", "g::1", "1:2:3:4:5:6:7:8::", "::1.2.3", "::1.2.3.4:5", "::01.2.3.4",
        "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:256.0.0.1", " ::1"}) {
    EXPECT_FALSE(IpAddress::parse(text)) << text;
    unsigned char scratch[16];
    EXPECT_NE(inet_pton(AF_INET6, text, scratch), 1) << "inet_pton disagrees: " << text;
  }
}

TEST(IpAddress, MappedV4) {
  auto mapped = IpAddress::parse("::ffff:192.0.2.1")->mapped_v4();
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, *IpAddress::parse("192.0.2.1"));
  EXPECT_FALSE(IpAddress::parse("::192.0.2.1")->mapped_v4());
  EXPECT_FALSE(IpAddress::parse("192.0.2.1")->mapped_v4());
  EXPECT_FALSE(IpAddress::parse("2001:db8::ffff:c000:201")->mapped_v4());
}

TEST(IpAddress, InNetwork) {
  auto a = *IpAddress::parse("192.0.2.130");
  EXPECT_TRUE(a.in_network(*IpAddress::parse("192.0.2.0"), 24));
  EXPECT_TRUE(a.in_network(*IpAddress::parse("192.0.2.128"), 25));
  EXPECT_FALSE(a.in_network(*IpAddress::parse("192.0.2.0"), 25));
  EXPECT_TRUE(a.in_network(*IpAddress::parse("10.0.0.0"), 0));
  EXPECT_TRUE(a.in_network(a, 32));
  EXPECT_FALSE(a.in_network(*IpAddress::parse("192.0.2.131"), 32));
  EXPECT_TRUE(a.in_network(*IpAddress::parse("192.0.2.131"), 31));
  EXPECT_FALSE(a.in_network(a, 33));
  // Families never match each other, not even through a mapped address.
  EXPECT_FALSE(IpAddress::parse("::ffff:192.0.2.130")->in_network(a, 0));

  auto b = *IpAddress::parse("2001:db8:1234::1");
  EXPECT_TRUE(b.in_network(*IpAddress::parse("2001:db8::"), 32));
  EXPECT_TRUE(b.in_network(*IpAddress::parse("2001:db8:1200::"), 42));
  EXPECT_FALSE(b.in_network(*IpAddress::parse("2001:db8:1200::"), 43));
  EXPECT_TRUE(b.in_network(b, 128));
  EXPECT_FALSE(b.in_network(b, 129));
}

TEST(IpAddress, ReverseName) {
  EXPECT_EQ(IpAddress::parse("192.0.2.1")->reverse_name(), "1.2.0.192.in-addr.arpa");
  // RFC 3596 §2.5's example.
  EXPECT_EQ(IpAddress::parse("4321:0:1:2:3:4:567:89ab")->reverse_name(),
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa");
}

TEST(IpNetwork, Parses) {
  auto network = IpNetwork::parse("192.0.2.0/24");
  ASSERT_TRUE(network);
  EXPECT_EQ(network->prefix_length, 24u);
  EXPECT_TRUE(network->contains(*IpAddress::parse("192.0.2.77")));
  EXPECT_FALSE(network->contains(*IpAddress::parse("192.0.3.77")));
  EXPECT_EQ(network->to_string(), "192.0.2.0/24");
  EXPECT_EQ(IpNetwork::parse("192.0.2.1")->prefix_length, 32u);
  EXPECT_EQ(IpNetwork::parse("2001:DB8::/32")->to_string(), "2001:db8::/32");
  EXPECT_EQ(IpNetwork::parse("::/0")->prefix_length, 0u);
  EXPECT_EQ(IpNetwork::parse("2001:db8::1")->prefix_length, 128u);
  for (const char* text : {"192.0.2.0/33", "192.0.2.0/", "192.0.2.0/024", "192.0.2.0/2a", "::/129",
                           "/24", "192.0.2.0/24/1", "192.0.2.0/-1"}) {
    EXPECT_FALSE(IpNetwork::parse(text)) << text;
  }
}

}  // namespace
}  // namespace cqlist
