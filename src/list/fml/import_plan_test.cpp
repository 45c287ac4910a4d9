// list/fml/import_plan_test.cpp: the shared fml4 fixture and an fml8 list, read and applied.
#include "list/fml/import_plan.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "base/file.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cqlist::list::fml {
namespace {

namespace fs = std::filesystem;

const fs::path kFixture = fs::path(CQLIST_SHARED_DIR) / "fml-fixture" / "ml" / "cq-test";
const fs::path kTestdata = fs::path(CQLIST_SOURCE_ROOT) / "src/list/testdata/fml";

std::string setting(const ImportPlan& plan, std::string_view name) {
  auto values = plan.setting_map();
  auto found = values.find(std::string(name));
  return found == values.end() ? "(unset)" : found->second;
}

const PlannedMember* member(const ImportPlan& plan, std::string_view address) {
  for (const PlannedMember& m : plan.members) {
    if (m.row.address == address) {
      return &m;
    }
  }
  return nullptr;
}

bool not_imported(const ImportPlan& plan, std::string_view what) {
  for (const NotImported& item : plan.not_imported) {
    if (item.what == what && !item.reason.empty()) {
      return true;
    }
  }
  return false;
}

class FmlImport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cqlist-fml-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(*store::open_sqlite_store(dir_ / "cqlist.db"));
    archive_ = std::make_unique<Archive>(dir_ / "archive");
  }

  void TearDown() override { fs::remove_all(dir_); }

  // A writable copy of the shared fixture, to break.
  fs::path copy_fixture() {
    fs::path copy = dir_ / "cq-test";
    fs::copy(kFixture, copy, fs::copy_options::recursive);
    for (const auto& entry : fs::recursive_directory_iterator(copy)) {
      fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add);
    }
    fs::permissions(copy, fs::perms::owner_write, fs::perm_options::add);
    return copy;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Archive> archive_;
};

TEST_F(FmlImport, Fml4FixtureGivesTheExpectedPlan) {
  auto plan = read_fml_list(kFixture, {});
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(plan->fml_version, "fml4");
  EXPECT_EQ(plan->config_reader, "perl");
  EXPECT_EQ(plan->fml_home, "/var/spool/ml/cq-test");
  EXPECT_EQ(plan->list_address(), "cq-test@example.org");
  EXPECT_EQ(plan->maintainer, "cq-test-admin@example.org");
  EXPECT_EQ(setting(*plan, "posting"), "members");
  EXPECT_EQ(setting(*plan, "non_member"), "reject");
  EXPECT_EQ(setting(*plan, "subject_tag"), "[:]");
  EXPECT_EQ(setting(*plan, "tag_name"), "(unset)");  // BRACKET is the list name
  EXPECT_EQ(setting(*plan, "tag_width"), "5");
  EXPECT_EQ(setting(*plan, "fml_headers"), "true");
  EXPECT_EQ(setting(*plan, "reply_to"), "list");
  EXPECT_EQ(setting(*plan, "max_message_bytes"), "512000");
  EXPECT_EQ(setting(*plan, "members_command_public"), "false");
  EXPECT_EQ(setting(*plan, "language"), "ja");
  EXPECT_TRUE(not_imported(*plan, "$START_HOOK"));
  EXPECT_TRUE(not_imported(*plan, "$USE_MTI"));
  EXPECT_TRUE(not_imported(*plan, "spamlist"));
  EXPECT_TRUE(not_imported(*plan, "var/log/confirm"));

  ASSERT_EQ(plan->members.size(), 8u);
  const PlannedMember* admin = member(*plan, "jh1abc@example.org");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ(admin->row.role, store::Role::owner);
  EXPECT_TRUE(admin->fml.moderator);
  const PlannedMember* off = member(*plan, "jr4off@example.org");
  EXPECT_EQ(off->row.mode, store::DeliveryMode::nomail);
  EXPECT_TRUE(off->row.may_post);
  EXPECT_EQ(member(*plan, "jf5dig@example.com")->row.mode, store::DeliveryMode::digest);
  const PlannedMember* skip = member(*plan, "7k1post@example.org");
  EXPECT_FALSE(skip->row.receives);
  EXPECT_TRUE(skip->row.may_post);
  const PlannedMember* old = member(*plan, "jq2old@example.org");
  EXPECT_FALSE(old->row.receives);
  EXPECT_TRUE(old->row.may_post);
  EXPECT_NE(member(*plan, "JA2XYZ@example.com"), nullptr);
  EXPECT_EQ(plan->unsubscribed, (std::vector<std::string>{"jf6bye@example.com"}));

  EXPECT_EQ(plan->spool.seq, 3);
  EXPECT_EQ(plan->spool.last_article, 3);
  ASSERT_EQ(plan->spool.articles.size(), 3u);
  EXPECT_EQ(plan->spool.articles[2].subject, "[cq-test:00003] 移動運用のお知らせ");
  EXPECT_EQ(plan->spool.articles[1].message_id, "87frsk2m1x.fsf@ja2xyz.example.com");
  EXPECT_EQ(plan->message_ids.size(), 3u);
  EXPECT_EQ(plan->aliases.size(), 6u);
}

