#include "auth/dkim/tag_list.hpp"

#include <string>

namespace cqlist::auth::dkim {
namespace {

bool is_fws(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// VALCHAR = %x21-3A / %x3C-7E (§3.2): printable ASCII without ";".
bool is_valchar(char c) {
  return c >= 0x21 && c <= 0x7E && c != ';';
}

// Built by appending: GCC 12 -O3 warns falsely (-Wrestrict) on "\"" + std::string + "\"".
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out.append(text);
  out += '"';
  return out;
}

}  // namespace

Result<TagList> TagList::parse(std::string_view text) {
  TagList list;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find(';', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view spec = text.substr(pos, end - pos);
    std::size_t i = 0;
    while (i < spec.size() && is_fws(spec[i])) {
      ++i;
    }
    if (i == spec.size()) {
      // Only a trailing ";" may leave an empty tag-spec behind it.
      if (end < text.size() || list.tags_.empty()) {
        if (end == text.size() && list.tags_.empty()) {
          return fail(Errc::bad_syntax, "empty tag list");
        }
        return fail(Errc::bad_syntax, "empty tag between two \";\"");
      }
      break;
    }
    const std::size_t name_begin = i;
    if (!is_alpha(spec[i])) {
      return fail(Errc::bad_syntax, "tag name must start with a letter near " + quoted(spec));
    }
    while (i < spec.size() && (is_alpha(spec[i]) || is_digit(spec[i]) || spec[i] == '_')) {
      ++i;
    }
    const std::string_view name = spec.substr(name_begin, i - name_begin);
    while (i < spec.size() && is_fws(spec[i])) {
      ++i;
    }
    if (i == spec.size() || spec[i] != '=') {
      return fail(Errc::bad_syntax, "tag " + quoted(name) + " has no \"=\"");
    }
    ++i;
    while (i < spec.size() && is_fws(spec[i])) {
      ++i;
    }
    std::size_t value_end = spec.size();
    while (value_end > i && is_fws(spec[value_end - 1])) {
      --value_end;
    }
    const std::string_view value = spec.substr(i, value_end - i);
    for (char c : value) {
      if (!is_valchar(c) && !is_fws(c)) {
        return fail(Errc::bad_syntax, "tag " + quoted(name) +
                                          " holds a character outside "
                                          "printable ASCII");
      }
    }
    if (list.find(name) != nullptr) {
      return fail(Errc::bad_syntax, "tag " + quoted(name) + " appears twice");
    }
    list.tags_.push_back(Tag{name, value, pos + i, pos + value_end});
    pos = end + 1;
  }
  return list;
}

const Tag* TagList::find(std::string_view name) const {
  for (const Tag& tag : tags_) {
    if (tag.name == name) {
      return &tag;
    }
  }
  return nullptr;
}

std::optional<std::string_view> TagList::value(std::string_view name) const {
  const Tag* tag = find(name);
  if (tag == nullptr) {
    return std::nullopt;
  }
  return tag->value;
}

std::string blank_tag_value(std::string_view text, std::string_view name) {
  auto list = TagList::parse(text);
  if (!list) {
    return std::string(text);
  }
  const Tag* tag = list->find(name);
  if (tag == nullptr) {
    return std::string(text);
  }
  // "including all surrounding whitespace" (§3.5): from just after "=" up to the ";".
  std::size_t cut_begin = tag->value_begin;
  while (cut_begin > 0 && is_fws(text[cut_begin - 1])) {
    --cut_begin;
  }
  std::size_t cut_end = tag->value_end;
  while (cut_end < text.size() && text[cut_end] != ';') {
    ++cut_end;
  }
  std::string out(text.substr(0, cut_begin));
  out.append(text.substr(cut_end));
  return out;
}

std::string strip_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (!is_fws(c)) {
      out += c;
    }
  }
  return out;
}

}  // namespace cqlist::auth::dkim
