// bounce/parse_input.cpp: a bounce read once into what every format's parser looks at.
//
// Line ends are made LF first (CRLF, LF and lone CR all occur in the field, the last from old
// Mac mailers and broken gateways), so that no parser has to care. The human-readable text
// is the decoded text parts outside the returned message, cut where an MTA pasted the copy
// of the original into its own text: addresses found after that point are the original
// message's, not failed recipients.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "base/strings.hpp"
#include "bounce/parse_internal.hpp"
#include "mail/address.hpp"
#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"
#include "mail/mime.hpp"

namespace cqlist::bounce::detail {

namespace {

std::string lf_line_ends(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    std::size_t cr = bytes.find('\r');
    out.append(bytes.substr(0, cr));
    if (cr == std::string_view::npos) {
      break;
    }
    out += '\n';
    bytes.remove_prefix(cr + (cr + 1 < bytes.size() && bytes[cr + 1] == '\n' ? 2 : 1));
  }
  return out;
}

bool inside_returned_message(const mail::MimeTree& tree, std::size_t index) {
  for (std::size_t parent = tree.part(index).parent; parent != mail::kNoParent;
       parent = tree.part(parent).parent) {
    if (tree.part(parent).kind == mail::PartKind::message) {
      return true;
    }
  }
  return false;
}

// "Name: value" with a field name of printable characters and no space.
bool is_field_line(std::string_view line) {
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 40) {
    return false;
  }
  for (char c : line.substr(0, colon)) {
    if (c <= ' ' || c > '~') {
      return false;
    }
  }
  return true;
}

bool starts_original_header(std::string_view line, std::string_view next) {
  static constexpr std::array<std::string_view, 9> names{
      "Return-Path:",  "Received:",      "DKIM-Signature:",         "X-Received:",  "Message-ID:",
      "Delivered-To:", "X-Original-To:", "Authentication-Results:", "MIME-Version:"};
  for (std::string_view name : names) {
    if (istarts_with(line, name)) {
      return (!next.empty() && is_wsp(next.front())) || is_field_line(next);
    }
  }
  return false;
}

bool is_copy_marker(std::string_view line) {
  std::string lowered = to_ascii_lower(trim(line));  // the phrases below are lowercase
  std::string_view trimmed = lowered;
  auto has = [](std::string_view text, std::string_view phrase) {
    return text.find(phrase) != std::string_view::npos;
  };
  static constexpr std::array<std::string_view, 7> phrases{
      "below this line is a copy of the message",
      "original message follows",
      "copy of the original message",
      "original message headers",
      "unsent message follows",
      "returned message follows",
      "message headers follow"};
  for (std::string_view phrase : phrases) {
    if (has(trimmed, phrase)) {
      return true;
    }
  }
  bool ruled = trimmed.starts_with("---") || trimmed.starts_with("===") ||
               trimmed.starts_with("___") || trimmed.starts_with("***");
  if (!ruled) {
    return false;
  }
  static constexpr std::array<std::string_view, 10> ruled_words{
      "original",
      "copy of",
      "returned message",
      "message follows",
      "headers follow",
      "message header",
      "undelivered message",
      "rejected message",
      "message text follows",
      "\xE5\x85\x83\xE3\x81\xAE\xE3\x83\xA1\xE3\x83\x83\xE3\x82\xBB\xE3\x83\xBC\xE3\x82\xB8"  // 元のメッセージ
  };
  for (std::string_view word : ruled_words) {
    if (has(trimmed, word)) {
      return true;
    }
  }
  return false;
}

// The text before the pasted copy of the original message; the copy goes to `copy`.
std::string cut_at_copy(std::string_view text, std::string& copy) {
  std::vector<std::string_view> lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view next = i + 1 < lines.size() ? lines[i + 1] : std::string_view();
    bool marker = is_copy_marker(lines[i]);
    if (marker || starts_original_header(lines[i], next)) {
      std::size_t at = static_cast<std::size_t>(lines[i].data() - text.data());
      std::size_t from = marker ? at + lines[i].size() : at;
      copy = std::string(text.substr(std::min(from, text.size())));
      return std::string(text.substr(0, at));
    }
  }
  return std::string(text);
}

// The first header block in pasted text.
std::string header_block(std::string_view text) {
  std::vector<std::string_view> lines = split_lines(text);
  std::size_t first = 0;
  while (first < lines.size() && !is_field_line(lines[first])) {
    ++first;
  }
  std::string block;
  for (std::size_t i = first; i < lines.size() && !trim(lines[i]).empty(); ++i) {
    block += lines[i];
    block += '\n';
  }
  return block;
}

std::string html_to_text(std::string_view html) {
  std::string text;
  bool in_tag = false;
  std::string tag;
  for (char c : html) {
    if (in_tag) {
      if (c == '>') {
        in_tag = false;
        std::string name = to_ascii_lower(tag.substr(0, tag.find(' ')));
        if (name == "br" || name == "br/" || name == "/p" || name == "/div" || name == "/tr" ||
            name == "p" || name == "/li" || name == "/h1" || name == "/h2" || name == "/td") {
          text += '\n';
        }
      } else {
        tag += c;
      }
    } else if (c == '<') {
      in_tag = true;
      tag.clear();
    } else {
      text += c;
    }
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> entities{
      {{"&lt;", "<"}, {"&gt;", ">"}, {"&nbsp;", " "}, {"&quot;", "\""}, {"&amp;", "&"}}};
  for (const auto& [entity, plain] : entities) {
    for (std::size_t at = text.find(entity); at != std::string::npos;
         at = text.find(entity, at + plain.size())) {
      text.replace(at, entity.size(), plain);
    }
  }
  return text;
}

bool is_ascii(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80 && c != 0x1b; });
}

