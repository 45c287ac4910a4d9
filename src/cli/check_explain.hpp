// cli/check_explain.hpp: what the results of `cqlist check` mean, in words for a list
// operator who is not a mail-authentication expert.
//
// Owns: the verdict (and with it the exit code of `cqlist check`) and, per check, a title,
// why it came out that way and what that means for delivery, with what to do about failures.
// The checks themselves run in auth::authres::check_message().
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "auth/authres/authres.hpp"
#include "auth/authres/receiver.hpp"

namespace cqlist::cli {

enum class Verdict {
  authenticated,      // DMARC passes, or no DMARC policy and SPF or DKIM passes
  not_authenticated,  // DMARC fails (or cannot apply), or nothing passes
  temporary,          // a DNS failure kept a result from being reached
};

struct Summary {
  Verdict verdict = Verdict::not_authenticated;
  std::string text;  // one paragraph
};

std::string_view verdict_name(Verdict verdict);

Summary summarize(const auth::authres::ReceiverChecks& checks);

struct Explained {
  std::string method;   // "spf", "dkim", "arc", "dmarc"
  std::string result;   // the RFC 8601 word, or "not checked"
  std::string title;    // "DKIM signature 1 (d=example.org, s=sel, rsa-sha256)"
  std::string why;      // the checker's reason; empty when there is nothing to add
  std::string meaning;  // what it means for delivery and, for failures, what to do
  // Further lines: ARC sets, the DMARC policy record, the SPF trace with --trace.
  std::vector<std::string> details;
  auth::authres::MethodResult entry;  // the Authentication-Results entry (empty if not checked)
};

// One entry per check, in the order of the Authentication-Results field. `trace` adds the
// SPF evaluation steps and the DMARC DNS walk to `details`.
std::vector<Explained> explain(const auth::authres::ReceiverChecks& checks, bool trace);

}  // namespace cqlist::cli
