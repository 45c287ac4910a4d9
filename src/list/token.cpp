// list/token.cpp: HMAC tokens and random tokens in lowercase base32.
#include "list/token.hpp"

#include <array>
#include <cstdint>

#include <openssl/rand.h>

#include "auth/crypto/hmac.hpp"
#include "base/strings.hpp"

namespace cqlist::list {
namespace {

constexpr std::size_t kTokenBytes = 10;  // 80 bits: 16 base32 characters
constexpr std::size_t kRandomTokenBytes = 16;
static_assert((kRandomTokenBytes * 8 + 4) / 5 == kRandomTokenLength,
              "kRandomTokenLength is what base32() makes of kRandomTokenBytes");

std::string_view purpose_word(TokenPurpose purpose) {
  switch (purpose) {
    case TokenPurpose::bounce:
      return "bounce";
    case TokenPurpose::unsubscribe:
      return "unsubscribe";
    case TokenPurpose::confirm:
      return "confirm";
    case TokenPurpose::moderate:
      return "moderate";
  }
  return "unknown";
}

// RFC 4648 base32 alphabet in lowercase, without padding.
std::string base32(const unsigned char* bytes, std::size_t size) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | bytes[i];
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 0x1f];
      bits -= 5;
    }
  }
  if (bits > 0) {
    out += kAlphabet[(buffer << (5 - bits)) & 0x1f];
  }
  return out;
}

}  // namespace

std::string TokenSigner::make(TokenPurpose purpose, std::string_view data) const {
  std::string message(purpose_word(purpose));
  message += '\n';
  message += data;
  auto digest = auth::crypto::hmac_sha256(secret_, message);
  return base32(digest.data(), kTokenBytes);
}

bool TokenSigner::check(TokenPurpose purpose, std::string_view data, std::string_view token) const {
  return auth::crypto::equal_in_constant_time(make(purpose, data), to_ascii_lower(token));
}

Result<std::string> random_token() {
  std::array<unsigned char, kRandomTokenBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return fail(Errc::internal, "the system random number generator failed; no token is safe");
  }
  return base32(bytes.data(), bytes.size());
}

}  // namespace cqlist::list
