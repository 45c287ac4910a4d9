// Formatting mailboxes and envelope paths, and splitting envelope paths (RFC 5321 §4.1.2).
// The header-field grammar is in address_parse.cpp, comparison forms in address_normalize.cpp.

#include "mail/address.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/strings.hpp"
#include "mail/charset.hpp"

namespace cqlist::mail {

namespace {

// atext of RFC 5322 §3.2.3, with UTF-8 added by RFC 6532 §3.2.
bool is_atext(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.' ||
      text.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : text) {
    if (c != '.' && !is_atext(c)) {
      return false;
    }
  }
  return true;
}

// CR and LF would end the header field early; nothing legitimate needs them here. An escape
// byte is quoted (obs-qp) so that a reader does not take it as a raw ISO-2022-JP shift.
std::string quoted_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '\x1b') {
      out += '\\';
    }
    if (c != '\r' && c != '\n') {
      out += c;
    }
  }
  out += '"';
  return out;
}

// A local part written as it was when it needs no quotes, so that the Japanese carriers'
// "taro..yamada.@docomo.ne.jp" (invalid dots, but deliverable) stays unquoted: quoting would
// make a different string that some servers do not match.
std::string format_local_part(std::string_view local_part, bool was_quoted) {
  bool plain = !local_part.empty();
  for (char c : local_part) {
    if (c != '.' && !is_atext(c)) {
      plain = false;
      break;
    }
  }
  if (plain && (!was_quoted || is_dot_atom(local_part))) {
    return std::string(local_part);
  }
  return quoted_string(local_part);
}

// An ASCII name that can go out as a phrase of atoms (RFC 5322 §3.2.5) without quotes.
bool is_atom_phrase(std::string_view name) {
  if (name.find("=?") != std::string_view::npos) {
    return false;  // would be read back as an encoded word
  }
  bool previous_space = true;
  for (char c : name) {
    if (c == ' ') {
      if (previous_space) {
        return false;
      }
      previous_space = true;
    } else if (is_atext(c)) {
      previous_space = false;
    } else {
      return false;
    }
  }
  return !previous_space;
}

bool is_control(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

std::string without_controls(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += is_control(c) ? ' ' : c;
  }
  return out;
}

constexpr std::size_t kLineLimit = 78;  // RFC 5322 §2.1.1 "SHOULD"

}  // namespace

std::string_view address_problem_name(AddressProblemKind kind) {
  switch (kind) {
    case AddressProblemKind::no_address:
      return "no_address";
    case AddressProblemKind::missing_at_sign:
      return "missing_at_sign";
    case AddressProblemKind::missing_local_part:
      return "missing_local_part";
    case AddressProblemKind::missing_domain:
      return "missing_domain";
    case AddressProblemKind::empty_angle_addr:
      return "empty_angle_addr";
    case AddressProblemKind::unterminated_angle_addr:
      return "unterminated_angle_addr";
    case AddressProblemKind::unterminated_quoted_string:
      return "unterminated_quoted_string";
    case AddressProblemKind::unterminated_comment:
      return "unterminated_comment";
    case AddressProblemKind::unterminated_domain_literal:
      return "unterminated_domain_literal";
    case AddressProblemKind::unterminated_group:
      return "unterminated_group";
    case AddressProblemKind::nested_group:
      return "nested_group";
    case AddressProblemKind::bad_dot_placement:
      return "bad_dot_placement";
    case AddressProblemKind::unexpected_text:
      return "unexpected_text";
    case AddressProblemKind::invalid_utf8:
      return "invalid_utf8";
  }
  return "unknown";
}

std::vector<Mailbox> AddressList::mailboxes() const {
  std::vector<Mailbox> out;
  for (const AddressEntry& entry : entries) {
    if (const auto* mailbox = std::get_if<Mailbox>(&entry)) {
      out.push_back(*mailbox);
    } else {
      const auto& group = std::get<Group>(entry);
      out.insert(out.end(), group.mailboxes.begin(), group.mailboxes.end());
    }
  }
  return out;
}

std::string Mailbox::addr_spec() const {
  return format_local_part(local_part, local_part_quoted) + "@" + domain;
}

