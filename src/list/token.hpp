// list/token.hpp: short authenticated tokens for addresses and links.
//
// Owns: the one construction every token uses: the first 80 bits of HMAC-SHA256 over a
// purpose word and the data it vouches for, written in lowercase base32 (16 characters, safe
// in a local part and a URL, unchanged when an MTA lowercases an address). The purpose keeps
// a token for one use (a bounce address) from being replayed for another (an unsubscribe).
// The secret is per installation (ServerConfig's secret file), never per list, so moving a
// list between hosts with the same secret keeps old links working.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.hpp"

namespace cqlist::list {

enum class TokenPurpose { bounce, unsubscribe, confirm, moderate };

class TokenSigner {
 public:
  explicit TokenSigner(std::string secret) : secret_(std::move(secret)) {}

  std::string make(TokenPurpose purpose, std::string_view data) const;
  bool check(TokenPurpose purpose, std::string_view data, std::string_view token) const;

 private:
  std::string secret_;
};

// 16 random bytes from the system's CSPRNG in base32: a fresh secret, or a one-time token
// that the store remembers (confirmations, held messages).
Result<std::string> random_token();

// Every random_token() has this many characters (128 bits, five to a character), so a code
// quoted back in a subject can be told from an English word.
inline constexpr std::size_t kRandomTokenLength = 26;

}  // namespace cqlist::list
