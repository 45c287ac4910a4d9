// bounce/parse.hpp: reading bounce messages of every format seen in the field.
//
// Owns: recognising RFC 3464 multipart/report DSNs, RFC 3834 auto-replies, RFC 5965 ARF
// reports and the non-standard texts of real MTAs and providers (qmail, Exim, Sendmail,
// Exchange, Japanese ISPs and carriers, ...), with CRLF, LF or lone CR line ends.
// See also: classify.hpp (what a report means), list/verp.hpp (who the bounce was for).
#pragma once

#include <string_view>

#include "base/result.hpp"
#include "bounce/report.hpp"

namespace cqlist::bounce {

// Errc::bad_syntax with a message saying why ("not a bounce: no delivery status and no
// failed recipient found") when `message` is not a report cqlist can read. Never crashes
// and never returns a report without recipients for kind delivery_failure.
Result<BounceReport> parse_bounce(std::string_view message);

}  // namespace cqlist::bounce
