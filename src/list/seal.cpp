// list/seal.cpp: the ARC set cqlist adds to each post (RFC 8617).
//
// The set carries this hop's results (context.authenticity.results) in its
// ARC-Authentication-Results, so a member's provider that trusts the list's ARC signature can
// still see that the author's DKIM or SPF passed before the list changed the message. It is
// made last, over the post as it will be archived and delivered; the per-recipient DKIM
// signature comes later (delivery) and covers the ARC fields too.
#include "auth/arc/seal.hpp"

#include <fmt/format.h>

#include "list/pipeline.hpp"

namespace cqlist::list {

Result<void> seal_arc(mail::Message& message, PostContext& context, PipelineServices& services) {
  if (!context.settings.arc) {
    context.notes.emplace_back("arc_skipped: arc=off for this list");
    return {};
  }
  if (services.sealer == nullptr) {
    context.notes.emplace_back("arc_skipped: no ARC signing key is configured");
    return {};
  }
  if (!context.incoming_arc) {
    return fail(Errc::internal, "the incoming ARC chain was not validated before the transforms");
  }
  CQLIST_TRY(auto outcome, services.sealer->seal(message, context.authenticity.results,
                                                 *context.incoming_arc, context.now));
  if (!outcome.set) {
    context.notes.push_back("arc_skipped: " + outcome.skipped_reason);
    return {};
  }
  outcome.set->add_to(message);
  context.notes.push_back(fmt::format("arc_sealed: i={} cv={}", outcome.set->instance,
                                      auth::arc::chain_status_name(outcome.set->chain_status)));
  return {};
}

}  // namespace cqlist::list