// The part's text as UTF-8. Most bounce text is plain ASCII, which reads the same in every
// charset a bounce declares (UTF-16 and UTF-7 aside): it skips the conversion, whose setup
// costs more than the rest of the parse. Raw ISO-2022-JP under no or a US-ASCII label is
// common from Japanese MTAs and is decoded as what it is.
std::string part_text(const mail::MimePart& part) {
  std::string_view charset = part.content_type.charset();
  std::string raw = mail::decoded_body(part);
  bool unlabelled = iequals(charset, "us-ascii") || charset.empty();
  std::string text;
  if (unlabelled &&
      (raw.find("\x1b$B") != std::string::npos || raw.find("\x1b$@") != std::string::npos)) {
    text = mail::to_utf8_lenient(raw, "iso-2022-jp");
  } else if (is_ascii(raw) && !istarts_with(charset, "utf-16") &&
             !istarts_with(charset, "utf-32") && !istarts_with(charset, "utf-7")) {
    text = std::move(raw);
  } else {
    text = mail::to_utf8_lenient(raw, charset);
  }
  if (text.find('\r') != std::string::npos) {
    text = lf_line_ends(text);
  }
  return part.content_type.subtype == "html" ? html_to_text(text) : text;
}

// The From field's address, lowercased: read with the header grammar, so that a display
// name holding an "@" ("\"bob@example.org via list\" <real@example.net>") is not taken for
// it; running-text reading (find_address) only when the grammar finds no whole address.
std::string from_address(std::string_view field_value) {
  for (const mail::Mailbox& mailbox : mail::parse_address_list(field_value).mailboxes()) {
    if (!mailbox.local_part.empty() && !mailbox.domain.empty()) {
      return to_ascii_lower(mailbox.addr_spec());
    }
  }
  return to_ascii_lower(find_address(field_value));
}

}  // namespace

BounceInput read_input(std::string_view bytes) {
  BounceInput input{mail::Message::parse(lf_line_ends(bytes)), {}, {}, {}, {}, {}, {}, {}, {}};
  const mail::Message& message = input.message;
  if (auto subject = message.first_value("Subject")) {
    bool plain = subject->find("=?") == std::string::npos && is_ascii(*subject);
    input.subject = plain ? std::move(*subject) : mail::decode_header_text(*subject, "iso-2022-jp");
  }
  if (auto from = message.first_value("From")) {
    input.from = from_address(*from);
  }
  mail::MimeTree tree = mail::MimeTree::build(message);
  input.report_type = to_ascii_lower(tree.part(0).content_type.parameter("report-type"));

  std::string plain;
  std::string html;
  std::string pasted_copy;
  for (std::size_t i = 0; i < tree.parts().size(); ++i) {
    const mail::MimePart& part = tree.part(i);
    const mail::ContentType& type = part.content_type;
    if (inside_returned_message(tree, i)) {
      continue;
    }
    if (type.type == "message" &&
        (type.subtype == "delivery-status" || type.subtype == "global-delivery-status")) {
      input.delivery_status += lf_line_ends(mail::decoded_body(part));
      input.delivery_status += "\n\n";
    } else if (type.is("message", "feedback-report")) {
      input.feedback_report += lf_line_ends(mail::decoded_body(part));
    } else if (part.kind == mail::PartKind::message && input.original_headers.empty()) {
      input.original_headers = std::string(tree.part(part.children.front()).header);
      input.original_headers += '\n';
    } else if ((type.is("text", "rfc822-headers") || type.is("message", "rfc822-headers")) &&
               input.original_headers.empty()) {
      input.original_headers = lf_line_ends(mail::decoded_body(part));
    } else if (part.kind == mail::PartKind::leaf && (type.type == "text" || type.is_multipart()) &&
               part.is_inline()) {
      // A multipart read as a leaf lost its boundaries on the way: its body is still text.
      std::string copy;
      std::string text = cut_at_copy(part_text(part), copy);
      (type.subtype == "html" ? html : plain) += text + "\n";
      if (pasted_copy.empty()) {
        pasted_copy = std::move(copy);
      }
    }
  }
  input.text = plain.empty() ? std::move(html) : std::move(plain);
  if (input.original_headers.empty() && !pasted_copy.empty()) {
    input.original_headers = header_block(pasted_copy);
  }
  input.original_from = from_address(field_value(input.original_headers, "From"));
  // Some MTAs send the DSN fields as plain text (or lose the MIME structure on the way).
  if (input.delivery_status.empty() && icontains(input.text, "\nFinal-Recipient:") &&
      icontains(input.text, "\nStatus:")) {
    input.delivery_status = input.text;
  }
  return input;
}

}  // namespace cqlist::bounce::detail
