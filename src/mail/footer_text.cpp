#include "mail/footer_text.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "mail/transfer_encoding.hpp"

namespace cqlist::mail::detail {
namespace {

// Where the first field `name` lies in a raw part header: [begin, end) spans its lines,
// folding and final line break included; the value starts after the colon.
struct FieldSpan {
  std::size_t begin = 0;
  std::size_t colon = 0;
  std::size_t end = 0;
};

std::optional<FieldSpan> find_header_field(std::string_view header, std::string_view name) {
  auto line_end = [&](std::size_t pos) {
    std::size_t lf = header.find('\n', pos);
    return lf == std::string_view::npos ? header.size() : lf + 1;
  };
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = line_end(pos);
    while (end < header.size() && is_wsp(header[end])) {
      end = line_end(end);
    }
    std::size_t colon = header.find(':', pos);
    if (colon < end) {
      std::string_view written = header.substr(pos, colon - pos);
      while (!written.empty() && is_wsp(written.back())) {
        written.remove_suffix(1);
      }
      if (iequals(written, name)) {
        return FieldSpan{pos, colon, end};
      }
    }
    pos = end;
  }
  return std::nullopt;
}

}  // namespace

std::string_view detect_eol(std::string_view text, std::string_view fallback) {
  std::size_t lf = text.find('\n');
  if (lf == std::string_view::npos) {
    return fallback;
  }
  return (lf > 0 && text[lf - 1] == '\r') ? "\r\n" : "\n";
}

TransferEncoding encoding_for_8bit(std::string_view text) {
  auto high = static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
  return high * 6 > text.size() ? TransferEncoding::base64 : TransferEncoding::quoted_printable;
}

bool is_wide_charset(std::string_view label) {
  return istarts_with(label, "utf-16") || istarts_with(label, "utf-32") ||
         istarts_with(label, "ucs-") || iequals(label, "utf-7");
}

std::string footer_lines(std::string_view text, std::string_view eol, bool flowed) {
  std::string out;
  out.reserve(text.size() + text.size() / 16 + eol.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t lf = text.find('\n', pos);
    std::size_t end = lf == std::string_view::npos ? text.size() : lf;
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (flowed) {
      while (line != "-- " && !line.empty() && line.back() == ' ') {
        line.remove_suffix(1);
      }
      if (!line.empty() &&
          (line.front() == ' ' || line.front() == '>' || line.starts_with("From "))) {
        out += ' ';
      }
    }
    out += line;
    out += eol;
    pos = end + 1;
  }
  return out;
}

bool ends_in_ascii(std::string_view iso_2022_text) {
  std::size_t esc = iso_2022_text.rfind('\x1B');
  return esc == std::string_view::npos || iso_2022_text.substr(esc).starts_with("\x1B(B");
}

// Makes `body` ready for text to follow it: ending with a line break and, for ISO-2022 text,
// back in ASCII before that line break (RFC 1468 asks every line to end in ASCII; the footer
// is encoded on its own and starts from ASCII).
void end_body_for_append(std::string& body, std::string_view eol, bool iso_2022, bool flowed) {
  if (body.empty()) {
    return;
  }
  bool has_final_eol = body.back() == '\n';
  if (iso_2022 && !ends_in_ascii(body)) {
    std::size_t cut = body.size();
    if (has_final_eol) {
      cut -= (cut >= 2 && body[cut - 2] == '\r') ? 2u : 1u;
    }
    body.insert(cut, "\x1B(B");
  }
  if (!has_final_eol) {
    body += eol;
  }
  if (flowed) {
    // A last line ending in a space would flow into the footer's first line; an empty
    // line after it ends the paragraph without changing how the body reads.
    std::string_view text(body);
    text.remove_suffix(text.size() >= 2 && text[text.size() - 2] == '\r' ? 2 : 1);
    std::size_t start = text.rfind('\n');
    std::string_view last = start == std::string_view::npos ? text : text.substr(start + 1);
    if (!last.empty() && last.back() == ' ' && last != "-- ") {
      body += eol;
    }
  }
}

// ASCII HTML with every non-ASCII character as a numeric reference: readable in any charset
// that contains ASCII, for an HTML part whose charset cannot hold the footer.
std::string ascii_html(std::string_view utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    auto byte = static_cast<unsigned char>(utf8[i]);
    if (byte < 0x80) {
      out += utf8[i++];
      continue;
    }
    std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
    std::uint32_t code = byte & (0x7Fu >> length);
    for (std::size_t k = 1; k < length && i + k < utf8.size(); ++k) {
      code = (code << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3Fu);
    }
    out += fmt::format("&#{};", code);
    i += length;
  }
  return out;
}

std::size_t rfind_tag(std::string_view html, std::string_view tag) {
  for (std::size_t i = html.size(); i-- > 0;) {
    if (html[i] == '<' && istarts_with(html.substr(i), tag)) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::optional<std::string_view> header_field_value(std::string_view header, std::string_view name) {
  std::optional<FieldSpan> span = find_header_field(header, name);
  if (!span) {
    return std::nullopt;
  }
  std::string_view value = header.substr(span->colon + 1, span->end - span->colon - 1);
  if (!value.empty() && value.back() == '\n') {
    value.remove_suffix(1);
  }
  if (!value.empty() && value.back() == '\r') {
    value.remove_suffix(1);
  }
  return value;
}

std::string set_header_field(std::string_view header, std::string_view name, std::string_view value,
                             std::string_view eol) {
  std::string out(header);
  std::string_view space = value.empty() || !is_wsp(value.front()) ? " " : "";
  if (std::optional<FieldSpan> span = find_header_field(header, name)) {
    out.replace(span->begin, span->end - span->begin,
                fmt::format("{}:{}{}{}", header.substr(span->begin, span->colon - span->begin),
                            space, value, eol));
    return out;
  }
  if (!out.empty() && out.back() != '\n') {
    out += eol;
  }
  out += fmt::format("{}:{}{}{}", name, space, value, eol);
  return out;
}

std::string make_boundary(std::string_view body) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a: deterministic, so tests can pin it
  for (char c : body) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  // "=_" cannot occur in base64 or quoted-printable text, the usual content of a body.
  std::string boundary = fmt::format("=_cqlist_{:016x}", hash);
  for (unsigned extra = 1; body.find(boundary) != std::string_view::npos; ++extra) {
    boundary = fmt::format("=_cqlist_{:016x}_{}", hash, extra);
  }
  return boundary;
}

std::string footer_part(std::string_view footer_text, std::string_view boundary,
                        std::string_view eol, TransferEncoding& encoding) {
  std::string lines = footer_lines(footer_text, eol, false);
  encoding = is_ascii(lines) ? TransferEncoding::seven_bit : encoding_for_8bit(lines);
  return fmt::format(
      "--{0}{1}Content-Type: text/plain; charset=utf-8{1}Content-Transfer-Encoding: {2}{1}"
      "Content-Disposition: inline{1}{1}{3}{1}",
      boundary, eol, transfer_encoding_name(encoding),
      encode_transfer_encoding(lines, encoding, eol));
}

}  // namespace cqlist::mail::detail
