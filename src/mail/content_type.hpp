// mail/content_type.hpp: the header fields that describe a MIME body part (RFC 2045, RFC 2183).
//
// Owns: parsing Content-Type, Content-Transfer-Encoding and Content-Disposition values, with
// parameters as RFC 2045 §5.1 and RFC 2231 (continuations, charset and language) define them,
// and rewriting one parameter of such a value while keeping every other byte.
// Parsing never fails. Real mail has unquoted spaces, unbalanced quotes, comments, duplicate
// and half-written RFC 2231 parameters: the parser keeps what it can and sets `malformed`.
// See also: mime.hpp (applies these to each part), transfer_encoding.hpp (the decoders).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cqlist::mail {

struct HeaderParameter {
  std::string name;  // lowercased, without the RFC 2231 "*", "*0", "*0*" suffixes
  // Quotes and backslash escapes removed. RFC 2231 values are percent-decoded, their sections
  // joined, and converted to UTF-8 when a charset was given. RFC 2047 encoded words (which
  // RFC 2047 §5 forbids here, but many mailers write in filenames) are left as they are.
  std::string value;
  std::string charset;   // RFC 2231 charset, lowercased; empty when not given
  std::string language;  // RFC 2231 language tag; empty when not given
};

using HeaderParameters = std::vector<HeaderParameter>;

// The first parameter named `name` (lowercase), or nullptr.
const HeaderParameter* find_parameter(const HeaderParameters& parameters, std::string_view name);

struct ContentType {
  // Lowercased. RFC 2045 §5.2: text/plain when the field is absent or its type is unusable.
  std::string type = "text";
  std::string subtype = "plain";
  HeaderParameters parameters;
  bool type_invalid = false;  // the field had no usable type/subtype; the defaults above stand
  bool malformed = false;     // a parameter was broken, duplicated, or garbage was skipped

  // `type_name` and `subtype_name` in lowercase.
  bool is(std::string_view type_name, std::string_view subtype_name) const {
    return type == type_name && subtype == subtype_name;
  }

  bool is_multipart() const { return type == "multipart"; }

  // The parameter's value, or `fallback` when it is absent.
  std::string_view parameter(std::string_view name, std::string_view fallback = "") const;

  // The charset parameter; for text/* without one "us-ascii" (RFC 2046 §4.1.2), else "".
  std::string_view charset() const {
    return parameter("charset", type == "text" ? "us-ascii" : "");
  }

  // "text/plain"
  std::string media_type() const { return type + '/' + subtype; }
};

// Parses a Content-Type field value (folding allowed; CR and LF count as white space).
ContentType parse_content_type(std::string_view value);

struct ContentDisposition {
  std::string type;  // lowercased "inline", "attachment", ...; empty when absent
  HeaderParameters parameters;
  bool malformed = false;

  bool is_attachment() const { return type == "attachment"; }

  std::string_view parameter(std::string_view name, std::string_view fallback = "") const;
};

ContentDisposition parse_content_disposition(std::string_view value);

// RFC 2045 §6.1. `unknown` is an unrecognised token (x-uuencode, ...): RFC 2045 §6.4 says to
// treat such a body as opaque data, so it is never decoded.
enum class TransferEncoding { seven_bit, eight_bit, binary, quoted_printable, base64, unknown };

// Parses a Content-Transfer-Encoding value. An empty value is 7bit (the RFC 2045 default).
TransferEncoding parse_transfer_encoding(std::string_view value);

// "7bit", "8bit", "binary", "quoted-printable", "base64", "unknown".
std::string_view transfer_encoding_name(TransferEncoding encoding);

// Returns `field_value` with parameter `name` set to `value`: the first occurrence (plain or
// RFC 2231 form) is replaced where it stands, later ones are removed, and a missing one is
// appended as "; name=value". Everything else, comments and folding included, is kept.
// The value is quoted when RFC 2045 §5.1 requires it.
std::string set_parameter(std::string_view field_value, std::string_view name,
                          std::string_view value);

}  // namespace cqlist::mail
