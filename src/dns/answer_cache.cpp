// dns/answer_cache.cpp: answers kept in process memory for their TTL.
#include "dns/answer_cache.hpp"

#include <mutex>
#include <utility>

namespace cqlist::dns {
namespace {

// The type number first keeps keys unambiguous whatever bytes the name holds.
std::string cache_key(std::string_view name, RecordType type) {
  return std::to_string(static_cast<unsigned>(type)) + "/" + normalize_name(name);
}

}  // namespace

AnswerCache::AnswerCache(std::size_t capacity, std::chrono::seconds negative_ttl_fallback,
                         std::function<Clock::time_point()> now)
    : capacity_(capacity), negative_ttl_fallback_(negative_ttl_fallback), now_(std::move(now)) {}

std::optional<Answer> AnswerCache::find(std::string_view name, RecordType type) {
  const std::string key = cache_key(name, type);
  const Clock::time_point now = now_();
  {
    std::shared_lock lock(mutex_);
    auto found = entries_.find(key);
    if (found != entries_.end() && now < found->second.expires) {
      Answer answer = found->second.answer;
      answer.ttl = static_cast<std::uint32_t>(
          std::chrono::ceil<std::chrono::seconds>(found->second.expires - now).count());
      hits_.fetch_add(1, std::memory_order_relaxed);
      return answer;
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

void AnswerCache::store(std::string_view name, RecordType type, const Answer& answer) {
  std::chrono::seconds ttl(answer.ttl);
  switch (answer.status) {
    case Status::answer:
      break;
    case Status::nxdomain:
    case Status::nodata:
      if (ttl.count() == 0) {
        ttl = negative_ttl_fallback_;
      }
      break;
    case Status::servfail:
    case Status::timeout:
      return;
  }
  if (ttl.count() == 0 || capacity_ == 0) {
    return;
  }
  std::string key = cache_key(name, type);
  const Clock::time_point expires = now_() + ttl;
  std::unique_lock lock(mutex_);
  if (auto found = entries_.find(key); found != entries_.end()) {
    // Asked again after it expired (or by two threads at once): the newer answer wins.
    oldest_first_.erase(found->second.age);
    entries_.erase(found);
  }
  while (entries_.size() >= capacity_) {
    entries_.erase(oldest_first_.front());
    oldest_first_.pop_front();
  }
  oldest_first_.push_back(key);
  entries_.emplace(std::move(key), Entry{answer, expires, std::prev(oldest_first_.end())});
}

AnswerCache::Stats AnswerCache::stats() const {
  Stats out;
  out.hits = hits_.load(std::memory_order_relaxed);
  out.misses = misses_.load(std::memory_order_relaxed);
  std::shared_lock lock(mutex_);
  out.entries = entries_.size();
  return out;
}

}  // namespace cqlist::dns
