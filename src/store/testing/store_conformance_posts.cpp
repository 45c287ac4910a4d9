// store/testing/store_conformance_posts.cpp: the suite's tests of article numbering, queueing
// and delivery jobs.

#include <fmt/format.h>

#include "store/testing/store_conformance.hpp"

namespace cqlist::store::testing {

int posts_conformance_linked() {
  return 0;
}

namespace {

std::vector<std::string> recipients(int first, int count) {
  std::vector<std::string> addresses;
  for (int i = first; i < first + count; ++i) {
    addresses.push_back(fmt::format("member{:05}@example.org", i));
  }
  return addresses;
}

TEST_P(StoreConformance, NumberPostGivesConsecutiveArticlesAndKeepsTheFields) {
  ListRow list = make_list();
  for (std::int64_t expected = 1; expected <= 3; ++expected) {
    auto post = store().number_post(list.id, make_post(list.id, fmt::format("spool-{}", expected)));
    ASSERT_TRUE(is_ok(post));
    EXPECT_EQ(post->article, expected);
    EXPECT_GT(post->id, 0);
    EXPECT_EQ(post->list_id, list.id);
    EXPECT_EQ(post->spool_id, fmt::format("spool-{}", expected));
    EXPECT_EQ(post->message_id, fmt::format("spool-{}@poster.example", expected));
    EXPECT_EQ(post->from, "alice@poster.example");
    EXPECT_EQ(post->subject, "hello");
    EXPECT_EQ(post->state, PostState::numbered);
    EXPECT_EQ(post->received_at, at(kNow));
  }
  auto updated = store().list_by_id(list.id);
  ASSERT_TRUE(is_ok(updated));
  EXPECT_EQ(updated->last_article, 3);
}

TEST_P(StoreConformance, NumberPostAgainReturnsTheSameArticle) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  auto first = store().number_post(list.id, make_post(list.id, "spool-a"));
  ASSERT_TRUE(is_ok(first));
  ASSERT_TRUE(is_ok(store().number_post(list.id, make_post(list.id, "spool-b"))));
  PostRow retry = make_post(list.id, "spool-a");
  retry.subject = "changed after the restart";
  auto again = store().number_post(list.id, retry);
  ASSERT_TRUE(is_ok(again));
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->article, 1);
  EXPECT_EQ(again->subject, "hello");
  EXPECT_EQ(store().list_by_id(list.id)->last_article, 2);
  // Spool ids are per list.
  auto elsewhere = store().number_post(other.id, make_post(other.id, "spool-a"));
  ASSERT_TRUE(is_ok(elsewhere));
  EXPECT_EQ(elsewhere->article, 1);
  EXPECT_NE(elsewhere->id, first->id);
}

TEST_P(StoreConformance, NumberPostNeedsAListAndASpoolId) {
  ListRow list = make_list();
  EXPECT_TRUE(has_error(store().number_post(9999, make_post(9999, "spool-a")), Errc::not_found));
  EXPECT_TRUE(
      has_error(store().number_post(list.id, make_post(list.id, "")), Errc::invalid_argument));
  EXPECT_EQ(store().list_by_id(list.id)->last_article, 0);
}

TEST_P(StoreConformance, PostsAreFoundBySpoolIdAndArticle) {
  ListRow list = make_list();
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(is_ok(store().number_post(list.id, make_post(list.id, fmt::format("s{}", i)))));
  }
  auto by_spool = store().find_post_by_spool(list.id, "s3");
  ASSERT_TRUE(is_ok(by_spool));
  ASSERT_TRUE(by_spool->has_value());
  EXPECT_EQ((*by_spool)->article, 3);
  auto missing = store().find_post_by_spool(list.id, "s9");
  ASSERT_TRUE(is_ok(missing));
  EXPECT_FALSE(missing->has_value());

  auto article = store().post(list.id, 4);
  ASSERT_TRUE(is_ok(article));
  ASSERT_TRUE(article->has_value());
  EXPECT_EQ((*article)->spool_id, "s4");
  auto no_article = store().post(list.id, 6);
  ASSERT_TRUE(is_ok(no_article));
  EXPECT_FALSE(no_article->has_value());

  auto range = store().posts(list.id, 2, 4);
  ASSERT_TRUE(is_ok(range));
  ASSERT_EQ(range->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*range)[i].article, static_cast<std::int64_t>(i + 2));
  }
  auto beyond = store().posts(list.id, 5, 100);
  ASSERT_TRUE(is_ok(beyond));
  EXPECT_EQ(beyond->size(), 1u);

  EXPECT_TRUE(has_error(store().find_post_by_spool(9999, "s3"), Errc::not_found));
  EXPECT_TRUE(has_error(store().post(9999, 1), Errc::not_found));
  EXPECT_TRUE(has_error(store().posts(9999, 1, 5), Errc::not_found));
}

