// list/fml/member_files.hpp: fml's member lists (members, actives, members-admin, moderators;
// fml8's recipients and friends) and what each line means.
//
// Owns: the line grammar (the `#.FML HEADER` block fml writes on every rewrite, `# addr` for a
// member whose delivery is off, `##BYE addr` for one who left, `addr  m=3mp` digest and
// `addr  s=skip` post-only options, V1 leftovers, stray blanks) and the merge of the files into
// one state per address, compared case-insensitively as fml does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace cqlist::list::fml {

enum class LineState {
  active,        // addr
  commented,     // # addr: a member in members, delivery off in actives
  unsubscribed,  // ##BYE addr
};

struct MemberLine {
  std::string address;  // as written
  LineState state = LineState::active;
  std::string digest;   // m=3mp -> "3mp"; V1 "matome 3u" -> "3u"
  bool skip = false;    // s=... or V1 "skip"
  std::string comment;  // text after '#' on the line
  std::string file;     // "actives"
  std::size_t line = 0;
};

// Reads one list file. Errc::not_found when it is missing; Errc::bad_syntax naming the file and
// line for a line whose first word is not an address.
Result<std::vector<MemberLine>> read_member_file(const std::filesystem::path& file);

// What fml's files say about one address.
enum class Delivery { realtime, off, digest, skip, none };
std::string_view delivery_name(Delivery delivery);

struct FmlMember {
  std::string address;  // the spelling of the first file that names it
  bool can_post = false;
  Delivery delivery = Delivery::none;
  std::string digest_params;
  std::optional<std::int64_t> digest_next_article;  // from var/log/msendrc
  bool admin = false;
  bool moderator = false;
  std::string comment;
  std::string source;  // "members line 6"
};

struct MemberFiles {
  std::vector<MemberLine> members;     // who may post
  std::vector<MemberLine> recipients;  // actives: who receives, and how
  std::vector<MemberLine> admins;
  std::vector<MemberLine> moderators;
  std::vector<MemberLine> digest_recipients;        // fml8's recipients-digest
  std::map<std::string, std::int64_t> digest_next;  // lowercase address -> article (msendrc)
};

struct MergedMembers {
  std::vector<FmlMember> members;         // in the order the files name them
  std::vector<std::string> unsubscribed;  // ##BYE addresses not listed otherwise
  std::vector<std::string> warnings;
};

MergedMembers merge_members(const MemberFiles& files);

// var/log/msendrc: "address<TAB>next article". Lines that do not read are skipped.
std::map<std::string, std::int64_t> read_msendrc(std::string_view text);

}  // namespace cqlist::list::fml
