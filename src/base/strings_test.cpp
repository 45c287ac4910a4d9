#include "base/strings.hpp"

#include <string>

#include <gtest/gtest.h>

namespace cqlist {
namespace {

TEST(IsAscii, FindsAHighByteInTheWholeWordsAndInTheTail) {
  EXPECT_TRUE(is_ascii(""));
  const std::string seven_bit(4099, 'a');  // 512 words of eight and a tail of three
  EXPECT_TRUE(is_ascii(seven_bit));
  EXPECT_TRUE(is_ascii(std::string(1, '\x7f')));
  for (std::size_t at = 0; at < seven_bit.size(); ++at) {
    std::string text = seven_bit;
    text[at] = '\x80';
    ASSERT_FALSE(is_ascii(text)) << "high byte at " << at;
  }
  EXPECT_FALSE(is_ascii("caf\xc3\xa9"));
}

}  // namespace
}  // namespace cqlist
