// auth/authres/resinfo.cpp: outcomes as RFC 8601 result entries.
#include "auth/authres/resinfo.hpp"

#include <string>
#include <utility>

#include <fmt/format.h>

namespace cqlist::auth::authres {
namespace {

void add(MethodResult& out, std::string ptype, std::string name, std::string value) {
  if (!value.empty()) {
    out.properties.push_back({std::move(ptype), std::move(name), std::move(value)});
  }
}

}  // namespace

MethodResult spf_resinfo(const spf::SpfOutcome& outcome) {
  MethodResult out;
  out.method = "spf";
  out.result = std::string(spf::result_name(outcome.result));
  if (outcome.result != spf::SpfResult::pass) {
    out.reason = outcome.reason;
  }
  if (outcome.identity == "helo") {
    add(out, "smtp", "helo", outcome.helo);
  } else {
    add(out, "smtp", "mailfrom", outcome.sender);
  }
  return out;
}

MethodResult dkim_resinfo(const dkim::DkimOutcome& outcome) {
  MethodResult out;
  out.method = "dkim";
  out.result = std::string(dkim::result_name(outcome.result));
  out.reason = outcome.reason;
  std::string comment;
  if (outcome.key_bits != 0) {
    comment = fmt::format("{}-bit key", outcome.key_bits);
  }
  if (outcome.testing) {
    comment += comment.empty() ? "testing" : "; testing";
  }
  if (!comment.empty()) {
    out.comments.push_back(std::move(comment));
  }
  if (const auto& signature = outcome.signature) {
    add(out, "header", "d", signature->domain);
    add(out, "header", "i", signature->identity);
    add(out, "header", "s", signature->selector);
    add(out, "header", "a", std::string(dkim::algorithm_name(signature->algorithm)));
    add(out, "header", "b", signature->signature_base64.substr(0, 8));
  }
  return out;
}

MethodResult dkim_none_resinfo() {
  MethodResult out;
  out.method = "dkim";
  out.result = "none";
  return out;
}

MethodResult arc_resinfo(const arc::ArcOutcome& outcome,
                         const std::optional<IpAddress>& remote_ip) {
  MethodResult out;
  out.method = "arc";
  out.result = std::string(arc::chain_status_name(outcome.result));
  out.reason = outcome.reason;
  if (!outcome.sets.empty()) {
    out.comments.push_back(fmt::format("i={}", outcome.sets.back().instance));
  }
  if (outcome.result == arc::ChainStatus::pass) {
    add(out, "header", "oldest-pass", std::to_string(outcome.oldest_pass));
  }
  if (remote_ip && !outcome.sets.empty()) {
    add(out, "smtp", "remote-ip", remote_ip->to_string());
  }
  return out;
}

MethodResult dmarc_resinfo(const dmarc::Evaluation& evaluation) {
  MethodResult out;
  out.method = "dmarc";
  out.result = std::string(dmarc::dmarc_result_name(evaluation.result));
  if (evaluation.result != dmarc::DmarcResult::pass) {
    out.reason = evaluation.reason;
  }
  const dmarc::PolicyDiscovery& found = evaluation.discovery;
  if (found.record) {
    // The policy that applies to this From domain and what is to be done with this message:
    // the conventional "(p=reject dis=none)" of Gmail and OpenDMARC.
    out.comments.push_back(fmt::format("p={} dis={}",
                                       dmarc::policy_name(applied_policy(evaluation)),
                                       dmarc::policy_name(evaluation.disposition)));
  }
  add(out, "header", "from", found.author_domain);
  return out;
}

dmarc::Policy applied_policy(const dmarc::Evaluation& evaluation) {
  const dmarc::PolicyDiscovery& found = evaluation.discovery;
  if (!found.record) {
    return dmarc::Policy::none;
  }
  if (evaluation.result == dmarc::DmarcResult::fail) {
    return evaluation.requested;  // np= already considered
  }
  // np= needs to know whether the domain exists, which only matters for failing mail.
  return dmarc::applicable_policy(*found.record, found.author_domain, found.record_domain, true);
}

}  // namespace cqlist::auth::authres
