// server/testing/server_fixture.hpp: what the LMTP and policy server tests share: a switch
// that holds a fake handler on its worker, and the thread that runs the event loop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>

namespace cqlist::server::testing {

// While held, a handler that passes through blocks there, so a test can watch what the server
// does meanwhile (other sessions served, stop() waiting for the answer).
class HandlerGate {
 public:
  void hold();
  void release();
  // In the handler: records that a call got here, then waits while held.
  void pass();
  // True once a call has reached pass(), false after `timeout`.
  bool wait_until_reached(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  bool reached_ = false;
};

// Runs `io` on a thread of its own. No work guard: the loop ends by itself once the server
// under test has stopped and its last session is gone, which stop tests check.
class EventLoopThread {
 public:
  explicit EventLoopThread(boost::asio::io_context& io) : io_(io) {}

  ~EventLoopThread() { stop(); }

  void start();
  // True when the loop ran out of work within `timeout`.
  bool finishes_within(std::chrono::milliseconds timeout);
  // Stops the loop and joins the thread.
  void stop();

 private:
  boost::asio::io_context& io_;
  std::thread thread_;
  std::promise<void> finished_;
};

}  // namespace cqlist::server::testing