TEST_P(StoreConformance, SetLastArticleNeverLowersIt) {
  ListRow list = make_list();
  ASSERT_TRUE(is_ok(store().set_last_article(list.id, 1200)));
  ASSERT_TRUE(is_ok(store().set_last_article(list.id, 7)));
  EXPECT_EQ(store().list_by_id(list.id)->last_article, 1200);
  auto post = store().number_post(list.id, make_post(list.id, "spool-a"));
  ASSERT_TRUE(is_ok(post));
  EXPECT_EQ(post->article, 1201);
  EXPECT_TRUE(has_error(store().set_last_article(9999, 5), Errc::not_found));
}

TEST_P(StoreConformance, AddArchivedPostIsQueuedWithoutJobs) {
  ListRow list = make_list();
  PostRow imported = make_post(list.id, "");
  imported.article = 41;
  imported.subject = "an old article";
  ASSERT_TRUE(is_ok(store().add_archived_post(imported)));
  imported.article = 42;
  ASSERT_TRUE(is_ok(store().add_archived_post(imported)));
  auto found = store().post(list.id, 41);
  ASSERT_TRUE(is_ok(found));
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->state, PostState::queued);
  EXPECT_EQ((*found)->subject, "an old article");
  EXPECT_TRUE(store().pending_jobs(list.id)->empty());
  // New posts continue after the imported ones.
  auto next = store().number_post(list.id, make_post(list.id, "spool-a"));
  ASSERT_TRUE(is_ok(next));
  EXPECT_EQ(next->article, 43);

  EXPECT_TRUE(has_error(store().add_archived_post(imported), Errc::already_exists));
  imported.list_id = 9999;
  EXPECT_TRUE(has_error(store().add_archived_post(imported), Errc::not_found));
}

TEST_P(StoreConformance, QueuePostRecordsItsJobsAndMarksItQueued) {
  ListRow list = make_list();
  auto post = store().number_post(list.id, make_post(list.id, "spool-a"));
  ASSERT_TRUE(is_ok(post));
  DeliveryJob first;
  first.list_id = 9999;  // ignored: the post's list and article count
  first.article = 9999;
  first.recipients = {"bob@example.org", "carol@example.org"};
  first.not_before = at(kNow);
  DeliveryJob second;
  second.recipients = {"dave@example.net"};
  second.not_before = at(kNow);
  ASSERT_TRUE(is_ok(store().queue_post(post->id, {first, second})));

  auto queued = store().find_post_by_spool(list.id, "spool-a");
  ASSERT_TRUE(is_ok(queued) && queued->has_value());
  EXPECT_EQ((*queued)->state, PostState::queued);
  auto jobs = store().due_jobs(at(kNow), 10);
  ASSERT_TRUE(is_ok(jobs));
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_GT((*jobs)[0].id, 0);
  EXPECT_NE((*jobs)[0].id, (*jobs)[1].id);
  for (const DeliveryJob& job : *jobs) {
    EXPECT_EQ(job.list_id, list.id);
    EXPECT_EQ(job.article, post->article);
    EXPECT_EQ(job.state, JobState::pending);
    EXPECT_EQ(job.attempts, 0);
    EXPECT_EQ(job.not_before, at(kNow));
  }
  EXPECT_EQ((*jobs)[0].recipients, first.recipients);
  EXPECT_EQ((*jobs)[1].recipients, second.recipients);
}

