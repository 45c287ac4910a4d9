// store/sqlite/sqlite_import.cpp: a whole imported list written in one transaction.
//
// The statements repeat the column lists of lists, members and posts rather than calling the
// public methods: those take the mutex and open their own transactions, and an import must be
// one transaction so that a failure half-way (a bad row, a full disk) leaves no list behind.

#include <algorithm>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "store/row_values.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace cqlist::store::sqlite {
namespace {

Result<Id> insert_list(Db& db, const ListImport& import) {
  {
    CQLIST_TRY(Statement existing,
               db.prepare("SELECT 1 FROM lists WHERE lower(name) = ?1 AND lower(domain) = ?2",
                          to_ascii_lower(import.name), to_ascii_lower(import.domain)));
    CQLIST_TRY(bool found, existing.step());
    if (found) {
      return fail(Errc::already_exists,
                  fmt::format("the list {}@{} exists already", import.name, import.domain));
    }
  }
  CQLIST_TRY(
      Statement insert,
      db.prepare("INSERT INTO lists (name, domain, last_article, created_at) "
                 "VALUES (?1, ?2, ?3, ?4) RETURNING id",
                 import.name, import.domain, import.last_article, to_unix_seconds(Clock::now())));
  CQLIST_TRY(bool row, insert.step());
  if (!row) {
    return fail(Errc::internal, "INSERT ... RETURNING id returned no row");
  }
  Id list_id = insert.int64(0);
  // Imported articles were distributed by the old list manager: no digest should repeat them.
  CQLIST_TRY(Statement digest,
             db.prepare("INSERT INTO digests (list_id, last_article, issue, last_sent_at) "
                        "VALUES (?1, ?2, 0, 0)",
                        list_id, import.last_article));
  CQLIST_TRY_VOID(digest.run());
  return list_id;
}

Result<void> insert_members(Db& db, Id list_id, const std::vector<MemberRow>& members) {
  for (const MemberRow& member : members) {
    CQLIST_TRY(Statement insert,
               db.prepare("INSERT INTO members (list_id, address, address_key, display_name, "
                          "role, mode, receives, may_post, subscribed_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                          "ON CONFLICT (list_id, address_key) DO NOTHING",
                          list_id, member.address, address_key(member.address), member.display_name,
                          role_name(member.role), delivery_mode_name(member.mode), member.receives,
                          member.may_post, to_unix_seconds(member.subscribed_at)));
    CQLIST_TRY_VOID(insert.run());
    if (db.changes() == 0) {
      return fail(Errc::already_exists,
                  fmt::format("{} is in the imported member list twice", member.address));
    }
  }
  return {};
}

Result<void> insert_articles(Db& db, Id list_id, const std::vector<PostRow>& articles) {
  for (const PostRow& post : articles) {
    CQLIST_TRY(Statement insert,
               db.prepare("INSERT INTO posts (list_id, article, spool_id, message_id, sender, "
                          "subject, state, received_at) VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, ?7) "
                          "ON CONFLICT (list_id, article) DO NOTHING",
                          list_id, post.article, post.message_id, post.from, post.subject,
                          post_state_name(PostState::queued), to_unix_seconds(post.received_at)));
    CQLIST_TRY_VOID(insert.run());
    if (db.changes() == 0) {
      return fail(Errc::already_exists,
                  fmt::format("article {} is in the imported archive twice", post.article));
    }
  }
  return {};
}

}  // namespace

Result<ListRow> SqliteStore::import_list(const ListImport& import) {
  if (import.name.empty() || import.domain.empty()) {
    return fail(Errc::invalid_argument, "a list needs a name and a domain");
  }
  std::int64_t highest = 0;
  for (const PostRow& post : import.articles) {
    if (post.article <= 0) {
      return fail(Errc::invalid_argument,
                  fmt::format("article numbers start at 1 (got {})", post.article));
    }
    highest = std::max(highest, post.article);
  }
  if (import.last_article < highest) {
    // The next post would get the number of an imported article.
    return fail(Errc::invalid_argument,
                fmt::format("the last article number {} is below the imported article {}",
                            import.last_article, highest));
  }
  for (const MemberRow& member : import.members) {
    CQLIST_TRY_VOID(check_address(member.address));
  }
  return write("importing a list", [&]() -> Result<ListRow> {
    CQLIST_TRY(Id list_id, insert_list(*db_, import));
    for (const auto& [key, value] : import.settings) {
      CQLIST_TRY(Statement insert,
                 db_->prepare("INSERT INTO list_settings (list_id, key, value) VALUES (?1, ?2, ?3)",
                              list_id, key, value));
      CQLIST_TRY_VOID(insert.run());
    }
    CQLIST_TRY_VOID(insert_members(*db_, list_id, import.members));
    CQLIST_TRY_VOID(insert_articles(*db_, list_id, import.articles));
    for (const std::string& message_id : import.message_ids) {
      if (message_id.empty()) {
        continue;
      }
      CQLIST_TRY(Statement insert,
                 db_->prepare("INSERT INTO message_ids (list_id, message_id, seen_at) "
                              "VALUES (?1, ?2, ?3) ON CONFLICT (list_id, message_id) DO NOTHING",
                              list_id, message_id, to_unix_seconds(import.message_ids_seen_at)));
      CQLIST_TRY_VOID(insert.run());
    }
    return load_list(list_id);
  });
}

}  // namespace cqlist::store::sqlite
