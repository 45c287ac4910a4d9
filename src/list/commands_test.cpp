// Mail to NAME-request, NAME-confirm+TOKEN, NAME-unsubscribe and NAME-owner, and moderation,
// against a real SQLite store, spool, outbox and archive in a temporary directory. Every
// assertion reads what was queued for the MTA: the outbox entries' envelope and bytes.
#include "list/commands.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "list/testing/command_fixture.hpp"

namespace cqlist::list {
namespace {

TEST_F(CommandsTest, SubscribeIsConfirmedByReplyingToTheRequest) {
  EXPECT_EQ(request("New Bie <newbie@example.org>", "subscribe", "").code, 250);
  EXPECT_FALSE(is_member("newbie@example.org"));

  const Sent confirmation = only_mail();  // the request is the whole answer
  EXPECT_EQ(confirmation.mail_from, "");
  EXPECT_EQ(confirmation.recipients, "newbie@example.org\n");
  EXPECT_EQ(confirmation.header("From"), "ham-request@cq-test.example");
  EXPECT_EQ(confirmation.header("To"), "newbie@example.org");
  EXPECT_EQ(confirmation.header("Auto-Submitted"), "auto-replied");
  EXPECT_EQ(confirmation.header("X-Loop"), "ham-request@cq-test.example");
  EXPECT_TRUE(contains(confirmation.header("In-Reply-To"), "@example.net>"));
  EXPECT_FALSE(confirmation.header("Message-ID").empty());
  EXPECT_FALSE(confirmation.header("Date").empty());
  const std::string token = token_of(confirmation);
  ASSERT_EQ(token.size(), 26u);
  EXPECT_EQ(confirmation.subject(), "confirm " + token);
  EXPECT_EQ(confirmation.header("Reply-To"), "ham-confirm+" + token + "@cq-test.example");
  EXPECT_TRUE(contains(confirmation.text(), "subscribe newbie@example.org"));

  // The reply goes to the Reply-To address.
  EXPECT_EQ(send_to(Route::confirm, "newbie@example.org", "Re: confirm " + token,
                    "> Someone, hopefully you...\r\n", {}, token)
                .code,
            250);
  EXPECT_TRUE(is_member("newbie@example.org"));
  EXPECT_EQ(store_->find_member(list_.id, "newbie@example.org")->display_name, "New Bie");
  const Sent welcome = only_mail();
  EXPECT_EQ(welcome.subject(), "Welcome to ham@cq-test.example");
  EXPECT_EQ(welcome.recipients, "newbie@example.org\n");
  EXPECT_TRUE(contains(welcome.text(), "ham-request@cq-test.example"));

  // The token is used up.
  send_to(Route::confirm, "newbie@example.org", "Re: confirm " + token, "", {}, token);
  EXPECT_TRUE(contains(only_mail().text(), "unknown or has expired"));
}

TEST_F(CommandsTest, ConfirmCanBeSentToTheRequestAddress) {
  request("newbie@example.org", "", "#Subscribe\r\n");
  const std::string token = token_of(only_mail());
  // A reply to the request sent to NAME-request: command in the Subject, prose and quotes in
  // the body are not commands and not errors.
  request("newbie@example.org", "Re: confirm " + token,
          "Yes please.\r\n\r\n> Someone, hopefully you, asked\r\n");
  EXPECT_TRUE(is_member("newbie@example.org"));
  const Sent welcome = only_mail();
  EXPECT_EQ(welcome.subject(), "Welcome to ham@cq-test.example");
}

TEST_F(CommandsTest, ConfirmLinkWhenTheListHasAWebAddress) {
  set("web_url", "https://lists.cq-test.example/ham");
  request("newbie@example.org", "subscribe", "");
  const Sent confirmation = only_mail();
  EXPECT_TRUE(contains(confirmation.text(), "https://lists.cq-test.example/ham/confirm?token=" +
                                                token_of(confirmation)));
}

TEST_F(CommandsTest, SubscribingAMemberSaysSoAndAsksNothing) {
  request("mia@relaxed.example", "subscribe", "");
  const Sent reply = only_mail();
  EXPECT_EQ(reply.subject(), "Re: subscribe");
  EXPECT_TRUE(contains(reply.text(),
                       "mia@relaxed.example is already a member of "
                       "ham@cq-test.example."));
  EXPECT_EQ(reply.header("Reply-To"), "");
}

TEST_F(CommandsTest, SubscribingSomeoneElseAsksThemAndTellsTheRequesterNothingAboutThem) {
  request("mia@relaxed.example", "", "subscribe friend@example.org\r\n");
  auto sent = take_outbox();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].recipients, "friend@example.org\n");  // the confirmation request
  EXPECT_EQ(sent[0].header("In-Reply-To"), "");
  EXPECT_EQ(sent[1].recipients, "mia@relaxed.example\n");  // the results
  EXPECT_TRUE(contains(sent[1].text(), "does not say whether friend@example.org is a member"));

