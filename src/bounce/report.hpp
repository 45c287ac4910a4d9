// bounce/report.hpp: what a bounce message says, as values (no judgement yet).
//
// Owns: the parsed form of a delivery status notification, an auto-reply or a complaint
// report, whatever format the reporting MTA used. parse.hpp fills it; classify.hpp decides
// what each failed recipient means for the list.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mail/enhanced_status.hpp"

namespace cqlist::bounce {

enum class ReportKind {
  delivery_failure,  // a DSN or an MTA's own bounce text: one or more recipients failed
  delay,             // "Action: delayed" only: the MTA still tries; nothing failed yet
  auto_reply,        // RFC 3834 / vacation: never counted
  complaint,         // RFC 5965 ARF feedback report: the member marked list mail as spam
  delivered,         // a success DSN (Action: delivered / relayed / expanded)
};

std::string_view report_kind_name(ReportKind kind);

struct RecipientReport {
  std::string address;             // Final-Recipient (or the address the text names)
  std::string original_recipient;  // Original-Recipient / X-Actual-Recipient when given
  std::string action;              // RFC 3464 Action: failed, delayed, delivered, relayed, expanded
  std::optional<mail::EnhancedStatus> status;  // from Status:, else from the text
  int reply_code = 0;                          // SMTP reply code, 0 when the report has none
  std::string diagnostic;     // the remote server's words, continuation lines unwrapped into one
  std::string remote_host;    // Remote-MTA, or the host the text names ("mx.example.net")
  std::string smtp_command;   // the command it failed at: CONN, HELO, EHLO, MAIL, RCPT, DATA, ...
  bool permanent = false;     // 5.x.x / 5yy / Action: failed without a transient code
  std::string feedback_type;  // ARF Feedback-Type ("abuse"), complaints only
};

struct BounceReport {
  ReportKind kind = ReportKind::delivery_failure;
  std::string format;         // the parser that recognised it: "rfc3464", "qmail", "exim", ...
  std::string reporting_mta;  // Reporting-MTA, or the host that generated the bounce
  std::string original_message_id;  // of the returned message, when it is included
  std::vector<RecipientReport> recipients;
};

}  // namespace cqlist::bounce
