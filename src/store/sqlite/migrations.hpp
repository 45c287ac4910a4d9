// store/sqlite/migrations.hpp: the SQLite schema as numbered steps, and bringing a file up to date.
//
// The schema version lives in the file header (PRAGMA user_version). Each step runs in its own
// write transaction together with the version bump, so a crash leaves the file at one version
// or the next, never half-way. Steps are only ever appended: a released step is never edited.
#pragma once

#include <span>
#include <string_view>

#include "base/result.hpp"
#include "store/sqlite/sqlite_db.hpp"

namespace cqlist::store::sqlite {

struct Migration {
  int version;                   // 1, 2, 3, ...: the schema version after this step
  std::string_view description;  // for the log
  std::string_view sql;          // one or more statements
};

// cqlist's steps, in order.
std::span<const Migration> schema_migrations();

Result<int> schema_version(Db& db);

// Applies the steps of `steps` above the file's version, in order. Errc::unsupported when the
// file's version is above the last step (a newer cqlist wrote it): nothing is changed then.
// Several processes may migrate at once; each step is applied exactly once.
Result<void> migrate(Db& db, std::span<const Migration> steps = schema_migrations());

}  // namespace cqlist::store::sqlite
