// Reading commands out of mail, recognising automatic mail, the texts and the notice bytes.
#include "list/notices.hpp"

#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "list/notices_reply.hpp"
#include "list/notices_text.hpp"
#include "mail/mime.hpp"

namespace cqlist::list {
namespace {

mail::Message mail_with(std::string_view subject, std::string_view body,
                        std::string_view extra = {}) {
  return mail::Message::parse(
      "From: mia@relaxed.example\r\nSubject: " + std::string(subject) + "\r\n" +
      std::string(extra) + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + std::string(body));
}

std::vector<std::string> names(const ParsedCommands& parsed) {
  std::vector<std::string> out;
  for (const auto& command : parsed.commands) {
    out.push_back(command.name);
  }
  return out;
}

TEST(ParseCommands, SubjectThenBodyLinesUntilTheFirstNonCommand) {
  auto parsed = parse_commands(mail_with("Re: [ham] subscribe",
                                         "# INDEX\r\n\r\n> quoted help\r\nget 1-2\r\nThanks a lot, "
                                         "see you on the list\r\nhelp\r\n"),
                               "ham", "");
  EXPECT_EQ(names(parsed), (std::vector<std::string>{"subscribe", "index", "get"}));
  EXPECT_EQ(parsed.commands[2].args, std::vector<std::string>{"1-2"});
  EXPECT_EQ(parsed.commands[1].line, "# INDEX");
  EXPECT_EQ(parsed.unknown, "");  // prose after a Subject command is not reported
  EXPECT_FALSE(parsed.truncated);
}

TEST(ParseCommands, SignatureAndEndStopReading) {
  EXPECT_EQ(names(parse_commands(mail_with("", "help\r\n-- \r\nindex\r\n"), "ham", "")),
            std::vector<std::string>{"help"});
  EXPECT_EQ(names(parse_commands(mail_with("", "help\r\nend\r\nindex\r\n"), "ham", "")),
            std::vector<std::string>{"help"});
}

TEST(ParseCommands, FullWidthCommandsFromAJapaneseInputMethod) {
  // "ｓｕｂｓｃｒｉｂｅ" and "ｇｅｔ　１－３" (full-width letters, ideographic space).
  auto parsed = parse_commands(
      mail_with("",
                "\xEF\xBD\x93\xEF\xBD\x95\xEF\xBD\x82\xEF\xBD\x93\xEF\xBD\x83\xEF\xBD\x92"
                "\xEF\xBD\x89\xEF\xBD\x82\xEF\xBD\x85\r\n"
                "\xEF\xBD\x87\xEF\xBD\x85\xEF\xBD\x94\xE3\x80\x80\xEF\xBC\x91\xEF\xBC\x8D"
                "\xEF\xBC\x93\r\n"),
      "ham", "");
  EXPECT_EQ(names(parsed), (std::vector<std::string>{"subscribe", "get"}));
  EXPECT_EQ(parsed.commands[1].args, std::vector<std::string>{"1-3"});
}

TEST(ParseCommands, FullWidthCommandInARawShiftJisSubject) {
  // "ｓｕｂｓｃｒｉｂｅ" in raw Shift_JIS, as old Japanese mailers write a Subject.
  const mail::Message message =
      mail_with("\x82\x93\x82\x95\x82\x82\x82\x93\x82\x83\x82\x92\x82\x89\x82\x82\x82\x85", "");
  EXPECT_EQ(names(parse_commands(message, "ham", "Shift_JIS")),
            std::vector<std::string>{"subscribe"});
}

TEST(ParseCommands, UnknownLinesAreReportedWhenTheyLookLikeCommands) {
  EXPECT_EQ(parse_commands(mail_with("", "help\r\ndigets on\r\n"), "ham", "").unknown, "digets on");
  EXPECT_EQ(
      parse_commands(mail_with("Hello", "Dear owner, please add me to the list.\r\n"), "ham", "")
          .unknown,
      "Dear owner, please add me to the list.");
  EXPECT_EQ(
      parse_commands(mail_with("", "help\r\nI would like to know more about it.\r\n"), "ham", "")
          .unknown,
      "");
}

TEST(ParseCommands, AtMostTwentyCommandsAndRepeatsOnce) {
  std::string body;
  for (int i = 1; i <= 25; ++i) {
    body += "get " + std::to_string(i) + "\r\n";
  }
  auto parsed = parse_commands(mail_with("", body), "ham", "");
  EXPECT_EQ(parsed.commands.size(), kMaxCommands);
  EXPECT_TRUE(parsed.truncated);
  // A List-Unsubscribe mailto: fills in both Subject and body.
  EXPECT_EQ(parse_commands(mail_with("unsubscribe", "unsubscribe\r\n"), "ham", "").commands.size(),
            1u);
}

TEST(ParseCommands, BodyOfTheFirstTextPartOfAMultipart) {
  auto message = mail::Message::parse(
      "From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n"
      "Content-Type: text/plain; charset=iso-2022-jp\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "aGVscA0K\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>help</p>\r\n--b--\r\n");
  EXPECT_EQ(names(parse_commands(message, "ham", "")), std::vector<std::string>{"help"});
}

TEST(ModerationReply, TokenFromTheSubjectAndTheDecisionFromTheFirstLine) {
  EXPECT_EQ(moderation_token("Re: [ham] held post: Hi (moderate abcdefgh234567abcdefgh2345)"),
            "abcdefgh234567abcdefgh2345");
  EXPECT_EQ(moderation_token("AW: (Moderate ABCD2345ABCD2345ABCD2345AB)"),
            "abcd2345abcd2345abcd2345ab");
  // Full-width parentheses and space, as a Japanese mailer may leave them.
  EXPECT_EQ(moderation_token("Re: \xEF\xBC\x88moderate\xE3\x80\x80"
                             "abcd2345abcd2345abcd2345ab"
                             "\xEF\xBC\x89"),
            "abcd2345abcd2345abcd2345ab");
  EXPECT_EQ(moderation_token("We must moderate our tone"), std::nullopt);
  EXPECT_EQ(moderation_token("Hello"), std::nullopt);
  EXPECT_EQ(first_text_line(mail_with("x", "\r\nOn Mon, Mo wrote:\r\n> text\r\nreject Spam\r\n")),
            "reject Spam");
}

TEST(ModerationReply, TheHeldPostsOwnSubjectCannotSupplyTheToken) {
  const std::string token = "qrstuvwxyz234567qrstuvwxyz";
  // A long word after "moderate" is English, not a code.
  EXPECT_EQ(moderation_token("Re: [ham] held post: How to moderate internationalization debates "
                             "(moderate " +
                             token + ")"),
            token);
  EXPECT_EQ(moderation_token("How to moderate internationalization debates"), std::nullopt);
  // A code-like "(moderate ...)" in the post's subject comes before the notice's own.
  EXPECT_EQ(moderation_token("Re: [ham] held post: (moderate aaaaaaaaaaaaaaaaaaaaaaaaaa) "
                             "(moderate " +
                             token + ")"),
            token);
  // Only the form the notice writes, with a code of the length the server makes.
  EXPECT_EQ(moderation_token("moderate " + token), std::nullopt);
  EXPECT_EQ(moderation_token("(moderate " + token.substr(1) + ")"), std::nullopt);
  EXPECT_EQ(moderation_token("(moderate " + token + "a)"), std::nullopt);
  EXPECT_EQ(moderation_token("(moderate" + token + ")"), std::nullopt);
}

TEST(AutomaticMail, RecognisesBouncesAutoRepliesAndLists) {
  ListAddresses addresses{"ham@cq-test.example", "ham-request@cq-test.example",
                          "ham-owner@cq-test.example", "ham.cq-test.example"};
  auto reason = [&](std::string_view envelope, std::string_view extra) {
    return automatic_mail_reason(envelope, mail_with("help", "", extra), addresses);
  };
  EXPECT_EQ(reason("a@example.org", ""), std::nullopt);
  EXPECT_EQ(reason("a@example.org", "Auto-Submitted: no\r\n"), std::nullopt);
  EXPECT_EQ(reason("", ""), "null envelope sender (a bounce or a notification)");
  EXPECT_EQ(reason("<mailer-daemon@mx.example.org>", ""), "sent by MAILER-DAEMON");
  EXPECT_EQ(reason("a@example.org", "Auto-Submitted: auto-generated; owner-email=x\r\n"),
            "Auto-Submitted: auto-generated");
  EXPECT_EQ(reason("a@example.org", "Precedence: List\r\n"), "Precedence: list");
  EXPECT_TRUE(reason("a@example.org", "List-Id: <x.example.org>\r\n"));
  EXPECT_TRUE(reason("a@example.org", "X-Loop: <HAM@cq-test.example>\r\n"));
  EXPECT_FALSE(reason("a@example.org", "X-Loop: other@example.org\r\n"));
  EXPECT_TRUE(reason("a@example.org", "X-Autoreply: yes\r\n"));
  EXPECT_TRUE(reason("a@example.org", "Content-Type: multipart/report; report-type=x\r\n"));
}

// The fields each text names ("{list}"), so the two languages can be compared.
std::set<std::string> fields_of(std::string_view text) {
  std::set<std::string> out;
  static const std::regex field(R"(\{([a-z_]+)\})");
  std::string copy(text);
  for (auto it = std::sregex_iterator(copy.begin(), copy.end(), field);
       it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

TEST(NoticeTexts, BothLanguagesUseTheSameFields) {
  for (int i = 0; i < static_cast<int>(Text::count_); ++i) {
    const auto id = static_cast<Text>(i);
    EXPECT_EQ(fields_of(text(Language::en, id)), fields_of(text(Language::ja, id))) << i;
  }
}

TEST(NoticeTexts, MissingFieldKeepsTheText) {
  EXPECT_EQ(say(Language::en, Text::welcome_subject, fmt::arg("list", "ham@x")),
            "Welcome to ham@x");
  EXPECT_EQ(say(Language::en, Text::welcome_subject), "Welcome to {list}");
}

TEST(Notices, DateAndHeaderOfARenderedNotice) {
  const auto when = std::chrono::system_clock::from_time_t(1700000000);
  EXPECT_EQ(rfc5322_date(when), "Tue, 14 Nov 2023 22:13:20 +0000");

  store::ListRow list;
  list.name = "ham";
  list.domain = "cq-test.example";
  Notice notice;
  notice.to = {"a@example.org", "b@example.org"};
  notice.subject = "Line\r\nBcc: evil@example.org";  // a CR LF in data cannot add a field
  notice.body = "plain\n";
  notice.answers_a_message = false;
  auto bytes = render_notice(notice, list, when);
  ASSERT_TRUE(bytes);
  auto message = mail::Message::parse(*bytes);
  EXPECT_EQ(message.find_all("Bcc").size(), 0u);
  EXPECT_EQ(message.first_value("Subject"), "Line  Bcc: evil@example.org");
  EXPECT_EQ(message.first_value("To"), "a@example.org, b@example.org");
  EXPECT_EQ(message.first_value("Auto-Submitted"), "auto-generated");
  EXPECT_EQ(message.first_value("Content-Transfer-Encoding"), "7bit");
  EXPECT_EQ(message.body(), "plain\r\n");
  EXPECT_TRUE(message.defects().empty());
}

TEST(Notices, AnswerThreadsAndTrimsLongReferences) {
  std::string references;
  for (int i = 0; i < 30; ++i) {
    references += "<r" + std::to_string(i) + "@x> ";
  }
  Notice notice;
  answer(notice,
         mail::Message::parse("Message-ID: <m@x>\r\nReferences: " + references + "\r\n\r\n"));
  EXPECT_EQ(notice.in_reply_to, "<m@x>");
  EXPECT_TRUE(notice.references.starts_with("<r0@x>\r\n <r22@x>"));
  EXPECT_TRUE(notice.references.ends_with("<r29@x>\r\n <m@x>"));
}

}  // namespace
}  // namespace cqlist::list
