// list/setting_values.cpp: the value checks of list settings.
#include "list/setting_values.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "mail/address.hpp"
#include "mail/charset.hpp"
#include "mail/subject.hpp"

namespace cqlist::list::setting_values {
namespace {

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7F;
  });
}

bool is_tag_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

std::string printable(std::string_view text) {
  std::string shown(text);
  std::replace_if(
      shown.begin(), shown.end(),
      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }, '?');
  return shown;
}

tl::unexpected<Error> not_allowed(std::string_view name, std::string_view value,
                                  std::string_view what_to_do) {
  return fail(Errc::invalid_argument,
              fmt::format("{}=\"{}\" is not allowed: {}", name, printable(value), what_to_do));
}

Result<std::string> check_bool(std::string_view name, std::string_view value) {
  std::string key = to_ascii_lower(trim(value));
  if (key == "true" || key == "yes" || key == "on") {
    return std::string("true");
  }
  if (key == "false" || key == "no" || key == "off") {
    return std::string("false");
  }
  return not_allowed(name, value, "use true or false (yes/no and on/off work too)");
}

Result<std::string> check_number(std::string_view name, std::string_view value, std::uint64_t min,
                                 std::uint64_t max, bool size_suffixes) {
  std::string_view text = trim(value);
  auto out_of_range = [&] {
    return not_allowed(name, value,
                       fmt::format("use a whole number from {} to {}{}", min, max,
                                   size_suffixes ? " (K, M and G suffixes work)" : ""));
  };
  std::uint64_t multiplier = 1;
  if (size_suffixes && !text.empty()) {
    switch (ascii_lower(text.back())) {
      case 'k':
        multiplier = 1024;
        break;
      case 'm':
        multiplier = 1024 * 1024;
        break;
      case 'g':
        multiplier = 1024 * 1024 * 1024;
        break;
      default:
        break;
    }
    if (multiplier != 1) {
      text.remove_suffix(1);
    }
  }
  if (text.empty() || text.size() > 12 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return out_of_range();
  }
  std::uint64_t number = 0;
  for (char c : text) {
    number = number * 10 + static_cast<std::uint64_t>(c - '0');  // 12 digits cannot overflow
  }
  if (number > max / multiplier || number * multiplier < min) {
    return out_of_range();
  }
  return std::to_string(number * multiplier);
}

std::uint64_t number_value(const std::string& canonical) {
  std::uint64_t number = 0;
  std::from_chars(canonical.data(), canonical.data() + canonical.size(), number);
  return number;
}

Result<std::string> check_one_line(std::string_view name, std::string_view value) {
  std::string_view text = trim(value);
  if (has_control(text) || !mail::is_valid_utf8(text) || text.size() > 200) {
    return not_allowed(name, value, "use one line of UTF-8 text, at most 200 bytes");
  }
  return std::string(text);
}

Result<std::string> check_language(std::string_view name, std::string_view value) {
  std::string key = to_ascii_lower(trim(value));
  if (key != "en" && key != "ja") {
    return not_allowed(name, value, "use en or ja");
  }
  return key;
}

Result<std::string> check_tag_name(std::string_view name, std::string_view value) {
  std::string_view text = trim(value);
  if (text.size() > 64 || !std::all_of(text.begin(), text.end(), is_tag_char)) {
    return not_allowed(name, value,
                       "use up to 64 ASCII letters, digits and - . _ (empty: the list name)");
  }
  return std::string(text);
}

Result<std::string> check_subject_tag(std::string_view name, std::string_view value) {
  std::string key = to_ascii_lower(trim(value));
  if (key == "none" || key == "[#]" || key == "(#)") {
    return key;
  }
  if (!mail::parse_subject_tag_format(key)) {
    return not_allowed(name, value,
                       "use one of [:] (:) [,] (,) [] () like fml, [#] or (#) for the number "
                       "only, or none");
  }
  return key;
}

