#include "base/log.hpp"

#include <gtest/gtest.h>

namespace cqlist::log {
namespace {

TEST(LogLine, HasTimestampLevelEventAndFieldsInOrder) {
  std::string line =
      format_line(Level::info, "post.accepted", {{"list", "ham"}, {"article", "12"}});
  EXPECT_TRUE(line.starts_with("ts=")) << line;
  EXPECT_TRUE(line.ends_with(" level=info event=post.accepted list=ham article=12")) << line;
}

TEST(LogLine, QuotesValuesThatWouldBreakSplitting) {
  std::string line =
      format_line(Level::warn, "x", {{"reason", "550 5.7.26 \"bad\" a=b"}, {"empty", ""}});
  EXPECT_TRUE(line.ends_with(R"( reason="550 5.7.26 \"bad\" a=b" empty="")")) << line;
}

TEST(LogLine, EscapesLineBreaksAndControlBytes) {
  std::string line = format_line(Level::error, "x", {{"text", "a\r\nb\x01"}});
  EXPECT_TRUE(line.ends_with(R"( text="a\r\nb\x01")")) << line;
}

}  // namespace
}  // namespace cqlist::log
