// list/settings.hpp: a list's settings, typed, with their defaults and their meaning.
//
// Owns: the names operators use (`cqlist list set ham subject_tag=[:]`), the default of each,
// validation with a message that says what is allowed, and the conversion from and to the
// store's key/value strings. The table in settings.cpp is the documentation: `cqlist list show`
// and `cqlist help list` print it.
#pragma once

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
  reject,   // refused during the LMTP transaction with a reason (no bounce is generated)
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
};

struct SettingInfo {
  std::string_view name;
  std::string_view default_value;
  std::string_view meaning;  // one line for `cqlist list show` / help
};

// Every setting, in display order.
const std::vector<SettingInfo>& setting_table();

// Typed settings from the store's strings; missing keys take their defaults. Errc::bad_syntax
// naming the setting and the allowed values when a stored value is invalid.
Result<ListSettings> parse_settings(const std::map<std::string, std::string>& values);

// Checks one `name=value` an operator gives; returns the value in canonical form.
// Errc::invalid_argument: unknown name (with a suggestion) or a value that is not allowed.
Result<std::string> validate_setting(std::string_view name, std::string_view value);

// Every setting as strings (defaults included), for `cqlist list show`.
std::map<std::string, std::string> settings_as_strings(const ListSettings& settings);

}  // namespace cqlist::list
