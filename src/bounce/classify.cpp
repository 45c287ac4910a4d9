// bounce/classify.cpp: the decision: report kind, then the reply pattern table, then the
// enhanced status code, then the bare SMTP reply code.
//
// Texts win over generic codes because receivers reuse a few codes for everything: 5.7.1
// covers block lists, spam verdicts and unknown users alike, and Microsoft answers 5.4.1
// ("no answer from host" in RFC 3463) for an unknown recipient. Only when no table entry fits
// does the code decide, and then only the specific codes (5.1.1, 5.2.2, 5.7.26, ...); a
// generic one with nothing else to go on says "onhold", which never counts.
#include "bounce/classify.hpp"

#include "base/strings.hpp"
#include "bounce/reasons.hpp"
#include "bounce/reply_patterns.hpp"

namespace cqlist::bounce {
namespace {

struct StatusReason {
  std::string_view status;  // exact code, or a prefix ending in a dot
  std::string_view reason;
  std::string_view advice;
};

// RFC 3463, RFC 7372 and the providers' registered extensions. First fit wins: exact codes
// stand before their class prefix.
constexpr StatusReason kStatusReasons[] = {
    {"5.1.0", "userunknown", ""},  // "other address status": in practice the recipient
    {"5.1.1", "userunknown", ""},
    {"5.1.10", "userunknown", ""},
    {"5.1.2", "hostunknown", ""},
    {"5.1.3", "userunknown", ""},
    {"5.1.4", "userunknown", ""},
    {"5.1.6", "hasmoved", ""},
    {"5.1.7", "rejected", "sender"},
    {"5.1.8", "rejected", "sender"},
    {"5.1.", "userunknown", ""},
    {"4.1.8", "rejected", "sender"},
    {"4.1.", "userunknown", ""},
    {"5.2.1", "suspend", ""},
    {"5.2.2", "mailboxfull", ""},
    {"4.2.2", "mailboxfull", ""},
    {"5.2.3", "emailtoolarge", ""},
    {"5.2.4", "systemerror", ""},
    {"5.3.1", "systemfull", ""},
    {"4.3.1", "systemfull", ""},
    {"5.3.2", "notaccept", ""},
    {"5.3.4", "emailtoolarge", ""},
    {"5.3.", "systemerror", ""},
    {"4.3.", "systemerror", ""},
    {"5.4.4", "hostunknown", ""},
    {"4.4.7", "expired", ""},
    {"5.4.7", "expired", ""},
    {"5.4.", "networkerror", ""},
    {"4.4.", "expired", ""},
    {"5.5.", "syntaxerror", ""},
    {"5.6.", "contenterror", ""},
    {"5.7.1", "securityerror", ""},
    {"5.7.7", "policyviolation", ""},
    {"5.7.13", "suspend", ""},
    {"5.7.17", "hasmoved", ""},
    {"5.7.18", "norelaying", ""},
    {"5.7.23", "authfailure", "authentication"},
    {"5.7.20", "authfailure", "authentication"},
    {"5.7.21", "authfailure", "authentication"},
    {"5.7.22", "authfailure", "authentication"},
    {"5.7.24", "authfailure", "authentication"},
    {"5.7.25", "requireptr", "ptr"},
    {"5.7.26", "authfailure", "authentication"},
    {"4.7.26", "authfailure", "authentication"},
    {"5.7.27", "authfailure", "authentication"},
    {"5.7.29", "failedstarttls", "tls"},
    {"5.7.30", "authfailure", "authentication"},
    {"5.7.32", "authfailure", "authentication"},
    {"5.7.509", "authfailure", "authentication"},
    {"5.7.515", "authfailure", "authentication"},
    {"5.7.606", "blocked", "reputation"},
    {"5.7.708", "badreputation", "reputation"},
    {"5.7.", "securityerror", ""},
    {"4.7.25", "requireptr", "ptr"},
    {"4.7.28", "ratelimited", "rate"},
};

const StatusReason* reason_for_status(const mail::EnhancedStatus& status) {
  std::string code = status.to_string();
  for (const StatusReason& entry : kStatusReasons) {
    if (status_fits(entry.status, code)) {
      return &entry;
    }
  }
  return nullptr;
}

Classification finish(std::string_view reason, std::string_view provider, std::string rule,
                      std::string_view advice) {
  const ReasonInfo& info = reason_info(reason);
  Classification result;
  result.reason = std::string(info.name);
  result.side = info.side;
  result.member_action = info.member_action;
  result.provider = std::string(provider);
  result.rule = std::move(rule);
  result.advice = std::string(advice);
  return result;
}

// When neither the text nor a specific code says why, the command that failed still does:
// a refusal before any recipient was named is about the list's server or sender address.
std::string_view reason_for_command(std::string_view command) {
  if (command == "CONN" || command == "HELO" || command == "EHLO") {
    return "blocked";
  }
  if (command == "MAIL") {
    return "rejected";
  }
  return {};
}

// The failed command as the text names it, when the report has no field for it.
std::string_view command_named_in(std::string_view lowered_text) {
  if (lowered_text.find("end of data") != std::string_view::npos ||
      lowered_text.find("smtp command data") != std::string_view::npos) {
    return "DATA";
  }
  if (lowered_text.find("rcpt to") != std::string_view::npos ||
      lowered_text.find("[rcpt_to]") != std::string_view::npos) {
    return "RCPT";
  }
  if (lowered_text.find("mail from") != std::string_view::npos) {
    return "MAIL";
  }
  return {};
}

// "User unknown" is only about the member's address when it answers RCPT. Answering MAIL it
// is about the list's envelope sender; after DATA the address was already accepted, so it is
// the receiver's filter speaking (au, docomo and many filtering gateways answer this way).
Classification after_command(Classification result, std::string_view command,
                             const std::optional<mail::EnhancedStatus>& status) {
  if (result.reason == "securityerror" && !reason_for_command(command).empty()) {
    return finish(reason_for_command(command), result.provider,
                  result.rule + "+" + std::string(command), {});
  }
  if (result.reason != "userunknown") {
    return result;
  }
  if (command == "MAIL") {
    return finish("rejected", result.provider, result.rule + "+mail", "sender");
  }
  // A provider's own words, or a code that names the address (5.1.x), say what they say.
  bool provider_rule = !result.rule.starts_with("common.");
  if (provider_rule || (status && status->subject == 1 && status->detail != 0)) {
    return result;
  }
  // After DATA the address was already accepted; 5.2.0 and 5.2.1 say the mailbox exists and
  // refuses; 5.7.x says a policy refused. Then the receiver's filter speaks, not its directory.
  bool generic = !status || (status->subject == 0 && status->detail == 0);
  bool mailbox_refuses =
      status && status->class_ == 5 && status->subject == 2 && status->detail <= 1;
  bool policy_refuses = status && status->class_ == 5 && status->subject == 7;
  if ((command == "DATA" && (generic || mailbox_refuses || policy_refuses)) ||
      (command != "RCPT" && (mailbox_refuses || policy_refuses))) {
    return finish("filtered", result.provider, result.rule + "+filter", {});
  }
  return result;
}

}  // namespace

std::string_view side_name(Side side) {
  switch (side) {
    case Side::recipient:
      return "recipient";
    case Side::sender:
      return "sender";
    case Side::message:
      return "message";
    case Side::transient:
      return "transient";
    case Side::complaint:
      return "complaint";
    case Side::not_a_bounce:
      return "not_a_bounce";
    case Side::unknown:
      return "unknown";
  }
  return "unknown";
}

Classification classify(const Rejection& rejection) {
  if (rejection.status && rejection.status->success()) {
    return finish("delivered", {}, "status.success", {});
  }
  std::string text = to_ascii_lower(rejection.text);
  std::string host = to_ascii_lower(rejection.remote_host);
  std::string command = rejection.smtp_command.empty() ? std::string(command_named_in(text))
                                                       : to_ascii_upper(rejection.smtp_command);
  std::string_view provider = identify_provider(text, host);

  // A 5.1.x address status "after DATA" is a pipelined transcript showing the RCPT reply
  // late: the address itself was refused.
  if (command == "DATA" && rejection.status && rejection.status->subject == 1 &&
      rejection.status->detail != 0) {
    command = "RCPT";
  }
  ReplyContext context{provider, rejection.status, command};
  if (const ReplyPattern* pattern = match_reply_pattern(text, context)) {
    return after_command(
        finish(pattern->reason, provider, std::string(pattern->rule), pattern->advice), command,
        rejection.status);
  }
  bool generic_status = !rejection.status || rejection.status->detail == 0 ||
                        (rejection.status->subject == 7 && rejection.status->detail == 1);
  std::string_view by_command = reason_for_command(command);
  if (generic_status && !by_command.empty()) {
    return finish(by_command, provider, "command." + command, {});
  }
  if (rejection.status) {
    if (const StatusReason* entry = reason_for_status(*rejection.status)) {
      return finish(entry->reason, provider, "status." + rejection.status->to_string(),
                    entry->advice);
    }
  }
  if (rejection.status && rejection.status->transient()) {
    // A server that answers 421/450/451 without saying why has a problem of its own; other
    // transient failures are the MTA giving up after its retries.
    bool server_said_so = rejection.reply_code >= 421 && rejection.reply_code <= 451;
    return finish(server_said_so ? "systemerror" : "expired", provider, "status.transient", {});
  }
  // A code says delivery failed without saying why; no code at all says nothing.
  bool has_code = rejection.status || rejection.reply_code != 0;
  return finish(has_code ? "onhold" : "undefined", provider, "none", {});
}

Classification classify(const BounceReport& report, const RecipientReport& recipient) {
  switch (report.kind) {
    case ReportKind::auto_reply:
      return finish("vacation", {}, "kind.auto_reply", {});
    case ReportKind::complaint:
      return finish("feedback", {}, "kind.complaint", {});
    case ReportKind::delivered:
      return finish("delivered", {}, "kind.delivered", {});
    case ReportKind::delivery_failure:
    case ReportKind::delay:
      break;
  }
  if (iequals(recipient.action, "delivered") || iequals(recipient.action, "relayed") ||
      iequals(recipient.action, "expanded")) {
    return finish("delivered", {}, "action." + to_ascii_lower(recipient.action), {});
  }
  Rejection rejection{recipient.diagnostic, recipient.status, recipient.reply_code,
                      recipient.remote_host, recipient.smtp_command};
  Classification result = classify(rejection);
  bool delayed = report.kind == ReportKind::delay || iequals(recipient.action, "delayed");
  if (delayed && reason_info(result.reason).side == Side::unknown) {
    result = finish("expired", result.provider, "action.delayed", {});
  }
  return result;
}

}  // namespace cqlist::bounce
