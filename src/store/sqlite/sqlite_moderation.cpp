// store/sqlite/sqlite_moderation.cpp: held messages, the Message-ID cache and confirmations.

#include <fmt/format.h>

#include "store/row_values.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace cqlist::store::sqlite {
namespace {

constexpr std::string_view kHeldColumns =
    "id, list_id, spool_path, sender, subject, reason, token, state, held_at";

Result<std::vector<HeldRow>> read_held(Statement& query) {
  std::vector<HeldRow> rows;
  while (true) {
    CQLIST_TRY(bool row, query.step());
    if (!row) {
      return rows;
    }
    HeldRow held;
    held.id = query.int64(0);
    held.list_id = query.int64(1);
    held.spool_path = query.text(2);
    held.sender = query.text(3);
    held.subject = query.text(4);
    held.reason = query.text(5);
    held.token = query.text(6);
    auto state = parse_held_state(query.text(7));
    if (!state) {
      return fail(Errc::internal,
                  fmt::format("held message {} has an unknown state '{}'", held.id, query.text(7)));
    }
    held.state = *state;
    held.held_at = from_unix_seconds(query.int64(8));
    rows.push_back(std::move(held));
  }
}

// The held message `where` (a condition on ?1) selects; `what` names it in the error.
template <class Arg>
Result<HeldRow> load_held(Db& db, std::string_view where, const Arg& arg, std::string_view what) {
  CQLIST_TRY(Statement query,
             db.prepare(fmt::format("SELECT {} FROM held WHERE {}", kHeldColumns, where), arg));
  CQLIST_TRY(std::vector<HeldRow> found, read_held(query));
  if (found.empty()) {
    return fail(Errc::not_found, fmt::format("no held message {}", what));
  }
  return std::move(found.front());
}

constexpr std::string_view kPendingColumns =
    "token, list_id, action, address, display_name, expires_at";

PendingAction read_pending(const Statement& row) {
  PendingAction action;
  action.token = row.text(0);
  action.list_id = row.int64(1);
  action.action = row.text(2);
  action.address = row.text(3);
  action.display_name = row.text(4);
  action.expires_at = from_unix_seconds(row.int64(5));
  return action;
}

struct TakenPending {
  std::optional<PendingAction> action;
  bool expired = false;
};

}  // namespace

Result<HeldRow> SqliteStore::hold(const HeldRow& held) {
  return write("holding a message", [&]() -> Result<HeldRow> {
    CQLIST_TRY_VOID(require_list(held.list_id));
    if (!held.token.empty()) {
      CQLIST_TRY(Statement query, db_->prepare("SELECT 1 FROM held WHERE token = ?1", held.token));
      CQLIST_TRY(bool taken, query.step());
      if (taken) {
        return fail(Errc::already_exists, "another held message has the same moderation token");
      }
    }
    Id held_id = 0;
    {
      CQLIST_TRY(Statement insert,
                 db_->prepare("INSERT INTO held (list_id, spool_path, sender, subject, reason, "
                              "token, state, held_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                              "RETURNING id",
                              held.list_id, held.spool_path, held.sender, held.subject, held.reason,
                              null_if_empty(held.token), held_state_name(held.state),
                              to_unix_seconds(held.held_at)));
      CQLIST_TRY(bool row, insert.step());
      if (!row) {
        return fail(Errc::internal, "INSERT ... RETURNING id returned no row");
      }
      held_id = insert.int64(0);
    }
    return load_held(*db_, "id = ?1", held_id, fmt::format("with id {}", held_id));
  });
}

Result<std::vector<HeldRow>> SqliteStore::held(Id list_id, std::optional<HeldState> state) {
  return read("listing held messages", [&]() -> Result<std::vector<HeldRow>> {
    CQLIST_TRY_VOID(require_list(list_id));
    std::optional<std::string_view> state_name;
    if (state) {
      state_name = held_state_name(*state);
    }
    CQLIST_TRY(Statement query,
               db_->prepare(fmt::format("SELECT {} FROM held WHERE list_id = ?1 AND "
                                        "(?2 IS NULL OR state = ?2) ORDER BY id",
                                        kHeldColumns),
                            list_id, state_name));
    return read_held(query);
  });
}

