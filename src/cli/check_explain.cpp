// cli/check_explain.cpp: the verdict and the plain-language explanation of each check.
#include "cli/check_explain.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "auth/authres/resinfo.hpp"
#include "auth/spf/report.hpp"
#include "base/strings.hpp"

namespace cqlist::cli {
namespace {

namespace authres = auth::authres;
namespace dkim = auth::dkim;
namespace dmarc = auth::dmarc;
namespace spf = auth::spf;
namespace arc = auth::arc;

std::string capitalized(std::string text) {
  if (!text.empty()) {
    text.front() = ascii_upper(text.front());
  }
  return text;
}

// --- SPF -------------------------------------------------------------------------------------

Explained explain_spf(const authres::ReceiverChecks& checks, bool trace) {
  Explained out;
  out.method = "spf";
  if (!checks.spf) {
    out.result = "not checked";
    out.title = "SPF";
    switch (checks.spf_skipped) {
      case authres::SpfSkipped::no_client_ip:
        out.why = "the address of the server that sent the message is not known";
        break;
      case authres::SpfSkipped::no_mail_from:
        out.why =
            "the envelope sender (MAIL FROM) is not known and the message has no "
            "Return-Path field";
        break;
      case authres::SpfSkipped::null_sender_no_helo:
        out.why =
            "the envelope sender is empty (a bounce), so SPF checks the HELO name, "
            "which is not known";
        break;
      case authres::SpfSkipped::no:
        break;
    }
    out.meaning =
        "SPF tells whether the sending server may send mail for the envelope sender's domain. "
        "Give --ip (the sending server's address), --mail-from and --helo to check it as the "
        "receiving server would; until then DMARC below can only use DKIM.";
    return out;
  }
  const spf::SpfOutcome& outcome = *checks.spf;
  out.entry = authres::spf_resinfo(outcome);
  out.result = std::string(spf::result_name(outcome.result));
  out.title = outcome.identity == "helo"
                  ? fmt::format("SPF for {} with HELO name {} (empty envelope sender)",
                                outcome.ip.to_string(), outcome.helo)
                  : fmt::format("SPF for {} sending as {}", outcome.ip.to_string(), outcome.sender);
  out.why = outcome.reason;
  out.meaning = capitalized(spf::result_meaning(outcome.result));
  switch (outcome.result) {
    case spf::SpfResult::pass:
      break;
    case spf::SpfResult::fail:
    case spf::SpfResult::softfail:
    case spf::SpfResult::neutral:
      out.meaning += fmt::format(
          " If this server should send for {}, add its address to the domain's SPF record; if "
          "the mail was forwarded (a mailing list, an alias), SPF cannot pass and DKIM has to.",
          outcome.domain);
      break;
    default:
      break;
  }
  if (outcome.result == spf::SpfResult::fail && !outcome.explanation.empty()) {
    out.details.push_back("explanation a rejecting receiver gives the sender: " +
                          outcome.explanation);
  }
  if (checks.mail_from_from_return_path) {
    out.details.push_back(
        "the envelope sender was taken from the Return-Path field; give --mail-from to check "
        "another");
  }
  if (trace) {
    out.details.push_back("how the result was reached:");
    const std::string steps = spf::describe_trace(outcome);
    std::string_view rest = steps;
    while (!rest.empty()) {
      const std::size_t end = std::min(rest.find('\n'), rest.size());
      if (end > 0) {
        out.details.push_back("  " + std::string(rest.substr(0, end)));
      }
      rest.remove_prefix(std::min(end + 1, rest.size()));
    }
  }
  return out;
}

// --- DKIM ------------------------------------------------------------------------------------

std::string dkim_meaning(const dkim::DkimOutcome& outcome) {
  const std::string domain = outcome.signature ? outcome.signature->domain : "the signer";
  const std::string record =
      outcome.signature ? outcome.signature->selector + "._domainkey." + outcome.signature->domain
                        : "the key record";
  switch (outcome.result) {
    case dkim::DkimResult::pass:
      return fmt::format("{} vouches for this message: it has not changed since it was signed.{}",
                         domain,
                         outcome.testing ? " (The key record says t=y: the domain is testing "
                                           "DKIM, so receivers may ignore the result.)"
                                         : "");
    case dkim::DkimResult::fail:
      return fmt::format(
          "The signature does not match the message. Either the message was changed after "
          "signing (a list's subject tag or footer does this to the author's signature, which is "
          "why the list signs again with its own domain), or it was signed with another key "
          "than the one published at {}.",
          record);
    case dkim::DkimResult::temperror:
      return fmt::format(
          "The key could not be fetched right now. Run the check again; if this persists, "
          "check the resolver (--resolver) and the DNS servers of {}.",
          domain);
    case dkim::DkimResult::permerror:
      return fmt::format(
          "The signature cannot be checked, so it counts as no signature. If {} is your domain, "
          "compare the TXT record at {} with what `cqlist dkim keygen` printed.",
          domain, record);
    case dkim::DkimResult::policy:
      return "The signature is not acceptable by policy, so it counts as no signature.";
    case dkim::DkimResult::neutral:
      return "The signature proves nothing.";
    case dkim::DkimResult::none:
      break;
  }
  return "The message has no DKIM signature: receivers such as Gmail then rely on SPF alone, "
         "which fails as soon as the message is forwarded.";
}

std::vector<Explained> explain_dkim(const authres::ReceiverChecks& checks) {
  std::vector<Explained> out;
  std::size_t number = 0;
  for (const dkim::DkimOutcome& outcome : checks.dkim) {
    ++number;
    Explained item;
    item.method = "dkim";
    item.entry = authres::dkim_resinfo(outcome);
    item.result = item.entry.result;
    if (const auto& signature = outcome.signature) {
      item.title = fmt::format("DKIM signature {} (d={}, s={}, {})", number, signature->domain,
                               signature->selector, dkim::algorithm_name(signature->algorithm));
    } else {
      item.title = fmt::format("DKIM signature {} (unreadable)", number);
    }
    item.why = outcome.reason;
    item.meaning = dkim_meaning(outcome);
    out.push_back(std::move(item));
  }
  if (out.empty()) {
    Explained none;
    none.method = "dkim";
    none.entry = authres::dkim_none_resinfo();
    none.result = "none";
    none.title = "DKIM";
    none.meaning = dkim_meaning(dkim::DkimOutcome{});
    out.push_back(std::move(none));
  }
  return out;
}

// --- ARC -------------------------------------------------------------------------------------

std::string check_words(arc::Check check, const std::string& reason) {
  if (check == arc::Check::fail && !reason.empty()) {
    return fmt::format("fail ({})", reason);
  }
  return std::string(arc::check_name(check));
}

Explained explain_arc(const authres::ReceiverChecks& checks) {
  const arc::ArcOutcome& outcome = checks.arc;
  Explained out;
  out.method = "arc";
  out.entry = authres::arc_resinfo(outcome, checks.client_ip);
  out.result = out.entry.result;
  out.title = outcome.sets.empty() ? std::string("ARC chain")
                                   : fmt::format("ARC chain ({} set{})", outcome.sets.size(),
                                                 outcome.sets.size() == 1 ? "" : "s");
  out.why = outcome.reason;
  switch (outcome.result) {
    case arc::ChainStatus::none:
      out.meaning =
          "No forwarder sealed this message with ARC. That is normal for mail that comes "
          "straight from its author's servers.";
      break;
    case arc::ChainStatus::pass: {
      const arc::SetOutcome& newest = outcome.sets.back();
      out.meaning = fmt::format(
          "Every forwarder's seal is intact. The newest, {}, vouches for the authentication "
          "results recorded at each hop; receivers that trust it (Microsoft, Yahoo and Apple "
          "honour ARC) may accept the message even when a list's changes broke the author's "
          "DKIM signature.",
          newest.seal_domain);
      if (outcome.oldest_pass > 1) {
        out.meaning += fmt::format(
            " The message was changed after hop {} (only the message signatures from hop {} on "
            "still match), as a list adding a footer does.",
            outcome.oldest_pass - 1, outcome.oldest_pass);
      }
      break;
    }
    case arc::ChainStatus::fail:
      out.meaning =
          outcome.closed
              ? "A forwarder already found the chain broken and closed it (cv=fail). Receivers "
                "ignore it, so the forwarders' results cannot make up for a DKIM failure."
              : "The chain is broken: a seal does not verify, or the message was changed after "
                "the newest seal. Receivers ignore it, so the forwarders' results cannot make up "
                "for a DKIM failure.";
      break;
  }
  for (const arc::SetOutcome& set : outcome.sets) {
    out.details.push_back(fmt::format(
        "set {}: sealed by {} (s={}); message signature {}, seal {}; results recorded: {}",
        set.instance, set.seal_domain, set.seal_selector,
        check_words(set.message_signature, set.message_signature_reason),
        check_words(set.seal, set.seal_reason), set.results_payload));
  }
  return out;
}

// --- DMARC -----------------------------------------------------------------------------------

std::string policy_consequence(dmarc::Policy policy) {
  switch (policy) {
    case dmarc::Policy::reject:
      return "Receivers that follow DMARC refuse such mail (Gmail answers 550 5.7.26).";
    case dmarc::Policy::quarantine:
      return "Receivers that follow DMARC deliver such mail to the spam folder.";
    case dmarc::Policy::none:
      break;
  }
  return "The domain asks receivers only to report such mail (p=none), but big receivers "
         "still treat unauthenticated mail with suspicion.";
}

Explained explain_dmarc(const authres::ReceiverChecks& checks, bool trace) {
  const dmarc::Evaluation& evaluation = checks.dmarc;
  const dmarc::PolicyDiscovery& found = evaluation.discovery;
  Explained out;
  out.method = "dmarc";
  out.entry = authres::dmarc_resinfo(evaluation);
  out.result = out.entry.result;
  out.title = checks.from_domain.empty()
                  ? std::string("DMARC")
                  : fmt::format("DMARC for the From domain {}", checks.from_domain);
  out.why = evaluation.reason;
  if (!checks.spf && evaluation.result == dmarc::DmarcResult::fail) {
    out.why += " (SPF was not checked here)";
  }
  switch (evaluation.result) {
    case dmarc::DmarcResult::pass:
      out.meaning = fmt::format(
          "The From address is authenticated: {} takes responsibility for this message.",
          checks.from_domain);
      break;
    case dmarc::DmarcResult::fail:
      out.meaning = policy_consequence(evaluation.disposition) +
                    " To pass, the message needs a DKIM signature of the From domain (or its "
                    "organizational domain) that still verifies, or SPF passing for an envelope "
                    "sender in that domain. A list that changes messages cannot keep the "
                    "author's signature intact: it rewrites From for such authors instead.";
      break;
    case dmarc::DmarcResult::none:
      out.meaning =
          "Without a DMARC policy receivers use their own judgement; Gmail and Yahoo still "
          "require SPF or DKIM to pass.";
      break;
    case dmarc::DmarcResult::temperror:
      out.meaning =
          "A DNS lookup failed for now; a receiver would defer the message (4xx) and try again "
          "later. Check the resolver (--resolver) and the domain's name servers.";
      break;
    case dmarc::DmarcResult::permerror:
      out.meaning = "DMARC cannot be applied to this message; receivers treat that as a failure.";
      break;
  }
  if (found.record) {
    out.details.push_back(
        fmt::format("policy record at _dmarc.{}: {}", found.record_domain, found.record->text));
    out.details.push_back(fmt::format(
        "policy for failing mail from {}: {}{}; alignment: DKIM {}, SPF {}", found.author_domain,
        dmarc::policy_name(authres::applied_policy(evaluation)),
        found.record->testing ? " (t=y: receivers apply one step less while the owner tests)" : "",
        dmarc::alignment_name(found.record->dkim_alignment),
        dmarc::alignment_name(found.record->spf_alignment)));
  }
  if (trace) {
    for (const dmarc::WalkStep& step : found.steps) {
      out.details.push_back(fmt::format("looked up {}: {}", step.name, step.outcome));
    }
  }
  return out;
}

bool any_dkim(const authres::ReceiverChecks& checks, dkim::DkimResult result) {
  for (const dkim::DkimOutcome& outcome : checks.dkim) {
    if (outcome.result == result) {
      return true;
    }
  }
  return false;
}

// "SPF for a.example and DKIM for b.example": what passed, each domain once.
std::string passing_identities(const authres::ReceiverChecks& checks) {
  std::vector<std::string> passing;
  if (checks.spf && checks.spf->result == spf::SpfResult::pass) {
    passing.push_back("SPF for " + checks.spf->domain);
  }
  for (const dkim::DkimOutcome& outcome : checks.dkim) {
    if (outcome.result == dkim::DkimResult::pass && outcome.signature) {
      std::string item = "DKIM for " + outcome.signature->domain;
      if (std::find(passing.begin(), passing.end(), item) == passing.end()) {
        passing.push_back(std::move(item));
      }
    }
  }
  return fmt::format("{}", fmt::join(passing, " and "));
}

}  // namespace

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::authenticated:
      return "authenticated";
    case Verdict::not_authenticated:
      return "not authenticated";
    case Verdict::temporary:
      return "temporary failure";
  }
  return "not authenticated";
}

