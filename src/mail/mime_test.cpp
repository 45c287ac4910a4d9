#include "mail/mime.hpp"

#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "base/file.hpp"

namespace cqlist::mail {
namespace {

Message load(const std::string& name) {
  Result<std::string> bytes =
      read_file(std::string(CQLIST_SOURCE_ROOT) + "/tests/data/messages/" + name);
  EXPECT_TRUE(bytes.has_value()) << name;
  return Message::parse(bytes ? std::move(*bytes) : std::string());
}

std::string types(const MimeTree& tree) {
  std::string out;
  for (const MimePart& part : tree.parts()) {
    out += std::to_string(part.depth) + ":" + part.content_type.media_type() + " ";
  }
  return out;
}

std::string defects(const MimeTree& tree) {
  std::string out;
  for (const MimeDefectAt& defect : tree.defects()) {
    out += std::to_string(defect.part) + ":" + std::string(mime_defect_name(defect.defect)) + " ";
  }
  return out;
}

TEST(MimeTree, NestedMultipartsAndEmbeddedMessage) {
  MimeTree tree = MimeTree::build(load("mime-nested.eml"));
  EXPECT_EQ(types(tree),
            "0:multipart/mixed 1:multipart/alternative 2:text/plain 2:text/html "
            "1:application/pdf 1:message/rfc822 2:multipart/mixed 3:text/plain 3:image/png ");
  EXPECT_EQ(defects(tree), "");
  const auto& parts = tree.parts();
  EXPECT_EQ(parts[0].children, (std::vector<std::size_t>{1, 4, 5}));
  EXPECT_EQ(parts[1].children, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(parts[5].children, (std::vector<std::size_t>{6}));
  EXPECT_EQ(parts[6].children, (std::vector<std::size_t>{7, 8}));
  EXPECT_EQ(parts[7].parent, 6u);
  EXPECT_EQ(parts[0].kind, PartKind::multipart);
  EXPECT_EQ(parts[5].kind, PartKind::message);
  EXPECT_EQ(parts[2].kind, PartKind::leaf);
  EXPECT_TRUE(parts[0].closed);
  EXPECT_EQ(parts[0].preamble, "This is the preamble.");
  EXPECT_EQ(parts[0].epilogue, "This is the epilogue.\r\n");
  EXPECT_EQ(parts[1].preamble, "");
  EXPECT_EQ(parts[1].content_type.parameter("boundary"), "inner");

  // Leaves: raw bytes, decoded bytes, and text.
  EXPECT_EQ(parts[2].header,
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n");
  EXPECT_EQ(parts[2].body, "Caf=C3=A9 au lait=\r\n is nice.");
  EXPECT_EQ(parts[2].transfer_encoding, TransferEncoding::quoted_printable);
  EXPECT_EQ(decoded_text(parts[2]), "Caf\xC3\xA9 au lait is nice.");
  EXPECT_EQ(decoded_text(parts[3]), "<html><body><p>Caf\xC3\xA9</p></body></html>\n");
  EXPECT_EQ(decoded_body(parts[4]), "%PDF-1.4\n");
  EXPECT_TRUE(parts[4].disposition.is_attachment());
  EXPECT_FALSE(parts[4].is_inline());
  EXPECT_EQ(part_filename(parts[4]), "r\xC3\xA9sum\xC3\xA9.pdf");
  EXPECT_EQ(part_filename(parts[8]), "\xE5\x86\x99\xE7\x9C\x9F.png");  // 写真.png
  EXPECT_EQ(part_filename(parts[2]), "");

  // The embedded message: its own header and a default-typed text part inside.
  EXPECT_TRUE(parts[6].header.starts_with("From: Bob <bob@example.org>\r\n"));
  EXPECT_EQ(parts[6].raw, parts[5].body);
  EXPECT_TRUE(parts[7].has_content_type);
  EXPECT_EQ(parts[7].content_type.parameter("charset"), "");
  EXPECT_EQ(decoded_text(parts[7]), "Forwarded text.");

  // The root's header is the message's, and part views lie inside the message body.
  EXPECT_TRUE(parts[0].header.starts_with("From: Alice"));
  EXPECT_TRUE(parts[0].header.ends_with("boundary=\"outer\"\r\n"));
  EXPECT_EQ(tree.message().body().substr(tree.body_offset(parts[4].raw), parts[4].raw.size()),
            parts[4].raw);
}

TEST(MimeTree, ViewsOutliveTheMessageAndSurviveMoves) {
  MimeTree moved = [] {
    Message message = load("mime-nested.eml");
    MimeTree tree = MimeTree::build(message);
    message.set_body("replaced");
    message.add_top("X-Edit", "1");
    return tree;
  }();
  MimeTree copy = moved;
  EXPECT_EQ(moved.parts().size(), 9u);
  EXPECT_EQ(decoded_text(copy.part(2)), "Caf\xC3\xA9 au lait is nice.");
  EXPECT_TRUE(copy.part(0).header.starts_with("From: Alice"));
}

TEST(MimeTree, EditedRootHeaderIsStillViewable) {
  Message message = load("mime-nested.eml");
  message.replace(*message.find_first("Content-Type"), "multipart/mixed; boundary=outer");
  MimeTree tree = MimeTree::build(message);
  EXPECT_EQ(tree.parts().size(), 9u);
  EXPECT_TRUE(tree.part(0).header.ends_with("Content-Type: multipart/mixed; boundary=outer\r\n"));
}

TEST(MimeTree, LfLineEndingsPaddingAndHeaderlessPart) {
  MimeTree tree = MimeTree::build(load("mime-lf.eml"));
  EXPECT_EQ(types(tree), "0:multipart/mixed 1:text/plain 1:text/plain ");
  EXPECT_EQ(defects(tree), "");
  EXPECT_EQ(tree.part(1).body, "caf\xE9");
  EXPECT_EQ(decoded_text(tree.part(1)), "caf\xC3\xA9");
  EXPECT_EQ(tree.part(2).header, "");
  EXPECT_EQ(tree.part(2).body, "no header here");
  EXPECT_FALSE(tree.part(2).has_content_type);
  EXPECT_EQ(tree.part(2).content_type.media_type(), "text/plain");
  EXPECT_TRUE(tree.part(0).closed);
  EXPECT_EQ(tree.part(0).epilogue, "");
}

TEST(MimeTree, MissingCloseDelimiterEndsAtTheParent) {
  MimeTree tree = MimeTree::build(load("mime-missing-close.eml"));
  EXPECT_EQ(types(tree),
            "0:multipart/mixed 1:multipart/alternative 2:text/plain 2:text/html "
            "1:text/plain ");
  EXPECT_EQ(defects(tree), "1:missing_close_delimiter 0:missing_close_delimiter ");
  EXPECT_EQ(tree.part(3).body, "<p>html</p>\r\n");
  EXPECT_EQ(tree.part(4).body, "notes\r\n");
  EXPECT_TRUE(tree.part(4).disposition.is_attachment());
  EXPECT_EQ(part_filename(tree.part(4)), "notes.txt");
  EXPECT_FALSE(tree.part(0).closed);
  EXPECT_TRUE(tree.has_defect(1, MimeDefect::missing_close_delimiter));
  EXPECT_FALSE(tree.has_defect(2, MimeDefect::missing_close_delimiter));
}

TEST(MimeTree, BoundaryNeverFoundIsOneLeaf) {
  MimeTree tree = MimeTree::build(load("mime-boundary-not-found.eml"));
  ASSERT_EQ(tree.parts().size(), 1u);
  EXPECT_EQ(tree.part(0).kind, PartKind::leaf);
  EXPECT_TRUE(tree.part(0).content_type.is_multipart());
  EXPECT_EQ(defects(tree), "0:boundary_not_found ");
}

TEST(MimeTree, BoundaryThatIsAPrefixOfAnother) {
  MimeTree tree = MimeTree::build(load("mime-prefix-boundary.eml"));
  EXPECT_EQ(types(tree),
            "0:multipart/mixed 1:multipart/alternative 2:text/plain 2:text/plain 1:text/plain ");
  EXPECT_EQ(defects(tree), "");
  EXPECT_EQ(tree.part(3).body, "two\r\n--abc--x is not a delimiter");
  EXPECT_EQ(tree.part(4).body, "three");
}

TEST(MimeTree, DigestPartsDefaultToMessages) {
  MimeTree tree = MimeTree::build(load("mime-digest.eml"));
  EXPECT_EQ(types(tree), "0:multipart/digest 1:message/rfc822 2:text/plain 1:text/plain ");
  EXPECT_FALSE(tree.part(1).has_content_type);
  EXPECT_EQ(tree.part(2).header, "Subject: first\r\nFrom: a@example.org\r\n");
  EXPECT_EQ(tree.part(2).body, "First body.");
}

TEST(MimeTree, DepthLimitMakesALeaf) {
  MimeTree tree = MimeTree::build(load("mime-deep.eml"));
  // Depths 0..32 are multiparts; the one at depth 32 is not split further.
  ASSERT_EQ(tree.parts().size(), 33u);
  EXPECT_EQ(tree.part(32).depth, 32u);
  EXPECT_EQ(tree.part(32).kind, PartKind::leaf);
  EXPECT_EQ(tree.part(31).kind, PartKind::multipart);
  EXPECT_EQ(defects(tree), "32:depth_limit ");

  MimeTree shallow = MimeTree::build(load("mime-deep.eml"), MimeLimits{.max_depth = 2});
  EXPECT_EQ(shallow.parts().size(), 3u);
  MimeTree whole = MimeTree::build(load("mime-deep.eml"), MimeLimits{.max_depth = 64});
  EXPECT_EQ(whole.parts().size(), 42u);
  EXPECT_EQ(decoded_text(whole.parts().back()), "bottom");
  EXPECT_EQ(defects(whole), "");
}

TEST(MimeTree, PartLimitStopsSplitting) {
  std::string bytes = "Content-Type: multipart/mixed; boundary=x\r\n\r\n";
  for (int i = 0; i < 10; ++i) {
    bytes += "--x\r\n\r\npart " + std::to_string(i) + "\r\n";
  }
  bytes += "--x--\r\n";
  MimeTree tree = MimeTree::build(Message::parse(bytes), MimeLimits{.max_parts = 4});
  EXPECT_EQ(tree.parts().size(), 4u);
  EXPECT_EQ(defects(tree), "0:part_limit ");
  EXPECT_TRUE(tree.part(0).epilogue.starts_with("\r\npart 3\r\n--x"));
}

TEST(MimeTree, DefaultsAndOddHeaders) {
  MimeTree plain = MimeTree::build(Message::parse("Subject: x\r\n\r\nhello\r\n"));
  ASSERT_EQ(plain.parts().size(), 1u);
  EXPECT_FALSE(plain.part(0).has_content_type);
  EXPECT_EQ(plain.part(0).content_type.media_type(), "text/plain");
  EXPECT_EQ(plain.part(0).body, "hello\r\n");

  MimeTree invalid = MimeTree::build(Message::parse(
      "Content-Type: garbage; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\naGk=\r\n"));
  EXPECT_EQ(defects(invalid), "0:invalid_content_type ");
  EXPECT_EQ(decoded_text(invalid.part(0)), "hi");

  MimeTree no_boundary = MimeTree::build(Message::parse("Content-Type: multipart/mixed\r\n\r\nx"));
  EXPECT_EQ(defects(no_boundary), "0:missing_boundary ");

  MimeTree encoded =
      MimeTree::build(Message::parse("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: "
                                     "base64\r\n\r\nU3ViamVjdDogeA==\r\n"));
  EXPECT_EQ(encoded.parts().size(), 1u);
  EXPECT_EQ(defects(encoded), "0:encoded_container ");
}

TEST(MimeTree, DelimiterEdgeCases) {
  // The first delimiter at the very start, an empty part, folded Content-Type, bare CRs.
  MimeTree tree = MimeTree::build(Message::parse(
      "Content-Type: multipart/mixed;\r\n\tboundary=\"q\"\r\n\r\n--q\r\n--q\r\nContent-Type:"
      "\r\n text/html\r\n\r\n<b>x</b>\r\n--q-- \r\nepilogue"));
  EXPECT_EQ(types(tree), "0:multipart/mixed 1:text/plain 1:text/html ");
  EXPECT_EQ(tree.part(1).raw, "");
  EXPECT_EQ(tree.part(2).body, "<b>x</b>");
  EXPECT_EQ(tree.part(0).epilogue, "epilogue");

  // "--q" inside a line, or followed by other text, is not a delimiter.
  MimeTree inside = MimeTree::build(
      Message::parse("Content-Type: multipart/mixed; boundary=q\n\n--q\n\na --q\n--qq\n--q--"));
  EXPECT_EQ(inside.parts().size(), 2u);
  EXPECT_EQ(inside.part(1).body, "a --q\n--qq");

  // Only a close delimiter: a multipart without parts.
  MimeTree empty = MimeTree::build(
      Message::parse("Content-Type: multipart/mixed; boundary=q\n\npreamble\n--q--\n"));
  EXPECT_EQ(empty.parts().size(), 1u);
  EXPECT_EQ(empty.part(0).kind, PartKind::multipart);
  EXPECT_EQ(empty.part(0).preamble, "preamble");
}

}  // namespace
}  // namespace cqlist::mail
