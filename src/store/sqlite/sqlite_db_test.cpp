// store/sqlite/sqlite_db_test.cpp: the sqlite3 wrapper and the migration loop, on real files.

#include "store/sqlite/sqlite_db.hpp"

#include <optional>

#include <gtest/gtest.h>

#include "store/sqlite/migrations.hpp"
#include "store/testing/store_conformance.hpp"

namespace cqlist::store::sqlite {
namespace {

using testing::has_error;
using testing::is_ok;

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Db::open(file(), std::chrono::seconds(10));
    ASSERT_TRUE(is_ok(db));
    db_ = std::move(*db);
  }

  std::filesystem::path file() const { return directory_.path() / "test.db"; }

  bool table_exists(std::string_view name) {
    auto query =
        db_->prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", name);
    EXPECT_TRUE(is_ok(query));
    return query && query->step().value_or(false);
  }

  int version() { return schema_version(*db_).value_or(-1); }

  testing::TemporaryDirectory directory_;
  std::unique_ptr<Db> db_;
};

TEST_F(DbTest, BindsAndReadsEveryKindOfValue) {
  ASSERT_TRUE(is_ok(db_->exec("CREATE TABLE t (i INTEGER, s TEXT, n TEXT, b INTEGER)")));
  std::string with_nul("a\0b", 3);
  std::optional<std::string> none;
  auto insert =
      db_->prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)", std::int64_t{-5}, with_nul, none, true);
  ASSERT_TRUE(is_ok(insert));
  ASSERT_TRUE(is_ok(insert->run()));
  EXPECT_EQ(db_->changes(), 1);

  auto query = db_->prepare("SELECT i, s, n, b FROM t");
  ASSERT_TRUE(is_ok(query));
  ASSERT_TRUE(query->step().value_or(false));
  EXPECT_EQ(query->int64(0), -5);
  EXPECT_EQ(query->text(1), with_nul);
  EXPECT_TRUE(query->is_null(2));
  EXPECT_EQ(query->text(2), "");
  EXPECT_EQ(query->int64(3), 1);
  EXPECT_FALSE(query->step().value_or(true));
}

TEST_F(DbTest, AnEmptyStringViewIsEmptyTextNotNull) {
  auto query = db_->prepare("SELECT ?1 IS NULL, length(?1)", std::string_view());
  ASSERT_TRUE(is_ok(query));
  ASSERT_TRUE(query->step().value_or(false));
  EXPECT_EQ(query->int64(0), 0);
  EXPECT_EQ(query->int64(1), 0);
}

