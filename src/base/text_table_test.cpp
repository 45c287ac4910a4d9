#include "base/text_table.hpp"

#include <gtest/gtest.h>

namespace cqlist {
namespace {

TEST(TextTable, FormatTextFillsFieldsAndKeepsTheSentenceWhenOneIsMissing) {
  EXPECT_EQ(format_text("{list} has {count} posts",
                        fmt::make_format_args(fmt::arg("list", "ham"), fmt::arg("count", 2)),
                        "test.text_field_missing", 1),
            "ham has 2 posts");
  // A field the caller forgot: the sentence goes out as written, not empty.
  EXPECT_EQ(format_text("{list} has {count} posts", fmt::make_format_args(fmt::arg("list", "ham")),
                        "test.text_field_missing", 1),
            "{list} has {count} posts");
}

}  // namespace
}  // namespace cqlist
