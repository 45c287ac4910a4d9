// store/sqlite/sqlite_digests.cpp: each list's digest marker and queueing a digest's jobs.

#include <fmt/format.h>

#include "store/row_values.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace cqlist::store::sqlite {
namespace {

Result<DigestState> load_digest_state(Db& db, Id list_id) {
  CQLIST_TRY(Statement query,
             db.prepare("SELECT last_article, issue, last_sent_at FROM digests WHERE list_id = ?1",
                        list_id));
  CQLIST_TRY(bool row, query.step());
  DigestState state;
  if (row) {
    state.last_article = query.int64(0);
    state.issue = query.int64(1);
    state.last_sent_at = from_unix_seconds(query.int64(2));
  }
  return state;
}

}  // namespace

Result<DigestState> SqliteStore::digest_state(Id list_id) {
  return read("reading the digest marker", [&]() -> Result<DigestState> {
    CQLIST_TRY_VOID(require_list(list_id));
    return load_digest_state(*db_, list_id);
  });
}

Result<void> SqliteStore::queue_digest(Id list_id, const DigestState& next,
                                       const std::vector<DeliveryJob>& jobs) {
  for (const DeliveryJob& job : jobs) {
    if (job.recipients.empty()) {
      return fail(Errc::invalid_argument, "a delivery job needs at least one recipient");
    }
    for (const auto& recipient : job.recipients) {
      CQLIST_TRY_VOID(check_address(recipient));
    }
  }
  return write("queueing a digest", [&]() -> Result<void> {
    CQLIST_TRY_VOID(require_list(list_id));
    CQLIST_TRY(DigestState current, load_digest_state(*db_, list_id));
    if (next.issue != current.issue + 1 || next.last_article <= current.last_article) {
      return fail(Errc::already_exists,
                  fmt::format("digest issue {} of the list with id {} was issued already (the "
                              "list is at issue {}, article {})",
                              next.issue, list_id, current.issue, current.last_article));
    }
    Id post_id = 0;
    {
      CQLIST_TRY(Statement query,
                 db_->prepare("SELECT id FROM posts WHERE list_id = ?1 AND article = ?2", list_id,
                              next.last_article));
      CQLIST_TRY(bool row, query.step());
      if (!row) {
        return fail(Errc::not_found, fmt::format("the list with id {} has no article {}", list_id,
                                                 next.last_article));
      }
      post_id = query.int64(0);
    }
    {
      CQLIST_TRY(
          Statement upsert,
          db_->prepare("INSERT INTO digests (list_id, last_article, issue, last_sent_at) "
                       "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (list_id) DO UPDATE SET "
                       "last_article = ?2, issue = ?3, last_sent_at = ?4",
                       list_id, next.last_article, next.issue, to_unix_seconds(next.last_sent_at)));
      CQLIST_TRY_VOID(upsert.run());
    }
    for (const DeliveryJob& job : jobs) {
      CQLIST_TRY(Statement insert,
                 db_->prepare("INSERT INTO delivery_jobs (post_id, list_id, article, recipients, "
                              "state, attempts, last_error, not_before) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                              post_id, list_id, -next.issue, join_recipients(job.recipients),
                              job_state_name(job.state), job.attempts, job.last_error,
                              to_unix_seconds(job.not_before)));
      CQLIST_TRY_VOID(insert.run());
    }
    return {};
  });
}

}  // namespace cqlist::store::sqlite
