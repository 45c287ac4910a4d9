// store/sqlite/sqlite_store_test.cpp: the conformance suite on SQLite, and what only the SQLite
// store promises: WAL, schema versions, one file shared by several connections and threads.

#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_db.hpp"
#include "store/testing/store_conformance.hpp"

namespace cqlist::store {
namespace {

using testing::at;
using testing::has_error;
using testing::is_ok;
using testing::kNow;

std::unique_ptr<Store> open_or_fail(const std::filesystem::path& file) {
  auto store = open_sqlite_store(file);
  if (!store) {
    ADD_FAILURE() << store.error().describe();
    return nullptr;
  }
  return std::move(*store);
}

CQLIST_INSTANTIATE_STORE_CONFORMANCE(Sqlite, (testing::StoreFactory{
                                                 "sqlite", [](const std::filesystem::path& dir) {
                                                   return open_or_fail(dir / "cqlist.db");
                                                 }}));

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return directory_.path() / "cqlist.db"; }

  // A connection of its own, to look at the file as another process would.
  std::unique_ptr<sqlite::Db> inspect() {
    auto db = sqlite::Db::open(file(), std::chrono::seconds(10));
    EXPECT_TRUE(is_ok(db));
    return db ? std::move(*db) : nullptr;
  }

  static std::string first_value(sqlite::Db& db, std::string_view sql) {
    auto statement = db.prepare(sql);
    EXPECT_TRUE(is_ok(statement));
    if (!statement) {
      return {};
    }
    auto row = statement->step();
    EXPECT_TRUE(is_ok(row));
    return row && *row ? statement->text(0) : std::string();
  }

  PostRow post_from(Id list_id, std::string spool_id) {
    PostRow post;
    post.list_id = list_id;
    post.spool_id = std::move(spool_id);
    post.received_at = at(kNow);
    return post;
  }

  testing::TemporaryDirectory directory_;
};

TEST_F(SqliteStoreTest, UsesWriteAheadLogging) {
  auto store = open_or_fail(file());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(is_ok(store->create_list("ham", "cq-test.example", {})));
  auto db = inspect();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(first_value(*db, "PRAGMA journal_mode"), "wal");
  EXPECT_TRUE(std::filesystem::exists(directory_.path() / "cqlist.db-wal"));
}

TEST_F(SqliteStoreTest, RecordsTheSchemaVersion) {
  auto steps = sqlite::schema_migrations();
  ASSERT_FALSE(steps.empty());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].version, static_cast<int>(i + 1)) << "steps are numbered 1, 2, 3, ...";
  }
  EXPECT_EQ(sqlite_schema_version(), steps.back().version);
  ASSERT_NE(open_or_fail(file()), nullptr);
  auto db = inspect();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(first_value(*db, "PRAGMA user_version"), std::to_string(sqlite_schema_version()));
}

TEST_F(SqliteStoreTest, ReopeningKeepsEverything) {
  Id list_id = 0;
  {
    auto store = open_or_fail(file());
    ASSERT_NE(store, nullptr);
    auto list = store->create_list("ham", "cq-test.example", {{"tag", "[ham]"}});
    ASSERT_TRUE(is_ok(list));
    list_id = list->id;
    MemberRow member;
    member.list_id = list_id;
    member.address = "bob@example.org";
    ASSERT_TRUE(is_ok(store->add_member(member)));
    ASSERT_TRUE(is_ok(store->number_post(list_id, post_from(list_id, "spool-a"))));
  }
  auto store = open_or_fail(file());
  ASSERT_NE(store, nullptr);
  auto list = store->find_list("ham", "cq-test.example");
  ASSERT_TRUE(is_ok(list));
  EXPECT_EQ(list->id, list_id);
  EXPECT_EQ(list->settings.at("tag"), "[ham]");
  EXPECT_EQ(list->last_article, 1);
  EXPECT_TRUE(is_ok(store->find_member(list_id, "bob@example.org")));
  auto post = store->find_post_by_spool(list_id, "spool-a");
  ASSERT_TRUE(is_ok(post));
  EXPECT_TRUE(post->has_value());
}

