// cli/serve_digests.cpp: the daemon's minute timer (see serve_digests.hpp).
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

// A post whose processing is still running in its LMTP session is younger than this.
constexpr auto kStrandedAfter = std::chrono::minutes(2);

bool finish_stranded_posts(list::ListService& service) {
  auto finished = service.recover(kStrandedAfter);
  if (!finished) {
    log::error("post.recover_failed", {{"error", finished.error().describe()}});
    return false;
  }
  if (*finished > 0) {
    log::info("serve.recovered", {{"posts", std::to_string(*finished)}});
  }
  return *finished > 0;
}

}  // namespace

DigestTimer::DigestTimer(Runtime& runtime, list::ListService& service,
                         std::function<void()> on_queued)
    : runtime_(runtime), service_(service), on_queued_(std::move(on_queued)) {
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
    queued = finish_stranded_posts(service_) || queued;
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
