// list/delivery_journal.hpp: what the MTA has accepted, written the instant it said so.
//
// Owns: closing the gap between Postfix's "250" and the store's record of it. A store commit
// (with fsync) takes milliseconds; a crash inside that gap would send the batch again after a
// restart. The journal is one append-only file: right after each accepted transaction cqlist
// appends "JOB<TAB>RECIPIENT" (or "JOB<TAB>*" for a whole job) with a single write(2), which
// survives the process being killed at any later instant (the bytes are in the kernel). On
// start, replay() marks journaled jobs done in the store and keeps the recipients of jobs that
// were cut short, so delivery skips them. A power failure can still lose the last lines (no
// fsync per line: it would cost what the journal saves); then a batch may go out twice.
//
// Outbox entries (replies and notices, list/delivery.hpp) use the same file, named by their
// spool id ("out-..."), which never looks like a job's number: "ID<TAB>RECIPIENT" for each
// recipient the MTA took, "ID<TAB>*" once the entry is gone from the outbox.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "store/store.hpp"

namespace cqlist::list {

class DeliveryJournal {
 public:
  // An empty path turns the journal off (unit tests of other parts).
  explicit DeliveryJournal(std::filesystem::path path) : path_(std::move(path)) {}

  ~DeliveryJournal();
  DeliveryJournal(const DeliveryJournal&) = delete;
  DeliveryJournal& operator=(const DeliveryJournal&) = delete;

  // Reads the file, marks whole jobs done in `store`, keeps partial ones, rewrites the file
  // with what is still needed. Lines of an outbox entry are kept while
  // `outbox_entry_exists(id)` says the entry is still there (a crash can come between removing
  // an entry and journaling that it is gone); without the predicate, until the entry's "*".
  // Safe to call more than once.
  Result<void> replay(store::Store& store,
                      const std::function<bool(std::string_view)>& outbox_entry_exists = {});

  Result<void> record_job(store::Id job_id);
  Result<void> record_recipient(store::Id job_id, std::string_view recipient);

  // Recipients of `job_id` that need no other copy: those the journal holds from before a
  // restart and those recorded since, so a job deferred part-way resumes where it stopped.
  std::set<std::string> accepted(store::Id job_id);

  // The same for an outbox entry: a recipient the MTA took, the recipients taken so far, and
  // the entry gone from the outbox (its lines are then dropped).
  Result<void> record_outbox_recipient(std::string_view outbox_id, std::string_view recipient);
  std::set<std::string> outbox_accepted(std::string_view outbox_id);
  Result<void> record_outbox_removed(std::string_view outbox_id);

 private:
  Result<void> append(const std::string& line);
  Result<void> record_whole(const std::string& key);
  Result<void> record_part(const std::string& key, std::string_view recipient);
  std::set<std::string> accepted_for(const std::string& key);

  std::filesystem::path path_;
  std::shared_mutex mutex_;  // exclusive to open, close or replace the file; shared to append
  int fd_ = -1;
  std::mutex partial_mutex_;  // apart from mutex_, so appends still share theirs
  // By job number or outbox entry id.
  std::map<std::string, std::set<std::string>, std::less<>> partial_;
};

}  // namespace cqlist::list
