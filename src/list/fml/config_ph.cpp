// list/fml/config_ph.cpp: the static config.ph reader, for hosts without perl.
//
// It follows Perl's rules for what makefml writes: double-quoted strings interpolate $NAME and
// ${NAME} and drop the backslash of an unknown escape ("\S" is "S", "\@" is "@"), single quotes
// and q{...} do not interpolate, and `#` starts a comment outside strings. Anything else is a
// statement it did not understand, kept with its line for the import plan.
#include "list/fml/config_ph.hpp"

#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace cqlist::list::fml {
namespace {

bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

class Reader {
 public:
  Reader(std::string_view text, FmlConfig& config) : text_(text), config_(config) {}

  void run() {
    while (skip_space_and_comments(), pos_ < text_.size()) {
      const std::size_t start = pos_;
      const std::size_t line = line_;
      if (!statement(line)) {
        pos_ = start;
        line_ = line;
        skip_statement();
        std::string_view written = trim(text_.substr(start, pos_ - start));
        config_.unread.push_back({std::string(written.substr(0, 200)), line});
      }
    }
  }

 private:
  bool statement(std::size_t line) {
    char c = text_[pos_];
    if (c == '$' || c == '@') {
      ++pos_;
      std::string name = word();
      skip_space_and_comments();
      if (name.empty() || !eat('=')) {
        return false;
      }
      skip_space_and_comments();
      if (c == '$') {
        auto value = expression();
        if (!value || !end_of_statement()) {
          return false;
        }
        config_.scalars[name] = *value;
      } else {
        auto values = list();
        if (!values || !end_of_statement()) {
          return false;
        }
        config_.arrays[name] = *values;
      }
      config_.lines[name] = line;
      return true;
    }
    if (c == '&' || std::isupper(static_cast<unsigned char>(c)) != 0) {
      pos_ += c == '&' ? 1u : 0u;
      std::string name = word();
      skip_space_and_comments();
      auto args = list();
      if (name.empty() || !args || !end_of_statement()) {
        return false;
      }
      config_.calls.push_back({name, *args, line});
      return true;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      word();  // the closing `1;`
      return end_of_statement();
    }
    return false;
  }

  std::optional<std::vector<std::string>> list() {
    if (!eat('(')) {
      return std::nullopt;
    }
    std::vector<std::string> values;
    while (skip_space_and_comments(), !eat(')')) {
      auto value = expression();
      if (!value) {
        return std::nullopt;
      }
      values.push_back(*value);
      skip_space_and_comments();
      if (!eat(',') && (pos_ >= text_.size() || text_[pos_] != ')')) {
        return std::nullopt;
      }
    }
    return values;
  }

  std::optional<std::string> expression() {
    if (pos_ >= text_.size()) {
      return std::nullopt;
    }
    char c = text_[pos_];
    if (c == '"' || c == '\'') {
      ++pos_;
      auto raw = until(c);
      if (!raw) {
        return std::nullopt;
      }
      return c == '"' ? interpolate(*raw) : single_quoted(*raw);
    }
    if (c == 'q' && pos_ + 1 < text_.size()) {
      bool double_q = text_.substr(pos_, 2) == "qq";
      std::size_t delimiter_at = pos_ + (double_q ? 2u : 1u);
      if (delimiter_at >= text_.size() || is_word(text_[delimiter_at]) ||
          std::isspace(static_cast<unsigned char>(text_[delimiter_at])) != 0) {
        return std::nullopt;
      }
      char open = text_[delimiter_at];
      char close = open == '{' ? '}' : open == '(' ? ')' : open == '[' ? ']' : open;
      pos_ = delimiter_at + 1;
      auto raw = until(close);
      if (!raw) {
        return std::nullopt;
      }
      return double_q ? interpolate(*raw) : std::string(*raw);
    }
    if (c == '$') {
      ++pos_;
      std::string name = word();
      auto found = config_.scalars.find(name);
      return found == config_.scalars.end() ? std::string() : found->second;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-') {
      std::size_t start = pos_++;
      while (pos_ < text_.size() && (is_word(text_[pos_]) || text_[pos_] == '.')) {
        ++pos_;
      }
      return std::string(text_.substr(start, pos_ - start));
    }
    return std::nullopt;
  }

