// auth/authres/authres_test.cpp: RFC 8601 parsing and formatting, with fields as Gmail,
// Exchange Online and Postfix milters (OpenDKIM, OpenDMARC, policyd-spf) write them.
#include "auth/authres/authres.hpp"

#include <gtest/gtest.h>

namespace cqlist::auth::authres {
namespace {

constexpr std::string_view kGmail =
    " mx.google.com;\r\n"
    "       dkim=pass header.i=@example.com header.s=20230601 header.b=Ab/Cd+12;\r\n"
    "       spf=pass (google.com: domain of alice@example.com designates 209.85.220.41 as "
    "permitted sender) smtp.mailfrom=alice@example.com;\r\n"
    "       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com";

constexpr std::string_view kMicrosoft =
    " spf=pass (sender IP is 40.107.22.59)\r\n"
    " smtp.mailfrom=contoso.com; dkim=pass (signature was verified)\r\n"
    " header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;compauth=pass\r\n"
    " reason=100";

constexpr std::string_view kOpenDkim =
    " mail.example.org;\r\n"
    "\tdkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com "
    "header.a=rsa-sha256 header.s=s1 header.b=AbCd1234;\r\n"
    "\tdkim-atps=neutral";

constexpr std::string_view kOpenDmarc =
    " mail.example.org; dmarc=pass (p=reject dis=none) "
    "header.from=example.com";

constexpr std::string_view kPolicydSpf =
    " mail.example.org; spf=pass (sender SPF authorized) smtp.mailfrom=example.com";

TEST(AuthResParse, Gmail) {
  auto parsed = parse(kGmail);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->authserv_id, "mx.google.com");
  EXPECT_FALSE(parsed->version);
  ASSERT_EQ(parsed->results.size(), 3U);
  EXPECT_EQ(parsed->results[0].method, "dkim");
  EXPECT_EQ(parsed->results[0].result, "pass");
  EXPECT_EQ(parsed->results[0].property("header", "i"), "@example.com");
  EXPECT_EQ(parsed->results[0].property("header", "b"), "Ab/Cd+12");
  EXPECT_EQ(parsed->results[1].property("smtp", "mailfrom"), "alice@example.com");
  ASSERT_EQ(parsed->results[1].comments.size(), 1U);
  EXPECT_EQ(parsed->results[1].comments[0],
            "google.com: domain of alice@example.com designates 209.85.220.41 as permitted "
            "sender");
  EXPECT_EQ(parsed->results[2].method, "dmarc");
  EXPECT_EQ(parsed->results[2].property("HEADER", "From"), "example.com");
}

TEST(AuthResParse, MicrosoftWithoutAuthservId) {
  auto parsed = parse(kMicrosoft);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->authserv_id, "");
  ASSERT_EQ(parsed->results.size(), 4U);
  EXPECT_EQ(parsed->results[0].method, "spf");
  EXPECT_EQ(parsed->results[0].property("smtp", "mailfrom"), "contoso.com");
  EXPECT_EQ(parsed->results[2].property("", "action"), "none");
  EXPECT_EQ(parsed->results[3].method, "compauth");
  EXPECT_EQ(parsed->results[3].reason, "100");
}

TEST(AuthResParse, PostfixMilters) {
  auto dkim = parse(kOpenDkim);
  ASSERT_TRUE(dkim) << dkim.error().message();
  EXPECT_EQ(dkim->authserv_id, "mail.example.org");
  ASSERT_EQ(dkim->results.size(), 2U);
  EXPECT_EQ(dkim->results[0].comments[0], "2048-bit key; unprotected");
  EXPECT_EQ(dkim->results[0].property("header", "s"), "s1");
  EXPECT_EQ(dkim->results[1].method, "dkim-atps");
  EXPECT_EQ(dkim->results[1].result, "neutral");
  auto dmarc = parse(kOpenDmarc);
  ASSERT_TRUE(dmarc);
  EXPECT_EQ(dmarc->results[0].comments[0], "p=reject dis=none");
  auto spf = parse(kPolicydSpf);
  ASSERT_TRUE(spf);
  EXPECT_EQ(spf->results[0].result, "pass");
}

