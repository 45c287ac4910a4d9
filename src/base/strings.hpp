// base/strings.hpp: small ASCII string helpers with no locale and no mail knowledge.
#pragma once

#include <string>
#include <string_view>

namespace cqlist {

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

constexpr char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}

std::string to_ascii_lower(std::string_view text);
std::string to_ascii_upper(std::string_view text);

// The value of a hexadecimal digit in either case; -1 for any other character.
constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return -1;
}

bool iequals(std::string_view a, std::string_view b);

bool istarts_with(std::string_view text, std::string_view prefix);

constexpr bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

// & < > " as HTML character references (text for an HTML page or an HTML mail part).
std::string escape_html(std::string_view text);

// Trims spaces, tabs, CR and LF from both ends.
std::string_view trim(std::string_view text);

// No byte of `text` has the high bit set. Eight bytes at a time: it runs over every copy of a
// fan-out (BODY=8BITMIME), where a byte loop costs more than the rest of the SMTP envelope.
bool is_ascii(std::string_view text);

}  // namespace cqlist
