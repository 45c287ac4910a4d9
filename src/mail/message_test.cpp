// mail/message_test.cpp: exact tests of Message parsing, lookups and byte-exact edits.
#include "mail/message.hpp"

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cqlist::mail {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using namespace std::string_literals;

Message parse(std::string_view bytes) {
  return Message::parse(std::string(bytes));
}

std::string read_message_file(const std::string& name) {
  std::ifstream in(std::string(CQLIST_SOURCE_ROOT) + "/tests/data/messages/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> field_names(const Message& message) {
  std::vector<std::string> names;
  for (const auto& field : message.fields()) {
    names.emplace_back(field.name());
  }
  return names;
}

// --- parsing ---------------------------------------------------------------------------------

TEST(MessageParse, FoldedCrlfHeaderFromFile) {
  std::string bytes = read_message_file("header-folded-crlf.eml");
  Message message = Message::parse(bytes);
  EXPECT_THAT(field_names(message),
              ElementsAre("Received", "Received", "From", "To", "Subject", "Subject", "X-Empty",
                          "X-Spaces", "Message-ID", "Date"));
  const auto& fields = message.fields();
  EXPECT_EQ(fields[0].raw(),
            "Received: from mx.example.net (mx.example.net [192.0.2.1])\r\n"
            "\tby lists.example.org (Postfix) with ESMTPS id 4Xb2;\r\n"
            "\tMon, 2 Sep 2024 10:00:00 +0900 (JST)\r\n");
  EXPECT_EQ(fields[0].unfolded_value(),
            "from mx.example.net (mx.example.net [192.0.2.1])\tby lists.example.org (Postfix) "
            "with ESMTPS id 4Xb2;\tMon, 2 Sep 2024 10:00:00 +0900 (JST)");
  EXPECT_EQ(fields[4].value(), " folded\r\n subject line");
  EXPECT_EQ(fields[4].unfolded_value(), "folded subject line");
  // obs-syntax: the white space before the colon is not part of the name.
  EXPECT_EQ(fields[5].raw(), "Subject : obs-syntax duplicate\r\n");
  EXPECT_EQ(fields[5].value(), " obs-syntax duplicate");
  EXPECT_EQ(fields[6].value(), "");
  EXPECT_EQ(fields[6].unfolded_value(), "");
  EXPECT_EQ(fields[7].value(), "   padded value   ");
  EXPECT_EQ(fields[7].unfolded_value(), "padded value");
  EXPECT_EQ(message.separator(), "\r\n");
  EXPECT_EQ(message.line_ending(), "\r\n");
  EXPECT_EQ(message.preamble(), "");
  EXPECT_EQ(message.body(),
            "Hello list.\r\nThis body has a line that looks like a field:\r\n"
            "Subject: not a header\r\n");
  EXPECT_THAT(message.defects(), IsEmpty());
  EXPECT_EQ(message.serialize(), bytes);
}

TEST(MessageParse, LfOnlyHeader) {
  Message message = Message::parse(read_message_file("header-lf.eml"));
  EXPECT_THAT(field_names(message), ElementsAre("From", "To", "Subject"));
  EXPECT_EQ(message.fields()[2].value(), " LF only\n\tcontinued with a tab");
  EXPECT_EQ(message.fields()[2].unfolded_value(), "LF only\tcontinued with a tab");
  EXPECT_EQ(message.line_ending(), "\n");
  EXPECT_EQ(message.separator(), "\n");
  EXPECT_EQ(message.body(), "Body with LF.\n");
  EXPECT_THAT(message.defects(), IsEmpty());
}

TEST(MessageParse, EightBitHeaderKeepsBytes) {
  Message message = Message::parse(read_message_file("header-8bit-utf8.eml"));
  EXPECT_THAT(field_names(message), ElementsAre("Subject", "From", "Content-Type"));
  EXPECT_EQ(message.first_value("subject"), "日本語の件名");
  EXPECT_EQ(message.fields()[1].raw(), "From: 山田 <yamada@example.jp>\r\n");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::eight_bit_header));
  EXPECT_EQ(message.body(), "本文です。\r\n");
}

