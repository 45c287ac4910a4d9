// mail/footer.hpp: adding a list footer to a post without breaking its MIME structure.
//
// Owns: choosing where a footer goes and writing it there in the part's own terms. Text goes
// into a text/plain part in that part's charset and transfer encoding (an ISO-2022-JP body
// gets an ISO-2022-JP footer), into text/html before </body>, into both alternatives of a
// multipart/alternative, or as a new text/plain part of a multipart/mixed. Signed and
// encrypted messages are left alone unless FooterOptions says to wrap them.
// Only the bytes that must change do: the changed parts, and in the message header at most
// Content-Type's charset, Content-Transfer-Encoding and MIME-Version (through Message edits).
// See also: mime.hpp (the tree the placement is chosen from), charset.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "mail/content_type.hpp"
#include "mail/message.hpp"
#include "mail/mime.hpp"

namespace cqlist::mail {

struct Footer {
  std::string text;  // UTF-8; lines end in "\n" or "\r\n" (rewritten to the part's style)
  // A UTF-8 HTML fragment for text/html parts. Empty: `text`, HTML-escaped, in a <pre>.
  std::string html;
};

enum class MixedPlacement {
  // Into the first part when it is inline text (or an alternative holding text), the way a
  // reader sees it as part of the post; otherwise a new part.
  into_first_text_part,
  new_part,  // always a new text/plain part before the close delimiter
};

struct FooterOptions {
  // multipart/signed, multipart/encrypted and application/pkcs7-mime are left alone when
  // false. When true the message is wrapped in a multipart/mixed with the footer as its
  // second part: the signed bytes do not change, so an S/MIME or PGP/MIME signature still
  // verifies (a DKIM signature does not, as with any footer).
  bool wrap_protected = false;
  // A message that is a single non-text part (an image, a PDF), or whose text cannot take the
  // footer (a charset that cannot hold it), is wrapped the same way when true.
  bool wrap_other = true;
  // A separate part by default, as Mailman does: readers show it after the post, and the
  // poster's own text part stays byte for byte what they wrote.
  MixedPlacement mixed = MixedPlacement::new_part;
  MimeLimits limits;
};

enum class FooterPlacement {
  appended_to_text,    // a text/plain part got the footer at its end
  inserted_into_html,  // a text/html part got the HTML footer before </body> (or at its end)
  new_part,            // a text/plain; charset=utf-8 part was added to a multipart
  wrapped,             // the message became multipart/mixed: [original, footer part]
};

struct FooterChange {
  FooterPlacement placement = FooterPlacement::appended_to_text;
  // Index in MimeTree::build() of the message as it was: the changed part, or the multipart
  // that got the new part (0 when wrapped).
  std::size_t part = 0;
  std::string charset;  // the charset the footer was written in, as labelled in the part
  TransferEncoding transfer_encoding = TransferEncoding::seven_bit;  // of the part, afterwards
  // The part's text was converted and relabelled charset=utf-8 because its charset could not
  // hold the footer (us-ascii with a non-ASCII footer, say).
  bool charset_changed = false;
  // 7bit text that now holds 8-bit bytes is re-encoded in the shorter of quoted-printable
  // and base64: quoted-printable while fewer than one byte in six is 8-bit.
  bool transfer_encoding_changed = false;
};

enum class FooterSkip {
  none,
  empty_footer,
  signed_message,     // multipart/signed (or S/MIME signed-data) and wrap_protected is off
  encrypted_message,  // multipart/encrypted or application/pkcs7-mime, wrap_protected off
  unsupported_type,   // a single non-text part and wrap_other is off
  malformed_mime,     // a multipart whose parts could not be found
  charset,            // no text part could hold the footer and wrap_other is off
};

std::string_view footer_skip_name(FooterSkip skip);

struct FooterOutcome {
  std::vector<FooterChange> changes;
  FooterSkip skipped = FooterSkip::none;  // why, when `changes` is empty

  bool added() const { return !changes.empty(); }
};

// Adds `footer` to `message`. Fails (Errc::invalid_argument) only when the footer text is not
// valid UTF-8. A message that does not get the footer is an outcome with a reason, and is
// then left exactly as it was.
Result<FooterOutcome> add_footer(Message& message, const Footer& footer,
                                 const FooterOptions& options = {});

}  // namespace cqlist::mail
