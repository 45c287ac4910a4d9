// list/fml/member_files_test.cpp: fml's list files line by line, and merged per address.
#include "list/fml/member_files.hpp"

#include <filesystem>

#include <gtest/gtest.h>

namespace cqlist::list::fml {
namespace {

const std::filesystem::path kFixture =
    std::filesystem::path(CQLIST_SHARED_DIR) / "fml-fixture" / "ml" / "cq-test";

const FmlMember* find(const MergedMembers& merged, std::string_view address) {
  for (const FmlMember& member : merged.members) {
    if (member.address == address) {
      return &member;
    }
  }
  return nullptr;
}

TEST(FmlMemberFiles, ReadsActivesStatesAndSkipsTheHeaderBlock) {
  auto lines = read_member_file(kFixture / "actives");
  ASSERT_TRUE(lines) << lines.error().describe();
  ASSERT_EQ(lines->size(), 8u);
  EXPECT_EQ((*lines)[0].address, "jh1abc@example.org");
  EXPECT_EQ((*lines)[0].line, 6u);
  EXPECT_EQ((*lines)[2].comment, "Kyoto portable ops");
  EXPECT_EQ((*lines)[3].state, LineState::commented);
  EXPECT_EQ((*lines)[4].digest, "3mp");
  EXPECT_EQ((*lines)[5].state, LineState::unsubscribed);
  EXPECT_TRUE((*lines)[6].skip);
  EXPECT_EQ((*lines)[7].address, "jk9new@example.com");
}

TEST(FmlMemberFiles, MergesTheFixtureAsFmlDoes) {
  MemberFiles files;
  files.members = *read_member_file(kFixture / "members");
  files.recipients = *read_member_file(kFixture / "actives");
  files.admins = *read_member_file(kFixture / "members-admin");
  files.moderators = *read_member_file(kFixture / "moderators");
  files.digest_next = read_msendrc("jf5dig@example.com\t3\n");
  MergedMembers merged = merge_members(files);
  ASSERT_EQ(merged.members.size(), 8u);
  EXPECT_EQ(merged.unsubscribed, (std::vector<std::string>{"jf6bye@example.com"}));

  const FmlMember* admin = find(merged, "jh1abc@example.org");
  ASSERT_NE(admin, nullptr);
  EXPECT_TRUE(admin->admin && admin->moderator && admin->can_post);
  EXPECT_EQ(admin->delivery, Delivery::realtime);
  const FmlMember* mixed_case = find(merged, "JA2XYZ@example.com");
  ASSERT_NE(mixed_case, nullptr);
  EXPECT_EQ(mixed_case->delivery, Delivery::realtime);
  EXPECT_EQ(find(merged, "jr3def@example.com")->comment, "Kyoto portable ops");
  EXPECT_EQ(find(merged, "jr4off@example.org")->delivery, Delivery::off);
  EXPECT_TRUE(find(merged, "jr4off@example.org")->can_post);
  const FmlMember* digest = find(merged, "jf5dig@example.com");
  EXPECT_EQ(digest->delivery, Delivery::digest);
  EXPECT_EQ(digest->digest_params, "3mp");
  EXPECT_EQ(digest->digest_next_article, 3);
  EXPECT_EQ(find(merged, "7k1post@example.org")->delivery, Delivery::skip);
  const FmlMember* old = find(merged, "jq2old@example.org");
  ASSERT_NE(old, nullptr);
  EXPECT_TRUE(old->can_post);
  EXPECT_EQ(old->delivery, Delivery::none);
  EXPECT_EQ(find(merged, "jk9new@example.com")->delivery, Delivery::realtime);
  EXPECT_EQ(find(merged, "jf6bye@example.com"), nullptr);
}

TEST(FmlMemberFiles, GarbageLineNamesFileAndLine) {
  const auto file =
      std::filesystem::path(CQLIST_SOURCE_ROOT) / "src/list/testdata/fml/bad/members-garbage";
  auto lines = read_member_file(file);
  ASSERT_FALSE(lines);
  EXPECT_EQ(lines.error().code(), Errc::bad_syntax);
  EXPECT_NE(lines.error().message().find("members-garbage line 2"), std::string::npos)
      << lines.error().message();
}

TEST(FmlMemberFiles, CaseOnlyDuplicatesAreOneMember) {
  MemberFiles files;
  files.members = {{"A@Example.org", LineState::active, "", false, "", "members", 1}};
  files.recipients = {{"a@example.org", LineState::active, "", false, "", "actives", 1},
                      {"A@EXAMPLE.ORG", LineState::active, "", false, "", "actives", 2}};
  MergedMembers merged = merge_members(files);
  ASSERT_EQ(merged.members.size(), 1u);
  EXPECT_EQ(merged.members[0].address, "A@example.org");
  EXPECT_EQ(merged.warnings.size(), 1u);
}

}  // namespace
}  // namespace cqlist::list::fml
