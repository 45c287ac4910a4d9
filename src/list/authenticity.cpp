// list/authenticity.cpp: who really sent the post: SPF, DKIM and DMARC, and the spoofing hold.
//
// Each method is either computed here through dns::Resolver or, when the list names a
// trusted_authserv_id, believed from the Authentication-Results fields that MTA added:
// per method, so an MTA that only checks SPF still gets DKIM and DMARC computed here. The MTA
// must remove fields carrying its own authserv-id from incoming mail (RFC 8601 §5), or a
// sender could write the results it wants.
//
// The From domain's policy is always looked up here, even when the DMARC result is believed:
// mitigation needs p= for passing mail too, and a result field seldom carries it.
// Authenticity::dkim is the best result over the signatures ("pass" when one passes); whether
// a passing one was aligned with From is what the DMARC result says.
//
// Policy decided here: a post whose From is a member, that fails DMARC for a domain that
// enforces (p=quarantine|reject, after t=y lowers it one step), is held when
// hold_dmarc_failures is on: a spoofed member address is never distributed. A temperror
// holds nothing (the post may well be genuine; it is noted for the log).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "auth/authres/authres.hpp"
#include "auth/authres/resinfo.hpp"
#include "auth/dkim/verify.hpp"
#include "auth/dmarc/evaluate.hpp"
#include "auth/spf/check_host.hpp"
#include "base/strings.hpp"
#include "list/pipeline.hpp"

