#include "mail/message.hpp"

#include <algorithm>
#include <cstring>

#include "base/strings.hpp"

namespace cqlist::mail {

std::string_view defect_name(Defect defect) {
  switch (defect) {
    case Defect::bare_cr:
      return "bare_cr";
    case Defect::mixed_line_endings:
      return "mixed_line_endings";
    case Defect::nul_byte:
      return "nul_byte";
    case Defect::mbox_from_line:
      return "mbox_from_line";
    case Defect::leading_continuation:
      return "leading_continuation";
    case Defect::line_without_colon:
      return "line_without_colon";
    case Defect::no_blank_line:
      return "no_blank_line";
    case Defect::eight_bit_header:
      return "eight_bit_header";
  }
  return "unknown";
}

// Builds HeaderField values; a friend so that the field's layout stays private.
class FieldBuilder {
 public:
  // `raw` must start with a field name and a colon (possibly after white space).
  static HeaderField from_raw(std::string_view raw, std::size_t name_length,
                              std::size_t colon_offset) {
    HeaderField field;
    field.raw_ = raw;
    field.name_length_ = name_length;
    field.value_offset_ = colon_offset + 1;
    std::size_t end = raw.size();
    if (end > field.value_offset_ && raw[end - 1] == '\n') {
      --end;
      if (end > field.value_offset_ && raw[end - 1] == '\r') {
        --end;
      }
    }
    field.value_length_ = end - field.value_offset_;
    return field;
  }

  static HeaderField owned(std::string text, std::size_t name_length) {
    auto storage = std::make_shared<const std::string>(std::move(text));
    HeaderField field = from_raw(*storage, name_length, name_length);
    field.owned_ = std::move(storage);
    return field;
  }
};

namespace {

bool is_field_name_char(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte >= 33 && byte <= 126 && c != ':';
}

// Length of the line starting at `pos` including its LF (or to the end of input).
std::size_t line_length(std::string_view text, std::size_t pos) {
  const void* lf = std::memchr(text.data() + pos, '\n', text.size() - pos);
  if (lf == nullptr) {
    return text.size() - pos;
  }
  return static_cast<std::size_t>(static_cast<const char*>(lf) - (text.data() + pos)) + 1;
}

bool is_empty_line(std::string_view line) { return line == "\n" || line == "\r\n"; }

// Returns the colon offset when `line` starts a header field: a name of printable ASCII, then
// optional white space (obs-fields), then a colon.
std::optional<std::size_t> field_colon(std::string_view line, std::size_t* name_length) {
  std::size_t i = 0;
  while (i < line.size() && is_field_name_char(line[i])) {
    ++i;
  }
  if (i == 0) {
    return std::nullopt;
  }
  *name_length = i;
  while (i < line.size() && is_wsp(line[i])) {
    ++i;
  }
  if (i < line.size() && line[i] == ':') {
    return i;
  }
  return std::nullopt;
}

void add_defect(std::vector<Defect>& defects, Defect defect) {
  if (std::find(defects.begin(), defects.end(), defect) == defects.end()) {
    defects.push_back(defect);
  }
}

// Normalises line breaks inside a new field value to `eol`; false when a break is not
// followed by white space (the value would end the field and start a forged one).
bool append_folded_value(std::string& out, std::string_view value, std::string_view eol) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\r' || c == '\n') {
      std::size_t next = i + 1;
      if (c == '\r' && next < value.size() && value[next] == '\n') {
        ++next;
      }
      if (next >= value.size() || !is_wsp(value[next])) {
        return false;
      }
      out += eol;
      i = next - 1;
      continue;
    }
    out += c;
  }
  return true;
}

bool valid_field_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_field_name_char);
}

}  // namespace

std::string HeaderField::unfolded_value() const {
  std::string_view v = value();
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c != '\r' && c != '\n') {
      out += c;
    }
  }
  return std::string(trim(out));
}

bool HeaderField::is_named(std::string_view name) const { return iequals(this->name(), name); }

