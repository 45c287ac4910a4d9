// list/pipeline.hpp: the post pipeline: small named stages, in one order, each with a reason.
//
// Owns: the Verdict every stage returns, the PostContext the stages share, and the stage
// table (pipeline.cpp) that fixes their order:
//   checks     loop, size, sender authenticity, posting policy  (checks.cpp, authenticity.cpp)
//   transform  subject tag, List-* headers, strip, footer, Reply-To  (decorate.cpp)
//   mitigate   DMARC From rewrite or wrap                          (dmarc_mitigation.cpp)
//   seal       ARC set with the inbound results                    (seal.cpp)
// DKIM signing happens per delivery copy (delivery.cpp), so per-recipient headers are signed.
// Stages are functions of (message, context): no stage talks to the network except through
// dns::Resolver, and none writes files; post_processor.cpp does the I/O around them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/arc/seal.hpp"
#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "list/settings.hpp"
#include "mail/message.hpp"
#include "store/store.hpp"

namespace cqlist::dns {
class Resolver;
}

namespace cqlist::list {

enum class Decision { accept, hold, reject, discard };

// "accept", "hold", "reject", "discard".
std::string_view decision_name(Decision decision);

struct Verdict {
  Decision decision = Decision::accept;
  std::string stage;   // which stage decided ("posting_policy")
  std::string reason;  // for the log, the moderator, and (reject) the SMTP reply text
  // reject only: the enhanced status code for the LMTP reply ("5.7.1", "5.3.4", ...).
  std::string status = "5.7.1";

  static Verdict accept() { return {}; }

  bool accepted() const { return decision == Decision::accept; }
};

// What cqlist concluded about who sent the post (filled by the authenticity stage).
struct Authenticity {
  std::string spf;           // RFC 8601 result words; empty when not evaluated
  std::string dkim;          // best result over the signatures ("pass" if any aligned one passes)
  std::string dmarc;         // "pass", "fail", "none", ...
  std::string dmarc_policy;  // the From domain's published p= ("none", "quarantine", ...)
  std::string from_domain;   // RFC5322.From domain
  bool from_domain_enforces = false;  // p=quarantine|reject (after t=y)
  // This hop's results as an RFC 8601 result list (no authserv-id): the ARC-Authentication-
  // Results payload. No Authentication-Results field is added: after a From rewrite it would
  // describe an author the reader no longer sees (pipeline.cpp).
  std::string results;
  std::string reason;  // one line for the log
};

// Everything the stages know about one post to one list.
struct PostContext {
  store::ListRow list;
  ListSettings settings;

  // Envelope, from LMTP (or `cqlist inject`).
  std::string envelope_from;
  std::string recipient;
  std::optional<IpAddress> client_ip;  // from XFORWARD ADDR, when Postfix sends it
  std::string helo;                    // from XFORWARD HELO
  std::size_t size = 0;                // message bytes as received

  // The author: From's address (normalised) and display name (decoded UTF-8).
  std::string author;
  std::string author_display_name;
  std::optional<store::MemberRow> poster;  // the author when a member of this list

  Authenticity authenticity;
  // The ARC chain the post arrived with, validated before any transform changed it (the list's
  // own edits break the newest ARC-Message-Signature). Set by run_transforms for seal_arc.
  std::optional<auth::arc::ArcOutcome> incoming_arc;
  std::int64_t article = 0;  // given before the transform stages run

  // What each stage did that the log should show ("from_rewritten: p=reject at yahoo.com").
  std::vector<std::string> notes;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// Services the stages use. All references outlive the pipeline run.
struct PipelineServices {
  store::Store& store;
  dns::Resolver& resolver;
  const auth::arc::Sealer* sealer = nullptr;  // null: no ARC set
  std::string authserv_id;                    // this host's name in results it adds
};

// --- Check stages: read the message, decide. (checks.cpp, authenticity.cpp)
// Routes nothing: the caller already knows the post is for the list address.
Verdict check_loop(const mail::Message& message, PostContext& context, PipelineServices& services);
Verdict check_size(const mail::Message& message, PostContext& context, PipelineServices& services);
// Evaluates SPF (when client_ip is known), DKIM and DMARC of the post, or believes the
// trusted Authentication-Results; fills context.authenticity. Holds a post whose From is a
// member but fails DMARC for an enforcing domain (spoofed member mail is never distributed).
Verdict check_authenticity(const mail::Message& message, PostContext& context,
                           PipelineServices& services);
// Member-only / moderated / open, with the non-member action.
Verdict check_posting_policy(const mail::Message& message, PostContext& context,
                             PipelineServices& services);

// --- Transform stages: change the message; fail only for internal errors. (decorate.cpp,
// dmarc_mitigation.cpp, seal.cpp)
// Subject tag with the article number, old tags and reply prefixes collapsed.
Result<void> decorate_subject(mail::Message& message, PostContext& context);
// Removes fields that must not pass (Return-Receipt-To, Disposition-Notification-To, old
// List-* and DKIM-Signature fields of this list, X-Confirm-Reading-To, Approved ...), then adds
// List-Id, List-Help/Subscribe/Unsubscribe/Post/Owner/Archive, List-Unsubscribe-Post (when a
// web URL is set and copies are personalised: RFC 8058 needs a per-recipient link), Precedence:
// list, X-ML-Name/X-Mail-Count (fml_headers), and Reply-To per settings.
Result<void> decorate_headers(mail::Message& message, PostContext& context);
Result<void> decorate_footer(mail::Message& message, PostContext& context);
// From rewrite ("Name via LIST" <list@domain>, author in Reply-To or Cc, X-Original-From) or
// message/rfc822 wrap, per settings.from_rewrite and context.authenticity.
Result<void> mitigate_dmarc(mail::Message& message, PostContext& context);
// An ARC set over the final post (no-op without a sealer or with settings.arc off).
Result<void> seal_arc(mail::Message& message, PostContext& context, PipelineServices& services);

// --- The whole run. (pipeline.cpp)
// The check stages in order; the first non-accept verdict stops them and is returned, with a
// log line naming the stage and the reason.
Verdict run_checks(const mail::Message& message, PostContext& context, PipelineServices& services);
// The transform stages but the ARC seal, in order: the post as it is distributed, before
// sealing. `cqlist doctor`'s signing self-test decorates its sample post with this too.
Result<void> decorate_post(mail::Message& message, PostContext& context);
// The transform stages in order (context.article must be set), returning the post as it will
// be archived and delivered.
Result<mail::Message> run_transforms(mail::Message message, PostContext& context,
                                     PipelineServices& services);

}  // namespace cqlist::list