  request("mia@relaxed.example", "", "subscribe olga@cq-test.example\r\n");
  const std::string text = only_mail().text();
  EXPECT_FALSE(contains(text, "already a member"));
  EXPECT_TRUE(contains(text, "does not say whether olga@cq-test.example is a member"));
}

TEST_F(CommandsTest, NoNewConfirmationWhileOneIsWaiting) {
  request("newbie@example.org", "subscribe", "");
  const Sent confirmation = only_mail();
  EXPECT_EQ(confirmation.subject(), "confirm " + token_of(confirmation));

  // Asking again, in another spelling too, gets the reason instead of another request.
  for (const std::string from : {"newbie@example.org", "NewBie@example.org"}) {
    request(from, "subscribe", "");
    const Sent reply = only_mail();
    EXPECT_EQ(reply.recipients, from + "\n");
    EXPECT_EQ(reply.subject(), "Re: subscribe");
    EXPECT_EQ(reply.header("Reply-To"), "");
    const std::string text = reply.text();
    EXPECT_TRUE(contains(text, "A confirmation request for " + from +
                                   " was sent earlier and is still waiting for a reply, so no "
                                   "new one was sent"))
        << text;
    EXPECT_TRUE(contains(text, " UTC.")) << text;
  }

  // Someone else's address: one request, however often and however it is written, and the
  // requester's reply reads as it did the first time.
  request("mia@relaxed.example", "", "subscribe Friend@Example.org\r\n");
  EXPECT_EQ(take_outbox().size(), 2u);
  for (const std::string written : {"friend@example.org", "FRIEND@example.org"}) {
    request("mia@relaxed.example", "", "subscribe " + written + "\r\n");
    const Sent reply = only_mail();
    EXPECT_EQ(reply.recipients, "mia@relaxed.example\n");
    EXPECT_TRUE(contains(reply.text(), "No new request is sent while an earlier one to"));
  }
  request("stranger@example.org", "", "subscribe friend@example.org\r\n");
  EXPECT_EQ(only_mail().recipients, "stranger@example.org\n");

  // A waiting subscribe does not hold back an unsubscribe, nor another list's request.
  request("mia@relaxed.example", "unsubscribe", "");
  EXPECT_EQ(only_mail().subject().rfind("confirm ", 0), 0u);
  request("mia@relaxed.example", "unsubscribe", "");
  EXPECT_TRUE(contains(only_mail().text(), "is still waiting for a reply"));
}

TEST_F(CommandsTest, NoNewConfirmationWhileOneIsWaitingInJapanese) {
  set("language", "ja");
  request("newbie@example.org", "subscribe", "");
  take_outbox();
  request("newbie@example.org", "subscribe", "");
  const std::string text = only_mail().text();
  EXPECT_TRUE(contains(text,
                       "newbie@example.org 宛の確認のメールは以前にお送りしており、"
                       "まだご返信をお待ちしているため、新たにはお送りしていません"))
      << text;
}

TEST_F(CommandsTest, OneMailAsksAboutAtMostOneOtherAddress) {
  std::string body;
  for (int i = 1; i <= 20; ++i) {
    body += fmt::format("subscribe victim{}@example.org\r\n", i);
  }
  request("mia@relaxed.example", "", body);
  auto sent = take_outbox();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].recipients, "victim1@example.org\n");
  EXPECT_EQ(sent[1].recipients, "mia@relaxed.example\n");
  const std::string text = sent[1].text();
  EXPECT_TRUE(contains(text,
                       "> subscribe victim2@example.org\nNothing was done for "
                       "victim2@example.org: one message can ask for at most one address "
                       "other than the sender's own"))
      << text;
  EXPECT_TRUE(contains(text, "Nothing was done for victim20@example.org"));

  // Counted whether or not a request went out (olga is a member), and without the sender.
  request("newbie@example.org", "",
          "subscribe olga@cq-test.example\r\nunsubscribe friend@example.org\r\n"
          "subscribe newbie@example.org\r\n");
  sent = take_outbox();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].recipients, "newbie@example.org\n");  // the sender's own request
  EXPECT_EQ(sent[0].subject(), "confirm " + token_of(sent[0]));
  EXPECT_TRUE(contains(sent[1].text(), "Nothing was done for friend@example.org"));

  set("language", "ja");
  request("mia@relaxed.example", "", "subscribe a@example.org\r\nsubscribe b@example.org\r\n");
  sent = take_outbox();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(contains(sent[1].text(), "b@example.org については処理していません。"));
}

