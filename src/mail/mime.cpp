#include "mail/mime.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "base/strings.hpp"
#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"
#include "mail/transfer_encoding.hpp"

namespace cqlist::mail {
namespace {

// The fields of a part header that describe its body, as raw values (folding included: the
// value parsers read CR and LF as white space, so nothing needs unfolding here).
struct DescribingFields {
  std::optional<std::string_view> content_type;
  std::optional<std::string_view> transfer_encoding;
  std::optional<std::string_view> disposition;
};

struct SplitPart {
  std::string_view header;
  std::string_view body;
  DescribingFields fields;
};

bool is_field_name_char(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte >= 33 && byte <= 126 && c != ':';
}

std::optional<std::string_view>* describing_slot(DescribingFields& fields, std::string_view name) {
  // Only names starting "Content-" matter; compare the length first, it rules out most.
  if (name.size() < 12 || ascii_lower(name[0]) != 'c' || !istarts_with(name, "content-")) {
    return nullptr;
  }
  if (name.size() == 12 && iequals(name, "content-type")) {
    return &fields.content_type;
  }
  if (name.size() == 25 && iequals(name, "content-transfer-encoding")) {
    return &fields.transfer_encoding;
  }
  if (name.size() == 19 && iequals(name, "content-disposition")) {
    return &fields.disposition;
  }
  return nullptr;
}

// Splits a part into header and body with the rules Message::parse uses: the header ends at
// an empty line, or (without one) at the first line that is neither a field nor a
// continuation. The first occurrence of each describing field wins.
SplitPart split_header(std::string_view raw) {
  SplitPart out;
  std::optional<std::string_view>* open = nullptr;
  std::size_t open_start = 0;
  auto close_open = [&](std::size_t end) {
    if (open != nullptr) {
      *open = raw.substr(open_start, end - open_start);
      open = nullptr;
    }
  };
  const std::size_t size = raw.size();
  std::size_t pos = 0;
  while (pos < size) {
    const void* lf = std::memchr(raw.data() + pos, '\n', size - pos);
    std::size_t end = lf == nullptr
                          ? size
                          : static_cast<std::size_t>(static_cast<const char*>(lf) - raw.data()) + 1;
    char first = raw[pos];
    if (first == '\n' || (first == '\r' && end == pos + 2 && raw[pos + 1] == '\n')) {
      close_open(pos);
      out.header = raw.substr(0, pos);
      out.body = raw.substr(end);
      return out;
    }
    if (is_wsp(first)) {
      if (pos == 0) {
        out.header = raw.substr(0, 0);
        out.body = raw;  // starts with a continuation line: there is no header
        return out;
      }
      pos = end;
      continue;
    }
    std::size_t i = pos;
    while (i < end && is_field_name_char(raw[i])) {
      ++i;
    }
    std::size_t name_end = i;
    while (i < end && is_wsp(raw[i])) {
      ++i;
    }
    close_open(pos);
    if (name_end == pos || i >= end || raw[i] != ':') {
      out.header = raw.substr(0, pos);
      out.body = raw.substr(pos);
      return out;
    }
    auto* slot = describing_slot(out.fields, raw.substr(pos, name_end - pos));
    if (slot != nullptr && !slot->has_value()) {
      open = slot;
      open_start = i + 1;
    }
    pos = end;
  }
  close_open(size);
  out.header = raw;
  out.body = raw.substr(size);
  return out;
}

// A boundary delimiter line found in a multipart body (RFC 2046 §5.1.1).
struct Delimiter {
  std::size_t content_end = 0;  // where the text before it ends (its line break excluded)
  std::size_t next = 0;         // just after the delimiter line
  bool close = false;
};

// Finds the next delimiter line at or after `from` (a line start). memmem finds candidates;
// a candidate counts when "--" precedes it at a line start and only "--", white space (which
// RFC 2046 allows as transport padding) and the line break follow. The last rule is what keeps
// "--foo" from matching "--foobar", a nested boundary it is a prefix of.
std::optional<Delimiter> find_delimiter(std::string_view body, std::string_view boundary,
                                        std::size_t from) {
  const std::size_t size = body.size();
  std::size_t pos = from;
  while (pos < size) {
    const void* hit = memmem(body.data() + pos, size - pos, boundary.data(), boundary.size());
    if (hit == nullptr) {
      return std::nullopt;
    }
    auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - body.data());
    pos = at + 1;
    if (at < from + 2 || body[at - 1] != '-' || body[at - 2] != '-') {
      continue;
    }
    std::size_t line_start = at - 2;
    if (line_start != 0 && body[line_start - 1] != '\n') {
      continue;
    }
    std::size_t q = at + boundary.size();
    Delimiter delimiter;
    if (q + 1 < size && body[q] == '-' && body[q + 1] == '-') {
      delimiter.close = true;
      q += 2;
    }
    while (q < size && is_wsp(body[q])) {
      ++q;
    }
    if (q == size) {
      delimiter.next = size;
    } else if (body[q] == '\n') {
      delimiter.next = q + 1;
    } else if (body[q] == '\r' && (q + 1 == size || body[q + 1] == '\n')) {
      delimiter.next = std::min(q + 2, size);
    } else {
      continue;
    }
    std::size_t content_end = line_start;
    if (content_end > from && body[content_end - 1] == '\n') {
      --content_end;
      if (content_end > from && body[content_end - 1] == '\r') {
        --content_end;
      }
    }
    delimiter.content_end = content_end;
    return delimiter;
  }
  return std::nullopt;
}

// Fields that are one run of bytes can be viewed in place; after edits they may not be.
std::optional<std::string_view> contiguous_header(const std::vector<HeaderField>& fields) {
  if (fields.empty()) {
    return std::string_view();
  }
  const char* start = fields.front().raw().data();
  const char* end = start;
  for (const auto& field : fields) {
    if (field.raw().data() != end) {
      return std::nullopt;
    }
    end += field.raw().size();
  }
  return std::string_view(start, static_cast<std::size_t>(end - start));
}

}  // namespace