TEST_F(SqliteStoreTest, RefusesAFileFromANewerCqlist) {
  ASSERT_NE(open_or_fail(file()), nullptr);
  int newer = sqlite_schema_version() + 1;
  {
    auto db = inspect();
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(is_ok(db->exec(fmt::format("PRAGMA user_version = {}", newer))));
  }
  auto store = open_sqlite_store(file());
  ASSERT_TRUE(has_error(store, Errc::unsupported));
  const std::string& message = store.error().message();
  EXPECT_NE(message.find("newer cqlist"), std::string::npos) << message;
  EXPECT_NE(message.find(fmt::format("schema version {}", newer)), std::string::npos) << message;
  EXPECT_NE(message.find(fmt::format("up to {}", sqlite_schema_version())), std::string::npos)
      << message;
  EXPECT_NE(message.find(file().string()), std::string::npos) << message;
  auto db = inspect();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(first_value(*db, "PRAGMA user_version"), std::to_string(newer));
}

TEST_F(SqliteStoreTest, OpeningInAMissingDirectoryIsAnIoError) {
  auto missing = directory_.path() / "no-such-directory" / "cqlist.db";
  auto store = open_sqlite_store(missing);
  ASSERT_TRUE(has_error(store, Errc::io));
  EXPECT_NE(store.error().message().find(missing.string()), std::string::npos);
}

TEST_F(SqliteStoreTest, AFileThatIsNotADatabaseIsRefused) {
  std::ofstream(file()) << "this is a text file, not SQLite, and it is long enough to tell\n";
  auto store = open_sqlite_store(file());
  ASSERT_TRUE(has_error(store, Errc::io));
  EXPECT_NE(store.error().describe().find("not a database"), std::string::npos)
      << store.error().describe();
}

TEST_F(SqliteStoreTest, TwoStoresOnOneFileSeeEachOthersWrites) {
  auto daemon = open_or_fail(file());
  auto cli = open_or_fail(file());
  ASSERT_NE(daemon, nullptr);
  ASSERT_NE(cli, nullptr);
  auto list = cli->create_list("ham", "cq-test.example", {});
  ASSERT_TRUE(is_ok(list));
  EXPECT_TRUE(is_ok(daemon->find_list("ham", "cq-test.example")));

  MemberRow member;
  member.list_id = list->id;
  member.address = "bob@example.org";
  ASSERT_TRUE(is_ok(cli->add_member(member)));
  EXPECT_TRUE(is_ok(daemon->find_member(list->id, "bob@example.org")));
  EXPECT_TRUE(has_error(daemon->add_member(member), Errc::already_exists));

  auto first = daemon->number_post(list->id, post_from(list->id, "a"));
  auto second = cli->number_post(list->id, post_from(list->id, "b"));
  auto first_again = cli->number_post(list->id, post_from(list->id, "a"));
  ASSERT_TRUE(is_ok(first) && is_ok(second) && is_ok(first_again));
  EXPECT_EQ(first->article, 1);
  EXPECT_EQ(second->article, 2);
  EXPECT_EQ(first_again->id, first->id);

  ASSERT_TRUE(is_ok(cli->update_settings(list->id, {{"moderated", "yes"}})));
  EXPECT_EQ(daemon->list_by_id(list->id)->settings.at("moderated"), "yes");
  ASSERT_TRUE(is_ok(daemon->delete_list(list->id)));
  EXPECT_TRUE(has_error(cli->find_member(list->id, "bob@example.org"), Errc::not_found));
}

