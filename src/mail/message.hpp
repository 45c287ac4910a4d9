// mail/message.hpp: an RFC 5322 message that keeps its original bytes.
//
// Owns: the split of a message into header fields and body, and byte-exact header edits.
// Parsing never fails: whatever the input, serialize() of an unedited Message returns exactly
// the parsed bytes, and an edit changes only the bytes of the fields it touches. DKIM and ARC
// depend on this: a signature covers the bytes as they were, folding, 8-bit bytes and all.
// Problems found on the way are recorded as defects() instead of rejecting the message.
//
// Copies are cheap and independent: the original bytes are shared and immutable.
// See also: mime.hpp (the MIME tree), encoded_word.hpp (decoding header text).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cqlist::mail {

enum class Defect {
  bare_cr,               // a CR not followed by LF in the header
  mixed_line_endings,    // some header lines end in CRLF and others in LF
  nul_byte,              // a NUL byte in the header
  mbox_from_line,        // a leading "From " envelope line, kept as preamble
  leading_continuation,  // the first header line starts with white space
  line_without_colon,    // the header ended at a line that is not a field (no blank line)
  no_blank_line,         // the message ends inside the header
  eight_bit_header,      // raw 8-bit bytes in the header (allowed by RFC 6532 if UTF-8)
};

std::string_view defect_name(Defect defect);

// ftext (RFC 5322 §3.6.8): one or more printable ASCII characters other than ":".
bool is_valid_field_name(std::string_view name);

// "Name: value<eol>" as the edits below write a new field (a space after the colon unless the
// value starts with white space, line breaks inside the value written as `eol`); nullopt when
// a line break in the value is not followed by white space (it would end the field early).
std::optional<std::string> field_text(std::string_view name, std::string_view value,
                                      std::string_view eol);

// One header field exactly as it appears in the message.
class HeaderField {
 public:
  // Name, colon, value, and the line ending(s) of the field, folding included.
  std::string_view raw() const { return raw_; }

  // The field name as written, without white space between it and the colon (obs-syntax).
  std::string_view name() const { return raw_.substr(0, name_length_); }

  // Everything after the colon up to (not including) the field's final line ending.
  std::string_view value() const { return raw_.substr(value_offset_, value_length_); }

  // value() with folding removed (RFC 5322 §2.2.3) and outer white space trimmed.
  std::string unfolded_value() const;

  bool is_named(std::string_view name) const;

 private:
  friend class Message;
  friend class FieldBuilder;

  std::string_view raw_;
  std::size_t name_length_ = 0;
  std::size_t value_offset_ = 0;
  std::size_t value_length_ = 0;
  // Set for fields an edit created; raw_ then points into it.
  std::shared_ptr<const std::string> owned_;
};

class Message {
 public:
  // Splits bytes into header fields and body. Never fails; see defects().
  static Message parse(std::string bytes);

  // The message as bytes: the original ones, with edits applied.
  std::string serialize() const;

  const std::vector<HeaderField>& fields() const { return fields_; }

  // Indices of fields named `name` (ASCII case-insensitive), in message order.
  std::vector<std::size_t> find_all(std::string_view name) const;
  std::optional<std::size_t> find_first(std::string_view name) const;

  // The unfolded, trimmed value of the first field named `name`.
  std::optional<std::string> first_value(std::string_view name) const;

  // "\r\n" or "\n": the line ending the header mostly uses; new fields use it too.
  std::string_view line_ending() const { return crlf_ ? "\r\n" : "\n"; }

  // The header block as bytes (preamble excluded), without the blank line after it.
  std::string header_bytes() const;

  // The empty line between header and body ("\r\n", "\n", or empty when there is none).
  std::string_view separator() const { return separator_; }

  std::string_view body() const { return body_; }

  // A leading mbox "From " line, kept so that serialize() reproduces it.
  std::string_view preamble() const { return preamble_; }

  const std::vector<Defect>& defects() const { return defects_; }

  // Edits. `value` is the text after the colon without the final line ending; a leading space
  // is added when it does not start with white space. Line breaks inside it ("\n" or "\r\n",
  // each followed by white space) are written with line_ending(). A line break not followed
  // by white space would end the field early and is refused: the call then returns false.
  bool add_top(std::string_view name, std::string_view value);
  bool add_bottom(std::string_view name, std::string_view value);
  bool insert(std::size_t index, std::string_view name, std::string_view value);
  bool replace(std::size_t index, std::string_view value);
  void remove(std::size_t index);
  std::size_t remove_all(std::string_view name);
  void set_body(std::string body);

 private:
  std::shared_ptr<const std::string> original_;
  std::string_view preamble_;
  std::vector<HeaderField> fields_;
  std::string_view separator_;
  std::string_view body_;
  std::shared_ptr<const std::string> owned_body_;
  std::vector<Defect> defects_;
  bool crlf_ = true;
};

}  // namespace cqlist::mail
