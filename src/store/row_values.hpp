// store/row_values.hpp: how row fields are written as column values, shared by the SQL stores.
//
// Owns: the address key members and bounces are matched on, unix-second timestamps, the text
// names of post, job and held states (readable with the sqlite3 or psql shell, and in the
// CLI), and the one-line-per-recipient form of a delivery job's recipients.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "store/store.hpp"

namespace cqlist::store {

// The form addresses are compared in: the whole address in ASCII lowercase. RFC 5321 §2.4
// leaves a local part's case to the receiving host, but fml, Mailman and every other list
// manager compare it without case, and an imported member who writes Bob@ one day and bob@
// the next is the same person to them; one member with two spellings would get two copies.
// ASCII only, as SQLite's lower() folds (the migration to this form uses it). The address
// itself is stored as given and shown that way.
std::string address_key(std::string_view address);

// Errc::invalid_argument unless `address` has a non-empty local part and domain and no line
// break (the recipients of a job are stored one per line).
Result<void> check_address(std::string_view address);

// Whole seconds since the epoch, UTC; sub-second parts are dropped (rounded down).
std::int64_t to_unix_seconds(Clock::time_point time);
Clock::time_point from_unix_seconds(std::int64_t seconds);

std::string_view post_state_name(PostState state);
std::optional<PostState> parse_post_state(std::string_view text);
std::string_view job_state_name(JobState state);
std::optional<JobState> parse_job_state(std::string_view text);
std::optional<HeldState> parse_held_state(std::string_view text);

// One recipient per line. A recipient cannot contain a line break (check_address()).
std::string join_recipients(const std::vector<std::string>& recipients);
std::vector<std::string> split_recipients(std::string_view text);

}  // namespace cqlist::store
