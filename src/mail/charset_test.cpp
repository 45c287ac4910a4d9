#include "mail/charset.hpp"

#include <string>

#include <gtest/gtest.h>

namespace cqlist::mail {
namespace {

TEST(CharsetUtf8Validity, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("無線機の設定について"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x93\xA1"));  // U+1F4E1 satellite antenna
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
}

TEST(CharsetUtf8Validity, RejectsMalformedText) {
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE7\x84"));          // truncated
  EXPECT_FALSE(is_valid_utf8("a\x80z"));            // stray continuation byte
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(CharsetNames, ResolvesAliasesCaseInsensitively) {
  EXPECT_EQ(iconv_charset_name("utf8"), "UTF-8");
  EXPECT_EQ(iconv_charset_name("UTF-8"), "UTF-8");
  EXPECT_EQ(iconv_charset_name(" \"us-ascii\" "), "ASCII");
  EXPECT_EQ(iconv_charset_name("ANSI_X3.4-1968"), "ASCII");
  EXPECT_EQ(iconv_charset_name("Latin1"), "ISO-8859-1");
  EXPECT_EQ(iconv_charset_name("iso-8859-15"), "ISO-8859-15");
  EXPECT_EQ(iconv_charset_name("ISO_8859-1:1987"), "ISO-8859-1");
  EXPECT_EQ(iconv_charset_name("iso8859-2"), "ISO-8859-2");
  EXPECT_EQ(iconv_charset_name("Windows-1251"), "CP1251");
  EXPECT_EQ(iconv_charset_name("cp1252"), "CP1252");
  EXPECT_EQ(iconv_charset_name("Shift_JIS"), "CP932");
  EXPECT_EQ(iconv_charset_name("x-sjis"), "CP932");
  EXPECT_EQ(iconv_charset_name("MS_Kanji"), "CP932");
  EXPECT_EQ(iconv_charset_name("windows-31j"), "CP932");
  EXPECT_EQ(iconv_charset_name("EUC-JP"), "EUC-JP-MS");
  EXPECT_EQ(iconv_charset_name("x-euc-jp"), "EUC-JP-MS");
  EXPECT_EQ(iconv_charset_name("ISO-2022-JP"), "ISO-2022-JP");
  EXPECT_EQ(iconv_charset_name("csISO2022JP"), "ISO-2022-JP");
  EXPECT_EQ(iconv_charset_name("gb2312"), "GB18030");
  EXPECT_EQ(iconv_charset_name("GBK"), "GB18030");
  EXPECT_EQ(iconv_charset_name("ks_c_5601-1987"), "CP949");
  EXPECT_EQ(iconv_charset_name("big5"), "BIG5-HKSCS");
  EXPECT_EQ(iconv_charset_name("koi8-r"), "KOI8-R");
  // Names iconv knows without an alias pass through; unknown or odd labels give "".
  EXPECT_EQ(iconv_charset_name("iso-2022-kr"), "ISO-2022-KR");
  EXPECT_EQ(iconv_charset_name("x-unknown-charset"), "");
  EXPECT_EQ(iconv_charset_name("utf-8//TRANSLIT"), "");
  EXPECT_EQ(iconv_charset_name(""), "");
}

TEST(CharsetDecode, DecodesCommonCharsets) {
  EXPECT_EQ(to_utf8("caf\xE9", "iso-8859-1").value(), "café");
  EXPECT_EQ(to_utf8("\xA4", "iso-8859-15").value(), "€");
  EXPECT_EQ(to_utf8("\xCF\xF0\xE8\xE2\xE5\xF2", "windows-1251").value(), "Привет");
  EXPECT_EQ(to_utf8("\xC4\xE3\xBA\xC3", "gb2312").value(), "你好");
  EXPECT_EQ(to_utf8("\xBE\xC8\xB3\xE7", "euc-kr").value(), "안녕");
  EXPECT_EQ(to_utf8("\x96\xB3\x90\xFC\x8B\x40", "Shift_JIS").value(), "無線機");
  EXPECT_EQ(to_utf8("\xCC\xB5\xC0\xFE\xB5\xA1", "euc-jp").value(), "無線機");
}

TEST(CharsetDecode, ReadsLatin1LabelsAsWindows1252) {
  // Outlook labels Windows-1252 text as ISO-8859-1; the quotes would otherwise be C1 controls.
  EXPECT_EQ(to_utf8("\x93quoted\x94", "iso-8859-1").value(), "“quoted”");
  // A byte undefined in Windows-1252 still decodes as real ISO-8859-1.
  EXPECT_EQ(to_utf8("\x81", "iso-8859-1").value(), "\xC2\x81");
}

TEST(CharsetDecode, ShiftJisReadsWindowsExtensions) {
  // NEC special characters (row 13) and NEC-selected IBM extensions: ① ㈱ 纊 髙.
  EXPECT_EQ(to_utf8("\x87\x40\x87\x8A\xED\x40\xFB\xFC", "shift_jis").value(), "①㈱纊髙");
}

TEST(CharsetDecode, Iso2022JpPlain) {
  // 「無線機の設定について」
  std::string jis = "\x1B$B!VL5@~5!$N@_Dj$K$D$$$F!W\x1B(B";
  EXPECT_EQ(to_utf8(jis, "ISO-2022-JP").value(), "「無線機の設定について」");
}

TEST(CharsetDecode, Iso2022JpAcceptsMicrosoftExtensions) {
  // ① and ㈱ (NEC row 13) and 纊 (row 89) behind ESC $ B, as Windows writes them.
  EXPECT_EQ(to_utf8("\x1B$B-!-j\x1B(B", "iso-2022-jp").value(), "①㈱");
  EXPECT_EQ(to_utf8("\x1B$By!\x1B(B", "iso-2022-jp").value(), "纊");
  // Half-width katakana by ESC ( I and by SO/SI.
  EXPECT_EQ(to_utf8("\x1B(I1\x1B(B", "iso-2022-jp").value(), "ｱ");
  EXPECT_EQ(to_utf8("a\x0E\x31\x0F"
                    "b",
                    "iso-2022-jp")
                .value(),
            "aｱb");
  // ESC $ @ (old JIS) and ESC ( J (JIS Roman, read as ASCII).
  EXPECT_EQ(to_utf8("\x1B$@$\"\x1B(Ja\\", "iso-2022-jp").value(), "あa\\");
  // JIS X 0212: 丂 is 0x3021 there.
  EXPECT_EQ(to_utf8("\x1B$(D0!\x1B(B", "iso-2022-jp").value(), "丂");
}

TEST(CharsetDecode, WaveDashFollowsMicrosoftMapping) {
  // JIS 1-33 decodes to U+FF5E FULLWIDTH TILDE in every Japanese charset (WHATWG, Windows).
  EXPECT_EQ(to_utf8("\x1B$B!A\x1B(B", "iso-2022-jp").value(), "～");
  EXPECT_EQ(to_utf8("\x81\x60", "shift_jis").value(), "～");
  EXPECT_EQ(to_utf8("\xA1\xC1", "euc-jp").value(), "～");
}

TEST(CharsetDecode, StrictFailures) {
  auto unknown = to_utf8("x", "x-no-such-charset");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), Errc::unsupported);
  auto bad_utf8 = to_utf8("a\xFFz", "utf-8");
  ASSERT_FALSE(bad_utf8);
  EXPECT_EQ(bad_utf8.error().code(), Errc::bad_syntax);
  EXPECT_FALSE(to_utf8("caf\xE9", "us-ascii"));
  EXPECT_FALSE(to_utf8("\x1B$B\x80\x80\x1B(B", "iso-2022-jp"));
  EXPECT_FALSE(to_utf8("\x1B$Z", "iso-2022-jp"));
}

TEST(CharsetDecodeLenient, ReplacesInvalidBytesAndContinues) {
  EXPECT_EQ(to_utf8_lenient("a\xFFz", "utf-8"), "a\uFFFDz");
  EXPECT_EQ(to_utf8_lenient("\x96\xB3\xFF\x90\xFC", "shift_jis"), "無\uFFFD線");
  // A truncated final character.
  EXPECT_EQ(to_utf8_lenient("\x96\xB3\x90", "shift_jis"), "無\uFFFD");
  // An unknown escape sequence costs its ESC; the bytes after it stay in the current set.
  EXPECT_EQ(to_utf8_lenient("\x1B$B$\"\x1B$Z$\"\x1B(B", "iso-2022-jp"), "あ\uFFFDぺあ");
}

TEST(CharsetDecodeLenient, UnknownCharsetFallsBack) {
  EXPECT_EQ(to_utf8_lenient("caf\xC3\xA9", "x-unknown"), "café");
  EXPECT_EQ(to_utf8_lenient("caf\xE9", "x-unknown"), "café");
  EXPECT_EQ(to_utf8_lenient("caf\xE9", "us-ascii"), "café");
  EXPECT_EQ(to_utf8_lenient("caf\xC3\xA9", "us-ascii"), "café");
}

TEST(CharsetEncode, EncodesToCharsets) {
  EXPECT_EQ(from_utf8("café", "iso-8859-1").value(), "caf\xE9");
  EXPECT_EQ(from_utf8("無線機", "shift_jis").value(), "\x96\xB3\x90\xFC\x8B\x40");
  EXPECT_EQ(from_utf8("無線機", "utf-8").value(), "無線機");
  auto no_euro = from_utf8("€", "iso-8859-1");
  ASSERT_FALSE(no_euro);
  EXPECT_EQ(no_euro.error().code(), Errc::unsupported);
  auto bad_input = from_utf8("\xFF", "iso-8859-1");
  ASSERT_FALSE(bad_input);
  EXPECT_EQ(bad_input.error().code(), Errc::invalid_argument);
}

TEST(CharsetEncode, Iso2022JpIsPureAndEndsInAscii) {
  EXPECT_EQ(from_utf8("「無線機の設定について」", "ISO-2022-JP").value(),
            "\x1B$B!VL5@~5!$N@_Dj$K$D$$$F!W\x1B(B");
  EXPECT_EQ(from_utf8("Re: 設定", "ISO-2022-JP").value(), "Re: \x1B$B@_Dj\x1B(B");
  // NEC special characters, half-width katakana and ¥ need more than JIS X 0208.
  EXPECT_FALSE(from_utf8("①", "ISO-2022-JP"));
  EXPECT_FALSE(from_utf8("ｱ", "ISO-2022-JP"));
  EXPECT_FALSE(from_utf8("¥", "ISO-2022-JP"));
  EXPECT_FALSE(from_utf8("a\x0F", "ISO-2022-JP"));
  EXPECT_FALSE(from_utf8("\x1B$B", "ISO-2022-JP"));
}

TEST(CharsetEncode, Iso2022JpAcceptsBothWaveDashForms) {
  EXPECT_EQ(from_utf8("〜", "ISO-2022-JP").value(), "\x1B$B!A\x1B(B");
  EXPECT_EQ(from_utf8("～", "ISO-2022-JP").value(), "\x1B$B!A\x1B(B");
  EXPECT_EQ(from_utf8("∥－￠￡￢—", "ISO-2022-JP").value(), "\x1B$B!B!]!q!r\"L!=\x1B(B");
  // Decoding gives the Microsoft forms back, so a decode/encode/decode cycle is stable.
  EXPECT_EQ(to_utf8(from_utf8("〜", "ISO-2022-JP").value(), "ISO-2022-JP").value(), "～");
}

}  // namespace
}  // namespace cqlist::mail
