// bounce/reply_pattern_table.hpp: the entries of the reply pattern table (internal to
// bounce/; everyone else reads them through reply_patterns.hpp).
#pragma once

#include <span>

#include "bounce/reply_patterns.hpp"

namespace cqlist::bounce {

std::span<const ReplyPattern> reply_pattern_table();

}  // namespace cqlist::bounce
