// auth/dmarc/discovery.cpp: the RFC 9989 §4.10 DNS tree walk and RFC 7489 discovery.
#include "auth/dmarc/discovery.hpp"

#include <map>

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist::auth::dmarc {
namespace {

constexpr std::size_t kLabelCap = 8;  // §4.10 step 5: names of 8+ labels jump to 7

std::vector<std::string_view> split_labels(std::string_view domain) {
  std::vector<std::string_view> labels;
  while (true) {
    std::size_t dot = domain.find('.');
    labels.push_back(domain.substr(0, dot));
    if (dot == std::string_view::npos) {
      return labels;
    }
    domain = domain.substr(dot + 1);
  }
}

// The last `count` labels of `domain`.
std::string last_labels(std::string_view domain, std::size_t count) {
  std::vector<std::string_view> labels = split_labels(domain);
  std::string out;
  for (std::size_t i = labels.size() > count ? labels.size() - count : 0; i < labels.size(); ++i) {
    out += (out.empty() ? "" : ".") + std::string(labels[i]);
  }
  return out;
}

std::size_t label_count(std::string_view domain) {
  return split_labels(domain).size();
}

// Empty when `domain` is usable, else why not.
std::string domain_problem(std::string_view domain) {
  if (domain.empty()) {
    return "the From domain is empty";
  }
  if (domain.size() > 253) {
    return "the From domain is longer than 253 characters";
  }
  for (std::string_view label : split_labels(domain)) {
    if (label.empty() || label.size() > 63) {
      return fmt::format("\"{}\" is not a domain name (empty or over-long label)", domain);
    }
    for (char c : label) {
      if (c <= ' ' || c == '@' || c == '\\' || c == '"' || c == ';' || c == 0x7f) {
        return fmt::format("\"{}\" is not a domain name (character not allowed)", domain);
      }
    }
  }
  return {};
}

enum class LookupKind { record, none, temperror };

struct Lookup {
  LookupKind kind = LookupKind::none;
  WalkStep step;
};

// Caches the _dmarc lookups of one discovery so the policy walk and the organizational-domain
// walk share queries.
class Walker {
 public:
  explicit Walker(dns::Resolver& resolver) : resolver_(resolver) {}

  const Lookup& lookup(const std::string& domain) {
    auto it = cache_.find(domain);
    if (it != cache_.end()) {
      return it->second;
    }
    Lookup result;
    result.step.name = "_dmarc." + domain;
    dns::Answer answer = resolver_.query(result.step.name, dns::RecordType::txt);
    result.step.status = answer.status;
    if (answer.status == dns::Status::servfail || answer.status == dns::Status::timeout) {
      result.kind = LookupKind::temperror;
      result.step.outcome = fmt::format("DNS {}{}", dns::status_name(answer.status),
                                        answer.problem.empty() ? "" : ": " + answer.problem);
    } else {
      std::vector<Record> records;
      std::vector<std::string> rejected;
      for (const dns::TxtRecord& txt : answer.all<dns::TxtRecord>()) {
        std::string text = txt.joined();
        if (!looks_like_dmarc(text)) {
          continue;  // §4.10 step 2: other TXT records are discarded
        }
        auto parsed = parse_record(text);
        if (parsed) {
          records.push_back(std::move(*parsed));
        } else {
          rejected.push_back(parsed.error().message());
        }
      }
      if (records.size() == 1) {
        result.kind = LookupKind::record;
        result.step.outcome = "DMARC record found: " + records[0].text;
        result.step.record = std::move(records[0]);
      } else if (records.size() > 1) {
        result.step.outcome = fmt::format(
            "{} DMARC records: all ignored, a name must publish exactly one (RFC 9989 §4.10)",
            records.size());
      } else if (!rejected.empty()) {
        result.step.outcome = "record ignored: " + rejected[0];
      } else {
        result.step.outcome = answer.status == dns::Status::answer
                                  ? "no DMARC record among the TXT records"
                              : answer.status == dns::Status::nxdomain ? "no such name"
                                                                       : "no TXT record";
      }
    }
    steps_.push_back(result.step);
    return cache_.emplace(domain, std::move(result)).first->second;
  }

  std::vector<WalkStep> take_steps() { return std::move(steps_); }

 private:
  dns::Resolver& resolver_;
  std::map<std::string, Lookup> cache_;
  std::vector<WalkStep> steps_;
};

// §4.10.2. `temperror` set when a query failed before the answer was certain.
std::string find_organizational_domain(Walker& walker, const std::string& domain, bool& temperror) {
  std::vector<std::string> targets = walk_targets(domain);
  std::optional<std::string> fewest_labels;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const Lookup& found = walker.lookup(targets[i]);
    if (found.kind == LookupKind::temperror) {
      temperror = true;
      return domain;
    }
    if (found.kind != LookupKind::record) {
      continue;
    }
    const Record& record = *found.step.record;
    if (record.psd == PsdFlag::no) {
      return targets[i];  // "this is the Organizational Domain"
    }
    if (record.psd == PsdFlag::yes) {
      if (i == 0) {
        continue;  // psd=y counts only "other than the one ... where the tree walk started"
      }
      // "the domain one label below this one in the DNS hierarchy", on the author's path.
      return last_labels(domain, label_count(targets[i]) + 1);
    }
    fewest_labels = targets[i];
  }
  return fewest_labels ? *fewest_labels : domain;
}

std::string normalize_domain(std::string_view domain) {
  std::string out = to_ascii_lower(trim(domain));
  if (!out.empty() && out.back() == '.') {
    out.pop_back();
  }
  return out;
}

}  // namespace

