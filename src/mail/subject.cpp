#include "mail/subject.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"

namespace cqlist::mail {
namespace {

// "Subject: " on the first line of the field.
constexpr std::size_t kSubjectFieldNameColumns = 9;

bool has_8bit(std::string_view bytes) {
  return std::any_of(bytes.begin(), bytes.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

struct Char {
  char32_t code = 0;
  std::size_t length = 0;
};

// One character of UTF-8 text, folded for matching: full-width ASCII forms (U+FF01-U+FF5E,
// which Japanese input methods produce: "ＲＥ：") become ASCII, and ASCII letters lowercase.
// A byte that does not start valid UTF-8 is returned as U+FFFD of length 1.
Char next_folded(std::string_view text, std::size_t position) {
  if (position >= text.size()) {
    return {};
  }
  auto lead = static_cast<unsigned char>(text[position]);
  std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || position + length > text.size() ||
      !is_valid_utf8(text.substr(position, length))) {
    return {U'\uFFFD', 1};
  }
  char32_t code = length == 1 ? lead : lead & (0x7Fu >> length);
  for (std::size_t i = 1; i < length; ++i) {
    code = (code << 6) | (static_cast<unsigned char>(text[position + i]) & 0x3Fu);
  }
  if (code >= 0xFF01 && code <= 0xFF5E) {
    code -= 0xFEE0;
  }
  if (code >= 'A' && code <= 'Z') {
    code += 'a' - 'A';
  }
  return {code, length};
}

bool is_space(char32_t code) {
  return code == ' ' || code == '\t' || code == U'\u3000';
}

bool is_digit(char32_t code) {
  return code >= '0' && code <= '9';
}

std::size_t skip_spaces(std::string_view text, std::size_t position) {
  for (Char c = next_folded(text, position); c.length != 0 && is_space(c.code);
       c = next_folded(text, position)) {
    position += c.length;
  }
  return position;
}

// Matches `word` against folded text; returns the position after it. ASCII words match
// case-insensitively and in full-width forms, others byte for byte.
std::optional<std::size_t> match_folded(std::string_view text, std::size_t position,
                                        std::string_view word) {
  if (has_8bit(word)) {
    if (text.substr(position).starts_with(word)) {
      return position + word.size();
    }
    return std::nullopt;
  }
  for (char expected : word) {
    Char c = next_folded(text, position);
    if (c.length == 0 || c.code != static_cast<char32_t>(ascii_lower(expected))) {
      return std::nullopt;
    }
    position += c.length;
  }
  return position;
}

std::size_t skip_digits(std::string_view text, std::size_t position) {
  for (Char c = next_folded(text, position); c.length != 0 && is_digit(c.code);
       c = next_folded(text, position)) {
    position += c.length;
  }
  return position;
}

struct PrefixWord {
  std::string_view word;
  bool reply;
};

// Reply and forward markers seen in list traffic: English, German (AW, WG), Scandinavian (SV),
// Dutch (Antw), Finnish (VS), Japanese (返信, 転送) and Chinese (回复, 答复, 回覆, 转发, 轉寄).
constexpr std::array kPrefixWords = {
    PrefixWord{"re", true},    PrefixWord{"aw", true},    PrefixWord{"sv", true},
    PrefixWord{"antw", true},  PrefixWord{"vs", true},    PrefixWord{"返信", true},
    PrefixWord{"回复", true},  PrefixWord{"答复", true},  PrefixWord{"回覆", true},
    PrefixWord{"fwd", false},  PrefixWord{"fw", false},   PrefixWord{"wg", false},
    PrefixWord{"転送", false}, PrefixWord{"转发", false}, PrefixWord{"轉寄", false},
};

// A counter some clients put after the word: "Re[2]:", "Re(2):", "Re^2:".
std::size_t skip_reply_counter(std::string_view text, std::size_t position) {
  Char open = next_folded(text, position);
  if (open.code == '^') {
    std::size_t end = skip_digits(text, position + open.length);
    return end > position + open.length ? end : position;
  }
  if (open.code == '[' || open.code == '(') {
    std::size_t digits_end = skip_digits(text, position + open.length);
    Char close = next_folded(text, digits_end);
    char32_t expected = open.code == '[' ? ']' : ')';
    if (digits_end > position + open.length && close.code == expected) {
      return digits_end + close.length;
    }
  }
  return position;
}

struct PrefixMatch {
  std::size_t end = 0;
  bool reply = false;
};

std::optional<PrefixMatch> match_prefix(std::string_view text, std::size_t position) {
  for (const PrefixWord& prefix : kPrefixWords) {
    std::optional<std::size_t> end = match_folded(text, position, prefix.word);
    if (!end) {
      continue;
    }
    std::size_t colon = skip_spaces(text, skip_reply_counter(text, *end));
    Char c = next_folded(text, colon);
    if (c.code == ':') {  // also the full-width colon "："
      return PrefixMatch{colon + c.length, prefix.reply};
    }
  }
  return std::nullopt;
}

// A tag of this list: "[cq:00123]", "(cq,123)", "[cq]", in ASCII or full-width brackets.
std::optional<std::size_t> match_tag(std::string_view text, std::size_t position,
                                     std::string_view list_name) {
  Char open = next_folded(text, position);
  if (list_name.empty() || (open.code != '[' && open.code != '(')) {
    return std::nullopt;
  }
  char32_t expected_close = open.code == '[' ? ']' : ')';
  std::optional<std::size_t> after_name = match_folded(text, position + open.length, list_name);
  if (!after_name) {
    return std::nullopt;
  }
  std::size_t end = *after_name;
  Char c = next_folded(text, end);
  if (c.code == ':' || c.code == ',') {
    std::size_t digits_end = skip_digits(text, end + c.length);
    if (digits_end == end + c.length) {
      return std::nullopt;
    }
    end = digits_end;
    c = next_folded(text, end);
  }
  if (c.code != expected_close) {
    return std::nullopt;
  }
  return end + c.length;
}

bool is_valid_list_name(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7F &&
           std::string_view("[](),:\"=?").find(c) == std::string_view::npos;
  });
}

bool has_iso_2022_escape(std::string_view bytes) {
  return bytes.find("\x1B$") != std::string_view::npos ||
         bytes.find("\x1B(") != std::string_view::npos;
}

// Literal text that may be passed on as it is: ASCII, or UTF-8 (RFC 6532). Raw Shift_JIS or
// raw ISO-2022-JP is never passed on: it gets encoded properly instead.
bool is_clean_literal(std::string_view raw) {
  return raw.find('\0') == std::string_view::npos && !has_iso_2022_escape(raw) &&
         is_valid_utf8(raw);
}

// The position in a clean literal's raw bytes of decoded offset `decoded_offset`: decoding
// only removed the line breaks of folding.
std::size_t raw_position_in_literal(std::string_view raw, std::size_t decoded_offset) {
  std::size_t counted = 0;
  std::size_t i = 0;
  while (i < raw.size() && counted < decoded_offset) {
    if (raw[i] != '\r' && raw[i] != '\n') {
      ++counted;
    }
    ++i;
  }
  return i;
}

// The raw text from where the subject proper starts, when it can be reused as it is: the
// start falls on the beginning of an encoded-word group or inside clean literal text, and
// everything after it is encoded words or clean literal text.
std::optional<std::string_view> reusable_tail(const std::vector<HeaderTextSegment>& segments,
                                              std::string_view raw, std::size_t offset) {
  std::optional<std::size_t> raw_start;
  std::size_t decoded_start = 0;
  for (const HeaderTextSegment& segment : segments) {
    std::string_view segment_raw =
        raw.substr(segment.raw_begin, segment.raw_end - segment.raw_begin);
    std::size_t decoded_end = decoded_start + segment.text.size();
    if (!raw_start && offset < decoded_end) {
      if (segment.encoded) {
        if (offset != decoded_start) {
          return std::nullopt;
        }
        raw_start = segment.raw_begin;
      } else {
        if (!is_clean_literal(segment_raw)) {
          return std::nullopt;
        }
        raw_start =
            segment.raw_begin + raw_position_in_literal(segment_raw, offset - decoded_start);
      }
    } else if (raw_start && !segment.encoded && !is_clean_literal(segment_raw)) {
      return std::nullopt;
    }
    decoded_start = decoded_end;
  }
  if (!raw_start) {
    return std::nullopt;
  }
  return trim(raw.substr(*raw_start));
}

bool is_japanese_charset(std::string_view label) {
  std::string name = iconv_charset_name(label);
  return name == "ISO-2022-JP" || name == "CP932" || name == "EUC-JP-MS";
}

// Japanese mail writes headers in ISO-2022-JP (RFC 1468); a subject that came in Japanese
// encodings goes out in it when its text has to be re-encoded.
bool came_in_japanese(const std::vector<HeaderTextSegment>& segments, std::string_view raw,
                      std::string_view fallback_charset) {
  for (const HeaderTextSegment& segment : segments) {
    std::string_view segment_raw =
        raw.substr(segment.raw_begin, segment.raw_end - segment.raw_begin);
    if (segment.encoded && is_japanese_charset(segment.charset)) {
      return true;
    }
    if (!segment.encoded && (has_iso_2022_escape(segment_raw) ||
                             (has_8bit(segment_raw) && !is_valid_utf8(segment_raw) &&
                              is_japanese_charset(fallback_charset)))) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<SubjectTagFormat> parse_subject_tag_format(std::string_view fml_type) {
  std::string_view type = trim(fml_type);
  SubjectTagFormat format;
  if (type.size() < 2 || type.size() > 3) {
    return fail(Errc::bad_syntax, fmt::format("subject tag type \"{}\" is not one of "
                                              "[:] (:) [,] (,) [] ()",
                                              fml_type));
  }
  if (type.front() == '[' && type.back() == ']') {
    format.brackets = TagBrackets::square;
  } else if (type.front() == '(' && type.back() == ')') {
    format.brackets = TagBrackets::round;
  } else {
    return fail(Errc::bad_syntax, fmt::format("subject tag type \"{}\" is not one of "
                                              "[:] (:) [,] (,) [] ()",
                                              fml_type));
  }
  if (type.size() == 2) {
    format.with_number = false;
  } else if (type[1] == ':' || type[1] == ',') {
    format.separator = type[1];
  } else {
    return fail(Errc::bad_syntax, fmt::format("subject tag type \"{}\": the separator must be "
                                              "':' or ','",
                                              fml_type));
  }
  return format;
}

std::string format_subject_tag(const SubjectTagFormat& format, std::string_view list_name,
                               std::uint64_t article_number) {
  char open = format.brackets == TagBrackets::square ? '[' : '(';
  char close = format.brackets == TagBrackets::square ? ']' : ')';
  if (!format.with_number) {
    return fmt::format("{}{}{}", open, list_name, close);
  }
  return fmt::format("{}{}{}{:0{}}{}", open, list_name, format.separator, article_number,
                     format.number_width, close);
}

SubjectStart find_subject_start(std::string_view decoded_utf8, std::string_view list_name) {
  SubjectStart start;
  std::size_t position = 0;
  while (true) {
    position = skip_spaces(decoded_utf8, position);
    if (std::optional<std::size_t> tag = match_tag(decoded_utf8, position, list_name)) {
      position = *tag;
      continue;
    }
    if (std::optional<PrefixMatch> prefix = match_prefix(decoded_utf8, position)) {
      position = prefix->end;
      start.was_reply = start.was_reply || prefix->reply;
      continue;
    }
    break;
  }
  start.offset = position;
  return start;
}

std::string strip_reply_prefixes_and_tags(std::string_view decoded_utf8,
                                          std::string_view list_name) {
  std::string_view rest = decoded_utf8.substr(find_subject_start(decoded_utf8, list_name).offset);
  return std::string(trim(rest));
}

Result<std::string> make_list_subject(std::string_view raw_subject_value,
                                      const ListSubjectOptions& options) {
  if (!is_valid_list_name(options.list_name)) {
    return fail(Errc::invalid_argument,
                fmt::format("list name \"{}\" cannot be used in a subject tag: use ASCII letters, "
                            "digits and - . _ only",
                            options.list_name));
  }
  std::string_view raw = trim(raw_subject_value);
  std::vector<HeaderTextSegment> segments = split_header_text(raw, options.fallback_charset);
  std::string decoded;
  for (const HeaderTextSegment& segment : segments) {
    decoded += segment.text;
  }
  SubjectStart start = find_subject_start(decoded, options.list_name);
  std::string head = format_subject_tag(options.tag, options.list_name, options.article_number);
  if (start.was_reply && options.add_reply_prefix) {
    head += " Re:";
  }
  std::string_view rest = trim(std::string_view(decoded).substr(start.offset));
  if (rest.empty()) {
    return head;
  }
  // The tag and the prefix are plain words of the value, so folds may go between them and
  // the subject text.
  if (options.keep_encoding) {
    if (std::optional<std::string_view> tail = reusable_tail(segments, raw, start.offset)) {
      return fold_header_text(fmt::format("{} {}", head, *tail), kSubjectFieldNameColumns);
    }
  }
  std::string text = fmt::format("{} {}", head, rest);
  EncodeOptions encode;
  encode.first_line_used = kSubjectFieldNameColumns;
  if (options.keep_encoding && came_in_japanese(segments, raw, options.fallback_charset)) {
    encode.charset = EncodeCharset::iso_2022_jp;
  }
  Result<std::string> encoded = encode_header_text(text, encode);
  if (!encoded && encode.charset == EncodeCharset::iso_2022_jp) {
    // Characters outside JIS X 0208 (①, half-width katakana) need UTF-8.
    encode.charset = EncodeCharset::utf8;
    encoded = encode_header_text(text, encode);
  }
  return encoded;
}

std::string subject_for_display(std::string_view raw_subject_value,
                                std::string_view fallback_charset) {
  std::string decoded = decode_header_text(raw_subject_value, fallback_charset);
  std::string display;
  for (char c : decoded) {
    if (is_wsp(c)) {
      if (!display.empty() && display.back() != ' ') {
        display.push_back(' ');
      }
    } else {
      display.push_back(c);
    }
  }
  return std::string(trim(display));
}

}  // namespace cqlist::mail
