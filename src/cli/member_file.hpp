// cli/member_file.hpp: the member files `cqlist members import` reads and `export` writes.
//
// Two formats. "lines": one address per line ("alice@example.org" or "Alice <alice@...>"),
// blank lines and lines starting with '#' ignored; fml's members file is this. "csv": RFC 4180
// with a header line naming the columns, any of address,name,role,mode,receives,may_post in
// any order (address required), fields quoted when they hold commas, quotes or line breaks.
// What export writes, import reads back to the same members.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace cqlist::cli {

enum class MemberFormat { lines, csv };

struct MemberFileEntry {
  std::size_t line = 0;     // where the entry starts, 1-based
  store::MemberRow member;  // list_id and subscribed_at not set
};

struct MemberFileProblem {
  std::size_t line = 0;
  std::string message;
};

struct MemberFile {
  std::vector<MemberFileEntry> entries;
  std::vector<MemberFileProblem> problems;
};

// Never fails: what cannot be read is listed in `problems` with its line.
MemberFile read_member_file(std::string_view text, MemberFormat format);

// One member as export writes it, with its line end.
std::string member_file_header(MemberFormat format);  // "" for lines
std::string member_file_row(const store::MemberRow& member, MemberFormat format);

}  // namespace cqlist::cli
