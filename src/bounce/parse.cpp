// Placeholder until the parser lands; replaced by the real implementation.
#include "bounce/parse.hpp"

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

Result<BounceReport> parse_bounce(std::string_view) {
  return fail(Errc::unsupported, "the bounce parser is not built yet");
}

}  // namespace cqlist::bounce
