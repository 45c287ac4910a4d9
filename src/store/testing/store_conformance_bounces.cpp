// store/testing/store_conformance_bounces.cpp: the suite's tests of bounce listings, the owners'
// summary marks and members' bounce records.

#include "store/testing/store_conformance.hpp"

namespace cqlist::store::testing {

int bounces_conformance_linked() {
  return 0;
}

namespace {

BounceRow make_bounce(Id list_id, std::string address, std::int64_t seconds) {
  BounceRow bounce;
  bounce.list_id = list_id;
  bounce.address = std::move(address);
  bounce.status = "5.7.26";
  bounce.reason = "authfailure";
  bounce.side = "sender";
  bounce.diagnostic = "550-5.7.26 Unauthenticated email from cq-test.example is not accepted";
  bounce.provider = "gmail";
  bounce.advice = "authentication";
  bounce.remote_host = "gmail-smtp-in.l.google.com";
  bounce.at = at(seconds);
  return bounce;
}

TEST_P(StoreConformance, BounceKeepsProviderAdviceWeightAndAlertTime) {
  ListRow list = make_list();
  BounceRow bounce = make_bounce(list.id, "bob@gmail.com", kNow);
  bounce.weight = 0.5;
  bounce.alerted_at = at(kNow + 5);
  ASSERT_TRUE(is_ok(store().add_bounce(bounce)));
  auto rows = store().bounces(list.id, "bob@gmail.com");
  ASSERT_TRUE(is_ok(rows));
  ASSERT_EQ(rows->size(), 1u);
  const BounceRow& row = rows->front();
  EXPECT_EQ(row.provider, "gmail");
  EXPECT_EQ(row.advice, "authentication");
  EXPECT_EQ(row.remote_host, "gmail-smtp-in.l.google.com");
  EXPECT_DOUBLE_EQ(row.weight, 0.5);
  EXPECT_EQ(row.alerted_at, at(kNow + 5));
}

TEST_P(StoreConformance, BouncesSinceListEveryAddressOfOneListInTimeOrder) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  for (const BounceRow& bounce : {make_bounce(list.id, "carol@gmail.com", kNow + 20),
                                  make_bounce(list.id, "bob@gmail.com", kNow + 10),
                                  make_bounce(list.id, "old@gmail.com", kNow - 100),
                                  make_bounce(other.id, "bob@gmail.com", kNow + 10)}) {
    ASSERT_TRUE(is_ok(store().add_bounce(bounce)));
  }
  auto rows = store().bounces_since(list.id, at(kNow));
  ASSERT_TRUE(is_ok(rows));
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].address, "bob@gmail.com");
  EXPECT_EQ((*rows)[1].address, "carol@gmail.com");
  EXPECT_EQ(store().bounces_since(list.id, at(0))->size(), 3u);
  EXPECT_TRUE(has_error(store().bounces_since(9999, at(0)), Errc::not_found));
}

TEST_P(StoreConformance, AlertMarksTouchOnlyTheNamedBouncesOfTheList) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  EXPECT_FALSE(store().last_bounce_alert(list.id)->has_value());
  ASSERT_TRUE(is_ok(store().add_bounce(make_bounce(list.id, "bob@gmail.com", kNow))));
  ASSERT_TRUE(is_ok(store().add_bounce(make_bounce(list.id, "carol@gmail.com", kNow))));
  ASSERT_TRUE(is_ok(store().add_bounce(make_bounce(other.id, "dave@gmail.com", kNow))));
  auto rows = store().bounces_since(list.id, at(0));
  auto other_rows = store().bounces_since(other.id, at(0));
  ASSERT_TRUE(is_ok(rows));
  ASSERT_TRUE(is_ok(other_rows));
  // The other list's bounce is named too, with the wrong list: it must stay unmarked.
  ASSERT_TRUE(is_ok(store().mark_bounces_alerted(list.id, {(*rows)[0].id, other_rows->front().id},
                                                 at(kNow + 60))));
  rows = store().bounces_since(list.id, at(0));
  EXPECT_EQ((*rows)[0].alerted_at, at(kNow + 60));
  EXPECT_EQ((*rows)[1].alerted_at, Clock::time_point());
  EXPECT_EQ(store().bounces_since(other.id, at(0))->front().alerted_at, Clock::time_point());
  auto last = store().last_bounce_alert(list.id);
  ASSERT_TRUE(is_ok(last));
  ASSERT_TRUE(last->has_value());
  EXPECT_EQ(**last, at(kNow + 60));
  EXPECT_FALSE(store().last_bounce_alert(other.id)->has_value());
}

