#include "mail/transfer_encoding.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "base/strings.hpp"

namespace cqlist::mail {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::int8_t kNotBase64 = -1;

constexpr std::array<std::int8_t, 256> make_base64_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& entry : table) {
    entry = kNotBase64;
  }
  for (std::size_t i = 0; i < kBase64Alphabet.size(); ++i) {
    table[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}

constexpr std::array<std::int8_t, 256> kBase64Values = make_base64_table();

constexpr std::string_view kHexDigits = "0123456789ABCDEF";

constexpr bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Flushes an incomplete group of `count` sextets held in `bits`.
void flush_partial_group(std::uint32_t bits, int count, std::string& out) {
  if (count == 2) {
    out += static_cast<char>((bits >> 4) & 0xFF);
  } else if (count == 3) {
    out += static_cast<char>((bits >> 10) & 0xFF);
    out += static_cast<char>((bits >> 2) & 0xFF);
  }
}

// The QP token for one input byte: 1 or 3 characters written into `token`.
std::size_t qp_token(unsigned char byte, bool must_escape, char* token) {
  bool literal = !must_escape &&
                 ((byte >= 33 && byte <= 126 && byte != '=') || is_blank(static_cast<char>(byte)));
  if (literal) {
    token[0] = static_cast<char>(byte);
    return 1;
  }
  token[0] = '=';
  token[1] = kHexDigits[byte >> 4];
  token[2] = kHexDigits[byte & 0x0F];
  return 3;
}

// Encodes one line (without its line break), adding soft breaks so no line passes 76.
void encode_qp_line(std::string_view line, std::string_view line_ending, std::string& out) {
  constexpr std::size_t kMaxLine = 76;
  std::size_t used = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    auto byte = static_cast<unsigned char>(line[i]);
    bool last = i + 1 == line.size();
    // RFC 2045 §6.7 (3): white space ending a line would be stripped in transport.
    bool escape = (last && is_blank(line[i])) || (i == 0 && line.starts_with("From "));
    char token[3];
    std::size_t length = qp_token(byte, escape, token);
    // A soft break's '=' needs one column, except on the line's final token.
    std::size_t limit = last ? kMaxLine : kMaxLine - 1;
    if (used + length > limit) {
      out += '=';
      out += line_ending;
      used = 0;
    }
    out.append(token, length);
    used += length;
  }
}

}  // namespace

void append_base64_decoded(std::string_view encoded, std::string& out) {
  out.reserve(out.size() + encoded.size() / 4 * 3 + 3);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : encoded) {
    std::int8_t value = kBase64Values[static_cast<unsigned char>(c)];
    if (value != kNotBase64) {
      bits = (bits << 6) | static_cast<std::uint32_t>(value);
      if (++count == 4) {
        out += static_cast<char>((bits >> 16) & 0xFF);
        out += static_cast<char>((bits >> 8) & 0xFF);
        out += static_cast<char>(bits & 0xFF);
        bits = 0;
        count = 0;
      }
    } else if (c == '=') {
      flush_partial_group(bits, count, out);
      bits = 0;
      count = 0;
    }
  }
  flush_partial_group(bits, count, out);
}

std::string decode_base64(std::string_view encoded) {
  std::string out;
  append_base64_decoded(encoded, out);
  return out;
}

void append_quoted_printable_decoded(std::string_view encoded, std::string& out) {
  out.reserve(out.size() + encoded.size());
  const std::size_t size = encoded.size();
  std::size_t i = 0;
  while (i < size) {
    char c = encoded[i];
    if (c == '=') {
      if (i + 2 < size && hex_digit_value(encoded[i + 1]) >= 0 &&
          hex_digit_value(encoded[i + 2]) >= 0) {
        out += static_cast<char>(hex_digit_value(encoded[i + 1]) * 16 +
                                 hex_digit_value(encoded[i + 2]));
        i += 3;
        continue;
      }
      // A soft line break, possibly with white space a transport added after the '='.
      std::size_t j = i + 1;
      while (j < size && is_blank(encoded[j])) {
        ++j;
      }
      if (j == size) {
        i = j;
        continue;
      }
      if (encoded[j] == '\n') {
        i = j + 1;
        continue;
      }
      if (encoded[j] == '\r' && (j + 1 == size || encoded[j + 1] == '\n')) {
        i = j + 2;
        continue;
      }
      out += '=';  // not an escape: keep it as written
      ++i;
      continue;
    }
    if (is_blank(c)) {
      std::size_t j = i;
      while (j < size && is_blank(encoded[j])) {
        ++j;
      }
      bool at_line_end = j == size || encoded[j] == '\n' ||
                         (encoded[j] == '\r' && j + 1 < size && encoded[j + 1] == '\n');
      if (!at_line_end) {
        out.append(encoded, i, j - i);
      }
      i = j;
      continue;
    }
    // Copy the run of ordinary characters up to the next '=' or blank in one go.
    std::size_t j = i + 1;
    while (j < size && encoded[j] != '=' && !is_blank(encoded[j])) {
      ++j;
    }
    out.append(encoded, i, j - i);
    i = j;
  }
}

