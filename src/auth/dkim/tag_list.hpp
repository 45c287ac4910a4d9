// auth/dkim/tag_list.hpp: the tag=value lists of DKIM-Signature fields and key records
// (RFC 6376 §3.2), also used by ARC (RFC 8617 §4.1).
//
// Owns: the strict syntax shared by every tag list: tag names, allowed value characters,
// duplicate tags. Each tag keeps its position in the text so that a verifier can blank the
// b= value of the exact bytes it hashes (RFC 6376 §3.7).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace cqlist::auth::dkim {

struct Tag {
  std::string_view name;
  // The value with surrounding white space removed; inner FWS is kept as written.
  std::string_view value;
  // Offsets of `value` in the parsed text.
  std::size_t value_begin = 0;
  std::size_t value_end = 0;
};

class TagList {
 public:
  // Errc::bad_syntax with the reason: a tag without "=", a bad tag name, a character a tag
  // value may not hold, an empty tag between two ";", or a tag given twice (§3.2: "Tags with
  // duplicate names MUST NOT occur within a single tag-list").
  static Result<TagList> parse(std::string_view text);

  const std::vector<Tag>& tags() const { return tags_; }

  // Tag names are case-sensitive (§3.2).
  const Tag* find(std::string_view name) const;

  std::optional<std::string_view> value(std::string_view name) const;

 private:
  std::vector<Tag> tags_;
};

// `text` with the value of tag `name` removed, white space around it included: the form a
// DKIM-Signature or ARC header field is hashed in (RFC 6376 §3.7, "b=" treated as empty).
// Returns `text` unchanged when it does not parse or lacks the tag.
std::string blank_tag_value(std::string_view text, std::string_view name);

// Removes SP, TAB, CR and LF (values of b=, bh= and p= may be folded anywhere).
std::string strip_whitespace(std::string_view text);

}  // namespace cqlist::auth::dkim
