// bounce/parse_text.cpp: reading addresses, reply codes, hosts and commands out of the text
// of a bounce, whatever MTA wrote it.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/strings.hpp"
#include "bounce/parse_internal.hpp"
#include "mail/enhanced_status.hpp"
#include "mail/smtp_reply.hpp"

namespace cqlist::bounce::detail {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// atext of RFC 5322 plus the dot, and any 8-bit byte (RFC 6531 local parts).
bool is_local_char(char c) {
  static constexpr std::string_view specials = "!#$%&'*+/=?^_`{|}~.-";
  return is_alnum(c) || static_cast<unsigned char>(c) >= 0x80 ||
         specials.find(c) != std::string_view::npos;
}

bool is_domain_char(char c) {
  return is_alnum(c) || c == '.' || c == '-';
}

bool is_host_char(char c) {
  return is_alnum(c) || c == '.' || c == '-' || c == ':' || c == '_';
}

// The SMTP command a phrase starting at `text` names ("rcpt to ...", "end of data").
std::string command_word(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> words{{
      {"rcpt", "RCPT"},
      {"mail from", "MAIL"},
      {"mail", "MAIL"},
      {"end of data", "DATA"},
      {"data", "DATA"},
      {"ehlo", "EHLO"},
      {"helo", "HELO"},
      {"initial connection", "CONN"},
      {"initial greeting", "CONN"},
      {"greeting", "CONN"},
      {"connect", "CONN"},
      {"starttls", "STARTTLS"},
  }};
  for (const auto& [phrase, command] : words) {
    if (istarts_with(text, phrase)) {
      return std::string(command);
    }
  }
  return {};
}

// Case-insensitive find. The candidates for the first character are found with memchr, for
// each case separately (the parser looks for dozens of phrases in every bounce).
std::size_t ifind(std::string_view text, std::string_view needle, std::size_t from = 0) {
  if (needle.empty() || text.size() < needle.size()) {
    return std::string_view::npos;
  }
  const std::size_t last = text.size() - needle.size();  // the last possible start
  const char lower = ascii_lower(needle.front());
  const char upper = ascii_upper(needle.front());
  auto next_of = [&](char c, std::size_t at) {
    if (at > last) {
      return std::string_view::npos;
    }
    const void* hit = std::memchr(text.data() + at, c, last - at + 1);
    return hit == nullptr ? std::string_view::npos
                          : static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
  };
  std::size_t next_lower = next_of(lower, from);
  std::size_t next_upper = upper == lower ? std::string_view::npos : next_of(upper, from);
  while (true) {
    std::size_t at = std::min(next_lower, next_upper);
    if (at == std::string_view::npos) {
      return at;
    }
    if (iequals(text.substr(at + 1, needle.size() - 1), needle.substr(1))) {
      return at;
    }
    if (at == next_lower) {
      next_lower = next_of(lower, at + 1);
    } else {
      next_upper = next_of(upper, at + 1);
    }
  }
}

}  // namespace

std::string host_name(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '[' || text.front() == '<')) {
    text.remove_prefix(1);
  }
  std::size_t end = 0;
  while (end < text.size() && is_host_char(text[end])) {
    ++end;
  }
  std::string_view host = text.substr(0, end);
  while (!host.empty() && (host.back() == '.' || host.back() == ':' || host.back() == '-')) {
    host.remove_suffix(1);
  }
  if (host.find('.') == std::string_view::npos && host.find(':') == std::string_view::npos) {
    return {};
  }
  return to_ascii_lower(host);
}

bool icontains(std::string_view text, std::string_view needle) {
  return ifind(text, needle) != std::string_view::npos;
}

bool icontains_any(std::string_view text, std::span<const std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view needle) { return icontains(text, needle); });
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    if (newline == std::string_view::npos) {
      break;
    }
    text.remove_prefix(newline + 1);
  }
  return lines;
}

std::string find_address(std::string_view text, std::size_t* end) {
  for (std::size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    std::size_t begin = at;
    while (begin > 0 && is_local_char(text[begin - 1])) {
      --begin;
    }
    while (begin < at && text[begin] == '.') {
      ++begin;
    }
    std::size_t stop = at + 1;
    while (stop < text.size() && is_domain_char(text[stop])) {
      ++stop;
    }
    std::string_view domain = text.substr(at + 1, stop - at - 1);
    while (!domain.empty() && (domain.back() == '.' || domain.back() == '-')) {
      domain.remove_suffix(1);
    }
    if (begin == at || domain.find('.') == std::string_view::npos || domain.front() == '.') {
      continue;
    }
    if (end != nullptr) {
      *end = at + 1 + domain.size();
    }
    return std::string(text.substr(begin, at - begin)) + '@' + to_ascii_lower(domain);
  }
  return {};
}