std::string decode_quoted_printable(std::string_view encoded) {
  std::string out;
  append_quoted_printable_decoded(encoded, out);
  return out;
}

std::string decode_transfer_encoding(std::string_view body, TransferEncoding encoding) {
  switch (encoding) {
    case TransferEncoding::base64:
      return decode_base64(body);
    case TransferEncoding::quoted_printable:
      return decode_quoted_printable(body);
    case TransferEncoding::seven_bit:
    case TransferEncoding::eight_bit:
    case TransferEncoding::binary:
    case TransferEncoding::unknown:
      break;
  }
  return std::string(body);
}

std::string encode_base64(std::string_view data, std::string_view line_ending) {
  constexpr std::size_t kGroupsPerLine = 19;  // 76 characters
  std::string out;
  std::size_t groups = (data.size() + 2) / 3;
  out.reserve(groups * 4 + (groups / kGroupsPerLine + 1) * line_ending.size());
  std::size_t in_line = 0;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    std::size_t available = data.size() - i;
    std::uint32_t bits = static_cast<std::uint32_t>(static_cast<unsigned char>(data[i])) << 16;
    if (available > 1) {
      bits |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
    }
    if (available > 2) {
      bits |= static_cast<std::uint32_t>(static_cast<unsigned char>(data[i + 2]));
    }
    out += kBase64Alphabet[(bits >> 18) & 0x3F];
    out += kBase64Alphabet[(bits >> 12) & 0x3F];
    out += available > 1 ? kBase64Alphabet[(bits >> 6) & 0x3F] : '=';
    out += available > 2 ? kBase64Alphabet[bits & 0x3F] : '=';
    if (++in_line == kGroupsPerLine) {
      out += line_ending;
      in_line = 0;
    }
  }
  if (in_line != 0) {
    out += line_ending;
  }
  return out;
}

std::string encode_quoted_printable(std::string_view text, std::string_view line_ending) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const void* lf = std::memchr(text.data() + pos, '\n', text.size() - pos);
    if (lf == nullptr) {
      encode_qp_line(text.substr(pos), line_ending, out);
      break;
    }
    auto end = static_cast<std::size_t>(static_cast<const char*>(lf) - text.data());
    std::size_t content_end = (end > pos && text[end - 1] == '\r') ? end - 1 : end;
    encode_qp_line(text.substr(pos, content_end - pos), line_ending, out);
    out += line_ending;
    pos = end + 1;
  }
  return out;
}

std::string encode_transfer_encoding(std::string_view data, TransferEncoding encoding,
                                     std::string_view line_ending) {
  switch (encoding) {
    case TransferEncoding::base64:
      return encode_base64(data, line_ending);
    case TransferEncoding::quoted_printable:
      return encode_quoted_printable(data, line_ending);
    case TransferEncoding::seven_bit:
    case TransferEncoding::eight_bit:
    case TransferEncoding::binary:
    case TransferEncoding::unknown:
      break;
  }
  return std::string(data);
}

std::string_view rfc822_transfer_encoding(std::string_view message) {
  bool eight_bit = false;
  std::size_t line_length = 0;
  for (std::size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (c == '\0' || (c == '\r' && (i + 1 >= message.size() || message[i + 1] != '\n'))) {
      return "binary";
    }
    if (c == '\r') {
      continue;  // the CR of a CRLF: line lengths count the octets before it (RFC 5322 §2.1.1)
    }
    line_length = c == '\n' ? 0 : line_length + 1;
    if (line_length > 998) {
      return "binary";
    }
    eight_bit = eight_bit || static_cast<unsigned char>(c) >= 0x80;
  }
  return eight_bit ? "8bit" : "7bit";
}

}  // namespace cqlist::mail
