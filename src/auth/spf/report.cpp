#include "auth/spf/report.hpp"

#include <fmt/format.h>

namespace cqlist::auth::spf {
namespace {

// Received-SPF values are RFC 5322 tokens or quoted strings (RFC 7208 §9.1).
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

std::string comment_text(const SpfOutcome& outcome, const std::string& receiver) {
  const std::string ip = outcome.ip.to_string();
  switch (outcome.result) {
    case SpfResult::pass:
      return fmt::format("{}: domain of {} designates {} as permitted sender", receiver,
                         outcome.sender, ip);
    case SpfResult::fail:
      return fmt::format("{}: domain of {} does not designate {} as permitted sender", receiver,
                         outcome.sender, ip);
    case SpfResult::softfail:
      return fmt::format(
          "{}: domain of transitioning {} does not designate {} as permitted "
          "sender",
          receiver, outcome.sender, ip);
    case SpfResult::neutral:
      return fmt::format("{}: {} is neither permitted nor denied by domain of {}", receiver, ip,
                         outcome.sender);
    case SpfResult::none:
      return fmt::format("{}: domain of {} does not provide an SPF record", receiver,
                         outcome.sender);
    case SpfResult::temperror:
      return fmt::format("{}: error in processing during lookup of {}", receiver, outcome.sender);
    case SpfResult::permerror:
      return fmt::format("{}: permanent error in processing domain of {}", receiver,
                         outcome.sender);
  }
  return receiver;
}

std::string without_parens(std::string text) {
  for (char& c : text) {
    if (c == '(' || c == ')' || c == '\\') {
      c = ' ';
    }
  }
  return text;
}

}  // namespace

std::string received_spf(const SpfOutcome& outcome, const std::string& receiver) {
  std::string out =
      fmt::format("{} ({}) client-ip={}; envelope-from={}; ", result_name(outcome.result),
                  without_parens(comment_text(outcome, receiver)), outcome.ip.to_string(),
                  quoted(outcome.sender));
  if (!outcome.helo.empty()) {
    out += fmt::format("helo={}; ", quoted(outcome.helo));
  }
  out += fmt::format("identity={}; receiver={};", outcome.identity, receiver);
  return out;
}

std::string authentication_results_fragment(const SpfOutcome& outcome) {
  if (outcome.identity == "helo") {
    return fmt::format("spf={} smtp.helo={}", result_name(outcome.result), outcome.helo);
  }
  return fmt::format("spf={} smtp.mailfrom={}", result_name(outcome.result), outcome.sender);
}

std::string result_meaning(SpfResult result) {
  switch (result) {
    case SpfResult::pass:
      return "the domain says this address may send its mail.";
    case SpfResult::fail:
      return "the domain says this address must not send its mail; receivers may reject it.";
    case SpfResult::softfail:
      return "the domain says this address is probably not allowed (~); receivers usually "
             "accept but mark the mail.";
    case SpfResult::neutral:
      return "the domain makes no statement about this address.";
    case SpfResult::none:
      return "the domain publishes no SPF record (or the name is not a valid domain).";
    case SpfResult::temperror:
      return "a DNS lookup failed temporarily; receivers will defer and retry. Check the "
             "domain's name servers.";
    case SpfResult::permerror:
      return "the domain's SPF record is broken; many receivers treat this as fail. Fix the "
             "record.";
  }
  return {};
}

std::string describe_trace(const SpfOutcome& outcome) {
  std::string out;
  int number = 0;
  for (const TraceStep& step : outcome.trace.steps) {
    const std::string indent(static_cast<std::size_t>(step.depth) * 2, ' ');
    std::string line;
    switch (step.kind) {
      case TraceStep::Kind::record:
        line = fmt::format("record of {}: \"{}\"", step.domain, step.text);
        break;
      case TraceStep::Kind::term:
        line = fmt::format("term '{}' (DNS lookups so far: {}/10)", step.text, step.lookups);
        break;
      case TraceStep::Kind::query:
        line = fmt::format(
            "query {} -> {}{}", step.text, dns::status_name(step.status),
            step.status == dns::Status::answer
                ? fmt::format(" ({} record{})", step.records, step.records == 1 ? "" : "s")
                : std::string());
        break;
      case TraceStep::Kind::note:
        line = step.text;
        break;
    }
    out += fmt::format("{:3}. {}{}\n", ++number, indent, line);
  }
  if (!outcome.trace.deciding_term.empty()) {
    out += fmt::format("decided by '{}' in the record of {}\n", outcome.trace.deciding_term,
                       outcome.trace.deciding_domain);
  }
  out += fmt::format("result: {} ({}); {} DNS lookups of 10 allowed, {} void of 2 allowed\n",
                     result_name(outcome.result), outcome.reason, outcome.trace.dns_lookups,
                     outcome.trace.void_lookups);
  return out;
}

}  // namespace cqlist::auth::spf
