// list/fml/config_ph.hpp: reading fml4's config.ph, the Perl file fml.pl loads with require.
//
// Owns: turning config.ph into the variables and macro calls it sets. config.ph is real Perl
// (interpolation, `\@`, `q#...#` hooks, free code in LOCAL CONFIG), so the faithful way is to
// let perl evaluate it, in a package of its own with no-op stand-ins for fml's macros
// (DENY_PROCEDURE, DEFINE_FIELD_FORCED, ...), and read back what it set. Where perl is
// missing, a static reader handles the forms makefml writes and lists every statement it did
// not understand, so nothing is dropped without saying so.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace cqlist::list::fml {

// A call of one of fml's configuration macros: &DENY_PROCEDURE('members');
struct MacroCall {
  std::string name;  // "DENY_PROCEDURE"
  std::vector<std::string> args;
  std::size_t line = 0;
};

// A statement the static reader could not follow (perl would have run it).
struct UnreadStatement {
  std::string text;
  std::size_t line = 0;
};

struct FmlConfig {
  std::map<std::string, std::string> scalars;              // $NAME, as Perl sees the value
  std::map<std::string, std::vector<std::string>> arrays;  // @NAME
  std::map<std::string, std::size_t> lines;                // where each variable was set
  std::vector<MacroCall> calls;
  std::vector<UnreadStatement> unread;  // static reader only
  bool evaluated_by_perl = false;
};

// Evaluates `file` with `perl` (a program name or path), $DIR set to `fml_home`. Errc::not_found
// when perl cannot be started; Errc::bad_syntax with perl's own message (file and line) when
// the file does not evaluate.
Result<FmlConfig> evaluate_config_ph(const std::filesystem::path& file, std::string_view fml_home,
                                     const std::string& perl);

// The static reader: `$NAME = "..."|'...'|number|q#...#;`, `@NAME = (...)`, macro calls, `1;`.
// `file_name` only names the file in messages. Never fails: what it cannot read is `unread`.
FmlConfig parse_config_ph(std::string_view text, std::string_view fml_home);

// Perl when `perl` is not empty and can be started, otherwise the static reader.
// Errc::not_found / Errc::io when the file is missing or unreadable.
Result<FmlConfig> read_config_ph(const std::filesystem::path& file, std::string_view fml_home,
                                 const std::string& perl);

}  // namespace cqlist::list::fml
