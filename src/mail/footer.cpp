#include "mail/footer.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "mail/charset.hpp"
#include "mail/footer_text.hpp"
#include "mail/transfer_encoding.hpp"

namespace cqlist::mail {
namespace {

using namespace detail;

constexpr std::string_view kUtf8 = "utf-8";

// The new bytes of one leaf part.
struct RewrittenPart {
  std::string body;                          // transfer-encoded
  std::optional<std::string> charset;        // a new charset parameter
  std::optional<TransferEncoding> encoding;  // a new Content-Transfer-Encoding
};

struct Splice {
  std::size_t offset = 0;  // in the message body
  std::size_t length = 0;
  std::string bytes;
};

enum class Protection { none, signed_content, encrypted_content };

Protection protection_of(const ContentType& type) {
  if (type.is("multipart", "signed")) {
    return Protection::signed_content;
  }
  if (type.is("multipart", "encrypted")) {
    return Protection::encrypted_content;
  }
  if (type.is("application", "pkcs7-mime") || type.is("application", "x-pkcs7-mime")) {
    // RFC 8551 §3.2.2: smime-type says whether the opaque blob is signed or encrypted.
    return iequals(type.parameter("smime-type"), "signed-data") ? Protection::signed_content
                                                                : Protection::encrypted_content;
  }
  return Protection::none;
}

class FooterWriter {
 public:
  FooterWriter(const MimeTree& tree, const Footer& footer, const FooterOptions& options)
      : tree_(tree), footer_(footer), options_(options) {}

  FooterOutcome place();
  void apply(Message& message);

 private:
  std::string_view message_eol() const { return tree_.message().line_ending(); }

  bool place_text(std::size_t index);
  bool place_html(std::size_t index);
  bool place_alternative(std::size_t index);
  bool place_related(std::size_t index);
  void place_mixed(std::size_t index);
  void place_new_part(std::size_t index);
  bool place_in_child(std::size_t index);
  FooterOutcome wrap_or_skip(bool allowed, FooterSkip reason);
  void rewrite_leaf(FooterChange change, std::string_view text, std::string_view raw_eol,
                    std::optional<std::string> new_charset);
  void commit(std::size_t index, RewrittenPart rewritten);
  void apply_wrap(Message& message);
  std::string html_footer() const;

