// server/lmtp_protocol.cpp: command parsing, XFORWARD and the DATA decoder.
#include "server/lmtp_protocol.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.hpp"

namespace cqlist::server {

namespace {

std::string_view skip_spaces(std::string_view text) {
  while (!text.empty() && is_wsp(text.front())) {
    text.remove_prefix(1);
  }
  return text;
}

std::string_view next_word(std::string_view& text) {
  text = skip_spaces(text);
  std::size_t end = 0;
  while (end < text.size() && !is_wsp(text[end])) {
    ++end;
  }
  std::string_view word = text.substr(0, end);
  text.remove_prefix(end);
  return word;
}

bool has_control_character(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return true;
    }
  }
  return false;
}

// The end of "<...>" starting at text[0] == '<': quoted strings may hold '>' (RFC 5321 §4.1.2).
std::optional<std::size_t> closing_bracket(std::string_view text) {
  bool quoted = false;
  for (std::size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '>') {
      return i;
    }
  }
  return std::nullopt;
}

bool is_keyword(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-') {
      return false;
    }
  }
  return true;
}

// XFORWARD_README note 1: after decoding, no control characters, white space or non-ASCII.
bool is_clean_attribute(std::string_view value) {
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) {
      return false;
    }
  }
  return true;
}

// RFC 5321 §4.1.1.4: the data ends at CRLF "." CRLF only. A server that also ends it at
// "\n.\n" reads a second message hidden in the first one's text, past the checks the client
// made on the first (SMTP smuggling).
constexpr std::string_view kEndLine = ".\r\n";

bool is_unavailable(std::string_view value) {
  return iequals(value, "[UNAVAILABLE]") || iequals(value, "[TEMPUNAVAIL]");
}

}  // namespace

CommandLine split_command(std::string_view line) {
  std::string_view rest = trim(line);
  std::string_view verb = next_word(rest);
  CommandLine command;
  command.verb.reserve(verb.size());
  for (char c : verb) {
    command.verb.push_back(ascii_upper(c));
  }
  command.argument = std::string(trim(rest));
  return command;
}

std::optional<PathArgument> parse_path_argument(std::string_view argument,
                                                std::string_view keyword) {
  argument = skip_spaces(argument);
  if (!istarts_with(argument, keyword) || argument.size() <= keyword.size() ||
      argument[keyword.size()] != ':') {
    return std::nullopt;
  }
  std::string_view rest = skip_spaces(argument.substr(keyword.size() + 1));
  std::string_view address;
  if (!rest.empty() && rest.front() == '<') {
    std::optional<std::size_t> end = closing_bracket(rest);
    if (!end) {
      return std::nullopt;
    }
    address = rest.substr(1, *end - 1);
    rest.remove_prefix(*end + 1);
    if (!rest.empty() && !is_wsp(rest.front())) {
      return std::nullopt;
    }
  } else {
    address = next_word(rest);
    if (address.empty()) {
      return std::nullopt;
    }
  }
  // RFC 5321 §4.1.1.3: a source route ("@relay:user@example.org") is to be ignored.
  if (!address.empty() && address.front() == '@') {
    std::size_t colon = address.find(':');
    if (colon == std::string_view::npos) {
      return std::nullopt;
    }
    address.remove_prefix(colon + 1);
  }
  if (has_control_character(address)) {
    return std::nullopt;
  }
  PathArgument path;
  path.address = std::string(address);
  for (std::string_view word = next_word(rest); !word.empty(); word = next_word(rest)) {
    std::size_t equals = word.find('=');
    std::string_view name = word.substr(0, equals);
    if (!is_keyword(name)) {
      return std::nullopt;
    }
    std::string value =
        equals == std::string_view::npos ? std::string() : std::string(word.substr(equals + 1));
    std::string upper_name;
    for (char c : name) {
      upper_name.push_back(ascii_upper(c));
    }
    path.parameters.emplace_back(std::move(upper_name), std::move(value));
  }
  return path;
}

