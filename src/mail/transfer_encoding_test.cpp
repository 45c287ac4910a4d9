#include "mail/transfer_encoding.hpp"

#include <string>

#include <gtest/gtest.h>

namespace cqlist::mail {
namespace {

TEST(TransferEncodingBase64, DecodesRfc4648Vectors) {
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_EQ(decode_base64("Zg=="), "f");
  EXPECT_EQ(decode_base64("Zm8="), "fo");
  EXPECT_EQ(decode_base64("Zm9v"), "foo");
  EXPECT_EQ(decode_base64("Zm9vYg=="), "foob");
  EXPECT_EQ(decode_base64("Zm9vYmE="), "fooba");
  EXPECT_EQ(decode_base64("Zm9vYmFy"), "foobar");
}

TEST(TransferEncodingBase64, SkipsLineBreaksAndGarbage) {
  EXPECT_EQ(decode_base64("Zm9v\r\nYmFy\r\n"), "foobar");
  EXPECT_EQ(decode_base64(" Zm 9v!Ym*Fy\n\n"), "foobar");
  EXPECT_EQ(decode_base64("Zm9vYmE"), "fooba");  // padding missing
  EXPECT_EQ(decode_base64("Zm9vY"), "foo");      // a lone sextet holds no byte
}

TEST(TransferEncodingBase64, PaddingInTheMiddleEndsAGroup) {
  EXPECT_EQ(decode_base64("QQ==QUI="), "AAB");
  EXPECT_EQ(decode_base64("Zg==\r\n==\r\nZm8="), "ffo");
}

TEST(TransferEncodingBase64, EncodesWith76CharacterLines) {
  EXPECT_EQ(encode_base64(""), "");
  EXPECT_EQ(encode_base64("f"), "Zg==\r\n");
  EXPECT_EQ(encode_base64("foobar", "\n"), "Zm9vYmFy\n");
  std::string data(57, 'x');  // exactly one 76-character line
  std::string encoded = encode_base64(data);
  EXPECT_EQ(encoded.size(), 78u);
  EXPECT_EQ(encoded.substr(76), "\r\n");
  std::string longer = encode_base64(std::string(58, 'x'));
  EXPECT_EQ(longer, std::string(76, 'e').replace(0, 76, encoded.substr(0, 76)) + "\r\neA==\r\n");
}

TEST(TransferEncodingBase64, RoundTripsAllBytes) {
  std::string data;
  for (int i = 0; i < 256; ++i) {
    data += static_cast<char>(i);
  }
  EXPECT_EQ(decode_base64(encode_base64(data)), data);
}

TEST(TransferEncodingQuotedPrintable, DecodesEscapesAndSoftBreaks) {
  EXPECT_EQ(decode_quoted_printable("caf=C3=A9 =3D ok"), "caf\xC3\xA9 = ok");
  EXPECT_EQ(decode_quoted_printable("caf=c3=a9"), "caf\xC3\xA9");  // lowercase hex
  EXPECT_EQ(decode_quoted_printable("long=\r\nline=\nend\r\n"), "longlineend\r\n");
  EXPECT_EQ(decode_quoted_printable("soft= \t\r\nbreak"), "softbreak");
  EXPECT_EQ(decode_quoted_printable("ends with ="), "ends with ");
}

TEST(TransferEncodingQuotedPrintable, KeepsBrokenEscapesLiterally) {
  EXPECT_EQ(decode_quoted_printable("a=G1b =Z x=4"), "a=G1b =Z x=4");
  EXPECT_EQ(decode_quoted_printable("1+1=2"), "1+1=2");
}

TEST(TransferEncodingQuotedPrintable, DropsTrailingWhiteSpaceOnly) {
  EXPECT_EQ(decode_quoted_printable("a b  \r\nc\t\nd "), "a b\r\nc\nd");
  EXPECT_EQ(decode_quoted_printable("x =20\r\n"), "x  \r\n");
}

TEST(TransferEncodingQuotedPrintable, EncodesPerRfc2045) {
  EXPECT_EQ(encode_quoted_printable("caf\xC3\xA9 = ok\n"), "caf=C3=A9 =3D ok\r\n");
  EXPECT_EQ(encode_quoted_printable("trailing \nTab\t\r\nlast"), "trailing=20\r\nTab=09\r\nlast");
  EXPECT_EQ(encode_quoted_printable("From here\nFrom: x\n", "\n"), "=46rom here\nFrom: x\n");
  EXPECT_EQ(encode_quoted_printable("bare\rcr"), "bare=0Dcr");
}

TEST(TransferEncodingQuotedPrintable, SoftBreaksKeepLinesAt76) {
  std::string line(80, 'a');
  std::string encoded = encode_quoted_printable(line + "\n");
  EXPECT_EQ(encoded, std::string(75, 'a') + "=\r\n" + std::string(5, 'a') + "\r\n");
  // A line of exactly 76 characters needs no soft break.
  EXPECT_EQ(encode_quoted_printable(std::string(76, 'b')), std::string(76, 'b'));
  // An escape is never split across a soft break.
  std::string escapes = std::string(74, 'c') + "\xE9\xE9";
  EXPECT_EQ(encode_quoted_printable(escapes), std::string(74, 'c') + "=\r\n=E9=E9");
}

TEST(TransferEncodingQuotedPrintable, RoundTripsAndStaysWithinLimits) {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += static_cast<char>(i % 7 == 0 ? ' ' : (i % 11 == 0 ? '\n' : 32 + (i * 37) % 200));
  }
  std::string encoded = encode_quoted_printable(text, "\n");
  EXPECT_EQ(decode_quoted_printable(encoded), text);
  std::size_t start = 0;
  while (start < encoded.size()) {
    std::size_t end = encoded.find('\n', start);
    end = end == std::string::npos ? encoded.size() : end;
    EXPECT_LE(end - start, 76u) << encoded.substr(start, end - start);
    start = end + 1;
  }
}

TEST(TransferEncodingDispatch, IdentityForOtherEncodings) {
  EXPECT_EQ(decode_transfer_encoding("Zm9v", TransferEncoding::base64), "foo");
  EXPECT_EQ(decode_transfer_encoding("=41", TransferEncoding::quoted_printable), "A");
  EXPECT_EQ(decode_transfer_encoding("=41", TransferEncoding::seven_bit), "=41");
  EXPECT_EQ(decode_transfer_encoding("Zm9v", TransferEncoding::unknown), "Zm9v");
  EXPECT_EQ(encode_transfer_encoding("A", TransferEncoding::eight_bit), "A");
}

}  // namespace
}  // namespace cqlist::mail

namespace cqlist::mail {
namespace {

TEST(Rfc822TransferEncoding, NamesTheNarrowestAllowedEncoding) {
  EXPECT_EQ(rfc822_transfer_encoding("Subject: x\r\n\r\nascii\r\n"), "7bit");
  EXPECT_EQ(rfc822_transfer_encoding("Subject: x\r\n\r\n\xE3\x81\x82\r\n"), "8bit");
  EXPECT_EQ(rfc822_transfer_encoding(std::string("a\0b\r\n", 5)), "binary");
  EXPECT_EQ(rfc822_transfer_encoding("a\rb\r\n"), "binary");
  EXPECT_EQ(rfc822_transfer_encoding(std::string(998, 'x') + "\r\n"), "7bit");
  EXPECT_EQ(rfc822_transfer_encoding(std::string(999, 'x') + "\r\n"), "binary");
}

}  // namespace
}  // namespace cqlist::mail
