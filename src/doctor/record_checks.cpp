// doctor/record_checks.cpp: SPF-14/15, DMARC-04/08/09 and DNS-05 (the TLS and REP items are
// in record_checks_inbound.cpp).
#include "doctor/record_checks.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "auth/dkim/publish.hpp"
#include "auth/dmarc/discovery.hpp"
#include "auth/spf/record.hpp"
#include "base/strings.hpp"
#include "doctor/texts.hpp"

namespace cqlist::doctor {
namespace {

constexpr std::size_t kMaxIncludesScanned = 10;  // the evaluation limit bounds the walk too
constexpr std::uint32_t kLongTtl = 3600;

bool has_macro(const std::string& domain_spec) {
  return domain_spec.find("%{") != std::string::npos;
}

struct DynamicTerm {
  std::string term;
  std::string where;  // the domain whose record holds it
};

// Terms using macros or exists in `domain`'s record and in the records it includes.
void scan_dynamic_terms(dns::Resolver& resolver, const std::string& domain,
                        std::set<std::string>& visited, std::vector<DynamicTerm>& out) {
  if (visited.size() >= kMaxIncludesScanned || !visited.insert(domain).second) {
    return;
  }
  dns::Answer answer = resolver.query(domain, dns::RecordType::txt);
  for (const dns::TxtRecord& txt : answer.all<dns::TxtRecord>()) {
    if (!auth::spf::is_spf_record(txt.joined())) {
      continue;
    }
    auto record = auth::spf::parse_record(txt.joined());
    if (!record) {
      continue;  // SPF-02 reports it
    }
    std::vector<std::string> next;
    for (const auth::spf::Mechanism& mechanism : record->mechanisms) {
      if (mechanism.kind == auth::spf::MechanismKind::exists || has_macro(mechanism.domain_spec)) {
        out.push_back({mechanism.text, domain});
      } else if (mechanism.kind == auth::spf::MechanismKind::include) {
        next.push_back(dns::normalize_name(mechanism.domain_spec));
      }
    }
    if (record->redirect) {
      if (has_macro(*record->redirect)) {
        out.push_back({"redirect=" + *record->redirect, domain});
      } else {
        next.push_back(dns::normalize_name(*record->redirect));
      }
    }
    for (const std::string& target : next) {
      scan_dynamic_terms(resolver, target, visited, out);
    }
  }
}

struct Tag {
  std::string name;  // lowercase
  std::string value;
};

// The tag list of a DMARC record, in order, as written (RFC 9989 §4.7 tag-list).
std::vector<Tag> dmarc_tags(const std::string& text) {
  std::vector<Tag> tags;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    std::string_view part = trim(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    const std::size_t eq = part.find('=');
    if (part.empty() || eq == std::string_view::npos) {
      continue;
    }
    tags.push_back(
        {to_ascii_lower(trim(part.substr(0, eq))), std::string(trim(part.substr(eq + 1)))});
  }
  return tags;
}

std::string join_tags(const std::vector<Tag>& tags) {
  std::string text;
  for (const Tag& tag : tags) {
    text += (text.empty() ? "" : "; ") + tag.name + "=" + tag.value;
  }
  return text;
}

// `tags` without the ones named, for a replacement record. v= is written "DMARC1" because
// RFC 7489 §6.3 wants that value to "match precisely".
std::vector<Tag> without(std::vector<Tag> tags, std::initializer_list<std::string_view> names) {
  tags.erase(std::remove_if(tags.begin(), tags.end(),
                            [&](const Tag& tag) {
                              return std::find(names.begin(), names.end(), tag.name) != names.end();
                            }),
             tags.end());
  for (Tag& tag : tags) {
    if (tag.name == "v") {
      tag.value = "DMARC1";
    }
  }
  return tags;
}

int strength(auth::dmarc::Policy policy) {
  switch (policy) {
    case auth::dmarc::Policy::none:
      return 0;
    case auth::dmarc::Policy::quarantine:
      return 1;
    case auth::dmarc::Policy::reject:
      return 2;
  }
  return 0;
}

// The DMARC record as published at _dmarc.<record_domain>, for Found and Remove lines.
DnsRecord published_dmarc(dns::Resolver& resolver, const std::string& record_domain,
                          const std::string& text) {
  const std::string name = "_dmarc." + record_domain;
  dns::Answer answer = resolver.query(name, dns::RecordType::txt);
  for (const dns::TxtRecord& txt : answer.all<dns::TxtRecord>()) {
    if (txt.joined() == text) {
      return DnsRecord{name, answer.ttl, "TXT", txt.strings, false};
    }
  }
  return txt_record(name, text, answer.ttl);
}

}  // namespace

std::vector<Finding> check_spf_records(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  const std::string domain = dns::normalize_name(input.envelope_domain());

  // SPF-14. A failed query proves nothing either way, so it gives no finding.
  dns::Answer type99 = resolver.query(domain, dns::RecordType::spf);
  if (type99.ok()) {
    Finding f =
        make_finding("SPF-14", Severity::info, domain, texts::spf_type99_title(true), "SPF");
    for (const dns::TxtRecord& txt : type99.all<dns::TxtRecord>()) {
      DnsRecord record{domain, type99.ttl, "SPF", txt.strings, false};
      f.found.push_back(record.zone_line());
      f.fix.records_remove.push_back(std::move(record));
    }
    f.why = texts::spf_type99_why();
    f.fix.summary = texts::spf_type99_fix();
    f.rules = {"RFC 7208 §3.1"};
    findings.push_back(std::move(f));
  } else if (type99.status == dns::Status::nxdomain || type99.status == dns::Status::nodata) {
    findings.push_back(
        make_finding("SPF-14", Severity::pass, domain, texts::spf_type99_title(false), "SPF"));
  }

  // SPF-15.
  std::set<std::string> visited;
  std::vector<DynamicTerm> dynamic;
  scan_dynamic_terms(resolver, domain, visited, dynamic);
  if (dynamic.empty()) {
    findings.push_back(
        make_finding("SPF-15", Severity::pass, domain, texts::spf_dynamic_title(false), "SPF"));
    return findings;
  }
  Finding f = make_finding("SPF-15", Severity::info, domain, texts::spf_dynamic_title(true), "SPF");
  for (const DynamicTerm& term : dynamic) {
    f.found.push_back(fmt::format("{}  (in the SPF record of {})", term.term, term.where));
  }
  f.why = texts::spf_dynamic_why();
  f.fix.summary = texts::spf_dynamic_fix();
  f.rules = {"RFC 7208 §7", "RFC 7208 §5.7"};
  findings.push_back(std::move(f));
  return findings;
}

std::vector<Finding> check_dmarc_records(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  const std::string from = dns::normalize_name(input.domain);
  auth::dmarc::PolicyDiscovery found = auth::dmarc::discover_policy(resolver, from);
  if (found.status != auth::dmarc::DiscoveryStatus::found || !found.record) {
    return findings;
  }
  const auth::dmarc::Record& record = *found.record;
  const std::string where = found.record_domain;
  const DnsRecord published = published_dmarc(resolver, where, record.text);
  const std::vector<Tag> tags = dmarc_tags(record.text);

  // DMARC-04: pct, rf and ri (RFC 9989 Appendix C).
  std::vector<std::string> removed;
  std::string pct;
  for (const Tag& tag : tags) {
    if (tag.name == "pct" || tag.name == "rf" || tag.name == "ri") {
      removed.push_back(tag.name + "=" + tag.value);
      if (tag.name == "pct") {
        pct = tag.value;
      }
    }
  }
  if (removed.empty()) {
    findings.push_back(
        make_finding("DMARC-04", Severity::pass, where, texts::dmarc_removed_title({}), "DMARC"));
  } else {
    std::string list;
    for (const std::string& tag : removed) {
      list += (list.empty() ? "" : ", ") + tag;
    }
    Finding f =
        make_finding("DMARC-04", Severity::info, where, texts::dmarc_removed_title(list), "DMARC");
    f.found = {published.zone_line()};
    // A pct below 100 meant "try the policy on part of the mail": t=y is RFC 9989's way.
    const bool partial = !pct.empty() && pct != "100";
    std::vector<Tag> kept = without(tags, {"pct", "rf", "ri"});
    const bool add_testing = partial && std::none_of(kept.begin(), kept.end(),
                                                     [](const Tag& t) { return t.name == "t"; });
    if (add_testing) {
      kept.push_back({"t", "y"});
    }
    f.why = texts::dmarc_removed_why(!pct.empty());
    f.fix.summary = texts::dmarc_removed_fix(add_testing ? pct : std::string());
    f.fix.records_add = {txt_record(published.name, join_tags(kept), published.ttl)};
    f.fix.records_remove = {published};
    f.rules = {"RFC 9989 §4.7", "RFC 9989 Appendix C"};
    findings.push_back(std::move(f));
  }

  // DMARC-08: strict modes against identifiers that are other names of the same organization.
  struct Identifier {
    std::string tag;
    std::string domain;
    auth::dmarc::Alignment mode;
  };

  std::vector<Identifier> identifiers = {
      {"aspf", dns::normalize_name(input.envelope_domain()), record.spf_alignment}};
  if (!input.dkim_keys.empty()) {
    // cqlist signs with d= the list domain (check_dkim looks the keys up there).
    identifiers.push_back({"adkim", from, record.dkim_alignment});
  }
  bool strict_problem = false;
  for (const Identifier& id : identifiers) {
    if (id.mode != auth::dmarc::Alignment::strict || id.domain == from) {
      continue;
    }
    const std::string org = auth::dmarc::organizational_domain(resolver, id.domain).domain;
    if (org != auth::dmarc::organizational_domain(resolver, from).domain) {
      continue;  // another organization: DMARC-07 says so
    }
    strict_problem = true;
    Finding f = make_finding("DMARC-08", Severity::warn, where,
                             texts::dmarc_strict_title(id.tag, id.domain, from), "DMARC");
    f.found = {published.zone_line(),
               fmt::format("{} domain {}, From domain {}",
                           id.tag == "aspf" ? "envelope (bounce)" : "DKIM d=", id.domain, from)};
    const auth::dmarc::Policy applied =
        where == from ? record.policy : record.subdomain_policy.value_or(record.policy);
    f.why = texts::dmarc_strict_why(id.tag, id.domain, from,
                                    std::string(auth::dmarc::policy_name(applied)));
    f.fix.summary = texts::dmarc_strict_fix(id.tag, from);
    f.fix.records_add = {
        txt_record(published.name, join_tags(without(tags, {id.tag})), published.ttl)};
    f.fix.records_remove = {published};
    f.rules = {"RFC 7489 §3.1", "RFC 9989 §4.4"};
    findings.push_back(std::move(f));
  }
  if (!strict_problem) {
    findings.push_back(make_finding("DMARC-08", Severity::pass, where,
                                    texts::dmarc_strict_title({}, {}, from), "DMARC"));
  }

  // DMARC-09: sp= and np= no weaker than p= (np falls back to sp, sp to p).
  const auth::dmarc::Policy sp = record.subdomain_policy.value_or(record.policy);
  const auth::dmarc::Policy np = record.nonexistent_policy.value_or(sp);
  std::vector<std::string> weaker;
  if (record.subdomain_policy && strength(sp) < strength(record.policy)) {
    weaker.push_back("sp");
  }
  if (record.nonexistent_policy && strength(np) < std::max(strength(sp), strength(record.policy))) {
    weaker.push_back("np");
  }
  if (weaker.empty()) {
    findings.push_back(make_finding("DMARC-09", Severity::pass, where,
                                    texts::dmarc_subdomain_title(false), "DMARC"));
    return findings;
  }
  Finding f =
      make_finding("DMARC-09", Severity::info, where, texts::dmarc_subdomain_title(true), "DMARC");
  f.found = {published.zone_line(),
             fmt::format("p={} (this domain), sp={} (subdomains), np={} (names that do not exist)",
                         auth::dmarc::policy_name(record.policy), auth::dmarc::policy_name(sp),
                         auth::dmarc::policy_name(np))};
  // The list's own mail falls under sp= when its domain is below the record's.
  const std::string list_policy =
      where == from ? std::string() : std::string(auth::dmarc::policy_name(sp));
  f.why = texts::dmarc_subdomain_why(where, from, list_policy);
  f.fix.summary = texts::dmarc_subdomain_fix();
  std::vector<Tag> kept = tags;
  for (const std::string& tag : weaker) {
    kept = without(kept, {tag});
  }
  f.fix.records_add = {txt_record(published.name, join_tags(kept), published.ttl)};
  f.fix.records_remove = {published};
  f.rules = {"RFC 9989 §4.7"};
  findings.push_back(std::move(f));
  return findings;
}

std::vector<Finding> check_ttls(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  const std::string domain = dns::normalize_name(input.domain);
  const std::string envelope = dns::normalize_name(input.envelope_domain());

  struct Looked {
    std::string name;
    dns::RecordType type;
    std::string what;
  };

  std::vector<Looked> names = {{envelope, dns::RecordType::txt, "SPF"},
                               {"_dmarc." + domain, dns::RecordType::txt, "DMARC"},
                               {domain, dns::RecordType::mx, "MX"}};
  for (const DkimKey& key : input.dkim_keys) {
    names.push_back(
        {auth::dkim::key_record_name(key.selector, domain), dns::RecordType::txt, "DKIM"});
  }
  std::vector<std::string> lines;
  std::uint32_t longest = 0;
  for (const Looked& looked : names) {
    dns::Answer answer = resolver.query(looked.name, looked.type);
    if (!answer.ok()) {
      continue;
    }
    if (looked.what == "SPF") {
      const auto txts = answer.all<dns::TxtRecord>();
      if (std::none_of(txts.begin(), txts.end(), [](const dns::TxtRecord& txt) {
            return auth::spf::is_spf_record(txt.joined());
          })) {
        continue;
      }
    }
    longest = std::max(longest, answer.ttl);
    lines.push_back(fmt::format("{} {} ({}): TTL {} ({})", looked.name,
                                dns::record_type_name(looked.type), looked.what, answer.ttl,
                                texts::ttl_span(answer.ttl).en));
  }
  if (lines.empty()) {
    return findings;
  }
  const bool long_lived = longest > kLongTtl;
  Finding f = make_finding("DNS-05", long_lived ? Severity::info : Severity::pass, domain,
                           texts::ttl_title(longest, long_lived), "DNS");
  f.found = lines;
  if (long_lived) {
    f.why = texts::ttl_why(longest);
    f.fix.summary = texts::ttl_fix(longest);
  }
  findings.push_back(std::move(f));
  return findings;
}

}  // namespace cqlist::doctor
