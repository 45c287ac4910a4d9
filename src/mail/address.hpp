// mail/address.hpp: addresses in header fields and in the SMTP envelope.
//
// Owns: parsing From/To/Cc/Reply-To/Sender field values into mailboxes and groups (RFC 5322
// §3.4 with the obsolete forms of §4.4, UTF-8 per RFC 6532), formatting a mailbox back into a
// field value, splitting envelope paths (RFC 5321 MAIL FROM / RCPT TO), and the normal form
// used to compare addresses (IDNA A-labels through libidn2).
// Parsing is lenient the way real mail needs: it never fails, keeps what it could read and
// lists the problems it met. Display names are decoded to UTF-8 (encoded_word.hpp).
// See also: address_lexer.hpp and address_parse.cpp (the field grammar), address_normalize.cpp
// (domains, comparison forms).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "mail/encoded_word.hpp"

namespace cqlist::mail {

struct Mailbox {
  // Decoded to UTF-8; empty when the mailbox has none.
  std::string display_name;
  // Without quotes and backslashes ("john doe" for "\"john doe\"@x").
  std::string local_part;
  // The local part was written with a quoted string (at least partly).
  bool local_part_quoted = false;
  // As written, without comments and folding; a domain literal keeps its brackets.
  std::string domain;

  // local@domain, quoting the local part only when it needs quotes.
  std::string addr_spec() const;

  friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

// "undisclosed-recipients:;" is a Group without mailboxes.
struct Group {
  std::string display_name;
  std::vector<Mailbox> mailboxes;

  friend bool operator==(const Group&, const Group&) = default;
};

using AddressEntry = std::variant<Mailbox, Group>;

enum class AddressProblemKind {
  no_address,                   // nothing in the field could be read as an address
  missing_at_sign,              // an element without "@" (a bare name or local part)
  missing_local_part,           // "@example.org"
  missing_domain,               // "user@" or "user@<nothing usable>"
  empty_angle_addr,             // "<>" in a header field
  unterminated_angle_addr,      // "<user@example.org" without ">"
  unterminated_quoted_string,   // a '"' without its closing quote
  unterminated_comment,         // a '(' without its closing parenthesis
  unterminated_domain_literal,  // "[192.0.2.1" without "]"
  unterminated_group,           // "group: a@x" without ";"
  nested_group,                 // a group inside a group (RFC 5322 forbids it)
  bad_dot_placement,            // a leading, trailing or doubled dot in a local part or domain
  unexpected_text,              // text where a separator was expected, skipped up to it
  invalid_utf8,                 // 8-bit bytes in an address that are not UTF-8 (RFC 6532)
};

std::string_view address_problem_name(AddressProblemKind kind);

struct AddressProblem {
  AddressProblemKind kind;
  // Byte offset into the parsed field value.
  std::size_t offset = 0;

  friend bool operator==(const AddressProblem&, const AddressProblem&) = default;
};

struct AddressList {
  std::vector<AddressEntry> entries;
  std::vector<AddressProblem> problems;

  // Every mailbox, those inside groups included, in field order.
  std::vector<Mailbox> mailboxes() const;
};

// Parses a field value (after the colon; folding and CRLFs may still be in it). Never fails.
// `fallback_charset` is given to decode_header_text for raw non-UTF-8 display names.
AddressList parse_address_list(std::string_view field_value,
                               std::string_view fallback_charset = "");

struct MailboxFormatOptions {
  // Charset of the encoded words written for a non-ASCII display name.
  EncodeCharset charset = EncodeCharset::utf8;
  // Columns already used on the first line ("From: " is 6), so folding starts right.
  std::size_t first_line_used = 0;
};

// The mailbox as a header field value: "Name <local@domain>", the name as atoms, a quoted
// string or RFC 2047 encoded words (phrase rules, §5(3)), and "local@domain" without a name.
// Folds ("\n ") as encode_header_text does. Fails when the display name is not valid UTF-8
// or cannot be written in the chosen charset.
Result<std::string> format_mailbox(const Mailbox& mailbox,
                                   const MailboxFormatOptions& options = {});

// An envelope path of RFC 5321 §4.1.2: a reverse-path or forward-path.
struct EnvelopeAddress {
  std::string local_part;  // unquoted
  bool local_part_quoted = false;
  std::string domain;  // empty for the null sender and for RCPT TO:<Postmaster>

  // The null reverse-path "<>" of bounces (RFC 5321 §4.5.5).
  bool is_null() const { return local_part.empty() && domain.empty() && !local_part_quoted; }

  // local@domain ("" for the null sender), quoting the local part only when needed.
  std::string to_string() const;

  friend bool operator==(const EnvelopeAddress&, const EnvelopeAddress&) = default;
};

// Splits "user@example.org", "<user@example.org>", "<\"john doe\"@example.org>", "<>" and
// source-routed "<@a,@b:user@example.org>" (the route is dropped, §C). "Postmaster" without a
// domain is accepted (§4.1.1.3). Anything else that is not a Mailbox (RFC 5321 §4.1.2) fails.
Result<EnvelopeAddress> split_addr_spec(std::string_view path);

enum class LocalPartCase {
  preserve,  // RFC 5321 §2.4: the local part is case-sensitive, only the receiver may fold it
  fold,      // ASCII case-insensitive, as fml and most mailbox stores compare
};

struct NormalizeOptions {
  LocalPartCase local_part_case = LocalPartCase::preserve;
};

// The comparison form of an address: the local part as written (quoted only when it needs
// quotes, ASCII-lowercased when asked), "@", and domain_to_ascii(domain). Fails when the
// domain is missing or not a valid domain name, and for a local part with control characters
// or bytes that are not UTF-8 (nothing can deliver to it). Non-ASCII local parts are compared
// as written: no Unicode normalisation or case folding.
Result<std::string> normalized_address(const Mailbox& mailbox,
                                       const NormalizeOptions& options = {});
Result<std::string> normalized_address(const EnvelopeAddress& address,
                                       const NormalizeOptions& options = {});

// The domain in lowercase A-labels ("例え.テスト" -> "xn--r8jz45g.xn--zckzah"), without a
// trailing dot; domain literals are kept ("[192.0.2.1]", "[IPv6:2001:db8::1]"). IDNA2008
// (non-transitional, NFC) through libidn2, with a transitional retry for names IDNA2008
// disallows but browsers and MTAs still resolve (symbols, emoji). Fails for invalid names.
Result<std::string> domain_to_ascii(std::string_view domain);

// The domain for display: U-labels where the A-labels decode ("xn--bcher-kva.de" ->
// "bücher.de"), lowercase. Fails for invalid names.
Result<std::string> domain_to_unicode(std::string_view domain);

}  // namespace cqlist::mail