TEST_F(CommandsTest, UnsubscribeByMailToTheUnsubscribeAddress) {
  send_to(Route::unsubscribe, "mia@relaxed.example", "", "");
  EXPECT_TRUE(is_member("mia@relaxed.example"));
  const Sent confirmation = only_mail();
  EXPECT_TRUE(contains(confirmation.text(), "remove mia@relaxed.example"));
  const std::string token = token_of(confirmation);

  send_to(Route::confirm, "mia@relaxed.example", "Re: confirm " + token, "", {}, token);
  EXPECT_FALSE(is_member("mia@relaxed.example"));
  const Sent goodbye = only_mail();
  EXPECT_EQ(goodbye.subject(), "You have left ham@cq-test.example");
  EXPECT_EQ(goodbye.recipients, "mia@relaxed.example\n");
}

TEST_F(CommandsTest, ByeFromANonMemberIsAClearAnswer) {
  request("stranger@example.org", "", "bye\r\n");
  EXPECT_TRUE(contains(only_mail().text(),
                       "stranger@example.org is not a member of "
                       "ham@cq-test.example."));
}

TEST_F(CommandsTest, ExpiredConfirmationChangesNothing) {
  store::PendingAction pending;
  pending.token = "expiredtokenexpiredtoken23";
  pending.list_id = list_.id;
  pending.action = "subscribe";
  pending.address = "late@example.org";
  pending.expires_at = Clock::now() - std::chrono::hours(1);
  ASSERT_TRUE(store_->add_pending(pending));
  send_to(Route::confirm, "late@example.org", "Re: confirm", "", {}, pending.token);
  EXPECT_FALSE(is_member("late@example.org"));
  const Sent reply = only_mail();
  EXPECT_EQ(reply.recipients, "late@example.org\n");
  EXPECT_TRUE(contains(reply.text(), "unknown or has expired"));
}

TEST_F(CommandsTest, BouncesAndAutoRepliesAreNeverAnswered) {
  struct Case {
    std::string envelope;
    std::string extra;
  };

  const std::vector<Case> cases = {
      {"<>", ""},
      {"MAILER-DAEMON@mx.example.org", ""},
      {"mia@relaxed.example", "Auto-Submitted: auto-replied\r\n"},
      {"mia@relaxed.example", "Precedence: bulk\r\n"},
      {"mia@relaxed.example", "Precedence: junk\r\n"},
      {"mia@relaxed.example", "List-Id: <other.example.org>\r\n"},
      {"mia@relaxed.example", "X-Loop: ham-request@cq-test.example\r\n"},
  };
  for (const auto& item : cases) {
    auto reply =
        send_to(Route::request, "mia@relaxed.example", "help", "", item.extra, {}, item.envelope);
    EXPECT_EQ(reply.code, 250) << item.envelope << " " << item.extra;
    EXPECT_TRUE(take_outbox().empty()) << item.envelope << " " << item.extra;
  }
  // Nor does an auto-reply to a confirmation request confirm anything.
  request("newbie@example.org", "subscribe", "");
  const std::string token = token_of(only_mail());
  send_to(Route::confirm, "newbie@example.org", "Out of office", "",
          "Auto-Submitted: auto-replied\r\n", token);
  EXPECT_FALSE(is_member("newbie@example.org"));
  // "Auto-Submitted: no" is a person.
  request("mia@relaxed.example", "help", "", "Auto-Submitted: no\r\n");
  EXPECT_EQ(take_outbox().size(), 1u);
}

