// mail/footer_text.hpp: the byte-level steps footer.cpp composes (internal to the footer).
//
// Owns: writing footer text the way a part needs it (line endings, RFC 3676 flowed rules,
// ISO-2022 shift state, HTML escaping), editing one field of a raw part header, and making a
// boundary for a new multipart. Kept apart so that footer.cpp reads as placement decisions.
// See also: footer.hpp (the public API).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mail/content_type.hpp"

namespace cqlist::mail::detail {

// "\r\n" or "\n", after the first line break in `text`; `fallback` when there is none.
std::string_view detect_eol(std::string_view text, std::string_view fallback);

// The shorter of quoted-printable and base64 for `text`: QP costs two extra bytes per 8-bit
// byte, base64 a third of everything, so QP wins while fewer than one byte in six is 8-bit.
TransferEncoding encoding_for_8bit(std::string_view text);

// Charsets whose text is not a byte stream with ASCII in it: a footer cannot be appended.
bool is_wide_charset(std::string_view label);

// The footer's lines ended by `eol`, the last one too. For format=flowed text (RFC 3676),
// lines lose trailing spaces (§4.2; the "-- " separator keeps its, §4.3) and lines starting
// with a space, ">" or "From " are space-stuffed (§4.4).
std::string footer_lines(std::string_view text, std::string_view eol, bool flowed);

// True when ISO-2022 text ends in ASCII: no escape, or the last one designates ASCII.
bool ends_in_ascii(std::string_view iso_2022_text);

// Makes `body` ready for text to follow: ending with a line break; for ISO-2022 text back
// in ASCII before it; for flowed text with its last paragraph ended.
void end_body_for_append(std::string& body, std::string_view eol, bool iso_2022, bool flowed);

// ASCII HTML with every non-ASCII character of valid UTF-8 `utf8` as a numeric reference.
std::string ascii_html(std::string_view utf8);

// Last position of `tag` ("</body") in `html`, ASCII case-insensitive; npos when absent.
std::size_t rfind_tag(std::string_view html, std::string_view tag);

// The value of the first field `name` in a raw part header (folding kept, final line break
// not), if there is one.
std::optional<std::string_view> header_field_value(std::string_view header, std::string_view name);

// Sets field `name` in a raw part header: the first such field is rewritten in place (its
// name as written), or a new one is appended. Other bytes stay.
std::string set_header_field(std::string_view header, std::string_view name, std::string_view value,
                             std::string_view eol);

// A boundary that does not occur in `body`; deterministic, so tests can pin it.
std::string make_boundary(std::string_view body);

// A text/plain; charset=utf-8 part holding `footer_text`, from its delimiter line through the
// line break that belongs to the next delimiter. Sets `encoding` to what it used.
std::string footer_part(std::string_view footer_text, std::string_view boundary,
                        std::string_view eol, TransferEncoding& encoding);

}  // namespace cqlist::mail::detail
