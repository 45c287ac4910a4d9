// auth/dmarc/record.hpp: the DMARC policy record published at _dmarc.<domain> (RFC 9989 §4.7).
//
// Owns: reading one TXT record into a Record value. A record is a DMARC record only when it
// starts with "v=DMARC1" (§4.7); anything else is not a DMARC record and parse_record() fails
// with the reason. Inside a DMARC record, bad tag values do not void the record: §4.7 says
// syntax errors "SHOULD be discarded in favor of default values", so the tag falls back to its
// default and the problem is kept in Record::problems for the operator. Tags RFC 9989 removed
// (pct, rf, ri; Appendix C) are tolerated and noted.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace cqlist::auth::dmarc {

// The Domain Owner's requested handling of failing mail (§4.7 "p").
enum class Policy { none, quarantine, reject };

// "none", "quarantine", "reject".
std::string_view policy_name(Policy policy);

// Identifier alignment mode (§4.4): relaxed = same organizational domain, strict = same name.
enum class Alignment { relaxed, strict };

std::string_view alignment_name(Alignment alignment);

// The psd tag (§4.7): y = this is a public suffix domain, n = this is an organizational
// domain, u = unknown (the default).
enum class PsdFlag { unknown, yes, no };

std::string_view psd_name(PsdFlag psd);

struct Record {
  // p: absent or invalid means "none" (§4.7: a record without p is treated as p=none).
  Policy policy = Policy::none;
  bool policy_given = false;
  std::optional<Policy> subdomain_policy;          // sp
  std::optional<Policy> nonexistent_policy;        // np
  bool testing = false;                            // t=y
  Alignment dkim_alignment = Alignment::relaxed;   // adkim
  Alignment spf_alignment = Alignment::relaxed;    // aspf
  std::vector<std::string> aggregate_report_uris;  // rua
  std::vector<std::string> failure_report_uris;    // ruf
  std::string failure_options = "0";               // fo
  PsdFlag psd = PsdFlag::unknown;
  // Problems found and how they were handled ("p=rejet is not a policy; using p=none").
  std::vector<std::string> problems;
  // The record text as published (TXT strings joined).
  std::string text;
};

// Whether `text` starts with the v=DMARC1 tag (§4.7: other TXT records at _dmarc are ignored).
bool looks_like_dmarc(std::string_view text);

// Errc::bad_syntax when the text is not a DMARC record: no leading "v=DMARC1" tag, with a
// reason an operator can act on ("tags must be separated by ';'").
Result<Record> parse_record(std::string_view text);

// The record in canonical tag order, for display ("v=DMARC1; p=reject; adkim=s").
std::string format_record(const Record& record);

}  // namespace cqlist::auth::dmarc
