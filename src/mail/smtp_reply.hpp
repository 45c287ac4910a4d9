// mail/smtp_reply.hpp: an SMTP or LMTP reply as a value ("550 5.7.26 ...").
//
// Owns: reading replies as they come from a server, from a log line or from a bounce's
// Diagnostic-Code (multi-line, possibly unwrapped into one string with the repeated
// "550-5.7.26 " prefixes), and writing them on the wire (RFC 5321 §4.2).
// See also: enhanced_status.hpp.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "mail/enhanced_status.hpp"

namespace cqlist::mail {

struct SmtpReply {
  int code = 0;
  // Only kept when its class matches the code's first digit (RFC 3463 §2).
  std::optional<EnhancedStatus> status;
  // The text of each line without the code, the separator and a repeated status.
  std::vector<std::string> lines;

  // Parses one reply: lines separated by CRLF or LF, each "550-..." and the last "550 ...";
  // or one string in which a log or a bounce joined them ("550-5.7.1 a 550 5.7.1 b"). Lines
  // that do not start with the code are kept as text. Fails when the first line does not
  // start with a reply code (RFC 5321 §4.2: 2-5, 0-5, 0-9).
  static Result<SmtpReply> parse(std::string_view text);
  static Result<SmtpReply> parse(std::span<const std::string> lines);

  // The lines trimmed and joined by one space, empty lines left out.
  std::string text() const;

  // The wire form: "250-first\r\n250 last\r\n", each line carrying the status when there is
  // one. CR and LF inside a line become spaces so that a line cannot end the reply early.
  std::string format() const;

  bool success() const { return code >= 200 && code < 300; }

  bool intermediate() const { return code >= 300 && code < 400; }

  bool transient() const { return code >= 400 && code < 500; }

  bool permanent() const { return code >= 500 && code < 600; }

  friend bool operator==(const SmtpReply&, const SmtpReply&) = default;
};

}  // namespace cqlist::mail
