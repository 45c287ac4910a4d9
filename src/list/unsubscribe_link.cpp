// list/unsubscribe_link.cpp: building and checking one-click unsubscribe links.
#include "list/unsubscribe_link.hpp"

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist::list {
namespace {

std::string token_data(std::string_view list, std::string_view member) {
  return to_ascii_lower(list) + "\n" + to_ascii_lower(member);
}

}  // namespace

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                      (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' ||
                      byte == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

std::string unsubscribe_url(const store::ListRow& list, const ListSettings& settings,
                            const TokenSigner& tokens, std::string_view member) {
  std::string base = settings.web_url;
  if (!base.empty() && base.back() != '/') {
    base += '/';
  }
  return fmt::format("{}unsubscribe?list={}&member={}&token={}", base,
                     percent_encode(list.address()), percent_encode(member),
                     tokens.make(TokenPurpose::unsubscribe, token_data(list.address(), member)));
}

std::string personal_unsubscribe_value(const store::ListRow& list, const ListSettings& settings,
                                       const TokenSigner& tokens, std::string_view member) {
  return fmt::format("<{}>,\r\n <mailto:{}-request@{}?subject=unsubscribe>",
                     unsubscribe_url(list, settings, tokens, member), list.name, list.domain);
}

void set_personal_unsubscribe(mail::Message& message, const store::ListRow& list,
                              const ListSettings& settings, const TokenSigner& tokens,
                              std::string_view member) {
  message.remove_all("List-Unsubscribe");
  message.remove_all("List-Unsubscribe-Post");
  message.add_bottom("List-Unsubscribe",
                     personal_unsubscribe_value(list, settings, tokens, member));
  message.add_bottom("List-Unsubscribe-Post", kOneClickValue);
}

std::optional<UnsubscribeRequest> check_unsubscribe(const std::map<std::string, std::string>& query,
                                                    const TokenSigner& tokens) {
  auto list = query.find("list");
  auto member = query.find("member");
  auto token = query.find("token");
  if (list == query.end() || member == query.end() || token == query.end()) {
    return std::nullopt;
  }
  if (!tokens.check(TokenPurpose::unsubscribe, token_data(list->second, member->second),
                    token->second)) {
    return std::nullopt;
  }
  return UnsubscribeRequest{list->second, member->second};
}

}  // namespace cqlist::list
