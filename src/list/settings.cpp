// list/settings.cpp: the settings table: names, defaults, meanings, and the check of each.
//
// One SettingSpec per ListSettings field ties its name to a check that returns the canonical
// form, and to the code that moves the value in and out of the struct. Defaults shown to
// operators are computed from a default-constructed ListSettings, so the table cannot drift
// from settings.hpp.
#include "list/settings.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "list/setting_values.hpp"

namespace cqlist::list {
namespace {

namespace values = setting_values;

using Check = std::function<Result<std::string>(std::string_view name, std::string_view value)>;

struct SettingSpec {
  std::string_view name;
  std::string_view meaning;
  Check canonical;  // validates and returns the value in canonical form
  std::function<void(ListSettings&, const std::string& canonical)> apply;
  std::function<std::string(const ListSettings&)> format;
};

// --- kinds of values

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

constexpr std::array kPostingNames{
    EnumName<PostingPolicy>{PostingPolicy::members, "members"},
    EnumName<PostingPolicy>{PostingPolicy::moderated, "moderated"},
    EnumName<PostingPolicy>{PostingPolicy::open, "open"},
};
constexpr std::array kNonMemberNames{
    EnumName<NonMemberAction>{NonMemberAction::hold, "hold"},
    EnumName<NonMemberAction>{NonMemberAction::reject, "reject"},
    EnumName<NonMemberAction>{NonMemberAction::discard, "discard"},
};
constexpr std::array kFromRewriteNames{
    EnumName<FromRewrite>{FromRewrite::when_needed, "when_needed"},
    EnumName<FromRewrite>{FromRewrite::always, "always"},
    EnumName<FromRewrite>{FromRewrite::never, "never"},
    EnumName<FromRewrite>{FromRewrite::wrap, "wrap"},
};
constexpr std::array kAuthorPlacementNames{
    EnumName<AuthorPlacement>{AuthorPlacement::reply_to, "reply_to"},
    EnumName<AuthorPlacement>{AuthorPlacement::cc, "cc"},
};
constexpr std::array kComplaintNames{
    EnumName<ComplaintAction>{ComplaintAction::nomail, "nomail"},
    EnumName<ComplaintAction>{ComplaintAction::unsubscribe, "unsubscribe"},
};
constexpr std::array kReplyToNames{
    EnumName<ReplyToPolicy>{ReplyToPolicy::keep, "keep"},
    EnumName<ReplyToPolicy>{ReplyToPolicy::list, "list"},
    EnumName<ReplyToPolicy>{ReplyToPolicy::poster, "poster"},
};

// Operators type "When-Needed" as readily as "when_needed".
std::string enum_key(std::string_view value) {
  std::string key = to_ascii_lower(trim(value));
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

template <class E, std::size_t N>
Result<std::string> check_enum(const std::array<EnumName<E>, N>& names, std::string_view name,
                               std::string_view value) {
  std::string key = enum_key(value);
  for (const EnumName<E>& entry : names) {
    if (entry.name == key) {
      return std::string(entry.name);
    }
  }
  std::string allowed;
  for (const EnumName<E>& entry : names) {
    allowed += allowed.empty() ? "" : ", ";
    allowed += entry.name;
  }
  return values::not_allowed(name, value, "use one of " + allowed);
}

template <class E, std::size_t N>
E enum_value(const std::array<EnumName<E>, N>& names, std::string_view canonical) {
  for (const EnumName<E>& entry : names) {
    if (entry.name == canonical) {
      return entry.value;
    }
  }
  return names.front().value;  // unreachable: `canonical` passed check_enum
}

template <class E, std::size_t N>
std::string enum_text(const std::array<EnumName<E>, N>& names, E value) {
  for (const EnumName<E>& entry : names) {
    if (entry.value == value) {
      return std::string(entry.name);
    }
  }
  return {};
}

template <class E, std::size_t N>
SettingSpec enum_setting(std::string_view name, E ListSettings::*field,
                         const std::array<EnumName<E>, N>& names, std::string_view meaning) {
  return {
      name, meaning,
      [&names](std::string_view setting, std::string_view value) {
        return check_enum(names, setting, value);
      },
      [field, &names](ListSettings& settings, const std::string& canonical) {
        settings.*field = enum_value(names, canonical);
      },
      [field, &names](const ListSettings& settings) { return enum_text(names, settings.*field); }};
}

SettingSpec bool_setting(std::string_view name, bool ListSettings::*field,
                         std::string_view meaning) {
  return {name, meaning, values::check_bool,
          [field](ListSettings& settings, const std::string& canonical) {
            settings.*field = canonical == "true";
          },
          [field](const ListSettings& settings) {
            return std::string(settings.*field ? "true" : "false");
          }};
}

SettingSpec size_setting(std::string_view name, std::size_t ListSettings::*field, std::uint64_t min,
                         std::uint64_t max, bool size_suffixes, std::string_view meaning) {
  return {name, meaning,
          [=](std::string_view setting, std::string_view value) {
            return values::check_number(setting, value, min, max, size_suffixes);
          },
          [field](ListSettings& settings, const std::string& canonical) {
            settings.*field = static_cast<std::size_t>(values::number_value(canonical));
          },
          [field](const ListSettings& settings) { return std::to_string(settings.*field); }};
}

SettingSpec int_setting(std::string_view name, int ListSettings::*field, int min, int max,
                        std::string_view meaning) {
  return {name, meaning,
          [=](std::string_view setting, std::string_view value) {
            return values::check_number(setting, value, static_cast<std::uint64_t>(min),
                                        static_cast<std::uint64_t>(max), false);
          },
          [field](ListSettings& settings, const std::string& canonical) {
            settings.*field = static_cast<int>(values::number_value(canonical));
          },
          [field](const ListSettings& settings) { return std::to_string(settings.*field); }};
}

SettingSpec text_setting(std::string_view name, std::string ListSettings::*field, Check check,
                         std::string_view meaning) {
  return {name, meaning, std::move(check),
          [field](ListSettings& settings, const std::string& canonical) {
            settings.*field = canonical;
          },
          [field](const ListSettings& settings) { return settings.*field; }};
}

SettingSpec duration_setting(std::string_view name, std::chrono::seconds ListSettings::*field,
                             std::uint64_t max_seconds, std::string_view meaning) {
  return {name, meaning,
          [=](std::string_view setting, std::string_view value) {
            return values::check_duration(setting, value, max_seconds);
          },
          [field](ListSettings& settings, const std::string& canonical) {
            settings.*field = std::chrono::seconds(
                static_cast<std::int64_t>(values::duration_seconds(canonical)));
          },
          [field](const ListSettings& settings) {
            return values::format_duration(static_cast<std::uint64_t>((settings.*field).count()));
          }};
}

// --- the table

void add_bounce_settings(std::vector<SettingSpec>& t) {
  using S = ListSettings;
  constexpr std::uint64_t kYear = 366 * 86400;
  t.push_back({"bounce_score_threshold",
               "Bounce score at which a member's delivery is disabled: a permanent failure of "
               "their mailbox adds 1, a temporary one 0.5, at most once a day. Failures caused "
               "by the list's own setup never count.",
               values::check_score,
               [](ListSettings& settings, const std::string& canonical) {
                 settings.bounce_score_threshold = values::score_value(canonical);
               },
               [](const ListSettings& settings) {
                 return values::format_score(settings.bounce_score_threshold);
               }});
  t.push_back(duration_setting("bounce_info_stale_after", &S::bounce_info_stale_after, kYear,
                               "A member's bounce score starts again from zero when their "
                               "last bounce is older than this (7d, 12h)."));
  t.push_back(duration_setting("bounce_transient_after", &S::bounce_transient_after, kYear,
                               "Temporary failures (mailbox full for now, server busy) count "
                               "only once a member has been bouncing for longer than this."));
  t.push_back(duration_setting("bounce_probe_interval", &S::bounce_probe_interval, kYear,
                               "While a member's delivery is disabled, a test message goes to "
                               "them this often; one that does not bounce re-enables delivery."));
  t.push_back(size_setting("bounce_probes_before_removal", &S::bounce_probes_before_removal, 1, 100,
                           false,
                           "Bounced test messages after which the member is unsubscribed "
                           "(the owners are told)."));
  t.push_back(duration_setting("bounce_alert_period", &S::bounce_alert_period, kYear,
                               "The owners get at most one summary of problems with the list's "
                               "own sending setup (authentication, reputation) per period."));
  t.push_back(enum_setting("complaint_action", &S::complaint_action, kComplaintNames,
                           "When a member's provider reports that they marked list mail as "
                           "spam: nomail (they stay, receive nothing) or unsubscribe."));
}

// "daily", "weekly", a number of hours ("12") or a duration ("36h", "2d"), at least an hour.
Result<std::string> check_digest_interval(std::string_view name, std::string_view value) {
  std::string key = enum_key(value);
  if (key == "daily" || key == "weekly") {
    return key;
  }
  std::string duration = key;
  if (!duration.empty() &&
      std::all_of(duration.begin(), duration.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    duration += "h";
  }
  auto canonical = values::check_duration(name, duration, 366 * 86400);
  if (!canonical || values::duration_seconds(*canonical) < 3600) {
    return values::not_allowed(name, value,
                               "use daily, weekly, or a number of hours from 1 (\"12\", \"36h\")");
  }
  std::uint64_t seconds = values::duration_seconds(*canonical);
  if (seconds == 86400) {
    return std::string("daily");
  }
  if (seconds == 7 * 86400) {
    return std::string("weekly");
  }
  return canonical;
}

std::chrono::seconds digest_interval_value(const std::string& canonical) {
  if (canonical == "daily") {
    return std::chrono::hours(24);
  }
  if (canonical == "weekly") {
    return std::chrono::hours(24 * 7);
  }
  return std::chrono::seconds(static_cast<std::int64_t>(values::duration_seconds(canonical)));
}

void add_digest_settings(std::vector<SettingSpec>& t) {
  using S = ListSettings;
  t.push_back({"digest_interval",
               "How often members who chose digest mode get one message with the posts since "
               "the last one: daily, weekly, or a number of hours.",
               check_digest_interval,
               [](ListSettings& settings, const std::string& canonical) {
                 settings.digest_interval = digest_interval_value(canonical);
               },
               [](const ListSettings& settings) {
                 auto seconds = static_cast<std::uint64_t>(settings.digest_interval.count());
                 if (seconds == 86400) {
                   return std::string("daily");
                 }
                 if (seconds == 7 * 86400) {
                   return std::string("weekly");
                 }
                 return values::format_duration(seconds);
               }});
  t.push_back(size_setting("digest_max_articles", &S::digest_max_articles, 1, 1000, false,
                           "A digest goes out before its time once this many posts are waiting; "
                           "also the most posts one digest holds."));
  t.push_back(size_setting("digest_max_bytes", &S::digest_max_bytes, 1024, std::uint64_t{1} << 30,
                           true,
                           "A digest goes out before its time once the posts waiting reach this "
                           "size in bytes (100K, 1M also work)."));
}

const std::vector<SettingSpec>& specs() {
  static const std::vector<SettingSpec> table = [] {
    using S = ListSettings;
    std::vector<SettingSpec> t;
    t.push_back(text_setting("description", &S::description, values::check_one_line,
                             "The list's name for people (\"Ham radio club\"), shown in List-Id "
                             "and in notices."));
    t.push_back(text_setting("language", &S::language, values::check_language,
                             "Language of the replies and notices the list sends: en or ja."));
    t.push_back(enum_setting("posting", &S::posting, kPostingNames,
                             "Who may post: members (members only), moderated (a moderator "
                             "approves every post), open (anyone)."));
    t.push_back(enum_setting("non_member", &S::non_member, kNonMemberNames,
                             "What happens to a post from a non-member: hold (a moderator "
                             "decides), reject (refused with a reason), discard (dropped)."));
    t.push_back(size_setting("max_message_bytes", &S::max_message_bytes, 1024,
                             std::uint64_t{1} << 30, true,
                             "Largest post accepted, in bytes (10M, 512K also work)."));
    t.push_back(text_setting("subject_tag", &S::subject_tag, values::check_subject_tag,
                             "Subject tag: [:] gives [ham:00123]; also (:) [,] (,) [] () like "
                             "fml, [#] for [00123], none for no tag."));
    t.push_back(text_setting("tag_name", &S::tag_name, values::check_tag_name,
                             "Name in the subject tag, X-ML-Name and \"Name via ...\"; empty: the "
                             "list name."));
    t.push_back(int_setting("tag_width", &S::tag_width, 1, 10,
                            "Digits of the article number in the subject tag (zero-padded)."));
    t.push_back(bool_setting("fml_headers", &S::fml_headers,
                             "Add fml's X-ML-Name and X-Mail-Count header fields, for members' "
                             "mail filters."));
    t.push_back(enum_setting("reply_to", &S::reply_to, kReplyToNames,
                             "Where replies go: keep (as the poster set it), list (to the list), "
                             "poster (to the author)."));
    t.push_back(text_setting("footer", &S::footer, values::check_footer,
                             "Text added at the end of every post; empty: no footer."));
    t.push_back(bool_setting("hold_dmarc_failures", &S::hold_dmarc_failures,
                             "Hold a post that claims to be from a member but fails the check "
                             "its domain asks for (DMARC): it is probably forged."));
    t.push_back(text_setting("trusted_authserv_id", &S::trusted_authserv_id,
                             values::check_authserv_id,
                             "Host name of your MTA whose Authentication-Results are believed; "
                             "empty: cqlist checks SPF, DKIM and DMARC itself."));
    t.push_back(enum_setting("from_rewrite", &S::from_rewrite, kFromRewriteNames,
                             "When From becomes the list's address so that strict mail "
                             "providers deliver the post: when_needed, always, never, or wrap "
                             "(attach the post instead, when needed)."));
    t.push_back(enum_setting("author_placement", &S::author_placement, kAuthorPlacementNames,
                             "Where the author's address goes when From is rewritten: reply_to "
                             "or cc."));
    t.push_back({"rewrite_domains",
                 "Domains (comma-separated) whose posts always get the list's From, whatever "
                 "their DMARC record says.",
                 values::check_domains,
                 [](ListSettings& settings, const std::string& canonical) {
                   settings.rewrite_domains = values::split_domains(canonical);
                 },
                 [](const ListSettings& settings) {
                   return values::join_domains(settings.rewrite_domains);
                 }});
    t.push_back(text_setting("dkim_selector_rsa", &S::dkim_selector_rsa, values::check_selector,
                             "DKIM selector of the RSA key (its DNS name is "
                             "SELECTOR._domainkey.DOMAIN); empty: no RSA signature."));
    t.push_back(text_setting("dkim_key_rsa", &S::dkim_key_rsa, values::check_path,
                             "PEM file with the RSA private key that signs posts "
                             "(cqlist dkim keygen)."));
    t.push_back(text_setting("dkim_selector_ed25519", &S::dkim_selector_ed25519,
                             values::check_selector,
                             "DKIM selector of the Ed25519 key; empty: no Ed25519 signature."));
    t.push_back(text_setting("dkim_key_ed25519", &S::dkim_key_ed25519, values::check_path,
                             "PEM file with the Ed25519 private key that signs posts."));
    t.push_back(bool_setting("arc", &S::arc,
                             "Add an ARC seal vouching for the checks done here, so that "
                             "receivers can trust a post the list has changed."));
    t.push_back(text_setting("web_url", &S::web_url, values::check_web_url,
                             "https address of the list's web pages, for the archive and "
                             "unsubscribe links; empty: none."));
    t.push_back(bool_setting("personalize", &S::personalize,
                             "Send each member an own copy with a one-click unsubscribe link "
                             "(needs web_url; more work for the MTA)."));
    t.push_back(size_setting("batch_size", &S::batch_size, 1, 1000, false,
                             "Recipients per SMTP transaction to the MTA (Postfix refuses more "
                             "than 1000)."));
    t.push_back(bool_setting("members_command_public", &S::members_command_public,
                             "Anyone may get the member list with the `members` mail command; "
                             "false: owners only."));
    t.push_back(size_setting("get_daily_limit", &S::get_daily_limit, 1, 100000, false,
                             "Archive articles the `get` mail command sends to one address per "
                             "day (UTC); what is over the limit is refused with a note."));
    t.push_back(duration_setting("moderation_code_lifetime", &S::moderation_code_lifetime,
                                 366 * 86400,
                                 "How long the code in a hold notice works for approving or "
                                 "rejecting by reply (14d, 48h); 0: it never expires. A post "
                                 "whose code expired stays held for `cqlist held`."));
    t.push_back(duration_setting("held_expiry", &S::held_expiry, 366 * 86400,
                                 "A held post that no moderator decides within this time "
                                 "(30d, 72h) is discarded; the poster is not told. 0: held "
                                 "posts wait for a decision for ever."));
    t.push_back(bool_setting("held_reminder", &S::held_reminder,
                             "Once a day, remind the moderators (the owners when there are "
                             "none) of the posts still waiting for a decision."));
    add_bounce_settings(t);
    add_digest_settings(t);
    return t;
  }();
  return table;
}

const SettingSpec* find_spec(std::string_view name) {
  for (const SettingSpec& spec : specs()) {
    if (spec.name == name) {
      return &spec;
    }
  }
  return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      std::size_t substitution =
          diagonal + (ascii_lower(a[i - 1]) == ascii_lower(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view closest_name(std::string_view name) {
  std::string_view best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const SettingSpec& spec : specs()) {
    std::size_t distance = edit_distance(name, spec.name);
    if (distance < best_distance) {
      best = spec.name;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace

bool sends_personal_copies(const ListSettings& settings) {
  return settings.personalize && !settings.web_url.empty();
}

const std::vector<SettingInfo>& setting_table() {
  static const std::vector<std::string> defaults = [] {
    std::vector<std::string> values;
    ListSettings settings;
    for (const SettingSpec& spec : specs()) {
      values.push_back(spec.format(settings));
    }
    return values;
  }();
  static const std::vector<SettingInfo> table = [] {
    std::vector<SettingInfo> infos;
    for (std::size_t i = 0; i < specs().size(); ++i) {
      infos.push_back({specs()[i].name, defaults[i], specs()[i].meaning});
    }
    return infos;
  }();
  return table;
}

Result<ListSettings> parse_settings(const std::map<std::string, std::string>& values) {
  ListSettings settings;
  // Keys the table does not know (a setting removed in a later version) are ignored, so that
  // a list keeps working after an upgrade or a downgrade.
  for (const auto& [name, value] : values) {
    const SettingSpec* spec = find_spec(name);
    if (spec == nullptr) {
      continue;
    }
    Result<std::string> canonical = spec->canonical(name, value);
    if (!canonical) {
      return fail(Errc::bad_syntax,
                  fmt::format("the stored list setting {}; correct it with `cqlist list set LIST "
                              "{}=VALUE`",
                              canonical.error().message(), name));
    }
    spec->apply(settings, *canonical);
  }
  return settings;
}

Result<std::string> validate_setting(std::string_view name, std::string_view value) {
  const SettingSpec* spec = find_spec(name);
  if (spec == nullptr) {
    return fail(Errc::invalid_argument,
                fmt::format("there is no list setting \"{}\": did you mean \"{}\"? (`cqlist help "
                            "list` shows every setting)",
                            values::printable(name), closest_name(name)));
  }
  return spec->canonical(name, value);
}

std::map<std::string, std::string> settings_as_strings(const ListSettings& settings) {
  std::map<std::string, std::string> values;
  for (const SettingSpec& spec : specs()) {
    values.emplace(spec.name, spec.format(settings));
  }
  return values;
}

}  // namespace cqlist::list
