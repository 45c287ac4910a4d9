// bounce/rfc3464.cpp: multipart/report delivery status notifications (RFC 3464, RFC 6533).
//
// The message/delivery-status part holds one group of per-message fields and one group per
// recipient (Final-Recipient, Original-Recipient, Action, Status, Remote-MTA,
// Diagnostic-Code), separated by blank lines. The DSN rarely says at which SMTP command the
// delivery failed, and some MTAs leave out the diagnostic: the human-readable part's
// paragraph about the recipient fills in what the fields do not say (Postfix writes "(in
// reply to RCPT TO command)" only there).
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.hpp"
#include "bounce/parse_internal.hpp"
#include "mail/enhanced_status.hpp"

namespace cqlist::bounce::detail {

namespace {

// The recipient groups: text between blank lines, split again where a group holds more than
// one Final-Recipient (some MTAs leave out the blank lines).
std::vector<std::string_view> recipient_groups(std::string_view fields) {
  std::vector<std::string_view> groups;
  std::size_t start = std::string_view::npos;
  std::size_t offset = 0;
  auto close = [&](std::size_t end) {
    if (start != std::string_view::npos) {
      std::string_view group = fields.substr(start, end - start);
      if (icontains(group, "Final-Recipient") || icontains(group, "Original-Recipient")) {
        groups.push_back(group);
      }
      start = std::string_view::npos;
    }
  };
  for (std::string_view line : split_lines(fields)) {
    bool blank = trim(line).empty();
    if (blank) {
      close(offset);
    } else if (istarts_with(line, "Final-Recipient") && start != std::string_view::npos &&
               icontains(fields.substr(start, offset - start), "Final-Recipient")) {
      close(offset);
      start = offset;
    } else if (start == std::string_view::npos) {
      start = offset;
    }
    offset += line.size() + 1;
  }
  close(std::min(offset, fields.size()));
  return groups;
}

// "smtp; 550 5.1.1 ..." -> "550 5.1.1 ..." (the diagnostic-type is not the server's words).
std::string_view without_type(std::string_view value) {
  std::size_t semicolon = value.find(';');
  if (semicolon != std::string_view::npos && semicolon < 20 &&
      value.substr(0, semicolon).find(' ') == std::string_view::npos) {
    value.remove_prefix(semicolon + 1);
  }
  return trim(value);
}

// Every paragraph of the human-readable text that names `address` (Sendmail names it in the
// summary and again in the session transcript, whose ">>> DATA" comes before it).
std::string paragraphs_about(std::string_view text, std::string_view address) {
  std::string found;
  if (address.empty()) {
    return found;
  }
  for (std::size_t at = text.find(address); at != std::string_view::npos;) {
    std::size_t begin = text.rfind("\n\n", at);
    begin = begin == std::string_view::npos ? 0 : begin + 2;
    std::size_t end = text.find("\n\n", at);
    end = end == std::string_view::npos ? text.size() : end;
    found += text.substr(begin, end - begin);
    found += '\n';
    at = text.find(address, end);
  }
  return found;
}

// What the human-readable text says where the fields are silent or say less.
// `text`: what is read for codes, host and command; `about`: the paragraphs naming the
// recipient, the diagnostic when the text quotes no reply (not the whole notification).
void complete_from_text(RecipientReport& recipient, std::string_view text, std::string_view about) {
  RecipientReport told;
  fill_from_text(told, text);
  if (told.reply_code == 0) {
    told.diagnostic = join_lines(about);
  }
  if (!recipient.status ||
      (told.status && recipient.status->subject == 0 && recipient.status->detail == 0 &&
       told.status->class_ == recipient.status->class_)) {
    recipient.status = told.status ? told.status : recipient.status;
  }
  bool fields_quote_reply = recipient.reply_code != 0;
  if (!fields_quote_reply && told.reply_code != 0) {
    recipient.reply_code = told.reply_code;
    if (recipient.diagnostic.size() < 24) {
      recipient.diagnostic = told.diagnostic;
    }
  }
  if (recipient.diagnostic.empty()) {
    recipient.diagnostic = told.diagnostic;
  }
  if (recipient.smtp_command.empty()) {
    recipient.smtp_command = told.smtp_command;
  }
  if (recipient.remote_host.empty()) {
    recipient.remote_host = told.remote_host;
  }
}

// `only_one`: the report is about this recipient alone, so all of its text is too (Sendmail's
// transcript need not repeat the address: "... while talking to mx: >>> DATA <<< 554 ...").
RecipientReport read_group(std::string_view group, const BounceInput& input, bool only_one) {
  RecipientReport recipient;
  recipient.address = typed_address(field_value(group, "Final-Recipient"));
  recipient.original_recipient = typed_address(field_value(group, "Original-Recipient"));
  if (recipient.original_recipient.empty()) {
    recipient.original_recipient = typed_address(field_value(group, "X-Actual-Recipient"));
  }
  if (recipient.address.find('@') == std::string::npos &&
      recipient.original_recipient.find('@') != std::string::npos) {
    recipient.address = recipient.original_recipient;
  }
  std::string action = to_ascii_lower(field_value(group, "Action"));
  recipient.action = action.substr(0, action.find_first_of(" \t("));
  std::string status = field_value(group, "Status");
  recipient.status = mail::EnhancedStatus::parse(status);
  if (!recipient.status) {
    recipient.status = mail::EnhancedStatus::find_in(status);
  }
  recipient.remote_host = host_name(without_type(field_value(group, "Remote-MTA")));
  std::string diagnostic(without_type(field_value(group, "Diagnostic-Code")));
  if (!diagnostic.empty()) {
    fill_from_text(recipient, diagnostic);
  }
  std::string about = paragraphs_about(input.text, recipient.address);
  if (!iequals(recipient.original_recipient, recipient.address)) {
    about += paragraphs_about(input.text, recipient.original_recipient);
  }
  if (only_one || !about.empty()) {
    complete_from_text(recipient, only_one ? std::string_view(input.text) : about, about);
  }
  decide_permanence(recipient);
  return recipient;
}

bool is_failure(const RecipientReport& recipient) {
  return recipient.action != "delivered" && recipient.action != "relayed" &&
         recipient.action != "expanded" && recipient.action != "delayed";
}

}  // namespace

std::optional<BounceReport> parse_rfc3464(const BounceInput& input) {
  if (input.delivery_status.empty()) {
    return std::nullopt;
  }
  BounceReport report;
  report.format = "rfc3464";
  report.reporting_mta = typed_address(field_value(input.delivery_status, "Reporting-MTA"));
  report.original_message_id = field_value(input.original_headers, "Message-ID");
  std::vector<std::string_view> groups = recipient_groups(input.delivery_status);
  for (std::string_view group : groups) {
    RecipientReport recipient = read_group(group, input, groups.size() == 1);
    if (!recipient.address.empty()) {
      report.recipients.push_back(std::move(recipient));
    }
  }
  auto& recipients = report.recipients;
  bool any_failed = std::any_of(recipients.begin(), recipients.end(), is_failure);
  if (any_failed) {
    std::erase_if(recipients, [](const RecipientReport& r) {
      return r.action == "delivered" || r.action == "relayed" || r.action == "expanded";
    });
  } else if (std::any_of(recipients.begin(), recipients.end(),
                         [](const RecipientReport& r) { return r.action == "delayed"; })) {
    report.kind = ReportKind::delay;
  } else if (!recipients.empty()) {
    report.kind = ReportKind::delivered;
  }
  return report;
}

}  // namespace cqlist::bounce::detail
