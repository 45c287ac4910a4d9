// mail/charset.hpp: conversions between MIME charsets and UTF-8 (iconv underneath).
//
// Owns: charset name aliases as they appear in real mail (Shift_JIS is decoded as CP932,
// ISO-2022-JP with the common vendor extensions, "utf8", "x-sjis", ...), strict and lenient
// conversion. UTF-8 is cqlist's internal text encoding everywhere above this file.
// Japanese text decodes with Microsoft's mappings (JIS 1-33 is U+FF5E, as in the WHATWG
// Encoding Standard); encoding to ISO-2022-JP accepts both forms of those characters and
// writes pure RFC 1468 ISO-2022-JP (ASCII and JIS X 0208, ending in ASCII).
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace cqlist::mail {

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view bytes);

// The iconv name to use for a MIME charset label (case-insensitive, aliases resolved), or ""
// when iconv does not know the label. "ISO-2022-JP" is decoded by charset.cpp itself.
std::string iconv_charset_name(std::string_view mime_charset);

// Decodes `bytes` in `charset` to UTF-8. Fails (Errc::unsupported) for an unknown charset and
// (Errc::bad_syntax) for bytes that are invalid in that charset.
Result<std::string> to_utf8(std::string_view bytes, std::string_view charset);

// As to_utf8, but never fails: invalid sequences become U+FFFD, and an unknown charset is
// read as UTF-8 if valid, else as Latin-1 (what real readers show).
std::string to_utf8_lenient(std::string_view bytes, std::string_view charset);

// Encodes UTF-8 text into `charset`. Fails when a character has no representation there.
Result<std::string> from_utf8(std::string_view utf8, std::string_view charset);

}  // namespace cqlist::mail
