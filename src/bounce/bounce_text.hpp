// bounce/bounce_text.hpp: the words of the bounce processor's mail, in English and Japanese.
//
// Owns: the notices to a member whose delivery is paused (the notice and the test messages),
// the owners' notice of a removal, the owners' summary of sender-side bounces, and the
// meaning and fix of each advice key ("authentication", "ptr", "reputation", "rate"), which
// `cqlist bounces` prints too. Texts take named fields ("{list}", "{address}") like
// list/notices_text.hpp, and both languages of a text use the same fields (a unit test checks
// it).
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "list/notices_text.hpp"

namespace cqlist::bounce {

enum class BounceText {
  disabled_subject,
  disabled_body,
  probe_subject,
  probe_body,
  removed_subject,
  removed_body,
  alert_subject,
  alert_intro,
  alert_group,
  alert_said,
  alert_means,
  alert_whose,
  alert_fix,
  alert_footer,
  count_  // not a text: the number of texts
};

std::string_view text(list::Language language, BounceText id);

// The text with its fields filled in (a missing field is logged; the raw text is returned).
std::string say_args(list::Language language, BounceText id, fmt::format_args args);

template <class... Args>
std::string say(list::Language language, BounceText id, const Args&... args) {
  return say_args(language, id, fmt::make_format_args(args...));
}

// What a sender-side advice key means, and the fix, in one sentence each. Unknown keys get a
// general text, never an empty one.
std::string_view advice_meaning(list::Language language, std::string_view advice);
std::string_view advice_fix(list::Language language, std::string_view advice);

}  // namespace cqlist::bounce
