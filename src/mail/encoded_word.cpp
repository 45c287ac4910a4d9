#include "mail/encoded_word.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "mail/charset.hpp"
#include "mail/transfer_encoding.hpp"

namespace cqlist::mail {
namespace {

// RFC 2047 §2: an encoded word is at most 75 characters, a line holding one at most 76.
constexpr std::size_t kMaxEncodedWord = 75;
constexpr std::size_t kMaxLine = 76;

// B encoded text holds only the base64 alphabet and '='; anything else makes the word
// malformed. Decoding is transfer_encoding's: missing padding is accepted, and padding in the
// middle (separately encoded pieces concatenated) ends a group.
bool is_base64_text(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/' || c == '=';
  });
}

// RFC 2047 §4.2, accepting lowercase hex digits; a stray "=" stays literal.
std::string decode_q(std::string_view text) {
  std::string bytes;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') {
      bytes.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && hex_digit_value(text[i + 1]) >= 0 &&
               hex_digit_value(text[i + 2]) >= 0) {
      bytes.push_back(
          static_cast<char>(hex_digit_value(text[i + 1]) * 16 + hex_digit_value(text[i + 2])));
      i += 2;
    } else {
      bytes.push_back(c);
    }
  }
  return bytes;
}

struct ParsedWord {
  std::size_t end = 0;
  std::string charset;  // language suffix removed
  std::string bytes;
};

// Parses an encoded word starting at raw[begin] ("=?"). Returns nothing when it is malformed,
// in which case the caller keeps the text literally.
std::optional<ParsedWord> parse_encoded_word(std::string_view raw, std::size_t begin) {
  std::size_t charset_end = raw.find('?', begin + 2);
  if (charset_end == std::string_view::npos || charset_end == begin + 2 ||
      charset_end - begin - 2 > kMaxEncodedWord || charset_end + 2 >= raw.size() ||
      raw[charset_end + 2] != '?') {
    return std::nullopt;
  }
  std::string_view label = raw.substr(begin + 2, charset_end - begin - 2);
  for (char c : label) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      return std::nullopt;
    }
  }
  // RFC 2231 §5: "=?utf-8*ja?B?...?=" carries a language after the charset.
  label = label.substr(0, label.find('*'));
  if (label.empty()) {
    return std::nullopt;
  }
  char encoding = ascii_upper(raw[charset_end + 1]);
  if (encoding != 'B' && encoding != 'Q') {
    return std::nullopt;
  }
  std::size_t text_begin = charset_end + 3;
  std::size_t text_end = raw.find("?=", text_begin);
  if (text_end == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view text = raw.substr(text_begin, text_end - text_begin);
  // Encoded text is printable ASCII (spaces are tolerated in Q, some senders leave them), so a
  // word never spans a line break; and "=?" inside means this was a false start.
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte <= 0x20 || byte >= 0x7F) && !(c == ' ' && encoding == 'Q')) {
      return std::nullopt;
    }
  }
  if (text.find("=?") != std::string_view::npos) {
    return std::nullopt;
  }
  ParsedWord word;
  word.end = text_end + 2;
  word.charset = std::string(label);
  if (encoding == 'B') {
    if (!is_base64_text(text)) {
      return std::nullopt;
    }
    word.bytes = decode_base64(text);
  } else {
    word.bytes = decode_q(text);
  }
  return word;
}

// Decoded text never holds line breaks or NUL: a header built from it must stay one field.
std::string without_line_breaks(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\0') {
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (result.empty() || result.back() != ' ') {
        result.push_back(' ');
      }
      continue;
    }
    result.push_back(c);
  }
  return result;
}

