#include "list/spool.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include "list/archive.hpp"

namespace cqlist::list {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const char* name) {
  auto dir = fs::temp_directory_path() / (std::string("cqlist-spool-test-") + name);
  fs::remove_all(dir);
  return dir;
}

TEST(Spool, KeepsEnvelopeAndBytesExactly) {
  auto dir = fresh_dir("roundtrip");
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool);
  std::string message = "Subject: x\r\n\r\nline\r\n\x1b$B$3\x1b(B\r\n";
  auto id = spool->add({{"mail_from", "a@b"}, {"note", "two\nlines \\ slash"}}, message);
  ASSERT_TRUE(id);
  auto entry = spool->load(*id);
  ASSERT_TRUE(entry) << entry.error().describe();
  EXPECT_EQ(entry->message, message);
  EXPECT_EQ(entry->envelope["mail_from"], "a@b");
  EXPECT_EQ(entry->envelope["note"], "two\nlines \\ slash");
  EXPECT_EQ(fs::status(spool->path(*id)).permissions() & fs::perms::others_read, fs::perms::none);
  fs::remove_all(dir);
}

TEST(Spool, ListsEntriesOfOneKindInArrivalOrder) {
  auto dir = fresh_dir("order");
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool);
  auto first = spool->add({}, "1", "post");
  auto held = spool->add({}, "2", "held");
  auto second = spool->add({}, "3", "post");
  ASSERT_TRUE(first && held && second);
  EXPECT_EQ(*spool->ids("post"), (std::vector<std::string>{*first, *second}));
  EXPECT_EQ(*spool->ids("held"), (std::vector<std::string>{*held}));
  ASSERT_TRUE(spool->remove(*first));
  EXPECT_EQ(*spool->ids("post"), (std::vector<std::string>{*second}));
  fs::remove_all(dir);
}

TEST(Spool, ReplaceRewritesAnEntryInItsPlace) {
  auto dir = fresh_dir("replace");
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool);
  auto first = spool->add({{"recipients", "a@x\nb@x\n"}}, "notice", "out");
  auto second = spool->add({{"recipients", "c@x\n"}}, "other", "out");
  ASSERT_TRUE(first && second);
  auto entry = spool->load(*first);
  ASSERT_TRUE(entry);
  entry->envelope["recipients"] = "b@x\n";
  ASSERT_TRUE(spool->replace(*entry));
  auto reread = spool->load(*first);
  ASSERT_TRUE(reread);
  EXPECT_EQ(reread->envelope["recipients"], "b@x\n");
  EXPECT_EQ(reread->message, "notice");
  EXPECT_EQ(*spool->ids("out"), (std::vector<std::string>{*first, *second}));
  EXPECT_EQ(fs::status(spool->path(*first)).permissions() & fs::perms::others_read,
            fs::perms::none);
  entry->id = "../elsewhere";
  EXPECT_FALSE(spool->replace(*entry));
  fs::remove_all(dir);
}

TEST(Spool, RefusesNamesOutsideTheSpool) {
  auto dir = fresh_dir("names");
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool);
  EXPECT_EQ(spool->load("../etc/passwd").error().code(), Errc::invalid_argument);
  EXPECT_EQ(spool->remove("a/b").error().code(), Errc::invalid_argument);
  fs::remove_all(dir);
}

TEST(Archive, NumbersFilesWithAtLeastFiveDigits) {
  auto dir = fresh_dir("archive");
  Archive archive(dir);
  store::ListRow list;
  list.name = "Ham";
  list.domain = "List.Example";
  EXPECT_EQ(archive.path(list, 42), dir / "ham@list.example" / "00042.eml");
  EXPECT_EQ(archive.path(list, 1234567), dir / "ham@list.example" / "1234567.eml");
  ASSERT_TRUE(archive.write(list, 42, "bytes"));
  EXPECT_EQ(*archive.read(list, 42), "bytes");
  auto missing = archive.read(list, 43);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().describe().find("article 43 of Ham@List.Example"), std::string::npos)
      << missing.error().describe();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cqlist::list