TEST_P(StoreConformance, QueuePostRefusesATwiceQueuedOrUnknownPost) {
  ListRow list = make_list();
  PostRow post = queue_post_with_jobs(list.id, "spool-a", {{"bob@example.org"}});
  DeliveryJob job;
  job.recipients = {"carol@example.org"};
  EXPECT_TRUE(has_error(store().queue_post(post.id, {job}), Errc::invalid_argument));
  EXPECT_TRUE(has_error(store().queue_post(9999, {job}), Errc::not_found));
  EXPECT_EQ(store().pending_jobs(list.id)->size(), 1u);
}

TEST_P(StoreConformance, QueuePostWithABadJobChangesNothing) {
  ListRow list = make_list();
  auto post = store().number_post(list.id, make_post(list.id, "spool-a"));
  ASSERT_TRUE(is_ok(post));
  DeliveryJob good;
  good.recipients = {"bob@example.org"};
  DeliveryJob empty;
  DeliveryJob line_break;
  line_break.recipients = {"carol@example.org\r\nRCPT TO:<x@evil.example>"};
  EXPECT_TRUE(has_error(store().queue_post(post->id, {good, empty}), Errc::invalid_argument));
  EXPECT_TRUE(has_error(store().queue_post(post->id, {good, line_break}), Errc::invalid_argument));
  EXPECT_EQ((*store().post(list.id, post->article))->state, PostState::numbered);
  EXPECT_TRUE(store().pending_jobs(std::nullopt)->empty());
  // Still queueable once the jobs are right.
  EXPECT_TRUE(is_ok(store().queue_post(post->id, {good})));
}

TEST_P(StoreConformance, DueJobsAreThePendingOnesThatAreDueOldestFirst) {
  ListRow list = make_list();
  queue_post_with_jobs(list.id, "a", {{"a1@example.org"}, {"a2@example.org"}}, at(kNow - 60));
  queue_post_with_jobs(list.id, "b", {{"b1@example.org"}}, at(kNow + 60));
  queue_post_with_jobs(list.id, "c", {{"c1@example.org"}}, at(kNow));

  auto due = store().due_jobs(at(kNow), 10);
  ASSERT_TRUE(is_ok(due));
  ASSERT_EQ(due->size(), 3u);
  EXPECT_EQ((*due)[0].recipients.front(), "a1@example.org");
  EXPECT_EQ((*due)[1].recipients.front(), "a2@example.org");
  EXPECT_EQ((*due)[2].recipients.front(), "c1@example.org");

  auto limited = store().due_jobs(at(kNow), 2);
  ASSERT_TRUE(is_ok(limited));
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[1].recipients.front(), "a2@example.org");

  auto later = store().due_jobs(at(kNow + 60), 10);
  ASSERT_TRUE(is_ok(later));
  EXPECT_EQ(later->size(), 4u);
  auto unlimited = store().due_jobs(at(kNow + 60), 0);  // 0: no limit, as members()
  ASSERT_TRUE(is_ok(unlimited));
  EXPECT_EQ(unlimited->size(), 4u);
  auto early = store().due_jobs(at(kNow - 61), 10);
  ASSERT_TRUE(is_ok(early));
  EXPECT_TRUE(early->empty());
}

TEST_P(StoreConformance, DeferJobCountsTheAttemptAndWaitsUntilTheRetryTime) {
  ListRow list = make_list();
  queue_post_with_jobs(list.id, "a", {{"a1@example.org"}, {"a2@example.org"}});
  auto due = store().due_jobs(at(kNow), 10);
  ASSERT_TRUE(is_ok(due));
  ASSERT_EQ(due->size(), 2u);
  Id deferred = (*due)[0].id;
  ASSERT_TRUE(is_ok(store().defer_job(deferred, "451 4.3.0 try later", at(kNow + 300))));

  auto now = store().due_jobs(at(kNow + 299), 10);
  ASSERT_TRUE(is_ok(now));
  ASSERT_EQ(now->size(), 1u);
  EXPECT_EQ(now->front().id, (*due)[1].id);

  ASSERT_TRUE(is_ok(store().defer_job(deferred, "421 4.4.2 timeout", at(kNow + 900))));
  auto pending = store().pending_jobs(std::nullopt);
  ASSERT_TRUE(is_ok(pending));
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ(pending->front().id, deferred);
  EXPECT_EQ(pending->front().attempts, 2);
  EXPECT_EQ(pending->front().last_error, "421 4.4.2 timeout");
  EXPECT_EQ(pending->front().not_before, at(kNow + 900));
  EXPECT_EQ(pending->front().state, JobState::pending);

  auto after_retry = store().due_jobs(at(kNow + 900), 10);
  ASSERT_TRUE(is_ok(after_retry));
  ASSERT_EQ(after_retry->size(), 2u);
  EXPECT_EQ(after_retry->front().id, deferred);  // still the oldest
  EXPECT_TRUE(has_error(store().defer_job(9999, "x", at(kNow)), Errc::not_found));
}

