// store/sqlite/sqlite_posts.cpp: numbered posts, the article counter, and delivery jobs.

#include <fmt/format.h>

#include "store/row_values.hpp"
#include "store/sqlite/sqlite_store_impl.hpp"

namespace cqlist::store::sqlite {
namespace {

constexpr std::string_view kPostColumns =
    "id, list_id, article, spool_id, message_id, sender, subject, state, received_at";

Result<PostRow> read_post(const Statement& row) {
  PostRow post;
  post.id = row.int64(0);
  post.list_id = row.int64(1);
  post.article = row.int64(2);
  post.spool_id = row.text(3);
  post.message_id = row.text(4);
  post.from = row.text(5);
  post.subject = row.text(6);
  auto state = parse_post_state(row.text(7));
  if (!state) {
    return fail(Errc::internal,
                fmt::format("post {} has an unknown state '{}'", post.id, row.text(7)));
  }
  post.state = *state;
  post.received_at = from_unix_seconds(row.int64(8));
  return post;
}

Result<std::vector<PostRow>> read_posts(Statement& query) {
  std::vector<PostRow> posts;
  while (true) {
    CQLIST_TRY(bool row, query.step());
    if (!row) {
      return posts;
    }
    CQLIST_TRY(PostRow post, read_post(query));
    posts.push_back(std::move(post));
  }
}

// The one post `where` (a condition on ?1, ?2) selects, if any.
template <class... Args>
Result<std::optional<PostRow>> load_post(Db& db, std::string_view where, const Args&... args) {
  CQLIST_TRY(
      Statement query,
      db.prepare(fmt::format("SELECT {} FROM posts WHERE {}", kPostColumns, where), args...));
  CQLIST_TRY(std::vector<PostRow> found, read_posts(query));
  if (found.empty()) {
    return std::optional<PostRow>();
  }
  return std::optional<PostRow>(std::move(found.front()));
}

Result<Id> insert_post(Db& db, Id list_id, std::int64_t article, const PostRow& post,
                       PostState state) {
  CQLIST_TRY(Statement insert,
             db.prepare("INSERT INTO posts (list_id, article, spool_id, message_id, sender, "
                        "subject, state, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                        "RETURNING id",
                        list_id, article, null_if_empty(post.spool_id), post.message_id, post.from,
                        post.subject, post_state_name(state), to_unix_seconds(post.received_at)));
  CQLIST_TRY(bool row, insert.step());
  if (!row) {
    return fail(Errc::internal, "INSERT ... RETURNING id returned no row");
  }
  return insert.int64(0);
}

constexpr std::string_view kJobColumns =
    "id, list_id, article, recipients, state, attempts, last_error, not_before";

Result<std::vector<DeliveryJob>> read_jobs(Statement& query) {
  std::vector<DeliveryJob> jobs;
  while (true) {
    CQLIST_TRY(bool row, query.step());
    if (!row) {
      return jobs;
    }
    DeliveryJob job;
    job.id = query.int64(0);
    job.list_id = query.int64(1);
    job.article = query.int64(2);
    job.recipients = split_recipients(query.text(3));
    auto state = parse_job_state(query.text(4));
    if (!state) {
      return fail(Errc::internal,
                  fmt::format("delivery job {} has an unknown state '{}'", job.id, query.text(4)));
    }
    job.state = *state;
    job.attempts = static_cast<int>(query.int64(5));
    job.last_error = query.text(6);
    job.not_before = from_unix_seconds(query.int64(7));
    jobs.push_back(std::move(job));
  }
}

Result<void> check_job(const DeliveryJob& job) {
  if (job.recipients.empty()) {
    return fail(Errc::invalid_argument, "a delivery job needs at least one recipient");
  }
  for (const auto& recipient : job.recipients) {
    CQLIST_TRY_VOID(check_address(recipient));
  }
  return {};
}

// Changes a pending job; Errc::not_found for an unknown job, invalid_argument for one that is
// done or failed (deferring it would deliver it again).
template <class... Args>
Result<void> change_pending_job(Db& db, Id job_id, std::string_view set, const Args&... args) {
  {
    CQLIST_TRY(Statement update,
               db.prepare(fmt::format("UPDATE delivery_jobs SET {} WHERE id = ?1 AND "
                                      "state = 'pending'",
                                      set),
                          job_id, args...));
    CQLIST_TRY_VOID(update.run());
    if (db.changes() > 0) {
      return {};
    }
  }
  CQLIST_TRY(Statement query, db.prepare("SELECT state FROM delivery_jobs WHERE id = ?1", job_id));
  CQLIST_TRY(bool found, query.step());
  if (!found) {
    return fail(Errc::not_found, fmt::format("no delivery job with id {}", job_id));
  }
  return fail(Errc::invalid_argument,
              fmt::format("delivery job {} is {} already", job_id, query.text(0)));
}

}  // namespace

Result<PostRow> SqliteStore::number_post(Id list_id, const PostRow& post) {
  if (post.spool_id.empty()) {
    return fail(Errc::invalid_argument,
                "a post needs its spool id to be numbered (it makes numbering repeatable after "
                "a restart)");
  }
  return write("numbering a post", [&]() -> Result<PostRow> {
    CQLIST_TRY(auto existing,
               load_post(*db_, "list_id = ?1 AND spool_id = ?2", list_id, post.spool_id));
    if (existing) {
      return std::move(*existing);
    }
    std::int64_t article = 0;
    {
      CQLIST_TRY(Statement counter,
                 db_->prepare("UPDATE lists SET last_article = last_article + 1 WHERE id = ?1 "
                              "RETURNING last_article",
                              list_id));
      CQLIST_TRY(bool row, counter.step());
      if (!row) {
        return fail(Errc::not_found, fmt::format("no list with id {}", list_id));
      }
      article = counter.int64(0);
    }
    CQLIST_TRY(Id post_id, insert_post(*db_, list_id, article, post, PostState::numbered));
    CQLIST_TRY(auto numbered, load_post(*db_, "id = ?1", post_id));
    return std::move(*numbered);
  });
}

Result<std::optional<PostRow>> SqliteStore::find_post_by_spool(Id list_id,
                                                               std::string_view spool_id) {
  return read("looking up a post", [&]() -> Result<std::optional<PostRow>> {
    CQLIST_TRY_VOID(require_list(list_id));
    if (spool_id.empty()) {
      return std::optional<PostRow>();  // imported articles have none; they match nothing
    }
    return load_post(*db_, "list_id = ?1 AND spool_id = ?2", list_id, spool_id);
  });
}

Result<std::optional<PostRow>> SqliteStore::post(Id list_id, std::int64_t article) {
  return read("looking up a post", [&]() -> Result<std::optional<PostRow>> {
    CQLIST_TRY_VOID(require_list(list_id));
    return load_post(*db_, "list_id = ?1 AND article = ?2", list_id, article);
  });
}

Result<std::vector<PostRow>> SqliteStore::posts(Id list_id, std::int64_t first, std::int64_t last) {
  return read("listing posts", [&]() -> Result<std::vector<PostRow>> {
    CQLIST_TRY_VOID(require_list(list_id));
    CQLIST_TRY(Statement query,
               db_->prepare(fmt::format("SELECT {} FROM posts WHERE list_id = ?1 AND article "
                                        "BETWEEN ?2 AND ?3 ORDER BY article",
                                        kPostColumns),
                            list_id, first, last));
    return read_posts(query);
  });
}

Result<void> SqliteStore::queue_post(Id post_id, const std::vector<DeliveryJob>& jobs) {
  for (const DeliveryJob& job : jobs) {
    CQLIST_TRY_VOID(check_job(job));
  }
  return write("queueing a post", [&]() -> Result<void> {
    CQLIST_TRY(auto post, load_post(*db_, "id = ?1", post_id));
    if (!post) {
      return fail(Errc::not_found, fmt::format("no post with id {}", post_id));
    }
    if (post->state == PostState::queued) {
      // Its jobs exist already; recording them twice would deliver the post twice.
      return fail(Errc::invalid_argument,
                  fmt::format("article {} of the list with id {} is queued already", post->article,
                              post->list_id));
    }
    {
      CQLIST_TRY(Statement update,
                 db_->prepare("UPDATE posts SET state = 'queued' WHERE id = ?1", post_id));
      CQLIST_TRY_VOID(update.run());
    }
    for (const DeliveryJob& job : jobs) {
      CQLIST_TRY(Statement insert,
                 db_->prepare("INSERT INTO delivery_jobs (post_id, list_id, article, recipients, "
                              "state, attempts, last_error, not_before) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                              post_id, post->list_id, post->article,
                              join_recipients(job.recipients), job_state_name(job.state),
                              job.attempts, job.last_error, to_unix_seconds(job.not_before)));
      CQLIST_TRY_VOID(insert.run());
    }
    return {};
  });
}

Result<void> SqliteStore::set_last_article(Id list_id, std::int64_t last_article) {
  return write("setting the last article number", [&]() -> Result<void> {
    CQLIST_TRY(Statement update,
               db_->prepare("UPDATE lists SET last_article = max(last_article, ?2) WHERE id = ?1",
                            list_id, last_article));
    CQLIST_TRY_VOID(update.run());
    if (db_->changes() == 0) {
      return fail(Errc::not_found, fmt::format("no list with id {}", list_id));
    }
    return {};
  });
}

Result<void> SqliteStore::add_archived_post(const PostRow& post) {
  if (post.article <= 0) {
    return fail(Errc::invalid_argument,
                fmt::format("article numbers start at 1 (got {})", post.article));
  }
  return write("adding an archived post", [&]() -> Result<void> {
    CQLIST_TRY_VOID(require_list(post.list_id));
    CQLIST_TRY(auto existing,
               load_post(*db_, "list_id = ?1 AND article = ?2", post.list_id, post.article));
    if (existing) {
      return fail(Errc::already_exists,
                  fmt::format("article {} of the list with id {} exists already", post.article,
                              post.list_id));
    }
    CQLIST_TRY_VOID(insert_post(*db_, post.list_id, post.article, post, PostState::queued));
    // The counter never falls behind an existing article, or the next post would collide.
    CQLIST_TRY(Statement update,
               db_->prepare("UPDATE lists SET last_article = max(last_article, ?2) WHERE id = ?1",
                            post.list_id, post.article));
    return update.run();
  });
}

Result<std::vector<DeliveryJob>> SqliteStore::due_jobs(Clock::time_point now, std::size_t limit) {
  return read("looking for due delivery jobs", [&]() -> Result<std::vector<DeliveryJob>> {
    std::int64_t row_limit = limit == 0 ? -1 : static_cast<std::int64_t>(limit);
    CQLIST_TRY(Statement query,
               db_->prepare(fmt::format("SELECT {} FROM delivery_jobs WHERE state = 'pending' "
                                        "AND not_before <= ?1 ORDER BY id LIMIT ?2",
                                        kJobColumns),
                            to_unix_seconds(now), row_limit));
    return read_jobs(query);
  });
}

Result<void> SqliteStore::mark_job_done(Id job_id) {
  return write("marking a delivery job done", [&]() -> Result<void> {
    CQLIST_TRY(Statement update,
               db_->prepare("UPDATE delivery_jobs SET state = 'done' WHERE id = ?1", job_id));
    CQLIST_TRY_VOID(update.run());
    if (db_->changes() == 0) {
      return fail(Errc::not_found, fmt::format("no delivery job with id {}", job_id));
    }
    return {};
  });
}

Result<void> SqliteStore::defer_job(Id job_id, std::string_view error, Clock::time_point retry_at) {
  return write("deferring a delivery job", [&] {
    return change_pending_job(*db_, job_id,
                              "attempts = attempts + 1, last_error = ?2, not_before = ?3", error,
                              to_unix_seconds(retry_at));
  });
}

Result<void> SqliteStore::fail_job(Id job_id, std::string_view error) {
  return write("failing a delivery job", [&] {
    return change_pending_job(*db_, job_id,
                              "state = 'failed', attempts = attempts + 1, last_error = ?2", error);
  });
}

Result<std::vector<DeliveryJob>> SqliteStore::pending_jobs(std::optional<Id> list_id) {
  return read("listing pending delivery jobs", [&]() -> Result<std::vector<DeliveryJob>> {
    if (list_id) {
      CQLIST_TRY_VOID(require_list(*list_id));
    }
    CQLIST_TRY(Statement query,
               db_->prepare(fmt::format("SELECT {} FROM delivery_jobs WHERE state = 'pending' "
                                        "AND (?1 IS NULL OR list_id = ?1) ORDER BY id",
                                        kJobColumns),
                            list_id));
    return read_jobs(query);
  });
}

}  // namespace cqlist::store::sqlite
