// list/request_quota.cpp: the per-day count files of archive requests.
#include "list/request_quota.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace cqlist::list {
namespace {

std::string utc_day(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{:04d}-{:02d}-{:02d}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday);
}

// "COUNT ADDRESS" lines; a line that does not read so (a torn copy from an editor) is skipped.
std::map<std::string, std::size_t> parse_counts(std::string_view text) {
  std::map<std::string, std::size_t> counts;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos || space + 1 == line.size()) {
      continue;
    }
    std::size_t count = 0;
    auto [stop, error] = std::from_chars(line.data(), line.data() + space, count);
    if (error == std::errc() && stop == line.data() + space) {
      counts[std::string(line.substr(space + 1))] = count;
    }
  }
  return counts;
}

std::string format_counts(const std::map<std::string, std::size_t>& counts) {
  std::string out;
  for (const auto& [address, count] : counts) {
    out += fmt::format("{} {}\n", count, address);
  }
  return out;
}

// Files of other days are of no use once a new day has started.
void remove_other_days(const std::filesystem::path& list_dir, const std::string& today) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(list_dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name != today && name.size() == today.size() && name[4] == '-') {
      std::filesystem::remove(entry.path(), error);
    }
  }
}

}  // namespace

Result<std::size_t> RequestQuota::take(const store::ListRow& list, std::string_view requester,
                                       std::size_t wanted, std::size_t daily_limit,
                                       std::chrono::system_clock::time_point now) {
  if (wanted == 0) {
    return std::size_t{0};
  }
  const std::string day = utc_day(now);
  const std::filesystem::path list_dir = dir_ / to_ascii_lower(list.address());
  const std::filesystem::path file = list_dir / day;
  const std::string address = to_ascii_lower(requester);

  std::lock_guard lock(mutex_);
  std::map<std::string, std::size_t> counts;
  std::error_code error;
  if (std::filesystem::exists(file, error)) {
    CQLIST_TRY(std::string text, read_file(file));
    counts = parse_counts(text);
  } else {
    std::filesystem::create_directories(list_dir, error);
    if (error) {
      return fail(Errc::io, fmt::format("cannot create {} for the get command's daily count: {}",
                                        list_dir.string(), error.message()));
    }
    remove_other_days(list_dir, day);
  }
  std::size_t& used = counts[address];
  const std::size_t granted = std::min(wanted, daily_limit - std::min(used, daily_limit));
  if (granted == 0) {
    return granted;
  }
  used += granted;
  CQLIST_TRY_VOID(write_file_durably(file, format_counts(counts), Overwrite::allow, 0640));
  return granted;
}

}  // namespace cqlist::list
