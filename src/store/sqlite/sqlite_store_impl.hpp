// store/sqlite/sqlite_store_impl.hpp: SqliteStore, the Store over one SQLite connection.
//
// Its methods are split by concept: lists and settings (sqlite_store.cpp), members
// (sqlite_members.cpp), posts and delivery jobs (sqlite_posts.cpp), held messages, the
// Message-ID cache and confirmations (sqlite_moderation.cpp), bounces and members' bounce
// records (sqlite_bounces.cpp).
//
// Threads: one connection, and every method holds `mutex_` for its whole transaction. SQLite
// lets only one writer in at a time anyway, and the methods are short, so a connection pool
// would only add concurrent readers, which the daemon does not need; one connection also means
// one statement cache and no SQLITE_BUSY between the daemon's own threads. The mutex spans the
// transaction, not single calls, because statements of two threads on one connection would
// otherwise land in each other's BEGIN ... COMMIT. Other processes (the CLI) are kept apart by
// SQLite's file locks and the busy timeout.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "store/sqlite/sqlite_db.hpp"
#include "store/store.hpp"

namespace cqlist::store::sqlite {

// Binds as NULL when empty: optional keys (an imported post's spool id, a held message's token)
// are NULL so that a unique index can cover the rows that have one.
inline std::optional<std::string_view> null_if_empty(std::string_view text) {
  return text.empty() ? std::nullopt : std::optional<std::string_view>(text);
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Result<ListRow> create_list(std::string_view name, std::string_view domain,
                              const std::map<std::string, std::string>& settings) override;
  Result<ListRow> find_list(std::string_view name, std::string_view domain) override;
  Result<ListRow> list_by_id(Id list_id) override;
  Result<std::vector<ListRow>> lists() override;
  Result<void> update_settings(
      Id list_id, const std::map<std::string, std::optional<std::string>>& changes) override;
  Result<void> delete_list(Id list_id) override;

  Result<MemberRow> add_member(const MemberRow& member) override;
  Result<std::size_t> add_members(const std::vector<MemberRow>& members) override;
  Result<MemberRow> find_member(Id list_id, std::string_view address) override;
  Result<void> update_member(const MemberRow& member) override;
  Result<void> remove_member(Id list_id, std::string_view address) override;
  Result<std::vector<MemberRow>> members(Id list_id, std::string_view after = {},
                                         std::size_t limit = 0) override;
  Result<std::size_t> member_count(Id list_id) override;

  Result<PostRow> number_post(Id list_id, const PostRow& post) override;
  Result<std::optional<PostRow>> find_post_by_spool(Id list_id, std::string_view spool_id) override;
  Result<std::optional<PostRow>> post(Id list_id, std::int64_t article) override;
  Result<std::vector<PostRow>> posts(Id list_id, std::int64_t first, std::int64_t last) override;
  Result<void> queue_post(Id post_id, const std::vector<DeliveryJob>& jobs) override;
  Result<void> set_last_article(Id list_id, std::int64_t last_article) override;
  Result<void> add_archived_post(const PostRow& post) override;
  Result<ListRow> import_list(const ListImport& import) override;

  Result<std::vector<DeliveryJob>> due_jobs(Clock::time_point now, std::size_t limit) override;
  Result<void> mark_job_done(Id job_id) override;
  Result<void> defer_job(Id job_id, std::string_view error, Clock::time_point retry_at) override;
  Result<void> fail_job(Id job_id, std::string_view error) override;
  Result<std::vector<DeliveryJob>> pending_jobs(std::optional<Id> list_id) override;

  Result<DigestState> digest_state(Id list_id) override;
  Result<void> queue_digest(Id list_id, const DigestState& next,
                            const std::vector<DeliveryJob>& jobs) override;

  Result<HeldRow> hold(const HeldRow& held) override;
  Result<std::vector<HeldRow>> held(Id list_id, std::optional<HeldState> state) override;
  Result<HeldRow> held_by_id(Id held_id) override;
  Result<HeldRow> held_by_token(std::string_view token) override;
  Result<void> decide_held(Id held_id, HeldState decision) override;

  Result<bool> seen_message_id(Id list_id, std::string_view message_id) override;
  Result<bool> remember_message_id(Id list_id, std::string_view message_id,
                                   Clock::time_point at) override;
  Result<std::size_t> forget_message_ids_before(Clock::time_point cutoff) override;

  Result<void> add_pending(const PendingAction& pending) override;
  Result<PendingAction> take_pending(std::string_view token, Clock::time_point now) override;
  Result<std::optional<PendingAction>> find_pending(Id list_id, std::string_view action,
                                                    std::string_view address,
                                                    Clock::time_point now) override;
  Result<std::optional<PendingAction>> add_pending_unless_waiting(const PendingAction& pending,
                                                                  Clock::time_point now) override;

  Result<void> add_bounce(const BounceRow& bounce) override;
  Result<std::vector<BounceRow>> bounces(Id list_id, std::string_view address) override;
  Result<std::vector<BounceRow>> bounces_since(Id list_id, Clock::time_point since) override;
  Result<void> mark_bounces_alerted(Id list_id, const std::vector<Id>& bounce_ids,
                                    Clock::time_point at) override;
  Result<std::optional<Clock::time_point>> last_bounce_alert(Id list_id) override;

  Result<std::optional<MemberBounceState>> bounce_state(Id list_id,
                                                        std::string_view address) override;
  Result<void> put_bounce_state(const MemberBounceState& state) override;
  Result<void> add_scored_bounce(const BounceRow& bounce, const MemberBounceState& state) override;
  Result<std::vector<MemberBounceState>> bounce_states(Id list_id) override;

 private:
  // Runs `body` (returning a Result) as one transaction under the mutex: committed when it
  // succeeds, rolled back when it fails. Database failures get `doing` as context; the
  // store's own errors (not_found, already_exists, ...) already say what happened.
  template <class Body>
  std::invoke_result_t<Body&> transact(Transaction::Kind kind, std::string_view doing,
                                       Body&& body) {
    std::lock_guard lock(mutex_);
    auto transaction = Transaction::begin(*db_, kind);
    if (!transaction) {
      return fail(in_context(std::move(transaction.error()), doing));
    }
    auto result = body();
    if (!result) {
      return fail(in_context(std::move(result.error()), doing));
    }
    if (auto committed = transaction->commit(); !committed) {
      return fail(in_context(std::move(committed.error()), doing));
    }
    return result;
  }

  template <class Body>
  std::invoke_result_t<Body&> read(std::string_view doing, Body&& body) {
    return transact(Transaction::Kind::read, doing, std::forward<Body>(body));
  }

  template <class Body>
  std::invoke_result_t<Body&> write(std::string_view doing, Body&& body) {
    return transact(Transaction::Kind::write, doing, std::forward<Body>(body));
  }

  static Error in_context(Error error, std::string_view doing);

  // The writes of add_bounce and put_bounce_state, inside a transaction whose list exists.
  Result<void> insert_bounce(const BounceRow& bounce);
  Result<void> write_bounce_state(const MemberBounceState& state);

  // The queries of add_pending and find_pending, inside a transaction whose list exists.
  Result<void> insert_pending(const PendingAction& pending);
  Result<std::optional<PendingAction>> waiting_pending(Id list_id, std::string_view action,
                                                       std::string_view address,
                                                       Clock::time_point now);

  // Errc::not_found unless the list exists; called inside a transaction.
  Result<void> require_list(Id list_id);
  Result<ListRow> load_list(Id list_id);

  std::mutex mutex_;
  std::unique_ptr<Db> db_;
};

}  // namespace cqlist::store::sqlite