TEST_P(StoreConformance, DoneAndFailedJobsAreNoLongerPending) {
  ListRow list = make_list();
  queue_post_with_jobs(list.id, "a", {{"a1@example.org"}, {"a2@example.org"}, {"a3@example.org"}});
  auto due = store().due_jobs(at(kNow), 10);
  ASSERT_TRUE(is_ok(due));
  ASSERT_EQ(due->size(), 3u);
  ASSERT_TRUE(is_ok(store().mark_job_done((*due)[0].id)));
  ASSERT_TRUE(is_ok(store().fail_job((*due)[1].id, "550 5.1.1 no such user")));

  auto left = store().due_jobs(at(kNow + 86400), 10);
  ASSERT_TRUE(is_ok(left));
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().id, (*due)[2].id);
  EXPECT_EQ(store().pending_jobs(list.id)->size(), 1u);

  // A finished job cannot be deferred or failed back into the queue.
  EXPECT_TRUE(has_error(store().defer_job((*due)[0].id, "451", at(kNow)), Errc::invalid_argument));
  EXPECT_TRUE(has_error(store().defer_job((*due)[1].id, "451", at(kNow)), Errc::invalid_argument));
  EXPECT_TRUE(has_error(store().fail_job((*due)[0].id, "550"), Errc::invalid_argument));
  EXPECT_EQ(store().pending_jobs(list.id)->size(), 1u);
  // Marking done again (a restart after the MTA accepted) is harmless.
  EXPECT_TRUE(is_ok(store().mark_job_done((*due)[0].id)));
  EXPECT_TRUE(has_error(store().mark_job_done(9999), Errc::not_found));
  EXPECT_TRUE(has_error(store().fail_job(9999, "550"), Errc::not_found));
}

TEST_P(StoreConformance, PendingJobsCanBeLimitedToOneList) {
  ListRow ham = make_list("ham");
  ListRow eggs = make_list("eggs");
  queue_post_with_jobs(ham.id, "a", {{"a1@example.org"}, {"a2@example.org"}});
  queue_post_with_jobs(eggs.id, "b", {{"b1@example.org"}}, at(kNow + 3600));
  auto all = store().pending_jobs(std::nullopt);
  ASSERT_TRUE(is_ok(all));
  EXPECT_EQ(all->size(), 3u);
  auto only_eggs = store().pending_jobs(eggs.id);
  ASSERT_TRUE(is_ok(only_eggs));
  ASSERT_EQ(only_eggs->size(), 1u);
  EXPECT_EQ(only_eggs->front().list_id, eggs.id);
  EXPECT_EQ(only_eggs->front().not_before, at(kNow + 3600));
  EXPECT_TRUE(has_error(store().pending_jobs(9999), Errc::not_found));
}

TEST_P(StoreConformance, TenThousandMembersInBatchesOfFiveHundred) {
  ListRow list = make_list();
  std::vector<std::vector<std::string>> batches;
  for (int first = 0; first < 10'000; first += 500) {
    batches.push_back(recipients(first, 500));
  }
  PostRow post = queue_post_with_jobs(list.id, "big", batches);
  auto due = store().due_jobs(at(kNow), 100);
  ASSERT_TRUE(is_ok(due));
  ASSERT_EQ(due->size(), 20u);
  for (std::size_t i = 0; i < due->size(); ++i) {
    EXPECT_EQ((*due)[i].article, post.article);
    EXPECT_EQ((*due)[i].recipients, batches[i]) << "job " << i;
  }
  for (const DeliveryJob& job : *due) {
    ASSERT_TRUE(is_ok(store().mark_job_done(job.id)));
  }
  EXPECT_TRUE(store().due_jobs(at(kNow), 100)->empty());
}