std::vector<std::string> all_addresses(std::string_view text) {
  std::vector<std::string> found;
  while (true) {
    std::size_t end = 0;
    std::string address = find_address(text, &end);
    if (address.empty()) {
      return found;
    }
    if (std::find(found.begin(), found.end(), address) == found.end()) {
      found.push_back(std::move(address));
    }
    text.remove_prefix(end);
  }
}

std::string field_value(std::string_view fields, std::string_view name) {
  std::vector<std::string_view> lines = split_lines(fields);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!istarts_with(line, name)) {
      continue;
    }
    std::string_view rest = line.substr(name.size());
    while (!rest.empty() && is_wsp(rest.front())) {
      rest.remove_prefix(1);
    }
    if (rest.empty() || rest.front() != ':') {
      continue;
    }
    std::string value(trim(rest.substr(1)));
    for (std::size_t next = i + 1;
         next < lines.size() && !lines[next].empty() && is_wsp(lines[next].front()); ++next) {
      value += ' ';
      value += trim(lines[next]);
    }
    return value;
  }
  return {};
}

std::string typed_address(std::string_view value) {
  std::size_t semicolon = value.find(';');
  if (semicolon != std::string_view::npos) {
    value = value.substr(semicolon + 1);
  }
  value = trim(value);
  std::string address = find_address(value);
  if (!address.empty()) {
    return address;
  }
  if (!value.empty() && value.front() == '<' && value.back() == '>') {
    value = value.substr(1, value.size() - 2);
  }
  return std::string(trim(value));
}

std::string join_lines(std::string_view text) {
  std::string joined;
  for (std::string_view line : split_lines(text)) {
    line = trim(line);
    if (line.empty()) {
      continue;
    }
    if (!joined.empty()) {
      joined += ' ';
    }
    joined += line;
  }
  return joined;
}

std::optional<ReplyInText> find_reply_code(std::string_view text, std::size_t from) {
  static constexpr std::string_view before = " \t:;(\"['";
  static constexpr std::string_view ends = " :,')";
  for (std::size_t i = from; i + 3 <= text.size(); ++i) {
    char c = text[i];
    if (c < '2' || c > '5' || text[i + 1] < '0' || text[i + 1] > '5' || !is_digit(text[i + 2])) {
      continue;
    }
    if (i > 0 && before.find(text[i - 1]) == std::string_view::npos) {
      continue;
    }
    if (i + 3 < text.size()) {
      char after = text[i + 3];
      bool continues = after == '-' && i + 4 < text.size() && text[i + 4] != ' ';
      if (ends.find(after) == std::string_view::npos && !continues) {
        continue;
      }
    }
    return ReplyInText{(c - '0') * 100 + (text[i + 1] - '0') * 10 + (text[i + 2] - '0'), i};
  }
  return std::nullopt;
}

std::string unwrap_reply(std::string_view text) {
  std::string joined = join_lines(text);
  auto reply = mail::SmtpReply::parse(joined);
  if (!reply || reply->code == 0) {
    return joined;
  }
  std::string out = std::to_string(reply->code);
  if (reply->status) {
    out += ' ';
    out += reply->status->to_string();
  }
  std::string body = reply->text();
  if (!body.empty()) {
    out += ' ';
    out += body;
  }
  return out;
}

