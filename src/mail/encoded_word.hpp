// mail/encoded_word.hpp: RFC 2047 encoded words ("=?ISO-2022-JP?B?...?=").
//
// Owns: decoding header text that may hold encoded words into UTF-8, and encoding UTF-8 text
// into encoded words that fit RFC 2047's length and placement rules, folded for a header.
// Decoding is lenient the way real mail needs (encoded words inside quoted strings, multibyte
// characters split across adjacent words, missing white space, unknown charsets); encoding is
// strict.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace cqlist::mail {

// Decodes unstructured header text (Subject, Comments, a display name's phrase) to UTF-8.
// White space between adjacent encoded words is dropped (RFC 2047 §6.2); folding is removed.
// Raw 8-bit bytes outside encoded words are taken as UTF-8 when valid (RFC 6532), else as
// `fallback_charset` (mail from old Japanese clients sends raw ISO-2022-JP or Shift_JIS).
std::string decode_header_text(std::string_view raw, std::string_view fallback_charset = "");

// One piece of header text as decode_header_text reads it: a run of literal text, or a group
// of adjacent encoded words in one charset. A group's words are joined as bytes before
// conversion, so a character split across words decodes. White space dropped between encoded
// words of different charsets is a literal segment with empty `text`.
struct HeaderTextSegment {
  std::size_t raw_begin = 0;  // the span in the raw text, folding included
  std::size_t raw_end = 0;
  std::string text;     // UTF-8, with no CR, LF or NUL
  std::string charset;  // the encoded words' charset label as written (RFC 2231 language removed)
  bool encoded = false;
};

// decode_header_text, keeping the pieces: concatenating every `text` gives its result.
std::vector<HeaderTextSegment> split_header_text(std::string_view raw,
                                                 std::string_view fallback_charset = "");

enum class EncodeCharset { utf8, iso_2022_jp };

struct EncodeOptions {
  EncodeCharset charset = EncodeCharset::utf8;
  // Columns already used on the first line ("Subject: " is 9), so folding starts right.
  std::size_t first_line_used = 0;
  // Encoded words used in a phrase (display names) may only hold the characters of RFC 2047
  // §5(3); in unstructured text the rules of §5(1) apply.
  bool phrase = false;
};

// Encodes UTF-8 `text` for a header field value. Runs of plain ASCII words stay as they are;
// the rest becomes encoded words of at most 75 characters, each line at most 76, joined by
// folding ("\r\n " is not used: folds are "\n " and Message normalises line ends). Fails when
// `text` is not valid UTF-8 or a character cannot be written in the chosen charset.
Result<std::string> encode_header_text(std::string_view text, const EncodeOptions& options = {});

// Re-folds header text that is already in wire form (plain words and encoded words) so that
// lines stay within 76 columns where white space allows: existing line breaks are removed and
// folds ("\n" before a space or tab) are added. Words are never split.
std::string fold_header_text(std::string_view text, std::size_t first_line_used = 0);

}  // namespace cqlist::mail
