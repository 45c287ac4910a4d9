#include "mail/smtp_reply.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.hpp"

namespace cqlist::mail {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reply-code of RFC 5321 §4.2: %x32-35 %x30-35 %x30-39, then SP, "-" or the line's end.
std::optional<int> reply_code(std::string_view line) {
  if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' ||
      !is_digit(line[2])) {
    return std::nullopt;
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') {
    return std::nullopt;
  }
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

std::vector<std::string_view> physical_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (!trim(line).empty()) {
      lines.push_back(line);
    }
    if (newline == std::string_view::npos) {
      break;
    }
    text.remove_prefix(newline + 1);
  }
  return lines;
}

std::string_view first_token(std::string_view text) {
  return text.substr(0, text.find(' '));
}

class ReplyReader {
 public:
  ReplyReader(SmtpReply& reply, std::string_view code_text, std::string_view status_token)
      : reply_(reply), code_text_(code_text), status_token_(status_token) {}

  // One physical line that starts with the reply code. A continuation ("550-") may have later
  // lines joined onto it; a final line ("550 ") ends the reply, so nothing after it splits.
  void read_line(std::string_view line) {
    while (true) {
      char separator = line.size() > 3 ? line[3] : ' ';
      std::string_view body = line.substr(std::min<std::size_t>(4, line.size()));
      std::size_t joint = separator == '-' ? find_joint(body) : std::string_view::npos;
      if (joint == std::string_view::npos) {
        add(body);
        return;
      }
      add(body.substr(0, joint));
      line = body.substr(joint + 1);
    }
  }

 private:
  // Where " 550-" or " 550 " (followed by the reply's status, when it has one) starts.
  std::size_t find_joint(std::string_view body) const {
    for (std::size_t pos = body.find(' '); pos != std::string_view::npos;
         pos = body.find(' ', pos + 1)) {
      std::string_view rest = body.substr(pos + 1);
      if (rest.substr(0, 3) != code_text_ ||
          (rest.size() > 3 && rest[3] != ' ' && rest[3] != '-')) {
        continue;
      }
      if (status_token_.empty() ||
          first_token(rest.substr(std::min<std::size_t>(4, rest.size()))) == status_token_) {
        return pos;
      }
    }
    return std::string_view::npos;
  }

  // Drops the status when the line repeats the reply's, and the one space after it.
  void add(std::string_view body) {
    if (reply_.status && EnhancedStatus::parse(first_token(body)) == reply_.status) {
      body.remove_prefix(first_token(body).size());
      if (!body.empty() && body.front() == ' ') {
        body.remove_prefix(1);
      }
    }
    reply_.lines.emplace_back(body);
  }

  SmtpReply& reply_;
  std::string_view code_text_;
  std::string_view status_token_;
};

std::string one_line(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '\r', ' ');
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

}  // namespace

Result<SmtpReply> SmtpReply::parse(std::string_view text) {
  std::vector<std::string_view> lines = physical_lines(text);
  if (lines.empty()) {
    return fail(Errc::bad_syntax, "the SMTP reply is empty");
  }
  std::optional<int> code = reply_code(lines.front());
  if (!code) {
    return fail(Errc::bad_syntax, "the SMTP reply \"" + std::string(lines.front().substr(0, 80)) +
                                      "\" does not start with a reply code");
  }
  SmtpReply reply;
  reply.code = *code;
  std::string_view status_token =
      first_token(lines.front().substr(std::min<std::size_t>(4, lines.front().size())));
  reply.status = EnhancedStatus::parse(status_token);
  if (reply.status && reply.status->class_ != reply.code / 100) {
    // RFC 3463 §2: a status whose class disagrees with the reply code is to be ignored.
    reply.status.reset();
  }
  if (!reply.status) {
    status_token = {};
  }
  std::string_view code_text = lines.front().substr(0, 3);
  ReplyReader reader(reply, code_text, status_token);
  for (std::string_view line : lines) {
    if (line.substr(0, 3) == code_text && reply_code(line)) {
      reader.read_line(line);
    } else {
      reply.lines.emplace_back(line);  // wrapped text, or a line with another code
    }
  }
  return reply;
}

Result<SmtpReply> SmtpReply::parse(std::span<const std::string> lines) {
  std::string joined;
  for (const std::string& line : lines) {
    joined += line;
    joined += '\n';
  }
  return parse(joined);
}

std::string SmtpReply::text() const {
  std::string out;
  for (const std::string& line : lines) {
    std::string_view trimmed = trim(line);
    if (trimmed.empty()) {
      continue;
    }
    if (!out.empty()) {
      out += ' ';
    }
    out += trimmed;
  }
  return out;
}

std::string SmtpReply::format() const {
  std::string code_text = std::to_string(code);
  std::string status_text;
  if (status && status->class_ == code / 100) {
    status_text = status->to_string();
  }
  std::string out;
  std::size_t count = std::max<std::size_t>(lines.size(), 1);
  for (std::size_t i = 0; i < count; ++i) {
    std::string text = i < lines.size() ? one_line(lines[i]) : std::string();
    out += code_text;
    std::string rest = status_text;
    if (!text.empty()) {
      rest += rest.empty() ? text : " " + text;
    }
    if (i + 1 < count) {
      out += '-';
      out += rest;
    } else if (!rest.empty()) {
      out += ' ';
      out += rest;
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace cqlist::mail
