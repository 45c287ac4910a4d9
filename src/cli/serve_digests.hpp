// cli/serve_digests.hpp: the daemon's minute timer: digests, held posts, stranded posts.
//
// Once a minute (and once at start) queues every list's due digest (list/digest.hpp), then
// discards expired held posts and queues the moderators' daily reminders
// (list/held_upkeep.hpp), then finishes posts left in the spool after their 250 because their
// processing failed (ListService::recover); the delivery workers, which `on_queued` wakes, send
// what was queued.
// Digest size thresholds are also checked after each post, in list::ListService, so this only
// has to catch intervals.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "cli/runtime.hpp"
#include "list/service.hpp"

namespace cqlist::cli {

class DigestTimer {
 public:
  DigestTimer(Runtime& runtime, list::ListService& service, std::function<void()> on_queued);

  ~DigestTimer() { stop(); }

  DigestTimer(const DigestTimer&) = delete;
  DigestTimer& operator=(const DigestTimer&) = delete;

  void stop();

 private:
  void loop();

  Runtime& runtime_;
  list::ListService& service_;
  std::function<void()> on_queued_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cqlist::cli
