// list/notices_text.hpp: the words of command replies and notices, in English and Japanese.
//
// Owns: every sentence a person reads in mail from NAME-request (results of commands,
// confirmations, welcome and goodbye, hold notices, rejections), one table per language in
// notices_text.cpp. Texts take named fields ("{list}", "{address}") so that a translation can
// put them in its own order; both languages of a text must use the same fields (a unit test
// checks it).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "list/settings.hpp"

namespace cqlist::list {

enum class Language { en, ja };

// The list's `language` setting; anything but "ja" reads as English.
Language language_of(const ListSettings& settings);

enum class Text {
  // The reply to a command mail.
  results_subject,
  results_intro,
  results_footer,
  no_command,
  unknown_command,
  too_many_commands,
  usage,
  internal_error,
  help,
  // Membership.
  confirm_sent,
  confirm_waiting,
  third_party_notice,
  third_party_limit,
  already_member,
  not_member,
  bad_address,
  members_only,
  confirm_subject,
  confirm_subscribe_body,
  confirm_unsubscribe_body,
  confirm_link,
  confirm_unknown,
  confirm_done_subscribe,
  confirm_done_unsubscribe,
  welcome_subject,
  welcome_body,
  goodbye_subject,
  goodbye_body,
  digest_on,
  digest_off,
  nomail_on,
  nomail_off,
  confirm_mode_sent,
  confirm_mode_body,
  mode_change_digest_on,
  mode_change_digest_off,
  mode_change_nomail_on,
  mode_change_nomail_off,
  // Archive.
  get_sent,
  get_none,
  get_missing,
  get_too_big,
  get_too_many_commands,
  get_daily_limit,
  get_subject,
  get_body,
  archive_unavailable,
  index_header,
  index_empty,
  members_header,
  members_denied,
  // Moderation.
  held_subject,
  held_body,
  held_not_attached,
  moderation_approved,
  moderation_rejected,
  moderation_discarded,
  moderation_already,
  moderation_unknown,
  moderation_expired,
  moderation_denied,
  moderation_no_decision,
  moderation_failed,
  moderation_approved_later,
  moderation_unfinished,
  state_approved,
  state_rejected,
  state_discarded,
  rejected_subject,
  rejected_body,
  rejected_reason,
  // The daily reminder of posts still held (list/held_upkeep.hpp).
  held_reminder_subject_one,
  held_reminder_subject,
  held_reminder_intro,
  held_reminder_item,
  held_reminder_expires,
  held_reminder_kept,
  held_reminder_howto,
  count_  // not a text: the number of texts
};

// The raw text with its "{field}" placeholders.
std::string_view text(Language language, Text id);

// The text with its fields filled in: say(lang, Text::welcome_body, fmt::arg("list", name)).
// A field the text names but the caller did not pass is a bug: it is logged and the text is
// returned unfilled rather than dropped, so the reader still gets the message.
std::string say_args(Language language, Text id, fmt::format_args args);

template <class... Args>
std::string say(Language language, Text id, const Args&... args) {
  return say_args(language, id, fmt::make_format_args(args...));
}

}  // namespace cqlist::list
