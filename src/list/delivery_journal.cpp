// list/delivery_journal.cpp: an O_APPEND file of accepted transactions, replayed on start.
#include "list/delivery_journal.hpp"

#include <cerrno>
#include <cstring>
#include <mutex>
#include <shared_mutex>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/log.hpp"

namespace cqlist::list {
namespace {

Error journal_error(std::string_view what, const std::filesystem::path& path) {
  return Error(Errc::io, fmt::format("cannot {} the delivery journal {}: {}", what, path.string(),
                                     std::strerror(errno)));
}

// One write(2) of a short line to an O_APPEND file: never interleaved with another thread's or
// process's line, and in the kernel (crash-proof for the process) when it returns.
Result<void> write_line(int fd, const std::string& line, const std::filesystem::path& path) {
  auto written = ::write(fd, line.data(), line.size());
  if (written != static_cast<ssize_t>(line.size())) {
    return fail(journal_error("append to", path));
  }
  return {};
}

// Jobs are numbers; outbox entries are named by their spool id, which starts with a letter.
bool is_outbox_key(std::string_view key) {
  return !key.empty() && (key.front() < '0' || key.front() > '9');
}

}  // namespace

DeliveryJournal::~DeliveryJournal() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

Result<void> DeliveryJournal::append(const std::string& line) {
  if (path_.empty()) {
    return {};
  }
  {
    // Every accepted copy is appended here, from every delivery worker: holding an exclusive
    // lock across the write made the workers queue on it (a futex wait per copy).
    std::shared_lock shared(mutex_);
    if (fd_ >= 0) {
      return write_line(fd_, line, path_);
    }
  }
  std::unique_lock exclusive(mutex_);
  if (fd_ < 0) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0) {
      return fail(journal_error("open", path_));
    }
  }
  return write_line(fd_, line, path_);
}

Result<void> DeliveryJournal::record_whole(const std::string& key) {
  CQLIST_TRY_VOID(append(fmt::format("{}\t*\n", key)));
  std::lock_guard lock(partial_mutex_);
  partial_.erase(key);
  return {};
}

Result<void> DeliveryJournal::record_part(const std::string& key, std::string_view recipient) {
  CQLIST_TRY_VOID(append(fmt::format("{}\t{}\n", key, recipient)));
  std::lock_guard lock(partial_mutex_);
  partial_[key].emplace(recipient);
  return {};
}

std::set<std::string> DeliveryJournal::accepted_for(const std::string& key) {
  std::lock_guard lock(partial_mutex_);
  auto found = partial_.find(key);
  return found == partial_.end() ? std::set<std::string>{} : found->second;
}

Result<void> DeliveryJournal::record_job(store::Id job_id) {
  return record_whole(std::to_string(job_id));
}

Result<void> DeliveryJournal::record_recipient(store::Id job_id, std::string_view recipient) {
  return record_part(std::to_string(job_id), recipient);
}

std::set<std::string> DeliveryJournal::accepted(store::Id job_id) {
  return accepted_for(std::to_string(job_id));
}

Result<void> DeliveryJournal::record_outbox_recipient(std::string_view outbox_id,
                                                      std::string_view recipient) {
  return record_part(std::string(outbox_id), recipient);
}

std::set<std::string> DeliveryJournal::outbox_accepted(std::string_view outbox_id) {
  return accepted_for(std::string(outbox_id));
}

Result<void> DeliveryJournal::record_outbox_removed(std::string_view outbox_id) {
  return record_whole(std::string(outbox_id));
}

Result<void> DeliveryJournal::replay(
    store::Store& store, const std::function<bool(std::string_view)>& outbox_entry_exists) {
  std::unique_lock lock(mutex_);
  if (path_.empty() || !std::filesystem::exists(path_)) {
    return {};
  }
  int lock_fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock_fd < 0) {
    return fail(journal_error("open", path_));
  }
  // Another cqlist process replaying at the same moment waits here.
  ::flock(lock_fd, LOCK_EX);
  auto text = read_file(path_);
  if (!text) {
    ::close(lock_fd);
    return fail(std::move(text.error()));
  }
  std::set<std::string> whole;
  std::map<std::string, std::set<std::string>, std::less<>> partial;
  std::string_view rest = *text;
  while (!rest.empty()) {
    auto end = rest.find('\n');
    if (end == std::string_view::npos) {
      break;  // a line cut by a crash mid-write was never acknowledged as written
    }
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    auto tab = line.find('\t');
    if (tab == std::string_view::npos) {
      continue;
    }
    std::string key(line.substr(0, tab));
    std::string_view what = line.substr(tab + 1);
    if (what == "*") {
      whole.insert(std::move(key));
    } else {
      partial[key].insert(std::string(what));
    }
  }
  for (const std::string& key : whole) {
    partial.erase(key);
    if (is_outbox_key(key)) {
      continue;  // the entry is gone: nothing to mark
    }
    auto done = store.mark_job_done(std::strtoll(key.c_str(), nullptr, 10));
    if (!done && done.error().code() != Errc::not_found) {
      ::close(lock_fd);
      return fail(std::move(done.error()));
    }
  }
  if (outbox_entry_exists) {
    std::erase_if(partial, [&](const auto& item) {
      return is_outbox_key(item.first) && !outbox_entry_exists(item.first);
    });
  }
  std::string kept;
  for (const auto& [key, recipients] : partial) {
    for (const auto& recipient : recipients) {
      kept += fmt::format("{}\t{}\n", key, recipient);
    }
  }
  auto rewritten = write_file_durably(path_, kept, Overwrite::allow, 0640);
  ::close(lock_fd);
  if (!rewritten) {
    return fail(std::move(rewritten.error()));
  }
  if (fd_ >= 0) {
    ::close(fd_);  // the old file was replaced; the next append opens the new one
    fd_ = -1;
  }
  if (!whole.empty() || !partial.empty()) {
    log::info("delivery.journal_replayed", {{"jobs_done", std::to_string(whole.size())},
                                            {"jobs_partial", std::to_string(partial.size())}});
  }
  std::lock_guard partial_lock(partial_mutex_);
  partial_ = std::move(partial);
  return {};
}

}  // namespace cqlist::list
