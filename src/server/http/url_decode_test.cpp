// server/http/url_decode_test.cpp: percent-decoding and form fields.
#include "server/http/url_decode.hpp"

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

}  // namespace
}  // namespace cqlist::server
