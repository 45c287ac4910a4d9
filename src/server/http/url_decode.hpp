// server/http/url_decode.hpp: percent-decoding of request paths, query strings and form bodies.
//
// Owns: RFC 3986 §2.1 percent-encoding, the application/x-www-form-urlencoded format of the
// WHATWG URL standard ('+' is a space, '&' separates pairs), which query strings share, and
// the text fields of a multipart/form-data body (RFC 7578), which RFC 8058 §3.1 recommends
// for one-click unsubscription.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cqlist::server {

// nullopt for a '%' not followed by two hex digits, or a decoded NUL byte.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// "a=1&b=x+y&c" -> {a: "1", b: "x y", c: ""}. Empty pairs are skipped; when a name repeats,
// the first value counts. nullopt when a name or value is malformed.
std::optional<std::map<std::string, std::string>> decode_form(std::string_view text);

// The fields of a multipart/form-data body with the given boundary: each part's
// Content-Disposition "name" and its body. Parts with a filename (uploads) are skipped; when a
// name repeats, the first value counts. nullopt when the body is not made of such parts.
std::optional<std::map<std::string, std::string>> decode_multipart_form(std::string_view body,
                                                                        std::string_view boundary);

}  // namespace cqlist::server
