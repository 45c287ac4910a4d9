// cli/member_file.cpp: reading and writing member files (lines and CSV).
#include "cli/member_file.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "cli/store_command.hpp"

namespace cqlist::cli {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::array<std::string_view, 6> kColumns = {"address", "name",     "role",
                                                      "mode",    "receives", "may_post"};

std::string_view without_bom(std::string_view text) {
  return text.starts_with(kUtf8Bom) ? text.substr(kUtf8Bom.size()) : text;
}

store::MemberRow member_from(TypedAddress typed) {
  store::MemberRow member;
  member.address = std::move(typed.address);
  member.display_name = std::move(typed.display_name);
  return member;
}

MemberFile read_lines(std::string_view text) {
  MemberFile file;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    const std::string_view line = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line.front() == '#') {
      continue;
    }
    auto typed = parse_typed_address(line);
    if (!typed) {
      file.problems.push_back({line_number, typed.error().message()});
      continue;
    }
    file.entries.push_back({line_number, member_from(std::move(*typed))});
  }
  return file;
}

// --- CSV (RFC 4180; a bare LF ends a record as CRLF does, as spreadsheets on Unix write it)

struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
  bool first_field_quoted = false;
  std::string problem;  // the record could not be read; the rest of the file still is
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }

  // False at an unterminated quoted field: it swallowed the rest of the file.
  bool next(CsvRecord& record) {
    record = CsvRecord{line_, {}, false, {}};
    while (true) {
      std::string field;
      const bool quoted = peek() == '"';
      if (record.fields.empty()) {
        record.first_field_quoted = quoted;
      }
      if (quoted && !read_quoted(field, record)) {
        return false;
      }
      while (!done() && !at_field_end()) {
        field += text_[pos_++];
      }
      record.fields.push_back(std::move(field));
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      end_record();
      return true;
    }
  }

 private:
  char peek() const { return done() ? '\0' : text_[pos_]; }

  bool at_field_end() const { return peek() == ',' || peek() == '\r' || peek() == '\n'; }

  bool read_quoted(std::string& field, CsvRecord& record) {
    const std::size_t opened_on = line_;
    ++pos_;
    while (true) {
      if (done()) {
        record.line = opened_on;
        record.problem = "a quoted field starts here and is never closed (a missing '\"')";
        return false;
      }
      const char c = text_[pos_++];
      if (c == '"') {
        if (peek() != '"') {
          break;
        }
        ++pos_;
      } else if (c == '\n') {
        ++line_;
      }
      field += c;
    }
    if (!done() && !at_field_end() && record.problem.empty()) {
      record.problem = "text after the closing quote of a field (write \"\" for a quote)";
    }
    return true;
  }

  void end_record() {
    if (peek() == '\r') {
      ++pos_;
    }
    if (peek() == '\n') {
      ++pos_;
    }
    ++line_;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

std::optional<bool> parse_yes_no(std::string_view text) {
  const std::string value = to_ascii_lower(trim(text));
  if (value.empty() || value == "yes" || value == "y" || value == "true" || value == "1") {
    return true;
  }
  if (value == "no" || value == "n" || value == "false" || value == "0") {
    return false;
  }
  return std::nullopt;
}

bool is_blank(const CsvRecord& record) {
  return record.fields.size() == 1 && trim(record.fields.front()).empty();
}

bool is_comment(const CsvRecord& record) {
  return !record.first_field_quoted && trim(record.fields.front()).starts_with("#");
}

// The column names of the header record, or a problem.
std::optional<std::string> read_header(const CsvRecord& record, std::vector<std::string>& columns) {
  std::set<std::string> seen;
  for (const std::string& field : record.fields) {
    std::string name = to_ascii_lower(trim(field));
    if (std::find(kColumns.begin(), kColumns.end(), name) == kColumns.end()) {
      return fmt::format(
          "unknown column \"{}\"; the columns are address,name,role,mode,"
          "receives,may_post (the first line names them)",
          field);
    }
    if (!seen.insert(name).second) {
      return fmt::format("the column \"{}\" is named twice", name);
    }
    columns.push_back(std::move(name));
  }
  if (!seen.contains("address")) {
    return std::string(
        "the first line must name the columns, with at least \"address\": "
        "address,name,role,mode,receives,may_post");
  }
  return std::nullopt;
}

std::optional<std::string> read_row(const CsvRecord& record,
                                    const std::vector<std::string>& columns,
                                    store::MemberRow& member) {
  if (record.fields.size() > columns.size()) {
    return fmt::format(
        "{} fields, but the header names {} columns (quote a field that "
        "holds a comma)",
        record.fields.size(), columns.size());
  }
  std::map<std::string, std::string_view> values;
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    values[columns[i]] = record.fields[i];
  }
  auto typed = parse_typed_address(values["address"]);
  if (!typed) {
    return typed.error().message();
  }
  member = member_from(std::move(*typed));
  if (std::string_view name = trim(values["name"]); !name.empty()) {
    member.display_name = std::string(name);
  }
  if (std::string_view role = trim(values["role"]); !role.empty()) {
    auto parsed = store::parse_role(role);
    if (!parsed) {
      return fmt::format("role \"{}\": use member, moderator or owner", role);
    }
    member.role = *parsed;
  }
  if (std::string_view mode = trim(values["mode"]); !mode.empty()) {
    auto parsed = store::parse_delivery_mode(mode);
    if (!parsed) {
      return fmt::format("mode \"{}\": use regular, digest or nomail", mode);
    }
    member.mode = *parsed;
  }
  for (auto [column, flag] :
       {std::pair{"receives", &member.receives}, std::pair{"may_post", &member.may_post}}) {
    auto parsed = parse_yes_no(values[column]);
    if (!parsed) {
      return fmt::format("{} \"{}\": use yes or no", column, values[column]);
    }
    *flag = *parsed;
  }
  return std::nullopt;
}