bool has_8bit(std::string_view bytes) {
  return std::any_of(bytes.begin(), bytes.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::string decode_literal(std::string_view raw, std::string_view fallback_charset) {
  // Unfolding (RFC 5322 §2.2.3) removes the line breaks and keeps the white space after them.
  std::string text;
  text.reserve(raw.size());
  for (char c : raw) {
    if (c != '\r' && c != '\n' && c != '\0') {
      text.push_back(c);
    }
  }
  // Raw ISO-2022-JP in a header is 7-bit and shows itself by its escape sequences.
  if (text.find("\x1B$") != std::string::npos || text.find("\x1B(") != std::string::npos) {
    return to_utf8_lenient(text, "ISO-2022-JP");
  }
  if (!has_8bit(text) || is_valid_utf8(text)) {
    return text;
  }
  return to_utf8_lenient(text, fallback_charset);
}

bool is_folding_white_space(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string charset_key(std::string_view label) {
  std::string name = iconv_charset_name(label);
  return name.empty() ? to_ascii_lower(label) : name;
}

}  // namespace

std::vector<HeaderTextSegment> split_header_text(std::string_view raw,
                                                 std::string_view fallback_charset) {
  std::vector<HeaderTextSegment> segments;
  // Bytes of the encoded-word group at the back of `segments`, converted when it closes.
  std::string group_bytes;
  std::string group_key;
  bool group_open = false;

  auto close_group = [&] {
    if (group_open) {
      HeaderTextSegment& group = segments.back();
      group.text = without_line_breaks(to_utf8_lenient(group_bytes, group.charset));
      group_bytes.clear();
      group_open = false;
    }
  };
  auto add_literal = [&](std::size_t begin, std::size_t end, bool dropped) {
    if (begin == end) {
      return;
    }
    HeaderTextSegment literal;
    literal.raw_begin = begin;
    literal.raw_end = end;
    if (!dropped) {
      literal.text = decode_literal(raw.substr(begin, end - begin), fallback_charset);
    }
    segments.push_back(std::move(literal));
  };

  std::size_t literal_begin = 0;
  std::size_t position = 0;
  while (position + 1 < raw.size()) {
    std::size_t start = raw.find("=?", position);
    if (start == std::string_view::npos) {
      break;
    }
    std::optional<ParsedWord> word = parse_encoded_word(raw, start);
    if (!word) {
      position = start + 1;
      continue;
    }
    std::string_view between = raw.substr(literal_begin, start - literal_begin);
    std::string key = charset_key(word->charset);
    // RFC 2047 §6.2: white space between adjacent encoded words is not displayed.
    bool adjacent = group_open && is_folding_white_space(between);
    if (adjacent && key == group_key) {
      group_bytes += word->bytes;
      segments.back().raw_end = word->end;
    } else {
      close_group();
      add_literal(literal_begin, start, adjacent);
      HeaderTextSegment group;
      group.raw_begin = start;
      group.raw_end = word->end;
      group.charset = word->charset;
      group.encoded = true;
      segments.push_back(std::move(group));
      group_bytes = std::move(word->bytes);
      group_key = std::move(key);
      group_open = true;
    }
    literal_begin = word->end;
    position = word->end;
  }
  close_group();
  add_literal(literal_begin, raw.size(), false);
  return segments;
}

std::string decode_header_text(std::string_view raw, std::string_view fallback_charset) {
  std::string text;
  for (const HeaderTextSegment& segment : split_header_text(raw, fallback_charset)) {
    text += segment.text;
  }
  return text;
}

namespace {

// Builds a header value line by line, folding before white space when a line would pass 76.
class LineWriter {
 public:
  explicit LineWriter(std::size_t first_line_used) : column_(first_line_used) {}

  std::size_t column() const { return column_; }

  bool can_fold(std::string_view white_space) const {
    return !white_space.empty() && line_has_words_;
  }

  void fold() {
    out_ += '\n';
    column_ = 0;
    line_has_words_ = false;
  }

  void add(std::string_view white_space, std::string_view word) {
    if (column_ + white_space.size() + word.size() > kMaxLine && can_fold(white_space)) {
      fold();
    }
    out_ += white_space;
    out_ += word;
    column_ += white_space.size() + word.size();
    line_has_words_ = line_has_words_ || !word.empty();
  }

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::size_t column_;
  bool line_has_words_ = false;
};

struct Token {
  std::string_view white_space;  // before the word
  std::string_view word;
};

std::vector<Token> split_words(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t word_begin = i;
    while (word_begin < text.size() && is_wsp(text[word_begin])) {
      ++word_begin;
    }
    std::size_t word_end = word_begin;
    while (word_end < text.size() && !is_wsp(text[word_end])) {
      ++word_end;
    }
    tokens.push_back(
        {text.substr(i, word_begin - i), text.substr(word_begin, word_end - word_begin)});
    i = word_end;
  }
  return tokens;
}

// RFC 5322 §3.2.3 specials: a word holding one cannot stand as an atom in a phrase.
bool is_special(char c) {
  return std::string_view("()<>[]:;@\\,.\"").find(c) != std::string_view::npos;
}

bool can_stay_plain(std::string_view word, bool phrase) {
  for (char c : word) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x21 || byte > 0x7E || (phrase && is_special(c))) {
      return false;
    }
  }
  // A plain "=?" would be read back as the start of an encoded word.
  return word.find("=?") == std::string_view::npos;
}

