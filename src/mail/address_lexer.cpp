// The lexer of address field values: see address_lexer.hpp.

#include "mail/address_lexer.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.hpp"

namespace cqlist::mail::detail {

namespace {

constexpr char kEscape = '\x1b';

// Characters that end an atom: the specials of RFC 5322 §3.2.3 plus white space.
bool ends_atom(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '(':
    case ')':
    case '<':
    case '>':
    case '[':
    case ']':
    case ':':
    case ';':
    case '@':
    case '\\':
    case ',':
    case '.':
    case '"':
      return true;
    default:
      return false;
  }
}

// Length of the RFC 2047 encoded word starting at `pos`, or 0. Encoded words hold no white
// space, so one can be taken whole even when senders put specials inside it (a Q-encoded
// "Doe,_John" in a phrase is a common violation of RFC 2047 §5(3)). Not '@': in
// "=?a?q?b@c?=" the local part "=?a?q?b" must stay apart from its domain. A phrase still
// decodes a word split there, because phrase() rejoins tokens that no space separated.
std::size_t encoded_word_length(std::string_view text, std::size_t pos) {
  auto is_word_char = [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f && c != '?' && c != '@';
  };
  std::size_t i = pos;
  if (text.substr(i, 2) != "=?") {
    return 0;
  }
  i += 2;
  std::size_t charset_start = i;
  while (i < text.size() && is_word_char(text[i])) {
    ++i;
  }
  if (i == charset_start || i + 3 > text.size() || text[i] != '?') {
    return 0;
  }
  char encoding = ascii_lower(text[i + 1]);
  if ((encoding != 'b' && encoding != 'q') || text[i + 2] != '?') {
    return 0;
  }
  i += 3;
  while (i < text.size() && is_word_char(text[i])) {
    ++i;
  }
  if (text.substr(i, 2) != "?=") {
    return 0;
  }
  return i + 2 - pos;
}

bool is_shift_back(std::string_view text, std::size_t pos) {
  return text.substr(pos, 2) == "\x1b(" && pos + 2 < text.size() &&
         (text[pos + 2] == 'B' || text[pos + 2] == 'J');
}

class Lexer {
 public:
  Lexer(std::string_view text, std::vector<AddressProblem>& problems)
      : text_(text), problems_(problems) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    bool space = false;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      std::size_t start = pos_;
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
        space = true;
        continue;
      }
      if (c == '(') {
        skip_comment();
        space = true;
        continue;
      }
      if (c == '"') {
        tokens.push_back({TokenKind::quoted_string, read_quoted_string(), start, space});
      } else if (c == '[') {
        tokens.push_back({TokenKind::domain_literal, read_domain_literal(), start, space});
      } else if (ends_atom(c)) {
        ++pos_;
        tokens.push_back({TokenKind::special, std::string(1, c), start, space});
      } else {
        tokens.push_back({TokenKind::atom, read_atom(), start, space});
      }
      space = false;
    }
    return tokens;
  }

 private:
  void report(AddressProblemKind kind, std::size_t offset) { problems_.push_back({kind, offset}); }

  // Raw ISO-2022-JP (old Japanese mailers write it unencoded) shifts into two-byte mode with an
  // escape sequence; the bytes until the shift back may be '"', '(' or '\\' and must not be
  // read as syntax. Returns the end of the run starting at the escape at `pos`, or 0 when no
  // shift back follows on the same line (RFC 1468: every line ends in ASCII): then the escape
  // is an ordinary byte, and a stray one cannot swallow the rest of the field.
  std::size_t escape_run_end(std::size_t pos) {
    if (is_shift_back(text_, pos)) {
      return pos + 3;
    }
    if (pos < stop_from_ || pos >= stop_) {
      // Every escape between stop_from_ and stop_ finds the same first stop, which keeps
      // a line full of stray escapes linear.
      stop_from_ = pos;
      stop_ = pos + 1;
      while (stop_ < text_.size() && text_[stop_] != '\r' && text_[stop_] != '\n' &&
             !is_shift_back(text_, stop_)) {
        ++stop_;
      }
    }
    return is_shift_back(text_, stop_) ? stop_ + 3 : 0;
  }

  // Comments nest and hold quoted pairs (RFC 5322 §3.2.2).
  void skip_comment() {
    std::size_t start = pos_;
    int depth = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\\') {
        pos_ += 2;
        continue;
      }
      if (std::size_t end = c == kEscape ? escape_run_end(pos_) : 0; end > 0) {
        pos_ = end;
        continue;
      }
      ++pos_;
      if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return;
      }
    }
    pos_ = text_.size();
    report(AddressProblemKind::unterminated_comment, start);
  }

  // Folding inside a quoted string is invisible (§3.2.4): CR and LF go, the WSP stays.
  std::string read_quoted_string() {
    std::size_t start = pos_;
    std::string content;
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return content;
      }
      if (c == '\\') {
        // A quoted pair; a backslash before a line break or the end quotes nothing (a line
        // break in a header field is always folding).
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] != '\r' && text_[pos_ + 1] != '\n') {
          content += text_[pos_ + 1];
          ++pos_;
        }
        ++pos_;
        continue;
      }
      if (std::size_t end = c == kEscape ? escape_run_end(pos_) : 0; end > 0) {
        content.append(text_.substr(pos_, end - pos_));
        pos_ = end;
        continue;
      }
      if (c != '\r' && c != '\n') {
        content += c;
      }
      ++pos_;
    }
    pos_ = text_.size();
    report(AddressProblemKind::unterminated_quoted_string, start);
    return content;
  }

  // An unterminated literal stops at the next character that cannot be in one, so that
  // "[SPAM] ..." style damage stays local.
  std::string read_domain_literal() {
    std::size_t start = pos_;
    std::string literal = "[";
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ']') {
        ++pos_;
        literal += ']';
        return literal;
      }
      if (c == '\\') {
        // obs-dtext: a quoted pair is kept as written; a backslash before a line break or
        // the end pairs with nothing and goes.
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] != '\r' && text_[pos_ + 1] != '\n') {
          literal.append(text_.substr(pos_, 2));
          ++pos_;
        }
        ++pos_;
        continue;
      }
      if (c == '[' || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' || c == '(') {
        break;
      }
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        literal += c;
      }
      ++pos_;
    }
    pos_ = std::min(pos_, text_.size());
    report(AddressProblemKind::unterminated_domain_literal, start);
    return literal;
  }

  // Atoms take 8-bit bytes (RFC 6532 §3.2 adds UTF-8 to atext) and, leniently, control
  // characters: they are not syntax anywhere else either.
  std::string read_atom() {
    std::size_t start = pos_;
    // An encoded word counts only at the start of an atom (RFC 2047 §5: it stands alone).
    if (std::size_t length = encoded_word_length(text_, pos_); length > 0) {
      pos_ += length;
    }
    while (pos_ < text_.size()) {
      std::size_t run_end = text_[pos_] == kEscape ? escape_run_end(pos_) : 0;
      if (run_end > 0) {
        pos_ = run_end;
      } else if (ends_atom(text_[pos_])) {
        break;
      } else {
        ++pos_;
      }
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string_view text_;
  std::vector<AddressProblem>& problems_;
  std::size_t pos_ = 0;
  // The last escape_run_end() scan: from stop_from_ up to stop_, the first shift back, CR, LF
  // or the end of the text.
  std::size_t stop_from_ = 0;
  std::size_t stop_ = 0;
};

}  // namespace

std::vector<Token> tokenize_address(std::string_view field_value,
                                    std::vector<AddressProblem>& problems) {
  return Lexer(field_value, problems).run();
}

}  // namespace cqlist::mail::detail
