// store/testing/store_conformance_moderation.cpp: the suite's tests of held messages, the
// Message-ID cache, confirmations and bounces.

#include "store/testing/store_conformance.hpp"

namespace cqlist::store::testing {

int moderation_conformance_linked() {
  return 0;
}

namespace {

HeldRow make_held(Id list_id, std::string token) {
  HeldRow held;
  held.list_id = list_id;
  held.spool_path = "/var/lib/cqlist/spool/held/" + token;
  held.sender = "stranger@example.net";
  held.subject = "buy now";
  held.reason = "the sender is not a member";
  held.token = std::move(token);
  held.held_at = at(kNow);
  return held;
}

TEST_P(StoreConformance, HeldMessagesAreFoundByIdAndToken) {
  ListRow list = make_list();
  auto held = store().hold(make_held(list.id, "tok1"));
  ASSERT_TRUE(is_ok(held));
  EXPECT_GT(held->id, 0);
  auto by_id = store().held_by_id(held->id);
  auto by_token = store().held_by_token("tok1");
  ASSERT_TRUE(is_ok(by_id));
  ASSERT_TRUE(is_ok(by_token));
  for (const HeldRow& row : {*held, *by_id, *by_token}) {
    EXPECT_EQ(row.id, held->id);
    EXPECT_EQ(row.list_id, list.id);
    EXPECT_EQ(row.spool_path, "/var/lib/cqlist/spool/held/tok1");
    EXPECT_EQ(row.sender, "stranger@example.net");
    EXPECT_EQ(row.subject, "buy now");
    EXPECT_EQ(row.reason, "the sender is not a member");
    EXPECT_EQ(row.token, "tok1");
    EXPECT_EQ(row.state, HeldState::waiting);
    EXPECT_EQ(row.held_at, at(kNow));
  }
  EXPECT_TRUE(has_error(store().held_by_id(9999), Errc::not_found));
  EXPECT_TRUE(has_error(store().held_by_token("tok2"), Errc::not_found));
  EXPECT_TRUE(has_error(store().held_by_token("TOK1"), Errc::not_found));
}

TEST_P(StoreConformance, HoldRefusesADuplicateTokenOrUnknownList) {
  ListRow list = make_list();
  ASSERT_TRUE(is_ok(store().hold(make_held(list.id, "tok1"))));
  EXPECT_TRUE(has_error(store().hold(make_held(list.id, "tok1")), Errc::already_exists));
  EXPECT_TRUE(has_error(store().hold(make_held(9999, "tok2")), Errc::not_found));
  // Messages held without a token do not collide.
  ASSERT_TRUE(is_ok(store().hold(make_held(list.id, ""))));
  ASSERT_TRUE(is_ok(store().hold(make_held(list.id, ""))));
  EXPECT_EQ(store().held(list.id, std::nullopt)->size(), 3u);
  EXPECT_TRUE(has_error(store().held_by_token(""), Errc::not_found));
}

TEST_P(StoreConformance, HeldListsAListsMessagesByState) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  auto first = store().hold(make_held(list.id, "t1"));
  auto second = store().hold(make_held(list.id, "t2"));
  ASSERT_TRUE(is_ok(store().hold(make_held(other.id, "t3"))));
  ASSERT_TRUE(is_ok(first) && is_ok(second));
  ASSERT_TRUE(is_ok(store().decide_held(first->id, HeldState::rejected)));

  auto all = store().held(list.id, std::nullopt);
  ASSERT_TRUE(is_ok(all));
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, first->id);
  EXPECT_EQ((*all)[1].id, second->id);
  auto waiting = store().held(list.id, HeldState::waiting);
  ASSERT_TRUE(is_ok(waiting));
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->front().token, "t2");
  auto rejected = store().held(list.id, HeldState::rejected);
  ASSERT_TRUE(is_ok(rejected));
  ASSERT_EQ(rejected->size(), 1u);
  EXPECT_EQ(rejected->front().state, HeldState::rejected);
  EXPECT_TRUE(store().held(list.id, HeldState::approved)->empty());
  EXPECT_TRUE(has_error(store().held(9999, std::nullopt), Errc::not_found));
}

