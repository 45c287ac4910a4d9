// list/setting_values.hpp: the checks behind each kind of list setting value.
//
// Owns: what an operator may write for a setting and its canonical form ("yes" -> "true",
// "10M" -> "10485760", " Gmail.COM" -> "gmail.com"), with messages that say what is allowed.
// settings.cpp ties each setting name to one of these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace cqlist::list::setting_values {

// Errc::invalid_argument: "name="value" is not allowed: what_to_do", control characters in
// the value shown as '?'.
tl::unexpected<Error> not_allowed(std::string_view name, std::string_view value,
                                  std::string_view what_to_do);

// `text` with control characters replaced by '?', safe for a terminal or a log line.
std::string printable(std::string_view text);

// true/false, yes/no, on/off in any case -> "true" or "false".
Result<std::string> check_bool(std::string_view name, std::string_view value);

// A whole number from `min` to `max`; with `size_suffixes`, K, M and G multiply by 1024^n.
Result<std::string> check_number(std::string_view name, std::string_view value, std::uint64_t min,
                                 std::uint64_t max, bool size_suffixes);
// The number of a value check_number accepted.
std::uint64_t number_value(const std::string& canonical);

Result<std::string> check_one_line(std::string_view name, std::string_view value);
Result<std::string> check_language(std::string_view name, std::string_view value);
// Empty, or up to 64 ASCII letters, digits, '-', '.', '_'.
Result<std::string> check_tag_name(std::string_view name, std::string_view value);
// fml's tag types, "[#]" and "(#)" (number only), or "none".
Result<std::string> check_subject_tag(std::string_view name, std::string_view value);
// UTF-8 lines; CRLF becomes LF.
Result<std::string> check_footer(std::string_view name, std::string_view value);
Result<std::string> check_authserv_id(std::string_view name, std::string_view value);
Result<std::string> check_selector(std::string_view name, std::string_view value);
Result<std::string> check_path(std::string_view name, std::string_view value);
// Empty, or an https URL, given a trailing '/'.
Result<std::string> check_web_url(std::string_view name, std::string_view value);
// Comma-separated domains -> lowercase A-labels joined by ",".
Result<std::string> check_domains(std::string_view name, std::string_view value);

// A span of time: a whole number with s, m, h or d ("7d", "12h"); "0" for none. Canonical in
// the largest unit that divides it ("168h" -> "7d").
Result<std::string> check_duration(std::string_view name, std::string_view value,
                                   std::uint64_t max_seconds);
std::uint64_t duration_seconds(const std::string& canonical);
std::string format_duration(std::uint64_t seconds);

// A decimal number with at most one digit after the point, from 0.5 to 1000 ("5" -> "5.0").
Result<std::string> check_score(std::string_view name, std::string_view value);
double score_value(const std::string& canonical);
std::string format_score(double score);

std::string join_domains(const std::vector<std::string>& domains);
std::vector<std::string> split_domains(const std::string& canonical);

}  // namespace cqlist::list::setting_values
