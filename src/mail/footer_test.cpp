#include "mail/footer.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "base/file.hpp"
#include "mail/charset.hpp"

namespace cqlist::mail {
namespace {

const Footer kAsciiFooter{
    "-- \nTest list <test@example.org> & friends\nUnsubscribe: https://example.org/u\n", ""};
// "テストML" and "配信停止" (unsubscribe).
const Footer kJapaneseFooter{
    "-- \n\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88ML <test@example.org>\n"
    "\xE9\x85\x8D\xE4\xBF\xA1\xE5\x81\x9C\xE6\xAD\xA2: https://example.org/u\n",
    ""};

std::string data_path(const std::string& name) {
  return std::string(CQLIST_SOURCE_ROOT) + "/tests/data/messages/" + name;
}

std::string read_data(const std::string& name) {
  Result<std::string> bytes = read_file(data_path(name));
  EXPECT_TRUE(bytes.has_value()) << data_path(name);
  return bytes ? std::move(*bytes) : std::string();
}

std::string without_cr(std::string text) {
  std::erase(text, '\r');
  return text;
}

// What a reader sees must hold the footer where the outcome says it went.
void check_placement(const std::string& output, const FooterOutcome& outcome,
                     const Footer& footer) {
  MimeTree tree = MimeTree::build(Message::parse(output));
  for (const FooterChange& change : outcome.changes) {
    switch (change.placement) {
      case FooterPlacement::appended_to_text:
        EXPECT_TRUE(without_cr(decoded_text(tree.part(change.part))).ends_with(footer.text))
            << "part " << change.part;
        break;
      case FooterPlacement::inserted_into_html:
        EXPECT_NE(decoded_text(tree.part(change.part)).find("list-footer"), std::string::npos);
        break;
      case FooterPlacement::new_part:
      case FooterPlacement::wrapped: {
        const MimePart& container = tree.part(change.part);
        ASSERT_FALSE(container.children.empty());
        const MimePart& added = tree.part(container.children.back());
        EXPECT_EQ(added.content_type.media_type(), "text/plain");
        EXPECT_EQ(without_cr(decoded_text(added)), footer.text);
        break;
      }
    }
  }
}

// Adds the footer to tests/data/messages/<input> and compares with <expected>. On a mismatch
// the output goes to <expected>.actual; CQLIST_UPDATE_GOLDEN=1 rewrites <expected> instead.
FooterOutcome run_golden(const std::string& input, const std::string& expected,
                         const Footer& footer, const FooterOptions& options = {},
                         bool check_text = true) {
  Message message = Message::parse(read_data(input));
  Result<FooterOutcome> outcome = add_footer(message, footer, options);
  EXPECT_TRUE(outcome.has_value());
  if (!outcome) {
    return {};
  }
  std::string actual = message.serialize();
  std::string path = data_path(expected);
  if (std::getenv("CQLIST_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::string wanted = read_data(expected);
  std::string actual_path = path + ".actual";
  if (actual != wanted) {
    std::ofstream(actual_path, std::ios::binary) << actual;
    ADD_FAILURE() << "footer output differs from " << path << "; got " << actual_path;
  } else {
    std::filesystem::remove(actual_path);
  }
  if (check_text) {
    check_placement(actual, *outcome, footer);
  }
  return *outcome;
}

// The message must come out exactly as it went in.
FooterOutcome run_unchanged(const std::string& input, const Footer& footer,
                            const FooterOptions& options = {}) {
  std::string bytes = read_data(input);
  Message message = Message::parse(bytes);
  Result<FooterOutcome> outcome = add_footer(message, footer, options);
  EXPECT_TRUE(outcome.has_value());
  EXPECT_EQ(message.serialize(), bytes);
  return outcome ? *outcome : FooterOutcome{};
}

TEST(FooterText, SevenBitBodyGetsARawAppend) {
  FooterOutcome outcome =
      run_golden("footer-plain-7bit.eml", "footer-plain-7bit.expected.eml", kAsciiFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].placement, FooterPlacement::appended_to_text);
  EXPECT_EQ(outcome.changes[0].part, 0u);
  EXPECT_EQ(outcome.changes[0].charset, "us-ascii");
  EXPECT_EQ(outcome.changes[0].transfer_encoding, TransferEncoding::seven_bit);
  EXPECT_FALSE(outcome.changes[0].charset_changed);
}

TEST(FooterText, AsciiBodyWithJapaneseFooterBecomesUtf8) {
  FooterOutcome outcome =
      run_golden("footer-plain-ascii.eml", "footer-plain-ascii.expected.eml", kJapaneseFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].charset, "utf-8");
  EXPECT_TRUE(outcome.changes[0].charset_changed);
  EXPECT_TRUE(outcome.changes[0].transfer_encoding_changed);
  // Over a sixth of the bytes are 8-bit: base64 is the shorter encoding.
  EXPECT_EQ(outcome.changes[0].transfer_encoding, TransferEncoding::base64);
}

TEST(FooterText, MessageWithoutMimeFieldsGetsThem) {
  FooterOutcome outcome = run_golden("footer-plain-no-header.eml",
                                     "footer-plain-no-header.expected.eml", kJapaneseFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_TRUE(outcome.changes[0].charset_changed);
}

TEST(FooterText, Iso2022JpBodyGetsAnIso2022JpFooter) {
  FooterOutcome outcome =
      run_golden("footer-iso2022jp.eml", "footer-iso2022jp.expected.eml", kJapaneseFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].charset, "ISO-2022-JP");
  EXPECT_FALSE(outcome.changes[0].charset_changed);
  EXPECT_EQ(outcome.changes[0].transfer_encoding, TransferEncoding::seven_bit);

  Message result = Message::parse(read_data("footer-iso2022jp.expected.eml"));
  std::string_view body = result.body();
  // Every line switches back to ASCII before it ends (RFC 1468), the last one included.
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t end = body.find('\n', start);
    std::string_view line = body.substr(start, end - start);
    std::size_t to_jis = line.rfind("\x1B$B");
    if (to_jis != std::string_view::npos) {
      EXPECT_NE(line.find("\x1B(B", to_jis), std::string_view::npos) << line;
    }
    EXPECT_TRUE(std::all_of(line.begin(), line.end(),
                            [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
    start = end == std::string_view::npos ? body.size() : end + 1;
  }
  Result<std::string> text = to_utf8(body, "ISO-2022-JP");
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(without_cr(*text),
            "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF\xE3\x80\x81"
            "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88\xE3\x81\xA7\xE3\x81\x99\xE3\x80\x82\n"
            "\xE4\xBA\x8C\xE8\xA1\x8C\xE7\x9B\xAE\xE3\x80\x82\n" +
                kJapaneseFooter.text);
}

TEST(FooterText, Base64Utf8BodyIsReencodedWhole) {
  FooterOutcome outcome =
      run_golden("footer-base64-utf8.eml", "footer-base64-utf8.expected.eml", kJapaneseFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].transfer_encoding, TransferEncoding::base64);
  EXPECT_FALSE(outcome.changes[0].transfer_encoding_changed);
}

TEST(FooterText, QuotedPrintableLatin1BodyKeepsItsCharsetForAsciiFooter) {
  FooterOutcome outcome =
      run_golden("footer-qp-latin1.eml", "footer-qp-latin1.expected.eml", kAsciiFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].charset, "iso-8859-1");
  EXPECT_EQ(outcome.changes[0].transfer_encoding, TransferEncoding::quoted_printable);
}

TEST(FooterText, QuotedPrintableLatin1BodyMovesToUtf8ForJapaneseFooter) {
  FooterOutcome outcome =
      run_golden("footer-qp-latin1.eml", "footer-qp-latin1-ja.expected.eml", kJapaneseFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_TRUE(outcome.changes[0].charset_changed);
  EXPECT_FALSE(outcome.changes[0].transfer_encoding_changed);
}

TEST(FooterText, FlowedBodyEndsItsParagraphAndFooterLinesLoseTrailingSpaces) {
  Footer footer{"-- \nA line with trailing spaces   \n> quoted-looking line\n", ""};
  run_golden("footer-flowed.eml", "footer-flowed.expected.eml", footer, {}, false);
  Message result = Message::parse(read_data("footer-flowed.expected.eml"));
  EXPECT_TRUE(result.body().ends_with(
      "ends with a space \n\n-- \nA line with trailing spaces\n > quoted-looking line\n"));
}

TEST(FooterHtml, SingleHtmlPartInLatin1GetsCharacterReferences) {
  Footer footer{kJapaneseFooter.text,
                "<p class=\"list-footer\">\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88ML</p>\n"};
  FooterOutcome outcome =
      run_golden("footer-html-latin1.eml", "footer-html-latin1.expected.eml", footer);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].placement, FooterPlacement::inserted_into_html);
  Message result = Message::parse(read_data("footer-html-latin1.expected.eml"));
  EXPECT_EQ(result.body(),
            "<p>Ol\xE9</p>\r\n<p class=\"list-footer\">&#12486;&#12473;&#12488;ML</p>\r\n");
}

TEST(FooterMultipart, AlternativeGetsTextAndEscapedHtml) {
  FooterOutcome outcome =
      run_golden("footer-alternative.eml", "footer-alternative.expected.eml", kAsciiFooter);
  ASSERT_EQ(outcome.changes.size(), 2u);
  EXPECT_EQ(outcome.changes[0].placement, FooterPlacement::appended_to_text);
  EXPECT_EQ(outcome.changes[0].part, 1u);
  EXPECT_EQ(outcome.changes[1].placement, FooterPlacement::inserted_into_html);
  EXPECT_EQ(outcome.changes[1].part, 2u);
  MimeTree tree = MimeTree::build(Message::parse(read_data("footer-alternative.expected.eml")));
  EXPECT_NE(decoded_text(tree.part(2))
                .find("Test list &lt;test@example.org&gt; &amp; friends\r\nUnsubscribe: "
                      "https://example.org/u</pre></div>\r\n</BODY>"),
            std::string::npos);
}

TEST(FooterMultipart, MixedWithAttachmentCanAppendToTheFirstTextPart) {
  FooterOptions options;
  options.mixed = MixedPlacement::into_first_text_part;
  FooterOutcome outcome = run_golden("footer-mixed-attachment.eml",
                                     "footer-mixed-attachment.expected.eml", kAsciiFooter, options);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].placement, FooterPlacement::appended_to_text);
  EXPECT_EQ(outcome.changes[0].part, 1u);
}

