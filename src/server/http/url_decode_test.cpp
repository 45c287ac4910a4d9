// server/http/url_decode_test.cpp: percent-decoding and form fields.
#include "server/http/url_decode.hpp"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace cqlist::server {
namespace {

TEST(PercentDecode, DecodesEscapes) {
  EXPECT_EQ(percent_decode("/a%20b%2fc", false), "/a b/c");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("caf%C3%A9", false), "caf\xc3\xa9");
}

TEST(PercentDecode, RefusesMalformedEscapesAndNul) {
  EXPECT_FALSE(percent_decode("%", false));
  EXPECT_FALSE(percent_decode("%4", false));
  EXPECT_FALSE(percent_decode("%zz", false));
  EXPECT_FALSE(percent_decode("a%00b", false));
}

TEST(DecodeForm, SplitsPairs) {
  auto form = decode_form("a=1&b=x+y&&c&d=%26&a=2");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->size(), 4u);
  EXPECT_EQ(form->at("a"), "1");  // the first of a repeated name
  EXPECT_EQ(form->at("b"), "x y");
  EXPECT_EQ(form->at("c"), "");
  EXPECT_EQ(form->at("d"), "&");
  EXPECT_TRUE(decode_form("")->empty());
  EXPECT_FALSE(decode_form("a=%zz"));
}

TEST(DecodeMultipartForm, ReadsTextFieldsAndSkipsUploads) {
  std::string body =
      "preamble\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"List-Unsubscribe\"\r\n"
      "\r\n"
      "One-Click\r\n"
      "--XyZ  \r\n"  // transport padding after a delimiter (RFC 2046 §5.1.1)
      "content-disposition: form-data; name=\"upload\"; filename=\"a.txt\"\r\n"
      "Content-Type: text/plain\r\n"
      "\r\n"
      "file\r\nwith lines\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=List-Unsubscribe\r\n"
      "\r\n"
      "second\r\n"
      "--XyZ--\r\n"
      "epilogue";
  auto fields = decode_multipart_form(body, "XyZ");
  ASSERT_TRUE(fields);
  EXPECT_EQ(*fields, (std::map<std::string, std::string>{{"List-Unsubscribe", "One-Click"}}));
  auto empty =
      decode_multipart_form("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--b--", "b");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->at("a"), "");
}

TEST(DecodeMultipartForm, RefusesBodiesThatAreNotMultipart) {
  EXPECT_FALSE(decode_multipart_form("List-Unsubscribe=One-Click", "b"));
  EXPECT_FALSE(decode_multipart_form("--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx", "b"))
      << "cut short: no close delimiter";
  EXPECT_FALSE(decode_multipart_form("--\r\n\r\n", ""));
  EXPECT_FALSE(decode_multipart_form("--b\r\nno blank line\r\n--b--", "b"));
}

}  // namespace
}  // namespace cqlist::server
