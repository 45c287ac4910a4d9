// cli/web_texts.hpp: the words of the daemon's HTTP pages for members, in English and Japanese.
//
// Owns: every sentence of the one-click unsubscribe and confirmation-link pages (buttons,
// results, "link not valid", errors), one table per language in web_texts.cpp, checked at
// compile time to be complete, to use the same "{field}" names in both languages, and to hold
// no HTML (the pages escape every field, so a text can go into a page as it is). These pages
// move to web/ with the rest of the web interface.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "list/notices_text.hpp"

namespace cqlist::cli {

enum class WebText {
  link_not_valid_title,
  unsubscribe_title,
  unsubscribe_question,
  unsubscribe_button,
  unsubscribe_done_title,
  unsubscribe_done,
  unsubscribe_link_not_valid,
  unsubscribe_not_one_click,
  unsubscribe_method,
  no_such_list,
  store_unavailable_title,
  store_unavailable,
  confirm_subscribe_title,
  confirm_unsubscribe_title,
  confirm_subscribe_question,
  confirm_subscribe_button,
  confirm_subscribed_title,
  confirm_subscribed,
  confirm_link_not_valid,
  confirm_start_again,
  confirm_method,
  confirm_change_title,
  confirm_change_question,
  confirm_change_button,
  confirm_changed_title,
  confirm_changed,
  confirm_nothing_changed_title,
  confirm_no_longer_member,
  count_  // not a text: the number of texts
};

// The raw text with its "{field}" placeholders.
std::string_view web_text(list::Language language, WebText id);

// The text with its fields filled in; fields must already be HTML-escaped when the text goes
// into a page. A field the text names but the caller did not pass is logged and the text
// returned unfilled.
std::string web_say_args(list::Language language, WebText id, fmt::format_args args);

template <class... Args>
std::string web_say(list::Language language, WebText id, const Args&... args) {
  return web_say_args(language, id, fmt::make_format_args(args...));
}

}  // namespace cqlist::cli