Result<HeldRow> SqliteStore::held_by_id(Id held_id) {
  return read("looking up a held message", [&] {
    return load_held(*db_, "id = ?1", held_id, fmt::format("with id {}", held_id));
  });
}

Result<HeldRow> SqliteStore::held_by_token(std::string_view token) {
  return read("looking up a held message", [&]() -> Result<HeldRow> {
    if (token.empty()) {
      return fail(Errc::not_found, "no held message with an empty token");
    }
    return load_held(*db_, "token = ?1", token, "with this moderation token");
  });
}

Result<void> SqliteStore::decide_held(Id held_id, HeldState decision) {
  if (decision == HeldState::waiting) {
    return fail(Errc::invalid_argument, "a decision is approved, rejected or discarded");
  }
  return write("deciding a held message", [&]() -> Result<void> {
    // Only a waiting message can be decided: two moderators answering at once must not both
    // act on it.
    CQLIST_TRY(Statement update,
               db_->prepare("UPDATE held SET state = ?2 WHERE id = ?1 AND state = 'waiting'",
                            held_id, held_state_name(decision)));
    CQLIST_TRY_VOID(update.run());
    if (db_->changes() > 0) {
      return {};
    }
    CQLIST_TRY(HeldRow held,
               load_held(*db_, "id = ?1", held_id, fmt::format("with id {}", held_id)));
    return fail(Errc::invalid_argument, fmt::format("held message {} was {} already", held_id,
                                                    held_state_name(held.state)));
  });
}

Result<bool> SqliteStore::seen_message_id(Id list_id, std::string_view message_id) {
  return read("looking up a Message-ID", [&]() -> Result<bool> {
    CQLIST_TRY_VOID(require_list(list_id));
    CQLIST_TRY(Statement query,
               db_->prepare("SELECT 1 FROM message_ids WHERE list_id = ?1 AND message_id = ?2",
                            list_id, message_id));
    return query.step();
  });
}

Result<bool> SqliteStore::remember_message_id(Id list_id, std::string_view message_id,
                                              Clock::time_point at) {
  if (message_id.empty()) {
    // Every message without one would look like a duplicate of the first.
    return fail(Errc::invalid_argument, "an empty Message-ID cannot be remembered");
  }
  return write("remembering a Message-ID", [&]() -> Result<bool> {
    CQLIST_TRY_VOID(require_list(list_id));
    CQLIST_TRY(Statement insert,
               db_->prepare("INSERT INTO message_ids (list_id, message_id, seen_at) "
                            "VALUES (?1, ?2, ?3) ON CONFLICT (list_id, message_id) DO NOTHING",
                            list_id, message_id, to_unix_seconds(at)));
    CQLIST_TRY_VOID(insert.run());
    if (db_->changes() > 0) {
      return false;
    }
    // A repeat refreshes the time, so an id that keeps coming back is not forgotten.
    CQLIST_TRY(Statement refresh, db_->prepare("UPDATE message_ids SET seen_at = max(seen_at, ?3) "
                                               "WHERE list_id = ?1 AND message_id = ?2",
                                               list_id, message_id, to_unix_seconds(at)));
    CQLIST_TRY_VOID(refresh.run());
    return true;
  });
}

Result<std::size_t> SqliteStore::forget_message_ids_before(Clock::time_point cutoff) {
  return write("forgetting old Message-IDs", [&]() -> Result<std::size_t> {
    CQLIST_TRY(Statement remove,
               db_->prepare("DELETE FROM message_ids WHERE seen_at < ?1", to_unix_seconds(cutoff)));
    CQLIST_TRY_VOID(remove.run());
    return static_cast<std::size_t>(db_->changes());
  });
}

Result<void> SqliteStore::insert_pending(const PendingAction& pending) {
  {
    CQLIST_TRY(Statement query,
               db_->prepare("SELECT 1 FROM pending_actions WHERE token = ?1", pending.token));
    CQLIST_TRY(bool taken, query.step());
    if (taken) {
      return fail(Errc::already_exists, "another confirmation has the same token");
    }
  }
  CQLIST_TRY(Statement insert,
             db_->prepare("INSERT INTO pending_actions (token, list_id, action, address, "
                          "display_name, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                          pending.token, pending.list_id, pending.action, pending.address,
                          pending.display_name, to_unix_seconds(pending.expires_at)));
  return insert.run();
}