  // The raw text up to the unescaped `close`; the reader stands after it.
  std::optional<std::string_view> until(char close) {
    std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != close) {
      line_ += text_[pos_] == '\n' ? 1u : 0u;
      pos_ += text_[pos_] == '\\' ? 2u : 1u;
    }
    if (pos_ >= text_.size()) {
      return std::nullopt;
    }
    return text_.substr(start, pos_++ - start);
  }

  std::string interpolate(std::string_view raw) const {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == '\\' && i + 1 < raw.size()) {
        char next = raw[++i];
        out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
      } else if (c == '$' && i + 1 < raw.size() && (is_word(raw[i + 1]) || raw[i + 1] == '{')) {
        bool braced = raw[i + 1] == '{';
        std::size_t start = i + (braced ? 2u : 1u);
        std::size_t end = start;
        while (end < raw.size() && is_word(raw[end])) {
          ++end;
        }
        auto found = config_.scalars.find(std::string(raw.substr(start, end - start)));
        out += found == config_.scalars.end() ? std::string() : found->second;
        i = end - 1 + (braced && end < raw.size() && raw[end] == '}' ? 1u : 0u);
      } else {
        out += c;
      }
    }
    return out;
  }

  static std::string single_quoted(std::string_view raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size() && (raw[i + 1] == '\\' || raw[i + 1] == '\'')) {
        ++i;
      }
      out += raw[i];
    }
    return out;
  }

  std::string word() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_word(text_[pos_])) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  bool eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool end_of_statement() {
    skip_space_and_comments();
    return eat(';');
  }

  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c)) != 0) {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') {
          ++pos_;
        }
      } else {
        return;
      }
    }
  }

  // Past the next `;` outside quotes, comments and brackets, or past the `}` closing a block
  // (`if (...) { ... }`), or to the end.
  void skip_statement() {
    int depth = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '"' || c == '\'') {
        ++pos_;
        if (!until(c)) {
          return;
        }
        continue;
      }
      if (c == '#') {
        skip_space_and_comments();
        continue;
      }
      line_ += c == '\n' ? 1u : 0u;
      ++pos_;
      depth += (c == '{' || c == '(') ? 1 : (c == '}' || c == ')') ? -1 : 0;
      if ((c == ';' && depth <= 0) || (c == '}' && depth == 0)) {
        return;
      }
    }
  }

  std::string_view text_;
  FmlConfig& config_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

// `$NAME = ...` at the start of a line: where perl's variables were set, for messages.
void note_lines(std::string_view text, FmlConfig& config) {
  std::size_t line = 1;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    std::string_view row = trim(text.substr(at, end - at));
    if (!row.empty() && (row[0] == '$' || row[0] == '@')) {
      std::size_t name_end = 1;
      while (name_end < row.size() && is_word(row[name_end])) {
        ++name_end;
      }
      config.lines.emplace(std::string(row.substr(1, name_end - 1)), line);
    }
    if (end == std::string_view::npos) {
      break;
    }
    at = end + 1;
    ++line;
  }
}

}  // namespace

FmlConfig parse_config_ph(std::string_view text, std::string_view fml_home) {
  FmlConfig config;
  config.scalars["DIR"] = std::string(fml_home);
  Reader(text, config).run();
  config.scalars.erase("DIR");
  return config;
}

Result<FmlConfig> read_config_ph(const std::filesystem::path& file, std::string_view fml_home,
                                 const std::string& perl) {
  CQLIST_TRY(std::string text, read_file(file));
  if (!perl.empty()) {
    auto evaluated = evaluate_config_ph(file, fml_home, perl);
    if (evaluated) {
      note_lines(text, *evaluated);
      return evaluated;
    }
    if (evaluated.error().code() != Errc::not_found) {
      return evaluated;
    }
  }
  return parse_config_ph(text, fml_home);
}

}  // namespace cqlist::list::fml
