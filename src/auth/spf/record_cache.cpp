// auth/spf/record_cache.cpp: each distinct SPF record text parsed once per process.
#include "auth/spf/record_cache.hpp"

#include <mutex>
#include <utility>

namespace cqlist::auth::spf {

RecordCache::RecordCache(std::size_t max_records, std::size_t max_text_bytes)
    : max_records_(max_records), max_text_bytes_(max_text_bytes) {}

Result<std::shared_ptr<const Record>> RecordCache::parse(std::string_view text) {
  {
    std::shared_lock lock(mutex_);
    if (auto found = records_.find(text); found != records_.end()) {
      return found->second;
    }
  }
  CQLIST_TRY(Record parsed, parse_record(text));
  auto record = std::make_shared<const Record>(std::move(parsed));
  if (text.size() > max_text_bytes_ || max_records_ == 0) {
    return record;
  }
  std::unique_lock lock(mutex_);
  if (records_.size() >= max_records_ || text_bytes_ + text.size() > max_text_bytes_) {
    records_.clear();
    text_bytes_ = 0;
  }
  // Another thread may have stored the same text meanwhile; either copy will do.
  if (records_.emplace(std::string(text), record).second) {
    text_bytes_ += text.size();
  }
  return record;
}

std::size_t RecordCache::size() const {
  std::shared_lock lock(mutex_);
  return records_.size();
}

RecordCache& RecordCache::shared() {
  static RecordCache cache;
  return cache;
}

}  // namespace cqlist::auth::spf
