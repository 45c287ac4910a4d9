#include "mail/subject.hpp"

#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"
#include "mail/message.hpp"

namespace cqlist::mail {
namespace {

std::string read_message_file(const std::string& name) {
  std::ifstream in(std::string(CQLIST_SOURCE_ROOT) + "/tests/data/messages/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in) << name;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ListSubjectOptions cq_options(std::uint64_t number = 12) {
  ListSubjectOptions options;
  options.list_name = "cq";
  options.article_number = number;
  return options;
}

std::string list_subject(std::string_view raw, const ListSubjectOptions& options = cq_options()) {
  Result<std::string> subject = make_list_subject(raw, options);
  EXPECT_TRUE(subject) << raw;
  return subject ? *subject : std::string();
}

TEST(SubjectTagFormat, ParsesFmlTypes) {
  auto square_colon = parse_subject_tag_format("[:]").value();
  EXPECT_EQ(format_subject_tag(square_colon, "cq", 123), "[cq:00123]");
  EXPECT_EQ(format_subject_tag(parse_subject_tag_format("(:)").value(), "cq", 123), "(cq:00123)");
  EXPECT_EQ(format_subject_tag(parse_subject_tag_format("[,]").value(), "cq", 123), "[cq,00123]");
  EXPECT_EQ(format_subject_tag(parse_subject_tag_format("(,)").value(), "cq", 123), "(cq,00123)");
  EXPECT_EQ(format_subject_tag(parse_subject_tag_format("[]").value(), "cq", 123), "[cq]");
  EXPECT_EQ(format_subject_tag(parse_subject_tag_format("()").value(), "cq", 123), "(cq)");
  for (const char* bad : {"", "[", "[:)", "[;]", "{:}", "[::]"}) {
    auto result = parse_subject_tag_format(bad);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code(), Errc::bad_syntax);
  }
}

TEST(SubjectTagFormat, NumberWidth) {
  SubjectTagFormat format;
  EXPECT_EQ(format_subject_tag(format, "cq", 0), "[cq:00000]");
  EXPECT_EQ(format_subject_tag(format, "cq", 1234567), "[cq:1234567]");
  format.number_width = 3;
  EXPECT_EQ(format_subject_tag(format, "cq", 7), "[cq:007]");
}

TEST(SubjectStrip, ReplyAndForwardPrefixes) {
  EXPECT_EQ(
      strip_reply_prefixes_and_tags("Re: Re: RE: re : Fwd: FW: Fw: Aw: Sv: Antw: hello", "cq"),
      "hello");
  EXPECT_EQ(strip_reply_prefixes_and_tags("Re[2]: Re^3: Re(4): WG: VS: hello", "cq"), "hello");
  EXPECT_EQ(strip_reply_prefixes_and_tags("Re:hello", "cq"), "hello");
  EXPECT_EQ(strip_reply_prefixes_and_tags("  Re:  hello  ", "cq"), "hello");
  EXPECT_EQ(strip_reply_prefixes_and_tags("Re: ", "cq"), "");
}

TEST(SubjectStrip, JapaneseAndFullWidthPrefixes) {
  EXPECT_EQ(strip_reply_prefixes_and_tags("返信: Re：ＲＥ：Ｒｅ：転送: FW：設定", "cq"), "設定");
  EXPECT_EQ(strip_reply_prefixes_and_tags("\u3000Re:\u3000無線機の設定", "cq"), "無線機の設定");
  EXPECT_EQ(strip_reply_prefixes_and_tags("回复: 转发: 你好", "cq"), "你好");
}

TEST(SubjectStrip, ListTagsInterleavedWithPrefixes) {
  EXPECT_EQ(
      strip_reply_prefixes_and_tags("[cq:01234] Re: (cq:00012) Re: [CQ,123] [cq] hello", "cq"),
      "hello");
  EXPECT_EQ(strip_reply_prefixes_and_tags("Re: [cq:12]Re: [cq:0000012] hello", "CQ"), "hello");
  EXPECT_EQ(strip_reply_prefixes_and_tags("Re: ［cq:00012］ hello", "cq"), "hello");
}

TEST(SubjectStrip, LeavesOtherTextAlone) {
  EXPECT_EQ(strip_reply_prefixes_and_tags("[other:00012] Re: hello", "cq"),
            "[other:00012] Re: hello");
  EXPECT_EQ(strip_reply_prefixes_and_tags("Re: [cq-dev:00012] hello", "cq"),
            "[cq-dev:00012] hello");
  EXPECT_EQ(strip_reply_prefixes_and_tags("Record: hello", "cq"), "Record: hello");
  EXPECT_EQ(strip_reply_prefixes_and_tags("[cq:] x", "cq"), "[cq:] x");
  EXPECT_EQ(strip_reply_prefixes_and_tags("[cq:12) x", "cq"), "[cq:12) x");
  EXPECT_EQ(strip_reply_prefixes_and_tags("hello Re: world", "cq"), "hello Re: world");
}

TEST(SubjectStrip, ReportsReplies) {
  EXPECT_TRUE(find_subject_start("Re: x", "cq").was_reply);
  EXPECT_TRUE(find_subject_start("Fwd: 返信: x", "cq").was_reply);
  EXPECT_FALSE(find_subject_start("Fwd: [cq:00001] x", "cq").was_reply);
  EXPECT_FALSE(find_subject_start("x", "cq").was_reply);
  EXPECT_EQ(find_subject_start("Re: [cq:00001] x", "cq").offset, 15u);
}

TEST(SubjectMake, AsciiStaysAscii) {
  EXPECT_EQ(list_subject("Re: [cq:00011] hello world"), "[cq:00012] Re: hello world");
  EXPECT_EQ(list_subject(" hello"), "[cq:00012] hello");
  EXPECT_EQ(list_subject("[cq:00011] Re: Re: hello"), "[cq:00012] Re: hello");
  EXPECT_EQ(list_subject(""), "[cq:00012]");
  EXPECT_EQ(list_subject("Re: [cq:00011]"), "[cq:00012] Re:");
  ListSubjectOptions options = cq_options();
  options.add_reply_prefix = false;
  EXPECT_EQ(list_subject("Re: hello", options), "[cq:00012] hello");
}

TEST(SubjectMake, OtherTagFormats) {
  ListSubjectOptions options = cq_options();
  options.tag = parse_subject_tag_format("(,)").value();
  options.tag.number_width = 3;
  EXPECT_EQ(list_subject("(cq:11) Re: [cq:00010] hello", options), "(cq,012) Re: hello");
  options.tag = parse_subject_tag_format("[]").value();
  EXPECT_EQ(list_subject("Re: [cq] hello", options), "[cq] Re: hello");
}

TEST(SubjectMake, FoldsLongAsciiSubjects) {
  EXPECT_EQ(list_subject("Re: [cq:00011] The quick brown fox jumps over the lazy dog and keeps\r\n"
                         " running far away"),
            "[cq:00012] Re: The quick brown fox jumps over the lazy dog and\n"
            " keeps running far away");
}

TEST(SubjectMake, Iso2022JpWordsArePassedOnUnchanged) {
  // The example from the issue: the tag stays ASCII outside the encoded word.
  EXPECT_EQ(list_subject("Re: [cq:00011] =?ISO-2022-JP?B?GyRCQF9EahsoQg==?="),
            "[cq:00012] Re: =?ISO-2022-JP?B?GyRCQF9EahsoQg==?=");
  // A word that no longer fits the first line moves to the next one, whole.
  EXPECT_EQ(list_subject("Re: [cq:00011] =?ISO-2022-JP?B?GyRCTDVAfjUhJE5AX0RqJEskRCQkJEYbKEI=?="),
            "[cq:00012] Re:\n =?ISO-2022-JP?B?GyRCTDVAfjUhJE5AX0RqJEskRCQkJEYbKEI=?=");
  // Words are kept even when a character is split across them.
  EXPECT_EQ(list_subject("Re: [cq:00011] =?UTF-8?Q?=E7?= =?UTF-8?Q?=84=A1?="),
            "[cq:00012] Re: =?UTF-8?Q?=E7?= =?UTF-8?Q?=84=A1?=");
  // A whole word of prefixes is dropped; the next one is kept.
  EXPECT_EQ(list_subject("=?UTF-8?Q?Re:_?= =?ISO-2022-JP?B?GyRCQF9EahsoQg==?="),
            "[cq:00012] Re: =?ISO-2022-JP?B?GyRCQF9EahsoQg==?=");
}

TEST(SubjectMake, PrefixesInsideEncodedWordsAreRemoved) {
  // "Re: [cq:00011] 設定" in one ISO-2022-JP word: re-encoded in ISO-2022-JP.
  EXPECT_EQ(list_subject("=?ISO-2022-JP?B?UmU6IFtjcTowMDAxMV0gGyRCQF9EahsoQg==?="),
            "[cq:00012] Re: =?ISO-2022-JP?B?GyRCQF9EahsoQg==?=");
  // The same in UTF-8 stays UTF-8.
  EXPECT_EQ(list_subject("=?UTF-8?B?UmU6IFtjcTowMDAxMV0g6Kit5a6a?="),
            "[cq:00012] Re: =?UTF-8?B?6Kit5a6a?=");
}

TEST(SubjectMake, WithoutKeepingTheEncodingEverythingBecomesUtf8) {
  ListSubjectOptions options = cq_options();
  options.keep_encoding = false;
  EXPECT_EQ(list_subject("Re: [cq:00011] =?ISO-2022-JP?B?GyRCQF9EahsoQg==?=", options),
            "[cq:00012] Re: =?UTF-8?B?6Kit5a6a?=");
  EXPECT_EQ(list_subject("Re: [cq:00011] 無線機の設定について", options),
            "[cq:00012] Re: =?UTF-8?B?54Sh57ea5qmf44Gu6Kit5a6a44Gr44Gk44GE44Gm?=");
}

TEST(SubjectMake, Iso2022JpFallsBackToUtf8ForExtensions) {
  // ① is NEC row 13: decodable from ISO-2022-JP, but not encodable in pure ISO-2022-JP.
  EXPECT_EQ(list_subject("=?ISO-2022-JP?B?UmU6IBskQi0hGyhC?="), "[cq:00012] Re: =?UTF-8?B?4pGg?=");
}

TEST(SubjectMake, Raw8BitSubjects) {
  // RFC 6532 raw UTF-8 is kept raw.
  EXPECT_EQ(list_subject("Re: [cq:00011] 無線機の設定について"),
            "[cq:00012] Re: 無線機の設定について");
  // Raw Shift_JIS is never passed on: with the fallback it becomes ISO-2022-JP.
  ListSubjectOptions options = cq_options();
  options.fallback_charset = "shift_jis";
  EXPECT_EQ(list_subject("Re: \x90\xDD\x92\xE8", options),
            "[cq:00012] Re: =?ISO-2022-JP?B?GyRCQF9EahsoQg==?=");
  // Without a fallback it reads as Latin-1, as a mail reader would show it.
  EXPECT_EQ(list_subject("caf\xE9"), "[cq:00012] =?UTF-8?B?Y2Fmw6k=?=");
}

TEST(SubjectMake, RejectsListNamesThatBreakTheTag) {
  for (const char* name : {"", "c q", "cq]", "リスト", "a:b"}) {
    ListSubjectOptions options = cq_options();
    options.list_name = name;
    auto result = make_list_subject("hello", options);
    ASSERT_FALSE(result) << name;
    EXPECT_EQ(result.error().code(), Errc::invalid_argument);
  }
}

TEST(SubjectMake, DecodesBackToTheVisibleSubject) {
  for (const char* raw :
       {"Re: [cq:00011] =?ISO-2022-JP?B?GyRCTDVAfjUhJE5AX0RqJEskRCQkJEYbKEI=?=",
        "=?UTF-8?B?UmU6IFtjcTowMDAxMV0g54Sh57ea5qmf44Gu6Kit5a6a44Gr44Gk44GE44Gm?="}) {
    EXPECT_EQ(decode_header_text(list_subject(raw)), "[cq:00012] Re: 無線機の設定について") << raw;
  }
  std::string long_text;
  for (int i = 0; i < 5; ++i) {
    long_text += "無線機の設定について";
  }
  std::string raw =
      "Re: " + encode_header_text(long_text, {EncodeCharset::iso_2022_jp, 9, false}).value();
  ListSubjectOptions options = cq_options();
  options.keep_encoding = false;
  EXPECT_EQ(decode_header_text(list_subject(raw)), "[cq:00012] Re: " + long_text);
  EXPECT_EQ(decode_header_text(list_subject(raw, options)), "[cq:00012] Re: " + long_text);
}

TEST(SubjectDisplay, CollapsesWhiteSpace) {
  EXPECT_EQ(subject_for_display("  Re:\r\n\t=?UTF-8?B?6Kit5a6a?=   done "), "Re: 設定 done");
  EXPECT_EQ(subject_for_display("Re: \x90\xDD\x92\xE8", "shift_jis"), "Re: 設定");
}

TEST(SubjectMessages, Iso2022JpMessage) {
  Message message = Message::parse(read_message_file("japanese-iso2022jp.eml"));
  EXPECT_EQ(message.line_ending(), "\r\n");
  EXPECT_EQ(decode_header_text(message.first_value("From").value()),
            "山田太郎 <yamada@example.jp>");
  std::string subject = message.first_value("Subject").value();
  EXPECT_EQ(decode_header_text(subject), "Re: [cq:00011] 無線機の設定について");
  std::string new_subject = list_subject(subject);
  EXPECT_EQ(new_subject, "[cq:00012] Re:\n =?ISO-2022-JP?B?GyRCTDVAfjUhJE5AX0RqJEskRCQkJEYbKEI=?=");
  ASSERT_TRUE(message.replace(message.find_first("Subject").value(), new_subject));
  std::string bytes = message.serialize();
  EXPECT_NE(bytes.find("\r\nSubject: [cq:00012] Re:\r\n "
                       "=?ISO-2022-JP?B?GyRCTDVAfjUhJE5AX0RqJEskRCQkJEYbKEI=?=\r\nDate:"),
            std::string::npos);
  EXPECT_EQ(
      to_utf8(message.body(), "ISO-2022-JP").value(),
      "佐藤さん\r\n\r\n設定ファイルを送ります。周波数は７．０５０ＭＨｚです。\r\n\r\n山田\r\n");
}

TEST(SubjectMessages, Utf8RawHeaderMessage) {
  Message message = Message::parse(read_message_file("japanese-utf8-8bit.eml"));
  EXPECT_EQ(message.line_ending(), "\n");
  EXPECT_EQ(decode_header_text(message.first_value("From").value()),
            "山田太郎 <yamada@example.jp>");
  std::string subject = message.first_value("Subject").value();
  EXPECT_EQ(list_subject(subject), "[cq:00012] Re: 無線機の設定について");
  ListSubjectOptions options = cq_options();
  options.keep_encoding = false;
  EXPECT_EQ(list_subject(subject, options),
            "[cq:00012] Re: =?UTF-8?B?54Sh57ea5qmf44Gu6Kit5a6a44Gr44Gk44GE44Gm?=");
}

TEST(SubjectMessages, RawShiftJisSubject) {
  Message message = Message::parse(read_message_file("japanese-sjis-raw.eml"));
  std::string subject = message.first_value("Subject").value();
  EXPECT_EQ(subject,
            "Re: \x96\xB3\x90\xFC\x8B\x40\x82\xCC\x90\xDD\x92\xE8\x82\xC9\x82\xC2\x82"
            "\xA2\x82\xC4");
  EXPECT_EQ(decode_header_text(subject, "Shift_JIS"), "Re: 無線機の設定について");
  ListSubjectOptions options = cq_options();
  options.fallback_charset = "Shift_JIS";
  EXPECT_EQ(list_subject(subject, options),
            "[cq:00012] Re:\n =?ISO-2022-JP?B?GyRCTDVAfjUhJE5AX0RqJEskRCQkJEYbKEI=?=");
}

TEST(SubjectMessages, PrefixInsideEncodedWord) {
  Message message = Message::parse(read_message_file("subject-prefix-inside-word.eml"));
  std::string subject = message.first_value("Subject").value();
  EXPECT_EQ(decode_header_text(subject), "Re: [cq:00011] 設定の件");
  EXPECT_EQ(list_subject(subject), "[cq:00012] Re: =?ISO-2022-JP?B?GyRCQF9EaiRON28bKEI=?=");
}

TEST(SubjectMessages, MixedPrefixesAcrossFoldedWords) {
  Message message = Message::parse(read_message_file("subject-mixed-prefixes.eml"));
  std::string subject = message.first_value("Subject").value();
  EXPECT_EQ(decode_header_text(subject), "AW: Re[2]: [CQ:11] Re: Antwort für Hans");
  EXPECT_EQ(list_subject(subject), "[cq:00012] Re: Antwort =?UTF-8?Q?f=C3=BCr?= Hans");
}

}  // namespace
}  // namespace cqlist::mail
