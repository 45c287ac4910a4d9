// doctor/spf_checks.cpp: the SPF findings and the corrected record.
#include "doctor/spf_checks.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "auth/spf/check_host.hpp"
#include "auth/spf/report.hpp"
#include "base/strings.hpp"
#include "doctor/texts.hpp"

namespace cqlist::doctor {
namespace {

using auth::spf::MechanismKind;
using auth::spf::Qualifier;
using auth::spf::SpfResult;

constexpr unsigned kLookupLimit = 10;
constexpr unsigned kLookupWarn = 8;
constexpr unsigned kVoidLimit = 2;
constexpr std::size_t kAnswerWarnBytes = 450;  // checkdmarc's threshold, below 512

struct Published {
  std::vector<DnsRecord> records;    // the v=spf1 TXT records as found
  std::vector<DnsRecord> sender_id;  // spf2.0/... leftovers of Sender ID
  std::uint32_t ttl = 3600;
  dns::Status status = dns::Status::nodata;
};

Published read_published(dns::Resolver& resolver, const std::string& domain) {
  Published published;
  dns::Answer answer = resolver.query(domain, dns::RecordType::txt);
  published.status = answer.status;
  published.ttl = answer.ttl;
  for (const auto& txt : answer.all<dns::TxtRecord>()) {
    if (istarts_with(txt.joined(), "spf2.0/")) {
      published.sender_id.push_back(DnsRecord{domain, answer.ttl, "TXT", txt.strings, false});
    }
    if (auth::spf::is_spf_record(txt.joined())) {
      published.records.push_back(DnsRecord{domain, answer.ttl, "TXT", txt.strings, false});
    }
  }
  return published;
}

std::string address_term(const IpAddress& address) {
  return (address.is_v4() ? "ip4:" : "ip6:") + address.to_string();
}

// The record the doctor proposes: what works in `current` kept, the rest dropped, an ip4:/ip6:
// term for each address in `missing`, ending in ~all (or -all when the operator chose it).
std::string propose_record(const std::vector<auth::spf::Record>& current,
                           const std::vector<TermCost>& costs,
                           const std::vector<IpAddress>& missing) {
  std::vector<std::string> addresses;
  std::vector<std::string> others;
  bool hard_fail = false;
  std::optional<std::string> redirect;
  auto has = [](const std::vector<std::string>& terms, const std::string& term) {
    return std::find(terms.begin(), terms.end(), term) != terms.end();
  };
  auto broken = [&](const std::string& term) {
    return std::any_of(costs.begin(), costs.end(), [&](const TermCost& cost) {
      return cost.term == term && !cost.problem.empty();
    });
  };
  for (const auth::spf::Record& record : current) {
    for (const auth::spf::Mechanism& mechanism : record.mechanisms) {
      if (mechanism.kind == MechanismKind::all) {
        hard_fail = hard_fail || mechanism.qualifier == Qualifier::fail;
        break;  // terms after all are never evaluated (RFC 7208 §5.1)
      }
      if (mechanism.kind == MechanismKind::ptr || broken(mechanism.text)) {
        continue;
      }
      const bool is_address =
          mechanism.kind == MechanismKind::ip4 || mechanism.kind == MechanismKind::ip6;
      auto& terms = is_address ? addresses : others;
      if (!has(terms, mechanism.text)) {
        terms.push_back(mechanism.text);
      }
    }
    if (record.redirect && !broken("redirect=" + *record.redirect)) {
      redirect = record.redirect;
    }
  }
  for (const IpAddress& address : missing) {
    if (!has(addresses, address_term(address))) {
      addresses.push_back(address_term(address));
    }
  }
  std::string text = "v=spf1";
  for (const auto* terms : {&addresses, &others}) {
    for (const std::string& term : *terms) {
      text += " " + term;
    }
  }
  bool has_all = std::any_of(current.begin(), current.end(), [](const auth::spf::Record& r) {
    return std::any_of(r.mechanisms.begin(), r.mechanisms.end(),
                       [](const auto& m) { return m.kind == MechanismKind::all; });
  });
  if (redirect && !has_all) {
    text += " redirect=" + *redirect;
  } else {
    text += hard_fail ? " -all" : " ~all";
  }
  return text;
}

Finding spf_finding(std::string id, Severity severity, const std::string& domain, Localized title) {
  Finding finding = make_finding(std::move(id), severity, domain, std::move(title), "SPF");
  finding.rules = {"RFC 7208"};
  return finding;
}

}  // namespace

std::vector<Finding> check_spf(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  const std::string domain = input.envelope_domain();
  const Published published = read_published(resolver, domain);
  std::vector<std::string> found;
  for (const DnsRecord& record : published.records) {
    found.push_back(record.zone_line());
  }

  std::vector<auth::spf::Record> parsed;
  std::string parse_problem;
  for (const DnsRecord& record : published.records) {
    auto one = auth::spf::parse_record(record.value());
    if (one) {
      parsed.push_back(*one);
    } else {
      parse_problem = one.error().message();
    }
  }
  RecordCost cost;
  for (const auth::spf::Record& record : parsed) {
    RecordCost one = record_cost(resolver, record, domain);
    cost.lookups = std::max(cost.lookups, one.lookups);
    cost.voids = std::max(cost.voids, one.voids);
    cost.terms.insert(cost.terms.end(), one.terms.begin(), one.terms.end());
  }

  // Structure of the record.
  if (published.records.empty()) {
    Finding f = spf_finding("SPF-01", Severity::fail, domain, texts::spf_none_title());
    f.found = {texts::nothing_found(domain, "TXT v=spf1", published.status)};
    f.why = texts::spf_none_why(domain);
    f.rules = {"RFC 7208 §3.2, §4.5"};
    f.source = "Google sender guidelines (all senders); Gmail 5.7.26";
    findings.push_back(std::move(f));
  } else if (published.records.size() > 1) {
    Finding f = spf_finding("SPF-01", Severity::fail, domain, texts::spf_many_title());
    f.found = found;
    f.why = texts::spf_many_why(domain, published.records.size());
    f.rules = {"RFC 7208 §3.2, §4.5"};
    findings.push_back(std::move(f));
  }
  if (!parse_problem.empty()) {
    Finding f = spf_finding("SPF-02", Severity::fail, domain, texts::spf_syntax_title());
    f.found = found;
    f.why = texts::spf_syntax_why(parse_problem);
    f.rules = {"RFC 7208 §4.6, §12"};
    findings.push_back(std::move(f));
  }
  // SPF-12: receivers may fall back to TCP or give up on a large TXT answer (RFC 7208 §3.4).
  std::size_t answer_bytes = 0;
  for (const DnsRecord& record : published.records) {
    for (const std::string& piece : record.strings) {
      answer_bytes += piece.size() + 1;
    }
  }
  if (answer_bytes > kAnswerWarnBytes) {
    Finding f = spf_finding("SPF-12", Severity::warn, domain,
                            {fmt::format("SPF record is {} bytes long", answer_bytes),
                             fmt::format("SPF レコードが {} バイトあります", answer_bytes)});
    f.found = found;
    f.why = {
        "RFC 7208 §3.4 asks to keep the answer within 512 bytes so it fits one UDP "
        "packet; some receivers fail on larger ones. Replace includes or long address "
        "lists with fewer, wider terms.",
        "RFC 7208 §3.4 は、応答が UDP の 1 パケットに収まる 512 "
        "バイト以内にすることを求めています。大きな応答で失敗する受信側もあります。"
        "include や長いアドレスの列挙を、より少ない項目にまとめてください。"};
    f.rules = {"RFC 7208 §3.3, §3.4"};
    findings.push_back(std::move(f));
  }
  for (const TermCost& term : cost.terms) {
    if (term.problem.rfind("loop:", 0) == 0) {
      Finding f = spf_finding("SPF-05", Severity::fail, domain, texts::spf_loop_title());
      f.found = found;
      f.why = texts::spf_loop_why(term.term, term.problem);
      f.rules = {"RFC 7208 §4.6.4 (limit -> permerror)", "RFC 7208 §5.2 (include)"};
      f.source = "Gmail 5.7.26 / 4.7.27";
      findings.push_back(std::move(f));
    } else if (!term.problem.empty()) {
      Finding f = spf_finding("SPF-06", Severity::fail, domain, texts::spf_dead_include_title());
      f.found = found;
      f.why = texts::spf_dead_include_why(term.term, term.problem);
      f.rules = {"RFC 7208 §5.2"};
      findings.push_back(std::move(f));
    }
  }
  if (!parsed.empty()) {
    std::vector<std::string> table;
    for (const TermCost& term : cost.terms) {
      table.push_back(fmt::format("{:<40} {:>2} lookup{}{}", term.term, term.lookups,
                                  term.lookups == 1 ? "" : "s",
                                  term.voids > 0 ? fmt::format(", {} void", term.voids) : ""));
    }
    if (cost.lookups > kLookupLimit || cost.lookups >= kLookupWarn) {
      Finding f =
          spf_finding("SPF-03", cost.lookups > kLookupLimit ? Severity::fail : Severity::warn,
                      domain, texts::spf_lookups_title(cost.lookups));
      f.found = found;
      f.found.insert(f.found.end(), table.begin(), table.end());
      f.why = texts::spf_lookups_why(cost.lookups);
      f.rules = {"RFC 7208 §4.6.4"};
      findings.push_back(std::move(f));
    }
    if (cost.voids > kVoidLimit) {
      Finding f = spf_finding("SPF-04", Severity::fail, domain, texts::spf_voids_title());
      f.found = found;
      f.found.insert(f.found.end(), table.begin(), table.end());
      f.why = texts::spf_voids_why(cost.voids);
      f.rules = {"RFC 7208 §4.6.4"};
      findings.push_back(std::move(f));
    }
  }
  for (const auth::spf::Record& record : parsed) {
    const auth::spf::Mechanism* all = nullptr;
    for (const auth::spf::Mechanism& mechanism : record.mechanisms) {
      if (all != nullptr) {
        Finding f = spf_finding("SPF-11", Severity::warn, domain, texts::spf_after_all_title());
        f.found = found;
        f.why = texts::spf_after_all_why(mechanism.text, all->text);
        f.rules = {"RFC 7208 §5.1"};
        findings.push_back(std::move(f));
        break;
      }
      if (mechanism.kind == MechanismKind::all) {
        all = &mechanism;
      } else if (mechanism.kind == MechanismKind::ptr) {
        Finding f = spf_finding("SPF-10", Severity::warn, domain, texts::spf_ptr_title());
        f.found = found;
        f.why = texts::spf_ptr_why(mechanism.text);
        f.rules = {"RFC 7208 §5.5"};
        findings.push_back(std::move(f));
      } else if ((mechanism.kind == MechanismKind::ip4 && mechanism.network.prefix_length < 16) ||
                 (mechanism.kind == MechanismKind::ip6 && mechanism.network.prefix_length < 32)) {
        Finding f = spf_finding("SPF-16", Severity::warn, domain, texts::spf_wide_title());
        f.found = found;
        f.why = texts::spf_wide_why(mechanism.text);
        f.source = "Gmail 4.7.24 / 5.7.24 (suspicious entries)";
        findings.push_back(std::move(f));
      }
    }
    const bool open = all != nullptr && all->qualifier == Qualifier::pass;
    const bool weak = (all == nullptr && !record.redirect) ||
                      (all != nullptr && all->qualifier == Qualifier::neutral);
    if (open || weak) {
      Finding f = spf_finding("SPF-09", open ? Severity::fail : Severity::warn, domain,
                              texts::spf_all_title());
      f.found = found;
      f.why = texts::spf_all_why(all == nullptr ? std::string() : all->text);
      f.rules = {"RFC 7208 §4.7, §8"};
      findings.push_back(std::move(f));
    }
  }

  if (!published.sender_id.empty()) {
    Finding f = spf_finding("SPF-17", Severity::info, domain,
                            {"Sender ID record left over", "Sender ID のレコードが残っています"});
    for (const DnsRecord& record : published.sender_id) {
      f.found.push_back(record.zone_line());
    }
    f.why = {"Sender ID (spf2.0/...) is obsolete and no receiver uses it; remove the record.",
             "Sender ID（spf2.0/...）は廃止されており、使う受信側はありません。削除してください。"};
    f.fix.records_remove = published.sender_id;
    findings.push_back(std::move(f));
  }

  // The verdict for each address mail really leaves from.
  std::vector<IpAddress> not_passing;
  if (!input.relayed()) {
    const std::string sender = "postmaster@" + domain;
    for (const EgressAddress& egress : input.egress) {
      auth::spf::SpfOptions options;
      options.receiver = "cqlist-doctor";
      auth::spf::SpfOutcome outcome =
          auth::spf::check_mail_from(resolver, egress.address, sender, input.helo_name, options);
      const bool pass = outcome.result == SpfResult::pass;
      // An address let in only by "+all" needs its own term once the record ends in ~all.
      const bool by_all =
          outcome.trace.deciding_term == "+all" || outcome.trace.deciding_term == "all";
      if (!pass || by_all) {
        not_passing.push_back(egress.address);
      }
      const std::string id = egress.address.is_v4() ? "SPF-07" : "SPF-08";
      Finding f = spf_finding(
          id, pass ? Severity::pass : Severity::fail, egress.address.to_string(),
          texts::spf_verdict_title(egress.address.to_string(), family_name(egress.address), pass));
      f.found = found;
      f.found.push_back(
          fmt::format("spf={} for {} ({}, from {})", auth::spf::result_name(outcome.result),
                      egress.address.to_string(), family_name(egress.address), egress.source));
      f.why = texts::spf_verdict_why(outcome, family_name(egress.address));
      f.rules = {"RFC 7208 §4"};
      f.source = pass ? "" : "Gmail 5.7.26; Microsoft 4.7.26 (IPv6)";
      f.trace = auth::spf::describe_trace(outcome);
      findings.push_back(std::move(f));
    }
    // Includes that authorize none of this host's addresses cost lookups for nothing.
    for (const auth::spf::Record& record : parsed) {
      for (const auth::spf::Mechanism& mechanism : record.mechanisms) {
        if (mechanism.kind != MechanismKind::include || input.egress.empty() ||
            dns::normalize_name(mechanism.domain_spec) == dns::normalize_name(domain)) {
          continue;
        }
        bool used = false;
        for (const EgressAddress& egress : input.egress) {
          used = used || auth::spf::check_host(resolver, egress.address, mechanism.domain_spec,
                                               "postmaster@" + domain, input.helo_name)
                                 .result == SpfResult::pass;
        }
        if (!used) {
          Finding f = spf_finding("SPF-13", Severity::info, domain, texts::spf_unused_title());
          f.found = {mechanism.text};
          f.why = texts::spf_unused_why(mechanism.text);
          f.rules = {"RFC 7208 §5.2"};
          findings.push_back(std::move(f));
        }
      }
    }
  }

  // One corrected record for every problem above.
  const bool needs_fix = std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
    return f.severity == Severity::fail || f.severity == Severity::warn;
  });
  if (needs_fix) {
    const std::string text = propose_record(parsed, cost.terms, not_passing);
    DnsRecord record = txt_record(domain, text, std::min<std::uint32_t>(published.ttl, 3600));
    if (record.ttl == 0) {
      record.ttl = 3600;
    }
    unsigned after = 0;
    if (auto proposal = auth::spf::parse_record(text)) {
      after = record_cost(resolver, *proposal, domain).lookups;
    }
    for (Finding& f : findings) {
      if (f.severity != Severity::fail && f.severity != Severity::warn) {
        continue;
      }
      f.fix.summary = texts::spf_replace_summary(domain, published.records.empty());
      f.fix.records_remove = published.records;
      f.fix.records_add = {record};
      f.fix.note = texts::spf_lookups_after(after);
    }
  } else if (!published.records.empty()) {
    Finding f = spf_finding("SPF-01", Severity::pass, domain, texts::spf_ok_title());
    f.found = found;
    f.why = texts::spf_ok_why(cost.lookups);
    findings.insert(findings.begin(), std::move(f));
  }
  return findings;
}

}  // namespace cqlist::doctor
