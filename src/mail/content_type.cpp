#include "mail/content_type.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>

#include "base/strings.hpp"
#include "mail/charset.hpp"

namespace cqlist::mail {
namespace {

constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// RFC 2045 §5.1 token characters: printable ASCII except tspecials. '*' is a token character,
// which is what lets RFC 2231 hang its suffixes on parameter names.
constexpr bool is_token_char(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte <= 32 || byte >= 127) {
    return false;
  }
  constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?=";
  return kTspecials.find(c) == std::string_view::npos;
}

// Skips white space and RFC 5322 §3.2.2 comments, which may nest and hold quoted-pairs.
std::size_t skip_cfws(std::string_view text, std::size_t pos) {
  while (pos < text.size()) {
    if (is_space(text[pos])) {
      ++pos;
      continue;
    }
    if (text[pos] != '(') {
      break;
    }
    int depth = 0;
    while (pos < text.size()) {
      char c = text[pos++];
      if (c == '\\') {
        ++pos;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        break;
      }
    }
  }
  return std::min(pos, text.size());
}

std::size_t read_token(std::string_view text, std::size_t pos) {
  while (pos < text.size() && is_token_char(text[pos])) {
    ++pos;
  }
  return pos;
}

// One "name=value" as written. Offsets let set_parameter() edit in place.
struct RawParameter {
  std::string_view name;
  std::string value;
  std::size_t begin = 0;  // where the name starts
  std::size_t end = 0;    // just after the value (after its closing quote)
};

// Reads a quoted-string starting at the opening quote; returns the position after it.
std::size_t read_quoted(std::string_view text, std::size_t pos, std::string& out, bool& closed) {
  ++pos;
  closed = false;
  while (pos < text.size()) {
    char c = text[pos++];
    if (c == '"') {
      closed = true;
      break;
    }
    if (c == '\\' && pos < text.size()) {
      c = text[pos++];
    } else if (c == '\r' || c == '\n') {
      continue;  // folding inside the quotes: the line break itself is not content
    }
    out += c;
  }
  return pos;
}

// Unquoted values run to the next ';'. Spaces inside ("name=my file.pdf") are kept, as every
// mail reader does; a '(' after white space starts a comment ("charset=us-ascii (plain)").
std::size_t read_unquoted(std::string_view text, std::size_t pos, std::string& out) {
  std::size_t start = pos;
  std::size_t last = pos;  // end of the value without trailing white space
  while (pos < text.size() && text[pos] != ';') {
    char c = text[pos];
    if (c == '(' && pos > start && is_space(text[pos - 1])) {
      break;
    }
    ++pos;
    if (!is_space(c)) {
      last = pos;
    }
  }
  for (std::size_t i = start; i < last; ++i) {
    if (text[i] != '\r' && text[i] != '\n') {
      out += text[i];
    }
  }
  return last;
}

// Moves to the next ';' that is not inside a quoted string or a comment.
std::size_t skip_to_separator(std::string_view text, std::size_t pos) {
  while (pos < text.size() && text[pos] != ';') {
    if (text[pos] == '"') {
      std::string ignored;
      bool closed = false;
      pos = read_quoted(text, pos, ignored, closed);
    } else if (text[pos] == '(') {
      pos = skip_cfws(text, pos);
    } else {
      ++pos;
    }
  }
  return pos;
}

// Real fields have a handful of parameters; the cap keeps the duplicate and RFC 2231 section
// matching (quadratic in the count) cheap on hostile input.
constexpr std::size_t kMaxParameters = 64;

// Reads the parameter list that starts at `pos` (at or before the first ';').
std::vector<RawParameter> scan_parameters(std::string_view text, std::size_t pos, bool& malformed) {
  std::vector<RawParameter> found;
  bool separated = false;
  while (true) {
    pos = skip_cfws(text, pos);
    if (pos >= text.size()) {
      break;
    }
    if (text[pos] == ';') {
      separated = true;
      ++pos;
      continue;
    }
    if (found.size() == kMaxParameters) {
      malformed = true;
      break;
    }
    if (!separated) {
      malformed = true;  // "text/plain charset=x": read it anyway
    }
    separated = false;
    RawParameter parameter;
    parameter.begin = pos;
    std::size_t name_end = read_token(text, pos);
    parameter.name = text.substr(pos, name_end - pos);
    pos = skip_cfws(text, name_end);
    if (parameter.name.empty() || pos >= text.size() || text[pos] != '=') {
      malformed = true;
      pos = skip_to_separator(text, pos);  // moves on: text[pos] is a non-token character
      continue;
    }
    pos = skip_cfws(text, pos + 1);
    if (pos < text.size() && text[pos] == '"') {
      bool closed = false;
      pos = read_quoted(text, pos, parameter.value, closed);
      malformed = malformed || !closed;
    } else {
      pos = read_unquoted(text, pos, parameter.value);
      malformed = malformed || parameter.value.empty();
    }
    parameter.end = pos;
    found.push_back(std::move(parameter));
  }
  return found;
}

// RFC 2231 §4: extended values are %XX-encoded; a broken escape is kept as written.
void append_percent_decoded(std::string_view text, std::string& out) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_digit_value(text[i + 1]) >= 0 &&
        hex_digit_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit_value(text[i + 1]) * 16 + hex_digit_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
}

