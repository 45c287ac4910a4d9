// store/sqlite/sqlite_store.hpp: the embedded default store, one SQLite file per installation.
//
// Owns: the schema and its versioned migrations, WAL mode with synchronous=FULL (a committed
// member or post survives a power cut), a busy timeout so the CLI and the daemon can share the
// file, and serialised access from several threads.
#pragma once

#include <filesystem>
#include <memory>

#include "base/result.hpp"
#include "store/store.hpp"

namespace cqlist::store {

// Opens (creating when missing) the database and migrates it to the current schema.
// Errc::io when the file cannot be opened; Errc::unsupported when it was written by a newer
// cqlist (its schema version is higher than this build knows).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& file);

// The schema version this build writes.
int sqlite_schema_version();

}  // namespace cqlist::store
