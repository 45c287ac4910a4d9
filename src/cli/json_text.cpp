#include "cli/json_text.hpp"

#include <fmt/format.h>

#include "mail/charset.hpp"

namespace cqlist::cli {
namespace {

// Length of the UTF-8 sequence starting at text[i] when it is well-formed, else 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (length == 0 || i + length > text.size()) {
    return 0;
  }
  return mail::is_valid_utf8(text.substr(i, length)) ? length : 0;
}

}  // namespace

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\u{:04x}", byte);
    } else if (byte < 0x80) {
      out += c;
    } else if (std::size_t length = utf8_sequence_length(text, i); length > 0) {
      out.append(text.substr(i, length));
      i += length - 1;
    } else {
      out += fmt::format("\\u{:04x}", byte);
    }
  }
  return out + "\"";
}

}  // namespace cqlist::cli
