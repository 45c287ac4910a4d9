// list/commands_parse.cpp: reading commands out of a mail, and telling mail not to answer.
//
// The body is read the way fml and Majordomo read it: one command per line from the top,
// until the first line that is not a command. That line is reported only when it looks like
// a command gone wrong (a '#' line, a few ASCII words, or nothing else was found): a reply to
// a confirmation sent through NAME-request has prose and quotes under its Subject command,
// and answering "unknown command: Thanks!" to that would be noise.
#include <algorithm>
#include <array>

#include "base/strings.hpp"
#include "list/notices_reply.hpp"
#include "list/token.hpp"
#include "mail/address.hpp"
#include "mail/content_type.hpp"
#include "mail/mime.hpp"
#include "mail/subject.hpp"

namespace cqlist::list {
namespace {

constexpr std::array<std::string_view, 14> kCommandNames = {
    "help",    "subscribe", "unsubscribe", "bye",     "confirm", "get",     "index",
    "members", "digest",    "nomail",      "approve", "reject",  "discard", "end"};

// How a hold notice's subject carries its code: "(moderate TOKEN)" at the end. The held
// post's own subject comes before it and may say "moderate" too, even with a long word or a
// code-like string after it, so only this exact form counts, and the last one wins.
constexpr std::string_view kModerationMarker = "(moderate";

// A line longer than this is prose, not a command.
constexpr std::size_t kMaxCommandLine = 300;

bool is_command_name(std::string_view word) {
  return std::find(kCommandNames.begin(), kCommandNames.end(), word) != kCommandNames.end();
}

// Full-width ASCII (U+FF01..U+FF5E) and the ideographic space (U+3000) become ASCII, so that
// "ｓｕｂｓｃｒｉｂｅ" typed with a Japanese input method still reads as a command.
std::string narrow_full_width(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0xE0 && byte <= 0xEF && i + 2 < text.size()) {
      const unsigned code = ((byte & 0x0Fu) << 12) |
                            ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
                            (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
      if (code >= 0xFF01 && code <= 0xFF5E) {
        out += static_cast<char>(code - 0xFF01 + 0x21);
        i += 2;
        continue;
      }
      if (code == 0x3000) {
        out += ' ';
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_wsp(text[i])) {
      ++i;
    }
    const std::size_t start = i;
    while (i < text.size() && !is_wsp(text[i])) {
      ++i;
    }
    if (i > start) {
      out.emplace_back(text.substr(start, i - start));
    }
  }
  return out;
}

// The line as a command, or nullopt when its first word is not one.
std::optional<Command> read_command(std::string_view raw_line) {
  std::string line(trim(narrow_full_width(raw_line)));
  if (line.empty() || line.size() > kMaxCommandLine) {
    return std::nullopt;
  }
  std::string_view rest = line;
  if (rest.front() == '#') {
    rest = trim(rest.substr(1));
  }
  auto parts = words(rest);
  if (parts.empty() || !is_command_name(to_ascii_lower(parts.front()))) {
    return std::nullopt;
  }
  Command command;
  command.line = line;
  command.name = to_ascii_lower(parts.front());
  command.args.assign(parts.begin() + 1, parts.end());
  return command;
}

bool looks_like_a_command(std::string_view line) {
  std::string narrow = narrow_full_width(trim(line));
  if (!narrow.empty() && narrow.front() == '#') {
    return true;
  }
  for (char c : narrow) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return words(narrow).size() <= 3;
}

// The decoded text of the first inline text/plain part; empty when there is none (an HTML
// only mail gives its Subject command, if any).
std::string body_text(const mail::Message& message) {
  const mail::MimeTree tree = mail::MimeTree::build(message);
  for (const mail::MimePart& part : tree.parts()) {
    if (part.kind == mail::PartKind::leaf && part.content_type.is("text", "plain") &&
        part.is_inline()) {
      return mail::decoded_text(part);
    }
  }
  return {};
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    out.push_back(line);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  return out;
}

bool is_signature_separator(std::string_view line) {
  return line == "-- " || line == "--";
}

bool is_quoted(std::string_view line) {
  std::string_view trimmed = trim(line);
  return trimmed.starts_with('>') || trimmed.starts_with("|");
}

bool same_command(const Command& a, const Command& b) {
  if (a.name != b.name || a.args.size() != b.args.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.args.size(); ++i) {
    if (!iequals(a.args[i], b.args[i])) {
      return false;
    }
  }
  return true;
}

// RFC 3834 §2 and procmail's FROM_DAEMON: these local parts are programs (bounces, list
// servers, their request and owner addresses), whose answer to an answer would loop. Matched
// as whole names or at a '-' boundary, so "owner-ham" is a program but "homeowner" is not.
bool is_program_local_part(std::string_view local_part) {
  const std::string lower = to_ascii_lower(trim(local_part));
  return lower == "mailer-daemon" || lower == "listserv" || lower == "majordomo" ||
         lower.starts_with("owner-") || lower.ends_with("-request");
}

// The local part of an envelope path, also when it has no domain ("MAILER-DAEMON"), which
// split_addr_spec refuses for anything but Postmaster.
std::string envelope_local_part(std::string_view path) {
  if (auto split = mail::split_addr_spec(path)) {
    return split->local_part;
  }
  path = trim(path);
  if (path.size() >= 2 && path.front() == '<' && path.back() == '>') {
    path = path.substr(1, path.size() - 2);
  }
  return std::string(path.substr(0, path.rfind('@')));
}

std::string field_token(const mail::Message& message, std::string_view name) {
  std::string value = to_ascii_lower(trim(message.first_value(name).value_or("")));
  const std::size_t end = value.find_first_of("; \t(");
  return end == std::string::npos ? value : value.substr(0, end);
}

}  // namespace

ParsedCommands parse_commands(const mail::Message& message, std::string_view list_name,
                              std::string_view legacy_charset) {
  ParsedCommands parsed;
  const std::string subject = mail::strip_reply_prefixes_and_tags(
      mail::subject_for_display(message.first_value("Subject").value_or(""), legacy_charset),
      list_name);
  const bool subject_command = [&] {
    auto command = read_command(subject);
    if (!command || command->name == "end") {
      return false;
    }
    parsed.commands.push_back(std::move(*command));
    return true;
  }();

  const std::string body = body_text(message);
  for (std::string_view line : lines_of(body)) {
    if (is_signature_separator(line)) {
      break;
    }
    if (trim(line).empty() || is_quoted(line)) {
      continue;
    }
    auto command = read_command(line);
    if (!command) {
      const bool report =
          parsed.commands.empty() || (!subject_command && looks_like_a_command(line));
      if (report) {
        parsed.unknown = std::string(trim(line).substr(0, 80));
      }
      break;
    }
    if (command->name == "end") {
      break;
    }
    const bool repeated =
        std::any_of(parsed.commands.begin(), parsed.commands.end(),
                    [&](const Command& seen) { return same_command(seen, *command); });
    if (repeated) {
      continue;  // "unsubscribe" in both the Subject and the body of a List-Unsubscribe mail
    }
    if (parsed.commands.size() == kMaxCommands) {
      parsed.truncated = true;
      break;
    }
    parsed.commands.push_back(std::move(*command));
  }
  return parsed;
}

std::string first_text_line(const mail::Message& message) {
  const std::string body = body_text(message);
  for (std::string_view line : lines_of(body)) {
    if (is_signature_separator(line)) {
      break;
    }
    std::string narrow(trim(narrow_full_width(line)));
    // Blank lines, quotes, and the attribution line of a bottom-posted reply
    // ("On Tue, Mo wrote:", "…さんは書きました：") come before the moderator's word.
    if (narrow.empty() || is_quoted(narrow) || narrow.ends_with(':') ||
        narrow.ends_with("\xEF\xBC\x9A")) {
      continue;
    }
    return narrow;
  }
  return {};
}

std::optional<std::string> moderation_token(std::string_view decoded_subject) {
  const std::string lower = to_ascii_lower(narrow_full_width(decoded_subject));
  const auto is_base32 = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); };
  std::optional<std::string> token;
  for (std::size_t at = lower.find(kModerationMarker); at != std::string::npos;
       at = lower.find(kModerationMarker, at + 1)) {
    std::size_t i = at + kModerationMarker.size();
    const std::size_t space = i;
    while (i < lower.size() && is_wsp(lower[i])) {
      ++i;
    }
    const std::size_t start = i;
    while (i < lower.size() && is_base32(lower[i])) {
      ++i;
    }
    const std::size_t length = i - start;
    while (i < lower.size() && is_wsp(lower[i])) {
      ++i;
    }
    if (start > space && length == kRandomTokenLength && i < lower.size() && lower[i] == ')') {
      token = lower.substr(start, length);
    }
  }
  return token;
}