TEST(AuthResParse, RfcExamples) {
  // RFC 8601 Appendix B.2 (nothing done) and B.5-style version, method version, reason.
  auto none = parse(" example.org 1; none");
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_EQ(none->version, 1);
  EXPECT_TRUE(none->results.empty());
  auto full = parse(
      " example.com;\r\n  spf=pass smtp.mailfrom=example.net;\r\n"
      "  auth/2=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
      "  sender-id=fail header.from=example.com (a comment);\r\n"
      "  dkim=fail reason=\"bad signature\" header.i=@mail-router.example.net");
  ASSERT_TRUE(full) << full.error().message();
  ASSERT_EQ(full->results.size(), 4U);
  EXPECT_EQ(full->results[1].method, "auth");
  EXPECT_EQ(full->results[1].method_version, "2");
  EXPECT_EQ(full->results[2].comments[0], "a comment");
  EXPECT_EQ(full->results[3].reason, "bad signature");
  auto quoted_id = parse(" \"my server\" (comment (nested)) ; spf=none");
  ASSERT_TRUE(quoted_id) << quoted_id.error().message();
  EXPECT_EQ(quoted_id->authserv_id, "my server");
}

TEST(AuthResParse, Errors) {
  for (std::string_view bad : {"", " example.org; spf", " example.org; spf=", " x; (open",
                               " x; dkim=pass header.=x", " x y"}) {
    auto parsed = parse(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code(), Errc::bad_syntax);
    }
  }
}

TEST(AuthResFormat, RoundTripsRealFields) {
  int cases_run = 0;
  for (std::string_view field : {kGmail, kMicrosoft, kOpenDkim, kOpenDmarc, kPolicydSpf}) {
    auto parsed = parse(field);
    ASSERT_TRUE(parsed);
    std::string formatted = format(*parsed);
    auto again = parse(formatted);
    ASSERT_TRUE(again) << formatted;
    EXPECT_EQ(*again, *parsed) << formatted;
    // Folded: no line longer than 78 characters counting the field name on the first.
    std::size_t line_start = 0;
    std::size_t first = std::string_view("Authentication-Results:").size();
    for (std::size_t i = 0; i <= formatted.size(); ++i) {
      if (i == formatted.size() || formatted[i] == '\r') {
        EXPECT_LE(i - line_start + first, 78U) << formatted;
        line_start = i + 2;
        first = 0;
      }
    }
    ++cases_run;
  }
  EXPECT_EQ(cases_run, 5);
}

TEST(AuthResFormat, ExactOutput) {
  AuthenticationResults results;
  results.authserv_id = "lists.example.org";
  MethodResult spf{"spf", "", "pass", "", {{"smtp", "mailfrom", "bounce@example.com"}}, {}};
  MethodResult dmarc{"dmarc", "", "fail", "", {{"header", "from", "example.com"}}, {"p=reject"}};
  results.results = {spf, dmarc};
  EXPECT_EQ(format(results),
            " lists.example.org;\r\n\tspf=pass smtp.mailfrom=bounce@example.com;\r\n"
            "\tdmarc=fail (p=reject) header.from=example.com");
  results.results.clear();
  EXPECT_EQ(format(results), " lists.example.org; none");
}

TEST(AuthResTrust, OnlyTheConfiguredAuthservId) {
  mail::Message message = mail::Message::parse(
      "Authentication-Results: evil.example; dmarc=pass header.from=bank.example\r\n"
      "Authentication-Results: mx.lists.example.org;\r\n"
      "\tdkim=pass header.d=example.com; spf=fail smtp.mailfrom=example.com\r\n"
      "Authentication-Results: spf=pass smtp.mailfrom=x.example\r\n"
      "Authentication-Results: MX.LISTS.EXAMPLE.ORG; dmarc=fail header.from=example.com\r\n"
      "From: a@example.com\r\n\r\nbody\r\n");
  std::vector<MethodResult> trusted = trusted_results(message, "mx.lists.example.org");
  ASSERT_EQ(trusted.size(), 3U);
  EXPECT_EQ(trusted[0].method, "dkim");
  EXPECT_EQ(trusted[1].method, "spf");
  EXPECT_EQ(trusted[1].result, "fail");
  EXPECT_EQ(trusted[2].method, "dmarc");
  EXPECT_TRUE(trusted_results(message, "other.example").empty());
}

}  // namespace
}  // namespace cqlist::auth::authres
