#include "auth/crypto/hmac.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace cqlist::auth::crypto {
namespace {

std::string hex(const Sha256Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : digest) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
  }
  return out;
}

// RFC 4231 §4.3, test case 2.
TEST(Hmac, MatchesRfc4231TestCase2) {
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231 test cases 1, 3 and 6 (a key longer than the block), with keys alternating and more
// keys than a thread keeps ready: each answer must come from its own key.
TEST(Hmac, KeysInTurnOnSeveralThreadsEachGiveTheirOwnDigest) {
  struct Case {
    std::string key;
    std::string data;
    std::string expected;
  };

  const std::vector<Case> cases = {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"}};
  auto check = [&] {
    for (int round = 0; round < 3; ++round) {
      for (const Case& c : cases) {
        EXPECT_EQ(hex(hmac_sha256(c.key, c.data)), c.expected);
      }
      for (int other = 0; other < 10; ++other) {  // more keys than are kept
        EXPECT_NE(hex(hmac_sha256("other key " + std::to_string(other), "Hi There")),
                  cases[0].expected);
      }
    }
  };
  check();
  std::thread second(check);
  second.join();
}

TEST(Hmac, ConstantTimeCompareNeedsEqualBytes) {
  EXPECT_TRUE(equal_in_constant_time("abc", "abc"));
  EXPECT_FALSE(equal_in_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_in_constant_time("abc", "abcd"));
}

}  // namespace
}  // namespace cqlist::auth::crypto
