// bounce/mta_text.cpp: the plain-text bounces of MTAs that send no delivery status part
// (qmail, Exim, Sendmail without DSN, Courier, OpenSMTPD, Gmail's and Yahoo's old formats,
// appliances...).
//
// They differ in wording but share a shape: a failed recipient's address stands at the start
// of a line ("<user@example.org>:", "  user@example.org", "550 5.1.1 <user@example.org>...
// User unknown", ">>> RCPT TO:<user@example.org>"), followed by what the remote server said.
// Each recipient owns the lines up to the next recipient's line; a recipient whose lines say
// nothing (a list of addresses, then one explanation) takes the next explanation given. The
// bounce's own sender and the original message's sender are never taken as recipients:
// their addresses appear in "MAIL FROM:<...>" lines and greetings.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.hpp"
#include "bounce/parse_internal.hpp"
#include "mail/enhanced_status.hpp"

namespace cqlist::bounce::detail {

namespace {

struct Mention {
  std::string address;
  std::string lines;  // the recipient's own lines, its address line first
};

std::string_view skip_prefixes(std::string_view line) {
  static constexpr std::array<std::string_view, 12> prefixes{">>> ",
                                                             "delivery failed:",
                                                             "rcpt to:",
                                                             "recipient address:",
                                                             "recipient:",
                                                             "failed recipient:",
                                                             "original-recipient:",
                                                             "invalid recipient:",
                                                             "address:",
                                                             "unknown user:",
                                                             "user:",
                                                             "* "};
  line = trim(line);
  for (std::string_view prefix : prefixes) {
    if (istarts_with(line, prefix)) {
      line = trim(line.substr(prefix.size()));
    }
  }
  return line;
}

// "There was an error delivering your mail to <user@example.org>."
std::string recipient_in_sentence(std::string_view line) {
  if (line.find('@') == std::string_view::npos) {
    return {};
  }
  std::string lowered = to_ascii_lower(line);  // the same length: offsets carry over
  static constexpr std::array<std::string_view, 11> leads{
      "mail to ",    "message to ",  "delivered to ",     "delivery to ",
      "deliver to ", "recipient ",   "addressed to ",     "sent to ",
      "failed for ", "recipients: ", "permanent errors: "};
  for (std::string_view lead : leads) {
    for (std::size_t at = lowered.find(lead); at != std::string::npos;
         at = lowered.find(lead, at + 1)) {
      std::string_view rest = line.substr(at + lead.size());
      if (rest.starts_with('<')) {
        rest.remove_prefix(1);
      }
      std::size_t end = 0;
      std::string address = find_address(rest, &end);
      if (!address.empty() && end == address.size()) {
        return address;
      }
    }
  }
  return {};
}

// The address a line names as a failed recipient, or "".
// `to_lines`: "To: user@example.org" counts too (old Exchange, IMail and Verizon repeat the
// returned message's fields; only worth reading when nothing else names a recipient).
std::string recipient_on_line(std::string_view raw, bool to_lines) {
  if (raw.find('@') == std::string_view::npos) {
    return {};
  }
  if (std::string address = recipient_in_sentence(raw); !address.empty()) {
    return address;
  }
  std::string_view line = skip_prefixes(raw);
  if (to_lines && istarts_with(line, "to:")) {
    line = trim(line.substr(3));
  }
  // "550 5.1.1 <user@example.org>... User unknown" (Sendmail, Courier), at the line's start:
  // indented, it is a remote reply quoted inside another recipient's paragraph.
  bool indented = !raw.empty() && is_wsp(raw.front());
  if (!indented && line.size() > 4 && (line[0] == '4' || line[0] == '5') &&
      find_reply_code(line.substr(0, 4)).has_value()) {
    line = trim(line.substr(4));
    if (mail::EnhancedStatus::find_in(line.substr(0, line.find(' ')))) {
      line = trim(line.substr(std::min(line.find(' '), line.size())));
    }
  }
  if (line.starts_with('<') || line.starts_with('"')) {
    line.remove_prefix(1);
  }
  std::size_t end = 0;
  std::string address = find_address(line, &end);
  if (address.empty() || end != address.size()) {
    return {};  // the address must start the line
  }
  std::string_view rest = line.substr(end);
  if (!rest.empty() && (rest.front() == '>' || rest.front() == '"')) {
    rest.remove_prefix(1);
  }
  if (rest.empty() || rest.front() == ':' || rest.front() == '.' || rest.front() == ' ' ||
      rest.front() == ';' || rest.front() == ',' || rest.front() == '\t') {
    return address;
  }
  return {};
}

bool looks_like_bounce(const BounceInput& input) {
  std::string_view local = std::string_view(input.from).substr(0, input.from.find('@'));
  if (iequals(local, "mailer-daemon") || iequals(local, "postmaster") ||
      istarts_with(local, "mail")) {
    return true;
  }
  static constexpr std::array<std::string_view, 12> words{"undeliver",
                                                          "delivery",
                                                          "failure",
                                                          "returned mail",
                                                          "could not be delivered",
                                                          "not delivered",
                                                          "permanent error",
                                                          "user unknown",
                                                          "rejected",
                                                          "failed",
                                                          "error",
                                                          "\xE4\xB8\x8D\xE9\x81\x94"};
  return icontains_any(input.subject, words) || icontains_any(input.text, words);
}

// Quotes a server's reply or an enhanced status.
bool quotes_code(std::string_view lines) {
  std::string joined = join_lines(lines);
  return find_reply_code(joined).has_value() || mail::EnhancedStatus::find_in(joined).has_value();
}

// Says something a recipient's failure can be read from: a reply, a status or some words.
bool explains(std::string_view lines) {
  std::string joined = join_lines(lines);
  std::size_t first_break = joined.find(' ');
  return find_reply_code(joined).has_value() || mail::EnhancedStatus::find_in(joined).has_value() ||
         (first_break != std::string::npos && joined.size() - first_break > 12);
}

// The preface's last line when it introduces the list of addresses ("...:"), else "".
std::string list_heading(std::string_view preface) {
  std::vector<std::string_view> lines = split_lines(preface);
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    std::string_view text = trim(*line);
    if (!text.empty()) {
      return text.ends_with(':') ? std::string(text) + "\n" : std::string();
    }
  }
  return {};
}

std::vector<Mention> mentions(const BounceInput& input, bool to_lines, std::string& preface) {
  std::vector<Mention> found;
  std::vector<std::string_view> lines = split_lines(input.text);
  std::string envelope_sender = find_address(field_value(input.original_headers, "Return-Path"));
  bool started = false;
  for (std::string_view line : lines) {
    std::string address = recipient_on_line(line, to_lines);
    bool sender = !address.empty() &&
                  (iequals(address, input.from) || iequals(address, input.original_from) ||
                   iequals(address, envelope_sender));
    if (!address.empty() && !sender) {
      started = true;
      auto same = std::find_if(found.begin(), found.end(),
                               [&](const Mention& m) { return iequals(m.address, address); });
      if (same != found.end() && same + 1 == found.end()) {
        same->lines += std::string(line) + "\n";  // still the same recipient's paragraph
        continue;
      }
      found.push_back({address, std::string(line) + "\n"});
      continue;
    }
    (started ? found.back().lines : preface) += std::string(line) + "\n";
  }
  return found;
}

// One recipient per address: the paragraphs about an address mentioned twice (Sendmail names
// it in the summary and in the transcript) are read together.
std::vector<Mention> merged(std::vector<Mention> found) {
  std::vector<Mention> out;
  for (Mention& mention : found) {
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const Mention& m) { return iequals(m.address, mention.address); });
    if (same == out.end()) {
      out.push_back(std::move(mention));
    } else {
      same->lines += mention.lines;
    }
  }
  return out;
}

}  // namespace

