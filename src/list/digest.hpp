// list/digest.hpp: digests for members whose delivery mode is digest (Mailman's and fml's).
//
// Owns: when a list's digest is due (its interval has passed since the last one, or the posts
// waiting reached digest_max_articles or digest_max_bytes), building it (one message From and
// To the list: a plain-text table of contents, then each article as a message/rfc822 part of a
// multipart/digest, RFC 2046 §5.1.5, rendered by list/notices), and queueing it. The digest file
// lives beside the archive (ARCHIVE/LIST@DOMAIN/digest/00003.eml); its delivery jobs carry
// article = -issue, and list/delivery signs and sends them exactly as it does posts.
//
// The store moves the list's digest marker in the same transaction that records the jobs, and
// one lock file per list keeps the daemon and `cqlist digest send` from building the same
// issue at once: a crash never sends a digest twice nor skips an article.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "list/archive.hpp"
#include "list/settings.hpp"
#include "store/store.hpp"

namespace cqlist::list {

// What is waiting for the next digest of a list.
struct DigestBacklog {
  std::size_t articles = 0;
  std::size_t bytes = 0;
  // The oldest waiting article's arrival: a list's first digest counts its interval from it.
  std::chrono::system_clock::time_point oldest;
};

enum class DigestTrigger {
  due,        // the interval has passed, or a size threshold is reached (the daemon's timer)
  size_only,  // only a size threshold (after each post)
  force,      // whatever is waiting (`cqlist digest send --force`)
};

// Why the digest is due now ("interval", "articles", "bytes", "forced"); std::nullopt: not
// due. Nothing waiting is never due.
std::optional<std::string> digest_due(const ListSettings& settings, const store::DigestState& state,
                                      const DigestBacklog& backlog, DigestTrigger trigger,
                                      std::chrono::system_clock::time_point now);

struct DigestArticle {
  store::PostRow post;
  std::string bytes;  // the archived article
};

// The digest's bytes (CRLF): subject "NAME digest, issue N (articles A-B)", the table of
// contents first, then the articles in order as message/rfc822 parts of multipart/digest.
Result<std::string> build_digest(const store::ListRow& list, const ListSettings& settings,
                                 std::int64_t issue, const std::vector<DigestArticle>& articles,
                                 std::chrono::system_clock::time_point now);

std::filesystem::path digest_path(const Archive& archive, const store::ListRow& list,
                                  std::int64_t issue);
Result<std::string> read_digest(const Archive& archive, const store::ListRow& list,
                                std::int64_t issue);

struct DigestOutcome {
  std::string list;  // address
  bool sent = false;
  std::string reason;  // why it was (or was not) sent: "interval", "nothing new", ...
  std::int64_t issue = 0;
  std::int64_t first_article = 0;
  std::int64_t last_article = 0;
  std::size_t recipients = 0;
};

// Builds and queues the list's next digest when `trigger` says it is due; repeats while more
// is due (a backlog larger than one digest holds).
Result<std::vector<DigestOutcome>> send_digest_if_due(store::Store& store, const Archive& archive,
                                                      const store::ListRow& list,
                                                      DigestTrigger trigger,
                                                      std::chrono::system_clock::time_point now);

// Every list's (or one list's) due digests.
Result<std::vector<DigestOutcome>> send_due_digests(store::Store& store, const Archive& archive,
                                                    std::optional<store::Id> list_id,
                                                    DigestTrigger trigger,
                                                    std::chrono::system_clock::time_point now);

}  // namespace cqlist::list
