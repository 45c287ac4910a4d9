// mail/subject.hpp: the Subject of a list post: reply prefixes, list tags, and the new value.
//
// Owns: recognising the leading clutter that replies accumulate ("Re: [cq:00012] AW: Re^2:",
// also the Japanese and full-width forms), the list tag formats fml offers ("[cq:00123]",
// "(cq,00123)", "[cq]", ...), and building the Subject value a list post goes out with. The tag
// stays ASCII outside any encoded word, so an ISO-2022-JP subject keeps its encoding, and
// encoded words whose text did not change are passed on byte for byte.
// See also: encoded_word.hpp (decoding and encoding the header text).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace cqlist::mail {

enum class TagBrackets { square, round };

// How the list tag looks: "[cq:00123]" is {square, ':', with_number, 5}.
struct SubjectTagFormat {
  TagBrackets brackets = TagBrackets::square;
  char separator = ':';  // ':' or ','
  bool with_number = true;
  std::size_t number_width = 5;  // zero-padded; a longer number is written in full
};

// Reads fml's tag types: "[:]" "(:)" "[,]" "(,)" "[]" "()" (number width stays 5).
Result<SubjectTagFormat> parse_subject_tag_format(std::string_view fml_type);

std::string format_subject_tag(const SubjectTagFormat& format, std::string_view list_name,
                               std::uint64_t article_number);

// Where the subject proper starts once leading reply and forward prefixes and tags of this
// list (any bracket kind, separator and number width; case-insensitive) are skipped.
struct SubjectStart {
  std::size_t offset = 0;  // into the decoded text, past any white space
  bool was_reply = false;  // a reply prefix ("Re:", "AW:", "返信:", ...) was among them
};

SubjectStart find_subject_start(std::string_view decoded_utf8, std::string_view list_name);

// The decoded subject without its leading prefixes and list tags, trimmed: what threads and
// archives compare.
std::string strip_reply_prefixes_and_tags(std::string_view decoded_utf8,
                                          std::string_view list_name);

struct ListSubjectOptions {
  std::string list_name;
  std::uint64_t article_number = 0;
  SubjectTagFormat tag;
  // Write "Re: " after the tag when the original subject was a reply.
  bool add_reply_prefix = true;
  // Keep the sender's encoding: unchanged encoded words and raw UTF-8 pass through as they
  // are, and changed ISO-2022-JP text is re-encoded in ISO-2022-JP. Otherwise all non-ASCII
  // text becomes UTF-8 encoded words.
  bool keep_encoding = true;
  // Charset of raw 8-bit bytes that are not UTF-8 (old Japanese clients send Shift_JIS).
  std::string fallback_charset;
};

// The new raw value for the Subject field (no leading space; folds are "\n "), from the
// original raw value (as HeaderField::value() gives it, or unfolded). Fails only for a list
// name that cannot stand in a tag.
Result<std::string> make_list_subject(std::string_view raw_subject_value,
                                      const ListSubjectOptions& options);

// The subject decoded for display: encoded words decoded, white space runs collapsed to one
// space, trimmed.
std::string subject_for_display(std::string_view raw_subject_value,
                                std::string_view fallback_charset = "");

}  // namespace cqlist::mail
