// bounce/arf.cpp: complaint feedback reports (RFC 5965 ARF, and the older provider forms).
//
// The member who complained is named by the report's Original-Rcpt-To fields when the
// provider keeps them, else by the To of the returned message (providers redact it as often
// as not). Hotmail's old reports are a multipart/mixed with the complained-about message and
// its X-HmXmrOriginalRecipient field; Apple Mail's unsubscribe button sends a plain message
// marked X-Apple-Unsubscribe from the member's own address. A report that names nobody is
// still a complaint: it comes back with no recipient, and nobody's membership changes.
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.hpp"
#include "bounce/parse_internal.hpp"

namespace cqlist::bounce::detail {

namespace {

std::vector<std::string> field_addresses(std::string_view fields, std::string_view name) {
  std::vector<std::string> addresses;
  for (std::string_view line : split_lines(fields)) {
    if (istarts_with(line, name) && line.size() > name.size() && line[name.size()] == ':') {
      std::string address = typed_address(line.substr(name.size() + 1));
      if (address.find('@') != std::string::npos) {
        addresses.push_back(std::move(address));
      }
    }
  }
  return addresses;
}

BounceReport complaint(std::string feedback_type, std::vector<std::string> addresses,
                       const BounceInput& input) {
  BounceReport report;
  report.kind = ReportKind::complaint;
  report.format = "arf";
  report.original_message_id = field_value(input.original_headers, "Message-ID");
  std::string said = join_lines(input.text);
  for (std::string& address : addresses) {
    RecipientReport recipient;
    recipient.address = std::move(address);
    recipient.feedback_type = feedback_type;
    recipient.diagnostic = said;
    report.recipients.push_back(std::move(recipient));
  }
  return report;
}

}  // namespace

std::optional<BounceReport> parse_arf(const BounceInput& input) {
  const mail::Message& message = input.message;
  if (!input.feedback_report.empty() || input.report_type == "feedback-report") {
    std::string type = to_ascii_lower(field_value(input.feedback_report, "Feedback-Type"));
    std::vector<std::string> addresses = field_addresses(input.feedback_report, "Original-Rcpt-To");
    if (addresses.empty()) {
      addresses = all_addresses(field_value(input.original_headers, "To"));
    }
    BounceReport report = complaint(type.empty() ? "abuse" : type, std::move(addresses), input);
    report.reporting_mta = typed_address(field_value(input.feedback_report, "Reporting-MTA"));
    return report;
  }
  std::string hotmail_recipient =
      typed_address(field_value(input.original_headers, "X-HmXmrOriginalRecipient"));
  if (!hotmail_recipient.empty()) {
    return complaint("abuse", {hotmail_recipient}, input);
  }
  if (auto unsubscribe = message.first_value("X-Apple-Unsubscribe");
      unsubscribe && iequals(*unsubscribe, "true") && !input.from.empty()) {
    return complaint("opt-out", {input.from}, input);
  }
  return std::nullopt;
}

}  // namespace cqlist::bounce::detail
