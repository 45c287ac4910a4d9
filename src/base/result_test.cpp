#include "base/result.hpp"

#include <string>

#include <gtest/gtest.h>

namespace cqlist {
namespace {

Result<int> parse_positive(int value) {
  if (value <= 0) {
    return fail(Errc::invalid_argument, "value must be positive");
  }
  return value;
}

Result<int> doubled(int value) {
  CQLIST_TRY(int checked, parse_positive(value));
  return checked * 2;
}

Result<void> check_only(int value) {
  CQLIST_TRY_VOID(parse_positive(value).transform([](int) {}));
  return {};
}

TEST(Result, TryPassesValuesThrough) {
  auto result = doubled(21);
  ASSERT_TRUE(result);
  EXPECT_EQ(*result, 42);
}

TEST(Result, TryReturnsTheFirstError) {
  auto result = doubled(-1);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), Errc::invalid_argument);
  EXPECT_EQ(result.error().message(), "value must be positive");
}

TEST(Result, TryVoidPropagates) {
  EXPECT_TRUE(check_only(1));
  EXPECT_FALSE(check_only(0));
}

TEST(Error, DescribeAppendsContextFrames) {
  Error error = Error(Errc::io, "cannot open x").with_context("while spooling post 1A");
  EXPECT_EQ(error.describe(), "cannot open x (while spooling post 1A)");
  EXPECT_FALSE(error.temporary());
  EXPECT_TRUE(Error(Errc::temporary, "dns timeout").temporary());
  EXPECT_EQ(errc_name(Errc::limit_exceeded), "limit_exceeded");
}

}  // namespace
}  // namespace cqlist