TEST_P(StoreConformance, BounceStateIsWrittenReadAndDisablesDelivery) {
  ListRow list = make_list();
  ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "bob@example.org"))));
  ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "alice@example.org"))));
  auto none = store().bounce_state(list.id, "bob@example.org");
  ASSERT_TRUE(is_ok(none));
  EXPECT_FALSE(none->has_value());

  MemberBounceState state;
  state.list_id = list.id;
  state.address = "bob@EXAMPLE.org";
  state.score = 5.5;
  state.first_bounce_at = at(kNow - 86400);
  state.last_bounce_at = at(kNow);
  state.last_counted_at = at(kNow - 10);
  state.delivery_disabled = true;
  state.disabled_at = at(kNow);
  state.probes_sent = 2;
  state.last_probe_at = at(kNow + 30);
  ASSERT_TRUE(is_ok(store().put_bounce_state(state)));

  auto read = store().bounce_state(list.id, "bob@example.org");
  ASSERT_TRUE(is_ok(read));
  ASSERT_TRUE(read->has_value());
  const MemberBounceState& got = **read;
  EXPECT_EQ(got.list_id, list.id);
  EXPECT_EQ(got.address, "bob@example.org");
  EXPECT_DOUBLE_EQ(got.score, 5.5);
  EXPECT_EQ(got.first_bounce_at, at(kNow - 86400));
  EXPECT_EQ(got.last_bounce_at, at(kNow));
  EXPECT_EQ(got.last_counted_at, at(kNow - 10));
  EXPECT_TRUE(got.delivery_disabled);
  EXPECT_EQ(got.disabled_at, at(kNow));
  EXPECT_EQ(got.probes_sent, 2);
  EXPECT_EQ(got.last_probe_at, at(kNow + 30));
  EXPECT_TRUE(store().find_member(list.id, "bob@example.org")->bounce_disabled);
  EXPECT_FALSE(store().find_member(list.id, "alice@example.org")->bounce_disabled);

  // update_member() leaves the flag alone: a nomail toggle must not re-enable delivery.
  MemberRow bob = *store().find_member(list.id, "bob@example.org");
  bob.bounce_disabled = false;
  ASSERT_TRUE(is_ok(store().update_member(bob)));
  EXPECT_TRUE(store().find_member(list.id, "bob@example.org")->bounce_disabled);

  state.delivery_disabled = false;
  state.score = 0;
  ASSERT_TRUE(is_ok(store().put_bounce_state(state)));
  EXPECT_FALSE(store().find_member(list.id, "bob@example.org")->bounce_disabled);
  EXPECT_DOUBLE_EQ((*store().bounce_state(list.id, "bob@example.org"))->score, 0.0);
}

TEST_P(StoreConformance, AScoredBounceIsKeptExactlyWhenTheNewScoreIs) {
  ListRow list = make_list();
  ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "bob@gmail.com"))));
  BounceRow bounce = make_bounce(list.id, "bob@gmail.com", kNow);
  bounce.weight = 1;
  MemberBounceState state;
  state.list_id = list.id;
  state.address = "bob@gmail.com";
  state.score = 1;
  state.last_bounce_at = at(kNow);
  ASSERT_TRUE(is_ok(store().add_scored_bounce(bounce, state)));
  EXPECT_EQ(store().bounces(list.id, "bob@gmail.com")->size(), 1u);
  EXPECT_DOUBLE_EQ((*store().bounce_state(list.id, "bob@gmail.com"))->score, 1.0);

  // Not a member (any more): neither the bounce nor a record is written.
  BounceRow gone = make_bounce(list.id, "gone@gmail.com", kNow);
  MemberBounceState gone_state = state;
  gone_state.address = "gone@gmail.com";
  EXPECT_TRUE(has_error(store().add_scored_bounce(gone, gone_state), Errc::not_found));
  EXPECT_TRUE(store().bounces(list.id, "gone@gmail.com")->empty());
  EXPECT_EQ(store().bounces_since(list.id, at(0))->size(), 1u);
}

TEST_P(StoreConformance, BounceStatesGoWithTheMembership) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  for (const char* address : {"carol@example.org", "bob@example.org", "quiet@example.org"}) {
    ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, address))));
  }
  ASSERT_TRUE(is_ok(store().add_member(make_member(other.id, "bob@example.org"))));
  for (const char* address : {"carol@example.org", "bob@example.org"}) {
    MemberBounceState state;
    state.list_id = list.id;
    state.address = address;
    state.score = 1;
    ASSERT_TRUE(is_ok(store().put_bounce_state(state)));
  }
  auto states = store().bounce_states(list.id);
  ASSERT_TRUE(is_ok(states));
  ASSERT_EQ(states->size(), 2u);
  EXPECT_EQ((*states)[0].address, "bob@example.org");
  EXPECT_EQ((*states)[1].address, "carol@example.org");
  EXPECT_TRUE(store().bounce_states(other.id)->empty());

  ASSERT_TRUE(is_ok(store().remove_member(list.id, "bob@example.org")));
  EXPECT_EQ(store().bounce_states(list.id)->size(), 1u);
  // Subscribed again: a fresh start, not the old score.
  ASSERT_TRUE(is_ok(store().add_member(make_member(list.id, "bob@example.org"))));
  EXPECT_FALSE(store().bounce_state(list.id, "bob@example.org")->has_value());

  MemberBounceState stranger;
  stranger.list_id = list.id;
  stranger.address = "nobody@example.org";
  EXPECT_TRUE(has_error(store().put_bounce_state(stranger), Errc::not_found));
  EXPECT_TRUE(has_error(store().bounce_state(list.id, "nobody@example.org"), Errc::not_found));
  EXPECT_TRUE(has_error(store().bounce_states(9999), Errc::not_found));
}

}  // namespace
}  // namespace cqlist::store::testing
