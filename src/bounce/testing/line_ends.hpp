// bounce/testing/line_ends.hpp: a message with its line ends rewritten, for the tests and the
// fuzz target that check the parser reads CRLF, LF and lone CR alike.
//
// Header only: the fuzz target includes it without linking the test library.
#pragma once

#include <string>
#include <string_view>

namespace cqlist::bounce::testing {

// `lf_text` with every LF replaced by `line_end` ("\r\n" or "\r").
inline std::string with_line_ends(std::string_view lf_text, std::string_view line_end) {
  std::string out;
  out.reserve(lf_text.size());
  for (char c : lf_text) {
    if (c == '\n') {
      out += line_end;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace cqlist::bounce::testing
