// bounce/reply_patterns.cpp: matching a rejection text against the pattern table.
//
// The table itself is in reply_pattern_table.cpp (providers' own texts, then the wording of
// the common MTAs); this file says who answered and which entry fits.
#include "bounce/reply_patterns.hpp"

#include <bitset>
#include <cstddef>
#include <string>

#include "bounce/reply_pattern_table.hpp"

namespace cqlist::bounce {
namespace {

// The text to match, with the set of byte pairs it holds. Most fragments of the table are
// absent from any one text, and a fragment with a pair the text lacks is ruled out without a
// search: the table is searched for every failed recipient, and plain searching was most of
// the classifier's time.
class IndexedText {
 public:
  explicit IndexedText(std::string_view text) : text_(text) {
    for (std::size_t i = 1; i < text.size(); ++i) {
      pairs_.set(pair_key(text[i - 1], text[i]));
    }
  }

  bool contains(std::string_view fragment) const {
    if (fragment.size() >= 2) {
      std::size_t middle = fragment.size() / 2;
      std::size_t last = fragment.size() - 1;
      if (!pairs_.test(pair_key(fragment[0], fragment[1])) ||
          !pairs_.test(pair_key(fragment[middle - 1], fragment[middle])) ||
          !pairs_.test(pair_key(fragment[last - 1], fragment[last]))) {
        return false;
      }
    }
    return text_.find(fragment) != std::string_view::npos;
  }

 private:
  static std::size_t pair_key(char first, char second) {
    return static_cast<std::size_t>(static_cast<unsigned char>(first)) << 8 |
           static_cast<unsigned char>(second);
  }

  std::string_view text_;
  std::bitset<65536> pairs_;
};

bool contains(std::string_view text, std::string_view fragment) {
  return text.find(fragment) != std::string_view::npos;
}

bool fits(const ReplyPattern& pattern, const IndexedText& text, std::string_view status_code,
          const ReplyContext& context) {
  if (!pattern.provider.empty() && pattern.provider != context.provider) {
    return false;
  }
  if (!pattern.command.empty() && pattern.command != context.smtp_command) {
    return false;
  }
  if (!status_fits(pattern.status, status_code)) {
    return false;
  }
  if (!pattern.and_also.empty() && !text.contains(pattern.and_also)) {
    return false;
  }
  for (std::string_view fragment : pattern.any_of) {
    if (!fragment.empty() && text.contains(fragment)) {
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

bool status_fits(std::string_view wanted, std::string_view code) {
  if (wanted.empty()) {
    return true;
  }
  if (wanted.back() == '.') {
    return code.starts_with(wanted);
  }
  return code == wanted;
}

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
  const IndexedText text(lowered_text);
  const std::string status_code = context.status ? context.status->to_string() : std::string();
  for (const ReplyPattern& pattern : reply_pattern_table()) {
    if (fits(pattern, text, status_code, context)) {
      return &pattern;
    }
  }
  return nullptr;
}

}  // namespace cqlist::bounce
