// server/http/url_decode.cpp: percent-decoding and form fields.
#include "server/http/url_decode.hpp"

#include <cstddef>

#include "base/strings.hpp"

namespace cqlist::server {

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      int high = hex_digit_value(text[i + 1]);
      int low = hex_digit_value(text[i + 2]);
      if (high < 0 || low < 0 || (high == 0 && low == 0)) {
        return std::nullopt;  // a NUL would cut C strings and file names short further on
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>> decode_form(std::string_view text) {
  std::map<std::string, std::string> fields;
  while (!text.empty()) {
    std::size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text.remove_prefix(amp == std::string_view::npos ? text.size() : amp + 1);
    if (pair.empty()) {
      continue;
    }
    std::size_t equals = pair.find('=');
    std::optional<std::string> name = percent_decode(pair.substr(0, equals), true);
    std::optional<std::string> value = equals == std::string_view::npos
                                           ? std::string()
                                           : percent_decode(pair.substr(equals + 1), true);
    if (!name || !value) {
      return std::nullopt;
    }
    fields.emplace(std::move(*name), std::move(*value));
  }
  return fields;
}

}  // namespace cqlist::server