std::optional<BounceReport> parse_mta_text(const BounceInput& input) {
  if (!looks_like_bounce(input)) {
    return std::nullopt;
  }
  std::string preface;
  std::vector<Mention> found = mentions(input, false, preface);
  bool from_returned_fields = false;
  if (found.empty()) {
    preface.clear();
    found = mentions(input, true, preface);
    from_returned_fields = !found.empty();
  }
  // A recipient whose own lines say nothing takes the next explanation given, else the text
  // before the first recipient ("... could not be delivered: mailbox full" then a list).
  for (std::size_t i = 0; i < found.size(); ++i) {
    for (std::size_t next = i + 1; next < found.size() && !explains(found[i].lines); ++next) {
      if (explains(found[next].lines)) {
        found[i].lines += found[next].lines;
        break;
      }
    }
    // Appliances (MailMarshal, Verizon's MMS gateway) state the reason once, above the list
    // of addresses: "Could not be delivered because of 550 5.1.1 User unknown. The
    // following recipients were affected: ...". Lines after the address that quote no code
    // are then the report's trailer, and the returned message's "To:" never explains.
    if (!explains(found[i].lines) || from_returned_fields ||
        (!quotes_code(found[i].lines) && quotes_code(preface))) {
      found[i].lines += preface;
    } else if (!quotes_code(found[i].lines)) {
      // The heading of the list may say what happened to all of them: "Delivery to the
      // following recipients was aborted after 5.0 hour(s):".
      found[i].lines += list_heading(preface);
    }
  }
  found = merged(std::move(found));
  // The text names nobody ("save to /var/mail/x", Google Groups, "--- Delivery report
  // unavailable ---"): Exim's X-Failed-Recipients, else the returned message's To, says
  // where it was going.
  if (auto failed = input.message.first_value("X-Failed-Recipients"); found.empty() && failed) {
    for (std::string& address : all_addresses(*failed)) {
      found.push_back({std::move(address), preface});
    }
  }
  if (found.empty()) {
    for (std::string& address : all_addresses(field_value(input.original_headers, "To"))) {
      if (!iequals(address, input.original_from)) {
        found.push_back({std::move(address), preface});
      }
    }
  }

  BounceReport report;
  report.format = "mta_text";
  report.original_message_id = field_value(input.original_headers, "Message-ID");
  // A returned message is final (the MTA gave up) unless the text is a delay warning.
  static constexpr std::array<std::string_view, 6> delay_words{
      "delayed", "will be retried", "will retry", "still trying", "warning:", "not yet been"};
  bool delay = icontains_any(input.subject, delay_words) || icontains_any(input.text, delay_words);
  if (delay) {
    report.kind = ReportKind::delay;
  }
  for (Mention& mention : found) {
    RecipientReport recipient;
    recipient.address = mention.address;
    fill_from_text(recipient, mention.lines);
    recipient.action = delay ? "delayed" : "failed";
    decide_permanence(recipient);
    report.recipients.push_back(std::move(recipient));
  }
  return report;
}

}  // namespace cqlist::bounce::detail