TEST_P(StoreConformance, DecideHeldDecidesOnce) {
  ListRow list = make_list();
  auto held = store().hold(make_held(list.id, "t1"));
  ASSERT_TRUE(is_ok(held));
  EXPECT_TRUE(has_error(store().decide_held(held->id, HeldState::waiting), Errc::invalid_argument));
  ASSERT_TRUE(is_ok(store().decide_held(held->id, HeldState::approved)));
  EXPECT_EQ(store().held_by_token("t1")->state, HeldState::approved);
  // A second moderator answering later changes nothing.
  EXPECT_TRUE(
      has_error(store().decide_held(held->id, HeldState::discarded), Errc::invalid_argument));
  EXPECT_TRUE(
      has_error(store().decide_held(held->id, HeldState::approved), Errc::invalid_argument));
  EXPECT_EQ(store().held_by_id(held->id)->state, HeldState::approved);
  EXPECT_TRUE(has_error(store().decide_held(9999, HeldState::approved), Errc::not_found));
}

TEST_P(StoreConformance, RememberMessageIdSaysWhetherItWasSeen) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  EXPECT_FALSE(store().seen_message_id(list.id, "a@example.org").value_or(true));
  // Asking records nothing.
  EXPECT_FALSE(store().seen_message_id(list.id, "a@example.org").value_or(true));
  auto first = store().remember_message_id(list.id, "a@example.org", at(kNow));
  ASSERT_TRUE(is_ok(first));
  EXPECT_FALSE(*first);
  auto second = store().remember_message_id(list.id, "a@example.org", at(kNow + 1));
  ASSERT_TRUE(is_ok(second));
  EXPECT_TRUE(*second);
  EXPECT_TRUE(store().seen_message_id(list.id, "a@example.org").value_or(false));
  // Per list, and the local part is compared as written.
  EXPECT_FALSE(store().seen_message_id(other.id, "a@example.org").value_or(true));
  EXPECT_FALSE(store().seen_message_id(list.id, "A@example.org").value_or(true));

  EXPECT_TRUE(has_error(store().seen_message_id(9999, "a@example.org"), Errc::not_found));
  EXPECT_TRUE(
      has_error(store().remember_message_id(9999, "a@example.org", at(kNow)), Errc::not_found));
  EXPECT_TRUE(
      has_error(store().remember_message_id(list.id, "", at(kNow)), Errc::invalid_argument));
}

TEST_P(StoreConformance, ForgetMessageIdsBeforeRemovesOnlyOldOnes) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  ASSERT_TRUE(is_ok(store().remember_message_id(list.id, "old@example.org", at(kNow - 100))));
  ASSERT_TRUE(is_ok(store().remember_message_id(other.id, "old@example.org", at(kNow - 50))));
  ASSERT_TRUE(is_ok(store().remember_message_id(list.id, "new@example.org", at(kNow))));
  // Seen again recently: kept.
  ASSERT_TRUE(is_ok(store().remember_message_id(list.id, "again@example.org", at(kNow - 100))));
  ASSERT_TRUE(is_ok(store().remember_message_id(list.id, "again@example.org", at(kNow))));

  auto forgotten = store().forget_message_ids_before(at(kNow));
  ASSERT_TRUE(is_ok(forgotten));
  EXPECT_EQ(*forgotten, 2u);
  EXPECT_FALSE(store().seen_message_id(list.id, "old@example.org").value_or(true));
  EXPECT_FALSE(store().seen_message_id(other.id, "old@example.org").value_or(true));
  EXPECT_TRUE(store().seen_message_id(list.id, "new@example.org").value_or(false));
  EXPECT_TRUE(store().seen_message_id(list.id, "again@example.org").value_or(false));
  EXPECT_EQ(store().forget_message_ids_before(at(kNow)).value_or(99), 0u);
}

TEST_P(StoreConformance, TakePendingReturnsTheActionOnce) {
  ListRow list = make_list();
  PendingAction pending{"conf-1", list.id,        "subscribe", "carol@example.org",
                        "Carol",  at(kNow + 3600)};
  ASSERT_TRUE(is_ok(store().add_pending(pending)));
  EXPECT_TRUE(has_error(store().add_pending(pending), Errc::already_exists));
  auto taken = store().take_pending("conf-1", at(kNow));
  ASSERT_TRUE(is_ok(taken));
  EXPECT_EQ(taken->token, "conf-1");
  EXPECT_EQ(taken->list_id, list.id);
  EXPECT_EQ(taken->action, "subscribe");
  EXPECT_EQ(taken->address, "carol@example.org");
  EXPECT_EQ(taken->display_name, "Carol");
  EXPECT_EQ(taken->expires_at, at(kNow + 3600));
  EXPECT_TRUE(has_error(store().take_pending("conf-1", at(kNow)), Errc::not_found));
  EXPECT_TRUE(has_error(store().take_pending("never", at(kNow)), Errc::not_found));
}