TEST_F(CommandsTest, MailServersAndListsAreNeverAnsweredWhereverTheySign) {
  struct Case {
    std::string from;
    std::string envelope;
  };

  const std::vector<Case> programs = {
      {"mia@relaxed.example", "MAILER-DAEMON"},
      {"mia@relaxed.example", "<Mailer-Daemon>"},
      {"Mail Delivery System <MAILER-DAEMON@mx.example.org>", "mia@relaxed.example"},
      {"mia@relaxed.example", "owner-other@lists.example.org"},
      {"mia@relaxed.example", "Other-Request@lists.example.org"},
      {"Owner-Other@lists.example.org", "mia@relaxed.example"},
      {"other-REQUEST@lists.example.org", "mia@relaxed.example"},
  };
  for (const auto& item : programs) {
    auto reply = send_to(Route::request, item.from, "help", "", {}, {}, item.envelope);
    EXPECT_EQ(reply.code, 250) << item.from << " " << item.envelope;
    EXPECT_TRUE(take_outbox().empty()) << item.from << " " << item.envelope;
  }
  // People whose names merely contain those words are answered.
  for (const std::string person : {"homeowner@example.org", "owner@example.org",
                                   "request-desk@example.org", "daemon-hunter@example.org"}) {
    send_to(Route::request, person, "help", "", {}, {}, person);
    EXPECT_EQ(take_outbox().size(), 1u) << person;
  }
}

TEST_F(CommandsTest, GetSendsTheArticlesAsADigest) {
  ASSERT_TRUE(store_->set_last_article(list_.id, 3));
  for (int article = 1; article <= 2; ++article) {
    ASSERT_TRUE(archive_->write(list_, article,
                                fmt::format("From: a@example.org\r\nSubject: article {}\r\n\r\n"
                                            "Text of article number {}.\r\n",
                                            article, article)));
  }
  request("mia@relaxed.example", "", "get 1-2\r\n");
  const Sent digest = only_mail();
  EXPECT_EQ(digest.recipients, "mia@relaxed.example\n");
  EXPECT_EQ(digest.subject(), "ham@cq-test.example articles 1-2");
  auto tree = mail::MimeTree::build(digest.message);
  EXPECT_TRUE(tree.part(0).content_type.is("multipart", "digest"));
  std::vector<std::string> bodies;
  for (const auto& part : tree.parts()) {
    if (part.kind == mail::PartKind::message) {
      bodies.emplace_back(tree.part(part.children.front()).body);
    }
  }
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0], "Text of article number 1.\r\n");
  EXPECT_EQ(bodies[1], "Text of article number 2.\r\n");

  // Article 3 has no file; 4 does not exist yet; a range over 100 is refused.
  request("mia@relaxed.example", "", "get 3\r\nget 4\r\nget 1-101\r\n");
  const std::string text = only_mail().text();
  EXPECT_TRUE(contains(text, "could not be found in the archive: 3."));
  EXPECT_TRUE(contains(text, "has no articles 4 (the last one is 3)"));
  EXPECT_TRUE(contains(text, "get N, get N-M (at most 100 articles)"));
}

TEST_F(CommandsTest, GetAndIndexAreForMembers) {
  request("stranger@example.org", "", "get 1\r\nindex\r\n");
  const std::string text = only_mail().text();
  EXPECT_TRUE(contains(text, "> get 1\nThis command is for members of ham@cq-test.example"));
  EXPECT_TRUE(contains(text, "> index\nThis command is for members"));
}

TEST_F(CommandsTest, IndexListsTheLastArticles) {
  store::PostRow post;
  post.list_id = list_.id;
  post.spool_id = "post-1";
  post.from = "alice@strict.example";
  post.subject = "First steps";
  post.received_at = Clock::from_time_t(1700000000);
  ASSERT_TRUE(store_->number_post(list_.id, post));
  request("mia@relaxed.example", "index", "");
  const std::string text = only_mail().text();
  EXPECT_TRUE(contains(text, "The last 1 articles of ham@cq-test.example:"));
  EXPECT_TRUE(
      contains(text, "    1  2023-11-14 22:13  alice@strict.example\n         First steps"));
}

TEST_F(CommandsTest, MembersOnlyForOwnersAndModerators) {
  request("mia@relaxed.example", "members", "");
  const std::string denied = only_mail().text();
  EXPECT_TRUE(contains(denied, "only sent to its owners and moderators"));
  EXPECT_FALSE(contains(denied, "olga@cq-test.example"));

  request("olga@cq-test.example", "members", "");
  const std::string listed = only_mail().text();
  EXPECT_TRUE(contains(listed, "ham@cq-test.example has 3 members:"));
  EXPECT_TRUE(contains(listed, "  mia@relaxed.example\n"));
  EXPECT_TRUE(contains(listed, "  mo@cq-test.example (moderator)\n"));

  request("stranger@example.org", "members", "");
  EXPECT_TRUE(contains(only_mail().text(), "This command is for members"));

  set("members_command_public", "true");
  request("mia@relaxed.example", "members", "");
  EXPECT_TRUE(contains(only_mail().text(), "  olga@cq-test.example (owner)\n"));
}

