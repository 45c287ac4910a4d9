#include "dns/rdata.hpp"

#include <string>

#include <gtest/gtest.h>

namespace cqlist::dns {
namespace {

using namespace std::string_literals;

TEST(Rdata, DecodesNames) {
  EXPECT_EQ(decode_name("\x04mail\x07"
                        "example\x03org\x00"s)
                .value(),
            "mail.example.org");
  EXPECT_EQ(decode_name("\x00"s).value(), ".");
  // Bytes that cannot stand literally in a label are escaped (RFC 4343 §2.1).
  EXPECT_EQ(decode_name("\x03"
                        "a.b\x02"
                        "c\\\x02\x01 \x00"s)
                .value(),
            "a\\046b.c\\092.\\001\\032");
  EXPECT_FALSE(decode_name("\x04mail"s));  // runs past the end
  EXPECT_FALSE(decode_name("\xc0\x0c"s));  // compression pointer
  EXPECT_FALSE(
      decode_name("\x01"
                  "a\x00\x00"s));  // trailing bytes
  std::string long_name;
  for (int i = 0; i < 5; ++i) {
    long_name += "\x3f" + std::string(63, 'a');
  }
  EXPECT_FALSE(decode_name(long_name + "\x00"s));  // longer than 255 octets
}

TEST(Rdata, DecodesEachType) {
  EXPECT_EQ(std::get<IpAddress>(decode_rdata(RecordType::a, "\xc0\x00\x02\x01"s).value()),
            *IpAddress::parse("192.0.2.1"));
  EXPECT_FALSE(decode_rdata(RecordType::a, "\xc0\x00\x02"s));
  EXPECT_EQ(std::get<IpAddress>(
                decode_rdata(RecordType::aaaa, "\x20\x01\x0d\xb8" + std::string(11, '\0') + "\x01")
                    .value()),
            *IpAddress::parse("2001:db8::1"));
  EXPECT_EQ(std::get<MxRecord>(decode_rdata(RecordType::mx, "\x00\x0a\x02mx\x00"s).value()),
            (MxRecord{10, "mx"}));
  EXPECT_EQ(std::get<TxtRecord>(decode_rdata(RecordType::txt,
                                             "\x03"
                                             "abc\x00\x02"
                                             "de"s)
                                    .value())
                .strings,
            (std::vector<std::string>{"abc", "", "de"}));
  EXPECT_FALSE(decode_rdata(RecordType::txt,
                            "\x05"
                            "abc"s));
  EXPECT_FALSE(decode_rdata(RecordType::txt, ""s));
  auto soa = decode_rdata(RecordType::soa,
                          "\x02ns\x00\x02hm\x00\x00\x00\x01\x00"s + std::string(16, '\x01'));
  EXPECT_EQ(std::get<SoaRecord>(soa.value()), (SoaRecord{"ns", "hm", 256}));
  EXPECT_FALSE(decode_rdata(RecordType::soa, "\x02ns\x00\x02hm\x00\x00"s));
  EXPECT_EQ(std::get<TlsaRecord>(decode_rdata(RecordType::tlsa, "\x03\x01\x01\xab\xcd"s).value()),
            (TlsaRecord{3, 1, 1, "\xab\xcd"s}));
  EXPECT_EQ(std::get<std::string>(decode_rdata(RecordType::ptr, "\x01x\x00"s).value()), "x");
}

}  // namespace
}  // namespace cqlist::dns
