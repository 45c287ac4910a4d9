// store/sqlite/sqlite_members.cpp: list members, one row per (list, address key).

#include <set>

#include <fmt/format.h>

#include "store/row_values.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace cqlist::store::sqlite {
namespace {

constexpr std::string_view kMemberColumns =
    "id, list_id, address, display_name, role, mode, receives, may_post, subscribed_at, "
    "bounce_disabled";

Result<MemberRow> read_member(const Statement& row) {
  MemberRow member;
  member.id = row.int64(0);
  member.list_id = row.int64(1);
  member.address = row.text(2);
  member.display_name = row.text(3);
  auto role = parse_role(row.text(4));
  auto mode = parse_delivery_mode(row.text(5));
  if (!role || !mode) {
    return fail(Errc::internal, fmt::format("member {} has an unknown role '{}' or mode '{}'",
                                            member.address, row.text(4), row.text(5)));
  }
  member.role = *role;
  member.mode = *mode;
  member.receives = row.int64(6) != 0;
  member.may_post = row.int64(7) != 0;
  member.subscribed_at = from_unix_seconds(row.int64(8));
  member.bounce_disabled = row.int64(9) != 0;
  return member;
}

Result<std::vector<MemberRow>> read_members(Statement& query) {
  std::vector<MemberRow> members;
  while (true) {
    CQLIST_TRY(bool row, query.step());
    if (!row) {
      return members;
    }
    CQLIST_TRY(MemberRow member, read_member(query));
    members.push_back(std::move(member));
  }
}

// Inserts unless the address is there already; false when it was.
Result<bool> insert_member(Db& db, const MemberRow& member) {
  CQLIST_TRY(
      Statement insert,
      db.prepare("INSERT INTO members (list_id, address, address_key, display_name, role, "
                 "mode, receives, may_post, subscribed_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                 "ON CONFLICT (list_id, address_key) DO NOTHING",
                 member.list_id, member.address, address_key(member.address), member.display_name,
                 role_name(member.role), delivery_mode_name(member.mode), member.receives,
                 member.may_post, to_unix_seconds(member.subscribed_at)));
  CQLIST_TRY_VOID(insert.run());
  return db.changes() > 0;
}

Result<MemberRow> load_member(Db& db, Id list_id, std::string_view address) {
  CQLIST_TRY(Statement query,
             db.prepare(fmt::format("SELECT {} FROM members WHERE list_id = ?1 AND "
                                    "address_key = ?2",
                                    kMemberColumns),
                        list_id, address_key(address)));
  CQLIST_TRY(std::vector<MemberRow> found, read_members(query));
  if (found.empty()) {
    return fail(Errc::not_found,
                fmt::format("{} is not a member of the list with id {}", address, list_id));
  }
  return std::move(found.front());
}

}  // namespace

Result<MemberRow> SqliteStore::add_member(const MemberRow& member) {
  CQLIST_TRY_VOID(check_address(member.address));
  return write("adding a member", [&]() -> Result<MemberRow> {
    CQLIST_TRY_VOID(require_list(member.list_id));
    CQLIST_TRY(bool added, insert_member(*db_, member));
    if (!added) {
      return fail(Errc::already_exists, fmt::format("{} is a member of the list with id {} already",
                                                    member.address, member.list_id));
    }
    return load_member(*db_, member.list_id, member.address);
  });
}

Result<std::size_t> SqliteStore::add_members(const std::vector<MemberRow>& members) {
  for (const MemberRow& member : members) {
    CQLIST_TRY_VOID(check_address(member.address));
  }
  return write("adding members", [&]() -> Result<std::size_t> {
    std::set<Id> lists_seen;
    std::size_t added = 0;
    for (const MemberRow& member : members) {
      if (lists_seen.insert(member.list_id).second) {
        CQLIST_TRY_VOID(require_list(member.list_id));
      }
      CQLIST_TRY(bool inserted, insert_member(*db_, member));
      added += inserted ? 1 : 0;
    }
    return added;
  });
}

Result<MemberRow> SqliteStore::find_member(Id list_id, std::string_view address) {
  return read("looking up a member", [&]() -> Result<MemberRow> {
    CQLIST_TRY_VOID(require_list(list_id));
    return load_member(*db_, list_id, address);
  });
}

Result<void> SqliteStore::update_member(const MemberRow& member) {
  return write("changing a member", [&]() -> Result<void> {
    CQLIST_TRY(
        Statement update,
        db_->prepare("UPDATE members SET display_name = ?1, role = ?2, mode = ?3, "
                     "receives = ?4, may_post = ?5 WHERE id = ?6",
                     member.display_name, role_name(member.role), delivery_mode_name(member.mode),
                     member.receives, member.may_post, member.id));
    CQLIST_TRY_VOID(update.run());
    if (db_->changes() == 0) {
      return fail(Errc::not_found,
                  fmt::format("no member with id {} ({})", member.id, member.address));
    }
    return {};
  });
}

Result<void> SqliteStore::remove_member(Id list_id, std::string_view address) {
  return write("removing a member", [&]() -> Result<void> {
    CQLIST_TRY_VOID(require_list(list_id));
    CQLIST_TRY(Statement remove,
               db_->prepare("DELETE FROM members WHERE list_id = ?1 AND address_key = ?2", list_id,
                            address_key(address)));
    CQLIST_TRY_VOID(remove.run());
    if (db_->changes() == 0) {
      return fail(Errc::not_found,
                  fmt::format("{} is not a member of the list with id {}", address, list_id));
    }
    return {};
  });
}

Result<std::vector<MemberRow>> SqliteStore::members(Id list_id, std::string_view after,
                                                    std::size_t limit) {
  return read("listing members", [&]() -> Result<std::vector<MemberRow>> {
    CQLIST_TRY_VOID(require_list(list_id));
    // Keys compare bytewise, so paging by `after` walks the unique index in order. A negative
    // LIMIT means no limit to SQLite.
    std::int64_t row_limit = limit == 0 ? -1 : static_cast<std::int64_t>(limit);
    CQLIST_TRY(Statement query,
               db_->prepare(fmt::format("SELECT {} FROM members WHERE list_id = ?1 AND "
                                        "address_key > ?2 ORDER BY address_key LIMIT ?3",
                                        kMemberColumns),
                            list_id, address_key(after), row_limit));
    return read_members(query);
  });
}

Result<std::size_t> SqliteStore::member_count(Id list_id) {
  return read("counting members", [&]() -> Result<std::size_t> {
    CQLIST_TRY_VOID(require_list(list_id));
    CQLIST_TRY(Statement query,
               db_->prepare("SELECT count(*) FROM members WHERE list_id = ?1", list_id));
    CQLIST_TRY(bool row, query.step());
    return row ? static_cast<std::size_t>(query.int64(0)) : 0;
  });
}

}  // namespace cqlist::store::sqlite
