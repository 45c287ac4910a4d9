// store/sqlite/migrations.cpp: the schema steps and the loop that applies them.

#include "store/sqlite/migrations.hpp"

#include <string>

#include <fmt/format.h>

#include "base/log.hpp"

namespace cqlist::store::sqlite {
namespace {

// Times are unix seconds (UTC). Every table that belongs to a list cascades from it, so
// deleting a list is one statement. Child tables index their list_id (the cascade looks rows
// up by it).
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE lists (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  domain TEXT NOT NULL,
  last_article INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
-- lower() folds ASCII only, which is what list names and A-label domains are made of.
CREATE UNIQUE INDEX lists_address ON lists (lower(name), lower(domain));

CREATE TABLE list_settings (
  list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (list_id, key)
) WITHOUT ROWID;

-- address_key: see store/row_values.hpp (since step 4 the whole address lowercase).
CREATE TABLE members (
  id INTEGER PRIMARY KEY,
  list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  address_key TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('member', 'moderator', 'owner')),
  mode TEXT NOT NULL CHECK (mode IN ('regular', 'digest', 'nomail')),
  receives INTEGER NOT NULL,
  may_post INTEGER NOT NULL,
  subscribed_at INTEGER NOT NULL,
  UNIQUE (list_id, address_key)
);

CREATE TABLE posts (
  id INTEGER PRIMARY KEY,
  list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  article INTEGER NOT NULL,
  spool_id TEXT,
  message_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  subject TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('numbered', 'queued')),
  received_at INTEGER NOT NULL,
  UNIQUE (list_id, article)
);
-- spool_id is NULL for imported articles (no spool file); NULLs never collide.
CREATE UNIQUE INDEX posts_spool ON posts (list_id, spool_id);

-- recipients: one address per line.
CREATE TABLE delivery_jobs (
  id INTEGER PRIMARY KEY,
  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  article INTEGER NOT NULL,
  recipients TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  not_before INTEGER NOT NULL
);
-- Due jobs are found by scanning the pending ones oldest first; done jobs pile up and stay out
-- of this index.
CREATE INDEX delivery_jobs_pending ON delivery_jobs (id) WHERE state = 'pending';
CREATE INDEX delivery_jobs_post ON delivery_jobs (post_id);
CREATE INDEX delivery_jobs_list ON delivery_jobs (list_id, state);

CREATE TABLE held (
  id INTEGER PRIMARY KEY,
  list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  spool_path TEXT NOT NULL,
  sender TEXT NOT NULL,
  subject TEXT NOT NULL,
  reason TEXT NOT NULL,
  token TEXT UNIQUE,  -- NULL when held without one
  state TEXT NOT NULL CHECK (state IN ('waiting', 'approved', 'rejected', 'discarded')),
  held_at INTEGER NOT NULL
);
CREATE INDEX held_list ON held (list_id, state);

CREATE TABLE message_ids (
  list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (list_id, message_id)
) WITHOUT ROWID;
CREATE INDEX message_ids_seen_at ON message_ids (seen_at);

CREATE TABLE pending_actions (
  token TEXT PRIMARY KEY,
  list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  address TEXT NOT NULL,
  display_name TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX pending_actions_list ON pending_actions (list_id);
CREATE INDEX pending_actions_expires ON pending_actions (expires_at);

CREATE TABLE bounces (
  id INTEGER PRIMARY KEY,
  list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  address_key TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  side TEXT NOT NULL,
  diagnostic TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX bounces_address ON bounces (list_id, address_key, at);
)sql";

// Scores are kept in thousandths (SQLite integers): Mailman-like weights are 1 and 0.5, and a
// sum of integers never drifts. A member's bounce record goes with the membership.
constexpr std::string_view kVersion2 = R"sql(
ALTER TABLE bounces ADD COLUMN provider TEXT NOT NULL DEFAULT '';
ALTER TABLE bounces ADD COLUMN advice TEXT NOT NULL DEFAULT '';
ALTER TABLE bounces ADD COLUMN remote_host TEXT NOT NULL DEFAULT '';
ALTER TABLE bounces ADD COLUMN weight_milli INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bounces ADD COLUMN alerted_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX bounces_at ON bounces (list_id, at);
CREATE INDEX bounces_alerted ON bounces (list_id, alerted_at);

ALTER TABLE members ADD COLUMN bounce_disabled INTEGER NOT NULL DEFAULT 0;

CREATE TABLE member_bounces (
  member_id INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
  score_milli INTEGER NOT NULL,
  first_bounce_at INTEGER NOT NULL,
  last_bounce_at INTEGER NOT NULL,
  last_counted_at INTEGER NOT NULL,
  disabled_at INTEGER NOT NULL,
  probes_sent INTEGER NOT NULL,
  last_probe_at INTEGER NOT NULL
);
)sql";

// One row per list once it has a digest marker. Lists that exist when this step runs start
// at their current article, so turning digests on later does not mail the whole archive.
constexpr std::string_view kVersion3 = R"sql(
CREATE TABLE digests (
  list_id INTEGER PRIMARY KEY REFERENCES lists (id) ON DELETE CASCADE,
  last_article INTEGER NOT NULL,
  issue INTEGER NOT NULL,
  last_sent_at INTEGER NOT NULL
);
INSERT INTO digests (list_id, last_article, issue, last_sent_at)
  SELECT id, last_article, 0, 0 FROM lists;
)sql";