// What the list's MTA writes when From is genuine (trusted_authserv_id names it).
constexpr std::string_view kMiaPassesDmarc =
    "Authentication-Results: mx.cq-test.example; spf=pass smtp.mailfrom=relaxed.example;\r\n"
    "\tdmarc=pass header.from=relaxed.example\r\n";

TEST_F(CommandsTest, DigestAndNomailChangeTheDeliveryMode) {
  set("trusted_authserv_id", "mx.cq-test.example");
  request("mia@relaxed.example", "", "digest on\r\n", kMiaPassesDmarc);
  EXPECT_EQ(store_->find_member(list_.id, "mia@relaxed.example")->mode,
            store::DeliveryMode::digest);
  EXPECT_TRUE(contains(only_mail().text(), "now receives ham@cq-test.example as digests"));
  request("mia@relaxed.example", "", "nomail on\r\nnomail off\r\n", kMiaPassesDmarc);
  EXPECT_EQ(store_->find_member(list_.id, "mia@relaxed.example")->mode,
            store::DeliveryMode::regular);
  take_outbox();
  request("mia@relaxed.example", "", "digest maybe\r\n");
  EXPECT_TRUE(contains(only_mail().text(), "Use it like this: digest on|off"));
}

TEST_F(CommandsTest, UnverifiedDeliveryChangeWaitsForTheMembersConfirmation) {
  set("trusted_authserv_id", "mx.cq-test.example");
  // A forged From: the confirmation request is the whole answer, and it goes to the member.
  send_to(Route::request, "mia@relaxed.example", "nomail on", "", {}, {}, "attacker@evil.example");
  EXPECT_EQ(store_->find_member(list_.id, "mia@relaxed.example")->mode,
            store::DeliveryMode::regular);
  const Sent confirmation = only_mail();
  EXPECT_EQ(confirmation.recipients, "mia@relaxed.example\n");
  const std::string token = token_of(confirmation);
  EXPECT_EQ(confirmation.subject(), "confirm " + token);
  EXPECT_EQ(confirmation.header("Reply-To"), "ham-confirm+" + token + "@cq-test.example");
  const std::string text = confirmation.text();
  EXPECT_TRUE(contains(text, "pause delivery (nomail on)")) << text;
  EXPECT_TRUE(contains(text, "could not be verified as coming from your address")) << text;

  // Results the list's MTA did not write, or that vouch for another From, are no better.
  const std::vector<std::string> unverified = {
      "Authentication-Results: evil.example; dmarc=pass header.from=relaxed.example\r\n",
      "Authentication-Results: mx.cq-test.example; dmarc=pass header.from=evil.example\r\n",
      "Authentication-Results: mx.cq-test.example; dmarc=fail header.from=relaxed.example\r\n",
  };
  for (const std::string& extra : unverified) {
    send_to(Route::request, "mia@relaxed.example", "nomail on", "", extra, {},
            "attacker@evil.example");
    EXPECT_EQ(store_->find_member(list_.id, "mia@relaxed.example")->mode,
              store::DeliveryMode::regular)
        << extra;
    EXPECT_TRUE(contains(only_mail().text(), "is still waiting for a reply")) << extra;
  }

  // Asking for what is already so needs no confirmation.
  request("mia@relaxed.example", "", "digest off\r\n");
  EXPECT_TRUE(contains(only_mail().text(), "now receives every post of ham@cq-test.example"));

  // Mia's reply makes the change.
  send_to(Route::confirm, "mia@relaxed.example", "Re: confirm " + token, "", {}, token);
  EXPECT_EQ(store_->find_member(list_.id, "mia@relaxed.example")->mode,
            store::DeliveryMode::nomail);
  EXPECT_TRUE(contains(only_mail().text(), "is paused until you send \"nomail off\""));
}

TEST_F(CommandsTest, DeliveryChangeConfirmationHasTheWebLinkToo) {
  set("web_url", "https://lists.cq-test.example/ham/");
  request("mia@relaxed.example", "", "digest on\r\n");
  const Sent confirmation = only_mail();
  const std::string text = confirmation.text();
  EXPECT_TRUE(contains(text,
                       "You can also confirm by opening this link:\n\n  "
                       "https://lists.cq-test.example/ham/confirm?token=" +
                           token_of(confirmation)))
      << text;

  set("language", "ja");
  request("mia@relaxed.example", "", "nomail on\r\n");
  const Sent japanese = only_mail();
  EXPECT_TRUE(contains(japanese.text(),
                       "次のリンクを開いて確認していただくこともできます。\n\n  "
                       "https://lists.cq-test.example/ham/confirm?token=" +
                           token_of(japanese)))
      << japanese.text();
}

