// auth/dkim/publish.hpp: the DNS TXT record an operator publishes for a DKIM key.
//
// Owns: the key record text for a private key (RFC 6376 §3.6.1, RFC 8463 §4), its owner name
// (selector._domainkey.domain, §3.6.2.1) and its split into DNS character-strings of at most
// 255 bytes (RFC 1035 §3.3.14; verifiers join them without separators, RFC 6376 §3.6.2.2).
// See also: key_record.hpp (parsing what is published), crypto/keygen.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crypto/key.hpp"

namespace cqlist::auth::dkim {

// "v=DKIM1; k=rsa; p=MIIB..." or "v=DKIM1; k=ed25519; p=...".
std::string key_record_text(const crypto::PrivateKey& key);

// "selector._domainkey.domain" (no trailing dot).
std::string key_record_name(std::string_view selector, std::string_view domain);

// Consecutive pieces of `text`, each at most `limit` bytes (the DNS maximum is 255).
std::vector<std::string> split_character_strings(std::string_view text, std::size_t limit = 255);

// The pieces in zone-file presentation: "\"piece1\" \"piece2\"" (key records hold no quote
// or backslash, but they are escaped anyway).
std::string quote_character_strings(const std::vector<std::string>& pieces);

}  // namespace cqlist::auth::dkim
