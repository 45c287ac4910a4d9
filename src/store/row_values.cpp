// store/row_values.cpp: column forms of addresses, times, states and recipient lists.

#include "store/row_values.hpp"

#include <chrono>

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist::store {

std::string address_key(std::string_view address) {
  return to_ascii_lower(address);
}

Result<void> check_address(std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) {
    return fail(Errc::invalid_argument,
                fmt::format("'{}' is not a mail address (expected local-part@domain)", address));
  }
  if (address.find_first_of("\r\n") != std::string_view::npos) {
    return fail(Errc::invalid_argument, "a mail address cannot contain a line break");
  }
  return {};
}

std::int64_t to_unix_seconds(Clock::time_point time) {
  return std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count();
}

Clock::time_point from_unix_seconds(std::int64_t seconds) {
  return Clock::time_point(std::chrono::seconds(seconds));
}

namespace {

template <class Enum, std::size_t N>
std::optional<Enum> parse_name(std::string_view text, const Enum (&values)[N],
                               std::string_view (*name)(Enum)) {
  for (Enum value : values) {
    if (text == name(value)) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view post_state_name(PostState state) {
  switch (state) {
    case PostState::numbered:
      return "numbered";
    case PostState::queued:
      return "queued";
  }
  return "numbered";
}

std::optional<PostState> parse_post_state(std::string_view text) {
  static constexpr PostState kAll[] = {PostState::numbered, PostState::queued};
  return parse_name(text, kAll, &post_state_name);
}

std::string_view job_state_name(JobState state) {
  switch (state) {
    case JobState::pending:
      return "pending";
    case JobState::done:
      return "done";
    case JobState::failed:
      return "failed";
  }
  return "pending";
}

std::optional<JobState> parse_job_state(std::string_view text) {
  static constexpr JobState kAll[] = {JobState::pending, JobState::done, JobState::failed};
  return parse_name(text, kAll, &job_state_name);
}

std::string_view held_state_name(HeldState state) {
  switch (state) {
    case HeldState::waiting:
      return "waiting";
    case HeldState::approved:
      return "approved";
    case HeldState::rejected:
      return "rejected";
    case HeldState::discarded:
      return "discarded";
  }
  return "waiting";
}

std::optional<HeldState> parse_held_state(std::string_view text) {
  static constexpr HeldState kAll[] = {HeldState::waiting, HeldState::approved, HeldState::rejected,
                                       HeldState::discarded};
  return parse_name(text, kAll, &held_state_name);
}

std::string join_recipients(const std::vector<std::string>& recipients) {
  std::string text;
  for (const auto& recipient : recipients) {
    if (!text.empty()) {
      text += '\n';
    }
    text += recipient;
  }
  return text;
}

std::vector<std::string> split_recipients(std::string_view text) {
  std::vector<std::string> recipients;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    recipients.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return recipients;
}

}  // namespace cqlist::store
