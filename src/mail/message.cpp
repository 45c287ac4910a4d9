#include "mail/message.hpp"

#include <algorithm>
#include <cstdint>
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

bool is_empty_line(std::string_view line) {
  return line == "\n" || line == "\r\n";
}

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

// Records each defect once, in the order first seen; the bit mask keeps the per-byte scan of
// 8-bit headers (Japanese subjects) from searching the list on every byte.
class DefectRecorder {
 public:
  explicit DefectRecorder(std::vector<Defect>& defects) : defects_(defects) {}

  void add(Defect defect) {
    auto bit = 1U << static_cast<unsigned>(defect);
    if ((seen_ & bit) == 0) {
      seen_ |= bit;
      defects_.push_back(defect);
    }
  }

 private:
  std::vector<Defect>& defects_;
  unsigned seen_ = 0;
};

struct LineCounts {
  std::size_t crlf = 0;
  std::size_t lf = 0;
};

// True when one of the eight bytes in `word` is below 0x0E (NUL, LF, CR among them) or has the
// high bit set: the only bytes scan_field looks at. Most header bytes are printable ASCII, and
// testing eight at a time keeps the scan from dominating parse().
bool may_need_attention(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
  return ((((word - kOnes * 0x0E) & ~word) | word) & kHighBits) != 0;
}

// Counts the line endings of one field and notes bytes that do not belong in a header.
void scan_field(std::string_view raw, LineCounts& counts, DefectRecorder& defects) {
  auto check = [&](std::size_t i) {
    auto byte = static_cast<unsigned char>(raw[i]);
    if (byte > '\r' && byte < 0x80) {
      return;
    }
    if (byte == '\n') {
      if (i > 0 && raw[i - 1] == '\r') {
        ++counts.crlf;
      } else {
        ++counts.lf;
      }
    } else if (byte == '\r' && (i + 1 == raw.size() || raw[i + 1] != '\n')) {
      defects.add(Defect::bare_cr);
    } else if (byte == 0) {
      defects.add(Defect::nul_byte);
    } else if (byte >= 0x80) {
      defects.add(Defect::eight_bit_header);
    }
  };
  std::size_t i = 0;
  while (i + 8 <= raw.size()) {
    std::uint64_t word = 0;
    std::memcpy(&word, raw.data() + i, sizeof word);
    if (!may_need_attention(word)) {
      i += 8;
      continue;
    }
    for (std::size_t end = i + 8; i < end; ++i) {
      check(i);
    }
  }
  for (; i < raw.size(); ++i) {
    check(i);
  }
}

// The header's dominant line ending. A tie (a header of one CRLF line and one LF line, or no
// line at all) goes to the separator, then to the first line ending anywhere in the message.
bool header_uses_crlf(LineCounts counts, std::string_view separator, std::string_view text) {
  if (counts.crlf != counts.lf) {
    return counts.crlf > counts.lf;
  }
  if (!separator.empty()) {
    return separator == "\r\n";
  }
  std::size_t lf = text.find('\n');
  return lf == std::string_view::npos || (lf > 0 && text[lf - 1] == '\r');
}

// Normalises line breaks inside a new field value to `eol`; false when a break is not
// followed by white space (the value would end the field and start a forged one).
bool append_folded_value(std::string& out, std::string_view value, std::string_view eol) {
  while (!value.empty()) {
    // Runs without a line break are copied whole (DKIM-Signature values are long).
    std::size_t brk = 0;
    while (brk < value.size() && value[brk] != '\r' && value[brk] != '\n') {
      ++brk;
    }
    out.append(value.substr(0, brk));
    if (brk == value.size()) {
      break;
    }
    std::size_t next = brk + 1;
    if (value[brk] == '\r' && next < value.size() && value[next] == '\n') {
      ++next;
    }
    if (next >= value.size() || !is_wsp(value[next])) {
      return false;
    }
    out += eol;
    value.remove_prefix(next);
  }
  return true;
}

}  // namespace

std::optional<std::string> field_text(std::string_view name, std::string_view value,
                                      std::string_view eol) {
  std::string text;
  text.reserve(name.size() + value.size() + 4);
  text += name;
  text += ':';
  if (value.empty() || !is_wsp(value.front())) {
    text += ' ';
  }
  if (!append_folded_value(text, value, eol)) {
    return std::nullopt;
  }
  text += eol;
  return text;
}

