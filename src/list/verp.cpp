// list/verp.cpp: writing and reading NAME-bounces+KEY+USER=DOMAIN local parts.
#include "list/verp.hpp"

#include <charconv>

#include "base/strings.hpp"

namespace cqlist::list {
namespace {

std::string token_data(const store::ListRow& list, std::string_view what) {
  return to_ascii_lower(list.address()) + "\n" + std::string(what);
}

std::string bounce_prefix(const store::ListRow& list) {
  return list.name + "-bounces+";
}

// user@domain -> user=domain (the last '@' splits: a quoted local part may hold another).
std::string encode_recipient(std::string_view recipient) {
  std::string out(recipient);
  if (auto at = out.rfind('@'); at != std::string::npos) {
    out[at] = '=';
  }
  return out;
}

std::optional<std::string> decode_recipient(std::string_view text) {
  auto equals = text.rfind('=');
  if (equals == std::string_view::npos || equals == 0 || equals + 1 == text.size()) {
    return std::nullopt;
  }
  std::string out(text);
  out[equals] = '@';
  return out;
}

}  // namespace

std::string personal_bounce_address(const TokenSigner& tokens, const store::ListRow& list,
                                    std::string_view recipient) {
  std::string key = tokens.make(TokenPurpose::bounce, token_data(list, to_ascii_lower(recipient)));
  return bounce_prefix(list) + key + "+" + encode_recipient(recipient) + "@" + list.domain;
}

std::string xverp_bounce_sender(const TokenSigner& tokens, const store::ListRow& list,
                                std::int64_t article) {
  std::string number = std::to_string(article);
  std::string key = tokens.make(TokenPurpose::bounce, token_data(list, "article " + number));
  return bounce_prefix(list) + "a" + number + "." + key + "@" + list.domain;
}

std::optional<BounceAddress> parse_bounce_address(const TokenSigner& tokens,
                                                  const store::ListRow& list,
                                                  std::string_view local_part) {
  std::string prefix = bounce_prefix(list);
  if (local_part.size() <= prefix.size() ||
      to_ascii_lower(local_part.substr(0, prefix.size())) != to_ascii_lower(prefix)) {
    return std::nullopt;
  }
  std::string_view rest = local_part.substr(prefix.size());
  auto plus = rest.find('+');
  if (plus == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view key = rest.substr(0, plus);
  auto recipient = decode_recipient(rest.substr(plus + 1));
  if (!recipient) {
    return std::nullopt;
  }
  BounceAddress out;
  out.recipient = *recipient;
  if (tokens.check(TokenPurpose::bounce, token_data(list, to_ascii_lower(*recipient)), key)) {
    out.recipient_proven = true;
    return out;
  }
  // XVERP form: "a<article>.<token>".
  auto dot = key.find('.');
  if (key.size() < 3 || (key[0] != 'a' && key[0] != 'A') || dot == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view number = key.substr(1, dot - 1);
  std::int64_t article = 0;
  auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), article);
  if (error != std::errc() || end != number.data() + number.size() ||
      !tokens.check(TokenPurpose::bounce, token_data(list, "article " + std::string(number)),
                    key.substr(dot + 1))) {
    return std::nullopt;
  }
  out.article = article;
  return out;
}

}  // namespace cqlist::list
