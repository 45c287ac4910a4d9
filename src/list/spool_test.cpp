#include "list/spool.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/file.hpp"
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

TEST(Spool, AnEntrySetAsideKeepsItsBytesAndReasonAndCanBeSentBack) {
  auto dir = fresh_dir("set-aside");
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool);
  auto id = spool->add({{"list_id", "7"}}, "Subject: x\r\n\r\nbody\r\n", "post");
  ASSERT_TRUE(id);
  auto failed = spool->set_aside(*id, "its list ham@list.example no longer exists");
  ASSERT_TRUE(failed) << failed.error().describe();
  EXPECT_EQ(*failed, "failed-" + *id);
  EXPECT_TRUE(spool->ids("post")->empty()) << "out of recovery's way";
  EXPECT_EQ(*spool->ids("failed"), (std::vector<std::string>{*failed}));
  EXPECT_EQ(spool->set_aside_reason(*failed), "its list ham@list.example no longer exists");

  auto restored = spool->restore(*failed);
  ASSERT_TRUE(restored) << restored.error().describe();
  EXPECT_EQ(*restored, *id);
  auto entry = spool->load(*id);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->message, "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(entry->envelope, (std::map<std::string, std::string>{{"list_id", "7"}}))
      << "the reason does not go back with it";
  EXPECT_TRUE(spool->ids("failed")->empty());
  EXPECT_EQ(spool->restore(*id).error().code(), Errc::invalid_argument)
      << "only set-aside entries can be sent back";
}

TEST(Spool, ADamagedEntryIsSetAsideAsItIsAndCannotBeSentBack) {
  auto dir = fresh_dir("damaged");
  auto spool = Spool::open(dir);
  ASSERT_TRUE(spool);
  ASSERT_TRUE(write_file_durably(dir / "post-0000000000000001-1-0", "garbage\n"));
  auto failed = spool->set_aside("post-0000000000000001-1-0", "damaged");
  ASSERT_TRUE(failed) << failed.error().describe();
  EXPECT_EQ(*read_file(dir / *failed), "garbage\n");
  EXPECT_NE(spool->set_aside_reason(*failed).find("spool marker"), std::string::npos)
      << spool->set_aside_reason(*failed);
  EXPECT_EQ(spool->restore(*failed).error().code(), Errc::bad_syntax);
  EXPECT_EQ(*spool->ids("failed"), (std::vector<std::string>{*failed}));
}

TEST(SpoolEntry, AListIdThatIsNoNumberIsAnErrorNotAnException) {
  SpoolEntry entry;
  entry.id = "out-1";
  entry.envelope["list_id"] = "12";
  EXPECT_EQ(*entry.list_id(), 12);
  for (const char* bad : {"", "12x", "x", "99999999999999999999"}) {
    entry.envelope["list_id"] = bad;
    ASSERT_FALSE(entry.list_id()) << bad;
    EXPECT_EQ(entry.list_id().error().code(), Errc::bad_syntax) << bad;
  }
  entry.envelope.erase("list_id");
  EXPECT_NE(entry.list_id().error().message().find("out-1 names no list"), std::string::npos);
}

}  // namespace
}  // namespace cqlist::list
