// list/spool.hpp: posts on disk between the LMTP 250 and their archive file.
//
// Owns: the incoming spool directory. A post the checks accepted is written here (tmp file,
// fsync, rename, directory fsync) before the LMTP reply says 250, together with its envelope
// and the checks' authentication results, so that a restart can finish it without checking
// it again (the Message-ID cache would call it a duplicate of itself). Held posts stay in the
// spool until a moderator decides. Entries are removed only after their delivery jobs are
// recorded in the store.
//
// An entry that can never be processed (its list was deleted, its file is damaged) is set
// aside under the kind "failed" rather than retried for ever or deleted: the operator sees it
// in `cqlist queue` and can send it back once the cause is fixed.
//
// File format: "cqlist-spool 1\n", then "key=value\n" lines (values escaped: \n \\), an empty
// line, then the message bytes exactly as received.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace cqlist::list {

struct SpoolEntry {
  std::string id;                               // the file name, unique, sortable by arrival
  std::map<std::string, std::string> envelope;  // list, mail_from, recipient, client_ip, ...
  std::string message;

  // The list the entry was spooled for. Errc::bad_syntax when its envelope names none (a
  // damaged file), never an exception.
  Result<std::int64_t> list_id() const;
};

class Spool {
 public:
  // Creates the directory when missing.
  static Result<Spool> open(const std::filesystem::path& directory);

  // Writes the entry durably and returns its id.
  Result<std::string> add(const std::map<std::string, std::string>& envelope,
                          std::string_view message, std::string_view kind = "post");
  Result<SpoolEntry> load(std::string_view id) const;
  // Writes `entry` durably over the entry of its id, which keeps its place in the order (an
  // outbox entry left with the recipients still to be tried). A crash leaves the old entry or
  // the new one, never a mix.
  Result<void> replace(const SpoolEntry& entry);
  Result<void> remove(std::string_view id);
  // Ids of entries of `kind`, oldest first (recovery after a restart).
  Result<std::vector<std::string>> ids(std::string_view kind = "post") const;
  std::filesystem::path path(std::string_view id) const;

  // Moves `id` to "failed-<id>" with `reason` and the time in its envelope (a damaged file is
  // moved as it is). Returns the new id.
  Result<std::string> set_aside(std::string_view id, std::string_view reason);
  // Why a set-aside entry was set aside (for a damaged file: why it cannot be read).
  std::string set_aside_reason(std::string_view failed_id) const;
  // Undoes set_aside(): the entry gets its old id back, to be processed again.
  Result<std::string> restore(std::string_view failed_id);

 private:
  explicit Spool(std::filesystem::path directory) : directory_(std::move(directory)) {}

  std::filesystem::path directory_;
};

}  // namespace cqlist::list