TEST_F(DbTest, AStatementInUseIsNotHandedOutTwice) {
  ASSERT_TRUE(is_ok(db_->exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)")));
  constexpr std::string_view kSql = "SELECT x FROM t WHERE x >= ?1 ORDER BY x";
  auto outer = db_->prepare(kSql, 1);
  ASSERT_TRUE(is_ok(outer));
  int pairs = 0;
  while (outer->step().value_or(false)) {
    auto inner = db_->prepare(kSql, outer->int64(0));
    ASSERT_TRUE(is_ok(inner));
    while (inner->step().value_or(false)) {
      EXPECT_GE(inner->int64(0), outer->int64(0));
      ++pairs;
    }
  }
  EXPECT_EQ(pairs, 3 + 2 + 1);
  // Given back, the cached statement starts from the beginning with fresh parameters.
  auto again = db_->prepare(kSql, 3);
  ASSERT_TRUE(is_ok(again));
  ASSERT_TRUE(again->step().value_or(false));
  EXPECT_EQ(again->int64(0), 3);
}

TEST_F(DbTest, ATransactionRollsBackUnlessCommitted) {
  ASSERT_TRUE(is_ok(db_->exec("CREATE TABLE t (x INTEGER)")));
  {
    auto transaction = Transaction::begin(*db_, Transaction::Kind::write);
    ASSERT_TRUE(is_ok(transaction));
    ASSERT_TRUE(is_ok(db_->exec("INSERT INTO t VALUES (1)")));
  }
  {
    auto transaction = Transaction::begin(*db_, Transaction::Kind::write);
    ASSERT_TRUE(is_ok(transaction));
    ASSERT_TRUE(is_ok(db_->exec("INSERT INTO t VALUES (2)")));
    ASSERT_TRUE(is_ok(transaction->commit()));
  }
  auto query = db_->prepare("SELECT group_concat(x) FROM t");
  ASSERT_TRUE(is_ok(query));
  ASSERT_TRUE(query->step().value_or(false));
  EXPECT_EQ(query->text(0), "2");
}

TEST_F(DbTest, ALockHeldTooLongIsATemporaryError) {
  ASSERT_TRUE(is_ok(db_->exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER)")));
  auto writer = Transaction::begin(*db_, Transaction::Kind::write);
  ASSERT_TRUE(is_ok(writer));
  auto other = Db::open(file(), std::chrono::milliseconds(50));
  ASSERT_TRUE(is_ok(other));
  auto blocked = Transaction::begin(**other, Transaction::Kind::write);
  ASSERT_TRUE(has_error(blocked, Errc::temporary));
  EXPECT_NE(blocked.error().message().find("locked"), std::string::npos);
  // Readers are not blocked by a writer in WAL mode.
  auto reader = Transaction::begin(**other, Transaction::Kind::read);
  EXPECT_TRUE(is_ok(reader));
}

TEST_F(DbTest, ConstraintFailuresMapToStoreErrors) {
  ASSERT_TRUE(
      is_ok(db_->exec("PRAGMA foreign_keys = ON;"
                      "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
                      "CREATE TABLE c (p_id INTEGER REFERENCES p (id), v INTEGER "
                      "CHECK (v > 0));"
                      "INSERT INTO p VALUES (1, 'a')")));
  EXPECT_TRUE(has_error(db_->exec("INSERT INTO p VALUES (2, 'a')"), Errc::already_exists));
  EXPECT_TRUE(has_error(db_->exec("INSERT INTO c VALUES (7, 1)"), Errc::not_found));
  EXPECT_TRUE(has_error(db_->exec("INSERT INTO c VALUES (1, 0)"), Errc::invalid_argument));
}

TEST_F(DbTest, BadSqlIsAnInternalErrorNamingTheStatement) {
  auto statement = db_->prepare("SELEC 1");
  ASSERT_TRUE(has_error(statement, Errc::internal));
  EXPECT_NE(statement.error().message().find("SELEC 1"), std::string::npos);
}

constexpr Migration kFirst{1, "table a", "CREATE TABLE a (x INTEGER)"};
constexpr Migration kSecond{2, "table b", "CREATE TABLE b (x INTEGER)"};

TEST_F(DbTest, MigrateAppliesOnlyTheMissingStepsInOrder) {
  EXPECT_EQ(version(), 0);
  const Migration first_only[] = {kFirst};
  ASSERT_TRUE(is_ok(migrate(*db_, first_only)));
  EXPECT_EQ(version(), 1);
  EXPECT_TRUE(table_exists("a"));
  EXPECT_FALSE(table_exists("b"));
  // Running step 1 again would fail (the table exists): only step 2 runs.
  const Migration both[] = {kFirst, kSecond};
  ASSERT_TRUE(is_ok(migrate(*db_, both)));
  EXPECT_EQ(version(), 2);
  EXPECT_TRUE(table_exists("b"));
  ASSERT_TRUE(is_ok(migrate(*db_, both)));
  EXPECT_EQ(version(), 2);
}

TEST_F(DbTest, AFailingStepLeavesTheFileAtThePreviousVersion) {
  const Migration broken[] = {
      kFirst, {2, "half a step", "CREATE TABLE b (x INTEGER); CREATE TABLE oops ("}};
  auto migrated = migrate(*db_, broken);
  ASSERT_FALSE(migrated);
  EXPECT_NE(migrated.error().describe().find("schema step 2 (half a step)"), std::string::npos)
      << migrated.error().describe();
  EXPECT_EQ(version(), 1);
  EXPECT_TRUE(table_exists("a"));
  EXPECT_FALSE(table_exists("b"));
}

TEST_F(DbTest, MigrateLeavesANewerFileAlone) {
  ASSERT_TRUE(is_ok(db_->exec("PRAGMA user_version = 3")));
  const Migration both[] = {kFirst, kSecond};
  EXPECT_TRUE(has_error(migrate(*db_, both), Errc::unsupported));
  EXPECT_EQ(version(), 3);
  EXPECT_FALSE(table_exists("a"));
}

}  // namespace
}  // namespace cqlist::store::sqlite