Summary summarize(const authres::ReceiverChecks& checks) {
  const dmarc::Evaluation& evaluation = checks.dmarc;
  Summary out;
  switch (evaluation.result) {
    case dmarc::DmarcResult::pass:
      out.verdict = Verdict::authenticated;
      out.text = fmt::format(
          "DMARC passes for {}: receivers that check DMARC (Gmail, Yahoo, Microsoft) accept the "
          "message as really sent by {}.",
          checks.from_domain, checks.from_domain);
      break;
    case dmarc::DmarcResult::fail: {
      out.verdict = Verdict::not_authenticated;
      const std::string passing = passing_identities(checks);
      out.text = fmt::format("DMARC fails for {}: {}. {}", checks.from_domain,
                             passing.empty()
                                 ? "neither SPF nor any DKIM signature passed"
                                 : passing + " passed, but not for the From domain (not aligned)",
                             policy_consequence(evaluation.disposition));
      break;
    }
    case dmarc::DmarcResult::temperror:
      out.verdict = Verdict::temporary;
      out.text = "A DNS lookup failed temporarily, so DMARC could not be decided; check again.";
      break;
    case dmarc::DmarcResult::permerror:
      out.verdict = Verdict::not_authenticated;
      out.text = "DMARC cannot be applied: " + evaluation.reason + ".";
      break;
    case dmarc::DmarcResult::none: {
      const std::string passing = passing_identities(checks);
      const bool spf_temperror = checks.spf && checks.spf->result == spf::SpfResult::temperror;
      if (!passing.empty()) {
        out.verdict = Verdict::authenticated;
        out.text = fmt::format(
            "{} publishes no DMARC policy, and {} passed: that is what Gmail and Yahoo "
            "require of such mail.",
            checks.from_domain, passing);
      } else if (spf_temperror || any_dkim(checks, dkim::DkimResult::temperror)) {
        out.verdict = Verdict::temporary;
        out.text = "Nothing passed yet, but a DNS lookup failed temporarily; check again.";
      } else {
        out.verdict = Verdict::not_authenticated;
        out.text = fmt::format(
            "Nothing authenticates this message: {} publishes no DMARC policy and neither SPF "
            "nor any DKIM signature passes. Gmail rejects such mail (550 5.7.26).",
            checks.from_domain.empty() ? std::string("the From domain") : checks.from_domain);
      }
      break;
    }
  }
  if (!checks.spf && out.verdict != Verdict::authenticated) {
    out.text += " SPF was not checked (see below).";
  }
  return out;
}

std::vector<Explained> explain(const authres::ReceiverChecks& checks, bool trace) {
  std::vector<Explained> out;
  out.push_back(explain_spf(checks, trace));
  for (Explained& item : explain_dkim(checks)) {
    out.push_back(std::move(item));
  }
  out.push_back(explain_arc(checks));
  out.push_back(explain_dmarc(checks, trace));
  return out;
}

}  // namespace cqlist::cli
