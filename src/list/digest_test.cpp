// Digests: when they are due, what they look like, and that queueing one moves the marker
// exactly once, against a real SQLite store and archive.
#include "list/digest.hpp"

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "mail/encoded_word.hpp"
#include "mail/message.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cqlist::list {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;
using std::chrono::hours;
using std::chrono::minutes;

const Clock::time_point kStart = Clock::time_point(std::chrono::seconds(1'700'000'000));

std::size_t count(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

TEST(DigestDue, NothingWaitingIsNeverDue) {
  ListSettings settings;
  DigestBacklog empty;
  EXPECT_FALSE(digest_due(settings, {}, empty, DigestTrigger::force, kStart));
  EXPECT_FALSE(digest_due(settings, {}, empty, DigestTrigger::due, kStart + hours(1000)));
}

TEST(DigestDue, IntervalCountsFromTheLaterOfLastDigestAndOldestPost) {
  ListSettings settings;  // daily
  DigestBacklog backlog{2, 500, kStart};
  store::DigestState never;
  EXPECT_FALSE(digest_due(settings, never, backlog, DigestTrigger::due, kStart + hours(23)));
  EXPECT_EQ(digest_due(settings, never, backlog, DigestTrigger::due, kStart + hours(24)),
            "interval");
  // The size-only check after a post ignores the interval.
  EXPECT_FALSE(digest_due(settings, never, backlog, DigestTrigger::size_only, kStart + hours(48)));
  store::DigestState sent_later{0, 1, kStart + hours(10)};
  EXPECT_FALSE(digest_due(settings, sent_later, backlog, DigestTrigger::due, kStart + hours(30)));
  EXPECT_TRUE(digest_due(settings, sent_later, backlog, DigestTrigger::due, kStart + hours(34)));
  settings.digest_interval = hours(24 * 7);
  EXPECT_FALSE(digest_due(settings, never, backlog, DigestTrigger::due, kStart + hours(100)));
  EXPECT_EQ(digest_due(settings, never, backlog, DigestTrigger::force, kStart), "forced");
}

TEST(DigestDue, SizeThresholdsSendEarly) {
  ListSettings settings;
  settings.digest_max_articles = 3;
  settings.digest_max_bytes = 10000;
  EXPECT_FALSE(digest_due(settings, {}, {2, 9999, kStart}, DigestTrigger::size_only, kStart));
  EXPECT_EQ(digest_due(settings, {}, {3, 100, kStart}, DigestTrigger::size_only, kStart),
            "articles");
  EXPECT_EQ(digest_due(settings, {}, {1, 10000, kStart}, DigestTrigger::due, kStart), "bytes");
}

TEST(DigestSettings, IntervalTakesNamesAndHours) {
  EXPECT_EQ(validate_setting("digest_interval", "Weekly").value_or(""), "weekly");
  EXPECT_EQ(validate_setting("digest_interval", "24").value_or(""), "daily");
  EXPECT_EQ(validate_setting("digest_interval", "12").value_or(""), "12h");
  EXPECT_FALSE(validate_setting("digest_interval", "30m"));
  EXPECT_FALSE(validate_setting("digest_interval", "sometimes"));
  auto settings = parse_settings({{"digest_interval", "12h"}, {"digest_max_bytes", "1M"}});
  ASSERT_TRUE(settings) << settings.error().describe();
  EXPECT_EQ(settings->digest_interval, hours(12));
  EXPECT_EQ(settings->digest_max_bytes, 1024u * 1024u);
  EXPECT_EQ(ListSettings().digest_interval, hours(24));
}

std::string article_bytes(int n) {
  return "From: alice@example.org\r\nTo: ham@list.example\r\nSubject: [ham:0000" +
         std::to_string(n) + "] topic " + std::to_string(n) + "\r\nMessage-ID: <a" +
         std::to_string(n) + "@example.org>\r\n\r\nbody of article " + std::to_string(n) + "\r\n";
}

TEST(BuildDigest, TableOfContentsFirstThenArticlesInOrder) {
  store::ListRow list;
  list.id = 1;
  list.name = "ham";
  list.domain = "list.example";
  std::vector<DigestArticle> articles;
  for (int n : {7, 8, 9}) {
    store::PostRow post;
    post.article = n;
    post.from = "alice@example.org";
    post.subject = "topic " + std::to_string(n);
    articles.push_back({post, article_bytes(n)});
  }
  auto built = build_digest(list, ListSettings(), 4, articles, kStart);
  ASSERT_TRUE(built) << built.error().describe();
  auto message = mail::Message::parse(*built);
  EXPECT_EQ(message.first_value("Subject").value_or(""), "ham digest, issue 4 (articles 7-9)");
  EXPECT_NE(message.first_value("From").value_or("").find("ham@list.example"), std::string::npos);
  EXPECT_NE(message.first_value("To").value_or("").find("ham@list.example"), std::string::npos);
  EXPECT_TRUE(message.first_value("List-Id"));
  EXPECT_TRUE(message.first_value("List-Unsubscribe"));
  EXPECT_NE(message.first_value("Content-Type").value_or("").find("multipart/digest"),
            std::string::npos);
  const std::string& text = *built;
  EXPECT_EQ(count(text, "Content-Type: message/rfc822"), 3u);
  auto toc = text.find("Content-Type: text/plain");
  auto first_article = text.find("Content-Type: message/rfc822");
  ASSERT_NE(toc, std::string::npos);
  EXPECT_LT(toc, first_article);
  EXPECT_LT(text.find("      7. topic 7"), text.find("      8. topic 8"));
  EXPECT_LT(text.find("<a7@example.org>"), text.find("<a8@example.org>"));
  EXPECT_LT(text.find("<a8@example.org>"), text.find("<a9@example.org>"));
  EXPECT_NE(text.find("\"digest off\" to ham-request@list.example"), std::string::npos);
}

TEST(BuildDigest, JapaneseListGetsJapaneseSubjectAndTableOfContents) {
  store::ListRow list;
  list.id = 1;
  list.name = "jam";
  list.domain = "list.example";
  ListSettings settings;
  settings.language = "ja";
  store::PostRow post;
  post.article = 12;
  post.from = "taro@example.jp";
  post.subject = "移動運用のお知らせ";
  auto built = build_digest(list, settings, 2, {{post, article_bytes(12)}}, kStart);
  ASSERT_TRUE(built) << built.error().describe();
  auto message = mail::Message::parse(*built);
  std::string subject = message.first_value("Subject").value_or("");
  // Non-ASCII subjects travel as encoded words, never as raw 8-bit header bytes.
  EXPECT_NE(subject.find("=?"), std::string::npos) << subject;
  EXPECT_EQ(mail::decode_header_text(subject), "jam まとめ読み 第 2 号（記事 12-12）");
}

class DigestQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cqlist-digest-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(*store::open_sqlite_store(dir_ / "cqlist.db"));
    archive_ = std::make_unique<Archive>(dir_ / "archive");
    list_ = *store_->create_list("ham", "list.example", {});
    add("reg@example.org", store::DeliveryMode::regular);
    add("dig@example.org", store::DeliveryMode::digest);
    add("dig2@example.net", store::DeliveryMode::digest);
  }

  void TearDown() override { fs::remove_all(dir_); }

  void add(std::string address, store::DeliveryMode mode) {
    store::MemberRow member;
    member.list_id = list_.id;
    member.address = std::move(address);
    member.mode = mode;
    ASSERT_TRUE(store_->add_member(member));
  }

  void post(int spool, Clock::time_point at) {
    store::PostRow row;
    row.list_id = list_.id;
    row.spool_id = "s" + std::to_string(spool);
    row.subject = "topic";
    row.received_at = at;
    auto numbered = store_->number_post(list_.id, row);
    ASSERT_TRUE(numbered);
    ASSERT_TRUE(archive_->write(list_, numbered->article,
                                article_bytes(static_cast<int>(numbered->article))));
    ASSERT_TRUE(store_->queue_post(numbered->id, {}));
  }

  std::vector<store::DeliveryJob> digest_jobs() {
    std::vector<store::DeliveryJob> found;
    auto pending = store_->pending_jobs(list_.id);
    EXPECT_TRUE(pending);
    for (auto& job : *pending) {
      if (job.article < 0) {
        found.push_back(job);
      }
    }
    return found;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Archive> archive_;
  store::ListRow list_;
};

TEST_F(DigestQueueTest, QueuesOneDigestForDigestMembersOnlyAndNeverTwice) {
  post(1, kStart);
  post(2, kStart + minutes(5));
  auto early = send_digest_if_due(*store_, *archive_, list_, DigestTrigger::due, kStart + hours(1));
  ASSERT_TRUE(early) << early.error().describe();
  ASSERT_EQ(early->size(), 1u);
  EXPECT_FALSE(early->front().sent);
  EXPECT_TRUE(digest_jobs().empty());

  auto sent = send_digest_if_due(*store_, *archive_, list_, DigestTrigger::due, kStart + hours(25));
  ASSERT_TRUE(sent) << sent.error().describe();
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_TRUE(sent->front().sent);
  EXPECT_EQ(sent->front().reason, "interval");
  EXPECT_EQ(sent->front().first_article, 1);
  EXPECT_EQ(sent->front().last_article, 2);
  EXPECT_EQ(sent->front().recipients, 2u);
  auto jobs = digest_jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].article, -1);
  EXPECT_EQ(jobs[0].recipients, (std::vector<std::string>{"dig2@example.net", "dig@example.org"}));
  auto digest = read_digest(*archive_, list_, 1);
  ASSERT_TRUE(digest) << digest.error().describe();
  EXPECT_EQ(count(*digest, "Content-Type: message/rfc822"), 2u);

  auto again =
      send_digest_if_due(*store_, *archive_, list_, DigestTrigger::force, kStart + hours(50));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->front().sent);
  EXPECT_EQ(again->front().reason, "nothing new");
  EXPECT_EQ(digest_jobs().size(), 1u);
  EXPECT_EQ(store_->digest_state(list_.id)->last_article, 2);
}

