// bounce/reasons.hpp: the reason taxonomy and whose problem each reason is.
//
// Owns: every reason name cqlist gives (Sisimai's taxonomy, with the December 2025 names
// "ratelimited" and "emailtoolarge"), the side it falls on and what it does to a member's
// bounce score, and a one-line meaning in English and Japanese for reports and `explain`.
// The sides follow the project's reading of ../shared/bounces/reason-sides.tsv: failures of
// the list's own sending setup or of the message never count against a member.
// See also: reply_patterns.hpp (which text means which reason), classify.hpp.
#pragma once

#include <span>
#include <string_view>

#include "bounce/classify.hpp"

namespace cqlist::bounce {

struct ReasonInfo {
  std::string_view name;
  Side side = Side::unknown;
  MemberAction member_action = MemberAction::none;
  std::string_view meaning_en;
  std::string_view meaning_ja;
};

// Every reason, in the order reports list them.
std::span<const ReasonInfo> all_reasons();

// The entry for `name`; the "undefined" entry for a name that is not a reason.
const ReasonInfo& reason_info(std::string_view name);

bool is_reason(std::string_view name);

}  // namespace cqlist::bounce