Result<std::string> check_footer(std::string_view name, std::string_view value) {
  std::string text(value);
  // Stored with "\n" line ends; add_footer writes them in each part's own style.
  for (std::size_t at = text.find("\r\n"); at != std::string::npos; at = text.find("\r\n", at)) {
    text.erase(at, 1);
  }
  bool controls = std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\n' && c != '\t') || byte == 0x7F;
  });
  if (controls || !mail::is_valid_utf8(text) || text.size() > 64 * 1024) {
    return not_allowed(name, value.substr(0, 60),
                       "use UTF-8 text without control characters, at most 64 KiB");
  }
  return text;
}

Result<std::string> check_authserv_id(std::string_view name, std::string_view value) {
  std::string_view text = trim(value);
  bool token = std::all_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7F && std::string_view(";\"()\\").find(c) == std::string::npos;
  });
  if (!token || text.size() > 255) {
    return not_allowed(name, value,
                       "use the host name your MTA writes first in Authentication-Results "
                       "(no spaces), or empty to check SPF, DKIM and DMARC in cqlist");
  }
  return std::string(text);
}

Result<std::string> check_selector(std::string_view name, std::string_view value) {
  std::string_view text = trim(value);
  bool valid = text.size() <= 253 && !text.starts_with('.') && !text.ends_with('.') &&
               text.find("..") == std::string_view::npos &&
               std::all_of(text.begin(), text.end(), is_tag_char);
  if (!valid) {
    return not_allowed(name, value,
                       "use DNS labels of ASCII letters, digits, - and _ separated by dots "
                       "(\"cq2026\"), or empty for no signature of this kind");
  }
  return std::string(text);
}

Result<std::string> check_path(std::string_view name, std::string_view value) {
  std::string_view text = trim(value);
  if (has_control(text) || text.size() > 4096) {
    return not_allowed(name, value, "use the path of a PEM key file (cqlist dkim keygen)");
  }
  return std::string(text);
}

Result<std::string> check_web_url(std::string_view name, std::string_view value) {
  std::string text(trim(value));
  if (text.empty()) {
    return text;
  }
  bool https = istarts_with(text, "https://");
  bool clean = std::none_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte >= 0x7F ||
           std::string_view("<>\"\\?#").find(c) != std::string::npos;
  });
  if (!https || !clean || text.size() <= 8 || text[8] == '/' || text.size() > 1000) {
    // RFC 8058 one-click unsubscribe works only with an https URI.
    return not_allowed(name, value,
                       "use an https:// address such as https://lists.example/ham/ (no query "
                       "or fragment; percent-encode spaces and non-ASCII), or empty for none");
  }
  text.replace(0, 8, "https://");
  if (!text.ends_with('/')) {
    text += '/';  // pages are named relative to it: web_url + "unsubscribe"
  }
  return text;
}

Result<std::string> check_domains(std::string_view name, std::string_view value) {
  std::string canonical;
  std::string_view rest = value;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) {
      continue;
    }
    Result<std::string> domain = mail::domain_to_ascii(item);
    if (!domain || domain->starts_with('[') || domain->find('.') == std::string::npos) {
      return not_allowed(name, value,
                         fmt::format("\"{}\" is not a domain name; use domains separated by "
                                     "commas (gmail.com,googlemail.com), or empty for none",
                                     item));
    }
    canonical += canonical.empty() ? "" : ",";
    canonical += *domain;
  }
  return canonical;
}

namespace {

struct DurationUnit {
  char suffix;
  std::uint64_t seconds;
};

constexpr DurationUnit kDurationUnits[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};

}  // namespace

