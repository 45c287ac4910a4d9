// store/testing/store_conformance.cpp: the suite's fixture and helpers, and its list tests.

#include "store/testing/store_conformance.hpp"

#include <cstdlib>
#include <string>
#include <system_error>

namespace cqlist::store::testing {

// Defined by the other suite files (see link_store_conformance_suite()).
int members_conformance_linked();
int posts_conformance_linked();
int moderation_conformance_linked();
int bounces_conformance_linked();
int digests_conformance_linked();

int link_store_conformance_suite() {
  return members_conformance_linked() + posts_conformance_linked() +
         moderation_conformance_linked() + bounces_conformance_linked() +
         digests_conformance_linked();
}

std::string store_factory_name(const ::testing::TestParamInfo<StoreFactory>& info) {
  return info.param.name;
}

TemporaryDirectory::TemporaryDirectory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "cqlist-store-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "cannot create a temporary directory from " << pattern;
    return;
  }
  path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
  if (!path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
}

void StoreConformance::SetUp() {
  ASSERT_FALSE(directory().empty());
  store_ = GetParam().open(directory());
  ASSERT_NE(store_, nullptr) << "the " << GetParam().name << " store did not open";
}

ListRow StoreConformance::make_list(std::string_view name, std::string_view domain) {
  auto list = store().create_list(name, domain, {});
  EXPECT_TRUE(is_ok(list));
  return list ? *list : ListRow{};
}

MemberRow StoreConformance::make_member(Id list_id, std::string address) {
  MemberRow member;
  member.list_id = list_id;
  member.address = std::move(address);
  member.subscribed_at = at(kNow);
  return member;
}

PostRow StoreConformance::make_post(Id list_id, std::string spool_id) {
  PostRow post;
  post.list_id = list_id;
  post.message_id = spool_id + "@poster.example";
  post.spool_id = std::move(spool_id);
  post.from = "alice@poster.example";
  post.subject = "hello";
  post.received_at = at(kNow);
  return post;
}

PostRow StoreConformance::queue_post_with_jobs(
    Id list_id, std::string spool_id, const std::vector<std::vector<std::string>>& recipient_groups,
    Clock::time_point not_before) {
  auto post = store().number_post(list_id, make_post(list_id, std::move(spool_id)));
  EXPECT_TRUE(is_ok(post));
  if (!post) {
    return {};
  }
  std::vector<DeliveryJob> jobs;
  for (const auto& recipients : recipient_groups) {
    DeliveryJob job;
    job.recipients = recipients;
    job.not_before = not_before;
    jobs.push_back(std::move(job));
  }
  EXPECT_TRUE(is_ok(store().queue_post(post->id, jobs)));
  return *post;
}

