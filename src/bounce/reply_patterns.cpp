// bounce/reply_patterns.cpp: matching a rejection text against the pattern table.
//
// The table itself is in reply_pattern_table.cpp (providers' own texts, then the wording of
// the common MTAs); this file says who answered and which entry fits.
#include "bounce/reply_patterns.hpp"

#include "bounce/reply_pattern_table.hpp"

namespace cqlist::bounce {
namespace {

bool contains(std::string_view text, std::string_view fragment) {
  return text.find(fragment) != std::string_view::npos;
}

// "5.7." is a prefix of every 5.7.x code; "5.7.26" names one code.
bool status_fits(std::string_view wanted, const std::optional<mail::EnhancedStatus>& status) {
  if (wanted.empty()) {
    return true;
  }
  if (!status) {
    return false;
  }
  std::string code = status->to_string();
  if (wanted.back() == '.') {
    return std::string_view(code).starts_with(wanted);
  }
  return code == wanted;
}

bool fits(const ReplyPattern& pattern, std::string_view text, const ReplyContext& context) {
  if (!pattern.provider.empty() && pattern.provider != context.provider) {
    return false;
  }
  if (!pattern.command.empty() && pattern.command != context.smtp_command) {
    return false;
  }
  if (!status_fits(pattern.status, context.status)) {
    return false;
  }
  if (!pattern.and_also.empty() && !contains(text, pattern.and_also)) {
    return false;
  }
  for (std::string_view fragment : pattern.any_of) {
    if (!fragment.empty() && contains(text, fragment)) {
      return true;
    }
  }
  return false;
}

struct ProviderMark {
  std::string_view provider;
  std::string_view host_part;    // found in the remote host name
  std::string_view text_marker;  // found in the text ("" none)
};

// Order matters where markers overlap: AOL's mail is handled by Yahoo's servers, so an
// aol.com host is AOL even though the text may name Yahoo's help pages.
constexpr ProviderMark kProviderMarks[] = {
    {"gmail", "google.com", " gsmtp"},
    {"gmail", "googlemail.com", "support.google.com/mail"},
    {"outlook", "outlook.com", "protection.outlook.com"},
    {"outlook", "hotmail.com", "outlook.com"},
    {"outlook", "live.com", "hotmail"},
    {"aol", "aol.com", "aol.com"},
    {"yahoo", "yahoodns.net", "postmaster.yahooinc.com"},
    {"yahoo", "yahoo.com", "yahoo"},
    {"yahoo", "yahoo.co.jp", "[tss0"},
    {"apple", "icloud.com", "icloud.com"},
    {"apple", "mail.me.com", "support.apple.com"},
    {"docomo", "docomo.ne.jp", "docomo.ne.jp"},
    {"au", "ezweb.ne.jp", "ezweb.ne.jp"},
    {"au", "kddi.com", "auone-net.jp"},
    {"softbank", "softbank.ne.jp", "softbank.ne.jp"},
    {"softbank", "i.softbank.jp", ""},
};

}  // namespace

std::span<const ReplyPattern> reply_patterns() {
  return reply_pattern_table();
}

const ReplyPattern* find_reply_pattern(std::string_view rule) {
  for (const ReplyPattern& pattern : reply_pattern_table()) {
    if (pattern.rule == rule) {
      return &pattern;
    }
  }
  return nullptr;
}

std::string_view identify_provider(std::string_view lowered_text, std::string_view lowered_host) {
  if (!lowered_host.empty()) {
    for (const ProviderMark& mark : kProviderMarks) {
      if (contains(lowered_host, mark.host_part)) {
        return mark.provider;
      }
    }
  }
  for (const ProviderMark& mark : kProviderMarks) {
    if (!mark.text_marker.empty() && contains(lowered_text, mark.text_marker)) {
      return mark.provider;
    }
  }
  return {};
}

const ReplyPattern* match_reply_pattern(std::string_view lowered_text,
                                        const ReplyContext& context) {
  for (const ReplyPattern& pattern : reply_pattern_table()) {
    if (fits(pattern, lowered_text, context)) {
      return &pattern;
    }
  }
  return nullptr;
}

}  // namespace cqlist::bounce
