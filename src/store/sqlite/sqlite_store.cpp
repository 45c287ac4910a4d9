// store/sqlite/sqlite_store.cpp: opening the SQLite store, and its lists and their settings.

#include "store/sqlite/sqlite_store.hpp"

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "store/row_values.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace cqlist::store {
namespace {

// How long a statement waits for another process's lock (the CLI importing members while the
// daemon delivers) before giving up with Errc::temporary. Transactions are short; ten seconds
// covers a large import without leaving a caller hanging on a stuck process.
constexpr std::chrono::milliseconds kBusyTimeout{10'000};

Result<void> configure(sqlite::Db& db) {
  // WAL: readers never block the writer and a commit is one append; synchronous=FULL makes
  // that append durable before COMMIT returns (NORMAL could lose the last commits on power
  // loss, and with them a member's subscription or a post's article number).
  CQLIST_TRY(sqlite::Statement wal, db.prepare("PRAGMA journal_mode = WAL"));
  CQLIST_TRY(bool row, wal.step());
  std::string mode = row ? to_ascii_lower(wal.text(0)) : std::string();
  if (mode != "wal") {
    return fail(Errc::io, fmt::format("database {} cannot use write-ahead logging (journal mode "
                                      "is '{}'); keep the data directory on a local filesystem",
                                      db.file().string(), mode));
  }
  CQLIST_TRY_VOID(db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON"));
  CQLIST_TRY(sqlite::Statement keys, db.prepare("PRAGMA foreign_keys"));
  CQLIST_TRY(bool keys_row, keys.step());
  if (!keys_row || keys.int64(0) != 1) {
    return fail(Errc::unsupported,
                "this SQLite library cannot enforce foreign keys, which cqlist relies on to "
                "delete a list with everything in it; install a standard libsqlite3 build");
  }
  return {};
}

constexpr std::string_view kListColumns = "id, name, domain, last_article, created_at";

ListRow read_list(const sqlite::Statement& row) {
  ListRow list;
  list.id = row.int64(0);
  list.name = row.text(1);
  list.domain = row.text(2);
  list.last_article = row.int64(3);
  list.created_at = from_unix_seconds(row.int64(4));
  return list;
}

}  // namespace

namespace {

Result<std::unique_ptr<Store>> open_once(const std::filesystem::path& file) {
  CQLIST_TRY(auto db, sqlite::Db::open(file, kBusyTimeout));
  CQLIST_TRY_VOID(configure(*db));
  CQLIST_TRY_VOID(sqlite::migrate(*db));
  return std::unique_ptr<Store>(std::make_unique<sqlite::SqliteStore>(std::move(db)));
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& file) {
  // Switching a new file to WAL takes a lock that SQLite does not wait for through the busy
  // timeout, so processes opening a fresh database together (the daemon and a CLI command)
  // may see "locked" once; they try again after a moment.
  for (int attempt = 1;; ++attempt) {
    auto store = open_once(file);
    if (store || store.error().code() != Errc::temporary || attempt == 20) {
      return store;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10 * attempt));
  }
}

int sqlite_schema_version() {
  return sqlite::schema_migrations().back().version;
}

namespace sqlite {

Error SqliteStore::in_context(Error error, std::string_view doing) {
  switch (error.code()) {
    case Errc::io:
    case Errc::temporary:
    case Errc::internal:
      return std::move(error).with_context(std::string(doing));
    default:
      return error;
  }
}

Result<void> SqliteStore::require_list(Id list_id) {
  CQLIST_TRY(Statement query, db_->prepare("SELECT 1 FROM lists WHERE id = ?1", list_id));
  CQLIST_TRY(bool found, query.step());
  if (!found) {
    return fail(Errc::not_found, fmt::format("no list with id {}", list_id));
  }
  return {};
}

Result<ListRow> SqliteStore::load_list(Id list_id) {
  ListRow list;
  {
    CQLIST_TRY(
        Statement query,
        db_->prepare(fmt::format("SELECT {} FROM lists WHERE id = ?1", kListColumns), list_id));
    CQLIST_TRY(bool found, query.step());
    if (!found) {
      return fail(Errc::not_found, fmt::format("no list with id {}", list_id));
    }
    list = read_list(query);
  }
  CQLIST_TRY(Statement settings,
             db_->prepare("SELECT key, value FROM list_settings WHERE list_id = ?1", list_id));
  while (true) {
    CQLIST_TRY(bool row, settings.step());
    if (!row) {
      break;
    }
    list.settings.emplace(settings.text(0), settings.text(1));
  }
  return list;
}

Result<ListRow> SqliteStore::create_list(std::string_view name, std::string_view domain,
                                         const std::map<std::string, std::string>& settings) {
  if (name.empty() || domain.empty()) {
    return fail(Errc::invalid_argument, "a list needs a name and a domain");
  }
  return write("creating a list", [&]() -> Result<ListRow> {
    {
      CQLIST_TRY(Statement existing,
                 db_->prepare("SELECT 1 FROM lists WHERE lower(name) = ?1 AND lower(domain) = ?2",
                              to_ascii_lower(name), to_ascii_lower(domain)));
      CQLIST_TRY(bool found, existing.step());
      if (found) {
        return fail(Errc::already_exists,
                    fmt::format("the list {}@{} exists already", name, domain));
      }
    }
    Id list_id = 0;
    {
      CQLIST_TRY(Statement insert,
                 db_->prepare("INSERT INTO lists (name, domain, created_at) VALUES (?1, ?2, ?3) "
                              "RETURNING id",
                              name, domain, to_unix_seconds(Clock::now())));
      CQLIST_TRY(bool row, insert.step());
      if (!row) {
        return fail(Errc::internal, "INSERT ... RETURNING id returned no row");
      }
      list_id = insert.int64(0);
    }
    for (const auto& [key, value] : settings) {
      CQLIST_TRY(Statement insert,
                 db_->prepare("INSERT INTO list_settings (list_id, key, value) VALUES (?1, ?2, ?3)",
                              list_id, key, value));
      CQLIST_TRY_VOID(insert.run());
    }
    return load_list(list_id);
  });
}

Result<ListRow> SqliteStore::find_list(std::string_view name, std::string_view domain) {
  return read("looking up a list", [&]() -> Result<ListRow> {
    Id list_id = 0;
    {
      CQLIST_TRY(Statement query,
                 db_->prepare("SELECT id FROM lists WHERE lower(name) = ?1 AND lower(domain) = ?2",
                              to_ascii_lower(name), to_ascii_lower(domain)));
      CQLIST_TRY(bool found, query.step());
      if (!found) {
        return fail(Errc::not_found, fmt::format("there is no list {}@{}", name, domain));
      }
      list_id = query.int64(0);
    }
    return load_list(list_id);
  });
}

Result<ListRow> SqliteStore::list_by_id(Id list_id) {
  return read("looking up a list", [&] { return load_list(list_id); });
}

Result<std::vector<ListRow>> SqliteStore::lists() {
  return read("listing lists", [&]() -> Result<std::vector<ListRow>> {
    std::vector<ListRow> lists;
    std::map<Id, std::size_t> index;
    {
      CQLIST_TRY(Statement query,
                 db_->prepare(fmt::format("SELECT {} FROM lists ORDER BY lower(domain), "
                                          "lower(name)",
                                          kListColumns)));
      while (true) {
        CQLIST_TRY(bool row, query.step());
        if (!row) {
          break;
        }
        index.emplace(query.int64(0), lists.size());
        lists.push_back(read_list(query));
      }
    }
    CQLIST_TRY(Statement settings, db_->prepare("SELECT list_id, key, value FROM list_settings"));
    while (true) {
      CQLIST_TRY(bool row, settings.step());
      if (!row) {
        break;
      }
      if (auto it = index.find(settings.int64(0)); it != index.end()) {
        lists[it->second].settings.emplace(settings.text(1), settings.text(2));
      }
    }
    return lists;
  });
}

Result<void> SqliteStore::update_settings(
    Id list_id, const std::map<std::string, std::optional<std::string>>& changes) {
  return write("changing list settings", [&]() -> Result<void> {
    CQLIST_TRY_VOID(require_list(list_id));
    for (const auto& [key, value] : changes) {
      if (value) {
        CQLIST_TRY(Statement upsert,
                   db_->prepare("INSERT INTO list_settings (list_id, key, value) "
                                "VALUES (?1, ?2, ?3) "
                                "ON CONFLICT (list_id, key) DO UPDATE SET value = excluded.value",
                                list_id, key, *value));
        CQLIST_TRY_VOID(upsert.run());
      } else {
        CQLIST_TRY(Statement remove,
                   db_->prepare("DELETE FROM list_settings WHERE list_id = ?1 AND key = ?2",
                                list_id, key));
        CQLIST_TRY_VOID(remove.run());
      }
    }
    return {};
  });
}

Result<void> SqliteStore::delete_list(Id list_id) {
  return write("deleting a list", [&]() -> Result<void> {
    // Members, posts, jobs, held messages and the rest go with it (ON DELETE CASCADE).
    CQLIST_TRY(Statement remove, db_->prepare("DELETE FROM lists WHERE id = ?1", list_id));
    CQLIST_TRY_VOID(remove.run());
    if (db_->changes() == 0) {
      return fail(Errc::not_found, fmt::format("no list with id {}", list_id));
    }
    return {};
  });
}

}  // namespace sqlite
}  // namespace cqlist::store
