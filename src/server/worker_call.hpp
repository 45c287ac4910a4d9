// server/worker_call.hpp: running a blocking handler call on the worker pool from a session.
//
// Handlers write the spool with fsync, query the store and DNS; a session coroutine awaits
// them here, so the event loop keeps serving other connections in the meantime.
#pragma once

#include <exception>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cqlist::server {

// Runs `call` on a thread of `workers`; the awaiting coroutine resumes on its own executor
// (its strand) with the result. An exception from `call` is rethrown in the coroutine.
//
// g++ 12 destroys a by-value argument of a call inside a co_await expression twice (the
// frame keeps a bitwise copy), so `call` is taken by reference: pass a named lambda.
template <class Call>
boost::asio::awaitable<std::invoke_result_t<std::decay_t<Call>&>> call_on_workers(
    boost::asio::thread_pool& workers, Call&& call) {
  using Work = std::decay_t<Call>;
  using Result = std::invoke_result_t<Work&>;
  static_assert(std::is_default_constructible_v<Result>);
  auto initiation = [&workers](auto handler, Work work) {
    // The work guard keeps the session's io_context running while the call is away.
    auto resume_on = boost::asio::get_associated_executor(handler);
    boost::asio::post(workers, [handler = std::move(handler), work = std::move(work),
                                guard = boost::asio::make_work_guard(resume_on)]() mutable {
      std::exception_ptr error;
      Result result{};
      try {
        result = work();
      } catch (...) {
        error = std::current_exception();
      }
      auto executor = guard.get_executor();
      boost::asio::dispatch(
          executor, [handler = std::move(handler), error, result = std::move(result)]() mutable {
            std::move(handler)(error, std::move(result));
          });
    });
  };
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                     void(std::exception_ptr, Result)>(
      std::move(initiation), boost::asio::use_awaitable, std::forward<Call>(call));
}

}  // namespace cqlist::server
