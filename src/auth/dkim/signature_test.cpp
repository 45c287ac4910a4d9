#include "auth/dkim/signature.hpp"

#include <gtest/gtest.h>

#include "auth/dkim/tag_list.hpp"

namespace cqlist::auth::dkim {
namespace {

constexpr std::string_view kBh = "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";

std::string with(std::string_view tags) {
  return "v=1; a=rsa-sha256; d=example.com; s=sel; h=From:To; " + std::string(kBh) + "; b=AAAA; " +
         std::string(tags);
}

std::string error_of(std::string_view value) {
  auto sig = parse_signature(value);
  return sig ? std::string("parsed") : sig.error().message();
}

TEST(TagList, ParsesNamesValuesAndPositions) {
  auto list = TagList::parse(" a = 1 ;b=x y\r\n z;c=;");
  ASSERT_TRUE(list.has_value()) << list.error().message();
  ASSERT_EQ(list->tags().size(), 3u);
  EXPECT_EQ(*list->value("a"), "1");
  EXPECT_EQ(*list->value("b"), "x y\r\n z");
  EXPECT_EQ(*list->value("c"), "");
  EXPECT_FALSE(list->value("B").has_value());  // names are case-sensitive
  EXPECT_EQ(list->tags()[1].value_begin, 10u);
}

TEST(TagList, RejectsBadSyntax) {
  EXPECT_EQ(TagList::parse("a=1; a=2").error().message(), "tag \"a\" appears twice");
  EXPECT_EQ(TagList::parse("a=1;;b=2").error().message(), "empty tag between two \";\"");
  EXPECT_EQ(TagList::parse("a").error().message(), "tag \"a\" has no \"=\"");
  EXPECT_FALSE(TagList::parse("1a=2").has_value());
  EXPECT_FALSE(TagList::parse("a=\x01").has_value());
  EXPECT_FALSE(TagList::parse("a=\xc3\xa9").has_value());
  EXPECT_FALSE(TagList::parse("").has_value());
}

TEST(TagList, BlankTagValueRemovesTheValueAndItsWhitespace) {
  EXPECT_EQ(blank_tag_value("a=1; b= AB\r\n CD ; bh=x", "b"), "a=1; b=; bh=x");
  EXPECT_EQ(blank_tag_value("bh=x; b=AB\r\n CD", "b"), "bh=x; b=");
  EXPECT_EQ(blank_tag_value("a=1", "b"), "a=1");
}

TEST(Signature, ParsesTheRfc8463Signature) {
  auto sig = parse_signature(
      " v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n d=football.example.com; "
      "i=@football.example.com;\r\n q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n "
      "subject : date : message-id : from : subject : date;\r\n "
      "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n "
      "b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n "
      "Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==");
  ASSERT_TRUE(sig.has_value()) << sig.error().message();
  EXPECT_EQ(sig->algorithm, Algorithm::ed25519_sha256);
  EXPECT_EQ(sig->header_canonicalization, Canonicalization::relaxed);
  EXPECT_EQ(sig->body_canonicalization, Canonicalization::relaxed);
  EXPECT_EQ(sig->domain, "football.example.com");
  EXPECT_EQ(sig->selector, "brisbane");
  EXPECT_EQ(sig->identity, "@football.example.com");
  EXPECT_EQ(sig->timestamp, 1528637909);
  EXPECT_EQ(sig->signed_headers,
            (std::vector<std::string>{"from", "to", "subject", "date", "message-id", "from",
                                      "subject", "date"}));
  EXPECT_EQ(sig->signature.size(), 64u);
  EXPECT_EQ(sig->body_hash.size(), 32u);
  EXPECT_EQ(sig->signature_base64.substr(0, 8), "/gCrinpc");
}

TEST(Signature, DefaultsAndOptionalTags) {
  auto sig = parse_signature(with("c=relaxed; l=42; x=20; t=10; i=joe@sub.example.com"));
  ASSERT_TRUE(sig.has_value()) << sig.error().message();
  EXPECT_EQ(sig->header_canonicalization, Canonicalization::relaxed);
  EXPECT_EQ(sig->body_canonicalization, Canonicalization::simple);
  EXPECT_EQ(sig->body_length, 42u);
  EXPECT_EQ(sig->expiration, 20);
  EXPECT_EQ(sig->identity_domain(), "sub.example.com");
  auto plain = parse_signature(with(""));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->identity, "@example.com");
  EXPECT_EQ(plain->header_canonicalization, Canonicalization::simple);
}

TEST(Signature, StrictErrors) {
  EXPECT_EQ(error_of("v=1; a=rsa-sha256; d=example.com; s=sel; h=From; b=AAAA"),
            "required tag bh= is missing");
  EXPECT_EQ(error_of(with("v=1")), "tag \"v\" appears twice");
  EXPECT_EQ(
      error_of("v=2; a=rsa-sha256; d=example.com; s=sel; h=From; b=AAAA; " + std::string(kBh)),
      "unknown signature version v=2");
  EXPECT_EQ(error_of("v=1; a=rsa-sha1; d=example.com; s=sel; h=From; b=AAAA; " + std::string(kBh)),
            "unknown algorithm rsa-sha1 (RFC 8301)");
  EXPECT_EQ(
      error_of("v=1; a=dsa-sha512; d=example.com; s=sel; h=From; b=AAAA; " + std::string(kBh)),
      "unknown algorithm dsa-sha512");
  EXPECT_EQ(error_of(with("i=@example.org")), "i= domain example.org is not within d=example.com");
  EXPECT_EQ(error_of(with("i=@badexample.com")),
            "i= domain badexample.com is not within d=example.com");
  EXPECT_EQ(error_of("v=1; a=rsa-sha256; d=example.com; s=sel; h=To:Subject; b=AAAA; " +
                     std::string(kBh)),
            "h= does not include From (RFC 6376 §5.4)");
  EXPECT_EQ(error_of(with("x=5; t=10")), "x= is earlier than t=");
  EXPECT_EQ(error_of(with("q=http/well-known")), "q= offers no dns/txt key query method");
  EXPECT_EQ(error_of(with("c=fancy/simple")), "unknown canonicalization fancy");
  EXPECT_EQ(error_of(with("l=12x")), "l= is not a decimal number");
  EXPECT_EQ(error_of("v=1; a=rsa-sha256; d=legitimate.com(.attacker.com; s=sel; h=From; "
                     "b=AAAA; " +
                     std::string(kBh)),
            "d= is not a domain name: legitimate.com(.attacker.com");
  EXPECT_EQ(error_of("v=1; a=rsa-sha256; d=example.com; s=sel; h=From; b=AAAA; bh=AAAA"),
            "bh= is not a SHA-256 hash");
  EXPECT_EQ(
      error_of("v=1; a=rsa-sha256; d=example.com; s=sel; h=From; b=A!AA; " + std::string(kBh)),
      "b= is not valid base64");
}

TEST(Signature, DomainNames) {
  EXPECT_TRUE(is_domain_name("a-b.example_x.com"));
  EXPECT_FALSE(is_domain_name("example..com"));
  EXPECT_FALSE(is_domain_name(".example.com"));
  EXPECT_FALSE(is_domain_name("example.com."));
  EXPECT_FALSE(is_domain_name(std::string(64, 'a') + ".com"));
}

}  // namespace
}  // namespace cqlist::auth::dkim
