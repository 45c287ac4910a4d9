// doctor/finding.cpp: severities, record presentation and the run's exit status.
#include "doctor/finding.hpp"

#include <algorithm>

#include "auth/dkim/publish.hpp"
#include "doctor/texts.hpp"

namespace cqlist::doctor {
namespace {

constexpr std::size_t kMaxCharacterString = 255;

}  // namespace

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::pass:
      return "PASS";
    case Severity::info:
      return "INFO";
    case Severity::warn:
      return "WARN";
    case Severity::fail:
      return "FAIL";
  }
  return "FAIL";
}

std::string_view applies_name(Applies applies) {
  switch (applies) {
    case Applies::all:
      return "all";
    case Applies::bulk:
      return "bulk";
    case Applies::list:
      return "list";
    case Applies::inbound:
      return "inbound";
  }
  return "all";
}

std::string DnsRecord::zone_line() const {
  std::string line = name + ". " + std::to_string(ttl) + " IN " + type + " ";
  line += type == "TXT" || type == "SPF" ? auth::dkim::quote_character_strings(strings) : value();
  return line;
}

std::string DnsRecord::value() const {
  std::string joined;
  for (const std::string& piece : strings) {
    joined += piece;
  }
  return joined;
}

DnsRecord txt_record(std::string_view name, std::string_view text, std::uint32_t ttl) {
  DnsRecord record{std::string(name), ttl, "TXT", {}, false};
  while (text.size() > kMaxCharacterString) {
    std::size_t cut = text.substr(0, kMaxCharacterString).rfind(' ');
    // No space in reach (a DKIM key's base64): any byte boundary is as good as another.
    cut = (cut == std::string_view::npos || cut == 0) ? kMaxCharacterString : cut + 1;
    record.strings.emplace_back(text.substr(0, cut));
    text.remove_prefix(cut);
  }
  record.strings.emplace_back(text);
  return record;
}

Finding make_finding(std::string id, Severity severity, std::string subject, Localized title,
                     std::string_view group) {
  Finding finding;
  finding.id = std::move(id);
  finding.severity = severity;
  finding.subject = std::move(subject);
  finding.title = std::move(title);
  finding.verify = texts::verify_with(group);
  return finding;
}

int exit_status(const std::vector<Finding>& findings) {
  int status = 0;
  for (const Finding& finding : findings) {
    if (finding.severity == Severity::fail) {
      return 2;
    }
    if (finding.severity == Severity::warn) {
      status = 1;
    }
  }
  return status;
}

std::vector<DnsRecord> records_to_publish(const std::vector<Finding>& findings) {
  std::vector<DnsRecord> records;
  for (const Finding& finding : findings) {
    // INFO advice is optional (a TLS-RPT record, a tidier DMARC record): it stays with its
    // finding, so the to-do block never adds a record whose old one it does not also remove.
    if (finding.severity == Severity::pass || finding.severity == Severity::info) {
      continue;
    }
    for (const DnsRecord& record : finding.fix.records_add) {
      if (std::find(records.begin(), records.end(), record) == records.end()) {
        records.push_back(record);
      }
    }
  }
  return records;
}

}  // namespace cqlist::doctor