// RFC 2047 §5(3) for phrases; §4.2(3) otherwise: printable ASCII other than "=", "?", "_".
bool q_keeps(char c, bool phrase) {
  if (phrase) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!*+-/").find(c) != std::string_view::npos;
  }
  return c > 0x20 && c < 0x7F && c != '=' && c != '?' && c != '_';
}

std::string encode_q(std::string_view bytes, bool phrase) {
  std::string text;
  for (char c : bytes) {
    if (c == ' ') {
      text.push_back('_');
    } else if (q_keeps(c, phrase)) {
      text.push_back(c);
    } else {
      text += fmt::format("={:02X}", static_cast<unsigned char>(c));
    }
  }
  return text;
}

std::size_t utf8_sequence_length(char lead) {
  auto byte = static_cast<unsigned char>(lead);
  if (byte >= 0xF0) {
    return 4;
  }
  if (byte >= 0xE0) {
    return 3;
  }
  return byte >= 0xC0 ? 2 : 1;
}

// The characters of one run of encoded text, each as the bytes it contributes: UTF-8 bytes, or
// for ISO-2022-JP one ASCII byte or one two-byte JIS X 0208 code (escapes are added per word).
struct Unit {
  std::string bytes;
  bool jis = false;
};

Result<std::vector<Unit>> split_units(std::string_view run, EncodeCharset charset) {
  std::vector<Unit> units;
  if (charset == EncodeCharset::utf8) {
    for (std::size_t i = 0; i < run.size();) {
      std::size_t length = std::min(utf8_sequence_length(run[i]), run.size() - i);
      units.push_back({std::string(run.substr(i, length)), false});
      i += length;
    }
    return units;
  }
  CQLIST_TRY(std::string encoded, from_utf8(run, "ISO-2022-JP"));
  bool jis = false;
  for (std::size_t i = 0; i < encoded.size();) {
    if (encoded.compare(i, 3, "\x1B$B") == 0) {
      jis = true;
      i += 3;
    } else if (encoded.compare(i, 3, "\x1B(B") == 0) {
      jis = false;
      i += 3;
    } else if (jis && i + 1 < encoded.size()) {
      units.push_back({encoded.substr(i, 2), true});
      i += 2;
    } else {
      units.push_back({encoded.substr(i, 1), false});
      i += 1;
    }
  }
  return units;
}

class WordEncoder {
 public:
  WordEncoder(EncodeCharset charset, bool use_q, bool phrase)
      : charset_(charset), use_q_(use_q), phrase_(phrase) {}

  std::string_view prefix() const {
    if (charset_ == EncodeCharset::iso_2022_jp) {
      return "=?ISO-2022-JP?B?";
    }
    return use_q_ ? "=?UTF-8?Q?" : "=?UTF-8?B?";
  }

  // The payload bytes of units [begin, end): ISO-2022-JP words each start and end in ASCII.
  std::string payload(const std::vector<Unit>& units, std::size_t begin, std::size_t end) const {
    std::string bytes;
    bool jis = false;
    for (std::size_t i = begin; i < end; ++i) {
      if (units[i].jis != jis) {
        bytes += units[i].jis ? "\x1B$B" : "\x1B(B";
        jis = units[i].jis;
      }
      bytes += units[i].bytes;
    }
    if (jis) {
      bytes += "\x1B(B";
    }
    return bytes;
  }

