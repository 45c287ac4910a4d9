// auth/spf/record_cache.hpp: each distinct SPF record text parsed once per process.
//
// Owns: a bounded, thread-safe map from record text to its parsed Record. Parsing was the
// largest part of an evaluation, and a receiver meets the same few hundred records (the big
// providers' includes) over and over; the text is the key, so a changed record is simply a new
// entry. Records are immutable once parsed and shared by pointer. Texts that do not parse are
// not kept (they are rare, and the error is rebuilt each time). When the limits are reached the
// cache starts over: the hot records come back at once.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/spf/record.hpp"
#include "base/result.hpp"

namespace cqlist::auth::spf {

class RecordCache {
 public:
  explicit RecordCache(std::size_t max_records = 2048, std::size_t max_text_bytes = 1 << 20);

  // parse_record(text), from the cache when this text was parsed before.
  Result<std::shared_ptr<const Record>> parse(std::string_view text);

  std::size_t size() const;

  // The one check_host() uses.
  static RecordCache& shared();

 private:
  struct TextHash {
    using is_transparent = void;

    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  std::size_t max_records_;
  std::size_t max_text_bytes_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Record>, TextHash, std::equal_to<>>
      records_;
  std::size_t text_bytes_ = 0;
};

}  // namespace cqlist::auth::spf
