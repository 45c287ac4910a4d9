#include "mail/encoded_word.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cqlist::mail {
namespace {

TEST(EncodedWordDecode, PlainTextIsUnchanged) {
  EXPECT_EQ(decode_header_text("Meeting on Friday"), "Meeting on Friday");
  EXPECT_EQ(decode_header_text(""), "");
  EXPECT_EQ(decode_header_text("a =? b ?= c"), "a =? b ?= c");
}

TEST(EncodedWordDecode, DecodesBase64AndQ) {
  EXPECT_EQ(decode_header_text("=?UTF-8?B?54Sh57ea5qmf44Gu6Kit5a6a44Gr44Gk44GE44Gm?="),
            "無線機の設定について");
  EXPECT_EQ(decode_header_text("=?iso-8859-1?q?caf=E9_cr=E8me?="), "café crème");
  EXPECT_EQ(decode_header_text("=?ISO-2022-JP?B?GyRCTDVAfjUhJE5AX0RqJEskRCQkJEYbKEI=?="),
            "無線機の設定について");
}

TEST(EncodedWordDecode, QAcceptsLowercaseHexAndStrayEquals) {
  EXPECT_EQ(decode_header_text("=?utf-8?Q?=e7=84=a1?="), "無");
  EXPECT_EQ(decode_header_text("=?utf-8?Q?a=zb=?="), "a=zb=");
}

TEST(EncodedWordDecode, WhiteSpaceBetweenWordsIsDropped) {
  // RFC 2047 §8 examples.
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)"), "(ab)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
  EXPECT_EQ(decode_header_text("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), "(a b)");
  // Across charsets too.
  EXPECT_EQ(decode_header_text("=?utf-8?B?6Kit5a6a?= =?iso-8859-1?Q?caf=E9?="), "設定café");
}

TEST(EncodedWordDecode, FoldingIsRemoved) {
  EXPECT_EQ(decode_header_text("first line\r\n second line"), "first line second line");
  EXPECT_EQ(decode_header_text("Re: =?UTF-8?B?6Kit5a6a?=\n\tdone"), "Re: 設定\tdone");
}

TEST(EncodedWordDecode, JoinsBytesOfCharactersSplitAcrossWords) {
  // 無 (E7 84 A1) split after its first byte, and after two bytes in base64.
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?=E7?= =?UTF-8?Q?=84=A1=E7=B7=9A?="), "無線");
  EXPECT_EQ(decode_header_text("=?utf-8?B?54Q=?=\r\n =?UTF-8?B?oee3mg==?="), "無線");
  // ISO-2022-JP whose first word does not return to ASCII: only joined bytes decode.
  EXPECT_EQ(decode_header_text("=?ISO-2022-JP?B?GyRCTDVAfg==?= =?ISO-2022-JP?B?NSEbKEI=?="),
            "無線機");
}

TEST(EncodedWordDecode, Rfc2231LanguageSuffix) {
  EXPECT_EQ(decode_header_text("=?utf-8*ja?B?6Kit5a6a?="), "設定");
  EXPECT_EQ(decode_header_text("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore");
}

TEST(EncodedWordDecode, WordsInsideQuotedStringsAndWithoutSpaces) {
  EXPECT_EQ(decode_header_text("\"=?UTF-8?B?5bGx55Sw5aSq6YOO?=\" <taro@example.jp>"),
            "\"山田太郎\" <taro@example.jp>");
  EXPECT_EQ(decode_header_text("Re:=?UTF-8?B?6Kit5a6a?=(2)"), "Re:設定(2)");
}

TEST(EncodedWordDecode, MissingBase64Padding) {
  EXPECT_EQ(decode_header_text("=?UTF-8?B?6Kit5a6a44Gr?="), "設定に");
  EXPECT_EQ(decode_header_text("=?UTF-8?B?44Gr?="), "に");
  EXPECT_EQ(decode_header_text("=?UTF-8?B?SGk?="), "Hi");
  // Separately padded pieces concatenated in one word.
  EXPECT_EQ(decode_header_text("=?UTF-8?B?SGk=SGk=?="), "HiHi");
}

TEST(EncodedWordDecode, MalformedWordsStayLiteral) {
  EXPECT_EQ(decode_header_text("=?UTF-8?X?abc?="), "=?UTF-8?X?abc?=");
  EXPECT_EQ(decode_header_text("=?UTF-8?B?abc"), "=?UTF-8?B?abc");
  EXPECT_EQ(decode_header_text("=?UTF-8?B?a*c?="), "=?UTF-8?B?a*c?=");
  EXPECT_EQ(decode_header_text("=??B?SGk=?="), "=??B?SGk=?=");
  // A false start followed by a real word: the false start stays, the real one decodes.
  EXPECT_EQ(decode_header_text("=?broken =?UTF-8?Q?ok?="), "=?broken ok");
}

TEST(EncodedWordDecode, UnknownCharsetIsReadAsUtf8OrLatin1) {
  EXPECT_EQ(decode_header_text("=?x-unknown?Q?caf=C3=A9?="), "café");
  EXPECT_EQ(decode_header_text("=?x-unknown?Q?caf=E9?="), "café");
}

TEST(EncodedWordDecode, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a=FFb?="), "a\uFFFDb");
}

TEST(EncodedWordDecode, LineBreaksInsideWordsBecomeSpaces) {
  EXPECT_EQ(decode_header_text("=?UTF-8?Q?a=0D=0Ab=00c?="), "a bc");
}

TEST(EncodedWordDecode, Raw8BitText) {
  // RFC 6532: raw UTF-8.
  EXPECT_EQ(decode_header_text("Re: 無線機の設定"), "Re: 無線機の設定");
  // Raw Shift_JIS with a fallback, and without one (Latin-1, what a reader would show).
  EXPECT_EQ(decode_header_text("Re: \x96\xB3\x90\xFC\x8B\x40", "shift_jis"), "Re: 無線機");
  EXPECT_EQ(decode_header_text("caf\xE9"), "café");
  // Raw ISO-2022-JP is recognised by its escape sequences.
  EXPECT_EQ(decode_header_text("Re: \x1B$B@_Dj\x1B(B"), "Re: 設定");
}

TEST(EncodedWordSplit, ReportsSegmentsWithRawSpans) {
  std::string raw = "Re: =?ISO-2022-JP?B?GyRCQF9EahsoQg==?= =?UTF-8?B?5Y+X?= end";
  std::vector<HeaderTextSegment> segments = split_header_text(raw);
  ASSERT_EQ(segments.size(), 5u);
  EXPECT_EQ(segments[0].text, "Re: ");
  EXPECT_FALSE(segments[0].encoded);
  EXPECT_EQ(segments[1].text, "設定");
  EXPECT_TRUE(segments[1].encoded);
  EXPECT_EQ(segments[1].charset, "ISO-2022-JP");
  EXPECT_EQ(raw.substr(segments[1].raw_begin, segments[1].raw_end - segments[1].raw_begin),
            "=?ISO-2022-JP?B?GyRCQF9EahsoQg==?=");
  EXPECT_EQ(segments[2].text, "");  // dropped white space between words
  EXPECT_EQ(segments[3].text, "受");
  EXPECT_EQ(segments[3].charset, "UTF-8");
  EXPECT_EQ(segments[4].text, " end");
  EXPECT_EQ(segments[4].raw_end, raw.size());
}

TEST(EncodedWordEncode, AsciiStaysPlain) {
  EXPECT_EQ(encode_header_text("Meeting on Friday").value(), "Meeting on Friday");
  EXPECT_EQ(encode_header_text("").value(), "");
}

TEST(EncodedWordEncode, Utf8UsesShorterOfBAndQ) {
  EXPECT_EQ(encode_header_text("無線機の設定について").value(),
            "=?UTF-8?B?54Sh57ea5qmf44Gu6Kit5a6a44Gr44Gk44GE44Gm?=");
  EXPECT_EQ(encode_header_text("café").value(), "=?UTF-8?B?Y2Fmw6k=?=");
  EXPECT_EQ(encode_header_text("Ausführungsbestimmungen").value(),
            "=?UTF-8?Q?Ausf=C3=BChrungsbestimmungen?=");
}

TEST(EncodedWordEncode, AsciiWordsAroundEncodedOnesStayPlain) {
  EXPECT_EQ(encode_header_text("Re: 設定 update").value(), "Re: =?UTF-8?B?6Kit5a6a?= update");
  // White space between two encoded words goes inside the word, or it would be lost.
  EXPECT_EQ(encode_header_text("café crème").value(), "=?UTF-8?B?Y2Fmw6kgY3LDqG1l?=");
  EXPECT_EQ(encode_header_text("Ausführung für Bestimmungen").value(),
            "=?UTF-8?Q?Ausf=C3=BChrung_f=C3=BCr?= Bestimmungen");
  // A plain word that looks like an encoded word must be encoded.
  EXPECT_EQ(encode_header_text("x =?y?= z").value(), "x =?UTF-8?B?PT95Pz0=?= z");
}

TEST(EncodedWordEncode, Iso2022JpWordsAreSelfContained) {
  EncodeOptions options;
  options.charset = EncodeCharset::iso_2022_jp;
  EXPECT_EQ(encode_header_text("Re: 設定", options).value(),
            "Re: =?ISO-2022-JP?B?GyRCQF9EahsoQg==?=");
  EXPECT_EQ(encode_header_text("「無線機の設定について」", options).value(),
            "=?ISO-2022-JP?B?GyRCIVZMNUB+NSEkTkBfRGokSyREJCQkRiFXGyhC?=");
  EXPECT_FALSE(encode_header_text("①", options));
}

TEST(EncodedWordEncode, LongTextFoldsWithinLimits) {
  std::string text;
  for (int i = 0; i < 6; ++i) {
    text += "無線機の設定について";
  }
  for (EncodeCharset charset : {EncodeCharset::utf8, EncodeCharset::iso_2022_jp}) {
    EncodeOptions options;
    options.charset = charset;
    options.first_line_used = 9;
    std::string encoded = encode_header_text(text, options).value();
    std::size_t line_start = 0;
    std::size_t column = options.first_line_used;
    for (std::size_t i = 0; i <= encoded.size(); ++i) {
      if (i == encoded.size() || encoded[i] == '\n') {
        EXPECT_LE(column + i - line_start, 76u) << encoded;
        line_start = i + 1;
        column = 0;
      }
    }
    EXPECT_NE(encoded.find("\n "), std::string::npos);
    EXPECT_EQ(decode_header_text(encoded), text);
  }
}

TEST(EncodedWordEncode, Utf8FoldingIsExact) {
  EncodeOptions options;
  options.first_line_used = 9;
  EXPECT_EQ(encode_header_text("無線機の設定について無線機の設定について", options).value(),
            "=?UTF-8?B?54Sh57ea5qmf44Gu6Kit5a6a44Gr44Gk44GE44Gm54Sh57ea5qmf?=\n"
            " =?UTF-8?B?44Gu6Kit5a6a44Gr44Gk44GE44Gm?=");
}

TEST(EncodedWordEncode, PlainWordsFoldAtWhiteSpace) {
  std::string text = "The quick brown fox jumps over the lazy dog and keeps running far away";
  EXPECT_EQ(fold_header_text(text, 9),
            "The quick brown fox jumps over the lazy dog and keeps running far\n away");
  EXPECT_EQ(encode_header_text(text, {EncodeCharset::utf8, 9, false}).value(),
            "The quick brown fox jumps over the lazy dog and keeps running far\n away");
}

TEST(EncodedWordEncode, PhraseModeRestrictsQCharacters) {
  EncodeOptions options;
  options.phrase = true;
  // Specials such as "(" and "," cannot stand in a phrase, so their words are encoded.
  EXPECT_EQ(encode_header_text("Ops (Tokyo)", options).value(), "Ops =?UTF-8?Q?=28Tokyo=29?=");
  EXPECT_EQ(encode_header_text("Ausführungsbestimmungen, Hans", options).value(),
            "=?UTF-8?Q?Ausf=C3=BChrungsbestimmungen=2C?= Hans");
  // In unstructured text the same characters stay as they are.
  EXPECT_EQ(encode_header_text("Ausführungsbestimmungen, Hans").value(),
            "=?UTF-8?Q?Ausf=C3=BChrungsbestimmungen,?= Hans");
  EXPECT_EQ(encode_header_text("山田 太郎", options).value(), "=?UTF-8?B?5bGx55SwIOWkqumDjg==?=");
}

TEST(EncodedWordEncode, RejectsInvalidUtf8) {
  auto result = encode_header_text("a\xFF");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), Errc::invalid_argument);
}

TEST(EncodedWordRoundTrip, DecodeOfEncodeGivesTheText) {
  for (std::string text :
       {"Re: 無線機の設定について", "  spaced  out  ", "mixed 日本 and ascii 語", "tab\there",
        "=?not-a-word?=", "a_b=c?d", "emoji 📡 antenna", "\x01 control"}) {
    for (bool phrase : {false, true}) {
      EncodeOptions options;
      options.phrase = phrase;
      auto encoded = encode_header_text(text, options);
      ASSERT_TRUE(encoded) << text;
      EXPECT_EQ(decode_header_text(*encoded), text) << *encoded;
    }
  }
}

}  // namespace
}  // namespace cqlist::mail
