#include "list/verp.hpp"

#include <gtest/gtest.h>

namespace cqlist::list {
namespace {

store::ListRow ham() {
  store::ListRow list;
  list.name = "ham";
  list.domain = "cq-test.example";
  return list;
}

std::string local_part(const std::string& address) {
  return address.substr(0, address.rfind('@'));
}

TEST(Verp, PersonalAddressProvesTheRecipient) {
  TokenSigner tokens("secret");
  std::string address = personal_bounce_address(tokens, ham(), "Member+tag@Example.org");
  EXPECT_EQ(address.rfind("ham-bounces+", 0), 0u);
  EXPECT_NE(address.find("+Member+tag=Example.org@cq-test.example"), std::string::npos);
  auto parsed = parse_bounce_address(tokens, ham(), local_part(address));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->recipient, "Member+tag@Example.org");
  EXPECT_TRUE(parsed->recipient_proven);
}

TEST(Verp, ForgedRecipientIsRefused) {
  TokenSigner tokens("secret");
  std::string address = personal_bounce_address(tokens, ham(), "a@example.org");
  std::string forged = local_part(address);
  forged.replace(forged.find("a=example.org"), 13, "b=example.org");
  EXPECT_FALSE(parse_bounce_address(tokens, ham(), forged));
  EXPECT_FALSE(parse_bounce_address(tokens, ham(), "ham-bounces+zzzz+a=example.org"));
  EXPECT_FALSE(parse_bounce_address(tokens, ham(), "ham-bounces"));
  EXPECT_FALSE(parse_bounce_address(tokens, ham(), "other-bounces+x+a=example.org"));
}

TEST(Verp, XverpExpansionNamesTheArticle) {
  TokenSigner tokens("secret");
  std::string sender = xverp_bounce_sender(tokens, ham(), 1234);
  // What Postfix makes of it for recipient user@example.net (default delimiters "+=").
  std::string expanded = local_part(sender) + "+user=example.net";
  auto parsed = parse_bounce_address(tokens, ham(), expanded);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->recipient, "user@example.net");
  EXPECT_FALSE(parsed->recipient_proven);
  EXPECT_EQ(parsed->article, 1234);
  std::string wrong_article = expanded;
  wrong_article.replace(wrong_article.find("a1234"), 5, "a1235");
  EXPECT_FALSE(parse_bounce_address(tokens, ham(), wrong_article));
}

}  // namespace
}  // namespace cqlist::list
