// fuzz/mime_fuzz.cpp: the MIME walk, the decoders and the footer on any input.
//
// Parses the input as a message, walks its MIME tree and decodes every leaf (transfer
// encoding, charset, file name); then adds a footer and walks the result again. Aborts (a
// crash for libFuzzer, a failed test for the replay build) when a property breaks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_property.hpp"
#include "mail/footer.hpp"
#include "mail/message.hpp"
#include "mail/mime.hpp"
#include "mail/transfer_encoding.hpp"

namespace {

using namespace cqlist::mail;

bool inside(std::string_view view, std::string_view outer) {
  return view.data() >= outer.data() && view.data() + view.size() <= outer.data() + outer.size();
}

// Quoted-printable hard line breaks come back as the encoder's line ending.
std::string crlf_to_lf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      out += text[i];
    }
  }
  return out;
}

void walk(const MimeTree& tree, const MimeLimits& limits) {
  const auto& parts = tree.parts();
  require(!parts.empty(), "the tree has a root");
  require(parts.size() <= limits.max_parts, "at most max_parts parts");
  std::string_view body = tree.message().body();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const MimePart& part = parts[i];
    require(part.depth <= limits.max_depth, "depth stays within the limit");
    if (i != 0) {
      const MimePart& parent = parts[part.parent];
      require(part.parent < i, "parents come before their children");
      require(part.depth == parent.depth + 1, "a child is one level below its parent");
      require(inside(part.raw, parent.body), "a part lies inside its parent's body");
      require(inside(part.raw, body), "a part lies inside the message body");
      require(inside(part.header, part.raw) && inside(part.body, part.raw),
              "header and body lie inside the part");
    }
    require(part.kind != PartKind::leaf || part.children.empty(), "leaves have no children");
    require(part.kind != PartKind::message || part.children.size() == 1,
            "an embedded message has one child");
    if (part.kind == PartKind::leaf) {
      std::string decoded = decoded_body(part);
      if (part.transfer_encoding == TransferEncoding::base64) {
        require(decode_base64(encode_base64(decoded)) == decoded, "base64 round-trips");
      }
      (void)decoded_text(part);
      (void)part_filename(part);
    }
  }
  std::string text = decode_quoted_printable(body);
  require(decode_quoted_printable(encode_quoted_printable(text, "\n")) == crlf_to_lf(text),
          "quoted-printable round-trips");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  MimeLimits limits{.max_depth = 8, .max_parts = 200};
  Message message = Message::parse(bytes);
  walk(MimeTree::build(message, limits), limits);

  FooterOptions options;
  options.limits = limits;
  options.wrap_protected = size % 2 == 1;
  options.mixed = size % 3 == 0 ? MixedPlacement::new_part : MixedPlacement::into_first_text_part;
  Footer footer{"-- \nList footer \xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88 <list@example.org>\n", ""};
  Message edited = message;
  auto outcome = add_footer(edited, footer, options);
  require(outcome.has_value(), "a valid footer never fails");
  if (!outcome->added()) {
    require(edited.serialize() == bytes, "a skipped message stays byte for byte");
  }
  Message reparsed = Message::parse(edited.serialize());
  walk(MimeTree::build(reparsed, limits), limits);
  return 0;
}
