// cli/serve_bounces.hpp: the daemon's bounce thread.
//
// Runs bounce::BounceProcessor off the LMTP path: at start (bounces a restart left in the
// spool), whenever the LMTP handler has taken mail (wake()), and every minute for the timers
// (test messages to paused members, re-enabling, removals, the owners' summaries). What it
// queues in the outbox is sent by the delivery workers, which `on_outbox` wakes.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "bounce/processor.hpp"
#include "cli/runtime.hpp"

namespace cqlist::cli {

class BounceWorker {
 public:
  BounceWorker(Runtime& runtime, std::function<void()> on_outbox);

  ~BounceWorker() { stop(); }

  BounceWorker(const BounceWorker&) = delete;
  BounceWorker& operator=(const BounceWorker&) = delete;

  void wake();
  void stop();

 private:
  void loop();
  void run_once();

  Runtime& runtime_;
  bounce::BounceProcessor processor_;
  std::function<void()> on_outbox_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool woken_ = true;  // the first round runs at once
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cqlist::cli