TEST(FooterMultipart, MixedWithAttachmentGetsANewPartByDefault) {
  FooterOptions options;
  FooterOutcome outcome =
      run_golden("footer-mixed-attachment.eml", "footer-mixed-attachment-new-part.expected.eml",
                 kJapaneseFooter, options);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].placement, FooterPlacement::new_part);
  EXPECT_EQ(outcome.changes[0].part, 0u);
  EXPECT_EQ(outcome.changes[0].transfer_encoding, TransferEncoding::base64);
}

TEST(FooterMultipart, MixedStartingWithAnAttachmentGetsANewPart) {
  FooterOutcome outcome = run_golden("footer-mixed-attachment-first.eml",
                                     "footer-mixed-attachment-first.expected.eml", kAsciiFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].placement, FooterPlacement::new_part);
}

TEST(FooterMultipart, MixedHoldingAlternativeAndRelated) {
  FooterOptions options;
  options.mixed = MixedPlacement::into_first_text_part;
  FooterOutcome outcome =
      run_golden("footer-mixed-alternative.eml", "footer-mixed-alternative.expected.eml",
                 kAsciiFooter, options);
  ASSERT_EQ(outcome.changes.size(), 2u);
  EXPECT_EQ(outcome.changes[0].part, 2u);  // text/plain
  EXPECT_EQ(outcome.changes[1].part, 4u);  // text/html, the root of the multipart/related
}

