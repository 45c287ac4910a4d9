// store/testing/store_conformance_digests.cpp: the suite's tests of the digest marker and of
// queueing a digest's delivery jobs together with it.

#include "store/testing/store_conformance.hpp"

namespace cqlist::store::testing {

int digests_conformance_linked() {
  return 0;
}

namespace {

DeliveryJob job_for(std::vector<std::string> recipients) {
  DeliveryJob job;
  job.recipients = std::move(recipients);
  job.not_before = at(kNow);
  return job;
}

TEST_P(StoreConformance, ANewListHasNoDigestYet) {
  ListRow list = make_list();
  auto state = store().digest_state(list.id);
  ASSERT_TRUE(is_ok(state));
  EXPECT_EQ(state->last_article, 0);
  EXPECT_EQ(state->issue, 0);
  EXPECT_EQ(state->last_sent_at, Clock::time_point());
  EXPECT_TRUE(has_error(store().digest_state(list.id + 100), Errc::not_found));
}

TEST_P(StoreConformance, QueueDigestMovesTheMarkerWithItsJobs) {
  ListRow list = make_list();
  queue_post_with_jobs(list.id, "s1", {{"reg@example.org"}});
  queue_post_with_jobs(list.id, "s2", {{"reg@example.org"}});
  ASSERT_TRUE(is_ok(store().pending_jobs(list.id)));
  std::size_t before = store().pending_jobs(list.id)->size();

  DigestState next{2, 1, at(kNow + 60)};
  ASSERT_TRUE(is_ok(store().queue_digest(list.id, next, {job_for({"dig@example.org"})})));
  auto state = store().digest_state(list.id);
  ASSERT_TRUE(is_ok(state));
  EXPECT_EQ(state->last_article, 2);
  EXPECT_EQ(state->issue, 1);
  EXPECT_EQ(state->last_sent_at, at(kNow + 60));

  auto jobs = store().pending_jobs(list.id);
  ASSERT_TRUE(is_ok(jobs));
  ASSERT_EQ(jobs->size(), before + 1);
  const DeliveryJob& digest_job = jobs->back();
  EXPECT_EQ(digest_job.article, -1);  // digest issue 1
  EXPECT_EQ(digest_job.list_id, list.id);
  EXPECT_EQ(digest_job.recipients, std::vector<std::string>{"dig@example.org"});
}

TEST_P(StoreConformance, TheSameDigestIssueIsNeverQueuedTwice) {
  ListRow list = make_list();
  queue_post_with_jobs(list.id, "s1", {{"reg@example.org"}});
  queue_post_with_jobs(list.id, "s2", {{"reg@example.org"}});
  ASSERT_TRUE(is_ok(store().queue_digest(list.id, {1, 1, at(kNow)}, {job_for({"a@example.org"})})));
  std::size_t jobs = store().pending_jobs(list.id)->size();
  // A second process that read the marker before the first queued: refused, nothing recorded.
  EXPECT_TRUE(
      has_error(store().queue_digest(list.id, {2, 1, at(kNow)}, {job_for({"a@example.org"})}),
                Errc::already_exists));
  // Going backwards in articles is refused too.
  EXPECT_TRUE(
      has_error(store().queue_digest(list.id, {1, 2, at(kNow)}, {job_for({"a@example.org"})}),
                Errc::already_exists));
  EXPECT_EQ(store().pending_jobs(list.id)->size(), jobs);
  EXPECT_EQ(store().digest_state(list.id)->issue, 1);
  EXPECT_EQ(store().digest_state(list.id)->last_article, 1);
}

TEST_P(StoreConformance, QueueDigestNeedsItsLastArticleAndValidRecipients) {
  ListRow list = make_list();
  queue_post_with_jobs(list.id, "s1", {{"reg@example.org"}});
  EXPECT_TRUE(
      has_error(store().queue_digest(list.id, {7, 1, at(kNow)}, {job_for({"a@example.org"})}),
                Errc::not_found));
  EXPECT_TRUE(has_error(store().queue_digest(list.id, {1, 1, at(kNow)}, {job_for({})}),
                        Errc::invalid_argument));
  EXPECT_EQ(store().digest_state(list.id)->issue, 0);
}

TEST_P(StoreConformance, AnImportedListsDigestStartsAfterItsArticles) {
  ListImport import;
  import.name = "old";
  import.domain = "cq-test.example";
  import.last_article = 500;
  auto list = store().import_list(import);
  ASSERT_TRUE(is_ok(list));
  auto state = store().digest_state(list->id);
  ASSERT_TRUE(is_ok(state));
  EXPECT_EQ(state->last_article, 500);
  EXPECT_EQ(state->issue, 0);
}

}  // namespace
}  // namespace cqlist::store::testing