// A parameter name split by RFC 2231 §3/§4: "title*1*" is section 1 of "title", encoded.
struct NameParts {
  std::string base;
  std::optional<unsigned> section;  // nullopt: a plain name (no '*')
  bool encoded = false;
};

NameParts split_name(std::string_view raw_name) {
  NameParts parts;
  parts.base = to_ascii_lower(raw_name);
  std::size_t star = parts.base.find('*');
  if (star == std::string::npos || star == 0) {
    return parts;
  }
  std::string_view suffix = std::string_view(parts.base).substr(star + 1);
  bool encoded = false;
  if (!suffix.empty() && suffix.back() == '*') {
    encoded = true;
    suffix.remove_suffix(1);
  }
  unsigned number = 0;
  if (suffix.empty()) {
    encoded = true;  // "name*": a single extended value
  } else {
    if (suffix.size() > 4 ||
        !std::all_of(suffix.begin(), suffix.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return parts;  // not an RFC 2231 suffix: keep the odd name as it is
    }
    for (char c : suffix) {
      number = number * 10 + static_cast<unsigned>(c - '0');
    }
  }
  parts.base.resize(star);
  parts.section = number;
  parts.encoded = encoded;
  return parts;
}

struct Section {
  std::size_t target = 0;  // index into the output parameters
  unsigned number = 0;
  bool encoded = false;
  std::string value;
};

// Joins the sections of one parameter (RFC 2231 §3) and decodes them (§4).
void assemble_sections(std::vector<Section*>& sections, HeaderParameter& out, bool& malformed) {
  std::stable_sort(sections.begin(), sections.end(),
                   [](const Section* a, const Section* b) { return a->number < b->number; });
  std::string bytes;
  std::string charset;
  std::string language;
  std::optional<unsigned> previous;
  for (Section* section : sections) {
    if (previous && *previous == section->number) {
      malformed = true;  // duplicate section: the first one wins
      continue;
    }
    if (section->number != (previous ? *previous + 1 : 0)) {
      malformed = true;  // a gap or no section 0: join what is there
    }
    previous = section->number;
    std::string_view value = section->value;
    if (section->encoded && section == sections.front() && section->number == 0) {
      std::size_t first = value.find('\'');
      std::size_t second = first == std::string_view::npos ? first : value.find('\'', first + 1);
      if (second == std::string_view::npos) {
        malformed = true;
      } else {
        charset = to_ascii_lower(value.substr(0, first));
        language = std::string(value.substr(first + 1, second - first - 1));
        value.remove_prefix(second + 1);
      }
    }
    if (section->encoded) {
      append_percent_decoded(value, bytes);
    } else {
      bytes += value;
    }
  }
  out.value = charset.empty() ? std::move(bytes) : to_utf8_lenient(bytes, charset);
  out.charset = std::move(charset);
  out.language = std::move(language);
}

HeaderParameters build_parameters(std::vector<RawParameter> raw, bool& malformed) {
  HeaderParameters out;
  out.reserve(raw.size());
  bool any_extended = std::any_of(raw.begin(), raw.end(), [](const RawParameter& p) {
    return p.name.find('*') != std::string_view::npos;
  });
  if (!any_extended) {
    for (auto& parameter : raw) {
      std::string name = to_ascii_lower(parameter.name);
      if (find_parameter(out, name) != nullptr) {
        malformed = true;  // duplicate: the first one wins, as for the boundary it must
        continue;
      }
      out.push_back(HeaderParameter{std::move(name), std::move(parameter.value), {}, {}});
    }
    return out;
  }

  std::vector<Section> sections;
  std::vector<bool> has_plain;
  for (auto& parameter : raw) {
    NameParts parts = split_name(parameter.name);
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const HeaderParameter& p) { return p.name == parts.base; });
    auto target = static_cast<std::size_t>(it - out.begin());
    if (it == out.end()) {
      out.push_back(HeaderParameter{parts.base, {}, {}, {}});
      has_plain.push_back(false);
    }
    if (parts.section) {
      sections.push_back(
          Section{target, *parts.section, parts.encoded, std::move(parameter.value)});
    } else if (has_plain[target]) {
      malformed = true;
    } else {
      has_plain[target] = true;
      out[target].value = std::move(parameter.value);
    }
  }
  // RFC 2231 values replace a plain parameter of the same name: senders write both so that
  // older readers still see something.
  for (std::size_t target = 0; target < out.size(); ++target) {
    std::vector<Section*> mine;
    for (auto& section : sections) {
      if (section.target == target) {
        mine.push_back(&section);
      }
    }
    if (!mine.empty()) {
      assemble_sections(mine, out[target], malformed);
    }
  }
  return out;
}

std::string_view parameter_value(const HeaderParameters& parameters, std::string_view name,
                                 std::string_view fallback) {
  const HeaderParameter* found = find_parameter(parameters, name);
  return found != nullptr ? std::string_view(found->value) : fallback;
}

}  // namespace

