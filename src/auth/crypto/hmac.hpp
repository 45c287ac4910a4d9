// auth/crypto/hmac.hpp: HMAC-SHA256 (RFC 2104) for the tokens cqlist hands out.
//
// Owns: the keyed hash only. Tokens that travel in addresses and URLs (VERP bounce addresses,
// confirmation and one-click unsubscribe links, moderation replies) are built on it in
// list/token.hpp, so nobody can forge a bounce or an unsubscribe for somebody else.
#pragma once

#include <string_view>

#include "auth/crypto/key.hpp"

namespace cqlist::auth::crypto {

Sha256Digest hmac_sha256(std::string_view key, std::string_view data);

// Compares in time independent of where the inputs differ.
bool equal_in_constant_time(std::string_view a, std::string_view b);

}  // namespace cqlist::auth::crypto
