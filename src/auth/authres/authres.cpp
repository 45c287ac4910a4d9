// auth/authres/authres.cpp: RFC 8601 §2.2 grammar, parsed by hand with CFWS (RFC 5322 §3.2.2)
// allowed between every pair of tokens.
#include "auth/authres/authres.hpp"

#include <cctype>

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist::auth::authres {
namespace {

bool is_keyword_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
}

// RFC 2045 §5.1 tspecials, plus SP and CTLs: characters a token may not hold.
bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u == 0x7f) {
    return false;
  }
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }

  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  std::size_t pos() const { return pos_; }

  void seek(std::size_t pos) { pos_ = pos; }

  // Skips white space and comments; comment texts are appended to `comments` when given.
  Result<void> skip_cfws(std::vector<std::string>* comments = nullptr) {
    while (!at_end()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++pos_;
      } else if (c == '(') {
        CQLIST_TRY(std::string comment, read_comment());
        if (comments != nullptr) {
          comments->push_back(std::move(comment));
        }
      } else {
        break;
      }
    }
    return {};
  }

  std::string read_keyword() {
    std::size_t start = pos_;
    while (!at_end() && is_keyword_char(text_[pos_])) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  // value = token / quoted-string (RFC 2045 §5.1); authserv-ids are tokens with dots.
  Result<std::string> read_value() {
    if (peek() == '"') {
      return read_quoted();
    }
    std::size_t start = pos_;
    while (!at_end() && (is_token_char(text_[pos_]) || text_[pos_] == '/')) {
      ++pos_;
    }
    if (start == pos_) {
      return error("a value");
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  // pvalue (§2.2): a value or [local-part "@"] domain-name. Read leniently up to CFWS or ';'
  // because real fields carry unquoted base64 (header.b=ab/c+d=).
  Result<std::string> read_pvalue() {
    if (peek() == '"') {
      return read_quoted();
    }
    std::size_t start = pos_;
    while (!at_end()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(') {
        break;
      }
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  Result<void> expect(char c, std::string_view what) {
    if (peek() != c) {
      return error(what);
    }
    ++pos_;
    return {};
  }

  tl::unexpected<Error> error(std::string_view expected) const {
    if (at_end()) {
      return fail(Errc::bad_syntax,
                  fmt::format("Authentication-Results ends where {} was expected", expected));
    }
    return fail(Errc::bad_syntax,
                fmt::format("Authentication-Results: expected {} at byte {}, found '{}'", expected,
                            pos_, text_[pos_]));
  }

 private:
  Result<std::string> read_quoted() {
    ++pos_;
    std::string out;
    while (!at_end()) {
      char c = text_[pos_++];
      if (c == '"') {
        return out;
      }
      if (c == '\r' || c == '\n') {
        continue;  // a fold: unfolding removes the line break and keeps the white space after it
      }
      if (c == '\\' && !at_end()) {
        c = text_[pos_++];
        if (c == '\r' || c == '\n') {
          continue;  // an obsolete quoted CR or LF is a line break too, never part of the value
        }
      }
      out.push_back(c);
    }
    return fail(Errc::bad_syntax, "Authentication-Results: a quoted string is not closed");
  }

  Result<std::string> read_comment() {
    ++pos_;
    int depth = 1;
    std::string out;
    while (!at_end()) {
      char c = text_[pos_++];
      if (c == '\\' && !at_end()) {
        c = text_[pos_++];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
          out.push_back(c);
          continue;
        }
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return std::string(trim(out));
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        // Folding inside a comment is white space (RFC 5322 §3.2.2): keep one space.
        if (!out.empty() && out.back() != ' ') {
          out.push_back(' ');
        }
        continue;
      }
      out.push_back(c);
    }
    return fail(Errc::bad_syntax, "Authentication-Results: a comment is not closed");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// methodspec [reasonspec] [propspecs], after the ';'.
Result<MethodResult> parse_resinfo(Parser& parser) {
  MethodResult out;
  out.method = to_ascii_lower(parser.read_keyword());
  if (out.method.empty()) {
    return parser.error("a method name (spf, dkim, dmarc, ...)");
  }
  CQLIST_TRY_VOID(parser.skip_cfws(&out.comments));
  if (parser.peek() == '/') {
    parser.seek(parser.pos() + 1);
    CQLIST_TRY_VOID(parser.skip_cfws(&out.comments));
    out.method_version = parser.read_keyword();
    CQLIST_TRY_VOID(parser.skip_cfws(&out.comments));
  }
  CQLIST_TRY_VOID(parser.expect('=', "'=' after the method name"));
  CQLIST_TRY_VOID(parser.skip_cfws(&out.comments));
  out.result = to_ascii_lower(parser.read_keyword());
  if (out.result.empty()) {
    return parser.error(fmt::format("a result for {}", out.method));
  }
  while (true) {
    CQLIST_TRY_VOID(parser.skip_cfws(&out.comments));
    if (parser.at_end() || parser.peek() == ';') {
      return out;
    }
    std::string word = parser.read_keyword();
    if (word.empty()) {
      return parser.error("a property (ptype.property=value) or ';'");
    }
    CQLIST_TRY_VOID(parser.skip_cfws(&out.comments));
    Property property;
    if (parser.peek() == '.') {
      parser.seek(parser.pos() + 1);
      CQLIST_TRY_VOID(parser.skip_cfws(&out.comments));
      property.ptype = to_ascii_lower(word);
      property.name = parser.read_keyword();
      if (property.name.empty()) {
        return parser.error(fmt::format("a property name after \"{}.\"", word));
      }
      CQLIST_TRY_VOID(parser.skip_cfws(&out.comments));
    } else {
      property.name = word;
    }
    CQLIST_TRY_VOID(parser.expect('=', fmt::format("'=' after \"{}\"", word)));
    CQLIST_TRY_VOID(parser.skip_cfws(&out.comments));
    if (property.ptype.empty() && iequals(property.name, "reason")) {
      CQLIST_TRY(out.reason, parser.read_value());
      continue;
    }
    CQLIST_TRY(property.value, parser.read_pvalue());
    out.properties.push_back(std::move(property));
  }
}

// Whether a method spec starts here (keyword, optional /version, '='): Microsoft omits the
// authserv-id and starts with "spf=pass".
bool method_starts_here(Parser& parser) {
  std::size_t start = parser.pos();
  std::string word = parser.read_keyword();
  bool method = false;
  if (!word.empty() && parser.skip_cfws()) {
    method = parser.peek() == '=' || parser.peek() == '/';
  }
  parser.seek(start);
  return method;
}

bool needs_quotes(std::string_view value, bool allow_at) {
  if (value.empty()) {
    return true;
  }
  for (char c : value) {
    if (!is_token_char(c) && !(allow_at && c == '@')) {
      return true;
    }
  }
  return false;
}

std::string quoted(std::string_view value, bool allow_at) {
  if (!needs_quotes(value, allow_at)) {
    return std::string(value);
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string comment_text(std::string_view text) {
  std::string out = "(";
  for (char c : text) {
    if (c == '(' || c == ')' || c == '\\') {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out + ")";
}

}  // namespace

std::string_view MethodResult::property(std::string_view ptype, std::string_view name) const {
  for (const Property& p : properties) {
    if (iequals(p.ptype, ptype) && iequals(p.name, name)) {
      return p.value;
    }
  }
  return {};
}

Result<AuthenticationResults> parse(std::string_view value) {
  AuthenticationResults out;
  Parser parser(value);
  CQLIST_TRY_VOID(parser.skip_cfws());
  bool need_semicolon = true;
  if (method_starts_here(parser)) {
    need_semicolon = false;  // no authserv-id (non-conforming, but Exchange Online does it)
  } else {
    CQLIST_TRY(out.authserv_id, parser.read_value());
    CQLIST_TRY_VOID(parser.skip_cfws());
    if (std::isdigit(static_cast<unsigned char>(parser.peek())) != 0) {
      std::string digits = parser.read_keyword();
      int version = 0;
      for (char c : digits) {
        if (std::isdigit(static_cast<unsigned char>(c)) == 0 || version > 1000) {
          return parser.error("a version number after the authserv-id");
        }
        version = version * 10 + (c - '0');
      }
      out.version = version;
    }
  }
  bool saw_none = false;
  while (true) {
    CQLIST_TRY_VOID(parser.skip_cfws());
    if (parser.at_end()) {
      break;
    }
    if (need_semicolon) {
      CQLIST_TRY_VOID(parser.expect(';', "';'"));
      CQLIST_TRY_VOID(parser.skip_cfws());
      if (parser.at_end()) {
        break;  // a trailing ';' is harmless
      }
    }
    need_semicolon = true;
    std::size_t start = parser.pos();
    std::string word = parser.read_keyword();
    if (iequals(word, "none") && !method_starts_here((parser.seek(start), parser))) {
      parser.seek(start + word.size());
      saw_none = true;  // §2.2 no-result
      continue;
    }
    parser.seek(start);
    CQLIST_TRY(MethodResult result, parse_resinfo(parser));
    out.results.push_back(std::move(result));
  }
  if (out.results.empty() && !saw_none && out.authserv_id.empty()) {
    return fail(Errc::bad_syntax, "Authentication-Results is empty");
  }
  return out;
}

std::string format_results(const std::vector<MethodResult>& results) {
  constexpr std::size_t kWidth = 78;
  if (results.empty()) {
    return "none";
  }

  // A piece is a word the line may break before. Inside a quoted string the break keeps the
  // space it replaces ("\r\n "), so the value unfolds to the same text (RFC 5322 §3.2.2).
  struct Piece {
    std::string text;
    bool inside_quotes = false;
  };

  const auto add_words = [](std::vector<Piece>& pieces, std::string_view text, bool quoted_text) {
    bool first = true;
    while (true) {
      std::size_t space = text.find(' ');
      pieces.push_back({std::string(text.substr(0, space)), quoted_text && !first});
      first = false;
      if (space == std::string_view::npos) {
        return;
      }
      text = text.substr(space + 1);
    }
  };
  std::string out;
  for (const MethodResult& result : results) {
    if (!out.empty()) {
      out += ";\r\n\t";
    }
    std::vector<Piece> pieces;
    pieces.push_back({fmt::format("{}{}={}", result.method,
                                  result.method_version.empty() ? "" : "/" + result.method_version,
                                  result.result)});
    for (const std::string& comment : result.comments) {
      // Folding inside a comment reads back as one space (the parser collapses it).
      add_words(pieces, comment_text(comment), false);
    }
    if (!result.reason.empty()) {
      add_words(pieces, "reason=" + quoted(result.reason, false), true);
    }
    for (const Property& p : result.properties) {
      add_words(pieces,
                fmt::format("{}{}{}={}", p.ptype, p.ptype.empty() ? "" : ".", p.name,
                            quoted(p.value, true)),
                true);
    }
    std::size_t column = 8;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      if (i > 0) {
        if (column + 1 + pieces[i].text.size() > kWidth) {
          out += pieces[i].inside_quotes ? "\r\n " : "\r\n\t";
          column = pieces[i].inside_quotes ? 1 : 8;
        } else {
          out += " ";
          ++column;
        }
      }
      out += pieces[i].text;
      column += pieces[i].text.size();
    }
  }
  return out;
}

std::string format(const AuthenticationResults& results) {
  std::string out = " " + quoted(results.authserv_id, false);
  if (results.version) {
    out += fmt::format(" {}", *results.version);
  }
  if (results.results.empty()) {
    return out + "; none";
  }
  return out + ";\r\n\t" + format_results(results.results);
}

std::vector<MethodResult> trusted_results(const mail::Message& message,
                                          std::string_view authserv_id) {
  std::vector<MethodResult> out;
  for (const mail::HeaderField& field : message.fields()) {
    if (!field.is_named("Authentication-Results")) {
      continue;
    }
    auto parsed = parse(field.unfolded_value());
    if (!parsed || parsed->authserv_id.empty() || !iequals(parsed->authserv_id, authserv_id)) {
      continue;
    }
    for (MethodResult& result : parsed->results) {
      out.push_back(std::move(result));
    }
  }
  return out;
}

}  // namespace cqlist::auth::authres
