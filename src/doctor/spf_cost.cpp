// doctor/spf_cost.cpp: what a record costs in DNS lookups, without evaluating it.
//
// check_host() stops at the first matching term, so its lookup count depends on the address;
// the limit (RFC 7208 §4.6.4) bites for the address that matches nothing, which walks every
// term. This walk counts that worst case and names loops and dead includes on the way.
#include <algorithm>

#include <fmt/format.h>

#include "auth/spf/record_cache.hpp"
#include "doctor/spf_checks.hpp"

namespace cqlist::doctor {
namespace {

using auth::spf::MechanismKind;

constexpr unsigned kMaxDepth = 12;

bool is_void(dns::Status status) {
  return status == dns::Status::nxdomain || status == dns::Status::nodata;
}

// Adds the cost of the record at `target` (reached through an include or redirect).
void add_nested(dns::Resolver& resolver, const std::string& target, std::vector<std::string>& stack,
                TermCost& cost) {
  const std::string name = dns::normalize_name(target);
  if (std::find(stack.begin(), stack.end(), name) != stack.end() || stack.size() > kMaxDepth) {
    std::string chain;
    for (const std::string& seen : stack) {
      chain += seen + " -> ";
    }
    if (cost.problem.empty()) {
      cost.problem = "loop: " + chain + name;
    }
    return;
  }
  dns::Answer answer = resolver.query(name, dns::RecordType::txt);
  if (is_void(answer.status)) {
    ++cost.voids;
  }
  std::vector<std::string> texts;
  for (const auto& txt : answer.all<dns::TxtRecord>()) {
    if (std::string text = txt.joined(); auth::spf::is_spf_record(text)) {
      texts.push_back(std::move(text));
    }
  }
  if (texts.size() != 1) {
    if (cost.problem.empty()) {
      cost.problem =
          !answer.ok() && !is_void(answer.status)
              ? fmt::format("DNS {} at {}", dns::status_name(answer.status), name)
              : fmt::format("{} has {} SPF records", name, texts.empty() ? "no" : "several");
    }
    return;
  }
  auto record = auth::spf::RecordCache::shared().parse(texts.front());
  if (!record) {
    if (cost.problem.empty()) {
      cost.problem = fmt::format("the record of {} is invalid", name);
    }
    return;
  }
  stack.push_back(name);
  for (const auth::spf::Mechanism& mechanism : (*record)->mechanisms) {
    if (!mechanism.queries_dns()) {
      continue;
    }
    ++cost.lookups;
    if (mechanism.kind == MechanismKind::include &&
        mechanism.domain_spec.find('%') == std::string::npos) {
      add_nested(resolver, mechanism.domain_spec, stack, cost);
    }
  }
  if ((*record)->redirect && (*record)->redirect->find('%') == std::string::npos) {
    ++cost.lookups;
    add_nested(resolver, *(*record)->redirect, stack, cost);
  }
  stack.pop_back();
}

}  // namespace

RecordCost record_cost(dns::Resolver& resolver, const auth::spf::Record& record,
                       const std::string& domain) {
  RecordCost total;
  std::vector<std::string> stack{dns::normalize_name(domain)};
  auto add = [&](TermCost cost) {
    total.lookups += cost.lookups;
    total.voids += cost.voids;
    total.terms.push_back(std::move(cost));
  };
  for (const auth::spf::Mechanism& mechanism : record.mechanisms) {
    if (!mechanism.queries_dns()) {
      continue;
    }
    TermCost cost{mechanism.text, 1, 0, {}};
    if (mechanism.kind == MechanismKind::include &&
        mechanism.domain_spec.find('%') == std::string::npos) {
      add_nested(resolver, mechanism.domain_spec, stack, cost);
    }
    add(std::move(cost));
  }
  if (record.redirect) {
    TermCost cost{"redirect=" + *record.redirect, 1, 0, {}};
    if (record.redirect->find('%') == std::string::npos) {
      add_nested(resolver, *record.redirect, stack, cost);
    }
    add(std::move(cost));
  }
  return total;
}

}  // namespace cqlist::doctor
