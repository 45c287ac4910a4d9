#include "base/file.hpp"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace cqlist {
namespace {

class DurableFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("cqlist-file-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(DurableFile, WritesBytesExactlyAndReadsThemBack) {
  std::string bytes("a\0b\r\n\xff", 6);
  ASSERT_TRUE(write_file_durably(dir_ / "post.eml", bytes));
  auto read = read_file(dir_ / "post.eml");
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, bytes);
}

TEST_F(DurableFile, LeavesNoTemporaryFilesBehind) {
  ASSERT_TRUE(write_file_durably(dir_ / "a", "x"));
  ASSERT_TRUE(write_file_durably(dir_ / "a", "y"));
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename(), "a");
    ++count;
  }
  EXPECT_EQ(count, 1);
  EXPECT_EQ(*read_file(dir_ / "a"), "y");
}

TEST_F(DurableFile, RefusesToOverwriteWhenAsked) {
  ASSERT_TRUE(write_file_durably(dir_ / "key.pem", "first"));
  auto second = write_file_durably(dir_ / "key.pem", "second", Overwrite::refuse);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), Errc::already_exists);
  EXPECT_NE(second.error().message().find("key.pem"), std::string::npos);
  EXPECT_EQ(*read_file(dir_ / "key.pem"), "first");
}

TEST_F(DurableFile, AppliesTheRequestedMode) {
  ASSERT_TRUE(write_file_durably(dir_ / "private", "secret", Overwrite::refuse, 0600));

  struct stat st {};

  ASSERT_EQ(::stat((dir_ / "private").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(DurableFile, MissingDirectoryIsAnIoErrorNamingThePath) {
  auto result = write_file_durably(dir_ / "no" / "such" / "file", "x");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), Errc::io);
  EXPECT_NE(result.error().message().find("no/such"), std::string::npos);
}

TEST(ReadFile, MissingFileSaysWhy) {
  auto result = read_file("/nonexistent/cqlist/file");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), Errc::io);
  EXPECT_NE(result.error().message().find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace cqlist