TEST(MessageParse, EightBitByteInNameEndsHeader) {
  Message message = Message::parse(read_message_file("malformed-8bit-name.eml"));
  EXPECT_THAT(message.fields(), IsEmpty());
  EXPECT_EQ(message.body(),
            "S\xFC"
            "bject: 8-bit in the name\r\nFrom: a@example.com\r\n\r\nbody\r\n");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::line_without_colon));
}

TEST(MessageParse, MixedLineEndings) {
  Message message = Message::parse(read_message_file("malformed-mixed-eol.eml"));
  EXPECT_THAT(field_names(message), ElementsAre("From", "To", "Subject"));
  EXPECT_EQ(message.fields()[1].raw(), "To: b@example.com\n");
  EXPECT_EQ(message.fields()[1].value(), " b@example.com");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::mixed_line_endings));
  // Two CRLF lines against one LF line and an LF separator: a tie, which the separator breaks.
  EXPECT_EQ(message.line_ending(), "\n");
  EXPECT_EQ(message.body(), "body\n");
}

TEST(MessageParse, MostlyCrlfHeaderWithLfSeparator) {
  Message message = parse("A: 1\r\nB: 2\r\nC: 3\r\n\nbody");
  EXPECT_EQ(message.line_ending(), "\r\n");
  EXPECT_EQ(message.separator(), "\n");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::mixed_line_endings));
}

TEST(MessageParse, BareCrStaysInsideTheField) {
  Message message = Message::parse(read_message_file("malformed-bare-cr.eml"));
  EXPECT_THAT(field_names(message), ElementsAre("Subject", "X-Other"));
  EXPECT_EQ(message.fields()[0].value(), " bare\rcarriage return");
  EXPECT_EQ(message.fields()[0].unfolded_value(), "bare\rcarriage return");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::bare_cr));
  EXPECT_EQ(message.body(), "body\r\n");
}

TEST(MessageParse, NulByte) {
  Message message = Message::parse(read_message_file("malformed-nul.eml"));
  EXPECT_THAT(field_names(message), ElementsAre("Subject", "From"));
  EXPECT_EQ(message.fields()[0].value(), " nul\0byte"s);
  EXPECT_THAT(message.defects(), ElementsAre(Defect::nul_byte));
  EXPECT_EQ(message.body(), "body with \0 too\r\n"s);
}

TEST(MessageParse, DefectsAreListedOnceInOrderFound) {
  Message message = parse("A: \xE3\x81\x82\x00\r\nB: x\ry\xE3\x81\x84\r\n\r\n"s);
  EXPECT_THAT(message.defects(),
              ElementsAre(Defect::eight_bit_header, Defect::nul_byte, Defect::bare_cr));
  EXPECT_EQ(defect_name(Defect::eight_bit_header), "eight_bit_header");
  EXPECT_EQ(defect_name(Defect::leading_continuation), "leading_continuation");
}

TEST(MessageParse, MboxFromLineIsPreamble) {
  std::string bytes = read_message_file("malformed-mbox-from.eml");
  Message message = Message::parse(bytes);
  EXPECT_EQ(message.preamble(), "From alice@example.com Mon Sep  2 10:00:00 2024\n");
  EXPECT_THAT(field_names(message), ElementsAre("From", "Subject"));
  EXPECT_EQ(message.body(), ">From the start\n");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::mbox_from_line));
  EXPECT_EQ(message.header_bytes(), "From: alice@example.com\nSubject: mbox\n");
  EXPECT_EQ(message.serialize(), bytes);
}

TEST(MessageParse, ObsFromFieldWithSpaceBeforeColonIsNotAnMboxLine) {
  Message message = parse("From : alice@example.com\nSubject: x\n\nbody\n");
  EXPECT_EQ(message.preamble(), "");
  EXPECT_THAT(field_names(message), ElementsAre("From", "Subject"));
  EXPECT_THAT(message.defects(), IsEmpty());
}

TEST(MessageParse, PreambleThenSeparator) {
  Message message = parse("From x\n\nbody");
  EXPECT_EQ(message.preamble(), "From x\n");
  EXPECT_THAT(message.fields(), IsEmpty());
  EXPECT_EQ(message.separator(), "\n");
  EXPECT_EQ(message.body(), "body");
}