std::string smtp_command_in(std::string_view lowered_paragraph) {
  // Joined: "(in reply to end\n of DATA command)".
  std::string joined = join_lines(lowered_paragraph);
  std::string_view text = joined;
  auto says = [&](std::string_view phrase) { return text.find(phrase) != std::string_view::npos; };
  for (std::string_view lead : {"in reply to ", "after ", "during "}) {
    for (std::size_t at = text.find(lead); at != std::string_view::npos;
         at = text.find(lead, at + 1)) {
      std::string command = command_word(text.substr(at + lead.size()));
      if (!command.empty()) {
        return command;
      }
    }
  }
  for (std::string_view word : {"rcpt to response", "mail from response", "data response"}) {
    if (says(word)) {
      return command_word(word);
    }
  }
  // qmail's and DragonFly's wordings.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> phrases{{
      {"[rcpt_to]", "RCPT"},
      {"[mail_from]", "MAIL"},
      {"your message (data)", "DATA"},
      {"does not like recipient", "RCPT"},
      {"sender was rejected", "MAIL"},
      {"does not like sender", "MAIL"},
      {"greeting failed", "CONN"},
      {"failed after i sent the message", "DATA"},
      {"did not like our final data", "DATA"},
  }};
  for (const auto& [phrase, command] : phrases) {
    if (says(phrase)) {
      return std::string(command);
    }
  }
  // A session transcript: the last command sent before the first error reply.
  std::string last;
  for (std::string_view line : split_lines(lowered_paragraph)) {
    line = trim(line);
    if (line.starts_with(">>> ")) {
      last = command_word(line.substr(4));
    } else if (line.starts_with("<<< ") && line.size() > 4 && (line[4] == '4' || line[4] == '5')) {
      if (!last.empty()) {
        return last;
      }
    }
  }
  if (says("rcpt to")) {
    return "RCPT";
  }
  if (says("end of data")) {
    return "DATA";
  }
  if (says("connect to ") || says("connection refused") || says("connection timed out")) {
    return "CONN";
  }
  return {};
}

std::string remote_host_in(std::string_view lowered_text) {
  static constexpr std::array<std::string_view, 9> leads{
      "remote-mta: dns;", "while talking to ", "remote host ",
      "connect to ",      "connected to ",     "host ",
      "giving up on ",    "server for ",       " by "};
  for (std::string_view lead : leads) {
    for (std::size_t at = lowered_text.find(lead); at != std::string_view::npos;
         at = lowered_text.find(lead, at + 1)) {
      std::string host = host_name(lowered_text.substr(at + lead.size()));
      if (!host.empty()) {
        return host;
      }
    }
  }
  return {};
}

void fill_from_text(RecipientReport& recipient, std::string_view paragraph) {
  std::string joined = join_lines(paragraph);
  auto reply = find_reply_code(joined);
  // "220-laposte 421 4.2.1 ...": the greeting is not the refusal; a reply whose class the
  // status shares is.
  auto text_status = mail::EnhancedStatus::find_in(joined);
  if (auto known = recipient.status ? recipient.status : text_status; known && reply) {
    for (auto next = reply; next; next = find_reply_code(joined, next->position + 3)) {
      if (next->code / 100 == known->class_) {
        reply = next;
        break;
      }
    }
  }
  // The status the reply itself carries ("550-'5.7.1 ...") says more than one elsewhere.
  if (reply) {
    std::string_view after_code = std::string_view(joined).substr(reply->position + 3);
    auto own = mail::EnhancedStatus::find_in(after_code.substr(0, 12));
    if (own && own->class_ == reply->code / 100) {
      text_status = own;
    }
  }
  if (!recipient.status || (recipient.status->subject == 0 && recipient.status->detail == 0 &&
                            text_status && text_status->class_ == recipient.status->class_)) {
    recipient.status = text_status ? text_status : recipient.status;
  }
  if (reply && recipient.reply_code == 0) {
    recipient.reply_code = reply->code;
  }
  if (recipient.diagnostic.empty()) {
    recipient.diagnostic =
        reply ? unwrap_reply(std::string_view(joined).substr(reply->position)) : joined;
  }
  if (recipient.smtp_command.empty() || recipient.remote_host.empty()) {
    std::string lowered = to_ascii_lower(paragraph);  // once for both readers
    if (recipient.smtp_command.empty()) {
      recipient.smtp_command = smtp_command_in(lowered);
    }
    if (recipient.remote_host.empty()) {
      recipient.remote_host = remote_host_in(lowered);
    }
  }
}

void decide_permanence(RecipientReport& recipient, bool text_says_permanent) {
  if (recipient.action == "delayed" || recipient.action == "delivered" ||
      recipient.action == "relayed" || recipient.action == "expanded") {
    recipient.permanent = false;
    return;
  }
  if (recipient.status && !recipient.status->success()) {
    recipient.permanent = recipient.status->permanent();
    return;
  }
  if (recipient.reply_code >= 400) {
    recipient.permanent = recipient.reply_code >= 500;
    return;
  }
  recipient.permanent = recipient.action == "failed" || text_says_permanent;
}

}  // namespace cqlist::bounce::detail