TEST(FooterMultipart, UnclosedMixedGetsTheNewPartAndACloseDelimiter) {
  FooterOutcome outcome =
      run_golden("footer-mixed-unclosed.eml", "footer-mixed-unclosed.expected.eml", kAsciiFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].placement, FooterPlacement::new_part);
  MimeTree tree = MimeTree::build(Message::parse(read_data("footer-mixed-unclosed.expected.eml")));
  EXPECT_TRUE(tree.defects().empty());
  EXPECT_EQ(decoded_body(tree.part(1)),
            decoded_body(
                MimeTree::build(Message::parse(read_data("footer-mixed-unclosed.eml"))).part(1)));
}

TEST(FooterMultipart, BrokenNestedMimeStillGetsTheFooter) {
  FooterOptions options;
  options.mixed = MixedPlacement::into_first_text_part;
  FooterOutcome outcome = run_golden("footer-broken-nested.eml",
                                     "footer-broken-nested.expected.eml", kAsciiFooter, options);
  ASSERT_EQ(outcome.changes.size(), 2u);
  EXPECT_EQ(outcome.changes[0].part, 2u);
  EXPECT_EQ(outcome.changes[1].part, 3u);
}

TEST(FooterMultipart, NestingBeyondTheLimitGetsANewPartAtTheTop) {
  FooterOutcome outcome = run_golden("footer-deep.eml", "footer-deep.expected.eml", kAsciiFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].placement, FooterPlacement::new_part);
  EXPECT_EQ(outcome.changes[0].part, 0u);
}

