#include "auth/dkim/canonicalize.hpp"

#include "base/strings.hpp"

namespace cqlist::auth::dkim {
namespace {

// Appends `text` with every line end (CRLF or a bare LF) written as CRLF; a CR not followed by
// LF is kept, it is content.
void append_crlf_lines(std::string_view text, std::string& out) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;  // written with the LF
    }
    if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
}

// Splits the body into lines (without their line end) and calls `line(text)` for each; a final
// line without a line end counts as a line (§3.4.3: a missing CRLF is added).
template <class Fn>
void for_each_line(std::string_view body, Fn line) {
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t end = body.find('\n', pos);
    std::size_t next = end == std::string_view::npos ? body.size() : end + 1;
    if (end == std::string_view::npos) {
      end = body.size();
    }
    std::size_t content_end = end;
    if (content_end > pos && end < body.size() && body[content_end - 1] == '\r') {
      --content_end;
    }
    line(body.substr(pos, content_end - pos));
    pos = next;
  }
}

}  // namespace

void canonicalize_header(Canonicalization canonicalization, std::string_view name,
                         std::string_view value, std::string& out) {
  if (canonicalization == Canonicalization::simple) {
    out.append(name);
    out += ':';
    append_crlf_lines(value, out);
    out += "\r\n";
    return;
  }
  // Field names may be followed by WSP before the colon (obs-syntax); relaxed drops it.
  std::string_view trimmed_name = name;
  while (!trimmed_name.empty() && is_wsp(trimmed_name.back())) {
    trimmed_name.remove_suffix(1);
  }
  for (char c : trimmed_name) {
    out += ascii_lower(c);
  }
  out += ':';
  bool pending_space = false;
  bool started = false;
  for (char c : value) {
    if (c == '\r' || c == '\n') {
      continue;  // unfolding: CRLF followed by WSP is removed, the WSP stays
    }
    if (is_wsp(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space && started) {
      out += ' ';
    }
    pending_space = false;
    started = true;
    out += c;
  }
  out += "\r\n";
}

void canonicalize_field_text(Canonicalization canonicalization, std::string_view text,
                             std::string& out) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  if (canonicalization == Canonicalization::simple) {
    append_crlf_lines(text, out);
    out += "\r\n";
    return;
  }
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    canonicalize_header(canonicalization, text, {}, out);
    return;
  }
  canonicalize_header(canonicalization, text.substr(0, colon), text.substr(colon + 1), out);
}

void canonicalize_field(Canonicalization canonicalization, const mail::HeaderField& field,
                        std::string& out) {
  canonicalize_field_text(canonicalization, field.raw(), out);
}

std::vector<std::optional<std::size_t>> signed_field_indices(
    const mail::Message& message, const std::vector<std::string>& names) {
  const auto& fields = message.fields();
  std::vector<std::optional<std::size_t>> picked;
  picked.reserve(names.size());
  // How many instances of each name were used so far, counted from the bottom (§5.4.2).
  std::vector<std::pair<std::string_view, std::size_t>> used;
  for (const std::string& name : names) {
    std::size_t* count = nullptr;
    for (auto& entry : used) {
      if (iequals(entry.first, name)) {
        count = &entry.second;
      }
    }
    if (count == nullptr) {
      used.emplace_back(name, 0);
      count = &used.back().second;
    }
    std::size_t skip = (*count)++;
    std::optional<std::size_t> index;
    for (std::size_t i = fields.size(); i-- > 0;) {
      if (fields[i].is_named(name) && skip-- == 0) {
        index = i;
        break;
      }
    }
    // A name with no instance left picks nothing (§5.4: over-signing "nonexistent").
    picked.push_back(index);
  }
  return picked;
}

void canonicalize_signed_fields(Canonicalization canonicalization, const mail::Message& message,
                                const std::vector<std::string>& names, std::string& out) {
  for (const auto& index : signed_field_indices(message, names)) {
    if (index) {
      canonicalize_field(canonicalization, message.fields()[*index], out);
    }
  }
}

std::string canonicalize_body(Canonicalization canonicalization, std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 32 + 2);
  std::size_t pending_empty_lines = 0;
  const bool relaxed = canonicalization == Canonicalization::relaxed;
  std::string line_buffer;
  for_each_line(body, [&](std::string_view line) {
    std::string_view content = line;
    if (relaxed) {
      // §3.4.4: trailing WSP removed, runs of WSP inside the line become one SP.
      while (!content.empty() && is_wsp(content.back())) {
        content.remove_suffix(1);
      }
    }
    if (content.empty()) {
      ++pending_empty_lines;  // §3.4.3/§3.4.4: empty lines at the end are dropped
      return;
    }
    for (; pending_empty_lines > 0; --pending_empty_lines) {
      out += "\r\n";
    }
    if (relaxed) {
      bool in_space = false;
      for (char c : content) {
        if (is_wsp(c)) {
          in_space = true;
          continue;
        }
        if (in_space) {
          out += ' ';
          in_space = false;
        }
        out += c;
      }
    } else {
      out.append(content);
    }
    out += "\r\n";
  });
  // §3.4.3: an empty simple body is one CRLF; an empty relaxed body stays empty (§3.4.4 as
  // corrected by erratum 3192 and implemented everywhere).
  if (out.empty() && !relaxed) {
    out = "\r\n";
  }
  return out;
}

crypto::Sha256Digest body_hash(Canonicalization canonicalization, std::string_view body,
                               std::optional<std::uint64_t> length) {
  const std::string canonical = canonicalize_body(canonicalization, body);
  std::string_view hashed = canonical;
  if (length && *length < hashed.size()) {
    hashed = hashed.substr(0, static_cast<std::size_t>(*length));
  }
  return crypto::sha256(hashed);
}

const crypto::Sha256Digest& BodyHashCache::get(Canonicalization canonicalization,
                                               std::optional<std::uint64_t> length) {
  for (const Entry& entry : entries_) {
    if (entry.canonicalization == canonicalization && entry.length == length) {
      return entry.digest;
    }
  }
  entries_.push_back(Entry{canonicalization, length, body_hash(canonicalization, body_, length)});
  return entries_.back().digest;
}

}  // namespace cqlist::auth::dkim
