// store/testing/store_conformance_members.cpp: the suite's member tests.

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "store/testing/store_conformance.hpp"

namespace cqlist::store::testing {

int members_conformance_linked() {
  return 0;
}

namespace {

TEST_P(StoreConformance, AddMemberKeepsEveryField) {
  ListRow list = make_list();
  MemberRow member = make_member(list.id, "bob@example.org");
  member.display_name = "Bob Example";
  member.role = Role::moderator;
  member.mode = DeliveryMode::digest;
  member.receives = false;
  member.may_post = false;
  member.subscribed_at = at(kNow - 86400);
  auto added = store().add_member(member);
  ASSERT_TRUE(is_ok(added));
  EXPECT_GT(added->id, 0);

  auto found = store().find_member(list.id, "bob@example.org");
  ASSERT_TRUE(is_ok(found));
  for (const MemberRow& row : {*added, *found}) {
    EXPECT_EQ(row.id, added->id);
    EXPECT_EQ(row.list_id, list.id);
    EXPECT_EQ(row.address, "bob@example.org");
    EXPECT_EQ(row.display_name, "Bob Example");
    EXPECT_EQ(row.role, Role::moderator);
    EXPECT_EQ(row.mode, DeliveryMode::digest);
    EXPECT_FALSE(row.receives);
    EXPECT_FALSE(row.may_post);
    EXPECT_EQ(row.subscribed_at, at(kNow - 86400));
  }
}

TEST_P(StoreConformance, AddMemberTwiceIsAlreadyExists) {
  ListRow list = make_list();
  ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "bob@example.org"))));
  EXPECT_TRUE(
      has_error(store().add_member(make_member(list.id, "bob@example.org")), Errc::already_exists));
  // The domain ignores case...
  EXPECT_TRUE(
      has_error(store().add_member(make_member(list.id, "bob@EXAMPLE.org")), Errc::already_exists));
  // ...and so does the local part, as fml and other list managers compare it.
  EXPECT_TRUE(
      has_error(store().add_member(make_member(list.id, "BOB@example.org")), Errc::already_exists));
  // add_members (the importer's path) skips such an address as already there.
  EXPECT_EQ(store().add_members({make_member(list.id, "Bob@Example.org")}).value_or(99), 0u);
  EXPECT_EQ(store().member_count(list.id).value_or(0), 1u);
}

TEST_P(StoreConformance, MemberKeepsTheSpellingItWasAddedWith) {
  ListRow list = make_list();
  ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "Ham@Example.ORG"))));
  EXPECT_TRUE(
      has_error(store().add_member(make_member(list.id, "ham@example.org")), Errc::already_exists));
  for (const char* asked : {"ham@example.org", "HAM@EXAMPLE.ORG", "Ham@Example.ORG"}) {
    auto found = store().find_member(list.id, asked);
    ASSERT_TRUE(is_ok(found)) << asked;
    EXPECT_EQ(found->address, "Ham@Example.ORG") << asked;
  }
  auto listed = store().members(list.id, "", 0);
  ASSERT_TRUE(is_ok(listed));
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().address, "Ham@Example.ORG");
  ASSERT_TRUE(is_ok(store().remove_member(list.id, "HAM@example.org")));
  EXPECT_EQ(store().member_count(list.id).value_or(99), 0u);
}

TEST_P(StoreConformance, OneAddressMayBeAMemberOfSeveralLists) {
  ListRow ham = make_list("ham");
  ListRow eggs = make_list("eggs");
  EXPECT_TRUE(is_ok(store().add_member(make_member(ham.id, "bob@example.org"))));
  EXPECT_TRUE(is_ok(store().add_member(make_member(eggs.id, "bob@example.org"))));
  ASSERT_TRUE(is_ok(store().remove_member(ham.id, "bob@example.org")));
  EXPECT_TRUE(is_ok(store().find_member(eggs.id, "bob@example.org")));
}

TEST_P(StoreConformance, AddMemberNeedsAListAndAnAddress) {
  ListRow list = make_list();
  EXPECT_TRUE(has_error(store().add_member(make_member(9999, "bob@example.org")), Errc::not_found));
  for (const char* bad :
       {"", "bob", "@example.org", "bob@", "bob@example.org\nrcpt@evil.example"}) {
    EXPECT_TRUE(has_error(store().add_member(make_member(list.id, bad)), Errc::invalid_argument))
        << bad;
  }
  EXPECT_EQ(store().member_count(list.id).value_or(99), 0u);
}

TEST_P(StoreConformance, FindMemberComparesTheWholeAddressWithoutCase) {
  ListRow list = make_list();
  ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "bob@example.org"))));
  auto found = store().find_member(list.id, "bob@Example.ORG");
  ASSERT_TRUE(is_ok(found));
  EXPECT_EQ(found->address, "bob@example.org");
  found = store().find_member(list.id, "BOB@example.org");
  ASSERT_TRUE(is_ok(found));
  EXPECT_EQ(found->address, "bob@example.org");
  EXPECT_TRUE(has_error(store().find_member(list.id, "carol@example.org"), Errc::not_found));
  EXPECT_TRUE(has_error(store().find_member(9999, "bob@example.org"), Errc::not_found));
}

