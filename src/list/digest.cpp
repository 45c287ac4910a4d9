// list/digest.cpp: when a digest is due, building it, and queueing it with its marker.
#include "list/digest.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "list/list_addresses.hpp"
#include "list/notices.hpp"
#include "list/pipeline.hpp"
#include "list/service.hpp"
#include "mail/charset.hpp"

namespace cqlist::list {
namespace {

using Clock = std::chrono::system_clock;

// Held while one issue is built and queued, so that two processes (the daemon's timer and
// `cqlist digest send`) never write the same issue's file with different contents.
class DigestLock {
 public:
  explicit DigestLock(int fd) : fd_(fd) {}

  DigestLock(DigestLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

  DigestLock(const DigestLock&) = delete;
  DigestLock& operator=(const DigestLock&) = delete;
  DigestLock& operator=(DigestLock&&) = delete;

  ~DigestLock() {
    if (fd_ >= 0) {
      ::close(fd_);  // releases the flock
    }
  }

 private:
  int fd_;
};

Result<DigestLock> lock_digests(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return fail(Errc::io, fmt::format("cannot create the digest directory {}: {}",
                                      directory.string(), error.message()));
  }
  auto file = directory / ".lock";
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    return fail(Errc::io, fmt::format("cannot open {}: {}", file.string(), std::strerror(errno)));
  }
  DigestLock lock(fd);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      return fail(Errc::io, fmt::format("cannot lock {}: {}", file.string(), std::strerror(errno)));
    }
  }
  return lock;
}

// A subject or address for the table of contents: one line, valid UTF-8.
std::string toc_text(std::string_view text, std::string_view fallback) {
  if (text.empty() || !mail::is_valid_utf8(text)) {
    return std::string(fallback);
  }
  std::string line(text);
  std::replace_if(
      line.begin(), line.end(), [](char c) { return c == '\r' || c == '\n' || c == '\t'; }, ' ');
  return line;
}

// The digest's subject, in the list's language.
std::string digest_subject(const store::ListRow& list, const ListSettings& settings,
                           std::int64_t issue, std::int64_t first, std::int64_t last) {
  if (settings.language == "ja") {
    return fmt::format("{} まとめ読み 第 {} 号（記事 {}-{}）", list_tag_name(list, settings), issue,
                       first, last);
  }
  return fmt::format("{} digest, issue {} (articles {}-{})", list_tag_name(list, settings), issue,
                     first, last);
}

std::string table_of_contents(const store::ListRow& list, const ListSettings& settings,
                              std::int64_t issue, const std::vector<DigestArticle>& articles) {
  const ListAddresses addresses = list_addresses(list);
  const bool japanese = settings.language == "ja";
  const std::int64_t first = articles.front().post.article;
  const std::int64_t last = articles.back().post.article;
  std::string text;
  if (japanese) {
    text = fmt::format("{} まとめ読み 第 {} 号\n記事 {}-{} の {} 通をお届けします。\n\n",
                       list_tag_name(list, settings), issue, first, last, articles.size());
  } else {
    text = fmt::format("{} digest, issue {}\n{} {}, articles {}-{}:\n\n",
                       list_tag_name(list, settings), issue, articles.size(),
                       articles.size() == 1 ? "message" : "messages", first, last);
  }
  for (const DigestArticle& article : articles) {
    text +=
        fmt::format("  {:>5}. {}\n         {}\n", article.post.article,
                    toc_text(article.post.subject, japanese ? "（件名なし）" : "(no subject)"),
                    toc_text(article.post.from, japanese ? "（差出人不明）" : "(unknown sender)"));
  }
  if (japanese) {
    text += fmt::format(
        "\n各記事はこの後にそのまま添付しています。リストへの投稿は {} 宛てにお送りください。\n"
        "1 通ずつの配信に戻すには、{} 宛てに「digest off」とお送りください。\n",
        addresses.posting, addresses.request);
  } else {
    text += fmt::format(
        "\nEach message follows in full. To write to the list, send to {}.\n"
        "To get every message on its own instead, send \"digest off\" to {}.\n",
        addresses.posting, addresses.request);
  }
  return text;
}

struct Selection {
  std::vector<store::PostRow> posts;
  DigestBacklog backlog;
};

