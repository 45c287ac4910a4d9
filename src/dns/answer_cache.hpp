// dns/answer_cache.hpp: answers kept in process memory for their TTL.
//
// Owns: the cache UnboundResolver puts in front of libunbound. libunbound caches too, but
// every lookup through it, cached or not, crosses its worker thread and a pipe (about 100 µs);
// SPF makes a dozen lookups per check, mostly for the same few big providers' records. A hit
// here is a hash lookup and a copy.
//
// Rules: keyed by (normalized name, type). Answers live for their TTL; NXDOMAIN and NODATA
// for the negative TTL the resolver reported (RFC 2308), or `negative_ttl_fallback` when it
// reported none. SERVFAIL (bogus included) and timeouts are never kept: the next query asks
// again. Status, records, Security, canonical_name and problem are returned as stored; ttl is
// what is left of it. When full, the oldest entry goes (expired ones are overwritten when
// their name is asked again, or age out the same way).
//
// Thread-safe: lookups share a lock, stores take it alone.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dns/resolver.hpp"

namespace cqlist::dns {

class AnswerCache {
 public:
  using Clock = std::chrono::steady_clock;

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;  // lookups that found nothing live (the caller then asks DNS)
    std::size_t entries = 0;
  };

  // `now` is for tests that move time by hand.
  explicit AnswerCache(std::size_t capacity,
                       std::chrono::seconds negative_ttl_fallback = std::chrono::seconds(60),
                       std::function<Clock::time_point()> now = Clock::now);

  std::optional<Answer> find(std::string_view name, RecordType type);
  void store(std::string_view name, RecordType type, const Answer& answer);

  Stats stats() const;

 private:
  struct Entry {
    Answer answer;
    Clock::time_point expires;
    std::list<std::string>::iterator age;  // position in oldest_first_
  };

  std::size_t capacity_;
  std::chrono::seconds negative_ttl_fallback_;
  std::function<Clock::time_point()> now_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> oldest_first_;  // keys in the order they were stored
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
};

}  // namespace cqlist::dns
