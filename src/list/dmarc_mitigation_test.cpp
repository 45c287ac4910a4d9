#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "list/pipeline.hpp"
#include "mail/address.hpp"
#include "mail/message.hpp"
#include "mail/mime.hpp"

namespace cqlist::list {
namespace {

// "山田太郎" in an ISO-2022-JP encoded word, and in UTF-8.
constexpr std::string_view kYamadaJis = "=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?=";
constexpr std::string_view kYamadaUtf8 = "\xE5\xB1\xB1\xE7\x94\xB0\xE5\xA4\xAA\xE9\x83\x8E";

PostContext ham_context() {
  PostContext context;
  context.list.id = 1;
  context.list.name = "ham";
  context.list.domain = "lists.example";
  context.article = 12;
  return context;
}

// A post from a domain that publishes p=reject.
PostContext enforcing_context(std::string domain = "yahoo.example") {
  PostContext context = ham_context();
  context.authenticity.from_domain = std::move(domain);
  context.authenticity.dmarc_policy = "reject";
  context.authenticity.from_domain_enforces = true;
  return context;
}

mail::Message post(std::string_view from, std::string_view extra_fields = "") {
  return mail::Message::parse(
      "Received: from mx.yahoo.example by lists.example\n"
      "From: " +
      std::string(from) +
      "\n"
      "To: ham@lists.example\n"
      "Subject: [ham:00012] hello\n" +
      std::string(extra_fields) + "\nHello.\n");
}

mail::Mailbox only_mailbox(const mail::Message& message, std::string_view field) {
  std::optional<std::size_t> index = message.find_first(field);
  EXPECT_TRUE(index) << field;
  if (!index) {
    return {};
  }
  std::vector<mail::Mailbox> mailboxes =
      mail::parse_address_list(message.fields()[*index].value()).mailboxes();
  EXPECT_EQ(mailboxes.size(), 1u) << message.fields()[*index].raw();
  return mailboxes.empty() ? mail::Mailbox{} : mailboxes.front();
}

std::vector<mail::Mailbox> mailboxes(const mail::Message& message, std::string_view field) {
  return mail::parse_address_list(message.first_value(field).value_or("")).mailboxes();
}

mail::Message mitigated(mail::Message message, PostContext& context) {
  Result<void> done = mitigate_dmarc(message, context);
  EXPECT_TRUE(done) << (done ? "" : done.error().message());
  return message;
}

TEST(MitigateDmarc, RewritesFromForAnEnforcingDomain) {
  PostContext context = enforcing_context();
  mail::Message message = mitigated(post("Taro <taro@yahoo.example>"), context);
  mail::Mailbox from = only_mailbox(message, "From");
  EXPECT_EQ(from.display_name, "Taro via ham");
  EXPECT_EQ(from.addr_spec(), "ham@lists.example");
  EXPECT_EQ(message.first_value("X-Original-From"), "Taro <taro@yahoo.example>");
  EXPECT_EQ(message.first_value("Reply-To"), "Taro <taro@yahoo.example>");
  // X-Original-From stands right after From; the rest keeps its place.
  EXPECT_EQ(message.fields()[1].name(), "From");
  EXPECT_EQ(message.fields()[2].name(), "X-Original-From");
  EXPECT_EQ(message.fields()[3].raw(), "To: ham@lists.example\n");
  ASSERT_EQ(context.notes.size(), 1u);
  EXPECT_EQ(context.notes[0],
            "from_rewritten: yahoo.example publishes p=reject (author in Reply-To)");
}

TEST(MitigateDmarc, LeavesAPostAloneWhenNotNeeded) {
  PostContext context = ham_context();
  context.authenticity.from_domain = "example.org";
  context.authenticity.dmarc_policy = "none";
  mail::Message original = post("Hanako <hanako@example.org>");
  mail::Message message = mitigated(original, context);
  EXPECT_EQ(message.serialize(), original.serialize());
  EXPECT_TRUE(context.notes.empty());
}

TEST(MitigateDmarc, RewritesForListedDomainsAndTheirSubdomains) {
  PostContext context = ham_context();  // rewrite_domains defaults to gmail.com, googlemail.com
  mail::Message gmail = mitigated(post("jiro@Gmail.com"), context);
  EXPECT_EQ(only_mailbox(gmail, "From").addr_spec(), "ham@lists.example");
  EXPECT_EQ(context.notes.at(0),
            "from_rewritten: gmail.com is in rewrite_domains (author in Reply-To)");

  context.notes.clear();
  context.settings.rewrite_domains = {"example.net"};
  mail::Message sub = mitigated(post("jiro@mail.example.net"), context);
  EXPECT_EQ(only_mailbox(sub, "From").addr_spec(), "ham@lists.example");
  EXPECT_EQ(context.notes.at(0),
            "from_rewritten: mail.example.net is under example.net in rewrite_domains (author in "
            "Reply-To)");
  // A domain that merely ends in the same letters is not under it.
  context.notes.clear();
  mail::Message other = mitigated(post("jiro@badexample.net"), context);
  EXPECT_EQ(only_mailbox(other, "From").addr_spec(), "jiro@badexample.net");
}

TEST(MitigateDmarc, AlwaysAndNever) {
  PostContext always = ham_context();
  always.settings.from_rewrite = FromRewrite::always;
  mail::Message rewritten = mitigated(post("hanako@example.org"), always);
  mail::Mailbox from = only_mailbox(rewritten, "From");
  EXPECT_EQ(from.display_name, "hanako via ham");  // no name: the local part
  EXPECT_EQ(from.addr_spec(), "ham@lists.example");
  EXPECT_EQ(always.notes.at(0), "from_rewritten: from_rewrite=always (author in Reply-To)");

  PostContext never = enforcing_context();
  never.settings.from_rewrite = FromRewrite::never;
  mail::Message original = post("taro@yahoo.example");
  EXPECT_EQ(mitigated(original, never).serialize(), original.serialize());
  EXPECT_EQ(never.notes.at(0),
            "from_kept: yahoo.example publishes p=reject, but from_rewrite=never");
}

TEST(MitigateDmarc, UsesTheTagNameInTheDisplayName) {
  PostContext context = enforcing_context();
  context.settings.tag_name = "HamClub";
  mail::Message message = mitigated(post("Taro <taro@yahoo.example>"), context);
  EXPECT_EQ(only_mailbox(message, "From").display_name, "Taro via HamClub");
}

TEST(MitigateDmarc, KeepsAJapaneseNameInIso2022Jp) {
  PostContext context = enforcing_context();
  std::string original_from = std::string(kYamadaJis) + " <taro@yahoo.example>";
  mail::Message message = mitigated(post(original_from), context);
  std::string raw_from(message.fields()[1].value());
  EXPECT_NE(raw_from.find("=?ISO-2022-JP?"), std::string::npos) << raw_from;
  mail::Mailbox from = only_mailbox(message, "From");
  EXPECT_EQ(from.display_name, std::string(kYamadaUtf8) + " via ham");
  EXPECT_EQ(from.addr_spec(), "ham@lists.example");
  EXPECT_EQ(message.first_value("X-Original-From"), original_from);
  EXPECT_EQ(message.first_value("Reply-To"), original_from);
}

TEST(MitigateDmarc, WritesAUtf8NameInUtf8) {
  PostContext context = enforcing_context();
  mail::Message message =
      mitigated(post("=?UTF-8?B?5bGx55Sw5aSq6YOO?= <taro@yahoo.example>"), context);
  std::string raw_from(message.fields()[1].value());
  EXPECT_EQ(raw_from.find("ISO-2022-JP"), std::string::npos) << raw_from;
  EXPECT_EQ(only_mailbox(message, "From").display_name, std::string(kYamadaUtf8) + " via ham");
}

TEST(MitigateDmarc, QuotedNamesWithCommasStayOneName) {
  PostContext context = enforcing_context();
  mail::Message message = mitigated(post("\"Doe, John\" <john@yahoo.example>"), context);
  mail::Mailbox from = only_mailbox(message, "From");
  EXPECT_EQ(from.display_name, "Doe, John via ham");
  EXPECT_EQ(message.first_value("X-Original-From"), "\"Doe, John\" <john@yahoo.example>");
  ASSERT_EQ(mailboxes(message, "Reply-To").size(), 1u);
  EXPECT_EQ(mailboxes(message, "Reply-To")[0].display_name, "Doe, John");
}

TEST(MitigateDmarc, SeveralAuthorsAllGoToXOriginalFromAndReplyTo) {
  PostContext context = enforcing_context();
  mail::Message message = mitigated(
      post("alice@yahoo.example, Bob <bob@example.org>", "Sender: alice@yahoo.example\n"), context);
  mail::Mailbox from = only_mailbox(message, "From");
  EXPECT_EQ(from.display_name, "alice, Bob via ham");
  EXPECT_EQ(from.addr_spec(), "ham@lists.example");
  EXPECT_EQ(message.first_value("X-Original-From"), "alice@yahoo.example, Bob <bob@example.org>");
  std::vector<mail::Mailbox> reply_to = mailboxes(message, "Reply-To");
  ASSERT_EQ(reply_to.size(), 2u);
  EXPECT_EQ(reply_to[0].addr_spec(), "alice@yahoo.example");
  EXPECT_EQ(reply_to[1].addr_spec(), "bob@example.org");
}

TEST(MitigateDmarc, GroupSyntaxAndRepeatedFromFieldsLoseNoAuthor) {
  PostContext context = enforcing_context();
  mail::Message grouped =
      mitigated(post("Authors: alice@yahoo.example, bob@example.org;"), context);
  EXPECT_EQ(only_mailbox(grouped, "From").display_name, "alice, bob via ham");
  EXPECT_EQ(grouped.first_value("X-Original-From"),
            "Authors: alice@yahoo.example, bob@example.org;");

  mail::Message twice =
      mitigated(post("alice@yahoo.example", "From: carol@example.org\n"), context);
  EXPECT_EQ(twice.find_all("From").size(), 1u);
  EXPECT_EQ(only_mailbox(twice, "From").display_name, "alice, carol via ham");
  std::vector<mail::Mailbox> original =
      mail::parse_address_list(twice.first_value("X-Original-From").value_or("")).mailboxes();
  ASSERT_EQ(original.size(), 2u);
  EXPECT_EQ(original[1].addr_spec(), "carol@example.org");
}

TEST(MitigateDmarc, AnExistingReplyToIsKept) {
  PostContext context = enforcing_context();
  mail::Message message =
      mitigated(post("taro@yahoo.example", "Reply-To: ham@lists.example\n"), context);
  EXPECT_EQ(message.find_all("Reply-To").size(), 1u);
  EXPECT_EQ(message.first_value("Reply-To"), "ham@lists.example");
  EXPECT_EQ(context.notes.at(0),
            "from_rewritten: yahoo.example publishes p=reject (Reply-To kept)");
}

TEST(MitigateDmarc, CcPlacementAddsOnlyMissingAuthors) {
  PostContext context = enforcing_context();
  context.settings.author_placement = AuthorPlacement::cc;
  mail::Message no_cc = mitigated(post("Taro <taro@yahoo.example>"), context);
  EXPECT_EQ(no_cc.first_value("Cc"), "Taro <taro@yahoo.example>");
  EXPECT_FALSE(no_cc.first_value("Reply-To"));
  EXPECT_EQ(context.notes.at(0), "from_rewritten: yahoo.example publishes p=reject (author in Cc)");

  mail::Message with_cc =
      mitigated(post("Taro <taro@yahoo.example>", "Cc: carol@example.org\n"), context);
  std::vector<mail::Mailbox> cc = mailboxes(with_cc, "Cc");
  ASSERT_EQ(cc.size(), 2u);
  EXPECT_EQ(cc[0].addr_spec(), "carol@example.org");
  EXPECT_EQ(cc[1].addr_spec(), "taro@yahoo.example");
  EXPECT_EQ(cc[1].display_name, "Taro");

  mail::Message already =
      mitigated(post("Taro <taro@yahoo.example>", "Cc: TARO@yahoo.example\n"), context);
  EXPECT_EQ(mailboxes(already, "Cc").size(), 1u);
}

TEST(MitigateDmarc, RewritingTwiceChangesNothingMore) {
  PostContext context = enforcing_context();
  mail::Message once = mitigated(post("Taro <taro@yahoo.example>"), context);
  mail::Message twice = mitigated(once, context);
  EXPECT_EQ(twice.serialize(), once.serialize());
  EXPECT_EQ(twice.find_all("X-Original-From").size(), 1u);
  EXPECT_EQ(context.notes.size(), 1u);

  // A post the list itself sent (a notice) is already from the list.
  PostContext always = ham_context();
  always.settings.from_rewrite = FromRewrite::always;
  mail::Message own = post("\"ham list\" <HAM@lists.example>");
  EXPECT_EQ(mitigated(own, always).serialize(), own.serialize());
}

TEST(MitigateDmarc, ReplacesAnotherListsXOriginalFrom) {
  PostContext context = enforcing_context("other.example");
  mail::Message message = mitigated(
      post("\"Taro via other\" <other@other.example>", "X-Original-From: taro@yahoo.example\n"),
      context);
  EXPECT_EQ(message.find_all("X-Original-From").size(), 1u);
  EXPECT_EQ(message.first_value("X-Original-From"), "\"Taro via other\" <other@other.example>");
  EXPECT_EQ(only_mailbox(message, "From").display_name, "Taro via other via ham");

  // Written above From, it still ends up right after it.
  mail::Message above = mitigated(mail::Message::parse("X-Original-From: taro@yahoo.example\n"
                                                       "From: other@other.example\n"
                                                       "Subject: hi\n\nHello.\n"),
                                  context);
  ASSERT_EQ(above.fields().size(), 4u);
  EXPECT_EQ(above.fields()[0].name(), "From");
  EXPECT_EQ(above.fields()[1].raw(), "X-Original-From: other@other.example\n");
  EXPECT_EQ(above.fields()[2].name(), "Subject");
  EXPECT_EQ(above.fields()[3].name(), "Reply-To");
}

TEST(MitigateDmarc, NoFromIsNotedAndLeftAlone) {
  PostContext context = enforcing_context();
  mail::Message original = mail::Message::parse("Subject: hi\n\nHello.\n");
  EXPECT_EQ(mitigated(original, context).serialize(), original.serialize());
  EXPECT_EQ(context.notes.at(0), "from_kept: the post has no From address to rewrite");
}

TEST(MitigateDmarc, WrapAttachesThePostByteForByte) {
  PostContext context = enforcing_context();
  context.settings.from_rewrite = FromRewrite::wrap;
  mail::Message original = mail::Message::parse(
      "Received: from mx.yahoo.example by lists.example\r\n"
      "DKIM-Signature: v=1; a=rsa-sha256; d=yahoo.example; s=s; h=from; bh=A; b=B\r\n"
      "From: " +
      std::string(kYamadaJis) +
      " <taro@yahoo.example>\r\n"
      "To: ham@lists.example\r\n"
      "Subject: [ham:00012] hello\r\n"
      "Message-ID: <1@yahoo.example>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "List-Id: <ham.lists.example>\r\n"
      "\r\n"
      "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF\r\n");
  std::string original_bytes = original.serialize();
  mail::Message outer = mitigated(original, context);

  mail::MimeTree tree = mail::MimeTree::build(outer);
  EXPECT_TRUE(tree.defects().empty());
  const mail::MimePart& root = tree.part(0);
  EXPECT_TRUE(root.content_type.is("multipart", "mixed"));
  EXPECT_TRUE(root.closed);
  ASSERT_EQ(root.children.size(), 1u);
  const mail::MimePart& attached = tree.part(root.children[0]);
  EXPECT_TRUE(attached.content_type.is("message", "rfc822"));
  EXPECT_EQ(attached.transfer_encoding, mail::TransferEncoding::eight_bit);
  EXPECT_EQ(attached.body, original_bytes);

  // The new message is from the list and carries the post's identity, but none of its
  // content description or signatures.
  mail::Mailbox from = only_mailbox(outer, "From");
  EXPECT_EQ(from.addr_spec(), "ham@lists.example");
  EXPECT_EQ(from.display_name, std::string(kYamadaUtf8) + " via ham");
  EXPECT_EQ(outer.first_value("Subject"), "[ham:00012] hello");
  EXPECT_EQ(outer.first_value("Message-ID"), "<1@yahoo.example>");
  EXPECT_EQ(outer.first_value("List-Id"), "<ham.lists.example>");
  EXPECT_EQ(outer.first_value("Reply-To"), std::string(kYamadaJis) + " <taro@yahoo.example>");
  EXPECT_EQ(outer.find_all("DKIM-Signature").size(), 0u);
  EXPECT_EQ(outer.find_all("Content-Type").size(), 1u);
  EXPECT_EQ(outer.find_all("Content-Transfer-Encoding").size(), 0u);
  EXPECT_EQ(outer.find_all("MIME-Version").size(), 1u);
  EXPECT_EQ(outer.line_ending(), "\r\n");
  EXPECT_EQ(context.notes.at(0),
            "from_wrapped: yahoo.example publishes p=reject (author in Reply-To)");
}

TEST(MitigateDmarc, WrapOnlyWhenNeeded) {
  PostContext context = ham_context();
  context.settings.from_rewrite = FromRewrite::wrap;
  mail::Message original = post("hanako@example.org");
  EXPECT_EQ(mitigated(original, context).serialize(), original.serialize());
}

TEST(MitigateDmarc, WrapOfASevenBitPostSaysSo) {
  PostContext context = enforcing_context();
  context.settings.from_rewrite = FromRewrite::wrap;
  mail::Message original = post("taro@yahoo.example");
  std::string original_bytes = original.serialize();
  mail::Message outer = mitigated(original, context);
  mail::MimeTree tree = mail::MimeTree::build(outer);
  ASSERT_EQ(tree.part(0).children.size(), 1u);
  const mail::MimePart& attached = tree.part(tree.part(0).children[0]);
  EXPECT_EQ(attached.transfer_encoding, mail::TransferEncoding::seven_bit);
  EXPECT_EQ(attached.body, original_bytes);
  EXPECT_EQ(outer.line_ending(), "\n");
}

}  // namespace
}  // namespace cqlist::list