// The articles the next digest would hold: those after the marker that are archived and
// queued, in order, up to the size limits (at least one). A post still being processed ends
// the selection, so the marker never passes an article no digest has included.
Result<Selection> select_articles(store::Store& store, const Archive& archive,
                                  const store::ListRow& list, const ListSettings& settings,
                                  const store::DigestState& state) {
  Selection selection;
  if (list.last_article <= state.last_article) {
    return selection;
  }
  CQLIST_TRY(auto posts, store.posts(list.id, state.last_article + 1, list.last_article));
  for (auto& post : posts) {
    if (post.state != store::PostState::queued ||
        selection.posts.size() >= settings.digest_max_articles) {
      break;
    }
    std::error_code error;
    auto size = std::filesystem::file_size(archive.path(list, post.article), error);
    if (error) {
      return fail(
          Errc::io,
          fmt::format("article {} of {} is missing from the archive ({}): {}", post.article,
                      list.address(), archive.path(list, post.article).string(), error.message()));
    }
    if (!selection.posts.empty() && selection.backlog.bytes + size > settings.digest_max_bytes) {
      selection.backlog.bytes = std::max<std::size_t>(selection.backlog.bytes,
                                                      settings.digest_max_bytes);  // full
      break;
    }
    if (selection.posts.empty()) {
      selection.backlog.oldest = post.received_at;
    }
    selection.backlog.bytes += size;
    selection.posts.push_back(std::move(post));
  }
  selection.backlog.articles = selection.posts.size();
  return selection;
}

// One issue, under the list's digest lock.
Result<DigestOutcome> send_one(store::Store& store, const Archive& archive, store::Id list_id,
                               DigestTrigger trigger, Clock::time_point now) {
  CQLIST_TRY(store::ListRow list, store.list_by_id(list_id));
  CQLIST_TRY(DigestLock lock, lock_digests(digest_path(archive, list, 1).parent_path()));
  // Read after taking the lock: another process may have just issued a digest.
  CQLIST_TRY(list, store.list_by_id(list_id));
  CQLIST_TRY(ListSettings settings, parse_settings(list.settings));
  CQLIST_TRY(store::DigestState state, store.digest_state(list.id));
  CQLIST_TRY(Selection selection, select_articles(store, archive, list, settings, state));

  DigestOutcome outcome;
  outcome.list = list.address();
  auto due = digest_due(settings, state, selection.backlog, trigger, now);
  if (!due) {
    outcome.reason = selection.posts.empty() ? "nothing new" : "not due yet";
    return outcome;
  }
  outcome.reason = *due;
  outcome.issue = state.issue + 1;
  outcome.first_article = selection.posts.front().article;
  outcome.last_article = selection.posts.back().article;

  CQLIST_TRY(auto jobs, plan_jobs(store, list, settings, store::DeliveryMode::digest));
  for (const auto& job : jobs) {
    outcome.recipients += job.recipients.size();
  }
  // Without digest members the marker still moves: a member who switches to digests later
  // starts with new posts, not with everything since the list began.
  if (!jobs.empty()) {
    std::vector<DigestArticle> articles;
    for (const auto& post : selection.posts) {
      CQLIST_TRY(std::string bytes, archive.read(list, post.article));
      articles.push_back({post, std::move(bytes)});
    }
    CQLIST_TRY(std::string digest, build_digest(list, settings, outcome.issue, articles, now));
    CQLIST_TRY_VOID(write_file_durably(digest_path(archive, list, outcome.issue), digest,
                                       Overwrite::allow, 0640));
  }
  store::DigestState next{outcome.last_article, outcome.issue, now};
  CQLIST_TRY_VOID(store.queue_digest(list.id, next, jobs));
  outcome.sent = true;
  log::info("digest.queued",
            {{"list", list.address()},
             {"issue", std::to_string(outcome.issue)},
             {"articles", fmt::format("{}-{}", outcome.first_article, outcome.last_article)},
             {"recipients", std::to_string(outcome.recipients)},
             {"jobs", std::to_string(jobs.size())},
             {"reason", outcome.reason}});
  return outcome;
}

}  // namespace