Result<std::optional<PendingAction>> SqliteStore::waiting_pending(Id list_id,
                                                                  std::string_view action,
                                                                  std::string_view address,
                                                                  Clock::time_point now) {
  // No stored key: a list has only the few confirmations of the last days waiting, and
  // lower() folds ASCII as address_key() does.
  CQLIST_TRY(Statement query,
             db_->prepare(fmt::format("SELECT {} FROM pending_actions WHERE list_id = ?1 AND "
                                      "action = ?2 AND lower(address) = ?3 AND expires_at > ?4 "
                                      "ORDER BY expires_at DESC LIMIT 1",
                                      kPendingColumns),
                          list_id, action, address_key(address), to_unix_seconds(now)));
  CQLIST_TRY(bool found, query.step());
  if (!found) {
    return std::optional<PendingAction>();
  }
  return std::optional<PendingAction>(read_pending(query));
}

Result<void> SqliteStore::add_pending(const PendingAction& pending) {
  if (pending.token.empty()) {
    return fail(Errc::invalid_argument, "a confirmation needs a token");
  }
  return write("recording a confirmation", [&]() -> Result<void> {
    CQLIST_TRY_VOID(require_list(pending.list_id));
    return insert_pending(pending);
  });
}

// One write transaction (BEGIN IMMEDIATE): another connection's look-and-insert waits for
// this one's commit and then finds its row.
Result<std::optional<PendingAction>> SqliteStore::add_pending_unless_waiting(
    const PendingAction& pending, Clock::time_point now) {
  if (pending.token.empty()) {
    return fail(Errc::invalid_argument, "a confirmation needs a token");
  }
  return write("recording a confirmation", [&]() -> Result<std::optional<PendingAction>> {
    CQLIST_TRY_VOID(require_list(pending.list_id));
    CQLIST_TRY(auto waiting,
               waiting_pending(pending.list_id, pending.action, pending.address, now));
    if (waiting) {
      return waiting;
    }
    CQLIST_TRY_VOID(insert_pending(pending));
    return std::optional<PendingAction>();
  });
}

Result<PendingAction> SqliteStore::take_pending(std::string_view token, Clock::time_point now) {
  // The transaction commits even for an expired token, so that the token is gone.
  CQLIST_TRY(TakenPending taken, write("taking a confirmation", [&]() -> Result<TakenPending> {
               TakenPending result;
               {
                 CQLIST_TRY(Statement query,
                            db_->prepare(fmt::format("SELECT {} FROM pending_actions "
                                                     "WHERE token = ?1",
                                                     kPendingColumns),
                                         token));
                 CQLIST_TRY(bool found, query.step());
                 if (found) {
                   PendingAction action = read_pending(query);
                   result.expired = action.expires_at <= now;
                   if (!result.expired) {
                     result.action = std::move(action);
                   }
                 }
               }
               CQLIST_TRY(Statement remove,
                          db_->prepare("DELETE FROM pending_actions WHERE token = ?1", token));
               CQLIST_TRY_VOID(remove.run());
               // Tidy up: expired confirmations can never be taken.
               CQLIST_TRY(Statement expire,
                          db_->prepare("DELETE FROM pending_actions WHERE expires_at <= ?1",
                                       to_unix_seconds(now)));
               CQLIST_TRY_VOID(expire.run());
               return result;
             }));
  if (taken.expired) {
    return fail(Errc::not_found, "the confirmation has expired; ask for a new one");
  }
  if (!taken.action) {
    return fail(Errc::not_found,
                "no confirmation with this token (it was used already, or never existed)");
  }
  return std::move(*taken.action);
}

Result<std::optional<PendingAction>> SqliteStore::find_pending(Id list_id, std::string_view action,
                                                               std::string_view address,
                                                               Clock::time_point now) {
  return read("looking up a waiting confirmation", [&]() -> Result<std::optional<PendingAction>> {
    CQLIST_TRY_VOID(require_list(list_id));
    return waiting_pending(list_id, action, address, now);
  });
}

}  // namespace cqlist::store::sqlite
