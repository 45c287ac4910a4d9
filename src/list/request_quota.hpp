// list/request_quota.hpp: how many archive articles each address got by mail today.
//
// Owns: the per-requester daily count behind the `get` command's limit (the setting
// get_daily_limit), kept in small files QUOTA_DIR/LIST@DOMAIN/YYYY-MM-DD ("COUNT ADDRESS"
// lines, UTC days) written durably, so a restart does not hand out a fresh allowance. A
// day's file has one line per address that asked that day; yesterday's files are removed
// when today's is first written. The count is of articles sent, not of commands: one
// "get 1-100" costs as much as a hundred "get N". Requests are counted under a mutex, so the
// daemon's LMTP workers may ask concurrently; `cqlist inject` to a -request address in
// parallel with the daemon could lose an update (the allowance is a brake on abuse, not an
// account balance).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string_view>

#include "base/result.hpp"
#include "store/store.hpp"

namespace cqlist::list {

class RequestQuota {
 public:
  explicit RequestQuota(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // Counts up to `wanted` more articles for `requester` of `list` on the UTC day of `now`,
  // as many as `daily_limit` still allows, and returns how many it counted (0..wanted). The
  // count is on disk before this returns.
  Result<std::size_t> take(const store::ListRow& list, std::string_view requester,
                           std::size_t wanted, std::size_t daily_limit,
                           std::chrono::system_clock::time_point now);

 private:
  std::filesystem::path dir_;
  std::mutex mutex_;
};

}  // namespace cqlist::list