MemberFile read_csv(std::string_view text) {
  MemberFile file;
  CsvReader reader(text);
  std::vector<std::string> columns;
  CsvRecord record;
  while (!reader.done()) {
    const bool complete = reader.next(record);
    if (!record.problem.empty()) {
      file.problems.push_back({record.line, record.problem});
      if (!complete) {
        break;
      }
      continue;
    }
    if (is_blank(record) || is_comment(record)) {
      continue;
    }
    if (columns.empty()) {
      if (auto problem = read_header(record, columns)) {
        file.problems.push_back({record.line, *problem});
        file.entries.clear();
        return file;  // without the columns no row means anything
      }
      continue;
    }
    store::MemberRow member;
    if (auto problem = read_row(record, columns, member)) {
      file.problems.push_back({record.line, *problem});
      continue;
    }
    file.entries.push_back({record.line, std::move(member)});
  }
  if (columns.empty() && file.problems.empty()) {
    file.problems.push_back({1,
                             "the file is empty; a CSV member file starts with the line "
                             "address,name,role,mode,receives,may_post"});
  }
  return file;
}

// --- writing

bool needs_csv_quotes(std::string_view field) {
  return field.find_first_of(",\"\r\n") != std::string_view::npos ||
         (!field.empty() && (field.front() == ' ' || field.back() == ' ' || field.front() == '#'));
}

std::string csv_field(std::string_view field) {
  if (!needs_csv_quotes(field)) {
    return std::string(field);
  }
  std::string quoted = "\"";
  for (char c : field) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  return quoted + "\"";
}

// A display name as the lines format writes it: as is when it is words (UTF-8 included, as
// RFC 6532 allows), else as a quoted string. Line breaks cannot be in a line.
std::string name_phrase(std::string_view name) {
  std::string clean;
  for (char c : name) {
    const bool control = static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
    if (!control) {
      clean += c;
    } else if (clean.empty() || clean.back() != ' ') {
      clean += ' ';  // "two\r\nlines" reads "two lines"
    }
  }
  const bool plain_words =
      !clean.empty() && clean.front() != ' ' && clean.back() != ' ' &&
      clean.find("=?") == std::string::npos && std::all_of(clean.begin(), clean.end(), [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return byte >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '_';
      });
  if (plain_words) {
    return clean;
  }
  std::string quoted = "\"";
  for (char c : clean) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
    }
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

MemberFile read_member_file(std::string_view text, MemberFormat format) {
  text = without_bom(text);
  return format == MemberFormat::csv ? read_csv(text) : read_lines(text);
}

std::string member_file_header(MemberFormat format) {
  return format == MemberFormat::csv ? "address,name,role,mode,receives,may_post\n" : "";
}

std::string member_file_row(const store::MemberRow& member, MemberFormat format) {
  if (format == MemberFormat::csv) {
    return fmt::format("{},{},{},{},{},{}\n", csv_field(member.address),
                       csv_field(member.display_name), store::role_name(member.role),
                       store::delivery_mode_name(member.mode), member.receives ? "yes" : "no",
                       member.may_post ? "yes" : "no");
  }
  if (member.display_name.empty()) {
    // A bare address starting with '#' would read back as a comment.
    return member.address.starts_with("#") ? fmt::format("<{}>\n", member.address)
                                           : member.address + "\n";
  }
  return fmt::format("{} <{}>\n", name_phrase(member.display_name), member.address);
}

}  // namespace cqlist::cli
