// cli/serve_digests.cpp: the daemon's digest and held-post timer (see serve_digests.hpp).
#include "cli/serve_digests.hpp"

#include <chrono>

#include "base/log.hpp"
#include "list/commands.hpp"
#include "list/digest.hpp"
#include "list/held_upkeep.hpp"

namespace cqlist::cli {
namespace {

// Digest intervals are hours at least, and held posts expire after days: a minute late is
// nothing.
constexpr auto kTick = std::chrono::seconds(60);

// True when something was queued for the outbox.
bool upkeep_held(Runtime& runtime) {
  list::CommandDeps deps{*runtime.store, *runtime.outbox, *runtime.spool, *runtime.tokens,
                         runtime.archive.get()};
  auto report = list::upkeep_held(deps, list::held_reminder_dir(runtime.config.data_dir),
                                  std::nullopt, std::chrono::system_clock::now());
  if (!report) {
    log::error("held.timer_failed", {{"error", report.error().describe()}});
    return false;
  }
  // Each list's problems are logged by upkeep_held itself.
  return !report->reminders.empty();
}

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
    bool queued = false;
    auto outcomes =
        list::send_due_digests(*runtime_.store, *runtime_.archive, std::nullopt,
                               list::DigestTrigger::due, std::chrono::system_clock::now());
    if (!outcomes) {
      log::error("digest.timer_failed", {{"error", outcomes.error().describe()}});
    } else {
      for (const auto& outcome : *outcomes) {
        queued = queued || outcome.sent;
      }
    }
    queued = upkeep_held(runtime_) || queued;
    if (queued) {
      on_queued_();
    }
    std::unique_lock lock(mutex_);
    if (wakeup_.wait_for(lock, kTick, [&] { return stopping_; })) {
      return;
    }
  }
}

}  // namespace cqlist::cli