TEST_P(StoreConformance, UpdateMemberChangesTheSettableFields) {
  ListRow list = make_list();
  auto added = store().add_member(make_member(list.id, "bob@example.org"));
  ASSERT_TRUE(is_ok(added));
  MemberRow changed = *added;
  changed.display_name = "Robert";
  changed.role = Role::owner;
  changed.mode = DeliveryMode::nomail;
  changed.receives = false;
  changed.may_post = false;
  ASSERT_TRUE(is_ok(store().update_member(changed)));
  auto found = store().find_member(list.id, "bob@example.org");
  ASSERT_TRUE(is_ok(found));
  EXPECT_EQ(found->display_name, "Robert");
  EXPECT_EQ(found->role, Role::owner);
  EXPECT_EQ(found->mode, DeliveryMode::nomail);
  EXPECT_FALSE(found->receives);
  EXPECT_FALSE(found->may_post);
  EXPECT_EQ(found->subscribed_at, added->subscribed_at);

  changed.id = 9999;
  EXPECT_TRUE(has_error(store().update_member(changed), Errc::not_found));
}

TEST_P(StoreConformance, RemoveMemberRemovesOnlyThatAddress) {
  ListRow list = make_list();
  ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "bob@example.org"))));
  ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "carol@example.org"))));
  ASSERT_TRUE(is_ok(store().remove_member(list.id, "bob@EXAMPLE.ORG")));
  EXPECT_TRUE(has_error(store().find_member(list.id, "bob@example.org"), Errc::not_found));
  EXPECT_TRUE(is_ok(store().find_member(list.id, "carol@example.org")));
  EXPECT_TRUE(has_error(store().remove_member(list.id, "bob@example.org"), Errc::not_found));
  EXPECT_TRUE(has_error(store().remove_member(9999, "carol@example.org"), Errc::not_found));
  // Removed addresses may subscribe again.
  EXPECT_TRUE(is_ok(store().add_member(make_member(list.id, "bob@example.org"))));
}

TEST_P(StoreConformance, AddMembersAddsOnlyTheNewOnes) {
  ListRow list = make_list();
  ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "bob@example.org"))));
  std::vector<MemberRow> batch = {
      make_member(list.id, "alice@example.org"), make_member(list.id, "bob@example.org"),
      make_member(list.id, "carol@example.org"), make_member(list.id, "carol@EXAMPLE.org")};
  batch[0].display_name = "Alice";
  auto added = store().add_members(batch);
  ASSERT_TRUE(is_ok(added));
  EXPECT_EQ(*added, 2u);
  EXPECT_EQ(store().member_count(list.id).value_or(0), 3u);
  auto alice = store().find_member(list.id, "alice@example.org");
  ASSERT_TRUE(is_ok(alice));
  EXPECT_EQ(alice->display_name, "Alice");
  auto again = store().add_members(batch);
  ASSERT_TRUE(is_ok(again));
  EXPECT_EQ(*again, 0u);
}

TEST_P(StoreConformance, AddMembersIsAllOrNothing) {
  ListRow list = make_list();
  std::vector<MemberRow> unknown_list = {make_member(list.id, "alice@example.org"),
                                         make_member(9999, "bob@example.org")};
  EXPECT_TRUE(has_error(store().add_members(unknown_list), Errc::not_found));
  std::vector<MemberRow> bad_address = {make_member(list.id, "alice@example.org"),
                                        make_member(list.id, "not an address")};
  EXPECT_TRUE(has_error(store().add_members(bad_address), Errc::invalid_argument));
  EXPECT_EQ(store().member_count(list.id).value_or(99), 0u);
}

TEST_P(StoreConformance, MembersPagesThroughAThousandRowsInAddressOrder) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  std::vector<MemberRow> batch;
  for (int i = 0; i < 1000; ++i) {
    // Added out of order, so the order below is the store's doing.
    batch.push_back(make_member(list.id, fmt::format("user{:04}@example.org", (i * 7919) % 1000)));
  }
  ASSERT_TRUE(is_ok(store().add_members(batch)));
  ASSERT_TRUE(is_ok(store().add_member(make_member(other.id, "user0500x@example.org"))));
  EXPECT_EQ(store().member_count(list.id).value_or(0), 1000u);

  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  while (true) {
    auto page = store().members(list.id, after, 128);
    ASSERT_TRUE(is_ok(page));
    if (page->empty()) {
      break;
    }
    ASSERT_LE(page->size(), 128u);
    ++pages;
    for (const MemberRow& member : *page) {
      EXPECT_EQ(member.list_id, list.id);
      seen.push_back(member.address);
    }
    after = page->back().address;
  }
  EXPECT_EQ(pages, 8);
  ASSERT_EQ(seen.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1000u);
  EXPECT_EQ(seen.front(), "user0000@example.org");
  EXPECT_EQ(seen.back(), "user0999@example.org");

  auto all = store().members(list.id);
  ASSERT_TRUE(is_ok(all));
  EXPECT_EQ(all->size(), 1000u);
  auto tail = store().members(list.id, "user0997@example.org", 0);
  ASSERT_TRUE(is_ok(tail));
  ASSERT_EQ(tail->size(), 2u);
  EXPECT_EQ(tail->front().address, "user0998@example.org");
  EXPECT_TRUE(has_error(store().members(9999), Errc::not_found));
  EXPECT_TRUE(has_error(store().member_count(9999), Errc::not_found));
}

}  // namespace
}  // namespace cqlist::store::testing