std::optional<std::string> automatic_mail_reason(std::string_view envelope_from,
                                                 const mail::Message& message,
                                                 const ListAddresses& addresses) {
  const std::string_view sender = trim(envelope_from);
  if (sender.empty() || sender == "<>") {
    return "null envelope sender (a bounce or a notification)";
  }
  if (const std::string local_part = envelope_local_part(sender);
      is_program_local_part(local_part)) {
    return iequals(local_part, "mailer-daemon")
               ? "sent by MAILER-DAEMON"
               : "envelope sender " + local_part + " (a list or mail server, not a person)";
  }
  for (const mail::Mailbox& mailbox :
       mail::parse_address_list(message.first_value("From").value_or("")).mailboxes()) {
    if (is_program_local_part(mailbox.local_part)) {
      return "From: " + mailbox.addr_spec() + " (a list or mail server, not a person)";
    }
  }
  if (const std::string auto_submitted = field_token(message, "Auto-Submitted");
      !auto_submitted.empty() && auto_submitted != "no") {
    return "Auto-Submitted: " + auto_submitted;
  }
  if (const std::string precedence = field_token(message, "Precedence");
      precedence == "bulk" || precedence == "junk" || precedence == "list") {
    return "Precedence: " + precedence;
  }
  if (message.find_first("List-Id")) {
    return "List-Id present (mail from a mailing list)";
  }
  for (std::size_t index : message.find_all("X-Loop")) {
    for (const mail::Mailbox& mailbox :
         mail::parse_address_list(message.fields()[index].value()).mailboxes()) {
      const std::string address = mailbox.addr_spec();
      if (iequals(address, addresses.request) || iequals(address, addresses.posting) ||
          iequals(address, addresses.owner)) {
        return "X-Loop: " + address + " (our own mail came back)";
      }
    }
  }
  if (message.find_first("X-Autoreply") || message.find_first("X-Autorespond")) {
    return "X-Autoreply present (an auto-responder)";
  }
  if (mail::parse_content_type(message.first_value("Content-Type").value_or(""))
          .is("multipart", "report")) {
    return "multipart/report (a delivery or read report)";
  }
  return std::nullopt;
}

}  // namespace cqlist::list
