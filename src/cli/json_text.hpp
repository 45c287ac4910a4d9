// cli/json_text.hpp: JSON string literals for the --json output of commands.
#pragma once

#include <string>
#include <string_view>

namespace cqlist::cli {

// `text` as a quoted JSON string. Well-formed UTF-8 passes through; control characters and
// each byte of an ill-formed sequence (DNS records may hold any byte) are written \u00XX.
std::string json_string(std::string_view text);

}  // namespace cqlist::cli