TEST(MessageParse, NoBlankLineBeforeBody) {
  Message message = Message::parse(read_message_file("malformed-no-blank-line.eml"));
  EXPECT_THAT(field_names(message), ElementsAre("From", "Subject"));
  EXPECT_EQ(message.separator(), "");
  EXPECT_EQ(message.body(), "this line has no colon\r\nand more body\r\n");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::line_without_colon));
}

TEST(MessageParse, HeaderOnly) {
  Message message = Message::parse(read_message_file("header-only-no-body.eml"));
  EXPECT_THAT(field_names(message), ElementsAre("From", "Subject"));
  EXPECT_EQ(message.separator(), "");
  EXPECT_EQ(message.body(), "");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::no_blank_line));
}

TEST(MessageParse, UnterminatedLastField) {
  Message message = Message::parse(read_message_file("malformed-unterminated.eml"));
  ASSERT_THAT(field_names(message), ElementsAre("From", "Subject"));
  EXPECT_EQ(message.fields()[1].raw(), "Subject: no final line break");
  EXPECT_EQ(message.fields()[1].value(), " no final line break");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::no_blank_line));
}

TEST(MessageParse, EmptyInput) {
  Message message = parse("");
  EXPECT_THAT(message.fields(), IsEmpty());
  EXPECT_EQ(message.body(), "");
  EXPECT_EQ(message.separator(), "");
  EXPECT_EQ(message.preamble(), "");
  EXPECT_EQ(message.line_ending(), "\r\n");
  EXPECT_THAT(message.defects(), IsEmpty());
  EXPECT_EQ(message.serialize(), "");
}

TEST(MessageParse, BodyOnly) {
  Message message = Message::parse(read_message_file("malformed-body-only.eml"));
  EXPECT_THAT(message.fields(), IsEmpty());
  EXPECT_EQ(message.body(), "Just some text\nwithout any header.\n");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::line_without_colon));
  // No header line to count: the first line ending of the message decides.
  EXPECT_EQ(message.line_ending(), "\n");
}

TEST(MessageParse, SeparatorOnly) {
  Message message = parse("\r\nbody");
  EXPECT_THAT(message.fields(), IsEmpty());
  EXPECT_EQ(message.separator(), "\r\n");
  EXPECT_EQ(message.body(), "body");
  EXPECT_THAT(message.defects(), IsEmpty());
}

TEST(MessageParse, LeadingContinuationLine) {
  Message message = Message::parse(read_message_file("malformed-leading-continuation.eml"));
  EXPECT_THAT(message.fields(), IsEmpty());
  EXPECT_EQ(message.body(), " Subject: starts with a space\r\nFrom: a@example.com\r\n\r\nbody\r\n");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::leading_continuation));
}

TEST(MessageParse, LineWithoutColonEndsHeader) {
  Message message = parse("A: 1\r\n: no name\r\nB: 2\r\n\r\n");
  EXPECT_THAT(field_names(message), ElementsAre("A"));
  EXPECT_EQ(message.body(), ": no name\r\nB: 2\r\n\r\n");
  EXPECT_THAT(message.defects(), ElementsAre(Defect::line_without_colon));
}

TEST(MessageParse, WhiteSpaceOnlyContinuationLines) {
  Message message = Message::parse(read_message_file("malformed-blank-continuation.eml"));
  ASSERT_THAT(field_names(message), ElementsAre("Subject", "From"));
  EXPECT_EQ(message.fields()[0].raw(), "Subject: x\r\n \r\n\t\r\n");
  EXPECT_EQ(message.fields()[0].unfolded_value(), "x");
  EXPECT_EQ(message.body(), "body\r\n");
}

TEST(MessageParse, TabBeforeColon) {
  Message message = parse("Subject\t \t: x\n\n");
  ASSERT_EQ(message.fields().size(), 1U);
  EXPECT_EQ(message.fields()[0].name(), "Subject");
  EXPECT_EQ(message.fields()[0].value(), " x");
  EXPECT_TRUE(message.fields()[0].is_named("SUBJECT"));
}

