#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "list/pipeline.hpp"
#include "mail/address.hpp"
#include "mail/encoded_word.hpp"
#include "mail/message.hpp"
#include "mail/mime.hpp"

namespace cqlist::list {
namespace {

// "こんにちは" (hello) and "ハム無線クラブ" (ham radio club) in ISO-2022-JP encoded words.
constexpr std::string_view kHelloJis = "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=";
constexpr std::string_view kHelloUtf8 =
    "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF";
constexpr std::string_view kClubUtf8 =
    "\xE3\x83\x8F\xE3\x83\xA0\xE7\x84\xA1\xE7\xB7\x9A\xE3\x82\xAF\xE3\x83\xA9\xE3\x83\x96";

PostContext ham_context() {
  PostContext context;
  context.list.id = 1;
  context.list.name = "ham";
  context.list.domain = "lists.example";
  context.article = 12;
  context.author = "taro@example.com";
  return context;
}

mail::Message post(std::string_view extra_fields, std::string_view body = "Hello.\n") {
  return mail::Message::parse(std::string("Received: from mx.example.com by lists.example\n"
                                          "From: Taro <taro@example.com>\n"
                                          "To: ham@lists.example\n") +
                              std::string(extra_fields) + "\n" + std::string(body));
}

std::string subject_after(std::string_view subject_value, PostContext context = ham_context()) {
  mail::Message message = post("Subject: " + std::string(subject_value) + "\n");
  Result<void> done = decorate_subject(message, context);
  EXPECT_TRUE(done) << (done ? "" : done.error().message());
  return message.first_value("Subject").value_or("<none>");
}

std::size_t count(const mail::Message& message, std::string_view name) {
  return message.find_all(name).size();
}

mail::Message decorated(std::string_view extra_fields, PostContext& context) {
  mail::Message message = post(extra_fields);
  Result<void> done = decorate_headers(message, context);
  EXPECT_TRUE(done) << (done ? "" : done.error().message());
  return message;
}

// --- decorate_subject

TEST(DecorateSubject, TagsWithTheArticleNumberAndCollapsesOldTagsAndReplies) {
  EXPECT_EQ(subject_after("hello"), "[ham:00012] hello");
  EXPECT_EQ(subject_after("Re: [ham:00011] hello"), "[ham:00012] Re: hello");
  EXPECT_EQ(subject_after("[ham:00011] Re: Re: [ham:00010] hello"), "[ham:00012] Re: hello");
}

TEST(DecorateSubject, FollowsTheTagSettings) {
  PostContext context = ham_context();
  context.settings.subject_tag = "(,)";
  context.settings.tag_width = 3;
  EXPECT_EQ(subject_after("hello", context), "(ham,012) hello");
  context.settings.subject_tag = "[]";
  context.settings.tag_name = "HAM";
  EXPECT_EQ(subject_after("Re: [HAM] hello", context), "[HAM] Re: hello");
}

TEST(DecorateSubject, NoneLeavesTheMessageAlone) {
  PostContext context = ham_context();
  context.settings.subject_tag = "none";
  mail::Message message = post("Subject: Re: [ham:00011] hello\n");
  std::string before = message.serialize();
  ASSERT_TRUE(decorate_subject(message, context));
  EXPECT_EQ(message.serialize(), before);
}

TEST(DecorateSubject, NumberOnlyTagsReplaceOldNumberTags) {
  PostContext context = ham_context();
  context.settings.subject_tag = "[#]";
  EXPECT_EQ(subject_after("hello", context), "[00012] hello");
  EXPECT_EQ(subject_after("Re: [00011] hello", context), "[00012] Re: hello");
  EXPECT_EQ(subject_after("[00011] Re: [00010] hello", context), "[00012] Re: hello");
  // A bracketed year is part of the subject, not a tag.
  EXPECT_EQ(subject_after("[2024] report", context), "[00012] [2024] report");
  context.settings.subject_tag = "(#)";
  EXPECT_EQ(subject_after("Re: (00011) hello", context), "(00012) Re: hello");
}

TEST(DecorateSubject, KeepsAnIso2022JpSubjectInItsEncodedWord) {
  std::string subject = subject_after(kHelloJis);
  EXPECT_EQ(subject, "[ham:00012] " + std::string(kHelloJis));
  EXPECT_EQ(mail::decode_header_text(subject), "[ham:00012] " + std::string(kHelloUtf8));
  std::string reply = subject_after("Re: [ham:00011] " + std::string(kHelloJis));
  EXPECT_EQ(reply, "[ham:00012] Re: " + std::string(kHelloJis));
  PostContext number_only = ham_context();
  number_only.settings.subject_tag = "[#]";
  EXPECT_EQ(subject_after("Re: [00011] " + std::string(kHelloJis), number_only),
            "[00012] Re: " + std::string(kHelloJis));
}

TEST(DecorateSubject, AddsASubjectWhenThereIsNone) {
  PostContext context = ham_context();
  mail::Message message = post("");
  ASSERT_TRUE(decorate_subject(message, context));
  EXPECT_EQ(message.first_value("Subject"), "[ham:00012]");
}

TEST(DecorateSubject, ReplacesTheFieldInPlace) {
  PostContext context = ham_context();
  mail::Message message = post("Subject: hello\nX-Later: 1\n");
  ASSERT_TRUE(decorate_subject(message, context));
  ASSERT_EQ(message.find_first("Subject"), 3u);
  EXPECT_EQ(message.fields()[4].name(), "X-Later");
}

// --- decorate_headers

TEST(DecorateHeaders, AddsTheListFields) {
  PostContext context = ham_context();
  context.settings.description = "Ham radio club";
  mail::Message message = decorated("Subject: hi\n", context);
  EXPECT_EQ(message.first_value("List-Id"), "\"Ham radio club\" <ham.lists.example>");
  EXPECT_EQ(message.first_value("List-Help"), "<mailto:ham-request@lists.example?subject=help>");
  EXPECT_EQ(message.first_value("List-Subscribe"),
            "<mailto:ham-request@lists.example?subject=subscribe>");
  EXPECT_EQ(message.first_value("List-Unsubscribe"),
            "<mailto:ham-request@lists.example?subject=unsubscribe>");
  EXPECT_EQ(message.first_value("List-Post"), "<mailto:ham@lists.example>");
  EXPECT_EQ(message.first_value("List-Owner"), "<mailto:ham-owner@lists.example>");
  EXPECT_EQ(message.first_value("Precedence"), "list");
  EXPECT_EQ(message.first_value("Sender"), "ham-owner@lists.example");
  EXPECT_FALSE(message.first_value("List-Archive"));
  EXPECT_FALSE(message.first_value("List-Unsubscribe-Post"));
  EXPECT_FALSE(message.first_value("X-ML-Name"));
  EXPECT_FALSE(message.first_value("X-Mail-Count"));
  // The poster's fields are untouched, byte for byte.
  EXPECT_EQ(message.fields()[0].raw(), "Received: from mx.example.com by lists.example\n");
  EXPECT_EQ(message.first_value("From"), "Taro <taro@example.com>");
  EXPECT_EQ(message.first_value("Subject"), "hi");
}

TEST(DecorateHeaders, ListIdDescriptionsAreQuotedOrEncoded) {
  PostContext context = ham_context();
  context.settings.description = "Ham \"radio\" club \\ Tokyo";
  EXPECT_EQ(decorated("", context).first_value("List-Id"),
            "\"Ham \\\"radio\\\" club \\\\ Tokyo\" <ham.lists.example>");
  context.settings.description = "";
  EXPECT_EQ(decorated("", context).first_value("List-Id"), "<ham.lists.example>");

  context.settings.description = std::string(kClubUtf8);
  context.settings.language = "ja";
  std::string japanese = decorated("", context).first_value("List-Id").value_or("");
  EXPECT_TRUE(japanese.starts_with("=?ISO-2022-JP?")) << japanese;
  EXPECT_EQ(mail::decode_header_text(japanese), std::string(kClubUtf8) + " <ham.lists.example>");
  context.settings.language = "en";
  std::string utf8 = decorated("", context).first_value("List-Id").value_or("");
  EXPECT_TRUE(utf8.starts_with("=?UTF-8?") || utf8.starts_with("=?utf-8?")) << utf8;
  EXPECT_EQ(mail::decode_header_text(utf8), std::string(kClubUtf8) + " <ham.lists.example>");
}

TEST(DecorateHeaders, WebUrlAddsArchiveAndAnHttpsUnsubscribe) {
  PostContext context = ham_context();
  context.settings.web_url = "https://lists.example/ham/";
  mail::Message message = decorated("", context);
  EXPECT_EQ(message.first_value("List-Unsubscribe"),
            "<https://lists.example/ham/unsubscribe>, "
            "<mailto:ham-request@lists.example?subject=unsubscribe>");
  EXPECT_EQ(message.first_value("List-Archive"), "<https://lists.example/ham/>");
  // Not one-click: this URI does not say who the recipient is (RFC 8058 §3.1).
  EXPECT_FALSE(message.first_value("List-Unsubscribe-Post"));
  for (const mail::HeaderField& field : message.fields()) {
    EXPECT_LE(field.raw().find('\n'), 78u) << field.raw();
  }

  context.settings.personalize = true;
  EXPECT_EQ(decorated("", context).first_value("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click");
}

TEST(DecorateHeaders, ARelayedPostCarriesOnlyThisListsFields) {
  PostContext context = ham_context();
  context.settings.fml_headers = true;
  mail::Message message = decorated(
      "List-Id: Other list <other.example.org>\n"
      "List-Unsubscribe: <mailto:other-request@example.org>\n"
      "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
      "List-Post: <mailto:other@example.org>\n"
      "List-Archive: <https://example.org/other/>\n"
      "X-ML-Name: other\n"
      "X-Mail-Count: 5\n"
      "X-MLServer: fml [fml 4.0.3 release (20011202/4.0.3)]\n"
      "Precedence: bulk\n"
      "Sender: other-bounces@example.org\n"
      "Errors-To: other-admin@example.org\n",
      context);
  for (std::string_view name : {"List-Id", "List-Unsubscribe", "List-Post", "X-ML-Name",
                                "X-Mail-Count", "Precedence", "Sender"}) {
    EXPECT_EQ(count(message, name), 1u) << name;
  }
  for (std::string_view name :
       {"List-Unsubscribe-Post", "List-Archive", "X-MLServer", "Errors-To"}) {
    EXPECT_EQ(count(message, name), 0u) << name;
  }
  EXPECT_EQ(message.first_value("List-Id"), "<ham.lists.example>");
  EXPECT_EQ(message.first_value("X-ML-Name"), "ham");
  EXPECT_EQ(message.first_value("X-Mail-Count"), "00012");
  EXPECT_EQ(message.first_value("Precedence"), "list");
  EXPECT_EQ(message.first_value("Sender"), "ham-owner@lists.example");
}

TEST(DecorateHeaders, FmlHeadersUseTheTagNameAndWidth) {
  PostContext context = ham_context();
  context.settings.fml_headers = true;
  context.settings.tag_name = "Ham";
  context.settings.tag_width = 3;
  context.article = 1234;
  mail::Message message = decorated("", context);
  EXPECT_EQ(message.first_value("X-ML-Name"), "Ham");
  EXPECT_EQ(message.first_value("X-Mail-Count"), "1234");
}

TEST(DecorateHeaders, RemovesFieldsThatMustNotReachTheMembers) {
  PostContext context = ham_context();
  mail::Message message = decorated(
      "Return-Receipt-To: taro@example.com\n"
      "Disposition-Notification-To: taro@example.com\n"
      "X-Confirm-Reading-To: taro@example.com\n"
      "Approved: secret-password\n"
      "approve: secret-password\n"
      "Urgent: secret-password\n"
      "DKIM-Signature: v=1; a=rsa-sha256; d=lists.example; s=old;\n"
      "\th=from:subject; bh=AAAA; b=BBBB\n"
      "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=CCCC; b=DDDD\n",
      context);
  for (std::string_view name : {"Return-Receipt-To", "Disposition-Notification-To",
                                "X-Confirm-Reading-To", "Approved", "Approve", "Urgent"}) {
    EXPECT_EQ(count(message, name), 0u) << name;
  }
  // The author's signature stays (ARC and the receiver may still use it); the list's own from
  // an earlier pass goes.
  ASSERT_EQ(count(message, "DKIM-Signature"), 1u);
  EXPECT_NE(message.first_value("DKIM-Signature")->find("d=example.com"), std::string::npos);
  ASSERT_EQ(context.notes.size(), 1u);
  EXPECT_EQ(context.notes[0],
            "fields_removed: Return-Receipt-To, Disposition-Notification-To, "
            "X-Confirm-Reading-To, Approved, Approve, Urgent, DKIM-Signature");
}

TEST(DecorateHeaders, ReplyToFollowsThePolicy) {
  PostContext context = ham_context();
  std::string_view own_reply_to = "Reply-To: Taro at home <taro@home.example>\n";

  context.settings.reply_to = ReplyToPolicy::keep;
  EXPECT_EQ(decorated(own_reply_to, context).first_value("Reply-To"),
            "Taro at home <taro@home.example>");
  EXPECT_FALSE(decorated("", context).first_value("Reply-To"));

  context.settings.reply_to = ReplyToPolicy::list;
  mail::Message to_list = decorated(own_reply_to, context);
  EXPECT_EQ(count(to_list, "Reply-To"), 1u);
  EXPECT_EQ(to_list.first_value("Reply-To"), "ham@lists.example");

  context.settings.reply_to = ReplyToPolicy::poster;
  mail::Message to_poster = decorated(own_reply_to, context);
  EXPECT_EQ(count(to_poster, "Reply-To"), 1u);
  EXPECT_EQ(to_poster.first_value("Reply-To"), "Taro <taro@example.com>");
}

TEST(DecorateHeaders, DecoratingTwiceGivesTheSameFields) {
  PostContext context = ham_context();
  context.settings.web_url = "https://lists.example/ham/";
  context.settings.fml_headers = true;
  context.settings.reply_to = ReplyToPolicy::list;
  mail::Message once = decorated("Subject: hi\n", context);
  mail::Message twice = once;
  ASSERT_TRUE(decorate_headers(twice, context));
  EXPECT_EQ(twice.serialize(), once.serialize());
}

TEST(DecorateHeaders, WritesCrlfInACrlfMessage) {
  PostContext context = ham_context();
  mail::Message message =
      mail::Message::parse("From: taro@example.com\r\nSubject: hi\r\n\r\nHello.\r\n");
  ASSERT_TRUE(decorate_headers(message, context));
  std::string bytes = message.serialize();
  EXPECT_NE(bytes.find("List-Id: <ham.lists.example>\r\n"), std::string::npos);
  for (std::size_t at = bytes.find('\n'); at != std::string::npos; at = bytes.find('\n', at + 1)) {
    ASSERT_GT(at, 0u);
    EXPECT_EQ(bytes[at - 1], '\r') << at;
  }
}

// --- decorate_footer

TEST(DecorateFooter, AppendsTheFooterToPlainText) {
  PostContext context = ham_context();
  context.settings.footer = "-- \nham mailing list";
  mail::Message message = post("Subject: hi\n");
  ASSERT_TRUE(decorate_footer(message, context));
  EXPECT_EQ(message.body(), "Hello.\n-- \nham mailing list\n");
  ASSERT_EQ(context.notes.size(), 1u);
  EXPECT_EQ(context.notes[0], "footer_added: appended to the text");
}

TEST(DecorateFooter, NoFooterChangesNothing) {
  PostContext context = ham_context();
  mail::Message message = post("Subject: hi\n");
  std::string before = message.serialize();
  ASSERT_TRUE(decorate_footer(message, context));
  EXPECT_EQ(message.serialize(), before);
  EXPECT_TRUE(context.notes.empty());
}

TEST(DecorateFooter, LeavesASignedPostAloneAndSaysWhy) {
  PostContext context = ham_context();
  context.settings.footer = "ham mailing list\n";
  mail::Message message = post(
      "MIME-Version: 1.0\n"
      "Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; "
      "micalg=pgp-sha256; boundary=\"b\"\n",
      "--b\nContent-Type: text/plain\n\nHello.\n--b\n"
      "Content-Type: application/pgp-signature\n\nSIG\n--b--\n");
  std::string before = message.serialize();
  ASSERT_TRUE(decorate_footer(message, context));
  EXPECT_EQ(message.serialize(), before);
  ASSERT_EQ(context.notes.size(), 1u);
  EXPECT_EQ(context.notes[0], "footer_skipped: signed_message");
}

TEST(DecorateFooter, AddsAPartToAMultipart) {
  PostContext context = ham_context();
  context.settings.footer = "ham mailing list\n";
  mail::Message message =
      post("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n",
           "--b\nContent-Type: text/plain\n\nHello.\n--b\n"
           "Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\n");
  ASSERT_TRUE(decorate_footer(message, context));
  mail::MimeTree tree = mail::MimeTree::build(message);
  ASSERT_EQ(tree.part(0).children.size(), 3u);
  EXPECT_EQ(mail::decoded_text(tree.part(tree.part(0).children[2])), "ham mailing list\n");
  EXPECT_EQ(context.notes.at(0), "footer_added: new part");
}

}  // namespace
}  // namespace cqlist::list
