// mail/mime.hpp: the MIME structure of a message (RFC 2045, RFC 2046).
//
// Owns: splitting a message into its body parts: multipart bodies at their boundary
// delimiters, message/rfc822 bodies into an embedded message, and the description of each
// part (Content-Type, Content-Transfer-Encoding, Content-Disposition). Like Message, the walk
// never fails: broken structure (no boundary, no close delimiter, nesting too deep) is read
// the way mail readers read it and recorded as a defect.
//
// Parts are views: a MimeTree holds its own Message (a copy is cheap: the bytes are shared),
// and every string_view in its parts points into bytes that Message keeps alive. The views
// stay valid as long as the tree does, also when it is moved or copied, and whatever is done
// to the Message it was built from.
// See also: content_type.hpp, transfer_encoding.hpp, footer.hpp (edits parts).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mail/content_type.hpp"
#include "mail/message.hpp"

namespace cqlist::mail {

enum class MimeDefect {
  invalid_content_type,     // no usable type/subtype: read as text/plain (RFC 2045 §5.2)
  malformed_parameter,      // a broken or duplicate Content-Type/-Disposition parameter
  missing_boundary,         // a multipart without a boundary parameter: read as one leaf
  boundary_not_found,       // no delimiter line in the body: read as one leaf
  missing_close_delimiter,  // the last part runs to the end of its parent
  encoded_container,        // base64/QP on a multipart or message (RFC 2045 §6.4): a leaf
  depth_limit,              // nested deeper than MimeLimits::max_depth: read as a leaf
  part_limit,               // more than MimeLimits::max_parts: the rest is epilogue
};

std::string_view mime_defect_name(MimeDefect defect);

struct MimeDefectAt {
  std::size_t part = 0;
  MimeDefect defect = MimeDefect::invalid_content_type;
};

enum class PartKind {
  leaf,       // the body is content
  multipart,  // the body was split into children at boundary delimiters
  message,    // the body is an embedded message: one child (message/rfc822, message/global)
};

inline constexpr std::size_t kNoParent = static_cast<std::size_t>(-1);

struct MimePart {
  std::size_t parent = kNoParent;
  std::size_t depth = 0;  // 0 for the message itself
  PartKind kind = PartKind::leaf;
  // The part as it stands in its parent's body: header, blank line, body. RFC 2046 §5.1.1:
  // the line break before a delimiter belongs to the delimiter, not to this part. Empty for
  // the root, whose header fields are MimeTree::message().fields().
  std::string_view raw;
  // The header block without the blank line that ends it. For the root, the message header.
  std::string_view header;
  std::string_view body;
  ContentType content_type;
  bool has_content_type = false;  // false: content_type is the RFC 2045/2046 default
  TransferEncoding transfer_encoding = TransferEncoding::seven_bit;
  ContentDisposition disposition;
  // Multipart only: the text before the first delimiter and after the close delimiter.
  std::string_view preamble;
  std::string_view epilogue;
  std::vector<std::size_t> children;
  bool closed = false;  // multipart only: the close delimiter was found

  bool is_text() const { return kind == PartKind::leaf && content_type.type == "text"; }

  std::string_view boundary() const { return content_type.parameter("boundary"); }

  // Inline unless Content-Disposition says attachment (RFC 2183 §2.8: unknown types are
  // attachments too, but only "inline" and "attachment" are in real use).
  bool is_inline() const { return disposition.type.empty() || disposition.type == "inline"; }
};

struct MimeLimits {
  std::size_t max_depth = 32;
  std::size_t max_parts = 10000;
};

class MimeTree {
 public:
  // Walks `message`, keeping it (pass an rvalue to spare the copy). Never fails; see defects().
  static MimeTree build(Message message, const MimeLimits& limits = {});

  const Message& message() const { return message_; }

  // In depth-first order; parts()[0] is the message itself.
  const std::vector<MimePart>& parts() const { return parts_; }

  const MimePart& part(std::size_t index) const { return parts_[index]; }

  const std::vector<MimeDefectAt>& defects() const { return defects_; }

  bool has_defect(std::size_t part, MimeDefect defect) const;

  // Where `view` (a part's raw, header or body) starts in the message body; only for parts
  // below the root, whose bytes all lie inside message().body().
  std::size_t body_offset(std::string_view view) const {
    return static_cast<std::size_t>(view.data() - message_.body().data());
  }

 private:
  friend class MimeTreeBuilder;

  Message message_;
  // The root header when the Message's fields are not one run of bytes (after edits).
  std::shared_ptr<const std::string> root_header_;
  std::vector<MimePart> parts_;
  std::vector<MimeDefectAt> defects_;
};

// The body without its transfer encoding.
std::string decoded_body(const MimePart& part);

// The body as UTF-8 text: transfer-decoded, then converted from content_type.charset()
// leniently (see to_utf8_lenient).
std::string decoded_text(const MimePart& part);

// The file name a reader would show, as UTF-8: Content-Disposition's filename, else
// Content-Type's name (RFC 2046 §4.5.1, obsolete but common). RFC 2047 encoded words in it,
// invalid but written by many mailers, are decoded. Empty when there is none.
std::string part_filename(const MimePart& part);

}  // namespace cqlist::mail