// Address keys become the whole address in lowercase, as fml compares members
// (store/row_values.hpp). Rows that were distinct only by the case of their local part would
// collide: the oldest keeps the key, the others get a key no lookup produces (a space cannot
// appear in an unquoted address), so nobody loses delivery and `cqlist members` still lists
// them for the operator to remove.
constexpr std::string_view kVersion4 = R"sql(
UPDATE members SET address_key = lower(address_key) || ' duplicate ' || id
  WHERE EXISTS (SELECT 1 FROM members AS older WHERE older.list_id = members.list_id
                AND lower(older.address_key) = lower(members.address_key)
                AND older.id < members.id);
UPDATE members SET address_key = lower(address_key) WHERE address_key NOT LIKE '% duplicate %';
UPDATE bounces SET address_key = lower(address_key);
)sql";

// Delivery job ids are never used again. Without AUTOINCREMENT SQLite hands out max(id) + 1, so
// deleting the list that owns the newest jobs frees their ids; the delivery journal, which names
// jobs by id (list/delivery_journal.hpp), could then mark a new job done with an old job's line.
// The table is rebuilt (SQLite cannot add AUTOINCREMENT in place); nothing references it.
constexpr std::string_view kVersion5 = R"sql(
CREATE TABLE delivery_jobs_numbered (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  list_id INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  article INTEGER NOT NULL,
  recipients TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  not_before INTEGER NOT NULL
);
INSERT INTO delivery_jobs_numbered
  (id, post_id, list_id, article, recipients, state, attempts, last_error, not_before)
  SELECT id, post_id, list_id, article, recipients, state, attempts, last_error, not_before
  FROM delivery_jobs;
DROP TABLE delivery_jobs;
ALTER TABLE delivery_jobs_numbered RENAME TO delivery_jobs;
CREATE INDEX delivery_jobs_pending ON delivery_jobs (id) WHERE state = 'pending';
CREATE INDEX delivery_jobs_post ON delivery_jobs (post_id);
CREATE INDEX delivery_jobs_list ON delivery_jobs (list_id, state);
)sql";

constexpr Migration kMigrations[] = {
    {1,
     "lists, members, posts, delivery jobs, held messages, message ids, confirmations, "
     "bounces",
     kVersion1},
    {2, "bounce provider, advice and alerts; members' bounce scores and disabled delivery",
     kVersion2},
    {3, "digest marker: the last article each list's digest included", kVersion3},
    {4, "member addresses match without case, as fml compares them", kVersion4},
    {5, "delivery job ids are never used again", kVersion5},
};

Error newer_schema(const Db& db, int found, int known) {
  return Error(Errc::unsupported,
               fmt::format("database {} has schema version {}, written by a newer cqlist; this "
                           "cqlist knows versions up to {}. Run the newer cqlist, or restore a "
                           "backup taken before the upgrade",
                           db.file().string(), found, known));
}

}  // namespace

std::span<const Migration> schema_migrations() {
  return kMigrations;
}

Result<int> schema_version(Db& db) {
  CQLIST_TRY(Statement pragma, db.prepare("PRAGMA user_version"));
  CQLIST_TRY(bool row, pragma.step());
  if (!row) {
    return fail(Errc::internal, "PRAGMA user_version returned no row");
  }
  return static_cast<int>(pragma.int64(0));
}

Result<void> migrate(Db& db, std::span<const Migration> steps) {
  int known = steps.empty() ? 0 : steps.back().version;
  CQLIST_TRY(int version, schema_version(db));
  if (version > known) {
    return fail(newer_schema(db, version, known));
  }
  for (const Migration& step : steps) {
    if (step.version <= version) {
      continue;
    }
    CQLIST_TRY(auto transaction, Transaction::begin(db, Transaction::Kind::write));
    // Another process may have migrated while this one waited for the write lock.
    CQLIST_TRY(version, schema_version(db));
    if (version > known) {
      return fail(newer_schema(db, version, known));
    }
    if (step.version <= version) {
      continue;
    }
    if (auto applied = db.exec(step.sql); !applied) {
      return fail(std::move(applied.error())
                      .with_context(fmt::format("while applying schema step {} ({})", step.version,
                                                step.description)));
    }
    // user_version is part of the file header, so it commits or rolls back with the step.
    CQLIST_TRY_VOID(db.exec(fmt::format("PRAGMA user_version = {}", step.version)));
    CQLIST_TRY_VOID(transaction.commit());
    version = step.version;
    std::string version_text = std::to_string(version);
    log::info(
        "store.schema_migrated",
        {{"file", db.file().string()}, {"version", version_text}, {"step", step.description}});
  }
  return {};
}

}  // namespace cqlist::store::sqlite