class MimeTreeBuilder {
 public:
  MimeTreeBuilder(MimeTree& tree, const MimeLimits& limits) : tree_(tree), limits_(limits) {}

  void run() {
    const Message& message = tree_.message_;
    std::optional<std::string_view> header = contiguous_header(message.fields());
    if (!header) {
      tree_.root_header_ = std::make_shared<const std::string>(message.header_bytes());
      header = *tree_.root_header_;
    }
    MimePart root;
    root.header = *header;
    root.body = message.body();
    tree_.parts_.reserve(4);
    tree_.parts_.push_back(std::move(root));
    describe(0, split_header(*header).fields, false);
    expand(0);
  }

 private:
  void add_defect(std::size_t part, MimeDefect defect) {
    auto& defects = tree_.defects_;
    for (auto it = defects.rbegin(); it != defects.rend() && it->part == part; ++it) {
      if (it->defect == defect) {
        return;
      }
    }
    defects.push_back(MimeDefectAt{part, defect});
  }

  void describe(std::size_t index, const DescribingFields& fields, bool in_digest) {
    MimePart& part = tree_.parts_[index];
    if (fields.content_type) {
      part.content_type = parse_content_type(*fields.content_type);
      part.has_content_type = true;
      if (part.content_type.type_invalid) {
        add_defect(index, MimeDefect::invalid_content_type);
      }
      if (part.content_type.malformed) {
        add_defect(index, MimeDefect::malformed_parameter);
      }
    } else if (in_digest) {
      // RFC 2046 §5.1.5: in a digest, parts are messages unless they say otherwise.
      part.content_type.type = "message";
      part.content_type.subtype = "rfc822";
    }
    if (fields.transfer_encoding) {
      part.transfer_encoding = parse_transfer_encoding(*fields.transfer_encoding);
    }
    if (fields.disposition) {
      part.disposition = parse_content_disposition(*fields.disposition);
      if (part.disposition.malformed) {
        add_defect(index, MimeDefect::malformed_parameter);
      }
    }
  }

