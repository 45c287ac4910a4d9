// bounce/parse.cpp: deciding which format a bounce is in, and handing it to that parser.
//
// The order matters. Structured reports come first, because their fields say exactly what
// happened: an ARF complaint, then an RFC 3464 delivery status. An auto-reply is recognised
// before the texts of MTAs, whose parser would otherwise read an out-of-office message's
// addresses as failed recipients. The reader of MTA texts (mta_text.cpp) comes last: it
// covers the formats without a delivery status part (qmail, Exim, Sendmail, old Exchange,
// Notes, Japanese carriers, ...) by their common shape, not one parser each.
#include "bounce/parse.hpp"

#include <array>
#include <string_view>

#include "base/strings.hpp"
#include "bounce/parse_internal.hpp"

namespace cqlist::bounce {

std::string_view report_kind_name(ReportKind kind) {
  switch (kind) {
    case ReportKind::delivery_failure:
      return "delivery_failure";
    case ReportKind::delay:
      return "delay";
    case ReportKind::auto_reply:
      return "auto_reply";
    case ReportKind::complaint:
      return "complaint";
    case ReportKind::delivered:
      return "delivered";
  }
  return "delivery_failure";
}

Result<BounceReport> parse_bounce(std::string_view message) {
  if (trim(message).empty()) {
    return fail(Errc::bad_syntax, "not a bounce: the message is empty");
  }
  detail::BounceInput input = detail::read_input(message);
  if (input.message.fields().empty()) {
    return fail(Errc::bad_syntax, "not a mail message: no header fields found at the start");
  }
  using Parser = std::optional<BounceReport> (*)(const detail::BounceInput&);
  static constexpr std::array<Parser, 4> parsers{detail::parse_arf, detail::parse_rfc3464,
                                                 detail::parse_auto_reply, detail::parse_mta_text};
  for (Parser parser : parsers) {
    std::optional<BounceReport> report = parser(input);
    if (report && (report->kind != ReportKind::delivery_failure || !report->recipients.empty())) {
      return std::move(*report);
    }
  }
  return fail(Errc::bad_syntax,
              "not a bounce cqlist can read: no delivery status and no failed recipient found");
}

}  // namespace cqlist::bounce