  std::string word(const std::vector<Unit>& units, std::size_t begin, std::size_t end) const {
    std::string bytes = payload(units, begin, end);
    return fmt::format("{}{}?=", prefix(),
                       use_q_ ? encode_q(bytes, phrase_) : encode_base64(bytes, ""));
  }

  std::size_t word_length(const std::vector<Unit>& units, std::size_t begin,
                          std::size_t end) const {
    std::string bytes = payload(units, begin, end);
    std::size_t text = use_q_ ? encode_q(bytes, phrase_).size() : (bytes.size() + 2) / 3 * 4;
    return prefix().size() + text + 2;
  }

 private:
  EncodeCharset charset_;
  bool use_q_;
  bool phrase_;
};

// Smallest room worth starting a word in before folding instead (avoids one-character words at
// line ends).
constexpr std::size_t kMinUsefulRoom = 32;

Result<void> add_encoded_run(LineWriter& writer, std::string_view white_space, std::string_view run,
                             const EncodeOptions& options) {
  CQLIST_TRY(std::vector<Unit> units, split_units(run, options.charset));
  bool use_q = false;
  if (options.charset == EncodeCharset::utf8) {
    std::size_t q_length = encode_q(run, options.phrase).size();
    use_q = q_length <= (run.size() + 2) / 3 * 4;
  }
  WordEncoder encoder(options.charset, use_q, options.phrase);
  std::size_t begin = 0;
  std::string_view separator = white_space;
  // Text that fits one encoded word goes on the next line whole rather than split in two.
  std::size_t whole = encoder.word_length(units, 0, units.size());
  if (whole <= kMaxEncodedWord && writer.column() + separator.size() + whole > kMaxLine &&
      writer.can_fold(separator)) {
    writer.fold();
  }
  while (begin < units.size()) {
    auto room = [&] {
      std::size_t used = writer.column() + separator.size();
      return std::min(kMaxEncodedWord, used < kMaxLine ? kMaxLine - used : 0);
    };
    if (room() < kMinUsefulRoom && writer.can_fold(separator)) {
      writer.fold();
    }
    std::size_t limit = std::max(room(), kMinUsefulRoom);
    std::size_t end = begin + 1;
    while (end < units.size() && encoder.word_length(units, begin, end + 1) <= limit) {
      ++end;
    }
    writer.add(separator, encoder.word(units, begin, end));
    begin = end;
    separator = " ";
  }
  return {};
}

}  // namespace

Result<std::string> encode_header_text(std::string_view text, const EncodeOptions& options) {
  if (!is_valid_utf8(text)) {
    return fail(Errc::invalid_argument, "header text to encode is not valid UTF-8");
  }
  std::vector<Token> tokens = split_words(text);
  LineWriter writer(options.first_line_used);
  std::size_t i = 0;
  while (i < tokens.size()) {
    if (can_stay_plain(tokens[i].word, options.phrase) || tokens[i].word.empty()) {
      writer.add(tokens[i].white_space, tokens[i].word);
      ++i;
      continue;
    }
    // Consecutive words that need encoding share encoded words, white space included: white
    // space between two encoded words would vanish when decoded (RFC 2047 §6.2).
    std::size_t last = i;
    while (last + 1 < tokens.size() && !tokens[last + 1].word.empty() &&
           !can_stay_plain(tokens[last + 1].word, options.phrase)) {
      ++last;
    }
    const char* run_begin = tokens[i].word.data();
    const char* run_end = tokens[last].word.data() + tokens[last].word.size();
    std::string_view run(run_begin, static_cast<std::size_t>(run_end - run_begin));
    CQLIST_TRY_VOID(add_encoded_run(writer, tokens[i].white_space, run, options));
    i = last + 1;
  }
  return writer.take();
}

std::string fold_header_text(std::string_view text, std::size_t first_line_used) {
  std::string unfolded;
  for (char c : text) {
    if (c != '\r' && c != '\n') {
      unfolded.push_back(c);
    }
  }
  LineWriter writer(first_line_used);
  for (const Token& token : split_words(unfolded)) {
    writer.add(token.white_space, token.word);
  }
  return writer.take();
}

}  // namespace cqlist::mail