ListImport make_import() {
  ListImport import;
  import.name = "cq-test";
  import.domain = "example.org";
  import.settings = {{"subject_tag", "[:]"}, { "tag_width", "5" }};
  MemberRow owner;
  owner.address = "jh1abc@example.org";
  owner.role = Role::owner;
  owner.subscribed_at = at(kNow);
  MemberRow off = owner;
  off.address = "JR4OFF@example.org";
  off.role = Role::member;
  off.mode = DeliveryMode::nomail;
  MemberRow post_only = off;
  post_only.address = "7k1post@example.org";
  post_only.mode = DeliveryMode::regular;
  post_only.receives = false;
  import.members = {owner, off, post_only};
  for (std::int64_t article = 1; article <= 3; ++article) {
    PostRow post;
    post.article = article;
    post.message_id = fmt::format("{}@fml.example", article);
    post.from = "jh1abc@example.org";
    post.subject = fmt::format("article {}", article);
    post.received_at = at(kNow - 100 + article);
    import.articles.push_back(post);
  }
  import.last_article = 3;
  import.message_ids = {"1@fml.example", "old@fml.example"};
  import.message_ids_seen_at = at(kNow);
  return import;
}

TEST_P(StoreConformance, ImportListCreatesEverythingAndContinuesTheNumbering) {
  auto imported = store().import_list(make_import());
  ASSERT_TRUE(is_ok(imported));
  EXPECT_EQ(imported->address(), "cq-test@example.org");
  EXPECT_EQ(imported->last_article, 3);
  EXPECT_EQ(imported->settings.at("subject_tag"), "[:]");
  auto members = store().members(imported->id);
  ASSERT_TRUE(is_ok(members));
  ASSERT_EQ(members->size(), 3u);
  auto off = store().find_member(imported->id, "JR4OFF@example.org");
  ASSERT_TRUE(is_ok(off));
  EXPECT_EQ(off->mode, DeliveryMode::nomail);
  auto post_only = store().find_member(imported->id, "7k1post@example.org");
  ASSERT_TRUE(is_ok(post_only));
  EXPECT_FALSE(post_only->receives);
  EXPECT_TRUE(post_only->may_post);
  auto article = store().post(imported->id, 2);
  ASSERT_TRUE(is_ok(article));
  ASSERT_TRUE(article->has_value());
  EXPECT_EQ((*article)->state, PostState::queued);
  EXPECT_EQ((*article)->subject, "article 2");
  EXPECT_TRUE(*store().seen_message_id(imported->id, "old@fml.example"));
  auto next = store().number_post(imported->id, make_post(imported->id, "spool-new"));
  ASSERT_TRUE(is_ok(next));
  EXPECT_EQ(next->article, 4);
}

TEST_P(StoreConformance, ImportListKeepsALastArticleAboveTheSpool) {
  ListImport import = make_import();
  import.last_article = 10;  // fml's seq may run ahead of an expired spool
  auto imported = store().import_list(import);
  ASSERT_TRUE(is_ok(imported));
  auto next = store().number_post(imported->id, make_post(imported->id, "spool-new"));
  ASSERT_TRUE(is_ok(next));
  EXPECT_EQ(next->article, 11);
  import.name = "other";
  import.last_article = 2;
  EXPECT_TRUE(has_error(store().import_list(import), Errc::invalid_argument));
}

TEST_P(StoreConformance, ImportListIsRefusedForAnExistingListAndChangesNothing) {
  ListRow existing = make_list("cq-test", "example.org");
  EXPECT_TRUE(has_error(store().import_list(make_import()), Errc::already_exists));
  EXPECT_EQ(*store().member_count(existing.id), 0u);
  EXPECT_EQ(store().list_by_id(existing.id)->last_article, 0);
}

TEST_P(StoreConformance, ImportListFailingHalfWayLeavesNoList) {
  ListImport import = make_import();
  import.members.push_back(import.members.front());  // the same address twice
  EXPECT_TRUE(has_error(store().import_list(import), Errc::already_exists));
  EXPECT_TRUE(has_error(store().find_list("cq-test", "example.org"), Errc::not_found));
  auto lists = store().lists();
  ASSERT_TRUE(is_ok(lists));
  EXPECT_TRUE(lists->empty());
}

}  // namespace
}  // namespace cqlist::store::testing
