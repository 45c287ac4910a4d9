#include "mail/content_type.hpp"

#include <string>

#include <gtest/gtest.h>

namespace cqlist::mail {
namespace {

TEST(ContentTypeParse, LowercasesTypeSubtypeAndParameterNames) {
  ContentType type = parse_content_type(" Text/PLAIN; CharSet=ISO-2022-JP; Format=flowed");
  EXPECT_EQ(type.type, "text");
  EXPECT_EQ(type.subtype, "plain");
  ASSERT_EQ(type.parameters.size(), 2u);
  EXPECT_EQ(type.parameters[0].name, "charset");
  EXPECT_EQ(type.parameters[0].value, "ISO-2022-JP");  // values keep their case
  EXPECT_EQ(type.parameter("format"), "flowed");
  EXPECT_FALSE(type.type_invalid);
  EXPECT_FALSE(type.malformed);
}

TEST(ContentTypeParse, QuotedStringsAndEscapes) {
  ContentType type = parse_content_type(
      "multipart/mixed; boundary=\"----=_Part_1; x\"; name=\"a \\\"quoted\\\" \\\\ name\"");
  EXPECT_EQ(type.parameter("boundary"), "----=_Part_1; x");
  EXPECT_EQ(type.parameter("name"), "a \"quoted\" \\ name");
  EXPECT_FALSE(type.malformed);
}

TEST(ContentTypeParse, CommentsAndFoldingAreWhiteSpace) {
  ContentType type = parse_content_type(
      " text/plain (body text);\r\n\tcharset=us-ascii (Plain text)\r\n ; format=flowed");
  EXPECT_TRUE(type.is("text", "plain"));
  EXPECT_EQ(type.parameter("charset"), "us-ascii");
  EXPECT_EQ(type.parameter("format"), "flowed");
  EXPECT_FALSE(type.malformed);
}

TEST(ContentTypeParse, SpacesAroundSlashAndEquals) {
  ContentType type = parse_content_type("text / html ; charset = \"utf-8\"");
  EXPECT_TRUE(type.is("text", "html"));
  EXPECT_EQ(type.parameter("charset"), "utf-8");
}

TEST(ContentTypeParse, UnquotedValueWithSpacesIsKept) {
  ContentType type = parse_content_type("application/pdf; name=my report (v2).pdf; x=1");
  EXPECT_EQ(type.parameter("name"), "my report");
  EXPECT_EQ(type.parameter("x"), "1");
  EXPECT_TRUE(type.malformed);  // ".pdf" after the comment is garbage
  EXPECT_EQ(parse_content_type("application/pdf; name=my file.pdf").parameter("name"),
            "my file.pdf");
}

TEST(ContentTypeParse, Rfc2231ContinuationsCharsetAndLanguage) {
  // RFC 2231 §4.1's example, with the sections out of order.
  ContentType type = parse_content_type(
      "application/x-stuff;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n"
      " title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*2=\"isn't it!\"");
  const HeaderParameter* title = find_parameter(type.parameters, "title");
  ASSERT_NE(title, nullptr);
  EXPECT_EQ(title->value, "This is even more ***fun*** isn't it!");
  EXPECT_EQ(title->charset, "us-ascii");
  EXPECT_EQ(title->language, "en");
  EXPECT_FALSE(type.malformed);
}

TEST(ContentTypeParse, Rfc2231ValueIsConvertedToUtf8) {
  ContentDisposition disposition = parse_content_disposition(
      "attachment; filename*=ISO-8859-1''caf%E9.txt; filename=\"cafe.txt\"");
  EXPECT_EQ(disposition.type, "attachment");
  EXPECT_TRUE(disposition.is_attachment());
  // The extended value wins over the plain fallback written for older readers.
  EXPECT_EQ(disposition.parameter("filename"), "caf\xC3\xA9.txt");
  EXPECT_EQ(disposition.parameters.size(), 1u);
  EXPECT_EQ(disposition.parameters[0].charset, "iso-8859-1");
}

TEST(ContentTypeParse, Rfc2231Iso2022JpFilename) {
  // "テスト.txt" in ISO-2022-JP, percent-encoded, split over two sections.
  ContentDisposition disposition = parse_content_disposition(
      "attachment; filename*0*=iso-2022-jp''%1B%24B%25F%25%39;"
      " filename*1*=%25H%1B%28B.txt");
  EXPECT_EQ(disposition.parameter("filename"), "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88.txt");
}

TEST(ContentTypeParse, Rfc2231BrokenPiecesAreLenient) {
  // No charset quotes, a duplicate section, a gap, and a bad percent escape.
  ContentType type = parse_content_type("text/plain; a*=%41%zz; b*0=x; b*0=y; b*2=z");
  EXPECT_EQ(type.parameter("a"), "A%zz");
  EXPECT_EQ(type.parameter("b"), "xz");
  EXPECT_TRUE(type.malformed);
}

TEST(ContentTypeParse, DuplicateParameterFirstWins) {
  ContentType type = parse_content_type("multipart/mixed; boundary=first; BOUNDARY=second");
  EXPECT_EQ(type.parameter("boundary"), "first");
  EXPECT_EQ(type.parameters.size(), 1u);
  EXPECT_TRUE(type.malformed);
}

TEST(ContentTypeParse, BrokenParametersAreSkipped) {
  ContentType type =
      parse_content_type("text/plain; ; garbage; =nothing; charset=\"utf-8\"junk; format=flowed;");
  EXPECT_EQ(type.parameter("charset"), "utf-8");
  EXPECT_EQ(type.parameter("format"), "flowed");
  EXPECT_EQ(type.parameters.size(), 2u);
  EXPECT_TRUE(type.malformed);
}

TEST(ContentTypeParse, MissingSemicolonIsReadAnyway) {
  ContentType type = parse_content_type("text/plain charset=utf-8");
  EXPECT_EQ(type.parameter("charset"), "utf-8");
  EXPECT_TRUE(type.malformed);
}

TEST(ContentTypeParse, UnterminatedQuoteRunsToTheEnd) {
  ContentType type = parse_content_type("text/plain; name=\"abc; def");
  EXPECT_EQ(type.parameter("name"), "abc; def");
  EXPECT_TRUE(type.malformed);
}

TEST(ContentTypeParse, InvalidTypeFallsBackButKeepsCharset) {
  ContentType type = parse_content_type("text; charset=iso-2022-jp");
  EXPECT_TRUE(type.type_invalid);
  EXPECT_TRUE(type.is("text", "plain"));
  EXPECT_EQ(type.parameter("charset"), "iso-2022-jp");
  EXPECT_TRUE(parse_content_type("").type_invalid);
  EXPECT_TRUE(parse_content_type("/plain").type_invalid);
  EXPECT_EQ(parse_content_type("(only a comment").media_type(), "text/plain");
}

TEST(ContentTypeParse, ParameterCountIsCapped) {
  std::string value = "text/plain";
  for (int i = 0; i < 100; ++i) {
    value += "; p" + std::to_string(i) + "*=x";
  }
  ContentType type = parse_content_type(value);
  EXPECT_EQ(type.parameters.size(), 64u);
  EXPECT_EQ(type.parameter("p63"), "x");
  EXPECT_TRUE(type.malformed);
}

TEST(ContentTypeParse, ParameterFallback) {
  ContentType type = parse_content_type("text/plain");
  EXPECT_EQ(type.parameter("charset", "fallback"), "fallback");
  EXPECT_EQ(type.parameter("charset"), "");
  EXPECT_EQ(type.charset(), "us-ascii");
  EXPECT_EQ(parse_content_type("image/png").charset(), "");
  EXPECT_EQ(parse_content_type("text/html; charset=UTF-8").charset(), "UTF-8");
}

TEST(ContentTransferEncodingParse, KnownAndUnknownTokens) {
  EXPECT_EQ(parse_transfer_encoding(" Base64"), TransferEncoding::base64);
  EXPECT_EQ(parse_transfer_encoding("QUOTED-PRINTABLE (comment)"),
            TransferEncoding::quoted_printable);
  EXPECT_EQ(parse_transfer_encoding("8bit"), TransferEncoding::eight_bit);
  EXPECT_EQ(parse_transfer_encoding("binary"), TransferEncoding::binary);
  EXPECT_EQ(parse_transfer_encoding(""), TransferEncoding::seven_bit);
  EXPECT_EQ(parse_transfer_encoding("x-uuencode"), TransferEncoding::unknown);
  EXPECT_EQ(transfer_encoding_name(TransferEncoding::quoted_printable), "quoted-printable");
}

TEST(ContentDispositionParse, InlineWithoutParameters) {
  ContentDisposition disposition = parse_content_disposition("INLINE");
  EXPECT_EQ(disposition.type, "inline");
  EXPECT_FALSE(disposition.is_attachment());
  EXPECT_TRUE(disposition.parameters.empty());
  EXPECT_FALSE(disposition.malformed);
  EXPECT_FALSE(parse_content_disposition("attachment; filename=a.txt").malformed);
}

TEST(ContentTypeSetParameter, ReplacesInPlaceKeepingOtherBytes) {
  EXPECT_EQ(set_parameter(" text/plain; charset=us-ascii; format=flowed", "charset", "utf-8"),
            " text/plain; charset=utf-8; format=flowed");
  EXPECT_EQ(set_parameter(" text/plain;\r\n\tcharset=\"US-ASCII\" (comment)", "charset", "utf-8"),
            " text/plain;\r\n\tcharset=utf-8 (comment)");
  EXPECT_EQ(set_parameter(" Text/Plain; Charset=x", "charset", "utf-8"),
            " Text/Plain; charset=utf-8");
}

TEST(ContentTypeSetParameter, AppendsWhenAbsent) {
  EXPECT_EQ(set_parameter(" text/plain", "charset", "utf-8"), " text/plain; charset=utf-8");
  EXPECT_EQ(set_parameter("text/plain;", "charset", "utf-8"), "text/plain; charset=utf-8");
  EXPECT_EQ(set_parameter("text/plain; format=flowed  ", "charset", "utf-8"),
            "text/plain; format=flowed; charset=utf-8  ");
}

TEST(ContentTypeSetParameter, RemovesLaterDuplicatesAndContinuations) {
  EXPECT_EQ(set_parameter("a/b; name*0=x; q=1;\r\n name*1=y", "name", "new file"),
            "a/b; name=\"new file\"; q=1");
  EXPECT_EQ(set_parameter("a/b; charset=x; charset=y", "charset", "utf-8"), "a/b; charset=utf-8");
}

}  // namespace
}  // namespace cqlist::mail