Result<std::string> format_mailbox(const Mailbox& mailbox, const MailboxFormatOptions& options) {
  std::string address = mailbox.addr_spec();
  std::string name = without_controls(trim(mailbox.display_name));
  if (name.empty()) {
    return address;
  }
  std::string phrase;
  if (!is_ascii(name)) {
    EncodeOptions encode;
    encode.charset = options.charset;
    encode.first_line_used = options.first_line_used;
    encode.phrase = true;
    auto encoded = encode_header_text(name, encode);
    if (!encoded) {
      return fail(std::move(encoded.error()).with_context("while formatting a display name"));
    }
    phrase = std::move(*encoded);
  } else if (is_atom_phrase(name)) {
    phrase = std::move(name);
  } else {
    phrase = quoted_string(name);
  }
  // Fold before the angle-addr when the last line would grow past the limit.
  std::size_t last_line_start = phrase.rfind('\n');
  std::size_t used = last_line_start == std::string::npos ? options.first_line_used + phrase.size()
                                                          : phrase.size() - last_line_start - 1;
  std::string separator = used + 3 + address.size() > kLineLimit ? "\n " : " ";
  return phrase + separator + "<" + address + ">";
}

std::string EnvelopeAddress::to_string() const {
  if (domain.empty()) {
    return is_null() ? std::string() : format_local_part(local_part, local_part_quoted);
  }
  return format_local_part(local_part, local_part_quoted) + "@" + domain;
}

Result<EnvelopeAddress> split_addr_spec(std::string_view path) {
  std::string_view text = trim(path);
  auto invalid = [&](std::string_view why) {
    std::string shown(path);  // control characters would break the log line
    std::replace_if(shown.begin(), shown.end(), is_control, '?');
    return fail(Errc::bad_syntax,
                "the envelope address \"" + shown + "\" is not valid: " + std::string(why));
  };
  if (!text.empty() && text.front() == '<') {
    if (text.size() < 2 || text.back() != '>') {
      return invalid("\"<\" without \">\"");
    }
    text = text.substr(1, text.size() - 2);
  }
  EnvelopeAddress address;
  if (text.empty()) {
    return address;  // the null reverse-path
  }
  if (text.front() == '@') {
    // A source route (RFC 5321 Appendix C): receivers must accept and ignore it.
    std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
      return invalid("a source route without \":\"");
    }
    text.remove_prefix(colon + 1);
  }
  std::size_t pos = 0;
  if (!text.empty() && text.front() == '"') {
    address.local_part_quoted = true;
    for (pos = 1; pos < text.size() && text[pos] != '"'; ++pos) {
      if (text[pos] == '\\') {
        ++pos;
      }
      if (pos < text.size()) {
        address.local_part += text[pos];
      }
    }
    if (pos >= text.size()) {
      return invalid("an unterminated quoted string");
    }
    ++pos;
    // qtextSMTP and quoted-pairSMTP (RFC 5321 §4.1.2) hold no control characters.
    for (char c : address.local_part) {
      if (is_control(c)) {
        return invalid("a control character in the local part");
      }
    }
  } else {
    while (pos < text.size() && text[pos] != '@') {
      if (text[pos] != '.' && !is_atext(text[pos])) {
        return invalid("a character that needs quoting in the local part");
      }
      address.local_part += text[pos++];
    }
    if (address.local_part.empty()) {
      return invalid("an empty local part");
    }
  }
  if (!is_valid_utf8(address.local_part)) {
    return invalid("a local part that is not UTF-8 (RFC 6531)");
  }
  if (pos == text.size()) {
    if (!address.local_part_quoted && iequals(address.local_part, "postmaster")) {
      return address;  // RCPT TO:<Postmaster> (RFC 5321 §4.1.1.3)
    }
    return invalid("no \"@\"");
  }
  if (text[pos] != '@') {
    return invalid("text after the quoted local part");
  }
  address.domain = std::string(text.substr(pos + 1));
  if (address.domain.empty()) {
    return invalid("an empty domain");
  }
  // An address literal holds printable ASCII but brackets and backslash (RFC 5321 §4.1.3).
  bool is_literal = address.domain.front() == '[';
  if (is_literal && (address.domain.size() < 3 || address.domain.back() != ']')) {
    return invalid("an address literal without \"]\"");
  }
  std::string_view forbidden = is_literal ? "[]\\" : "[]\\<>()@,;:\"";
  std::string_view checked =
      is_literal ? std::string_view(address.domain).substr(1, address.domain.size() - 2)
                 : std::string_view(address.domain);
  for (char c : checked) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || (is_literal && byte >= 0x80) ||
        forbidden.find(c) != std::string_view::npos) {
      return invalid("a character that cannot be in a domain");
    }
  }
  return address;
}

}  // namespace cqlist::mail
