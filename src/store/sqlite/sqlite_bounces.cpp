// store/sqlite/sqlite_bounces.cpp: bounces, the owners' summary marks, and members' bounce
// records (score, disabled delivery, probes).

#include <cmath>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "store/row_values.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace cqlist::store::sqlite {
namespace {

constexpr std::string_view kBounceColumns =
    "id, list_id, address, status, reason, side, diagnostic, at, provider, advice, remote_host, "
    "weight_milli, alerted_at";

std::int64_t to_milli(double score) {
  return std::llround(score * 1000.0);
}

double from_milli(std::int64_t milli) {
  return static_cast<double>(milli) / 1000.0;
}

// Every row the query returns, each read by `read_row`.
template <class ReadRow>
auto read_rows(Statement& query, ReadRow read_row)
    -> Result<std::vector<decltype(read_row(std::as_const(query)))>> {
  std::vector<decltype(read_row(std::as_const(query)))> rows;
  while (true) {
    CQLIST_TRY(bool row, query.step());
    if (!row) {
      return rows;
    }
    rows.push_back(read_row(std::as_const(query)));
  }
}

BounceRow read_bounce(const Statement& row) {
  BounceRow bounce;
  bounce.id = row.int64(0);
  bounce.list_id = row.int64(1);
  bounce.address = row.text(2);
  bounce.status = row.text(3);
  bounce.reason = row.text(4);
  bounce.side = row.text(5);
  bounce.diagnostic = row.text(6);
  bounce.at = from_unix_seconds(row.int64(7));
  bounce.provider = row.text(8);
  bounce.advice = row.text(9);
  bounce.remote_host = row.text(10);
  bounce.weight = from_milli(row.int64(11));
  bounce.alerted_at = from_unix_seconds(row.int64(12));
  return bounce;
}

// The member's id and whether its delivery is disabled; Errc::not_found for a non-member.
struct MemberKey {
  Id id = 0;
  std::string address;
  bool disabled = false;
};

Result<MemberKey> member_key(Db& db, Id list_id, std::string_view address) {
  CQLIST_TRY(Statement query,
             db.prepare("SELECT id, address, bounce_disabled FROM members WHERE list_id = ?1 "
                        "AND address_key = ?2",
                        list_id, address_key(address)));
  CQLIST_TRY(bool row, query.step());
  if (!row) {
    return fail(Errc::not_found,
                fmt::format("{} is not a member of the list with id {}", address, list_id));
  }
  return MemberKey{query.int64(0), query.text(1), query.int64(2) != 0};
}

constexpr std::string_view kStateColumns =
    "m.list_id, m.address, m.bounce_disabled, b.score_milli, b.first_bounce_at, "
    "b.last_bounce_at, b.last_counted_at, b.disabled_at, b.probes_sent, b.last_probe_at";

MemberBounceState read_state(const Statement& row) {
  MemberBounceState state;
  state.list_id = row.int64(0);
  state.address = row.text(1);
  state.delivery_disabled = row.int64(2) != 0;
  state.score = from_milli(row.int64(3));
  state.first_bounce_at = from_unix_seconds(row.int64(4));
  state.last_bounce_at = from_unix_seconds(row.int64(5));
  state.last_counted_at = from_unix_seconds(row.int64(6));
  state.disabled_at = from_unix_seconds(row.int64(7));
  state.probes_sent = static_cast<int>(row.int64(8));
  state.last_probe_at = from_unix_seconds(row.int64(9));
  return state;
}

}  // namespace

Result<void> SqliteStore::insert_bounce(const BounceRow& bounce) {
  CQLIST_TRY(
      Statement insert,
      db_->prepare("INSERT INTO bounces (list_id, address, address_key, status, reason, "
                   "side, diagnostic, at, provider, advice, remote_host, weight_milli, "
                   "alerted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                   "?12, ?13)",
                   bounce.list_id, bounce.address, address_key(bounce.address), bounce.status,
                   bounce.reason, bounce.side, bounce.diagnostic, to_unix_seconds(bounce.at),
                   bounce.provider, bounce.advice, bounce.remote_host, to_milli(bounce.weight),
                   to_unix_seconds(bounce.alerted_at)));
  return insert.run();
}

Result<void> SqliteStore::add_bounce(const BounceRow& bounce) {
  return write("recording a bounce", [&]() -> Result<void> {
    CQLIST_TRY_VOID(require_list(bounce.list_id));
    return insert_bounce(bounce);
  });
}

Result<void> SqliteStore::add_scored_bounce(const BounceRow& bounce,
                                            const MemberBounceState& state) {
  return write("recording a bounce and the member's bounce record", [&]() -> Result<void> {
    CQLIST_TRY_VOID(require_list(bounce.list_id));
    CQLIST_TRY_VOID(insert_bounce(bounce));
    return write_bounce_state(state);
  });
}

Result<std::vector<BounceRow>> SqliteStore::bounces(Id list_id, std::string_view address) {
  return read("listing bounces", [&]() -> Result<std::vector<BounceRow>> {
    CQLIST_TRY_VOID(require_list(list_id));
    CQLIST_TRY(Statement query,
               db_->prepare(fmt::format("SELECT {} FROM bounces WHERE list_id = ?1 AND "
                                        "address_key = ?2 ORDER BY at, id",
                                        kBounceColumns),
                            list_id, address_key(address)));
    return read_rows(query, read_bounce);
  });
}