TEST_P(StoreConformance, TakePendingRefusesAnExpiredAction) {
  ListRow list = make_list();
  ASSERT_TRUE(is_ok(
      store().add_pending({"late", list.id, "unsubscribe", "bob@example.org", "", at(kNow + 60)})));
  ASSERT_TRUE(is_ok(
      store().add_pending({"edge", list.id, "unsubscribe", "bob@example.org", "", at(kNow + 60)})));
  ASSERT_TRUE(is_ok(
      store().add_pending({"early", list.id, "subscribe", "dave@example.org", "", at(kNow + 60)})));
  EXPECT_TRUE(is_ok(store().take_pending("early", at(kNow + 59))));
  EXPECT_TRUE(has_error(store().take_pending("edge", at(kNow + 60)), Errc::not_found));
  EXPECT_TRUE(has_error(store().take_pending("late", at(kNow + 61)), Errc::not_found));
  // Expired is final, even for a caller whose clock is behind.
  EXPECT_TRUE(has_error(store().take_pending("late", at(kNow)), Errc::not_found));
}

TEST_P(StoreConformance, FindPendingMatchesTheAddressWithoutCaseUntilItExpires) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  ASSERT_TRUE(is_ok(store().add_pending(
      {"conf-1", list.id, "subscribe", "Carol@Example.org", "Carol", at(kNow + 60)})));
  ASSERT_TRUE(is_ok(store().add_pending(
      {"conf-2", list.id, "subscribe", "carol@example.org", "", at(kNow + 120)})));
  ASSERT_TRUE(is_ok(
      store().add_pending({"conf-3", other.id, "unsubscribe", "dave@example.org", "", at(kNow)})));
  auto waiting = [&](Id list_id, std::string_view action, std::string_view address,
                     std::int64_t now) -> std::string {
    auto found = store().find_pending(list_id, action, address, at(now));
    EXPECT_TRUE(is_ok(found));
    return found && *found ? (*found)->token : "";
  };
  auto found = store().find_pending(list.id, "subscribe", "CAROL@example.ORG", at(kNow));
  ASSERT_TRUE(is_ok(found));
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->token, "conf-2");  // the one expiring last
  EXPECT_EQ((*found)->list_id, list.id);
  EXPECT_EQ((*found)->action, "subscribe");
  EXPECT_EQ((*found)->address, "carol@example.org");
  EXPECT_EQ((*found)->expires_at, at(kNow + 120));
  EXPECT_EQ(waiting(list.id, "unsubscribe", "carol@example.org", kNow), "");
  EXPECT_EQ(waiting(other.id, "subscribe", "carol@example.org", kNow), "");
  EXPECT_EQ(waiting(list.id, "subscribe", "carol@example.net", kNow), "");
  EXPECT_EQ(waiting(other.id, "unsubscribe", "dave@example.org", kNow), "");  // expired
  ASSERT_TRUE(is_ok(store().take_pending("conf-2", at(kNow))));
  EXPECT_EQ(waiting(list.id, "subscribe", "carol@example.org", kNow + 59), "conf-1");
  EXPECT_EQ(waiting(list.id, "subscribe", "carol@example.org", kNow + 60), "");
  // Looking takes nothing.
  EXPECT_TRUE(is_ok(store().take_pending("conf-1", at(kNow))));
  EXPECT_TRUE(has_error(store().find_pending(9999, "subscribe", "carol@example.org", at(kNow)),
                        Errc::not_found));
}

