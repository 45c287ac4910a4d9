#include "auth/arc/header.hpp"

#include <gtest/gtest.h>

#include "auth/arc/chain.hpp"

namespace cqlist::auth::arc {
namespace {

constexpr std::string_view kSeal =
    "i=1; a=rsa-sha256; cv=none; d=Example.org; s=sel; t=12345; b=AAAA";
constexpr std::string_view kSignature =
    "i=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel; h=From : To; bh=AAAA; b=AAAA";

TEST(ArcHeader, Instance) {
  EXPECT_EQ(*parse_instance("1"), 1u);
  EXPECT_EQ(*parse_instance("50"), 50u);
  EXPECT_FALSE(parse_instance("0"));
  EXPECT_FALSE(parse_instance("51"));
  EXPECT_FALSE(parse_instance(""));
  EXPECT_FALSE(parse_instance("1a"));
  EXPECT_FALSE(parse_instance("-1"));
}

TEST(ArcHeader, Seal) {
  auto seal = parse_seal(kSeal);
  ASSERT_TRUE(seal) << seal.error().message();
  EXPECT_EQ(seal->instance, 1u);
  EXPECT_EQ(seal->chain_status, ChainStatus::none);
  EXPECT_EQ(seal->domain, "example.org");
  EXPECT_EQ(seal->selector, "sel");
  EXPECT_EQ(seal->timestamp, 12345);
  EXPECT_EQ(seal->signature, std::string("\0\0\0", 3));

  auto with_h = parse_seal(std::string(kSeal) + "; h=from");
  ASSERT_FALSE(with_h);
  EXPECT_EQ(with_h.error().message(), "ARC-Seal carries h=, which RFC 8617 §4.1.3 forbids");
  EXPECT_EQ(
      parse_seal("i=1; a=rsa-sha256; cv=maybe; d=example.org; s=sel; b=AAAA").error().message(),
      "ARC-Seal: cv=\"maybe\" is not none, pass or fail");
  EXPECT_EQ(parse_seal("i=1; a=rsa-sha1; cv=none; d=example.org; s=sel; b=AAAA").error().message(),
            "unknown algorithm a=rsa-sha1");
  EXPECT_EQ(parse_seal("i=1; a=rsa-sha256; cv=none; s=sel; b=AAAA").error().message(),
            "ARC-Seal: required tag d= is missing");
  EXPECT_EQ(parse_seal("i=1; a=rsa-sha256; cv=none; d=example.org; s=sel; b=").error().message(),
            "b= is empty");
}

TEST(ArcHeader, MessageSignature) {
  auto ams = parse_message_signature(kSignature);
  ASSERT_TRUE(ams) << ams.error().message();
  EXPECT_EQ(ams->instance, 1u);
  EXPECT_EQ(ams->signature.identity, "@example.org");
  EXPECT_EQ(ams->signature.signed_headers, (std::vector<std::string>{"from", "to"}));
  EXPECT_EQ(ams->signature.header_canonicalization, dkim::Canonicalization::relaxed);
  EXPECT_FALSE(ams->signature.timestamp.has_value());

  // No c=: relaxed/relaxed (see header.cpp); "simple" alone: simple/simple.
  auto no_c =
      parse_message_signature("i=2; a=rsa-sha256; d=example.org; s=sel; h=; bh=AAAA; b=AAAA");
  ASSERT_TRUE(no_c);
  EXPECT_EQ(no_c->signature.body_canonicalization, dkim::Canonicalization::relaxed);
  EXPECT_TRUE(no_c->signature.signed_headers.empty());
  auto simple = parse_message_signature(
      "i=2; a=rsa-sha256; c=simple; d=example.org; s=sel; h=from::to; bh=AAAA; b=AAAA");
  ASSERT_TRUE(simple);
  EXPECT_EQ(simple->signature.header_canonicalization, dkim::Canonicalization::simple);
  EXPECT_EQ(simple->signature.signed_headers, (std::vector<std::string>{"from", "to"}));

  EXPECT_EQ(parse_message_signature(
                "i=1; a=rsa-sha256; d=example.org; s=sel; h=from:arc-seal; bh=AAAA; b=AAAA")
                .error()
                .message(),
            "ARC-Message-Signature: h= lists ARC-Seal, which it may not sign (RFC 8617 §4.1.2)");
  EXPECT_EQ(parse_message_signature(
                "i=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=AAAA; b=AAAA; t=1 2")
                .error()
                .message(),
            "t= is not a decimal number");
  EXPECT_EQ(parse_message_signature(
                "i=1; a=rsa-sha256; d=example.org; s=sel; h=from; bh=AAAA; b=AAAA; i=2")
                .error()
                .message()
                .substr(0, 23),
            "ARC-Message-Signature: ");
}

TEST(ArcHeader, AuthenticationResults) {
  auto aar = parse_authentication_results(" i = 2 ;  lists.example.org; spf=pass ");
  ASSERT_TRUE(aar) << aar.error().message();
  EXPECT_EQ(aar->instance, 2u);
  EXPECT_EQ(aar->payload, "lists.example.org; spf=pass");
  EXPECT_EQ(parse_authentication_results("i=1 lists.example.org;").error().message(),
            "ARC-Authentication-Results: no \";\" after i=");
  EXPECT_EQ(parse_authentication_results("lists.example.org; i=1;").error().message(),
            "ARC-Authentication-Results does not start with i=");
  EXPECT_FALSE(parse_authentication_results("i=1;"));
}

mail::Message with_fields(std::string header) {
  return mail::Message::parse(header + "From: a@example.org\n\nbody\n");
}

TEST(ArcChain, CollectsSetsInInstanceOrder) {
  auto message = with_fields(
      "ARC-Seal: i=2; x=1\nARC-Message-Signature: i=2\nARC-Authentication-Results: i=2; a\n"
      "ARC-Seal: i=1\nARC-Message-Signature: i=1\nARC-Authentication-Results: i=1; a\n");
  auto sets = collect_chain(message);
  ASSERT_TRUE(sets) << sets.error().message();
  ASSERT_EQ(sets->size(), 2u);
  EXPECT_EQ((*sets)[0].instance, 1u);
  EXPECT_EQ((*sets)[0].seal_index, 3u);
  EXPECT_EQ((*sets)[0].signature_index, 4u);
  EXPECT_EQ((*sets)[0].results_index, 5u);
  EXPECT_EQ((*sets)[1].seal_index, 0u);

  EXPECT_TRUE(collect_chain(with_fields(""))->empty());
}

TEST(ArcChain, StructuralErrors) {
  EXPECT_EQ(collect_chain(with_fields("ARC-Seal: i=1\nARC-Seal: i=1\n")).error().message(),
            "there are two ARC-Seal fields with i=1");
  EXPECT_EQ(collect_chain(with_fields("ARC-Seal: i=2\nARC-Message-Signature: i=2\n"
                                      "ARC-Authentication-Results: i=2; a\n"))
                .error()
                .message(),
            "ARC set 1 of 2 has no ARC-Authentication-Results field");
  EXPECT_EQ(collect_chain(with_fields("ARC-Seal: i=0\n")).error().message(),
            "i=0 is not an instance between 1 and 50");
  EXPECT_EQ(collect_chain(with_fields("ARC-Seal: a=b\n")).error().message(),
            "ARC-Seal has no i= tag");
}

}  // namespace
}  // namespace cqlist::auth::arc