std::optional<std::string> digest_due(const ListSettings& settings, const store::DigestState& state,
                                      const DigestBacklog& backlog, DigestTrigger trigger,
                                      Clock::time_point now) {
  if (backlog.articles == 0) {
    return std::nullopt;
  }
  if (trigger == DigestTrigger::force) {
    return "forced";
  }
  if (backlog.articles >= settings.digest_max_articles) {
    return "articles";
  }
  if (backlog.bytes >= settings.digest_max_bytes) {
    return "bytes";
  }
  if (trigger == DigestTrigger::size_only) {
    return std::nullopt;
  }
  // Counted from the later of the last digest and the oldest waiting post: every post waits
  // at most one interval, and a quiet list's first post does not go out alone at once.
  auto start = std::max(state.last_sent_at, backlog.oldest);
  if (now - start >= settings.digest_interval) {
    return "interval";
  }
  return std::nullopt;
}

Result<std::string> build_digest(const store::ListRow& list, const ListSettings& settings,
                                 std::int64_t issue, const std::vector<DigestArticle>& articles,
                                 Clock::time_point now) {
  if (articles.empty()) {
    return fail(Errc::invalid_argument, "a digest needs at least one article");
  }
  Notice notice;
  notice.from = list.address();
  notice.to = {list.address()};
  notice.subject = digest_subject(list, settings, issue, articles.front().post.article,
                                  articles.back().post.article);
  notice.body = table_of_contents(list, settings, issue, articles);
  notice.answers_a_message = false;
  notice.digest = true;
  for (const DigestArticle& article : articles) {
    notice.attached_messages.push_back(article.bytes);
  }
  CQLIST_TRY(std::string rendered, render_notice(notice, list, now));
  // The same List-* fields, Precedence, Sender and Reply-To as the posts get.
  mail::Message message = mail::Message::parse(std::move(rendered));
  PostContext context;
  context.list = list;
  context.settings = settings;
  context.article = articles.back().post.article;
  context.now = now;
  CQLIST_TRY_VOID(decorate_headers(message, context));
  return message.serialize();
}

std::filesystem::path digest_path(const Archive& archive, const store::ListRow& list,
                                  std::int64_t issue) {
  return archive.root() / to_ascii_lower(list.address()) / "digest" /
         fmt::format("{:05d}.eml", issue);
}

Result<std::string> read_digest(const Archive& archive, const store::ListRow& list,
                                std::int64_t issue) {
  auto bytes = read_file(digest_path(archive, list, issue));
  if (!bytes) {
    return fail(std::move(bytes.error())
                    .with_context(fmt::format("reading digest {} of {}", issue, list.address())));
  }
  return bytes;
}

Result<std::vector<DigestOutcome>> send_digest_if_due(store::Store& store, const Archive& archive,
                                                      const store::ListRow& list,
                                                      DigestTrigger trigger,
                                                      Clock::time_point now) {
  // Bounded: a backlog of a thousand digests is better sent over several runs.
  constexpr int kMaxIssuesPerRun = 20;
  std::vector<DigestOutcome> outcomes;
  for (int i = 0; i < kMaxIssuesPerRun; ++i) {
    CQLIST_TRY(DigestOutcome outcome, send_one(store, archive, list.id, trigger, now));
    bool sent = outcome.sent;
    if (sent || outcomes.empty()) {
      outcomes.push_back(std::move(outcome));
    }
    if (!sent) {
      break;
    }
  }
  return outcomes;
}

Result<std::vector<DigestOutcome>> send_due_digests(store::Store& store, const Archive& archive,
                                                    std::optional<store::Id> list_id,
                                                    DigestTrigger trigger, Clock::time_point now) {
  std::vector<store::ListRow> lists;
  if (list_id) {
    CQLIST_TRY(store::ListRow list, store.list_by_id(*list_id));
    lists.push_back(std::move(list));
  } else {
    CQLIST_TRY(lists, store.lists());
  }
  std::vector<DigestOutcome> outcomes;
  for (const auto& list : lists) {
    auto sent = send_digest_if_due(store, archive, list, trigger, now);
    if (!sent) {
      // One list's broken archive must not keep the other lists' digests back.
      log::error("digest.failed", {{"list", list.address()}, {"error", sent.error().describe()}});
      DigestOutcome failed;
      failed.list = list.address();
      failed.reason = "failed: " + sent.error().describe();
      outcomes.push_back(std::move(failed));
      continue;
    }
    outcomes.insert(outcomes.end(), sent->begin(), sent->end());
  }
  return outcomes;
}

}  // namespace cqlist::list