Result<std::vector<BounceRow>> SqliteStore::bounces_since(Id list_id, Clock::time_point since) {
  return read("listing bounces", [&]() -> Result<std::vector<BounceRow>> {
    CQLIST_TRY_VOID(require_list(list_id));
    CQLIST_TRY(Statement query,
               db_->prepare(fmt::format("SELECT {} FROM bounces WHERE list_id = ?1 AND at >= ?2 "
                                        "ORDER BY at, id",
                                        kBounceColumns),
                            list_id, to_unix_seconds(since)));
    return read_rows(query, read_bounce);
  });
}

Result<void> SqliteStore::mark_bounces_alerted(Id list_id, const std::vector<Id>& bounce_ids,
                                               Clock::time_point at) {
  return write("noting the bounces an alert covered", [&]() -> Result<void> {
    CQLIST_TRY_VOID(require_list(list_id));
    for (Id id : bounce_ids) {
      CQLIST_TRY(Statement update,
                 db_->prepare("UPDATE bounces SET alerted_at = ?1 WHERE id = ?2 AND list_id = ?3",
                              to_unix_seconds(at), id, list_id));
      CQLIST_TRY_VOID(update.run());
    }
    return {};
  });
}

Result<std::optional<Clock::time_point>> SqliteStore::last_bounce_alert(Id list_id) {
  return read(
      "looking up the last bounce alert", [&]() -> Result<std::optional<Clock::time_point>> {
        CQLIST_TRY_VOID(require_list(list_id));
        CQLIST_TRY(Statement query,
                   db_->prepare("SELECT max(alerted_at) FROM bounces WHERE list_id = ?1", list_id));
        CQLIST_TRY(bool row, query.step());
        if (!row || query.is_null(0) || query.int64(0) == 0) {
          return std::optional<Clock::time_point>();
        }
        return std::optional<Clock::time_point>(from_unix_seconds(query.int64(0)));
      });
}

Result<std::optional<MemberBounceState>> SqliteStore::bounce_state(Id list_id,
                                                                   std::string_view address) {
  return read("reading a member's bounce record",
              [&]() -> Result<std::optional<MemberBounceState>> {
                CQLIST_TRY_VOID(require_list(list_id));
                CQLIST_TRY(MemberKey member, member_key(*db_, list_id, address));
                CQLIST_TRY(Statement query,
                           db_->prepare(fmt::format("SELECT {} FROM member_bounces b JOIN members "
                                                    "m ON m.id = b.member_id WHERE m.id = ?1",
                                                    kStateColumns),
                                        member.id));
                CQLIST_TRY(bool row, query.step());
                if (!row) {
                  return std::optional<MemberBounceState>();
                }
                return std::optional<MemberBounceState>(read_state(query));
              });
}

Result<void> SqliteStore::write_bounce_state(const MemberBounceState& state) {
  CQLIST_TRY(MemberKey member, member_key(*db_, state.list_id, state.address));
  CQLIST_TRY(
      Statement upsert,
      db_->prepare("INSERT INTO member_bounces (member_id, score_milli, first_bounce_at, "
                   "last_bounce_at, last_counted_at, disabled_at, probes_sent, last_probe_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (member_id) DO UPDATE "
                   "SET score_milli = ?2, first_bounce_at = ?3, last_bounce_at = ?4, "
                   "last_counted_at = ?5, disabled_at = ?6, probes_sent = ?7, "
                   "last_probe_at = ?8",
                   member.id, to_milli(state.score), to_unix_seconds(state.first_bounce_at),
                   to_unix_seconds(state.last_bounce_at), to_unix_seconds(state.last_counted_at),
                   to_unix_seconds(state.disabled_at), std::int64_t{state.probes_sent},
                   to_unix_seconds(state.last_probe_at)));
  CQLIST_TRY_VOID(upsert.run());
  CQLIST_TRY(Statement flag, db_->prepare("UPDATE members SET bounce_disabled = ?1 WHERE id = ?2",
                                          state.delivery_disabled, member.id));
  return flag.run();
}

Result<void> SqliteStore::put_bounce_state(const MemberBounceState& state) {
  return write("writing a member's bounce record", [&]() -> Result<void> {
    CQLIST_TRY_VOID(require_list(state.list_id));
    return write_bounce_state(state);
  });
}

Result<std::vector<MemberBounceState>> SqliteStore::bounce_states(Id list_id) {
  return read("listing members' bounce records", [&]() -> Result<std::vector<MemberBounceState>> {
    CQLIST_TRY_VOID(require_list(list_id));
    CQLIST_TRY(Statement query,
               db_->prepare(fmt::format("SELECT {} FROM member_bounces b JOIN members m ON m.id = "
                                        "b.member_id WHERE m.list_id = ?1 ORDER BY m.address_key",
                                        kStateColumns),
                            list_id));
    return read_rows(query, read_state);
  });
}

}  // namespace cqlist::store::sqlite
