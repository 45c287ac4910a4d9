// cli/serve_bounces.cpp: the daemon's bounce thread (see serve_bounces.hpp).
#include "cli/serve_bounces.hpp"

#include <chrono>

#include "base/log.hpp"

namespace cqlist::cli {
namespace {

// The timers' resolution: probe intervals and alert periods are days, so a minute is plenty.
constexpr auto kTimerTick = std::chrono::seconds(60);

}  // namespace

BounceWorker::BounceWorker(Runtime& runtime, std::function<void()> on_outbox)
    : runtime_(runtime),
      processor_(bounce::ProcessorDeps{*runtime.store, *runtime.outbox, *runtime.tokens}),
      on_outbox_(std::move(on_outbox)) {
  thread_ = std::thread([this] { loop(); });
}

void BounceWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

void BounceWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void BounceWorker::loop() {
  // The first round runs at once (woken_ starts true): bounces a restart left in the spool,
  // and due timers.
  auto next_timers = std::chrono::steady_clock::now();
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wakeup_.wait_until(lock, next_timers, [&] { return woken_ || stopping_; });
      if (stopping_) {
        return;
      }
      woken_ = false;
    }
    run_once();
    if (std::chrono::steady_clock::now() >= next_timers) {
      if (auto ran = processor_.run_timers(std::chrono::system_clock::now()); !ran) {
        log::error("bounce.timers_failed", {{"error", ran.error().describe()}});
      }
      next_timers = std::chrono::steady_clock::now() + kTimerTick;
    }
    on_outbox_();
  }
}

void BounceWorker::run_once() {
  auto handled = processor_.process_spool(*runtime_.spool, std::chrono::system_clock::now());
  if (!handled) {
    log::error("bounce.spool_failed", {{"error", handled.error().describe()}});
  }
}

}  // namespace cqlist::cli