TEST_F(DigestQueueTest, ABacklogLargerThanOneDigestGoesOutInSeveral) {
  ASSERT_TRUE(store_->update_settings(list_.id, {{"digest_max_articles", "2"}}));
  list_ = *store_->list_by_id(list_.id);
  for (int i = 1; i <= 5; ++i) {
    post(i, kStart);
  }
  auto sent = send_digest_if_due(*store_, *archive_, list_, DigestTrigger::force, kStart);
  ASSERT_TRUE(sent) << sent.error().describe();
  ASSERT_EQ(sent->size(), 3u);
  EXPECT_EQ(sent->at(0).last_article, 2);
  EXPECT_EQ(sent->at(1).first_article, 3);
  EXPECT_EQ(sent->at(2).first_article, 5);
  EXPECT_EQ(sent->at(2).last_article, 5);
  EXPECT_EQ(digest_jobs().size(), 3u);
  EXPECT_EQ(store_->digest_state(list_.id)->issue, 3);
}

TEST_F(DigestQueueTest, APostNotYetQueuedStopsTheDigestBeforeIt) {
  post(1, kStart);
  store::PostRow pending;
  pending.list_id = list_.id;
  pending.spool_id = "s2";
  ASSERT_TRUE(store_->number_post(list_.id, pending));  // numbered, not archived yet
  post(3, kStart);
  auto sent = send_digest_if_due(*store_, *archive_, list_, DigestTrigger::force, kStart);
  ASSERT_TRUE(sent) << sent.error().describe();
  EXPECT_EQ(sent->front().last_article, 1);
  EXPECT_EQ(store_->digest_state(list_.id)->last_article, 1);
}

}  // namespace
}  // namespace cqlist::list