Result<std::string> check_duration(std::string_view name, std::string_view value,
                                   std::uint64_t max_seconds) {
  std::string text = to_ascii_lower(trim(value));
  auto not_a_duration = [&] {
    return not_allowed(name, value,
                       fmt::format("write a time as a whole number with d, h, m or s (7d, 12h, "
                                   "30m), at most {}; 0 for none",
                                   format_duration(max_seconds)));
  };
  if (text == "0") {
    return std::string("0");
  }
  if (text.size() < 2 || text.size() > 10) {
    return not_a_duration();
  }
  const DurationUnit* unit = nullptr;
  for (const DurationUnit& candidate : kDurationUnits) {
    if (text.back() == candidate.suffix) {
      unit = &candidate;
    }
  }
  text.pop_back();
  if (unit == nullptr ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return not_a_duration();
  }
  std::uint64_t number = 0;
  for (char c : text) {
    number = number * 10 + static_cast<std::uint64_t>(c - '0');  // 9 digits cannot overflow
  }
  if (number > max_seconds / unit->seconds) {
    return not_a_duration();
  }
  return format_duration(number * unit->seconds);
}

std::string format_duration(std::uint64_t seconds) {
  if (seconds == 0) {
    return "0";
  }
  for (const DurationUnit& unit : kDurationUnits) {
    if (seconds % unit.seconds == 0) {
      return fmt::format("{}{}", seconds / unit.seconds, unit.suffix);
    }
  }
  return fmt::format("{}s", seconds);
}

std::uint64_t duration_seconds(const std::string& canonical) {
  if (canonical.empty() || canonical == "0") {
    return 0;
  }
  std::uint64_t number = 0;
  std::from_chars(canonical.data(), canonical.data() + canonical.size() - 1, number);
  for (const DurationUnit& unit : kDurationUnits) {
    if (canonical.back() == unit.suffix) {
      return number * unit.seconds;
    }
  }
  return number;
}

Result<std::string> check_score(std::string_view name, std::string_view value) {
  std::string_view text = trim(value);
  auto not_a_score = [&] {
    return not_allowed(name, value,
                       "use a number from 0.5 to 1000 with at most one decimal (5, 2.5)");
  };
  std::string_view whole = text;
  std::string_view tenth;
  if (auto point = text.find('.'); point != std::string_view::npos) {
    whole = text.substr(0, point);
    tenth = text.substr(point + 1);
    if (tenth.size() != 1) {
      return not_a_score();
    }
  }
  auto digits = [](std::string_view part) {
    return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || whole.size() > 4 || !digits(whole) || !digits(tenth)) {
    return not_a_score();
  }
  std::uint64_t tenths = 0;
  for (char c : whole) {
    tenths = tenths * 10 + static_cast<std::uint64_t>(c - '0');
  }
  tenths = tenths * 10 + (tenth.empty() ? 0 : static_cast<std::uint64_t>(tenth[0] - '0'));
  if (tenths < 5 || tenths > 10000) {
    return not_a_score();
  }
  return fmt::format("{}.{}", tenths / 10, tenths % 10);
}

double score_value(const std::string& canonical) {
  std::uint64_t whole = 0;
  auto point = canonical.find('.');
  std::from_chars(canonical.data(), canonical.data() + std::min(point, canonical.size()), whole);
  double tenth = point != std::string::npos && point + 1 < canonical.size()
                     ? static_cast<double>(canonical[point + 1] - '0')
                     : 0.0;
  return static_cast<double>(whole) + tenth / 10.0;
}

std::string format_score(double score) {
  return fmt::format("{:.1f}", score);
}

std::string join_domains(const std::vector<std::string>& domains) {
  std::string joined;
  for (const std::string& domain : domains) {
    joined += joined.empty() ? "" : ",";
    joined += domain;
  }
  return joined;
}

std::vector<std::string> split_domains(const std::string& canonical) {
  std::vector<std::string> domains;
  std::size_t start = 0;
  while (start < canonical.size()) {
    std::size_t comma = std::min(canonical.find(',', start), canonical.size());
    domains.push_back(canonical.substr(start, comma - start));
    start = comma + 1;
  }
  return domains;
}

}  // namespace cqlist::list::setting_values