const HeaderParameter* find_parameter(const HeaderParameters& parameters, std::string_view name) {
  for (const auto& parameter : parameters) {
    if (parameter.name == name) {
      return &parameter;
    }
  }
  return nullptr;
}

std::string_view ContentType::parameter(std::string_view name, std::string_view fallback) const {
  return parameter_value(parameters, name, fallback);
}

std::string_view ContentDisposition::parameter(std::string_view name,
                                               std::string_view fallback) const {
  return parameter_value(parameters, name, fallback);
}

ContentType parse_content_type(std::string_view value) {
  ContentType result;
  std::size_t pos = skip_cfws(value, 0);
  std::size_t type_end = read_token(value, pos);
  std::string_view type = value.substr(pos, type_end - pos);
  pos = skip_cfws(value, type_end);
  std::string_view subtype;
  if (pos < value.size() && value[pos] == '/') {
    pos = skip_cfws(value, pos + 1);
    std::size_t subtype_end = read_token(value, pos);
    subtype = value.substr(pos, subtype_end - pos);
    pos = subtype_end;
  }
  if (type.empty() || subtype.empty()) {
    result.type_invalid = true;
  } else {
    result.type = to_ascii_lower(type);
    result.subtype = to_ascii_lower(subtype);
  }
  // Garbage before the first ';' is read as a parameter, so that a missing ';' costs nothing.
  result.parameters =
      build_parameters(scan_parameters(value, pos, result.malformed), result.malformed);
  return result;
}

ContentDisposition parse_content_disposition(std::string_view value) {
  ContentDisposition result;
  std::size_t pos = skip_cfws(value, 0);
  std::size_t type_end = read_token(value, pos);
  result.type = to_ascii_lower(value.substr(pos, type_end - pos));
  result.parameters =
      build_parameters(scan_parameters(value, type_end, result.malformed), result.malformed);
  return result;
}

TransferEncoding parse_transfer_encoding(std::string_view value) {
  std::size_t pos = skip_cfws(value, 0);
  std::size_t end = read_token(value, pos);
  std::string_view token = value.substr(pos, end - pos);
  if (token.empty() || iequals(token, "7bit")) {
    return TransferEncoding::seven_bit;
  }
  if (iequals(token, "8bit")) {
    return TransferEncoding::eight_bit;
  }
  if (iequals(token, "binary")) {
    return TransferEncoding::binary;
  }
  if (iequals(token, "quoted-printable")) {
    return TransferEncoding::quoted_printable;
  }
  if (iequals(token, "base64")) {
    return TransferEncoding::base64;
  }
  return TransferEncoding::unknown;
}

std::string_view transfer_encoding_name(TransferEncoding encoding) {
  switch (encoding) {
    case TransferEncoding::seven_bit:
      return "7bit";
    case TransferEncoding::eight_bit:
      return "8bit";
    case TransferEncoding::binary:
      return "binary";
    case TransferEncoding::quoted_printable:
      return "quoted-printable";
    case TransferEncoding::base64:
      return "base64";
    case TransferEncoding::unknown:
      return "unknown";
  }
  return "unknown";
}

std::string set_parameter(std::string_view field_value, std::string_view name,
                          std::string_view value) {
  std::string written(name);
  written += '=';
  bool needs_quotes = value.empty() || !std::all_of(value.begin(), value.end(), is_token_char);
  if (needs_quotes) {
    written += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') {
        written += '\\';
      }
      written += c;
    }
    written += '"';
  } else {
    written += value;
  }

  // Find where the parameters start: after type/subtype (or a disposition type).
  std::size_t pos = skip_cfws(field_value, 0);
  pos = read_token(field_value, pos);
  std::size_t after_type = skip_cfws(field_value, pos);
  if (after_type < field_value.size() && field_value[after_type] == '/') {
    pos = read_token(field_value, skip_cfws(field_value, after_type + 1));
  }
  bool malformed = false;
  std::vector<RawParameter> raw = scan_parameters(field_value, pos, malformed);
  std::string result;
  result.reserve(field_value.size() + written.size() + 2);
  std::size_t copied = 0;
  bool placed = false;
  for (const auto& parameter : raw) {
    if (split_name(parameter.name).base != name) {
      continue;
    }
    if (!placed) {
      result.append(field_value, copied, parameter.begin - copied);
      result += written;
      placed = true;
    } else {
      // Drop the later duplicate together with the ';' (and folding) in front of it.
      std::size_t start = parameter.begin;
      while (start > copied && is_space(field_value[start - 1])) {
        --start;
      }
      if (start > copied && field_value[start - 1] == ';') {
        --start;
      }
      result.append(field_value, copied, start - copied);
    }
    copied = parameter.end;
  }
  if (placed) {
    result.append(field_value, copied);
    return result;
  }
  std::size_t end = field_value.size();
  while (end > 0 && is_space(field_value[end - 1])) {
    --end;
  }
  result.append(field_value, 0, end);
  result += (end > 0 && field_value[end - 1] == ';') ? " " : "; ";
  result += written;
  result.append(field_value, end);
  return result;
}

}  // namespace cqlist::mail
