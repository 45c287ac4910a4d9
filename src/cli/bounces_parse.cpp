// cli/bounces_parse.cpp: `cqlist bounces parse FILE... [--json]`: the bounce parser on files.
//
// Needs no store and no configuration, so anyone can check cqlist's reading of their own
// bounces: per file and per failed recipient, the address, status, reply code, the reason
// and side the classifier gives, whether it is permanent, the remote host and the remote
// server's words. A file that cannot be read or parsed is reported and the others are still
// done; the exit code then says so (65: not parsed, 66: not readable).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/file.hpp"
#include "bounce/classify.hpp"
#include "bounce/parse.hpp"
#include "cli/commands.hpp"
#include "cli/json_text.hpp"

namespace cqlist::cli {
namespace {

std::string or_dash(const std::string& text) {
  return text.empty() ? "-" : text;
}

void print_text(const std::string& path, const bounce::BounceReport& report) {
  fmt::print("{}: {} ({})", path, bounce::report_kind_name(report.kind), report.format);
  if (!report.reporting_mta.empty()) {
    fmt::print(", reported by {}", report.reporting_mta);
  }
  fmt::print("\n");
  if (report.recipients.empty()) {
    fmt::print("  no recipient named\n");
  }
  for (const bounce::RecipientReport& recipient : report.recipients) {
    bounce::Classification verdict = bounce::classify(report, recipient);
    fmt::print("  {}\n", or_dash(recipient.address));
    fmt::print("    status {}  reply {}  {}  command {}  remote host {}\n",
               recipient.status ? recipient.status->to_string() : "-",
               recipient.reply_code != 0 ? std::to_string(recipient.reply_code) : "-",
               recipient.permanent ? "permanent" : "not permanent", or_dash(recipient.smtp_command),
               or_dash(recipient.remote_host));
    fmt::print("    reason {}  side {}\n", or_dash(verdict.reason),
               bounce::side_name(verdict.side));
    if (!recipient.feedback_type.empty()) {
      fmt::print("    feedback type {}\n", recipient.feedback_type);
    }
    fmt::print("    said: {}\n", or_dash(recipient.diagnostic));
  }
}

std::string json_recipient(const bounce::BounceReport& report,
                           const bounce::RecipientReport& recipient) {
  bounce::Classification verdict = bounce::classify(report, recipient);
  return fmt::format(
      "{{\"address\":{},\"original_recipient\":{},\"action\":{},\"status\":{},"
      "\"reply_code\":{},\"reason\":{},\"side\":{},\"permanent\":{},\"remote_host\":{},"
      "\"smtp_command\":{},\"feedback_type\":{},\"diagnostic\":{}}}",
      json_string(recipient.address), json_string(recipient.original_recipient),
      json_string(recipient.action),
      recipient.status ? json_string(recipient.status->to_string()) : "null",
      recipient.reply_code != 0 ? std::to_string(recipient.reply_code) : "null",
      json_string(verdict.reason), json_string(bounce::side_name(verdict.side)),
      recipient.permanent ? "true" : "false", json_string(recipient.remote_host),
      json_string(recipient.smtp_command), json_string(recipient.feedback_type),
      json_string(recipient.diagnostic));
}

void print_json(const std::string& path, const bounce::BounceReport& report) {
  std::string recipients;
  for (const bounce::RecipientReport& recipient : report.recipients) {
    recipients += recipients.empty() ? "" : ",";
    recipients += json_recipient(report, recipient);
  }
  fmt::print(
      "{{\"file\":{},\"kind\":{},\"format\":{},\"reporting_mta\":{},"
      "\"original_message_id\":{},\"recipients\":[{}]}}\n",
      json_string(path), json_string(bounce::report_kind_name(report.kind)),
      json_string(report.format), json_string(report.reporting_mta),
      json_string(report.original_message_id), recipients);
}

void print_failure(const std::string& path, const std::string& message, bool json) {
  fmt::print(stderr, "cqlist bounces parse: {}: {}\n", path, message);
  if (json) {
    fmt::print("{{\"file\":{},\"error\":{}}}\n", json_string(path), json_string(message));
  }
}

int run_parse(const std::vector<std::string>& paths, bool json) {
  bool unreadable = false;
  bool unparsed = false;
  for (const std::string& path : paths) {
    auto bytes = read_file(path == "-" ? "/dev/stdin" : path);
    if (!bytes) {
      print_failure(path, bytes.error().describe(), json);
      unreadable = true;
      continue;
    }
    Result<bounce::BounceReport> report = bounce::parse_bounce(*bytes);
    if (!report) {
      print_failure(path, report.error().message(), json);
      unparsed = true;
      continue;
    }
    if (json) {
      print_json(path, *report);
    } else {
      print_text(path, *report);
    }
  }
  std::fflush(stdout);
  return unreadable ? kExitNoInput : unparsed ? kExitDataError : kExitOk;
}

}  // namespace

void register_bounces_parse(CLI::App& bounces) {
  auto* cmd = bounces.add_subcommand(
      "parse",
      "Parse bounce message files and print, per failed recipient, what the remote server "
      "said and whose problem it is (no store needed)");
  auto paths = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("file", *paths, "Bounce message files (- for standard input)")->required();
  cmd->add_flag("--json", *json, "One JSON object per file, one per line");
  cmd->footer(
      "Exit status: 0 when every file was parsed, 65 when one was not a bounce cqlist can "
      "read, 66 when one could not be read.");
  cmd->callback([paths, json] { exit_code() = run_parse(*paths, *json); });
}

}  // namespace cqlist::cli
