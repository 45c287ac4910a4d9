// auth/authres/receiver.hpp: every authentication check a receiving MTA makes on a message.
//
// Owns: running SPF (for the SMTP client address and MAIL FROM, when they are known), every
// DKIM signature, the ARC chain and DMARC (From domain, alignment of the SPF domain and each
// DKIM d=) through one dns::Resolver, and the Authentication-Results entries they produce.
// `cqlist check` shows these, and `cqlist arc seal` records them: one code path, so an
// operator's check of a message predicts what cqlist itself concludes.
// What the results should lead to (reject, quarantine, rewrite From) is not decided here.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "auth/arc/validate.hpp"
#include "auth/authres/authres.hpp"
#include "auth/dkim/verify.hpp"
#include "auth/dmarc/discovery.hpp"
#include "auth/dmarc/evaluate.hpp"
#include "auth/spf/check_host.hpp"
#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "dns/resolver.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::authres {

// What the SMTP session told the receiver. Without a client address SPF is not checked.
struct Envelope {
  std::optional<IpAddress> client_ip;
  std::string helo;
  // The MAIL FROM address ("" is the null sender <>). Absent: taken from the message's
  // Return-Path field, which the final delivery agent writes from MAIL FROM.
  std::optional<std::string> mail_from;
};

struct ReceiverOptions {
  std::string receiver = "localhost";  // this host's name: SPF's %{r}
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  dmarc::DiscoveryOptions dmarc;
};

enum class SpfSkipped {
  no,                   // SPF was checked
  no_client_ip,         // the SMTP client's address is not known
  no_mail_from,         // neither a MAIL FROM nor a Return-Path field
  null_sender_no_helo,  // MAIL FROM:<> checks the HELO name, which is not known
};

struct ReceiverChecks {
  std::optional<IpAddress> client_ip;

  // SPF of the MAIL FROM identity (the HELO identity for the null sender, RFC 7208 §2.4).
  std::optional<spf::SpfOutcome> spf;
  SpfSkipped spf_skipped = SpfSkipped::no;
  std::optional<std::string> mail_from;  // the MAIL FROM used ("" for <>)
  bool mail_from_from_return_path = false;

  std::vector<dkim::DkimOutcome> dkim;  // one per DKIM-Signature field, message order

  arc::ArcOutcome arc;

  // DMARC. from_domain is empty when the message has no single usable From domain; the
  // evaluation then says permerror with the reason.
  std::string from_domain;
  dmarc::Evaluation dmarc;
};

// The RFC5322.From domain DMARC applies to (RFC 9989 §4.4), lowercase A-labels.
// Errc::bad_syntax with a sentence for an operator when there is no From field, several From
// fields, no address, or addresses in several domains.
Result<std::string> author_domain(const mail::Message& message);

ReceiverChecks check_message(const mail::Message& message, dns::Resolver& resolver,
                             const Envelope& envelope, const ReceiverOptions& options = {});

// The entries a receiver records: spf (when checked), dkim (each signature, or one "none"),
// arc, dmarc, in that order.
std::vector<MethodResult> result_entries(const ReceiverChecks& checks);

AuthenticationResults authentication_results(const ReceiverChecks& checks, std::string authserv_id);

}  // namespace cqlist::auth::authres