namespace cqlist::list {
namespace {

namespace authres = auth::authres;
namespace dkim = auth::dkim;
namespace dmarc = auth::dmarc;
namespace spf = auth::spf;

// The results the trusted MTA reported, per method (the topmost field first).
struct Believed {
  std::optional<authres::MethodResult> spf;
  std::vector<authres::MethodResult> dkim;
  std::optional<authres::MethodResult> dmarc;
};

Believed believed_results(const mail::Message& message, std::string_view authserv_id) {
  Believed out;
  if (authserv_id.empty()) {
    return out;
  }
  for (authres::MethodResult& result : authres::trusted_results(message, authserv_id)) {
    if (result.method == "spf" && !out.spf) {
      out.spf = std::move(result);
    } else if (result.method == "dkim") {
      out.dkim.push_back(std::move(result));
    } else if (result.method == "dmarc" && !out.dmarc) {
      out.dmarc = std::move(result);
    }
  }
  return out;
}

// "user@example.org" or "example.org" -> "example.org".
std::string domain_of(std::string_view identity) {
  const std::size_t at = identity.rfind('@');
  return to_ascii_lower(trim(at == std::string_view::npos ? identity : identity.substr(at + 1)));
}

// The envelope sender without angle brackets; "" for the null sender.
std::string_view bare_path(std::string_view path) {
  path = trim(path);
  if (path.size() >= 2 && path.front() == '<' && path.back() == '>') {
    path = path.substr(1, path.size() - 2);
  }
  return path;
}

// RFC 8601 §2.7.1 result words, from the most to the least telling about the author.
int dkim_rank(std::string_view result) {
  constexpr std::string_view kOrder[] = {"pass",   "temperror", "fail", "permerror",
                                         "policy", "neutral",   "none"};
  int rank = 0;
  for (std::string_view word : kOrder) {
    if (iequals(result, word)) {
      return rank;
    }
    ++rank;
  }
  return rank;
}

dmarc::Policy lowered_for_testing(dmarc::Policy policy) {
  return policy == dmarc::Policy::reject ? dmarc::Policy::quarantine : dmarc::Policy::none;
}

}  // namespace

Verdict check_authenticity(const mail::Message& message, PostContext& context,
                           PipelineServices& services) {
  Authenticity& out = context.authenticity;
  out = Authenticity{};
  const std::size_t at = context.author.rfind('@');
  out.from_domain = at == std::string::npos ? std::string() : context.author.substr(at + 1);

  const Believed believed = believed_results(message, context.settings.trusted_authserv_id);
  std::vector<std::string> believed_methods;
  std::vector<authres::MethodResult> results;

  // SPF, for the MAIL FROM (or HELO) identity.
  dmarc::SpfInput spf_input;
  if (believed.spf) {
    out.spf = believed.spf->result;
    std::string_view identity = believed.spf->property("smtp", "mailfrom");
    if (identity.empty()) {
      identity = believed.spf->property("smtp", "helo");
    }
    spf_input = {out.spf, domain_of(identity)};
    results.push_back(*believed.spf);
    believed_methods.emplace_back("spf");
  } else if (context.client_ip) {
    spf::SpfOptions options;
    options.receiver = services.authserv_id.empty() ? "unknown" : services.authserv_id;
    options.now = context.now;
    const spf::SpfOutcome outcome =
        spf::check_mail_from(services.resolver, *context.client_ip,
                             bare_path(context.envelope_from), context.helo, options);
    out.spf = std::string(spf::result_name(outcome.result));
    spf_input = {out.spf, outcome.domain};
    results.push_back(authres::spf_resinfo(outcome));
  } else {
    context.notes.push_back(
        "spf_not_evaluated: the client address is unknown (let Postfix send XFORWARD)");
  }

  // DKIM: every signature.
  std::vector<dmarc::DkimInput> dkim_inputs;
  if (!believed.dkim.empty()) {
    for (const authres::MethodResult& result : believed.dkim) {
      std::string domain(result.property("header", "d"));
      if (domain.empty()) {
        domain = domain_of(result.property("header", "i"));
      }
      if (!domain.empty()) {
        dkim_inputs.push_back({result.result, std::move(domain)});
      }
      results.push_back(result);
      if (out.dkim.empty() || dkim_rank(result.result) < dkim_rank(out.dkim)) {
        out.dkim = result.result;
      }
    }
    believed_methods.emplace_back("dkim");
  } else {
    const std::vector<dkim::DkimOutcome> outcomes =
        dkim::verify_all(message, services.resolver, context.now);
    for (const dkim::DkimOutcome& outcome : outcomes) {
      const std::string word(dkim::result_name(outcome.result));
      if (outcome.signature) {
        dkim_inputs.push_back({word, outcome.signature->domain});
      }
      results.push_back(authres::dkim_resinfo(outcome));
      if (out.dkim.empty() || dkim_rank(word) < dkim_rank(out.dkim)) {
        out.dkim = word;
      }
    }
    if (outcomes.empty()) {
      results.push_back(authres::dkim_none_resinfo());
      out.dkim = "none";
    }
  }

  // DMARC for the From domain.
  bool testing = false;
  if (out.from_domain.empty()) {
    out.dmarc = "permerror";
    authres::MethodResult entry;
    entry.method = "dmarc";
    entry.result = out.dmarc;
    entry.reason = "no usable From address";
    results.push_back(std::move(entry));
  } else {
    const dmarc::Evaluation evaluation =
        dmarc::evaluate(services.resolver, {out.from_domain, spf_input, dkim_inputs});
    if (believed.dmarc) {
      out.dmarc = believed.dmarc->result;
      results.push_back(*believed.dmarc);
      believed_methods.emplace_back("dmarc");
    } else {
      out.dmarc = std::string(dmarc::dmarc_result_name(evaluation.result));
      results.push_back(authres::dmarc_resinfo(evaluation));
    }
    const dmarc::PolicyDiscovery& discovery = evaluation.discovery;
    if (discovery.record) {
      const dmarc::Policy requested = authres::applied_policy(evaluation);
      testing = discovery.record->testing;
      const dmarc::Policy effective = testing ? lowered_for_testing(requested) : requested;
      out.dmarc_policy = std::string(dmarc::policy_name(requested));
      out.from_domain_enforces = effective != dmarc::Policy::none;
    } else if (discovery.status == dmarc::DiscoveryStatus::temperror) {
      context.notes.push_back(
          fmt::format("dmarc_policy_unknown: {} ({})", out.from_domain, discovery.problem));
    }
    if (out.dmarc == "temperror") {
      context.notes.push_back(
          fmt::format("dmarc_temperror: {} could not be checked ({}); the post is not held for it",
                      out.from_domain, evaluation.reason));
    }
  }
  out.results = authres::format_results(results);

  out.reason =
      fmt::format("spf={} dkim={} dmarc={}", out.spf.empty() ? "-" : out.spf, out.dkim, out.dmarc);
  if (!out.from_domain.empty()) {
    out.reason += fmt::format(" from={}", out.from_domain);
  }
  if (!out.dmarc_policy.empty()) {
    out.reason += fmt::format(" p={}{}", out.dmarc_policy, testing ? " t=y" : "");
  }
  if (!believed_methods.empty()) {
    std::string methods;
    for (const std::string& method : believed_methods) {
      methods += (methods.empty() ? "" : ",") + method;
    }
    out.reason += fmt::format(" ({} from {})", methods, context.settings.trusted_authserv_id);
    context.notes.push_back(fmt::format("authres_trusted: {} believed from {}", methods,
                                        context.settings.trusted_authserv_id));
  }

  if (context.poster && context.settings.hold_dmarc_failures && iequals(out.dmarc, "fail") &&
      out.from_domain_enforces) {
    Verdict verdict;
    verdict.decision = Decision::hold;
    verdict.stage = "authenticity";
    verdict.reason = fmt::format(
        "From claims a member at {0}, but the message fails DMARC for {0} (p={1}{2}): possibly "
        "forged",
        out.from_domain, out.dmarc_policy, testing ? ", t=y" : "");
    return verdict;
  }
  return Verdict::accept();
}

}  // namespace cqlist::list
