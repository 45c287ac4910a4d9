// mail/transfer_encoding.hpp: base64 and quoted-printable bodies (RFC 2045 §6.7, §6.8).
//
// Owns: decoding and encoding MIME content-transfer-encodings. Decoding is lenient the way mail
// readers are, because a body that cannot be read is worse than one read generously: base64
// skips characters outside its alphabet, quoted-printable accepts lowercase hex and keeps a
// broken '=' sequence as written. Encoding is strict: lines of at most 76 characters.
// See also: content_type.hpp (TransferEncoding), mime.hpp (decoded_body).
#pragma once

#include <string>
#include <string_view>

#include "mail/content_type.hpp"

namespace cqlist::mail {

// RFC 2045 §6.8. Characters outside the alphabet (line breaks, spaces, garbage) are skipped.
// '=' ends a 4-character group early, so concatenated encodings ("QQ==QQ==") decode whole;
// a final incomplete group yields the bytes it holds.
std::string decode_base64(std::string_view encoded);
void append_base64_decoded(std::string_view encoded, std::string& out);

// RFC 2045 §6.7. Soft line breaks ("=" before CRLF or LF, also with transport-added white
// space between) are removed, hard line breaks are kept as written, white space at the end of
// a line is dropped (rule 3), and "=" not followed by two hex digits stays literal.
std::string decode_quoted_printable(std::string_view encoded);
void append_quoted_printable_decoded(std::string_view encoded, std::string& out);

// The body bytes without their transfer encoding. 7bit, 8bit, binary and unknown encodings
// (RFC 2045 §6.4: opaque) return `body` unchanged.
std::string decode_transfer_encoding(std::string_view body, TransferEncoding encoding);

// Lines of 76 characters, each ended by `line_ending`, the last one too.
std::string encode_base64(std::string_view data, std::string_view line_ending = "\r\n");

// Text in quoted-printable: its line breaks (CRLF or LF) become `line_ending` hard breaks, and
// soft breaks keep every line at most 76 characters. Escapes '=', controls, 8-bit bytes,
// white space at the end of a line, and the "F" of a line starting "From " (RFC 2049 §3 (8),
// so that mbox writers leave the line alone).
std::string encode_quoted_printable(std::string_view text, std::string_view line_ending = "\r\n");

// Encodes with quoted-printable or base64; any other encoding returns `data` unchanged.
std::string encode_transfer_encoding(std::string_view data, TransferEncoding encoding,
                                     std::string_view line_ending = "\r\n");

// The Content-Transfer-Encoding a message/rfc822 part holding `message` must declare
// (RFC 2046 §5.2.1 allows only 7bit, 8bit or binary): "binary" for a NUL, a bare CR or a line
// over 998 octets, else "8bit" or "7bit".
std::string_view rfc822_transfer_encoding(std::string_view message);

}  // namespace cqlist::mail
