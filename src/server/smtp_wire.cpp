// server/smtp_wire.cpp: EHLO keywords, envelope commands and dot-stuffing.
#include "server/smtp_wire.hpp"

#include <string>
#include <string_view>

#include "base/strings.hpp"

namespace cqlist::server {

namespace {

bool is_safe_path(std::string_view address) {
  for (char c : address) {
    if (c == '\r' || c == '\n' || c == '<' || c == '>' || c == '\0') {
      return false;
    }
  }
  return true;
}

}  // namespace

SmtpExtensions parse_ehlo_reply(const mail::SmtpReply& reply) {
  SmtpExtensions extensions;
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    std::string_view line = trim(reply.lines[i]);
    std::size_t space = line.find(' ');
    std::string keyword;
    for (char c : line.substr(0, space)) {
      keyword.push_back(ascii_upper(c));
    }
    if (keyword.empty()) {
      continue;  // smtp-sink, for one, ends its list with an empty "250 " line
    }
    std::string parameters =
        space == std::string_view::npos ? std::string() : std::string(trim(line.substr(space)));
    extensions.emplace(std::move(keyword), std::move(parameters));
  }
  return extensions;
}

std::optional<std::string> mail_from_command(const OutgoingMessage& message,
                                             const SmtpExtensions& extensions) {
  if (!is_safe_path(message.mail_from)) {
    return std::nullopt;
  }
  std::string command = "MAIL FROM:<" + message.mail_from + ">";
  // RFC 1870: the server can refuse an oversized message before it is sent.
  if (extensions.contains("SIZE")) {
    command += " SIZE=" + std::to_string(message.data.size());
  }
  if (extensions.contains("8BITMIME") && !is_ascii(message.data)) {
    command += " BODY=8BITMIME";
  }
  if (message.xverp) {
    command += " XVERP";
  }
  command += "\r\n";
  return command;
}

std::optional<std::string> rcpt_to_command(std::string_view recipient) {
  if (recipient.empty() || !is_safe_path(recipient)) {
    return std::nullopt;
  }
  return "RCPT TO:<" + std::string(recipient) + ">\r\n";
}

// One copy per list member goes through here, so whole lines are appended at once rather
// than byte by byte. A lone '\r' is not a line end: it passes through as it came.
std::string dot_stuff(std::string_view data) {
  std::string out;
  out.reserve(data.size() + data.size() / 64 + 5);
  std::size_t pos = 0;  // always the start of a line
  while (pos < data.size()) {
    if (data[pos] == '.') {
      out.push_back('.');
    }
    const std::size_t lf = data.find('\n', pos);
    if (lf == std::string_view::npos) {
      out.append(data.substr(pos));
      out.append("\r\n");
      break;
    }
    if (lf > 0 && data[lf - 1] == '\r') {
      out.append(data.substr(pos, lf + 1 - pos));
    } else {
      out.append(data.substr(pos, lf - pos));
      out.append("\r\n");
    }
    pos = lf + 1;
  }
  out.append(".\r\n");
  return out;
}

}  // namespace cqlist::server
