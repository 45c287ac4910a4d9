// store/row_values_test.cpp: address keys, times, state names and recipient lists as columns.

#include "store/row_values.hpp"

#include <gtest/gtest.h>

namespace cqlist::store {
namespace {

TEST(AddressKey, LowersTheWholeAddressAsFmlCompares) {
  EXPECT_EQ(address_key("Bob.Smith@Example.ORG"), "bob.smith@example.org");
  EXPECT_EQ(address_key("bob@example.org"), "bob@example.org");
  EXPECT_EQ(address_key("\"A@B\"@Example.ORG"), "\"a@b\"@example.org");
  EXPECT_EQ(address_key("NoDomain"), "nodomain");
  // ASCII only, as SQLite's lower() folds: a UTF-8 local part keeps its bytes.
  EXPECT_EQ(address_key("\xC3\x89LISE@Example.org"), "\xC3\x89lise@example.org");
}

TEST(CheckAddress, NeedsLocalPartAndDomainWithoutLineBreaks) {
  EXPECT_TRUE(check_address("bob@example.org"));
  EXPECT_TRUE(check_address("\"a b\"@example.org"));
  for (const char* bad :
       {"", "bob", "@example.org", "bob@", "bob@example.org\n", "bob@exa\rmple.org"}) {
    auto checked = check_address(bad);
    ASSERT_FALSE(checked) << bad;
    EXPECT_EQ(checked.error().code(), Errc::invalid_argument);
  }
}

TEST(UnixSeconds, RoundTripsWholeSecondsAndDropsFractions) {
  EXPECT_EQ(to_unix_seconds(from_unix_seconds(1'700'000'000)), 1'700'000'000);
  EXPECT_EQ(to_unix_seconds(from_unix_seconds(0)), 0);
  auto with_fraction = from_unix_seconds(100) + std::chrono::milliseconds(999);
  EXPECT_EQ(to_unix_seconds(with_fraction), 100);
  // Before the epoch, rounding down still means earlier.
  auto before_epoch = from_unix_seconds(0) - std::chrono::milliseconds(1);
  EXPECT_EQ(to_unix_seconds(before_epoch), -1);
}

TEST(StateNames, ParseBack) {
  for (PostState state : {PostState::numbered, PostState::queued}) {
    EXPECT_EQ(parse_post_state(post_state_name(state)), state);
  }
  for (JobState state : {JobState::pending, JobState::done, JobState::failed}) {
    EXPECT_EQ(parse_job_state(job_state_name(state)), state);
  }
  for (HeldState state :
       {HeldState::waiting, HeldState::approved, HeldState::rejected, HeldState::discarded}) {
    EXPECT_EQ(parse_held_state(held_state_name(state)), state);
  }
  EXPECT_EQ(held_state_name(HeldState::discarded), "discarded");
  EXPECT_EQ(parse_job_state("Pending"), std::nullopt);  // the database's own spelling only
  EXPECT_EQ(parse_post_state("sent"), std::nullopt);
}

TEST(Recipients, OnePerLine) {
  std::vector<std::string> recipients = {"a@example.org", "\"b c\"@example.org", "d@example.net"};
  std::string joined = join_recipients(recipients);
  EXPECT_EQ(joined, "a@example.org\n\"b c\"@example.org\nd@example.net");
  EXPECT_EQ(split_recipients(joined), recipients);
  EXPECT_EQ(join_recipients({"only@example.org"}), "only@example.org");
  EXPECT_EQ(split_recipients("only@example.org"), std::vector<std::string>{"only@example.org"});
  EXPECT_TRUE(split_recipients("").empty());
}

}  // namespace
}  // namespace cqlist::store
