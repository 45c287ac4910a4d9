#include "list/token.hpp"

#include <gtest/gtest.h>

namespace cqlist::list {
namespace {

TEST(Token, ChecksOnlyForTheSamePurposeAndData) {
  TokenSigner signer("secret");
  std::string token = signer.make(TokenPurpose::bounce, "ham\nmember@example.org");
  EXPECT_EQ(token.size(), 16u);
  EXPECT_TRUE(signer.check(TokenPurpose::bounce, "ham\nmember@example.org", token));
  EXPECT_FALSE(signer.check(TokenPurpose::unsubscribe, "ham\nmember@example.org", token));
  EXPECT_FALSE(signer.check(TokenPurpose::bounce, "ham\nother@example.org", token));
  EXPECT_FALSE(TokenSigner("other").check(TokenPurpose::bounce, "ham\nmember@example.org", token));
}

TEST(Token, SurvivesAnMtaUppercasingIt) {
  TokenSigner signer("secret");
  std::string token = signer.make(TokenPurpose::confirm, "x");
  std::string upper;
  for (char c : token) {
    upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  EXPECT_TRUE(signer.check(TokenPurpose::confirm, "x", upper));
}

TEST(Token, RandomTokensDiffer) {
  auto a = random_token();
  auto b = random_token();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 26u);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace cqlist::list