// Numbers `per_thread` posts from each of `threads` threads, each thread using
// stores[i % stores.size()]; returns every article number given out.
std::vector<std::int64_t> number_concurrently(const std::vector<Store*>& stores, Id list_id,
                                              int threads, int per_thread) {
  std::vector<std::vector<std::int64_t>> articles(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Store& store = *stores[static_cast<std::size_t>(t) % stores.size()];
      for (int i = 0; i < per_thread; ++i) {
        PostRow post;
        post.list_id = list_id;
        post.spool_id = fmt::format("t{}-{}", t, i);
        auto numbered = store.number_post(list_id, post);
        EXPECT_TRUE(is_ok(numbered));
        if (numbered) {
          articles[static_cast<std::size_t>(t)].push_back(numbered->article);
        }
      }
    });
  }
  for (auto& worker : workers) {
    worker.join();
  }
  std::vector<std::int64_t> all;
  for (const auto& some : articles) {
    // Each thread's own posts are numbered in the order it sent them.
    EXPECT_TRUE(std::is_sorted(some.begin(), some.end()));
    all.insert(all.end(), some.begin(), some.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

std::vector<std::int64_t> one_to(std::int64_t last) {
  std::vector<std::int64_t> numbers;
  for (std::int64_t i = 1; i <= last; ++i) {
    numbers.push_back(i);
  }
  return numbers;
}

TEST_F(SqliteStoreTest, FourThreadsNumberPostsWithoutGapsOrRepeats) {
  auto store = open_or_fail(file());
  ASSERT_NE(store, nullptr);
  auto list = store->create_list("ham", "cq-test.example", {});
  ASSERT_TRUE(is_ok(list));
  auto articles = number_concurrently({store.get()}, list->id, 4, 50);
  EXPECT_EQ(articles, one_to(200));
  EXPECT_EQ(store->list_by_id(list->id)->last_article, 200);
}

TEST_F(SqliteStoreTest, FourConnectionsNumberPostsWithoutGapsOrRepeats) {
  // Separate connections lock through the file, as the CLI and the daemon do.
  std::vector<std::unique_ptr<Store>> stores;
  std::vector<Store*> pointers;
  for (int i = 0; i < 4; ++i) {
    stores.push_back(open_or_fail(file()));
    ASSERT_NE(stores.back(), nullptr);
    pointers.push_back(stores.back().get());
  }
  auto list = stores[0]->create_list("ham", "cq-test.example", {});
  ASSERT_TRUE(is_ok(list));
  auto articles = number_concurrently(pointers, list->id, 4, 25);
  EXPECT_EQ(articles, one_to(100));
  EXPECT_EQ(stores[3]->list_by_id(list->id)->last_article, 100);
}

TEST_F(SqliteStoreTest, RequestsOnSeveralConnectionsAtOnceRecordOneConfirmation) {
  // As two command mails handled at the same instant by the daemon's workers or by the daemon
  // and `cqlist inject`: each looks for a waiting confirmation and records its own.
  constexpr int kRequests = 8;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kRequests; ++i) {
    stores.push_back(open_or_fail(file()));
    ASSERT_NE(stores.back(), nullptr);
  }
  auto list = stores[0]->create_list("ham", "cq-test.example", {});
  ASSERT_TRUE(is_ok(list));
  std::vector<int> recorded(kRequests, 0);
  std::vector<std::thread> requests;
  for (int i = 0; i < kRequests; ++i) {
    requests.emplace_back([&, i] {
      PendingAction pending{fmt::format("token-{}", i), list->id, "subscribe",
                            "carol@example.org",        "",       at(kNow + 60)};
      auto added =
          stores[static_cast<std::size_t>(i)]->add_pending_unless_waiting(pending, at(kNow));
      EXPECT_TRUE(is_ok(added));
      recorded[static_cast<std::size_t>(i)] = added && !added->has_value() ? 1 : 0;
    });
  }
  for (auto& request : requests) {
    request.join();
  }
  EXPECT_EQ(std::count(recorded.begin(), recorded.end(), 1), 1);
  auto db = inspect();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(first_value(*db, "SELECT count(*) FROM pending_actions"), "1");
}

TEST_F(SqliteStoreTest, OpeningConcurrentlyMigratesOnce) {
  std::vector<std::thread> openers;
  std::vector<int> opened(4, 0);
  for (std::size_t i = 0; i < opened.size(); ++i) {
    openers.emplace_back([&, i] { opened[i] = open_or_fail(file()) != nullptr ? 1 : 0; });
  }
  for (auto& opener : openers) {
    opener.join();
  }
  EXPECT_EQ(opened, std::vector<int>(4, 1));
  auto db = inspect();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(first_value(*db, "PRAGMA user_version"), std::to_string(sqlite_schema_version()));
}

TEST_F(SqliteStoreTest, UpgradeMatchesExistingMembersWithoutCaseAndKeepsCaseDuplicates) {
  {
    // A file as cqlist left it before step 4: local parts kept their case in the key.
    auto db = inspect();
    ASSERT_NE(db, nullptr);
    auto steps = sqlite::schema_migrations();
    auto before = std::find_if(steps.begin(), steps.end(),
                               [](const sqlite::Migration& step) { return step.version == 4; });
    ASSERT_NE(before, steps.end());
    ASSERT_TRUE(is_ok(sqlite::migrate(*db, {steps.begin(), before})));
    ASSERT_TRUE(is_ok(db->exec(
        "INSERT INTO lists (id, name, domain, created_at) VALUES (1, 'ham', 'example.org', 0);"
        "INSERT INTO members (id, list_id, address, address_key, display_name, role, mode, "
        "receives, may_post, subscribed_at) VALUES "
        "(1, 1, 'Ham@Example.ORG', 'Ham@example.org', '', 'member', 'regular', 1, 1, 0),"
        "(2, 1, 'ham@example.org', 'ham@example.org', '', 'member', 'regular', 1, 1, 0),"
        "(3, 1, 'Eggs@example.org', 'Eggs@example.org', '', 'member', 'regular', 1, 1, 0);")));
  }
  auto store = open_or_fail(file());
  ASSERT_NE(store, nullptr);
  auto eggs = store->find_member(1, "eggs@EXAMPLE.org");
  ASSERT_TRUE(is_ok(eggs));
  EXPECT_EQ(eggs->address, "Eggs@example.org");
  // The older of two spellings is the one found; the other still receives and is listed.
  auto ham = store->find_member(1, "HAM@example.org");
  ASSERT_TRUE(is_ok(ham));
  EXPECT_EQ(ham->id, 1);
  EXPECT_EQ(store->member_count(1).value_or(0), 3u);
  auto listed = store->members(1, "", 0);
  ASSERT_TRUE(is_ok(listed));
  std::set<std::string> addresses;
  for (const MemberRow& member : *listed) {
    addresses.insert(member.address);
  }
  EXPECT_EQ(addresses,
            (std::set<std::string>{"Eggs@example.org", "Ham@Example.ORG", "ham@example.org"}));
  MemberRow again;
  again.list_id = 1;
  again.address = "EGGS@example.org";
  again.subscribed_at = at(kNow);
  EXPECT_TRUE(has_error(store->add_member(again), Errc::already_exists));
}

TEST_F(SqliteStoreTest, UpgradeKeepsDeliveryJobsAndNeverHandsOutTheirIdsAgain) {
  {
    // A file as cqlist left it before step 5: list 2 owns the newest job.
    auto db = inspect();
    ASSERT_NE(db, nullptr);
    auto steps = sqlite::schema_migrations();
    auto before = std::find_if(steps.begin(), steps.end(),
                               [](const sqlite::Migration& step) { return step.version == 5; });
    ASSERT_NE(before, steps.end());
    ASSERT_TRUE(is_ok(sqlite::migrate(*db, {steps.begin(), before})));
    ASSERT_TRUE(is_ok(db->exec(
        "INSERT INTO lists (id, name, domain, last_article, created_at) VALUES "
        "(1, 'ham', 'example.org', 1, 0), (2, 'eggs', 'example.org', 1, 0);"
        "INSERT INTO posts (id, list_id, article, spool_id, message_id, sender, subject, state, "
        "received_at) VALUES (1, 1, 1, 'p1', '<1@x>', 'a@x', 's', 'queued', 0),"
        "(2, 2, 1, 'p2', '<2@x>', 'a@x', 's', 'queued', 0);"
        "INSERT INTO delivery_jobs (id, post_id, list_id, article, recipients, state, attempts, "
        "last_error, not_before) VALUES (1, 1, 1, 1, 'a@example.net\nb@example.net', 'pending', "
        "2, 'relay down', 0), (2, 1, 1, 1, 'c@example.net', 'done', 1, '', 0),"
        "(3, 2, 2, 1, 'd@example.net', 'done', 1, '', 0);")));
  }
  auto store = open_or_fail(file());
  ASSERT_NE(store, nullptr);
  auto pending = store->pending_jobs(1);
  ASSERT_TRUE(is_ok(pending));
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].id, 1);
  EXPECT_EQ((*pending)[0].attempts, 2);
  EXPECT_EQ((*pending)[0].recipients, (std::vector<std::string>{"a@example.net", "b@example.net"}));

  ASSERT_TRUE(is_ok(store->delete_list(2)));  // job 3 goes with it
  auto post = store->number_post(1, post_from(1, "p3"));
  ASSERT_TRUE(is_ok(post));
  DeliveryJob job;
  job.list_id = 1;
  job.article = post->article;
  job.recipients = {"e@example.net"};
  job.not_before = at(kNow);
  ASSERT_TRUE(is_ok(store->queue_post(post->id, {job})));
  auto queued = store->pending_jobs(1);
  ASSERT_TRUE(is_ok(queued));
  ASSERT_EQ(queued->size(), 2u);
  EXPECT_EQ(queued->back().id, 4) << "job 3's id belongs to the deleted list's job for good";
}

}  // namespace
}  // namespace cqlist::store
