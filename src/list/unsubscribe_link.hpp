// list/unsubscribe_link.hpp: the one-click unsubscribe link of a member (RFC 8058).
//
// Owns: the URL format WEB_URL/unsubscribe?list=LIST&member=ADDRESS&token=TOKEN (the token is
// an HMAC over list and member, so nobody can unsubscribe somebody else), checking such a
// request, and writing a member's own List-Unsubscribe field into a copy before it is signed
// (RFC 8058 §3.1 requires the List-Unsubscribe and List-Unsubscribe-Post fields be covered by
// the DKIM signature; the signer over-signs both).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "list/settings.hpp"
#include "list/token.hpp"
#include "mail/message.hpp"
#include "store/store.hpp"

namespace cqlist::list {

std::string unsubscribe_url(const store::ListRow& list, const ListSettings& settings,
                            const TokenSigner& tokens, std::string_view member);

// The value of a member's own List-Unsubscribe field: the one-click link and the list's
// mailto: address.
std::string personal_unsubscribe_value(const store::ListRow& list, const ListSettings& settings,
                                       const TokenSigner& tokens, std::string_view member);

inline constexpr std::string_view kOneClickValue = "List-Unsubscribe=One-Click";

// Replaces List-Unsubscribe (and sets List-Unsubscribe-Post) with the member's own link and
// the list's mailto: address, both at the bottom of the header.
void set_personal_unsubscribe(mail::Message& message, const store::ListRow& list,
                              const ListSettings& settings, const TokenSigner& tokens,
                              std::string_view member);

struct UnsubscribeRequest {
  std::string list;    // list address
  std::string member;  // member address
};

// Reads the query parameters of a one-click request; std::nullopt when a parameter is
// missing or the token is not the one cqlist made for this list and member.
std::optional<UnsubscribeRequest> check_unsubscribe(const std::map<std::string, std::string>& query,
                                                    const TokenSigner& tokens);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent_encode(std::string_view text);

}  // namespace cqlist::list
