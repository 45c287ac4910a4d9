#include "auth/dkim/publish.hpp"

#include <algorithm>

#include "auth/crypto/base64.hpp"

namespace cqlist::auth::dkim {

std::string key_record_text(const crypto::PrivateKey& key) {
  return "v=DKIM1; k=" + std::string(crypto::key_type_name(key.type())) +
         "; p=" + crypto::base64_encode(key.public_key_bytes());
}

std::string key_record_name(std::string_view selector, std::string_view domain) {
  std::string name(selector);
  name += "._domainkey.";
  name += domain;
  return name;
}

std::vector<std::string> split_character_strings(std::string_view text, std::size_t limit) {
  std::vector<std::string> pieces;
  limit = std::max<std::size_t>(limit, 1);
  for (std::size_t at = 0; at < text.size(); at += limit) {
    pieces.emplace_back(text.substr(at, limit));
  }
  if (pieces.empty()) {
    pieces.emplace_back();
  }
  return pieces;
}

std::string quote_character_strings(const std::vector<std::string>& pieces) {
  std::string out;
  for (const std::string& piece : pieces) {
    if (!out.empty()) {
      out += ' ';
    }
    out += '"';
    for (char c : piece) {
      if (c == '"' || c == '\\') {
        out += '\\';
      }
      out += c;
    }
    out += '"';
  }
  return out;
}

}  // namespace cqlist::auth::dkim
