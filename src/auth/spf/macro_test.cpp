#include "auth/spf/macro.hpp"

#include <gtest/gtest.h>

namespace cqlist::auth::spf {
namespace {

// The examples of RFC 7208 §7.4.
MacroContext rfc_context(const char* ip) {
  MacroContext context;
  context.sender = "strong-bad@email.example.com";
  context.local_part = "strong-bad";
  context.sender_domain = "email.example.com";
  context.domain = "email.example.com";
  context.ip = *IpAddress::parse(ip);
  context.helo = "mx.example.org";
  context.receiver = "mx.example.net";
  context.timestamp = 1700000000;
  return context;
}

TEST(SpfMacro, Rfc7208Section74Examples) {
  const MacroContext context = rfc_context("192.0.2.3");

  struct Row {
    const char* macro;
    const char* expected;
  };

  const Row rows[] = {
      {"%{s}", "strong-bad@email.example.com"},
      {"%{o}", "email.example.com"},
      {"%{d}", "email.example.com"},
      {"%{d4}", "email.example.com"},
      {"%{d3}", "email.example.com"},
      {"%{d2}", "example.com"},
      {"%{d1}", "com"},
      {"%{dr}", "com.example.email"},
      {"%{d2r}", "example.email"},
      {"%{l}", "strong-bad"},
      {"%{l-}", "strong.bad"},
      {"%{lr}", "strong-bad"},
      {"%{lr-}", "bad.strong"},
      {"%{l1r-}", "strong"},
      {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
      {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
      {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
      {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
      {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
      {"%%%_%-", "% %20"},
  };
  for (const Row& row : rows) {
    auto expanded = expand_macros(row.macro, context, false);
    ASSERT_TRUE(expanded.has_value()) << row.macro;
    EXPECT_EQ(*expanded, row.expected) << row.macro;
  }
  auto ip6 = expand_macros("%{ir}.%{v}._spf.%{d2}", rfc_context("2001:db8::cb01"), false);
  ASSERT_TRUE(ip6.has_value());
  EXPECT_EQ(*ip6,
            "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
}

TEST(SpfMacro, ExplanationLettersAndUrlEscaping) {
  MacroContext context = rfc_context("192.0.2.3");
  context.local_part = "~jack&jill=up";
  auto text = expand_macros("%{L} from %{c} at %{t} via %{r}", context, true);
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text, "~jack%26jill%3Dup from 192.0.2.3 at 1700000000 via mx.example.net");
  EXPECT_FALSE(expand_macros("%{t}", context, false).has_value());
}

TEST(SpfMacro, ValidatedNameComesFromTheCallbackOnlyWhenUsed) {
  MacroContext context = rfc_context("192.0.2.3");
  int calls = 0;
  context.validated_name = [&] {
    ++calls;
    return std::string("mx.email.example.com");
  };
  EXPECT_EQ(*expand_macros("%{d}", context, false), "email.example.com");
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(*expand_macros("%{p}", context, false), "mx.email.example.com");
  EXPECT_EQ(calls, 1);
}

TEST(SpfMacro, LongDomainsLoseLabelsFromTheLeft) {
  MacroContext context = rfc_context("192.0.2.3");
  context.local_part = std::string(60, 'a') + "." + std::string(60, 'b') + "." +
                       std::string(60, 'c') + "." + std::string(60, 'd');
  auto name = expand_domain_spec("%{l}.example.com", context);
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(*name, std::string(60, 'b') + "." + std::string(60, 'c') + "." + std::string(60, 'd') +
                       ".example.com");
  EXPECT_LE(name->size(), 253u);
  EXPECT_FALSE(expand_domain_spec("%{l0}.example.com", context).has_value());
}

}  // namespace
}  // namespace cqlist::auth::spf
