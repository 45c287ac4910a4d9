// bounce/reply_patterns.hpp: the one table of receivers' reply texts and what they mean.
//
// Owns: which provider wrote a rejection (from the remote host and the text's own markers),
// and the ordered list of text fragments that decide a reason: Gmail's, Microsoft's,
// Yahoo's, Apple's and the Japanese carriers' own words first, then the wording common to
// many servers (Postfix, Exim, Sendmail, Exchange, qmail, ...). The first entry that fits
// wins, so an entry stands before every broader one it must beat ("listed in Spamhaus" before
// "user unknown"). The bounce classifier and `cqlist explain` both read this table.
// Matching is plain case-insensitive substring search on a lower-cased copy of the text: no
// regular expressions, so a whole corpus classifies in milliseconds.
// See also: classify.hpp (the decision around the table), reasons.hpp (sides and meanings).
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>

#include "mail/enhanced_status.hpp"

namespace cqlist::bounce {

struct ReplyPattern {
  std::string_view rule = {};      // unique name, "gmail.unauthenticated": logs, tests, `explain`
  std::string_view provider = {};  // who writes this text ("gmail", "outlook", ...); "": any server
  // Lower-case fragments: the text must contain at least one of them ...
  std::array<std::string_view, 6> any_of = {};
  // ... and this one too ("": no second condition).
  std::string_view and_also = {};
  // The enhanced status the text must come with: "5.7.26" exactly, or a prefix ending in a
  // dot ("5.7.", "4."); "": any status or none.
  std::string_view status = {};
  // The SMTP command the text must answer ("DATA", "RCPT"); "": any.
  std::string_view command = {};
  std::string_view reason = {};  // reasons.hpp name
  std::string_view advice = {};  // advice key (bounce_text.hpp) for sender-side reasons; "": none
  // What the receiver means, in one line, when it says more than the reason's own meaning
  // ("": the reason's meaning, reasons.hpp).
  std::string_view meaning_en = {};
  std::string_view meaning_ja = {};
};

// Whether a status written out (`code`: "5.7.26", "" when there is none) is the one a table
// wants: "5.7.26" exactly, a prefix ending in a dot ("5.7." for every 5.7.x), "" for any.
bool status_fits(std::string_view wanted, std::string_view code);

// The whole table, in matching order.
std::span<const ReplyPattern> reply_patterns();

// The entry named `rule`; null when there is none.
const ReplyPattern* find_reply_pattern(std::string_view rule);

// Who answered: "gmail", "outlook", "yahoo", "aol", "apple", "docomo", "au", "softbank", ...
// from the remote host or the text's own markers ("gsmtp", "[TSS04]"); "" when unknown.
// Both arguments are lower case.
std::string_view identify_provider(std::string_view lowered_text, std::string_view lowered_host);

// What is known besides the text, for the entries' conditions.
struct ReplyContext {
  std::string_view provider;  // identify_provider()
  std::optional<mail::EnhancedStatus> status;
  std::string_view smtp_command;  // upper case, "" when unknown
};

// The first entry that fits the lower-cased text; null when none does.
const ReplyPattern* match_reply_pattern(std::string_view lowered_text, const ReplyContext& context);

}  // namespace cqlist::bounce