namespace {

// An mbox envelope line ("From sender date"). "From : x" is an obs-syntax From field instead
// (RFC 5322 §4.5.3 allows white space before the colon), so it must not count.
bool is_mbox_from_line(std::string_view line) {
  std::size_t name_length = 0;
  return line.starts_with("From ") && !field_colon(line, &name_length).has_value();
}

// Whether `body`, written straight after the header without a blank line, would read back as
// something else: a separator, a header field, a continuation of the last field, or an mbox
// "From " line. A parsed message never needs one; edits and set_body can create the need.
bool body_needs_separator(std::string_view body, bool has_fields, bool has_preamble) {
  if (body.empty()) {
    return false;
  }
  std::string_view first_line = body.substr(0, line_length(body, 0));
  std::size_t name_length = 0;
  return is_empty_line(first_line) || (has_fields && is_wsp(first_line.front())) ||
         field_colon(first_line, &name_length).has_value() ||
         (!has_fields && !has_preamble && is_mbox_from_line(first_line));
}

// Appends `bytes`, completing its last line when more follows. Only an input that ends
// without a final line break leaves a part unterminated; an edit after it must not glue the
// next line onto it.
void append_line_block(std::string& out, std::string_view bytes, bool more_follows,
                       std::string_view eol) {
  out += bytes;
  if (more_follows && !bytes.empty() && bytes.back() != '\n') {
    out += eol;
  }
}

void append_fields(std::string& out, const std::vector<HeaderField>& fields, bool more_follows,
                   std::string_view eol) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    append_line_block(out, fields[i].raw(), more_follows || i + 1 < fields.size(), eol);
  }
}

}  // namespace

bool is_valid_field_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_field_name_char);
}

std::string HeaderField::unfolded_value() const {
  // RFC 5322 §2.2.3: unfolding removes the line breaks; the white space after them stays.
  std::string_view v = value();
  std::string out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\n' || (c == '\r' && i + 1 < v.size() && v[i + 1] == '\n')) {
      continue;
    }
    out += c;
  }
  return std::string(trim(out));
}

bool HeaderField::is_named(std::string_view name) const {
  return iequals(this->name(), name);
}

Message Message::parse(std::string bytes) {
  Message message;
  message.original_ = std::make_shared<const std::string>(std::move(bytes));
  std::string_view text = *message.original_;
  DefectRecorder defects(message.defects_);

  std::size_t pos = 0;
  if (is_mbox_from_line(text.substr(0, line_length(text, 0)))) {
    std::size_t length = line_length(text, 0);
    message.preamble_ = text.substr(0, length);
    pos = length;
    defects.add(Defect::mbox_from_line);
  }

  LineCounts counts;
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
      defects.add(is_wsp(line.front()) ? Defect::leading_continuation : Defect::line_without_colon);
      header_done = true;
      break;
    }
    // Continuation lines: every following line that starts with white space.
    std::size_t end = pos + length;
    while (end < text.size() && is_wsp(text[end])) {
      end += line_length(text, end);
    }
    std::string_view raw = text.substr(pos, end - pos);
    scan_field(raw, counts, defects);
    message.fields_.push_back(FieldBuilder::from_raw(raw, name_length, *colon));
    pos = end;
  }
  if (!header_done && !message.fields_.empty()) {
    defects.add(Defect::no_blank_line);
  }
  if (message.separator_ == "\r\n") {
    ++counts.crlf;
  } else if (!message.separator_.empty()) {
    ++counts.lf;
  }
  if (counts.crlf > 0 && counts.lf > 0) {
    defects.add(Defect::mixed_line_endings);
  }
  message.crlf_ = header_uses_crlf(counts, message.separator_, text);
  message.body_ = text.substr(pos);
  return message;
}

std::string Message::serialize() const {
  std::string_view separator = separator_;
  if (separator.empty() && body_needs_separator(body_, !fields_.empty(), !preamble_.empty())) {
    separator = line_ending();
  }
  bool after_header = !separator.empty() || !body_.empty();
  std::size_t size = preamble_.size() + separator.size() + body_.size() + 2 * fields_.size() + 2;
  for (const auto& field : fields_) {
    size += field.raw().size();
  }
  std::string out;
  out.reserve(size);
  append_line_block(out, preamble_, !fields_.empty() || after_header, line_ending());
  append_fields(out, fields_, after_header, line_ending());
  out += separator;
  out += body_;
  return out;
}

std::string Message::header_bytes() const {
  bool after_header = !separator_.empty() || !body_.empty();
  std::size_t size = 2 * fields_.size();
  for (const auto& field : fields_) {
    size += field.raw().size();
  }
  std::string out;
  out.reserve(size);
  append_fields(out, fields_, after_header, line_ending());
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
  if (!is_valid_field_name(name) || index > fields_.size()) {
    return false;
  }
  std::optional<std::string> text = field_text(name, value, line_ending());
  if (!text) {
    return false;
  }
  // The separator is not touched here: serialize() adds one only while the body would
  // otherwise read as header, so removing the new field again gives back the original bytes.
  fields_.insert(fields_.begin() + static_cast<std::ptrdiff_t>(index),
                 FieldBuilder::owned(std::move(*text), name.size()));
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
  std::optional<std::string> text = field_text(fields_[index].name(), value, line_ending());
  if (!text) {
    return false;
  }
  std::size_t name_length = fields_[index].name_length_;
  fields_[index] = FieldBuilder::owned(std::move(*text), name_length);
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
  // A new body is meant as a body: give it the blank line RFC 5322 §2.1 puts before it.
  if (separator_.empty() && !body_.empty()) {
    separator_ = line_ending();
  }
}

}  // namespace cqlist::mail
