// mail/enhanced_status.hpp: RFC 3463 enhanced mail system status codes ("5.7.26").
//
// Owns: the code as a value, reading it from a string or from inside reply and bounce text,
// and the registered meaning of each code (RFC 3463, RFC 4954, RFC 5248, RFC 6531, RFC 6710,
// RFC 7293, RFC 7372, RFC 7505, RFC 8617, RFC 8689) in short English for logs and reports.
// See also: smtp_reply.hpp (a reply carries one), bounce/ (what the codes mean for a member).
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace cqlist::mail {

struct EnhancedStatus {
  int class_ = 0;  // 2 success, 4 persistent transient failure, 5 permanent failure
  int subject = 0;
  int detail = 0;

  // Exactly one code, white space around it allowed: "5.7.26". Subject and detail have 1 to
  // 3 digits (RFC 3463 §2).
  static std::optional<EnhancedStatus> parse(std::string_view text);

  // The first code that stands as a token of its own inside `text`: "550-5.7.26 Unauth...",
  // "#5.1.1 smtp;550 ...", "(4.4.7)". Dotted numbers that go on ("4.16.55.1", "192.0.2.5")
  // and codes glued to letters or digits are not taken.
  static std::optional<EnhancedStatus> find_in(std::string_view text);

  std::string to_string() const;

  bool success() const { return class_ == 2; }

  bool transient() const { return class_ == 4; }

  bool permanent() const { return class_ == 5; }

  // What the registry says the code means ("Multiple authentication checks failed"). For an
  // unregistered detail, the meaning of its subject ("Other or undefined security status");
  // empty for an unknown subject.
  std::string_view description() const;

  friend auto operator<=>(const EnhancedStatus&, const EnhancedStatus&) = default;
};

}  // namespace cqlist::mail