TEST_F(CommandsTest, UnverifiedDeliveryChangeIsExplainedInJapanese) {
  set("language", "ja");
  request("mia@relaxed.example", "", "digest on\r\nhelp\r\n");
  auto sent = take_outbox();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_TRUE(contains(sent[0].text(), "まとめ読み（ダイジェスト）での配信に切り替える"))
      << sent[0].text();
  EXPECT_TRUE(contains(sent[1].text(), "配信方法はまだ変更していません")) << sent[1].text();
  EXPECT_EQ(store_->find_member(list_.id, "mia@relaxed.example")->mode,
            store::DeliveryMode::regular);
}

TEST_F(CommandsTest, UnknownCommandsAreListedWithAPointerToHelp) {
  request("mia@relaxed.example", "", "frobnicate now\r\n");
  const std::string text = only_mail().text();
  EXPECT_TRUE(contains(text, "Unknown command: frobnicate now"));
  EXPECT_TRUE(contains(text, "Send \"help\" to ham-request@cq-test.example"));

  request("mia@relaxed.example", "", "");
  EXPECT_TRUE(contains(only_mail().text(), "No command was found in your message."));
}

TEST_F(CommandsTest, JapaneseHelpIsJapaneseUtf8) {
  set("language", "ja");
  request("mia@relaxed.example", "help", "");
  const Sent reply = only_mail();
  EXPECT_TRUE(contains(reply.header("Content-Type"), "charset=utf-8"));
  EXPECT_EQ(reply.header("Content-Transfer-Encoding"), "base64");
  const std::string text = reply.text();
  EXPECT_TRUE(contains(text, "で利用できるコマンドの一覧です。")) << text;
  EXPECT_TRUE(contains(text, "メーリングリストに参加します"));

  // A Japanese Subject is written as UTF-8 encoded words.
  request("newbie@example.org", "subscribe", "");
  const std::string token = token_of(only_mail());
  send_to(Route::confirm, "newbie@example.org", "Re: confirm", "", {}, token);
  const Sent welcome = only_mail();
  EXPECT_TRUE(contains(welcome.header("Subject"), "=?UTF-8?B?")) << welcome.header("Subject");
  EXPECT_EQ(welcome.subject(), "ham@cq-test.example へようこそ");
  EXPECT_TRUE(contains(welcome.text(), "メンバーとして登録いたしました"));
}

TEST_F(CommandsTest, JapaneseListReadsRawShiftJisSubjects) {
  set("language", "ja");
  // "ｓｕｂｓｃｒｉｂｅ" typed with a Japanese input method, in raw Shift_JIS.
  request("newbie@example.org",
          "\x82\x93\x82\x95\x82\x82\x82\x93\x82\x83\x82\x92\x82\x89\x82\x82\x82\x85", "");
  const Sent confirmation = only_mail();
  EXPECT_EQ(confirmation.recipients, "newbie@example.org\n");
  EXPECT_EQ(confirmation.subject(), "confirm " + token_of(confirmation));

  // The reply repeats the subject ("参加について") in UTF-8, not as mojibake.
  request("newbie@example.org", "\x8E\x51\x89\xC1\x82\xC9\x82\xC2\x82\xA2\x82\xC4", "help\r\n");
  EXPECT_EQ(only_mail().subject(), "Re: 参加について");

  // So does the answer to a moderator's reply to a hold notice
  // ("Re: [ham] 保留中の投稿: 質問 (moderate CODE)").
  const store::HeldRow held = hold_post("stranger@example.org", "質問");
  request("mo@cq-test.example",
          "Re: [ham] \x95\xDB\x97\xAF\x92\x86\x82\xCC\x93\x8A\x8D\x65: \x8E\xBF\x96\xE2 "
          "(moderate " +
              held.token + ")",
          "approve\r\n");
  EXPECT_EQ(state_of(held), store::HeldState::approved);
  EXPECT_EQ(only_mail().subject(), "Re: [ham] 保留中の投稿: 質問 (moderate " + held.token + ")");
}

