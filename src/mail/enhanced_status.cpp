#include "mail/enhanced_status.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist::mail {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Reads 1 to 3 digits at `pos`; returns how many were read (0 when none or too many).
std::size_t read_number(std::string_view text, std::size_t pos, int& value) {
  std::size_t end = pos;
  value = 0;
  while (end < text.size() && is_digit(text[end])) {
    if (end - pos == 3) {
      return 0;
    }
    value = value * 10 + (text[end] - '0');
    ++end;
  }
  return end - pos;
}

// Reads "class.subject.detail" at `pos` and returns its length, 0 when there is none.
std::size_t read_code(std::string_view text, std::size_t pos, EnhancedStatus& status) {
  if (pos + 5 > text.size() || (text[pos] != '2' && text[pos] != '4' && text[pos] != '5') ||
      text[pos + 1] != '.') {
    return 0;
  }
  status.class_ = text[pos] - '0';
  std::size_t subject_length = read_number(text, pos + 2, status.subject);
  std::size_t dot = pos + 2 + subject_length;
  if (subject_length == 0 || dot >= text.size() || text[dot] != '.') {
    return 0;
  }
  std::size_t detail_length = read_number(text, dot + 1, status.detail);
  if (detail_length == 0) {
    return 0;
  }
  return dot + 1 + detail_length - pos;
}

struct Meaning {
  int subject;
  int detail;
  std::string_view text;
};

// The IANA "Enumerated Status Codes" registry; descriptions are shortened where the
// registry's title is a sentence.
constexpr Meaning kMeanings[] = {
    {0, 0, "Other undefined status"},
    {1, 0, "Other address status"},
    {1, 1, "Bad destination mailbox address"},
    {1, 2, "Bad destination system address"},
    {1, 3, "Bad destination mailbox address syntax"},
    {1, 4, "Destination mailbox address ambiguous"},
    {1, 5, "Destination address valid"},
    {1, 6, "Destination mailbox has moved, no forwarding address"},
    {1, 7, "Bad sender's mailbox address syntax"},
    {1, 8, "Bad sender's system address"},
    {1, 9, "Message relayed to non-compliant mailer"},  // RFC 3886
    {1, 10, "Recipient address has null MX"},           // RFC 7505
    {2, 0, "Other or undefined mailbox status"},
    {2, 1, "Mailbox disabled, not accepting messages"},
    {2, 2, "Mailbox full"},
    {2, 3, "Message length exceeds administrative limit"},
    {2, 4, "Mailing list expansion problem"},
    {3, 0, "Other or undefined mail system status"},
    {3, 1, "Mail system full"},
    {3, 2, "System not accepting network messages"},
    {3, 3, "System not capable of selected features"},
    {3, 4, "Message too big for system"},
    {3, 5, "System incorrectly configured"},
    {3, 6, "Requested priority was changed"},  // RFC 6710
    {4, 0, "Other or undefined network or routing status"},
    {4, 1, "No answer from host"},
    {4, 2, "Bad connection"},
    {4, 3, "Directory server failure"},
    {4, 4, "Unable to route"},
    {4, 5, "Mail system congestion"},
    {4, 6, "Routing loop detected"},
    {4, 7, "Delivery time expired"},
    {5, 0, "Other or undefined protocol status"},
    {5, 1, "Invalid command"},
    {5, 2, "Syntax error"},
    {5, 3, "Too many recipients"},
    {5, 4, "Invalid command arguments"},
    {5, 5, "Wrong protocol version"},
    {5, 6, "Authentication exchange line is too long"},  // RFC 4954
    {6, 0, "Other or undefined media error"},
    {6, 1, "Media not supported"},
    {6, 2, "Conversion required and prohibited"},
    {6, 3, "Conversion required but not supported"},
    {6, 4, "Conversion with loss performed"},
    {6, 5, "Conversion failed"},
    {6, 6, "Message content not available"},                                   // RFC 4468
    {6, 7, "Non-ASCII addresses not permitted for that sender or recipient"},  // RFC 6531
    {6, 8, "UTF-8 string reply is required, but not permitted by the client"},
    {6, 9, "UTF-8 header message cannot be transferred to one or more recipients"},
    {6, 10, "UTF-8 string reply is required, but not permitted by the client"},  // = X.6.8
    {7, 0, "Other or undefined security status"},
    {7, 1, "Delivery not authorized, message refused"},
    {7, 2, "Mailing list expansion prohibited"},
    {7, 3, "Security conversion required but not possible"},
    {7, 4, "Security features not supported"},
    {7, 5, "Cryptographic failure"},
    {7, 6, "Cryptographic algorithm not supported"},
    {7, 7, "Message integrity failure"},
    {7, 8, "Authentication credentials invalid"},  // RFC 4954
    {7, 9, "Authentication mechanism is too weak"},
    {7, 10, "Encryption needed"},  // RFC 5248
    {7, 11, "Encryption required for requested authentication mechanism"},
    {7, 12, "A password transition is needed"},
    {7, 13, "User account disabled"},  // RFC 5248
    {7, 14, "Trust relationship required"},
    {7, 15, "Priority level is too low"},  // RFC 6710
    {7, 16, "Message is too big for the specified priority"},
    {7, 17, "Mailbox owner has changed"},  // RFC 7293
    {7, 18, "Domain owner has changed"},
    {7, 19, "RRVS test cannot be completed"},
    {7, 20, "No passing DKIM signature found"},  // RFC 7372
    {7, 21, "No acceptable DKIM signature found"},
    {7, 22, "No valid author-matched DKIM signature found"},
    {7, 23, "SPF validation failed"},
    {7, 24, "SPF validation error"},
    {7, 25, "Reverse DNS validation failed"},
    {7, 26, "Multiple authentication checks failed"},
    {7, 27, "Sender address has null MX"},  // RFC 7505
    {7, 28, "Mail flood detected"},
    {7, 29, "ARC validation failure"},       // RFC 8617
    {7, 30, "REQUIRETLS support required"},  // RFC 8689
};

}  // namespace

std::optional<EnhancedStatus> EnhancedStatus::parse(std::string_view text) {
  std::string_view code = trim(text);
  EnhancedStatus status;
  if (code.empty() || read_code(code, 0, status) != code.size()) {
    return std::nullopt;
  }
  return status;
}

std::optional<EnhancedStatus> EnhancedStatus::find_in(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    if (pos > 0 && (is_alnum(text[pos - 1]) || text[pos - 1] == '.')) {
      continue;
    }
    EnhancedStatus status;
    std::size_t length = read_code(text, pos, status);
    if (length == 0) {
      continue;
    }
    std::size_t end = pos + length;
    bool glued = end < text.size() && is_alnum(text[end]);
    bool goes_on = end + 1 < text.size() && text[end] == '.' && is_digit(text[end + 1]);
    if (!glued && !goes_on) {
      return status;
    }
  }
  return std::nullopt;
}

std::string EnhancedStatus::to_string() const {
  return fmt::format("{}.{}.{}", class_, subject, detail);
}

std::string_view EnhancedStatus::description() const {
  std::string_view subject_meaning;
  for (const Meaning& meaning : kMeanings) {
    if (meaning.subject != subject) {
      continue;
    }
    if (meaning.detail == detail) {
      return meaning.text;
    }
    if (meaning.detail == 0) {
      subject_meaning = meaning.text;
    }
  }
  return subject_meaning;
}

}  // namespace cqlist::mail