TEST(MessageParse, OneMegabyteFoldedField) {
  std::string value;
  for (int i = 0; i < 14000; ++i) {
    value += " chunk-of-a-long-folded-header-field-value-0123456789abcdefghijklmnopqrstuv\r\n";
  }
  std::string bytes = "X-Big:" + value + "Subject: after\r\n\r\nbody\r\n";
  ASSERT_GT(bytes.size(), 1'000'000U);
  Message message = parse(bytes);
  ASSERT_THAT(field_names(message), ElementsAre("X-Big", "Subject"));
  EXPECT_EQ(message.fields()[0].raw().size(), 6 + value.size());
  EXPECT_EQ(message.fields()[0].value(), std::string_view(value).substr(0, value.size() - 2));
  EXPECT_EQ(message.fields()[0].unfolded_value().size(), value.size() - 2 * 14000 - 1);
  EXPECT_EQ(message.first_value("subject"), "after");
  EXPECT_EQ(message.serialize(), bytes);
}

TEST(MessageParse, TenThousandFields) {
  std::string bytes;
  for (int i = 0; i < 10000; ++i) {
    bytes += "X-Field-" + std::to_string(i) + ": value " + std::to_string(i) + "\r\n";
  }
  bytes += "\r\nbody\r\n";
  Message message = parse(bytes);
  ASSERT_EQ(message.fields().size(), 10000U);
  EXPECT_EQ(message.fields()[9999].raw(), "X-Field-9999: value 9999\r\n");
  EXPECT_THAT(message.find_all("x-field-5000"), ElementsAre(5000U));
  EXPECT_EQ(message.body(), "body\r\n");
  EXPECT_EQ(message.serialize(), bytes);
}

// --- lookups ---------------------------------------------------------------------------------

TEST(MessageFind, DuplicatesCaseInsensitiveInOrder) {
  Message message =
      parse("Received: a\r\nTo: x\r\nreceived: b\r\nRECEIVED : c\r\nX-Received: d\r\n\r\n");
  EXPECT_THAT(message.find_all("Received"), ElementsAre(0U, 2U, 3U));
  EXPECT_THAT(message.find_all("rEcEiVeD"), ElementsAre(0U, 2U, 3U));
  EXPECT_THAT(message.find_all("Receive"), IsEmpty());
  EXPECT_EQ(message.find_first("received"), 0U);
  EXPECT_EQ(message.find_first("x-received"), 4U);
  EXPECT_EQ(message.find_first("Cc"), std::nullopt);
  EXPECT_EQ(message.first_value("RECEIVED"), "a");
  EXPECT_EQ(message.first_value("Cc"), std::nullopt);
}

TEST(MessageFind, HeaderBytesExcludePreambleAndSeparator) {
  Message message = parse("From x\nA: 1\n b\nB: 2\n\nbody\n");
  EXPECT_EQ(message.header_bytes(), "A: 1\n b\nB: 2\n");
}

// --- edits -----------------------------------------------------------------------------------

constexpr std::string_view kCrlf = "From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n";
constexpr std::string_view kLf = "From: a@example.com\nSubject: s\n\nbody\n";

TEST(MessageEdit, AddTopCrlf) {
  Message message = parse(kCrlf);
  ASSERT_TRUE(message.add_top("List-Id", "<cq-test.example.org>"));
  EXPECT_EQ(message.serialize(),
            "List-Id: <cq-test.example.org>\r\nFrom: a@example.com\r\nSubject: s\r\n\r\nbody\r\n");
  EXPECT_EQ(message.fields()[0].raw(), "List-Id: <cq-test.example.org>\r\n");
  EXPECT_EQ(message.fields()[0].name(), "List-Id");
  EXPECT_EQ(message.fields()[0].value(), " <cq-test.example.org>");
}

TEST(MessageEdit, AddBottomLf) {
  Message message = parse(kLf);
  ASSERT_TRUE(message.add_bottom("X-Seq", "42"));
  EXPECT_EQ(message.serialize(), "From: a@example.com\nSubject: s\nX-Seq: 42\n\nbody\n");
}

TEST(MessageEdit, InsertInTheMiddle) {
  Message message = parse(kCrlf);
  ASSERT_TRUE(message.insert(1, "To", "list@example.org"));
  EXPECT_EQ(message.serialize(),
            "From: a@example.com\r\nTo: list@example.org\r\nSubject: s\r\n\r\nbody\r\n");
  EXPECT_FALSE(message.insert(4, "To", "x"));
  EXPECT_EQ(message.fields().size(), 3U);
}

