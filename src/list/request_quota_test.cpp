// The per-address daily count of the get command: granted in part, per UTC day, on disk.
#include "list/request_quota.hpp"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/file.hpp"

namespace cqlist::list {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

class RequestQuotaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("cqlist-quota-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    list_.name = "ham";
    list_.domain = "cq-test.example";
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path dir_;
  store::ListRow list_;
  // 2026-11-28 23:59:00 UTC and a minute later, the next UTC day.
  const Clock::time_point late_ = Clock::from_time_t(1795910340);
  const Clock::time_point next_day_ = late_ + std::chrono::minutes(1);
};

TEST_F(RequestQuotaTest, GrantsWhatIsLeftOfTheDayAndCountsOnDisk) {
  RequestQuota quota(dir_);
  EXPECT_EQ(*quota.take(list_, "mia@example.org", 3, 5, late_), 3u);
  EXPECT_EQ(*quota.take(list_, "mia@example.org", 3, 5, late_), 2u);  // only 2 left
  EXPECT_EQ(*quota.take(list_, "MIA@example.org", 1, 5, late_), 0u);
  EXPECT_EQ(*quota.take(list_, "nick@example.org", 4, 5, late_), 4u);
  EXPECT_EQ(*read_file(dir_ / "ham@cq-test.example" / "2026-11-28"),
            "5 mia@example.org\n4 nick@example.org\n");

  // A restart reads the count back; a lower limit leaves nothing.
  RequestQuota after_restart(dir_);
  EXPECT_EQ(*after_restart.take(list_, "nick@example.org", 5, 5, late_), 1u);
  EXPECT_EQ(*after_restart.take(list_, "nick@example.org", 1, 2, late_), 0u);
}

TEST_F(RequestQuotaTest, ANewDayStartsAFreshCountAndDropsTheOldFile) {
  RequestQuota quota(dir_);
  EXPECT_EQ(*quota.take(list_, "mia@example.org", 5, 5, late_), 5u);
  EXPECT_EQ(*quota.take(list_, "mia@example.org", 5, 5, next_day_), 5u);
  EXPECT_FALSE(fs::exists(dir_ / "ham@cq-test.example" / "2026-11-28"));
  EXPECT_TRUE(fs::exists(dir_ / "ham@cq-test.example" / "2026-11-29"));
}

TEST_F(RequestQuotaTest, ListsAreCountedApartAndNothingWantedWritesNothing) {
  RequestQuota quota(dir_);
  store::ListRow other = list_;
  other.name = "eggs";
  EXPECT_EQ(*quota.take(list_, "mia@example.org", 2, 2, late_), 2u);
  EXPECT_EQ(*quota.take(other, "mia@example.org", 2, 2, late_), 2u);
  EXPECT_EQ(*quota.take(other, "new@example.org", 0, 2, late_), 0u);
  EXPECT_EQ(*read_file(dir_ / "eggs@cq-test.example" / "2026-11-28"), "2 mia@example.org\n");
}

TEST_F(RequestQuotaTest, AnUnwritableDirectoryIsAnError) {
  fs::create_directories(dir_);
  ASSERT_TRUE(write_file_durably(dir_ / "ham@cq-test.example", "a file, not a directory"));
  RequestQuota quota(dir_);
  auto taken = quota.take(list_, "mia@example.org", 1, 5, late_);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code(), Errc::io);
}

}  // namespace
}  // namespace cqlist::list