namespace {

TEST_P(StoreConformance, CreateListReturnsTheStoredRow) {
  auto before = Clock::now() - std::chrono::seconds(1);
  auto list = store().create_list("ham", "cq-test.example", {{"subject_tag", "[ham:%05d]"}});
  ASSERT_TRUE(is_ok(list));
  EXPECT_GT(list->id, 0);
  EXPECT_EQ(list->name, "ham");
  EXPECT_EQ(list->domain, "cq-test.example");
  EXPECT_EQ(list->address(), "ham@cq-test.example");
  EXPECT_EQ(list->last_article, 0);
  EXPECT_EQ(list->settings, (std::map<std::string, std::string>{{"subject_tag", "[ham:%05d]"}}));
  EXPECT_GE(list->created_at, before);
  EXPECT_LE(list->created_at, Clock::now());
}

TEST_P(StoreConformance, CreateListTwiceIsAlreadyExistsWhateverTheCase) {
  make_list("ham", "cq-test.example");
  EXPECT_TRUE(has_error(store().create_list("ham", "cq-test.example", {}), Errc::already_exists));
  EXPECT_TRUE(has_error(store().create_list("HAM", "CQ-Test.Example", {}), Errc::already_exists));
  auto lists = store().lists();
  ASSERT_TRUE(is_ok(lists));
  EXPECT_EQ(lists->size(), 1u);
}

TEST_P(StoreConformance, CreateListWithoutNameOrDomainIsInvalid) {
  EXPECT_TRUE(has_error(store().create_list("", "cq-test.example", {}), Errc::invalid_argument));
  EXPECT_TRUE(has_error(store().create_list("ham", "", {}), Errc::invalid_argument));
}

TEST_P(StoreConformance, SameNameOnAnotherDomainIsAnotherList) {
  ListRow first = make_list("ham", "cq-test.example");
  ListRow second = make_list("ham", "other.example");
  EXPECT_NE(first.id, second.id);
  auto found = store().find_list("ham", "other.example");
  ASSERT_TRUE(is_ok(found));
  EXPECT_EQ(found->id, second.id);
}

TEST_P(StoreConformance, FindListIgnoresCaseAndKeepsTheStoredSpelling) {
  ListRow created = make_list("Ham", "cq-test.example");
  auto found = store().find_list("hAM", "CQ-TEST.EXAMPLE");
  ASSERT_TRUE(is_ok(found));
  EXPECT_EQ(found->id, created.id);
  EXPECT_EQ(found->name, "Ham");
  EXPECT_EQ(found->domain, "cq-test.example");
}

TEST_P(StoreConformance, UnknownListsAreNotFound) {
  make_list();
  EXPECT_TRUE(has_error(store().find_list("spam", "cq-test.example"), Errc::not_found));
  EXPECT_TRUE(has_error(store().find_list("ham", "other.example"), Errc::not_found));
  EXPECT_TRUE(has_error(store().list_by_id(9999), Errc::not_found));
}

TEST_P(StoreConformance, ListByIdReturnsSettings) {
  auto created = store().create_list("ham", "cq-test.example", {{"a", "1"}, {"b", "two words"}});
  ASSERT_TRUE(is_ok(created));
  auto list = store().list_by_id(created->id);
  ASSERT_TRUE(is_ok(list));
  EXPECT_EQ(list->address(), "ham@cq-test.example");
  EXPECT_EQ(list->settings, created->settings);
  EXPECT_EQ(list->settings.at("b"), "two words");
}

TEST_P(StoreConformance, ListsReturnsEveryListWithItsOwnSettings) {
  auto ham = store().create_list("ham", "cq-test.example", {{"tag", "ham"}});
  auto eggs = store().create_list("eggs", "cq-test.example", {{"tag", "eggs"}, {"x", "y"}});
  auto none = store().create_list("spam", "other.example", {});
  ASSERT_TRUE(is_ok(ham) && is_ok(eggs) && is_ok(none));
  auto lists = store().lists();
  ASSERT_TRUE(is_ok(lists));
  ASSERT_EQ(lists->size(), 3u);
  std::map<std::string, ListRow> by_address;
  for (const auto& list : *lists) {
    by_address.emplace(list.address(), list);
  }
  EXPECT_EQ(by_address.at("ham@cq-test.example").settings, ham->settings);
  EXPECT_EQ(by_address.at("eggs@cq-test.example").settings, eggs->settings);
  EXPECT_TRUE(by_address.at("spam@other.example").settings.empty());
}

TEST_P(StoreConformance, UpdateSettingsSetsAndRemovesOnlyTheNamedKeys) {
  auto list = store().create_list("ham", "cq-test.example", {{"keep", "1"}, {"drop", "2"}});
  ASSERT_TRUE(is_ok(list));
  ASSERT_TRUE(is_ok(store().update_settings(
      list->id, {{"drop", std::nullopt}, {"new", "3"}, {"absent", std::nullopt}})));
  ASSERT_TRUE(is_ok(store().update_settings(list->id, {{"keep", "changed"}})));
  auto updated = store().list_by_id(list->id);
  ASSERT_TRUE(is_ok(updated));
  EXPECT_EQ(updated->settings,
            (std::map<std::string, std::string>{{"keep", "changed"}, {"new", "3"}}));
  EXPECT_TRUE(has_error(store().update_settings(9999, {{"a", "b"}}), Errc::not_found));
}

TEST_P(StoreConformance, DeleteListRemovesEverythingThatBelongsToIt) {
  ListRow ham = make_list("ham");
  ListRow eggs = make_list("eggs");
  for (const ListRow& list : {ham, eggs}) {
    ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "bob@example.org"))));
    queue_post_with_jobs(list.id, "spool-" + list.name, {{"bob@example.org"}});
    HeldRow held;
    held.list_id = list.id;
    held.token = "token-" + list.name;
    ASSERT_TRUE(is_ok(store().hold(held)));
    ASSERT_TRUE(is_ok(store().remember_message_id(list.id, "m@example.org", at(kNow))));
    ASSERT_TRUE(is_ok(store().add_pending(
        {"pending-" + list.name, list.id, "subscribe", "carol@example.org", "", at(kNow + 3600)})));
    BounceRow bounce;
    bounce.list_id = list.id;
    bounce.address = "bob@example.org";
    ASSERT_TRUE(is_ok(store().add_bounce(bounce)));
  }

  ASSERT_TRUE(is_ok(store().delete_list(ham.id)));

  EXPECT_TRUE(has_error(store().list_by_id(ham.id), Errc::not_found));
  EXPECT_TRUE(has_error(store().find_list("ham", "cq-test.example"), Errc::not_found));
  EXPECT_TRUE(has_error(store().held_by_token("token-ham"), Errc::not_found));
  EXPECT_TRUE(has_error(store().take_pending("pending-ham", at(kNow)), Errc::not_found));
  auto jobs = store().pending_jobs(std::nullopt);
  ASSERT_TRUE(is_ok(jobs));
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().list_id, eggs.id);
  // A list made again under the same name starts empty.
  ListRow again = make_list("ham");
  EXPECT_EQ(again.last_article, 0);
  EXPECT_EQ(store().member_count(again.id).value_or(99), 0u);
  EXPECT_FALSE(store().seen_message_id(again.id, "m@example.org").value_or(true));
  EXPECT_TRUE(
      store().bounces(again.id, "bob@example.org").value_or(std::vector<BounceRow>(1)).empty());
  // The other list kept all of its rows.
  EXPECT_EQ(store().member_count(eggs.id).value_or(0), 1u);
  EXPECT_TRUE(is_ok(store().held_by_token("token-eggs")));
  EXPECT_TRUE(store().seen_message_id(eggs.id, "m@example.org").value_or(false));
  EXPECT_EQ(store().bounces(eggs.id, "bob@example.org").value_or(std::vector<BounceRow>()).size(),
            1u);
  EXPECT_TRUE(is_ok(store().take_pending("pending-eggs", at(kNow))));

  EXPECT_TRUE(has_error(store().delete_list(ham.id), Errc::not_found));
}

}  // namespace
}  // namespace cqlist::store::testing