TEST_F(FmlImport, StaticReaderGivesTheSameSettings) {
  auto by_perl = read_fml_list(kFixture, {});
  ReadOptions options;
  options.perl = "";
  auto statically = read_fml_list(kFixture, options);
  ASSERT_TRUE(by_perl && statically);
  EXPECT_EQ(statically->config_reader, "static reader");
  EXPECT_EQ(by_perl->setting_map(), statically->setting_map());
}

TEST_F(FmlImport, ApplyCopiesBytesAndContinuesTheNumbering) {
  auto plan = read_fml_list(kFixture, {});
  ASSERT_TRUE(plan);
  auto outcome = apply_import(*plan, *store_, *archive_);
  ASSERT_TRUE(outcome) << outcome.error().describe();
  EXPECT_EQ(outcome->articles, 3u);
  for (int n = 1; n <= 3; ++n) {
    EXPECT_EQ(*archive_->read(outcome->list, n),
              *read_file(kFixture / "spool" / std::to_string(n)));
  }
  EXPECT_EQ(*store_->member_count(outcome->list.id), 8u);
  EXPECT_TRUE(*store_->seen_message_id(outcome->list.id, "87frsk2m1x.fsf@ja2xyz.example.com"));
  store::PostRow next;
  next.spool_id = "new";
  next.message_id = "new@example.org";
  auto numbered = store_->number_post(outcome->list.id, next);
  ASSERT_TRUE(numbered);
  EXPECT_EQ(numbered->article, 4);

  auto again = apply_import(*plan, *store_, *archive_);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), Errc::already_exists);
  EXPECT_EQ(*store_->member_count(outcome->list.id), 8u);
}

TEST_F(FmlImport, FailedCommitLeavesNoListAndNoFiles) {
  auto plan = read_fml_list(kFixture, {});
  ASSERT_TRUE(plan);
  plan->members.push_back(plan->members.front());  // the store refuses the duplicate
  auto outcome = apply_import(*plan, *store_, *archive_);
  ASSERT_FALSE(outcome);
  EXPECT_TRUE(store_->lists()->empty());
  store::ListRow target;
  target.name = "cq-test";
  target.domain = "example.org";
  EXPECT_FALSE(fs::exists(archive_->path(target, 1)));
}

TEST_F(FmlImport, SpoolGapIsRefusedNamingTheMissingFile) {
  fs::path copy = copy_fixture();
  fs::remove(copy / "spool" / "2");
  auto plan = read_fml_list(copy, {});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), Errc::bad_syntax);
  EXPECT_NE(plan.error().message().find((copy / "spool" / "2").string()), std::string::npos)
      << plan.error().message();
}

TEST_F(FmlImport, BadSeqAndGarbageMembersAreRefused) {
  fs::path copy = copy_fixture();
  fs::copy_file(kTestdata / "bad" / "seq-not-a-number", copy / "seq",
                fs::copy_options::overwrite_existing);
  auto plan = read_fml_list(copy, {});
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find("seq line 1"), std::string::npos);
  fs::copy_file(kFixture / "seq", copy / "seq", fs::copy_options::overwrite_existing);
  fs::copy_file(kTestdata / "bad" / "members-garbage", copy / "actives",
                fs::copy_options::overwrite_existing);
  plan = read_fml_list(copy, {});
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().message().find("actives line 2"), std::string::npos);
}

TEST_F(FmlImport, MissingMembersFileIsNamed) {
  fs::path copy = copy_fixture();
  fs::remove(copy / "members");
  auto plan = read_fml_list(copy, {});
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.error().describe().find((copy / "members").string()), std::string::npos);
}

TEST_F(FmlImport, Fml8ListMapsMembersAndTag) {
  auto plan = read_fml_list(kTestdata / "fml8-list", {});
  ASSERT_TRUE(plan) << plan.error().describe();
  EXPECT_EQ(plan->fml_version, "fml8");
  EXPECT_EQ(plan->list_address(), "fml8-test@example.net");
  EXPECT_EQ(plan->maintainer, "fml8-test-admin@example.net");
  EXPECT_EQ(setting(*plan, "subject_tag"), "(,)");
  EXPECT_EQ(setting(*plan, "tag_width"), "4");
  EXPECT_EQ(setting(*plan, "max_message_bytes"), "1024000");
  EXPECT_TRUE(not_imported(*plan, "use_html_archive"));
  EXPECT_TRUE(not_imported(*plan, "config.cf after =cut"));
  ASSERT_EQ(plan->members.size(), 5u);
  EXPECT_EQ(member(*plan, "alice@example.net")->row.role, store::Role::owner);
  EXPECT_TRUE(member(*plan, "Bob@example.net")->row.receives);  // recipients is lowercase
  EXPECT_EQ(member(*plan, "carol@example.net")->row.mode, store::DeliveryMode::digest);
  EXPECT_FALSE(member(*plan, "dave@example.net")->row.receives);
  EXPECT_FALSE(member(*plan, "erin@example.net")->row.may_post);
  EXPECT_EQ(plan->spool.last_article, 2);
  EXPECT_EQ(plan->spool.articles[1].from, "Bob@Example.NET");
}

}  // namespace
}  // namespace cqlist::list::fml
