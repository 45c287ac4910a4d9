// cli/store_command.cpp: opening the data directory, list and member addresses, times.
#include "cli/store_command.hpp"

#include <algorithm>
#include <ctime>
#include <variant>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "base/strings.hpp"
#include "mail/address.hpp"

namespace cqlist::cli {
namespace {

bool is_list_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

}  // namespace

Result<Runtime> open_configured_runtime(const ConfigArgs& args) {
  CQLIST_TRY(ServerConfig config, resolve_config(args));
  return open_runtime(config);
}

Result<ListAddress> parse_new_list_address(std::string_view text) {
  auto at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size()) {
    return fail(Errc::invalid_argument,
                fmt::format("'{}': give the list's address, NAME@DOMAIN", text));
  }
  ListAddress list;
  list.name = to_ascii_lower(text.substr(0, at));
  const bool name_ok = std::all_of(list.name.begin(), list.name.end(), is_list_name_char) &&
                       list.name.front() != '.' && list.name.front() != '-' &&
                       list.name.back() != '.' && list.name.find("..") == std::string::npos;
  if (!name_ok) {
    return fail(Errc::invalid_argument,
                fmt::format("'{}' cannot be a list name: use letters, digits, '.', '-' and '_', "
                            "starting with a letter or digit ('+' starts an address extension)",
                            text.substr(0, at)));
  }
  auto domain = mail::domain_to_ascii(text.substr(at + 1));
  if (!domain) {
    return fail(Errc::invalid_argument,
                fmt::format("'{}' is not a domain name: {}", text.substr(at + 1),
                            domain.error().describe()));
  }
  list.domain = std::move(*domain);
  return list;
}

Result<TypedAddress> parse_typed_address(std::string_view text) {
  const std::string_view trimmed = trim(text);
  auto parsed = mail::parse_address_list(trimmed);
  const auto* mailbox =
      parsed.entries.size() == 1 ? std::get_if<mail::Mailbox>(&parsed.entries.front()) : nullptr;
  if (trimmed.empty() || mailbox == nullptr || !parsed.problems.empty()) {
    std::string why =
        parsed.problems.empty()
            ? std::string(parsed.entries.size() > 1 ? "more than one address" : "not one mailbox")
            : std::string(mail::address_problem_name(parsed.problems.front().kind));
    return fail(Errc::invalid_argument,
                fmt::format("'{}' is not an address ({}); write user@example.org or "
                            "Name <user@example.org>",
                            trimmed, why));
  }
  auto address = mail::normalized_address(*mailbox);
  if (!address) {
    return fail(Errc::invalid_argument,
                fmt::format("'{}' is not an address that mail can reach: {}", trimmed,
                            address.error().describe()));
  }
  return TypedAddress{std::move(*address), mailbox->display_name};
}

std::string format_utc(store::Clock::time_point at) {
  if (at.time_since_epoch().count() == 0) {
    return "-";
  }
  const std::time_t seconds = store::Clock::to_time_t(at);
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", fmt::gmtime(seconds));
}

std::string format_rfc3339(store::Clock::time_point at) {
  if (at.time_since_epoch().count() == 0) {
    return "";
  }
  const std::time_t seconds = store::Clock::to_time_t(at);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(seconds));
}

}  // namespace cqlist::cli