  void expand(std::size_t index) {
    const MimePart& part = tree_.parts_[index];
    const ContentType& type = part.content_type;
    bool is_message =
        type.type == "message" && (type.subtype == "rfc822" || type.subtype == "global");
    if (!type.is_multipart() && !is_message) {
      return;
    }
    if (part.depth >= limits_.max_depth) {
      add_defect(index, MimeDefect::depth_limit);
      return;
    }
    if (part.transfer_encoding == TransferEncoding::base64 ||
        part.transfer_encoding == TransferEncoding::quoted_printable) {
      add_defect(index, MimeDefect::encoded_container);
      return;
    }
    if (is_message) {
      if (tree_.parts_.size() >= limits_.max_parts) {
        add_defect(index, MimeDefect::part_limit);
        return;
      }
      tree_.parts_[index].kind = PartKind::message;
      add_child(index, tree_.parts_[index].body, false);
      return;
    }
    // A copy: the parameter's storage moves when parts_ grows.
    std::string boundary(part.boundary());
    if (boundary.empty()) {
      add_defect(index, MimeDefect::missing_boundary);
      return;
    }
    split_multipart(index, boundary);
  }

  void split_multipart(std::size_t index, std::string_view boundary) {
    std::string_view body = tree_.parts_[index].body;
    bool in_digest = tree_.parts_[index].content_type.subtype == "digest";
    std::optional<Delimiter> current = find_delimiter(body, boundary, 0);
    if (!current) {
      add_defect(index, MimeDefect::boundary_not_found);
      return;
    }
    tree_.parts_[index].kind = PartKind::multipart;
    tree_.parts_[index].preamble = body.substr(0, current->content_end);
    while (!current->close) {
      std::size_t start = current->next;
      if (tree_.parts_.size() >= limits_.max_parts) {
        add_defect(index, MimeDefect::part_limit);
        tree_.parts_[index].epilogue = body.substr(start);
        return;
      }
      std::optional<Delimiter> next = find_delimiter(body, boundary, start);
      std::size_t end = next ? std::max(next->content_end, start) : body.size();
      add_child(index, body.substr(start, end - start), in_digest);
      if (!next) {
        add_defect(index, MimeDefect::missing_close_delimiter);
        return;
      }
      current = next;
    }
    tree_.parts_[index].closed = true;
    tree_.parts_[index].epilogue = body.substr(current->next);
  }

  void add_child(std::size_t parent, std::string_view raw, bool in_digest) {
    SplitPart split = split_header(raw);
    MimePart child;
    child.parent = parent;
    child.depth = tree_.parts_[parent].depth + 1;
    child.raw = raw;
    child.header = split.header;
    child.body = split.body;
    std::size_t index = tree_.parts_.size();
    tree_.parts_.push_back(std::move(child));
    tree_.parts_[parent].children.push_back(index);
    describe(index, split.fields, in_digest);
    expand(index);
  }

  MimeTree& tree_;
  const MimeLimits& limits_;
};

std::string_view mime_defect_name(MimeDefect defect) {
  switch (defect) {
    case MimeDefect::invalid_content_type:
      return "invalid_content_type";
    case MimeDefect::malformed_parameter:
      return "malformed_parameter";
    case MimeDefect::missing_boundary:
      return "missing_boundary";
    case MimeDefect::boundary_not_found:
      return "boundary_not_found";
    case MimeDefect::missing_close_delimiter:
      return "missing_close_delimiter";
    case MimeDefect::encoded_container:
      return "encoded_container";
    case MimeDefect::depth_limit:
      return "depth_limit";
    case MimeDefect::part_limit:
      return "part_limit";
  }
  return "unknown";
}

MimeTree MimeTree::build(Message message, const MimeLimits& limits) {
  MimeTree tree;
  tree.message_ = std::move(message);
  MimeTreeBuilder(tree, limits).run();
  return tree;
}

bool MimeTree::has_defect(std::size_t part, MimeDefect defect) const {
  return std::any_of(defects_.begin(), defects_.end(), [&](const MimeDefectAt& found) {
    return found.part == part && found.defect == defect;
  });
}

std::string decoded_body(const MimePart& part) {
  return decode_transfer_encoding(part.body, part.transfer_encoding);
}

std::string decoded_text(const MimePart& part) {
  return to_utf8_lenient(decoded_body(part), part.content_type.charset());
}

std::string part_filename(const MimePart& part) {
  std::string_view name = part.disposition.parameter("filename");
  if (name.empty()) {
    name = part.content_type.parameter("name");
  }
  std::string_view charset = part.content_type.parameter("charset");
  if (name.find("=?") != std::string_view::npos) {
    return decode_header_text(name, charset);
  }
  if (!is_valid_utf8(name)) {
    return to_utf8_lenient(name, charset);
  }
  return std::string(name);
}

}  // namespace cqlist::mail