  const MimeTree& tree_;
  const Footer& footer_;
  const FooterOptions& options_;
  FooterOutcome outcome_;
  std::vector<Splice> splices_;
  std::optional<RewrittenPart> root_;  // the message itself is the leaf that changed
  bool wrap_ = false;
};

FooterOutcome FooterWriter::place() {
  const MimePart& root = tree_.part(0);
  switch (protection_of(root.content_type)) {
    case Protection::signed_content:
      return wrap_or_skip(options_.wrap_protected, FooterSkip::signed_message);
    case Protection::encrypted_content:
      return wrap_or_skip(options_.wrap_protected, FooterSkip::encrypted_message);
    case Protection::none:
      break;
  }
  const ContentType& type = root.content_type;
  if (root.kind == PartKind::multipart) {
    if (type.subtype == "report") {
      // RFC 6522: a report's parts have fixed roles; an extra part would confuse its reader.
      return FooterOutcome{{}, FooterSkip::unsupported_type};
    }
    if (type.subtype == "alternative" || type.subtype == "related") {
      return place_in_child(0) ? std::move(outcome_)
                               : wrap_or_skip(options_.wrap_other, FooterSkip::charset);
    }
    place_mixed(0);
    return std::move(outcome_);
  }
  if (type.is_multipart()) {
    return FooterOutcome{{}, FooterSkip::malformed_mime};
  }
  if (root.is_inline() && (type.is("text", "plain") || type.is("text", "html"))) {
    return place_in_child(0) ? std::move(outcome_)
                             : wrap_or_skip(options_.wrap_other, FooterSkip::charset);
  }
  return wrap_or_skip(options_.wrap_other, FooterSkip::unsupported_type);
}

// Wraps the message when `allowed`, else reports `reason` for adding nothing.
FooterOutcome FooterWriter::wrap_or_skip(bool allowed, FooterSkip reason) {
  if (!allowed) {
    return FooterOutcome{{}, reason};
  }
  wrap_ = true;
  FooterChange change{FooterPlacement::wrapped, 0, std::string(kUtf8), {}, false, false};
  std::string lines = footer_lines(footer_.text, message_eol(), false);
  change.transfer_encoding =
      is_ascii(lines) ? TransferEncoding::seven_bit : encoding_for_8bit(lines);
  return FooterOutcome{{std::move(change)}, FooterSkip::none};
}

// Puts the footer into the text of part `index` (a text leaf or a text-holding multipart).
bool FooterWriter::place_in_child(std::size_t index) {
  const MimePart& part = tree_.part(index);
  if (part.kind == PartKind::multipart) {
    if (part.content_type.subtype == "alternative") {
      return place_alternative(index);
    }
    if (part.content_type.subtype == "related") {
      return place_related(index);
    }
    return false;
  }
  if (!part.is_text() || !part.is_inline()) {
    return false;
  }
  if (part.content_type.subtype == "plain") {
    return place_text(index);
  }
  if (part.content_type.subtype == "html") {
    return place_html(index);
  }
  return false;
}

// Every alternative that is text gets the footer, so whichever one a reader shows has it.
bool FooterWriter::place_alternative(std::size_t index) {
  bool placed = false;
  for (std::size_t child : tree_.part(index).children) {
    placed = place_in_child(child) || placed;
  }
  return placed;
}

// RFC 2387 §3.2: without a start parameter the first part is the root, the one shown.
bool FooterWriter::place_related(std::size_t index) {
  const auto& children = tree_.part(index).children;
  return !children.empty() && place_in_child(children.front());
}

void FooterWriter::place_mixed(std::size_t index) {
  const auto& children = tree_.part(index).children;
  if (options_.mixed == MixedPlacement::into_first_text_part && !children.empty() &&
      place_in_child(children.front())) {
    return;
  }
  place_new_part(index);
}

void FooterWriter::place_new_part(std::size_t index) {
  const MimePart& part = tree_.part(index);
  std::string_view boundary = part.boundary();
  std::string_view eol = detect_eol(part.body, message_eol());
  FooterChange change{FooterPlacement::new_part, index, std::string(kUtf8), {}, false, false};
  std::string bytes = footer_part(footer_.text, boundary, eol, change.transfer_encoding);
  std::size_t position = part.body.size();
  if (part.closed) {
    // Before the close delimiter line: after the last part (or the preamble) and the line
    // break that belongs to the close delimiter.
    std::size_t from = part.preamble.size();
    if (!part.children.empty()) {
      const MimePart& last = tree_.part(part.children.back());
      from = static_cast<std::size_t>(last.raw.data() + last.raw.size() - part.body.data());
    }
    std::string close = fmt::format("--{}--", boundary);
    position = part.body.find(close, from);
    while (position != 0 && position != std::string_view::npos && part.body[position - 1] != '\n') {
      position = part.body.find(close, position + 1);
    }
    position = std::min(position, part.body.size());
  } else {
    // No close delimiter: the last part runs to the end. A line break keeps its bytes whole
    // (the one before a delimiter belongs to the delimiter), and a close delimiter ends it.
    bytes = fmt::format("{}{}--{}--{}", eol, bytes, boundary, eol);
  }
  splices_.push_back(Splice{tree_.body_offset(part.body) + position, 0, std::move(bytes)});
  outcome_.changes.push_back(std::move(change));
}

bool FooterWriter::place_text(std::size_t index) {
  const MimePart& part = tree_.part(index);
  std::string_view label = part.content_type.charset();
  if (part.transfer_encoding == TransferEncoding::unknown || is_wide_charset(label)) {
    return false;
  }
  std::string decoded = decoded_body(part);
  std::string_view raw_eol = detect_eol(part.body, message_eol());
  std::string_view eol = detect_eol(decoded, raw_eol);
  bool flowed = iequals(part.content_type.parameter("format"), "flowed");
  std::string lines = footer_lines(footer_.text, eol, flowed);
  std::optional<std::string> new_charset;
  Result<std::string> encoded = from_utf8(lines, label);
  if (!encoded && is_ascii(lines)) {
    encoded = lines;  // an unknown label: ASCII is what nearly every charset shares
  }
  if (!encoded) {
    // The charset cannot hold the footer: the whole text moves to UTF-8. A us-ascii label
    // on 8-bit text is read as UTF-8 when it is valid, as to_utf8_lenient does.
    Result<std::string> text = (iconv_charset_name(label) == "ASCII" && is_valid_utf8(decoded))
                                   ? Result<std::string>(decoded)
                                   : to_utf8(decoded, label);
    if (!text) {
      return false;
    }
    decoded = std::move(*text);
    encoded = lines;
    new_charset = std::string(kUtf8);
  }
  bool iso_2022 = istarts_with(label, "iso-2022-") && !new_charset;
  end_body_for_append(decoded, eol, iso_2022, flowed);
  decoded += *encoded;
  if (iso_2022 && !ends_in_ascii(decoded)) {
    decoded += "\x1B(B";
  }
  FooterChange change{FooterPlacement::appended_to_text, index,
                      new_charset ? *new_charset : std::string(label)};
  rewrite_leaf(std::move(change), decoded, raw_eol, std::move(new_charset));
  return true;
}

std::string FooterWriter::html_footer() const {
  if (!footer_.html.empty()) {
    return footer_.html;
  }
  std::string_view text = footer_.text;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return fmt::format(
      "<div class=\"list-footer\"><pre style=\"white-space: pre-wrap\">{}</pre></div>\n",
      escape_html(text));
}

bool FooterWriter::place_html(std::size_t index) {
  const MimePart& part = tree_.part(index);
  std::string_view label = part.content_type.charset();
  if (part.transfer_encoding == TransferEncoding::unknown || is_wide_charset(label)) {
    return false;
  }
  std::string decoded = decoded_body(part);
  std::string_view raw_eol = detect_eol(part.body, message_eol());
  std::string_view eol = detect_eol(decoded, raw_eol);
  std::string lines = footer_lines(html_footer(), eol, false);
  Result<std::string> encoded = from_utf8(lines, label);
  std::string html = encoded ? std::move(*encoded) : ascii_html(lines);
  std::size_t position = rfind_tag(decoded, "</body");
  if (position == std::string::npos) {
    position = rfind_tag(decoded, "</html");
  }
  if (position == std::string::npos) {
    end_body_for_append(decoded, eol, istarts_with(label, "iso-2022-"), false);
    decoded += html;
  } else {
    if (position > 0 && decoded[position - 1] != '\n') {
      html.insert(0, eol);
    }
    decoded.insert(position, html);
  }
  rewrite_leaf(FooterChange{FooterPlacement::inserted_into_html, index, std::string(label)},
               decoded, raw_eol, std::nullopt);
  return true;
}

// Records `change` for leaf change.part, whose text is now `text`: encoded again with the
// part's transfer encoding, unless 7bit no longer fits.
void FooterWriter::rewrite_leaf(FooterChange change, std::string_view text,
                                std::string_view raw_eol, std::optional<std::string> new_charset) {
  RewrittenPart rewritten;
  TransferEncoding encoding = tree_.part(change.part).transfer_encoding;
  if (encoding == TransferEncoding::seven_bit && !is_ascii(text)) {
    encoding = encoding_for_8bit(text);
    rewritten.encoding = encoding;
  }
  rewritten.body = encode_transfer_encoding(text, encoding, raw_eol);
  rewritten.charset = std::move(new_charset);
  change.transfer_encoding = encoding;
  change.charset_changed = rewritten.charset.has_value();
  change.transfer_encoding_changed = rewritten.encoding.has_value();
  std::size_t index = change.part;
  outcome_.changes.push_back(std::move(change));
  commit(index, std::move(rewritten));
}

void FooterWriter::commit(std::size_t index, RewrittenPart rewritten) {
  if (index == 0) {
    root_ = std::move(rewritten);
    return;
  }
  const MimePart& part = tree_.part(index);
  std::string_view eol = detect_eol(part.raw, message_eol());
  std::string header(part.header);
  if (rewritten.charset) {
    std::string_view old = header_field_value(part.header, "Content-Type").value_or(" text/plain");
    header = set_header_field(header, "Content-Type",
                              set_parameter(old, "charset", *rewritten.charset), eol);
  }
  if (rewritten.encoding) {
    header = set_header_field(header, "Content-Transfer-Encoding",
                              transfer_encoding_name(*rewritten.encoding), eol);
  }
  auto header_end = static_cast<std::size_t>(part.body.data() - part.raw.data());
  std::string_view separator = part.raw.substr(part.header.size(), header_end - part.header.size());
  std::string bytes = std::move(header);
  if (separator.empty() && !rewritten.body.empty()) {
    if (!bytes.empty() && bytes.back() != '\n') {
      bytes += eol;
    }
    bytes += eol;
  } else {
    bytes += separator;
  }
  bytes += rewritten.body;
  splices_.push_back(Splice{tree_.body_offset(part.raw), part.raw.size(), std::move(bytes)});
}

void add_mime_version(Message& message) {
  if (!message.find_first("MIME-Version")) {
    message.add_bottom("MIME-Version", "1.0");
  }
}

void FooterWriter::apply(Message& message) {
  if (wrap_) {
    apply_wrap(message);
    return;
  }
  if (root_) {
    if (root_->charset || root_->encoding) {
      add_mime_version(message);
    }
    if (root_->charset) {
      if (auto index = message.find_first("Content-Type")) {
        message.replace(
            *index, set_parameter(message.fields()[*index].value(), "charset", *root_->charset));
      } else {
        message.add_bottom("Content-Type", "text/plain; charset=" + *root_->charset);
      }
    }
    if (root_->encoding) {
      std::string_view name = transfer_encoding_name(*root_->encoding);
      if (auto index = message.find_first("Content-Transfer-Encoding")) {
        message.replace(*index, name);
      } else {
        message.add_bottom("Content-Transfer-Encoding", name);
      }
    }
    message.set_body(std::move(root_->body));
    return;
  }
  std::sort(splices_.begin(), splices_.end(),
            [](const Splice& a, const Splice& b) { return a.offset < b.offset; });
  std::string_view old_body = tree_.message().body();
  std::string body;
  body.reserve(old_body.size() + 1024);
  std::size_t copied = 0;
  for (const Splice& splice : splices_) {
    if (splice.offset < copied) {
      continue;  // overlapping edits cannot come from the placement rules; keep the first
    }
    body.append(old_body, copied, splice.offset - copied);
    body += splice.bytes;
    copied = splice.offset + splice.length;
  }
  body.append(old_body, copied);
  message.set_body(std::move(body));
}

// The message becomes multipart/mixed: its Content-* fields move into the first part, whose
// body is the old body byte for byte, and the footer is the second part.
void FooterWriter::apply_wrap(Message& message) {
  std::string_view eol = message.line_ending();
  std::string boundary = make_boundary(message.body());
  std::string inner_header;
  std::optional<std::size_t> first_moved;
  for (std::size_t i = 0; i < message.fields().size(); ++i) {
    const HeaderField& field = message.fields()[i];
    if (istarts_with(field.name(), "content-")) {
      inner_header += field.raw();
      first_moved = first_moved.value_or(i);
    }
  }
  if (!inner_header.empty() && inner_header.back() != '\n') {
    inner_header += eol;
  }
  TransferEncoding encoding = TransferEncoding::seven_bit;
  std::string body =
      fmt::format("--{0}{1}{2}{1}{3}{1}{4}--{0}--{1}", boundary, eol, inner_header, message.body(),
                  footer_part(footer_.text, boundary, eol, encoding));
  for (std::size_t i = message.fields().size(); i-- > 0;) {
    if (istarts_with(message.fields()[i].name(), "content-")) {
      message.remove(i);
    }
  }
  std::string type = fmt::format("multipart/mixed; boundary=\"{}\"", boundary);
  if (first_moved) {
    message.insert(*first_moved, "Content-Type", type);
  } else {
    message.add_bottom("Content-Type", type);
  }
  add_mime_version(message);
  message.set_body(std::move(body));
}

}  // namespace

std::string_view footer_skip_name(FooterSkip skip) {
  switch (skip) {
    case FooterSkip::none:
      return "none";
    case FooterSkip::empty_footer:
      return "empty_footer";
    case FooterSkip::signed_message:
      return "signed_message";
    case FooterSkip::encrypted_message:
      return "encrypted_message";
    case FooterSkip::unsupported_type:
      return "unsupported_type";
    case FooterSkip::malformed_mime:
      return "malformed_mime";
    case FooterSkip::charset:
      return "charset";
  }
  return "unknown";
}

Result<FooterOutcome> add_footer(Message& message, const Footer& footer,
                                 const FooterOptions& options) {
  if (!is_valid_utf8(footer.text) || !is_valid_utf8(footer.html)) {
    return fail(Errc::invalid_argument, "the list footer is not valid UTF-8; fix its text");
  }
  if (footer.text.empty()) {
    return FooterOutcome{{}, FooterSkip::empty_footer};
  }
  MimeTree tree = MimeTree::build(message, options.limits);
  FooterWriter writer(tree, footer, options);
  FooterOutcome outcome = writer.place();
  if (outcome.added()) {
    writer.apply(message);
  }
  return outcome;
}

}  // namespace cqlist::mail
