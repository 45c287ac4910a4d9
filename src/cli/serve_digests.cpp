// cli/serve_digests.cpp: the daemon's digest timer (see serve_digests.hpp).
#include "cli/serve_digests.hpp"

#include <chrono>

#include "base/log.hpp"
#include "list/digest.hpp"

namespace cqlist::cli {
namespace {

// Digest intervals are hours at least, so a minute late is nothing.
constexpr auto kTick = std::chrono::seconds(60);

}  // namespace

DigestTimer::DigestTimer(Runtime& runtime, std::function<void()> on_queued)
    : runtime_(runtime), on_queued_(std::move(on_queued)) {
  thread_ = std::thread([this] { loop(); });
}

void DigestTimer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void DigestTimer::loop() {
  while (true) {
    auto outcomes =
        list::send_due_digests(*runtime_.store, *runtime_.archive, std::nullopt,
                               list::DigestTrigger::due, std::chrono::system_clock::now());
    if (!outcomes) {
      log::error("digest.timer_failed", {{"error", outcomes.error().describe()}});
    } else {
      for (const auto& outcome : *outcomes) {
        if (outcome.sent) {
          on_queued_();
          break;
        }
      }
    }
    std::unique_lock lock(mutex_);
    if (wakeup_.wait_for(lock, kTick, [&] { return stopping_; })) {
      return;
    }
  }
}

}  // namespace cqlist::cli