std::optional<std::string> decode_xtext(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '+') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return std::nullopt;
    }
    int high = hex_digit_value(text[i + 1]);
    int low = hex_digit_value(text[i + 2]);
    if (high < 0 || low < 0) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

bool xforward_allowed(const IpAddress& peer, const std::vector<IpNetwork>& trusted) {
  IpAddress address = peer.mapped_v4().value_or(peer);
  for (const IpNetwork& network : trusted) {
    if (network.contains(address)) {
      return true;
    }
  }
  return false;
}

std::optional<XForwardAttributes> apply_xforward(std::string_view argument,
                                                 XForwardAttributes attributes,
                                                 std::vector<std::string>* unusable) {
  std::string_view rest = argument;
  bool any = false;
  for (std::string_view word = next_word(rest); !word.empty(); word = next_word(rest)) {
    std::size_t equals = word.find('=');
    if (equals == std::string_view::npos || equals == 0) {
      return std::nullopt;
    }
    std::string_view name = word.substr(0, equals);
    std::string* field = nullptr;
    if (iequals(name, "NAME")) {
      field = &attributes.name;
    } else if (iequals(name, "ADDR")) {
      field = &attributes.address;
    } else if (iequals(name, "HELO")) {
      field = &attributes.helo;
    } else if (iequals(name, "PROTO")) {
      field = &attributes.protocol;
    } else if (!iequals(name, "PORT") && !iequals(name, "IDENT") && !iequals(name, "SOURCE")) {
      return std::nullopt;  // Postfix knows these three; cqlist has no use for them
    }
    any = true;
    if (field == nullptr) {
      continue;
    }
    std::string_view raw_value = word.substr(equals + 1);
    std::optional<std::string> value;
    if (raw_value.size() <= 255) {
      value = decode_xtext(raw_value);
    }
    if (value && is_unavailable(*value)) {
      value->clear();
    } else if (!value || !is_clean_attribute(*value)) {
      // The client's own data (a HELO name with a space, say) must not cost the delivery:
      // the attribute is unavailable, as if the client had not known it.
      field->clear();
      if (unusable != nullptr) {
        unusable->emplace_back(word);
      }
      continue;
    }
    // XFORWARD_README: an IPv6 address comes as "IPv6:2001:db8::1".
    if (field == &attributes.address && istarts_with(*value, "IPv6:")) {
      value->erase(0, 5);
    }
    *field = std::move(*value);
  }
  if (!any) {
    return std::nullopt;
  }
  return attributes;
}

void DataDecoder::append(std::string_view bytes) {
  size_ += bytes.size();
  if (size_ > limit_) {
    // Over the limit the message is refused anyway: drop what was kept instead of growing.
    if (!message_.empty()) {
      std::string().swap(message_);
    }
    return;
  }
  message_.append(bytes);
}

std::size_t DataDecoder::feed(std::string_view input) {
  std::size_t consumed = 0;
  while (consumed < input.size() && !done_) {
    std::string_view rest = input.substr(consumed);
    if (at_line_start_ && rest.front() == '.') {
      if (rest.size() < kEndLine.size() && kEndLine.starts_with(rest)) {
        break;  // "." or ".\r" may still become the end line
      }
      if (rest.starts_with(kEndLine)) {
        done_ = true;
        consumed += kEndLine.size();
        break;
      }
      ++consumed;  // the stuffed dot
      at_line_start_ = false;
      continue;
    }
    std::size_t line_end = rest.find("\r\n");
    if (line_end == std::string_view::npos) {
      // A partial line: keep a trailing CR back, it may be the first half of CRLF.
      std::size_t take = rest.size();
      if (rest.back() == '\r') {
        --take;
      }
      if (take == 0) {
        break;
      }
      append(rest.substr(0, take));
      consumed += take;
      at_line_start_ = false;
      break;
    }
    append(rest.substr(0, line_end + 2));
    consumed += line_end + 2;
    at_line_start_ = true;
  }
  return consumed;
}

}  // namespace cqlist::server
