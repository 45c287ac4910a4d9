// cli/store_command.hpp: what the commands that work on the store have in common.
//
// Owns: opening the configured data directory in one call, the list address an operator
// types turned into the form the store keeps, member addresses as operators type them, and
// how times are shown.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "cli/runtime.hpp"
#include "store/store.hpp"

namespace cqlist::cli {

// resolve_config, then open_runtime.
Result<Runtime> open_configured_runtime(const ConfigArgs& args);

struct ListAddress {
  std::string name;    // lowercase: lists are found regardless of case
  std::string domain;  // lowercase A-labels, as the LMTP listener looks it up

  std::string address() const { return name + "@" + domain; }
};

// NAME@DOMAIN for a new list. Errc::invalid_argument unless NAME is letters, digits, '.', '-'
// and '_' (no '+': it starts an address extension) and DOMAIN is a valid domain name.
Result<ListAddress> parse_new_list_address(std::string_view text);

// "alice@Example.ORG", "Alice <alice@example.org>" or "\"山田 太郎\" <yamada@example.jp>".
struct TypedAddress {
  std::string address;  // local part as written, domain lowercase A-labels
  std::string display_name;
};

Result<TypedAddress> parse_typed_address(std::string_view text);

// "2026-05-01 10:00:00 UTC"; "-" for the epoch (never set).
std::string format_utc(store::Clock::time_point at);
// "2026-05-01T10:00:00Z" (RFC 3339), for JSON; "" for the epoch.
std::string format_rfc3339(store::Clock::time_point at);

}  // namespace cqlist::cli