TEST_F(CommandsTest, OwnerMailIsForwardedUnchangedToTheOwners) {
  const std::string original =
      mail_text("stranger@example.org", "Question", "Who runs this list?\r\n");
  RoutedAddress routed{list_, Route::owner, {}};
  auto command_deps = deps();
  EXPECT_EQ(
      handle_list_mail(command_deps, routed, "stranger@example.org", mail::Message::parse(original))
          .code,
      250);
  const Sent forwarded = only_mail();
  EXPECT_EQ(forwarded.mail_from, "ham-bounces@cq-test.example");
  EXPECT_EQ(forwarded.recipients, "olga@cq-test.example\n");
  EXPECT_EQ(forwarded.bytes, "X-Loop: ham-owner@cq-test.example\r\n" + original);

  // It does not go round again.
  handle_list_mail(command_deps, routed, "olga@cq-test.example", forwarded.message);
  EXPECT_TRUE(take_outbox().empty());
}

TEST_F(CommandsTest, HoldNoticeGoesToTheModeratorsWithTheTokenAndThePost) {
  const store::HeldRow held = hold_post("stranger@example.org", "Cheap watches");
  auto command_deps = deps();
  ASSERT_TRUE(notify_moderators(command_deps, list_, ListSettings{}, held));
  const Sent notice = only_mail();
  EXPECT_EQ(notice.recipients, "mo@cq-test.example\n");  // the owner only when no moderator
  EXPECT_EQ(notice.subject(), "[ham] held post: Cheap watches (moderate " + held.token + ")");
  EXPECT_EQ(notice.header("Reply-To"), "ham-request@cq-test.example");
  EXPECT_EQ(notice.header("Auto-Submitted"), "auto-generated");
  EXPECT_TRUE(contains(notice.text(), "is not a member of ham@cq-test.example"));
  auto tree = mail::MimeTree::build(notice.message);
  bool attached = false;
  for (const auto& part : tree.parts()) {
    attached = attached || (part.content_type.is("message", "rfc822") &&
                            contains(part.body, "Subject: Cheap watches"));
  }
  EXPECT_TRUE(attached);
}

TEST_F(CommandsTest, ModeratorApprovesByReplying) {
  const store::HeldRow held = hold_post("stranger@example.org", "A fine question");
  auto command_deps = deps();
  ASSERT_TRUE(notify_moderators(command_deps, list_, ListSettings{}, held));
  const Sent notice = only_mail();
  request("Mo <mo@cq-test.example>", "Re: " + notice.subject(),
          "On Tue, ham-request wrote:\r\n> A post to ham is waiting\r\n\r\nApprove\r\n");
  ASSERT_EQ(distributed_, std::vector<std::string>{held.spool_path});
  EXPECT_EQ(state_of(held), store::HeldState::approved);
  const Sent reply = only_mail();
  EXPECT_EQ(reply.recipients, "mo@cq-test.example\n");
  EXPECT_TRUE(contains(reply.text(), "was approved and sent to the list"));

  // Deciding again changes nothing.
  request("mo@cq-test.example", "", "discard " + held.token + "\r\n");
  EXPECT_TRUE(contains(only_mail().text(), "was decided already (approved)"));
  EXPECT_EQ(distributed_.size(), 1u);
  EXPECT_EQ(decide_held(command_deps, held, store::HeldState::approved).error().code(),
            Errc::invalid_argument);
}

TEST_F(CommandsTest, ModeratorApprovesAPostWhoseOwnSubjectSaysModerate) {
  // The post's subject comes first in the notice's, with "moderate" and a long word in it.
  const store::HeldRow held =
      hold_post("stranger@example.org", "How to moderate internationalization debates");
  auto command_deps = deps();
  ASSERT_TRUE(notify_moderators(command_deps, list_, ListSettings{}, held));
  const Sent notice = only_mail();
  request("mo@cq-test.example", "Re: " + notice.subject(), "approve\r\n");
  EXPECT_EQ(state_of(held), store::HeldState::approved);
  EXPECT_EQ(distributed_, std::vector<std::string>{held.spool_path});
  const std::string text = only_mail().text();
  EXPECT_TRUE(contains(text, "was approved and sent to the list")) << text;
}