TEST(MessageEdit, InvalidNamesRefused) {
  Message message = parse(kCrlf);
  EXPECT_FALSE(message.add_top("", "x"));
  EXPECT_FALSE(message.add_top("Bad Name", "x"));
  EXPECT_FALSE(message.add_top("Bad:Name", "x"));
  EXPECT_FALSE(message.add_top("N\xC3\xA4me", "x"));
  EXPECT_EQ(message.serialize(), kCrlf);
}

TEST(MessageEdit, ValueWhiteSpaceAndFolding) {
  Message message = parse(kLf);
  ASSERT_TRUE(message.add_bottom("X-Tab", "\tv"));
  ASSERT_TRUE(message.add_bottom("X-Empty", ""));
  ASSERT_TRUE(message.add_bottom("X-Folded", "a\r\n b\n\tc"));
  EXPECT_EQ(
      message.serialize(),
      "From: a@example.com\nSubject: s\nX-Tab:\tv\nX-Empty: \nX-Folded: a\n b\n\tc\n\nbody\n");
  Message crlf = parse(kCrlf);
  ASSERT_TRUE(crlf.add_top("X-Folded", "a\n b"));
  EXPECT_EQ(crlf.fields()[0].raw(), "X-Folded: a\r\n b\r\n");
  EXPECT_EQ(crlf.fields()[0].unfolded_value(), "a b");
}

TEST(MessageEdit, HeaderInjectionRefused) {
  Message message = parse(kCrlf);
  for (std::string_view value : {"a\r\nBcc: victim@example.net", "a\nBcc: x", "a\rBcc: x", "a\r\n",
                                 "a\n", "\r\n\r\nbody", "a\r\n b\r\nC: d"}) {
    EXPECT_FALSE(message.add_top("X", value)) << value;
    EXPECT_FALSE(message.add_bottom("X", value)) << value;
    EXPECT_FALSE(message.insert(1, "X", value)) << value;
    EXPECT_FALSE(message.replace(1, value)) << value;
  }
  EXPECT_EQ(message.serialize(), kCrlf);
}

TEST(MessageEdit, ReplaceKeepsNameSpelling) {
  Message message = parse("sUbJeCt: old\r\nTo: x\r\n\r\nbody");
  ASSERT_TRUE(message.replace(0, "new"));
  EXPECT_EQ(message.serialize(), "sUbJeCt: new\r\nTo: x\r\n\r\nbody");
  EXPECT_FALSE(message.replace(2, "x"));
}

TEST(MessageEdit, ReplaceObsNameAndFoldedValue) {
  Message message = parse("A: 1\nSubject : old\n folded\n\tmore\nB: 2\n\nbody\n");
  ASSERT_TRUE(message.replace(1, "new"));
  EXPECT_EQ(message.serialize(), "A: 1\nSubject: new\nB: 2\n\nbody\n");
  EXPECT_EQ(message.fields()[1].name(), "Subject");
}

TEST(MessageEdit, RemoveAndRemoveAll) {
  Message message = parse("Received: 1\r\nTo: x\r\nreceived: 2\r\n\r\nbody");
  message.remove(1);
  EXPECT_EQ(message.serialize(), "Received: 1\r\nreceived: 2\r\n\r\nbody");
  message.remove(7);
  EXPECT_EQ(message.fields().size(), 2U);
  EXPECT_EQ(message.remove_all("RECEIVED"), 2U);
  EXPECT_EQ(message.serialize(), "\r\nbody");
  EXPECT_EQ(message.remove_all("Received"), 0U);
}

TEST(MessageEdit, SetBody) {
  Message message = parse(kCrlf);
  message.set_body("new body\r\n");
  EXPECT_EQ(message.body(), "new body\r\n");
  EXPECT_EQ(message.serialize(), "From: a@example.com\r\nSubject: s\r\n\r\nnew body\r\n");
  Message header_only = Message::parse(read_message_file("header-only-no-body.eml"));
  header_only.set_body("hi\r\n");
  EXPECT_EQ(header_only.serialize(), "From: a@example.com\r\nSubject: header only\r\n\r\nhi\r\n");
}

