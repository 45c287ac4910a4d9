// list/settings.hpp: a list's settings, typed, with their defaults and their meaning.
//
// Owns: the names operators use (`cqlist list set ham subject_tag=[:]`), the default of each,
// validation with a message that says what is allowed, and the conversion from and to the
// store's key/value strings. The table in settings.cpp is the documentation: `cqlist list show`
// and `cqlist help list` print it.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace cqlist::list {

// Who may post.
enum class PostingPolicy {
  members,    // members post directly; others get the non-member action
  moderated,  // every post waits for a moderator
  open,       // anyone (still subject to the authenticity check)
};

// What happens to a post from a non-member (PostingPolicy::members).
enum class NonMemberAction {
  hold,     // a moderator decides
  reject,   // refused with a reason: at RCPT when Postfix asks the policy service (no bounce
            // at all; list/posting_gate.hpp), else after the data in the LMTP reply
  discard,  // dropped silently, logged
};

// When the poster's From is replaced by the list's address (DMARC mitigation, RFC 7960 §4.1.3).
enum class FromRewrite {
  when_needed,  // poster's domain publishes p=quarantine|reject, or is in rewrite_domains
  always,
  never,
  wrap,  // send the post as a message/rfc822 attachment instead of rewriting From
};

// Where the author's address goes when From is rewritten.
enum class AuthorPlacement { reply_to, cc };

// What happens to a member whose provider reports that they marked list mail as spam (ARF).
enum class ComplaintAction {
  nomail,       // stays a member, gets no posts (undone with "nomail off")
  unsubscribe,  // removed from the list
};

// Reply-To of posts.
enum class ReplyToPolicy {
  keep,  // leave what the poster wrote
  list,  // replies go to the list (fml's default)
  poster,
};

struct ListSettings {
  std::string description;
  std::string language = "en";  // replies and notices: "en" or "ja"

  PostingPolicy posting = PostingPolicy::members;
  NonMemberAction non_member = NonMemberAction::hold;
  std::size_t max_message_bytes = 10 * 1024 * 1024;

  // fml's subject tag types "[:]", "(:)", "[,]", "(,)", "[]", "()", "[#]" (number only) or
  // "none"; `tag_name` defaults to the list name, `tag_width` pads the number with zeros.
  std::string subject_tag = "[:]";
  std::string tag_name;
  int tag_width = 5;

  bool fml_headers = false;  // X-ML-Name and X-Mail-Count, for members' filters
  ReplyToPolicy reply_to = ReplyToPolicy::keep;
  std::string footer;  // text appended to each post (MIME-aware); empty: none

  // Authenticity of posts whose From is a member.
  bool hold_dmarc_failures = true;  // From fails DMARC and its domain has p=quarantine|reject
  std::string trusted_authserv_id;  // believe Authentication-Results from this MTA

  FromRewrite from_rewrite = FromRewrite::when_needed;
  AuthorPlacement author_placement = AuthorPlacement::reply_to;
  // Domains whose From is always rewritten (they enforce although they publish p=none).
  std::vector<std::string> rewrite_domains = {"gmail.com", "googlemail.com"};

  // Signing: keys are files, selectors are published in DNS (`cqlist dkim keygen`).
  std::string dkim_selector_rsa;
  std::string dkim_key_rsa;
  std::string dkim_selector_ed25519;
  std::string dkim_key_ed25519;
  bool arc = true;  // add an ARC set with the inbound results (RSA key above)

  // Web address for List-Archive and one-click unsubscribe (https://lists.example/ham/).
  std::string web_url;
  bool personalize = false;      // per-recipient copies with a one-click unsubscribe token
  std::size_t batch_size = 500;  // recipients per SMTP transaction (Postfix takes <= 1000)

  bool members_command_public = false;  // `members` by email for everyone, not only owners
  std::size_t get_daily_limit = 200;    // archive articles sent by `get` to one address a day

  // How long the code in a hold notice works for deciding by reply; zero: no expiry.
  std::chrono::seconds moderation_code_lifetime = std::chrono::hours(24 * 14);
  // A held post nobody decides is discarded after this long, without telling the poster (the
  // sender of a held post is often forged); zero: kept until a moderator decides.
  std::chrono::seconds held_expiry = std::chrono::hours(24 * 30);
  // Once a day the moderators get a list of the posts still waiting (list/held_upkeep.hpp).
  bool held_reminder = true;

  // Bounces (bounce/processor.hpp). A member's mailbox problems add to a score: 1 for a
  // permanent failure, 0.5 for a temporary one, at most once a day; problems of the list's
  // own setup never count.
  double bounce_score_threshold = 5.0;  // delivery is disabled at this score
  std::chrono::seconds bounce_info_stale_after = std::chrono::hours(24 * 7);  // score resets
  std::chrono::seconds bounce_transient_after = std::chrono::hours(24 * 3);   // 4xx counts after
  std::chrono::seconds bounce_probe_interval = std::chrono::hours(24 * 7);
  std::size_t bounce_probes_before_removal = 3;
  std::chrono::seconds bounce_alert_period = std::chrono::hours(24);  // owners' summaries
  ComplaintAction complaint_action = ComplaintAction::nomail;

  // Digests (list/digest.hpp) for members whose delivery mode is digest: one message per
  // period, sent early when the articles waiting reach either size.
  std::chrono::seconds digest_interval = std::chrono::hours(24);  // "daily", "weekly", hours
  std::size_t digest_max_articles = 50;
  std::size_t digest_max_bytes = 100 * 1024;
};

struct SettingInfo {
  std::string_view name;
  std::string_view default_value;
  std::string_view meaning;  // one line for `cqlist list show` / help
};

// Every setting, in display order.
const std::vector<SettingInfo>& setting_table();

// Whether each member gets a copy of their own (their one-click unsubscribe token in it):
// `personalize` asks for it, and it needs `web_url` for the token's address.
bool sends_personal_copies(const ListSettings& settings);

// Typed settings from the store's strings; missing keys take their defaults. Errc::bad_syntax
// naming the setting and the allowed values when a stored value is invalid.
Result<ListSettings> parse_settings(const std::map<std::string, std::string>& values);

// Checks one `name=value` an operator gives; returns the value in canonical form.
// Errc::invalid_argument: unknown name (with a suggestion) or a value that is not allowed.
Result<std::string> validate_setting(std::string_view name, std::string_view value);

// Every setting as strings (defaults included), for `cqlist list show`.
std::map<std::string, std::string> settings_as_strings(const ListSettings& settings);

}  // namespace cqlist::list