TEST(FooterProtected, SignedMessageIsLeftIntactByteForByte) {
  FooterOutcome outcome = run_unchanged("footer-signed.eml", kAsciiFooter);
  EXPECT_FALSE(outcome.added());
  EXPECT_EQ(outcome.skipped, FooterSkip::signed_message);
  EXPECT_EQ(footer_skip_name(outcome.skipped), "signed_message");
}

TEST(FooterProtected, SignedMessageCanBeWrappedKeepingTheSignedBytes) {
  FooterOptions options;
  options.wrap_protected = true;
  FooterOutcome outcome =
      run_golden("footer-signed.eml", "footer-signed-wrapped.expected.eml", kAsciiFooter, options);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].placement, FooterPlacement::wrapped);
  Message original = Message::parse(read_data("footer-signed.eml"));
  MimeTree tree = MimeTree::build(Message::parse(read_data("footer-signed-wrapped.expected.eml")));
  ASSERT_EQ(tree.part(0).children.size(), 2u);
  const MimePart& inner = tree.part(tree.part(0).children[0]);
  EXPECT_EQ(inner.content_type.media_type(), "multipart/signed");
  EXPECT_EQ(inner.body, original.body());
}

TEST(FooterProtected, EncryptedMessagesAreLeftAlone) {
  EXPECT_EQ(run_unchanged("footer-encrypted.eml", kAsciiFooter).skipped,
            FooterSkip::encrypted_message);
  Message pkcs7 = Message::parse(
      "Content-Type: application/pkcs7-mime; smime-type=signed-data; "
      "name=smime.p7m\r\n\r\nMIIB\r\n");
  Result<FooterOutcome> outcome = add_footer(pkcs7, kAsciiFooter);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->skipped, FooterSkip::signed_message);
}

TEST(FooterOther, SingleNonTextPartIsWrapped) {
  FooterOutcome outcome = run_golden("footer-image.eml", "footer-image.expected.eml", kAsciiFooter);
  ASSERT_EQ(outcome.changes.size(), 1u);
  EXPECT_EQ(outcome.changes[0].placement, FooterPlacement::wrapped);

  FooterOptions options;
  options.wrap_other = false;
  EXPECT_EQ(run_unchanged("footer-image.eml", kAsciiFooter, options).skipped,
            FooterSkip::unsupported_type);
}

TEST(FooterOther, InvalidFooterAndEmptyFooter) {
  Message message = Message::parse("Subject: x\r\n\r\nbody\r\n");
  Result<FooterOutcome> invalid = add_footer(message, Footer{"bad \xFF byte", ""});
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().code(), Errc::invalid_argument);
  Result<FooterOutcome> empty = add_footer(message, Footer{});
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->skipped, FooterSkip::empty_footer);
  EXPECT_EQ(message.serialize(), "Subject: x\r\n\r\nbody\r\n");
}

TEST(FooterOther, BrokenMultipartIsSkipped) {
  FooterOptions options;
  EXPECT_EQ(run_unchanged("mime-boundary-not-found.eml", kAsciiFooter, options).skipped,
            FooterSkip::malformed_mime);
}

TEST(FooterOther, CharsetThatCannotHoldTheFooterFallsBack) {
  // Shift_JIS bytes that are invalid, labelled Shift_JIS: the text cannot be converted.
  std::string bytes = "Content-Type: text/plain; charset=Shift_JIS\r\n\r\n\x82\r\n";
  Message kept = Message::parse(bytes);
  FooterOptions options;
  options.wrap_other = false;
  Result<FooterOutcome> outcome = add_footer(kept, Footer{"\xC3\xA9t\xC3\xA9\n", ""}, options);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->skipped, FooterSkip::charset);
  EXPECT_EQ(kept.serialize(), bytes);

  Message wrapped = Message::parse(bytes);
  outcome = add_footer(wrapped, Footer{"\xC3\xA9t\xC3\xA9\n", ""});
  ASSERT_TRUE(outcome.has_value());
  ASSERT_EQ(outcome->changes.size(), 1u);
  EXPECT_EQ(outcome->changes[0].placement, FooterPlacement::wrapped);
}

}  // namespace
}  // namespace cqlist::mail