TEST_F(CommandsTest, ModeratorRejectsAndThePosterIsTold) {
  const store::HeldRow held = hold_post("stranger@example.org", "Off topic");
  request("olga@cq-test.example", "", "reject " + held.token + " Please keep to ham radio.\r\n");
  EXPECT_TRUE(distributed_.empty());
  EXPECT_EQ(state_of(held), store::HeldState::rejected);
  EXPECT_FALSE(fs::exists(spool_->path(held.spool_path)));
  auto sent = take_outbox();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].recipients, "stranger@example.org\n");
  EXPECT_EQ(sent[0].mail_from, "");
  EXPECT_EQ(sent[0].header("In-Reply-To"), "<held@example.net>");
  EXPECT_TRUE(contains(sent[0].text(), "Please keep to ham radio."));
  EXPECT_TRUE(contains(sent[0].text(), "  Off topic\n"));
  EXPECT_TRUE(contains(sent[1].text(), "was rejected; the sender was told the reason"));
}

TEST_F(CommandsTest, DiscardRemovesThePostSilently) {
  const store::HeldRow held = hold_post("spammer@example.org", "Win");
  auto command_deps = deps();
  ASSERT_TRUE(decide_held(command_deps, held, store::HeldState::discarded));
  EXPECT_EQ(state_of(held), store::HeldState::discarded);
  EXPECT_FALSE(fs::exists(spool_->path(held.spool_path)));
  EXPECT_TRUE(take_outbox().empty());
}

TEST_F(CommandsTest, OfTwoDecisionsAtTheSameMomentOnlyTheFirstActs) {
  const store::HeldRow held = hold_post("stranger@example.org", "Both at once");
  std::optional<Result<void>> rejected_meanwhile;
  auto command_deps = deps();
  // Another moderator's reject arrives while the approved post is being distributed.
  command_deps.distribute = [&](const std::string& id) -> Result<void> {
    distributed_.push_back(id);
    auto other_deps = deps();
    rejected_meanwhile = decide_held(other_deps, held, store::HeldState::rejected, "Spam");
    return {};
  };
  ASSERT_TRUE(decide_held(command_deps, held, store::HeldState::approved));
  ASSERT_TRUE(rejected_meanwhile);
  ASSERT_FALSE(*rejected_meanwhile);
  EXPECT_EQ(rejected_meanwhile->error().code(), Errc::invalid_argument);
  EXPECT_EQ(distributed_, std::vector<std::string>{held.spool_path});
  EXPECT_EQ(state_of(held), store::HeldState::approved);
  EXPECT_TRUE(fs::exists(spool_->path(held.spool_path))) << "the distribution still reads it";
  EXPECT_TRUE(take_outbox().empty()) << "the poster of an approved post is told nothing";
}

TEST_F(CommandsTest, AnApprovalWhoseDistributionFailedStandsAndTheModeratorIsToldSo) {
  const store::HeldRow held = hold_post("stranger@example.org", "Busy");
  auto command_deps = deps();
  command_deps.distribute = [](const std::string&) -> Result<void> {
    return fail(Errc::internal, "the signing key is unreadable");
  };
  RoutedAddress routed{list_, Route::request, {}};
  handle_list_mail(
      command_deps, routed, "mo@cq-test.example",
      mail::Message::parse(mail_text("mo@cq-test.example", "", "approve " + held.token + "\r\n")));
  EXPECT_EQ(state_of(held), store::HeldState::approved);
  const std::string text = only_mail().text();
  EXPECT_TRUE(contains(text, "was approved, but could not be sent to the list yet")) << text;
  EXPECT_TRUE(contains(text, "the signing key is unreadable")) << text;
  EXPECT_EQ(decide_held(command_deps, held, store::HeldState::discarded).error().code(),
            Errc::invalid_argument);
  EXPECT_TRUE(fs::exists(spool_->path(held.spool_path)));
}

TEST_F(CommandsTest, OnlyModeratorsAndOwnersDecide) {
  const store::HeldRow held = hold_post("stranger@example.org", "Hello");
  request("mia@relaxed.example", "Re: [ham] held post: Hello (moderate " + held.token + ")",
          "approve\r\n");
  request("stranger@example.org", "", "approve " + held.token + "\r\n");
  EXPECT_TRUE(distributed_.empty());
  EXPECT_EQ(state_of(held), store::HeldState::waiting);
  auto sent = take_outbox();
  ASSERT_EQ(sent.size(), 2u);
  for (const auto& reply : sent) {
    EXPECT_TRUE(contains(reply.text(), "Only the moderators and owners of ham@cq-test.example"));
  }
  // A moderator's reply without a decision does nothing either.
  request("mo@cq-test.example", "Re: held post (moderate " + held.token + ")", "Looks fine?\r\n");
  EXPECT_TRUE(contains(only_mail().text(), "Nothing was done."));
  EXPECT_EQ(state_of(held), store::HeldState::waiting);
}

}  // namespace
}  // namespace cqlist::list