std::string_view discovery_status_name(DiscoveryStatus status) {
  switch (status) {
    case DiscoveryStatus::found:
      return "found";
    case DiscoveryStatus::none:
      return "none";
    case DiscoveryStatus::temperror:
      return "temperror";
    case DiscoveryStatus::invalid_domain:
      return "invalid-domain";
  }
  return "none";
}

std::vector<std::string> walk_targets(std::string_view domain) {
  std::vector<std::string> targets;
  std::string current(domain);
  targets.push_back(current);
  while (true) {
    std::size_t labels = label_count(current);
    if (labels <= 1) {
      return targets;
    }
    current = labels >= kLabelCap ? last_labels(current, kLabelCap - 1)
                                  : current.substr(current.find('.') + 1);
    targets.push_back(current);
  }
}

Policy applicable_policy(const Record& record, std::string_view author_domain,
                         std::string_view record_domain, bool author_domain_exists) {
  if (author_domain == record_domain) {
    return record.policy;
  }
  if (!author_domain_exists && record.nonexistent_policy) {
    return *record.nonexistent_policy;
  }
  return record.subdomain_policy ? *record.subdomain_policy : record.policy;
}

PolicyDiscovery discover_policy(dns::Resolver& resolver, std::string_view from_domain,
                                const DiscoveryOptions& options) {
  PolicyDiscovery out;
  out.author_domain = normalize_domain(from_domain);
  if (std::string problem = domain_problem(out.author_domain); !problem.empty()) {
    out.status = DiscoveryStatus::invalid_domain;
    out.problem = problem;
    return out;
  }
  Walker walker(resolver);
  auto take = [&](const std::string& domain, const Lookup& found) {
    if (found.kind == LookupKind::record) {
      out.status = DiscoveryStatus::found;
      out.record_domain = domain;
      out.record = found.step.record;
    } else if (found.kind == LookupKind::temperror) {
      out.status = DiscoveryStatus::temperror;
      out.problem = fmt::format("{}: {}", found.step.name, found.step.outcome);
    }
    return found.kind != LookupKind::none;
  };

  if (options.mode == DiscoveryMode::rfc7489_psl) {
    std::optional<std::string> registrable;
    if (options.psl != nullptr) {
      registrable = options.psl->registrable_domain(out.author_domain);
    }
    out.organizational_domain = registrable ? *registrable : out.author_domain;
    if (!take(out.author_domain, walker.lookup(out.author_domain)) &&
        out.organizational_domain != out.author_domain) {
      take(out.organizational_domain, walker.lookup(out.organizational_domain));
    }
    out.steps = walker.take_steps();
    return out;
  }

  // §4.10.1: the first valid record on the walk is the policy record.
  for (const std::string& target : walk_targets(out.author_domain)) {
    if (take(target, walker.lookup(target))) {
      break;
    }
  }
  if (out.status != DiscoveryStatus::temperror) {
    bool temperror = false;
    out.organizational_domain = find_organizational_domain(walker, out.author_domain, temperror);
    if (temperror && out.status == DiscoveryStatus::none) {
      out.status = DiscoveryStatus::temperror;
      out.problem = "a DNS query failed while looking for the organizational domain";
    }
  } else {
    out.organizational_domain = out.author_domain;
  }
  out.steps = walker.take_steps();
  return out;
}

OrganizationalDomain organizational_domain(dns::Resolver& resolver, std::string_view domain,
                                           const DiscoveryOptions& options) {
  OrganizationalDomain out;
  std::string name = normalize_domain(domain);
  if (options.mode == DiscoveryMode::rfc7489_psl) {
    std::optional<std::string> registrable;
    if (options.psl != nullptr) {
      registrable = options.psl->registrable_domain(name);
    }
    out.domain = registrable ? *registrable : name;
    return out;
  }
  if (!domain_problem(name).empty()) {
    out.domain = name;
    return out;
  }
  Walker walker(resolver);
  out.domain = find_organizational_domain(walker, name, out.temperror);
  out.steps = walker.take_steps();
  return out;
}

}  // namespace cqlist::auth::dmarc
