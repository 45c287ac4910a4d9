// server/testing/server_fixture.cpp: the handler gate and the event loop thread.
#include "server/testing/server_fixture.hpp"

namespace cqlist::server::testing {

void HandlerGate::hold() {
  std::lock_guard lock(mutex_);
  held_ = true;
}

void HandlerGate::release() {
  std::lock_guard lock(mutex_);
  held_ = false;
  changed_.notify_all();
}

void HandlerGate::pass() {
  std::unique_lock lock(mutex_);
  reached_ = true;
  changed_.notify_all();
  changed_.wait(lock, [&] { return !held_; });
}

bool HandlerGate::wait_until_reached(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return reached_; });
}

void EventLoopThread::start() {
  thread_ = std::thread([this] {
    io_.run();
    finished_.set_value();
  });
}

bool EventLoopThread::finishes_within(std::chrono::milliseconds timeout) {
  return finished_.get_future().wait_for(timeout) == std::future_status::ready;
}

void EventLoopThread::stop() {
  io_.stop();
  if (thread_.joinable()) {
    thread_.join();
  }
}

}  // namespace cqlist::server::testing
