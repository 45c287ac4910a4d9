// list/fml/spool.hpp: fml's articles: seq, spool/N and the Message-ID cache.
//
// Owns: finding every article file (fml4's plain spool/N, fml8's spool/N or spool/N/1000
// subdirectories), checking them against seq (the number of the last article), and reading
// what the archive index needs from each (Message-ID, author, decoded subject, date) without
// changing a byte of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "store/store.hpp"

namespace cqlist::list::fml {

struct SpoolArticle {
  std::int64_t number = 0;
  std::filesystem::path file;
  std::uintmax_t bytes = 0;
  std::string message_id;  // without angle brackets
  std::string from;        // the author's address
  std::string subject;     // decoded to UTF-8, as stored (with fml's tag)
  store::Clock::time_point date;
};

struct Spool {
  std::int64_t seq = 0;                // the seq file; 0 when it is empty or missing
  std::vector<SpoolArticle> articles;  // ascending
  std::int64_t last_article = 0;       // max(seq, highest article)
  std::vector<std::string> warnings;
};

// Errc::bad_syntax naming the file for a seq that is not a number, and naming the missing
// file for a gap between the first and the last article (fml deletes old articles only from
// the start, so a gap means files were lost or the directory is not the list's).
Result<Spool> read_spool(const std::filesystem::path& list_dir);

// Message-IDs of fml's loop cache files: "id # pid=N" per line, ids without brackets.
std::vector<std::string> read_message_id_cache(std::string_view text);

}  // namespace cqlist::list::fml
