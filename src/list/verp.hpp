// list/verp.hpp: the envelope sender of list mail, which names the member it went to (VERP).
//
// Owns: the bounce address format. Every copy leaves with MAIL FROM
//   NAME-bounces+KEY+USER=DOMAIN@LISTDOMAIN
// so a bounce names the member without parsing the bounce text. KEY authenticates it:
//   - per-recipient envelopes: KEY = token(list, recipient); the recipient is proven.
//   - Postfix XVERP (one transaction, many recipients): cqlist sends MAIL FROM
//     NAME-bounces+aARTICLE.TOKEN@LISTDOMAIN and Postfix appends +USER=DOMAIN per recipient
//     (VERP_README); the token proves the article, not the recipient, so the bounce processor
//     must find that recipient in the report itself before it counts the bounce.
// Nobody can therefore get a member unsubscribed by forging bounces to the list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "list/token.hpp"
#include "store/store.hpp"

namespace cqlist::list {

std::string personal_bounce_address(const TokenSigner& tokens, const store::ListRow& list,
                                    std::string_view recipient);

// The MAIL FROM for an XVERP transaction of `article`.
std::string xverp_bounce_sender(const TokenSigner& tokens, const store::ListRow& list,
                                std::int64_t article);

struct BounceAddress {
  std::string recipient;                // the member the bounced copy went to
  bool recipient_proven = false;        // personal token checked
  std::optional<std::int64_t> article;  // XVERP: the article the copy carried
};

// Reads the local part of a bounce address of `list` ("ham-bounces+...", any case in the
// fixed parts). std::nullopt when it is not one or its token does not check out.
std::optional<BounceAddress> parse_bounce_address(const TokenSigner& tokens,
                                                  const store::ListRow& list,
                                                  std::string_view local_part);

}  // namespace cqlist::list
