// list/fml/config_cf.hpp: fml8's config.cf, `key = value` lines with $variable expansion.
//
// Owns: the format (continuation lines indented, `+=` and `-=` on word lists, `#` comments,
// Perl hooks after `=cut` left alone) and lookups with $key / ${key} expanded the way fml8
// expands them, at use.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace cqlist::list::fml {

struct Fml8Config {
  std::map<std::string, std::string> values;  // as written, unexpanded
  std::map<std::string, std::size_t> lines;
  bool has_hooks = false;  // Perl after =cut

  // The value with variables expanded; `fallback` when the key is not set.
  std::string get(std::string_view key, std::string_view fallback = "") const;

  bool has(std::string_view key) const { return values.contains(std::string(key)); }
};

// Errc::bad_syntax naming `file_name` and the line for a line that is neither a setting, a
// continuation nor a comment.
Result<Fml8Config> parse_config_cf(std::string_view text, std::string_view file_name);

}  // namespace cqlist::list::fml