TEST_P(StoreConformance, AddPendingUnlessWaitingKeepsOneConfirmationPerAddress) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  auto recorded = store().add_pending_unless_waiting(
      {"first", list.id, "subscribe", "Carol@Example.org", "Carol", at(kNow + 60)}, at(kNow));
  ASSERT_TRUE(is_ok(recorded));
  EXPECT_FALSE(recorded->has_value()) << "nothing was waiting: recorded";

  // The same action for the same address, however spelt: the waiting one comes back.
  auto again = store().add_pending_unless_waiting(
      {"second", list.id, "subscribe", "carol@EXAMPLE.org", "", at(kNow + 120)}, at(kNow + 30));
  ASSERT_TRUE(is_ok(again));
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->token, "first");
  EXPECT_EQ((*again)->expires_at, at(kNow + 60));
  EXPECT_TRUE(has_error(store().take_pending("second", at(kNow)), Errc::not_found))
      << "the second request was not recorded";

  // Another action, another list, or the first one expired: recorded.
  for (const PendingAction& pending : std::vector<PendingAction>{
           {"leave", list.id, "unsubscribe", "carol@example.org", "", at(kNow + 60)},
           {"eggs", other.id, "subscribe", "carol@example.org", "", at(kNow + 60)},
           {"later", list.id, "subscribe", "carol@example.org", "", at(kNow + 180)}}) {
    const std::int64_t now = pending.token == "later" ? kNow + 60 : kNow;
    auto added = store().add_pending_unless_waiting(pending, at(now));
    ASSERT_TRUE(is_ok(added)) << pending.token;
    EXPECT_FALSE(added->has_value()) << pending.token;
  }
  EXPECT_EQ(store().take_pending("later", at(kNow + 61))->address, "carol@example.org");

  EXPECT_TRUE(
      has_error(store().add_pending_unless_waiting(
                    {"", list.id, "subscribe", "bob@example.org", "", at(kNow + 60)}, at(kNow)),
                Errc::invalid_argument));
  EXPECT_TRUE(
      has_error(store().add_pending_unless_waiting(
                    {"tok", 9999, "subscribe", "bob@example.org", "", at(kNow + 60)}, at(kNow)),
                Errc::not_found));
}

TEST_P(StoreConformance, AddPendingNeedsATokenAndAList) {
  ListRow list = make_list();
  EXPECT_TRUE(has_error(
      store().add_pending({"", list.id, "subscribe", "bob@example.org", "", at(kNow + 60)}),
      Errc::invalid_argument));
  EXPECT_TRUE(has_error(
      store().add_pending({"tok", 9999, "subscribe", "bob@example.org", "", at(kNow + 60)}),
      Errc::not_found));
}

TEST_P(StoreConformance, BouncesAreKeptPerAddressInTimeOrder) {
  ListRow list = make_list();
  ListRow other = make_list("eggs");
  BounceRow later;
  later.list_id = list.id;
  later.address = "bob@example.org";
  later.status = "5.1.1";
  later.reason = "userunknown";
  later.side = "recipient";
  later.diagnostic = "550 5.1.1 <bob@example.org>: Recipient address rejected";
  later.at = at(kNow + 10);
  BounceRow earlier = later;
  earlier.status = "4.2.2";
  earlier.reason = "mailboxfull";
  earlier.at = at(kNow);
  BounceRow someone_else = later;
  someone_else.address = "carol@example.org";
  BounceRow other_list = later;
  other_list.list_id = other.id;
  for (const BounceRow& bounce : {later, earlier, someone_else, other_list}) {
    ASSERT_TRUE(is_ok(store().add_bounce(bounce)));
  }
  auto bounces = store().bounces(list.id, "bob@EXAMPLE.org");
  ASSERT_TRUE(is_ok(bounces));
  ASSERT_EQ(bounces->size(), 2u);
  EXPECT_EQ((*bounces)[0].status, "4.2.2");
  EXPECT_EQ((*bounces)[0].reason, "mailboxfull");
  EXPECT_EQ((*bounces)[0].at, at(kNow));
  const BounceRow& last = (*bounces)[1];
  EXPECT_GT(last.id, 0);
  EXPECT_EQ(last.list_id, list.id);
  EXPECT_EQ(last.address, "bob@example.org");
  EXPECT_EQ(last.status, "5.1.1");
  EXPECT_EQ(last.reason, "userunknown");
  EXPECT_EQ(last.side, "recipient");
  EXPECT_EQ(last.diagnostic, later.diagnostic);
  EXPECT_EQ(last.at, at(kNow + 10));
  EXPECT_TRUE(store().bounces(list.id, "dave@example.org")->empty());

  BounceRow unknown = later;
  unknown.list_id = 9999;
  EXPECT_TRUE(has_error(store().add_bounce(unknown), Errc::not_found));
  EXPECT_TRUE(has_error(store().bounces(9999, "bob@example.org"), Errc::not_found));
}

}  // namespace
}  // namespace cqlist::store::testing