Message Message::parse(std::string bytes) {
  Message message;
  message.original_ = std::make_shared<const std::string>(std::move(bytes));
  std::string_view text = *message.original_;
  auto& defects = message.defects_;

  std::size_t pos = 0;
  if (text.starts_with("From ")) {
    std::size_t length = line_length(text, 0);
    message.preamble_ = text.substr(0, length);
    pos = length;
    add_defect(defects, Defect::mbox_from_line);
  }

  std::size_t crlf_lines = 0;
  std::size_t lf_lines = 0;
  bool header_done = false;
  while (pos < text.size()) {
    std::size_t length = line_length(text, pos);
    std::string_view line = text.substr(pos, length);
    if (is_empty_line(line)) {
      message.separator_ = line;
      pos += length;
      header_done = true;
      break;
    }
    std::size_t name_length = 0;
    std::optional<std::size_t> colon = field_colon(line, &name_length);
    if (!colon) {
      add_defect(defects,
                 is_wsp(line.front()) ? Defect::leading_continuation : Defect::line_without_colon);
      header_done = true;
      break;
    }
    // Continuation lines: every following line that starts with white space.
    std::size_t end = pos + length;
    while (end < text.size() && is_wsp(text[end])) {
      end += line_length(text, end);
    }
    std::string_view raw = text.substr(pos, end - pos);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      auto byte = static_cast<unsigned char>(raw[i]);
      if (byte == '\n') {
        if (i > 0 && raw[i - 1] == '\r') {
          ++crlf_lines;
        } else {
          ++lf_lines;
        }
      } else if (byte == '\r' && (i + 1 == raw.size() || raw[i + 1] != '\n')) {
        add_defect(defects, Defect::bare_cr);
      } else if (byte == 0) {
        add_defect(defects, Defect::nul_byte);
      } else if (byte >= 0x80) {
        add_defect(defects, Defect::eight_bit_header);
      }
    }
    message.fields_.push_back(FieldBuilder::from_raw(raw, name_length, *colon));
    pos = end;
  }
  if (!header_done && !message.fields_.empty()) {
    add_defect(defects, Defect::no_blank_line);
  }
  if (crlf_lines > 0 && lf_lines > 0) {
    add_defect(defects, Defect::mixed_line_endings);
  }
  if (message.separator_.empty()) {
    message.crlf_ = crlf_lines >= lf_lines;
  } else {
    message.crlf_ = message.separator_ == "\r\n";
  }
  if (crlf_lines == 0 && lf_lines == 0 && message.separator_.empty()) {
    message.crlf_ = true;
  }
  message.body_ = text.substr(pos);
  return message;
}

std::string Message::serialize() const {
  std::size_t size = preamble_.size() + separator_.size() + body_.size();
  for (const auto& field : fields_) {
    size += field.raw().size();
  }
  std::string out;
  out.reserve(size);
  out += preamble_;
  for (const auto& field : fields_) {
    out += field.raw();
  }
  out += separator_;
  out += body_;
  return out;
}

std::string Message::header_bytes() const {
  std::string out;
  for (const auto& field : fields_) {
    out += field.raw();
  }
  return out;
}

std::vector<std::size_t> Message::find_all(std::string_view name) const {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].is_named(name)) {
      indices.push_back(i);
    }
  }
  return indices;
}

std::optional<std::size_t> Message::find_first(std::string_view name) const {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].is_named(name)) {
      return i;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Message::first_value(std::string_view name) const {
  if (auto index = find_first(name)) {
    return fields_[*index].unfolded_value();
  }
  return std::nullopt;
}

bool Message::insert(std::size_t index, std::string_view name, std::string_view value) {
  if (!valid_field_name(name) || index > fields_.size()) {
    return false;
  }
  std::string text(name);
  text += ':';
  if (value.empty() || !is_wsp(value.front())) {
    text += ' ';
  }
  if (!append_folded_value(text, value, line_ending())) {
    return false;
  }
  text += line_ending();
  fields_.insert(fields_.begin() + static_cast<std::ptrdiff_t>(index),
                 FieldBuilder::owned(std::move(text), name.size()));
  // A message that had no header/body separator gets one now, or the body would read as header.
  if (separator_.empty() && !body_.empty()) {
    separator_ = line_ending();
  }
  return true;
}

bool Message::add_top(std::string_view name, std::string_view value) {
  return insert(0, name, value);
}

bool Message::add_bottom(std::string_view name, std::string_view value) {
  return insert(fields_.size(), name, value);
}

bool Message::replace(std::size_t index, std::string_view value) {
  if (index >= fields_.size()) {
    return false;
  }
  std::string text(fields_[index].name());
  text += ':';
  if (value.empty() || !is_wsp(value.front())) {
    text += ' ';
  }
  if (!append_folded_value(text, value, line_ending())) {
    return false;
  }
  text += line_ending();
  std::size_t name_length = fields_[index].name_length_;
  fields_[index] = FieldBuilder::owned(std::move(text), name_length);
  return true;
}

void Message::remove(std::size_t index) {
  if (index < fields_.size()) {
    fields_.erase(fields_.begin() + static_cast<std::ptrdiff_t>(index));
  }
}

std::size_t Message::remove_all(std::string_view name) {
  auto removed = std::erase_if(fields_, [&](const HeaderField& f) { return f.is_named(name); });
  return static_cast<std::size_t>(removed);
}

void Message::set_body(std::string body) {
  owned_body_ = std::make_shared<const std::string>(std::move(body));
  body_ = *owned_body_;
  if (separator_.empty() && !body_.empty()) {
    separator_ = line_ending();
  }
}

}  // namespace cqlist::mail
