#include "mail/enhanced_status.hpp"

#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace cqlist::mail {
namespace {

std::string found(std::string_view text) {
  auto status = EnhancedStatus::find_in(text);
  return status ? status->to_string() : "none";
}

TEST(EnhancedStatusParse, ExactCodes) {
  EXPECT_EQ(EnhancedStatus::parse("5.7.26"), (EnhancedStatus{5, 7, 26}));
  EXPECT_EQ(EnhancedStatus::parse(" 4.2.0 "), (EnhancedStatus{4, 2, 0}));
  EXPECT_EQ(EnhancedStatus::parse("2.0.0"), (EnhancedStatus{2, 0, 0}));
  EXPECT_EQ(EnhancedStatus::parse("5.100.999"), (EnhancedStatus{5, 100, 999}));
}

TEST(EnhancedStatusParse, RejectsWhatRfc3463DoesNotAllow) {
  for (std::string_view bad : {"", "3.1.1", "1.0.0", "5.1", "5..1", "5.1.", "5.1.1.", ".5.1.1",
                               "5.1000.1", "5.1.1000", "5.1.1x", "55.1.1", "5 .1.1", "x5.1.1"}) {
    EXPECT_EQ(EnhancedStatus::parse(bad), std::nullopt) << bad;
  }
}

TEST(EnhancedStatusParse, ToStringAndClass) {
  EnhancedStatus permanent{5, 1, 10};
  EXPECT_EQ(permanent.to_string(), "5.1.10");
  EXPECT_TRUE(permanent.permanent());
  EXPECT_FALSE(permanent.transient());
  EXPECT_FALSE(permanent.success());
  EnhancedStatus transient{4, 7, 0};
  EXPECT_TRUE(transient.transient());
  EXPECT_FALSE(transient.permanent());
  EXPECT_TRUE((EnhancedStatus{2, 6, 0}).success());
  EXPECT_LT((EnhancedStatus{4, 7, 1}), (EnhancedStatus{5, 1, 1}));
}

TEST(EnhancedStatusFind, InsideReplyAndBounceText) {
  EXPECT_EQ(found("550-5.7.26 Unauthenticated email from example.com is not accepted"), "5.7.26");
  EXPECT_EQ(found("550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked"), "5.7.1");
  EXPECT_EQ(found("#5.1.1 smtp;550 5.1.1 User unknown"), "5.1.1");
  EXPECT_EQ(found("smtp; 552 5.2.2 Mailbox full"), "5.2.2");
  EXPECT_EQ(found("Delivery expired (4.4.7)"), "4.4.7");
  EXPECT_EQ(found("Remote server returned '550 5.4.1 Recipient address rejected: Access denied'"),
            "5.4.1");
  EXPECT_EQ(found("status 5.1.1."), "5.1.1");
}

TEST(EnhancedStatusFind, SkipsNumbersThatAreNotCodes) {
  // Yahoo puts an internal "4.16.55.1" after its real code.
  EXPECT_EQ(found("421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred - 4.16.55.1; "
                  "see https://postmaster.yahooinc.com/error-codes"),
            "4.7.0");
  EXPECT_EQ(found("Messages from 192.0.2.5 deferred - 4.16.55.1"), "none");
  EXPECT_EQ(found("version v5.7.1 and 25.1.1 and 5.1.1a"), "none");
  EXPECT_EQ(found("550 User unknown"), "none");
  EXPECT_EQ(found(""), "none");
  EXPECT_EQ(found("host 10.5.1.2 said 5.1.2"), "5.1.2");
}

TEST(EnhancedStatusDescribe, RegisteredCodes) {
  EXPECT_EQ((EnhancedStatus{5, 7, 26}).description(), "Multiple authentication checks failed");
  EXPECT_EQ((EnhancedStatus{5, 7, 1}).description(), "Delivery not authorized, message refused");
  EXPECT_EQ((EnhancedStatus{5, 7, 25}).description(), "Reverse DNS validation failed");
  EXPECT_EQ((EnhancedStatus{5, 7, 27}).description(), "Sender address has null MX");
  EXPECT_EQ((EnhancedStatus{5, 1, 1}).description(), "Bad destination mailbox address");
  EXPECT_EQ((EnhancedStatus{5, 1, 10}).description(), "Recipient address has null MX");
  EXPECT_EQ((EnhancedStatus{5, 2, 2}).description(), "Mailbox full");
  EXPECT_EQ((EnhancedStatus{5, 4, 1}).description(), "No answer from host");
  EXPECT_EQ((EnhancedStatus{4, 7, 0}).description(), "Other or undefined security status");
  EXPECT_EQ((EnhancedStatus{4, 2, 0}).description(), "Other or undefined mailbox status");
  EXPECT_EQ((EnhancedStatus{4, 4, 7}).description(), "Delivery time expired");
  EXPECT_EQ((EnhancedStatus{5, 7, 23}).description(), "SPF validation failed");
  EXPECT_EQ((EnhancedStatus{5, 7, 29}).description(), "ARC validation failure");
  EXPECT_EQ((EnhancedStatus{2, 0, 0}).description(), "Other undefined status");
}

TEST(EnhancedStatusDescribe, UnregisteredDetailFallsBackToSubject) {
  EXPECT_EQ((EnhancedStatus{5, 7, 99}).description(), "Other or undefined security status");
  EXPECT_EQ((EnhancedStatus{4, 1, 42}).description(), "Other address status");
  EXPECT_EQ((EnhancedStatus{5, 9, 1}).description(), "");
}

}  // namespace
}  // namespace cqlist::mail