TEST(MessageEdit, CopiesAreIndependent) {
  Message original = parse(kCrlf);
  Message copy = original;
  ASSERT_TRUE(copy.add_top("X-Copy", "1"));
  ASSERT_TRUE(copy.replace(1, "b@example.com"));
  copy.set_body("copy body");
  EXPECT_EQ(original.serialize(), kCrlf);
  EXPECT_EQ(copy.serialize(), "X-Copy: 1\r\nFrom: b@example.com\r\nSubject: s\r\n\r\ncopy body");
  Message second = copy;
  copy.remove_all("x-copy");
  EXPECT_EQ(second.fields()[0].raw(), "X-Copy: 1\r\n");
  EXPECT_EQ(second.body(), "copy body");
}

// Edits of messages that end inside the header must not glue the new field onto a line.
TEST(MessageEdit, AfterUnterminatedLastField) {
  std::string bytes = read_message_file("malformed-unterminated.eml");
  Message message = Message::parse(bytes);
  ASSERT_TRUE(message.add_bottom("To", "b@example.com"));
  EXPECT_EQ(message.serialize(),
            "From: a@example.com\r\nSubject: no final line break\r\nTo: b@example.com\r\n");
  message.remove(2);
  EXPECT_EQ(message.serialize(), bytes);
  message.set_body("b");
  EXPECT_EQ(message.serialize(), "From: a@example.com\r\nSubject: no final line break\r\n\r\nb");
}

TEST(MessageEdit, AfterUnterminatedPreamble) {
  Message message = parse("From alice Mon Sep  2 10:00:00 2024");
  ASSERT_TRUE(message.add_top("A", "b"));
  EXPECT_EQ(message.serialize(), "From alice Mon Sep  2 10:00:00 2024\r\nA: b\r\n");
  message.remove(0);
  EXPECT_EQ(message.serialize(), "From alice Mon Sep  2 10:00:00 2024");
}

// A body that would read as header after an added field gets a separator; one that would
// not keeps its bytes, so that removing the field again restores the input.
TEST(MessageEdit, SeparatorAddedOnlyWhenBodyWouldReadAsHeader) {
  Message continuation = parse(" indented\nrest\n");
  ASSERT_TRUE(continuation.add_top("X", "y"));
  EXPECT_EQ(continuation.serialize(), "X: y\n\n indented\nrest\n");
  continuation.remove(0);
  EXPECT_EQ(continuation.serialize(), " indented\nrest\n");

  Message body_only = parse("hello\n");
  ASSERT_TRUE(body_only.add_top("X", "y"));
  EXPECT_EQ(body_only.serialize(), "X: y\nhello\n");
  EXPECT_EQ(Message::parse(body_only.serialize()).body(), "hello\n");

  Message mbox_like = parse("X: y\nFrom me\n");
  ASSERT_EQ(mbox_like.body(), "From me\n");
  mbox_like.remove(0);
  EXPECT_EQ(mbox_like.serialize(), "\nFrom me\n");
  EXPECT_EQ(Message::parse(mbox_like.serialize()).body(), "From me\n");
}

TEST(MessageEdit, AddTopThenRemoveRestoresEveryTestFile) {
  for (std::string name :
       {"header-folded-crlf.eml", "header-lf.eml", "malformed-mbox-from.eml",
        "malformed-no-blank-line.eml", "malformed-leading-continuation.eml",
        "malformed-body-only.eml", "malformed-empty.eml", "malformed-unterminated.eml"}) {
    std::string bytes = read_message_file(name);
    Message message = Message::parse(bytes);
    ASSERT_TRUE(message.add_top("X-Probe", "1"));
    Message reparsed = Message::parse(message.serialize());
    ASSERT_FALSE(reparsed.fields().empty()) << name;
    EXPECT_EQ(reparsed.fields()[0].raw(), "X-Probe: 1"s + std::string(message.line_ending()))
        << name;
    EXPECT_EQ(reparsed.body(), message.body()) << name;
    message.remove(0);
    EXPECT_EQ(message.serialize(), bytes) << name;
  }
}

}  // namespace
}  // namespace cqlist::mail
