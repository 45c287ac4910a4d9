// store/sqlite/sqlite_db.cpp: sqlite3 connections, statements, transactions and their errors.

#include "store/sqlite/sqlite_db.hpp"

#include <cstdint>
#include <limits>
#include <utility>

#include <fmt/format.h>
#include <sqlite3.h>

namespace cqlist::store::sqlite {
namespace {

// SQLITE_TRANSIENT without its C cast: SQLite copies the bytes before bind returns, so a
// string_view of a temporary is safe to bind.
sqlite3_destructor_type transient() {
  return reinterpret_cast<sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));
}

int primary(int code) {
  return code & 0xff;
}

}  // namespace

Statement::Statement(Db& db, sqlite3_stmt* stmt, bool* in_use)
    : db_(&db), stmt_(stmt), in_use_(in_use) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      bind_error_(other.bind_error_) {}

Statement::~Statement() {
  if (stmt_ == nullptr) {
    return;
  }
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  // The step's error, if any, was reported already; reset only readies the statement.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

void Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
  }
}

void Statement::bind(int index, std::string_view text) {
  // SQLite binds a null pointer as NULL; an empty view (which may have one) is the text ''.
  const char* bytes = text.data() != nullptr ? text.data() : "";
  int rc = sqlite3_bind_text64(stmt_, index, bytes, text.size(), transient(), SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
  }
}

void Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
  }
}

Result<bool> Statement::step() {
  if (bind_error_ != SQLITE_OK) {
    return fail(Errc::internal, fmt::format("cannot bind a parameter of \"{}\": {}",
                                            sqlite3_sql(stmt_), sqlite3_errstr(bind_error_)));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return fail(db_->error(rc));
}

Result<void> Statement::run() {
  while (true) {
    CQLIST_TRY(bool row, step());
    if (!row) {
      return {};
    }
  }
}

std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
  const unsigned char* bytes = sqlite3_column_text(stmt_, column);
  if (bytes == nullptr) {
    return {};
  }
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return std::string(reinterpret_cast<const char*>(bytes), size);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Db::Db(sqlite3* db, std::filesystem::path file, std::chrono::milliseconds busy_timeout)
    : db_(db), file_(std::move(file)), busy_timeout_(busy_timeout) {}

Db::~Db() {
  for (auto& [sql, cached] : cache_) {
    sqlite3_finalize(cached.stmt);
  }
  // Closing the last connection checkpoints the WAL into the database file.
  sqlite3_close(db_);
}

Result<std::unique_ptr<Db>> Db::open(const std::filesystem::path& file,
                                     std::chrono::milliseconds busy_timeout) {
  if (sqlite3_threadsafe() == 0) {
    return fail(Errc::unsupported,
                "this SQLite library was built without thread support; install a standard "
                "libsqlite3 build");
  }
  sqlite3* handle = nullptr;
  // NOMUTEX: the store serialises every use of its one connection itself.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(file.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    return fail(Errc::io, fmt::format("cannot open database {}: {}; check that its directory "
                                      "exists and that cqlist may write there",
                                      file.string(), why));
  }
  sqlite3_extended_result_codes(handle, 1);
  auto timeout_ms = busy_timeout.count() > std::numeric_limits<int>::max()
                        ? std::numeric_limits<int>::max()
                        : static_cast<int>(busy_timeout.count());
  sqlite3_busy_timeout(handle, timeout_ms);
  return std::unique_ptr<Db>(new Db(handle, file, busy_timeout));
}

Result<Statement> Db::prepare_cached(std::string_view sql) {
  auto [slot, inserted] = cache_.try_emplace(std::string(sql));
  CachedStatement& cached = slot->second;
  bool use_cache = inserted || !cached.in_use;
  if (use_cache && cached.stmt != nullptr) {
    cached.in_use = true;
    return Statement(*this, cached.stmt, &cached.in_use);
  }
  // A statement already in use (a nested query with the same text) gets a private copy.
  sqlite3_stmt* stmt = nullptr;
  unsigned flags = use_cache ? SQLITE_PREPARE_PERSISTENT : 0;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    Error error = this->error(rc);
    if (inserted) {
      cache_.erase(slot);
    }
    return fail(Error(error.code(), fmt::format("{} (preparing \"{}\")", error.message(), sql)));
  }
  if (!use_cache) {
    return Statement(*this, stmt, nullptr);
  }
  cached.stmt = stmt;
  cached.in_use = true;
  return Statement(*this, stmt, &cached.in_use);
}

Result<void> Db::exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return fail(error(rc));
  }
  return {};
}

std::int64_t Db::changes() const {
  return sqlite3_changes64(db_);
}

Error Db::error(int code) const {
  std::string why = sqlite3_errmsg(db_);
  switch (primary(code)) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error(Errc::temporary,
                   fmt::format("database {} stayed locked by another connection for {} ms ({}); "
                               "try again, and look for a stuck cqlist process if it persists",
                               file_.string(), busy_timeout_.count(), why));
    case SQLITE_FULL:
      return Error(Errc::io, fmt::format("database {}: {}; free disk space and try again",
                                         file_.string(), why));
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_PROTOCOL:
      return Error(Errc::io, fmt::format("database {}: {}; check the file, its directory, their "
                                         "permissions and the disk",
                                         file_.string(), why));
    case SQLITE_CONSTRAINT:
      switch (code) {
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_PRIMARYKEY:
          return Error(Errc::already_exists, why);
        case SQLITE_CONSTRAINT_FOREIGNKEY:
          return Error(Errc::not_found, why);
        default:
          return Error(Errc::invalid_argument, why);
      }
    default:
      return Error(Errc::internal, fmt::format("database {}: {}", file_.string(), why));
  }
}

Result<Transaction> Transaction::begin(Db& db, Kind kind) {
  CQLIST_TRY(Statement statement, db.prepare(kind == Kind::write ? "BEGIN IMMEDIATE" : "BEGIN"));
  CQLIST_TRY_VOID(statement.run());
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  // SQLite ends a transaction by itself after some errors (a full disk); roll back only what
  // is still open.
  if (db_ != nullptr && sqlite3_get_autocommit(db_->handle()) == 0) {
    sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Result<void> Transaction::commit() {
  CQLIST_TRY(Statement statement, db_->prepare("COMMIT"));
  CQLIST_TRY_VOID(statement.run());
  db_ = nullptr;
  return {};
}

}  // namespace cqlist::store::sqlite
