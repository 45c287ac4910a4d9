// bounce/parse_internal.hpp: what the bounce parsers of each format share (not an interface
// for other modules: parse.hpp is).
//
// Owns: the message as every parser sees it (read once: line ends made LF, MIME walked, the
// human-readable text decoded to UTF-8 and cut where the returned copy of the original
// message begins), the entry point of each format's parser, and the text helpers they all
// use to read a failed recipient's paragraph (address, status, reply, host, command).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bounce/report.hpp"
#include "mail/message.hpp"

namespace cqlist::bounce::detail {

struct BounceInput {
  mail::Message message;         // the bounce itself, line ends made LF
  std::string subject;           // decoded (RFC 2047), UTF-8
  std::string from;              // the From field's addr-spec, lowercased ("" when none)
  std::string report_type;       // multipart/report's report-type parameter, lowercased
  std::string text;              // the human-readable text, UTF-8, cut before the returned copy
  std::string delivery_status;   // message/delivery-status bodies, joined
  std::string feedback_report;   // message/feedback-report body
  std::string original_headers;  // the header of the returned message, when it is there
  std::string original_from;     // its From addr-spec, lowercased
};

// Never fails: whatever the bytes, the fields above are filled as far as they can be.
BounceInput read_input(std::string_view bytes);

// Each format's parser: std::nullopt when the message is not in its format.
std::optional<BounceReport> parse_arf(const BounceInput& input);
std::optional<BounceReport> parse_rfc3464(const BounceInput& input);
std::optional<BounceReport> parse_auto_reply(const BounceInput& input);
std::optional<BounceReport> parse_mta_text(const BounceInput& input);

// --- Text helpers (parse_text.cpp) ---

// Lines of LF text (no line ends kept).
std::vector<std::string_view> split_lines(std::string_view text);

// The first addr-spec in `text` ("local@domain", no brackets), lowercased domain, "" when
// none. `end` receives the offset just after it.
std::string find_address(std::string_view text, std::size_t* end = nullptr);

// Every addr-spec in `text`, in order, without repeats.
std::vector<std::string> all_addresses(std::string_view text);

// The value of a "Name: value" field inside a body of fields (DSN or ARF), first match;
// folded lines joined.
std::string field_value(std::string_view fields, std::string_view name);

// A field value's address: "rfc822; user@example.org" -> "user@example.org".
std::string typed_address(std::string_view value);

// The lines trimmed and joined by one space.
std::string join_lines(std::string_view text);

// "550-5.7.1 a 550 5.7.1 b" -> "550 5.7.1 a b" (as read by mail::SmtpReply); text that does
// not start with a reply code is returned with its white space made single.
std::string unwrap_reply(std::string_view text);

// The SMTP reply code in running text ("... said: 550 5.1.1 ..."), and where it starts.
struct ReplyInText {
  int code = 0;
  std::size_t position = 0;
};

std::optional<ReplyInText> find_reply_code(std::string_view text, std::size_t from = 0);

// The command a failure happened at, read from phrases such as "in reply to RCPT TO command",
// "after end of data", ">>> DATA"; "" when the text does not say. The text is lower case.
std::string smtp_command_in(std::string_view lowered_text);

// The host name or address at the start of `text` ("mx.example.net [192.0.2.1]",
// "[192.0.2.1]"), lowercased, trailing dots and colons dropped; "" when it is not one.
std::string host_name(std::string_view text);

// The remote host a text names: "host mx.example.net [192.0.2.1]", "while talking to
// mx.example.net.", "remote host 192.0.2.1 said"; "" when none. The text is lower case.
std::string remote_host_in(std::string_view lowered_text);

// Status, reply code, unwrapped diagnostic, command and host, from a recipient's paragraph,
// for whatever the report did not already give; then the permanence.
void fill_from_text(RecipientReport& recipient, std::string_view paragraph);

// permanent from status, reply code and action, in that order of trust.
void decide_permanence(RecipientReport& recipient, bool text_says_permanent = false);

// True when `text` contains `needle`, ASCII case-insensitively.
bool icontains(std::string_view text, std::string_view needle);

// True when `text` contains one of `needles`, ASCII case-insensitively.
bool icontains_any(std::string_view text, std::span<const std::string_view> needles);

}  // namespace cqlist::bounce::detail
