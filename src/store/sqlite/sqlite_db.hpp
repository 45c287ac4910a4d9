// store/sqlite/sqlite_db.hpp: a thin RAII layer over one sqlite3 connection and its statements.
//
// Owns: turning SQLite result codes into errors an operator can act on (a busy database is
// Errc::temporary, a full disk or a permission problem Errc::io), reusing prepared statements,
// and transactions that roll back unless committed. Knows nothing about cqlist's tables.
// Not thread-safe: the store serialises access (see sqlite_store_impl.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "base/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace cqlist::store::sqlite {

class Db;

// One prepared statement in use. Parameters are numbered from 1 (?1, ?2 in the SQL), columns
// from 0. Giving it back (destruction) resets it for the next user.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void bind(int index, std::int64_t value);
  void bind(int index, std::string_view text);
  void bind_null(int index);

  // Any integer, bool, string or std::optional of them (empty binds NULL).
  template <class T>
  void bind_value(int index, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      bind(index, std::int64_t{value ? 1 : 0});
    } else if constexpr (std::is_integral_v<T>) {
      bind(index, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      bind(index, std::string_view(value));
    } else {
      if (value) {
        bind_value(index, *value);
      } else {
        bind_null(index);
      }
    }
  }

  // Runs until the next row: true when a row is ready, false when the statement is done.
  Result<bool> step();
  // Runs a statement that returns no rows (or whose rows do not matter) to its end.
  Result<void> run();

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  friend class Db;
  Statement(Db& db, sqlite3_stmt* stmt, bool* in_use);

  Db* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;        // the cache slot's flag; null for a statement prepared outside the cache
  int bind_error_ = 0;  // the first failed bind, reported by step()
};

class Db {
 public:
  // Opens or creates the file (not the schema: see migrations.hpp). A statement that finds the
  // file locked by another connection waits up to `busy_timeout` before failing.
  static Result<std::unique_ptr<Db>> open(const std::filesystem::path& file,
                                          std::chrono::milliseconds busy_timeout);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Prepares `sql` (cached by its text) and binds `args` to ?1, ?2, ...
  template <class... Args>
  Result<Statement> prepare(std::string_view sql, const Args&... args) {
    CQLIST_TRY(Statement statement, prepare_cached(sql));
    int index = 0;
    (statement.bind_value(++index, args), ...);
    return statement;
  }

  // Runs one or more statements that return no rows (schema steps, pragmas).
  Result<void> exec(std::string_view sql);

  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const;

  // The Error for SQLite result `code`, worded for the operator.
  Error error(int code) const;

  const std::filesystem::path& file() const { return file_; }

  sqlite3* handle() const { return db_; }

 private:
  Db(sqlite3* db, std::filesystem::path file, std::chrono::milliseconds busy_timeout);
  Result<Statement> prepare_cached(std::string_view sql);

  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  sqlite3* db_;
  std::filesystem::path file_;
  std::chrono::milliseconds busy_timeout_;
  // Node-based, so a slot's address (Statement::in_use_) survives later insertions.
  std::unordered_map<std::string, CachedStatement> cache_;
};

// BEGIN ... COMMIT; rolls back when destroyed uncommitted (an error returned half-way).
class Transaction {
 public:
  // Writes start IMMEDIATE: they take the write lock up front (waiting up to the busy
  // timeout), so two processes cannot both read and then deadlock upgrading to write.
  enum class Kind { read, write };

  static Result<Transaction> begin(Db& db, Kind kind);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Result<void> commit();

 private:
  explicit Transaction(Db& db) : db_(&db) {}

  Db* db_;
};

}  // namespace cqlist::store::sqlite
