// doctor/finding.hpp: one result of a doctor check, in the checklist's advice shape.
//
// Owns: the finding value (checklist ID, severity, what was found, why it fails, the fix as
// ready-to-paste records or commands, how to verify) and its severity, shared by every check
// and by the text/JSON renderers. Every sentence an operator reads is held in English and
// Japanese side by side (Localized), so the checks decide the content once and the renderer
// only picks a language; records, commands and traces are the same in both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cqlist::doctor {

enum class Severity { pass, info, warn, fail };

std::string_view severity_name(Severity severity);

// Who a rule binds (checklist §4.0): every sender, bulk senders only, lists, inbound mail.
enum class Applies { all, bulk, list, inbound };

std::string_view applies_name(Applies applies);

enum class Language { en, ja };

struct Localized {
  std::string en;
  std::string ja;

  const std::string& in(Language language) const { return language == Language::ja ? ja : en; }

  bool empty() const { return en.empty() && ja.empty(); }
};

// A DNS record as found or as it should be published.
struct DnsRecord {
  std::string name;  // no trailing dot
  std::uint32_t ttl = 3600;
  std::string type;                  // "TXT", "A", "AAAA", "PTR", "MX"
  std::vector<std::string> strings;  // TXT: the character-strings; others: one value
  // True for records that live in a zone the operator does not edit himself: a PTR is set in
  // the VPS provider's panel, not in the list domain's zone.
  bool at_provider = false;

  // Zone-file form, ready to paste: `name. 3600 IN TXT "v=spf1 " "ip4:..."`.
  std::string zone_line() const;
  // The value alone: TXT strings joined as receivers join them, or the single value.
  std::string value() const;

  friend bool operator==(const DnsRecord&, const DnsRecord&) = default;
};

// A TXT record whose text is split into character-strings of at most 255 bytes. Splits fall
// after a space where possible, because receivers join the strings without adding one (RFC
// 7208 §3.3) and a split inside a term is the classic mistake.
DnsRecord txt_record(std::string_view name, std::string_view text, std::uint32_t ttl = 3600);

struct Fix {
  Localized summary;  // what to do, in one or two sentences
  std::vector<DnsRecord> records_add;
  std::vector<DnsRecord> records_remove;
  std::vector<std::string> commands;  // `postconf -e '...'`, `cqlist list set ...`
  Localized note;                     // what the fix achieves ("Lookups after the fix: 0 of 10.")

  bool empty() const {
    return summary.empty() && records_add.empty() && records_remove.empty() && commands.empty();
  }
};

struct Finding {
  std::string id;  // "SPF-05"
  Severity severity = Severity::info;
  Applies applies = Applies::all;
  std::string subject;             // the domain, address or selector checked
  Localized title;                 // "include loop"
  std::vector<std::string> found;  // the records as they are now (zone lines) or facts
  Localized why;                   // the rule and what a receiver will answer
  Fix fix;
  std::vector<std::string> rules;  // "RFC 7208 §4.6.4"
  std::string source;              // provider requirement or code ("Gmail 5.7.26")
  Localized verify;
  std::string trace;  // an SPF evaluation trace, line by line, when it explains the finding
};

// A finding with the fields every check sets, verified by `cqlist doctor --only group`.
Finding make_finding(std::string id, Severity severity, std::string subject, Localized title,
                     std::string_view group);

// Exit status of a run: 2 when anything failed, 1 when something warns, else 0.
int exit_status(const std::vector<Finding>& findings);

// Every record the FAIL and WARN findings ask to add, each once, in the order first asked for.
std::vector<DnsRecord> records_to_publish(const std::vector<Finding>& findings);

}  // namespace cqlist::doctor
