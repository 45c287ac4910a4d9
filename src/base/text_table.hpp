// base/text_table.hpp: tables of user-visible sentences in English and Japanese, one entry per
// value of an enum, checked complete at compile time.
//
// Owns: the entry shape, the compile-time indexing and completeness check, and the formatting
// that the notice texts (list/notices_text.cpp), the bounce texts (bounce/bounce_text.cpp) and
// the web pages' texts (cli/web_texts.cpp) share, so a sentence missing in one language is a
// build error, never an empty mail.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace cqlist {

template <class Id>
struct TextEntry {
  Id id;
  std::string_view en;
  std::string_view ja;
};

// The entries placed at their enum's value, for lookup by id.
template <class Id, std::size_t N>
constexpr std::array<TextEntry<Id>, N> index_by_id(const TextEntry<Id> (&entries)[N]) {
  std::array<TextEntry<Id>, N> out{};
  for (const TextEntry<Id>& entry : entries) {
    out[static_cast<std::size_t>(entry.id)] = entry;
  }
  return out;
}

// True when every id from 0 to N-1 has its entry with both languages filled in.
template <class Id, std::size_t N>
constexpr bool every_text_present(const std::array<TextEntry<Id>, N>& table) {
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(table[i].id) != i || table[i].en.empty() || table[i].ja.empty()) {
      return false;
    }
  }
  return true;
}

// `text` with its {fields} filled in. A field the caller did not give is a bug in cqlist, not
// in the reader's mail: it is logged as `event` (naming the text's id) and the sentence goes
// out unformatted rather than not at all.
std::string format_text(std::string_view text, fmt::format_args args, std::string_view event,
                        int id);

}  // namespace cqlist
