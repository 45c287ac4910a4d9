// list/fml/config_cf.cpp: reading fml8's config.cf.
#include "list/fml/config_cf.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist::list::fml {
namespace {

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

std::string expand(const Fml8Config& config, std::string_view text, int depth) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 == text.size() || depth > 16) {
      out += text[i];
      continue;
    }
    bool braced = text[i + 1] == '{';
    std::size_t start = i + (braced ? 2u : 1u);
    std::size_t end = start;
    while (end < text.size() && is_key_char(text[end])) {
      ++end;
    }
    if (end == start) {
      out += text[i];
      continue;
    }
    auto found = config.values.find(std::string(text.substr(start, end - start)));
    if (found != config.values.end()) {
      out += expand(config, found->second, depth + 1);
    }
    i = end - 1 + (braced && end < text.size() && text[end] == '}' ? 1u : 0u);
  }
  return out;
}

}  // namespace

std::string Fml8Config::get(std::string_view key, std::string_view fallback) const {
  auto found = values.find(std::string(key));
  if (found == values.end()) {
    return std::string(fallback);
  }
  return std::string(trim(expand(*this, found->second, 0)));
}

Result<Fml8Config> parse_config_cf(std::string_view text, std::string_view file_name) {
  Fml8Config config;
  std::string last_key;
  std::size_t number = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = std::min(text.find('\n', at), text.size());
    std::string_view row = text.substr(at, end - at);
    at = end + 1;
    ++number;
    if (row.starts_with("=cut")) {
      config.has_hooks = true;
      break;
    }
    std::string_view content = trim(row);
    if (content.empty() || content.front() == '#') {
      continue;
    }
    if ((row.front() == ' ' || row.front() == '\t') && !last_key.empty()) {
      config.values[last_key] += " " + std::string(content);
      continue;
    }
    std::size_t key_end = 0;
    while (key_end < content.size() && is_key_char(content[key_end])) {
      ++key_end;
    }
    std::string key(content.substr(0, key_end));
    std::string_view rest = trim(content.substr(key_end));
    char op = rest.starts_with("+=") ? '+' : rest.starts_with("-=") ? '-' : '=';
    if (key.empty() || !(rest.starts_with("=") || op != '=')) {
      return fail(Errc::bad_syntax,
                  fmt::format("{} line {}: '{}' is not a setting; config.cf lines are "
                              "`key = value`",
                              file_name, number, content.substr(0, 80)));
    }
    std::string value(trim(rest.substr(op == '=' ? 1u : 2u)));
    std::string& stored = config.values[key];
    if (op == '+') {
      stored += (stored.empty() ? "" : " ") + value;
    } else if (op == '-') {
      std::istringstream words(stored);
      std::string word;
      std::string kept;
      while (words >> word) {
        if (word != value) {
          kept += (kept.empty() ? "" : " ") + word;
        }
      }
      stored = kept;
    } else {
      stored = value;
    }
    config.lines[key] = number;
    last_key = key;
  }
  return config;
}

}  // namespace cqlist::list::fml
