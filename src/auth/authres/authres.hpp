// auth/authres/authres.hpp: the Authentication-Results header field (RFC 8601).
//
// Owns: parsing a field value into authserv-id, version and result entries (method=result,
// reason, ptype.property=value, comments kept for display), tolerating the forms big
// receivers really write (Microsoft's missing authserv-id, extension keywords like
// "action=none"), and formatting a field value folded for a message header. The pipeline uses
// trusted_results() so that only results added by our own MTA (a configured authserv-id,
// §5: "MUST ignore" fields from other ids) are believed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::authres {

// ptype.property=value (§2.3), e.g. smtp.mailfrom=example.com, header.d=example.com. An
// extension keyword without a ptype ("action=none" from Microsoft) has an empty ptype.
struct Property {
  std::string ptype;
  std::string name;
  std::string value;
  friend bool operator==(const Property&, const Property&) = default;
};

// One resinfo (§2.2): method[/version]=result [reason=...] [properties] (comments).
struct MethodResult {
  std::string method;  // lowercase: "spf", "dkim", "dmarc", "arc", ...
  std::string method_version;
  std::string result;  // lowercase: "pass", "fail", ...
  std::string reason;
  std::vector<Property> properties;
  std::vector<std::string> comments;  // text of (comments), without the parentheses

  // The value of ptype.name (case-insensitive), or empty.
  std::string_view property(std::string_view ptype, std::string_view name) const;
  friend bool operator==(const MethodResult&, const MethodResult&) = default;
};

struct AuthenticationResults {
  std::string authserv_id;  // empty when the field has none (Microsoft's Exchange Online)
  std::optional<int> version;
  std::vector<MethodResult> results;  // empty for "authserv-id; none"
  friend bool operator==(const AuthenticationResults&, const AuthenticationResults&) = default;
};

// Parses the field value (after the colon; may be folded). Errc::bad_syntax with the byte
// offset and what was expected.
Result<AuthenticationResults> parse(std::string_view value);

// The field value: " authserv-id;" then each result on its own folded line ("\r\n\t"), long
// results folded between properties so no line passes 78 characters where possible (RFC 5322
// §2.1.1). Values that are not RFC 2045 tokens are quoted. "none" when there are no results.
std::string format(const AuthenticationResults& results);

// The result entries alone, separated by ";" and a fold ("\r\n\t"), folded as format() does:
// the payload of an ARC-Authentication-Results field after its authserv-id. "none" when empty.
std::string format_results(const std::vector<MethodResult>& results);

// Results of every Authentication-Results field in `message` whose authserv-id equals
// `authserv_id` (case-insensitive), top field first. Fields from other ids, and fields that do
// not parse, are skipped (RFC 8601 §5).
std::vector<MethodResult> trusted_results(const mail::Message& message,
                                          std::string_view authserv_id);

}  // namespace cqlist::auth::authres
