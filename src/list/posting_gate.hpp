// list/posting_gate.hpp: refusing a non-member's post while the poster's server is still in
// the SMTP session (the decision behind the daemon's Postfix policy service).
//
// Why: the LMTP checks (list/checks) answer after Postfix has already queued the message, so
// a 5xx there makes Postfix send a bounce to the envelope sender, and spam to a list forges
// that sender: the bounce is backscatter to an innocent third party. Asked at RCPT, the same
// refusal is a 550 to the poster's own server, which tells its own user; nothing is queued,
// nothing bounces.
//
// The rule: for a list's posting address whose settings are posting=members and
// non_member=reject, an envelope sender that is not a member, or is a member without
// may_post, is refused "550 5.7.1" with a reason that says how to subscribe. Everything else
// is "DUNNO" (no opinion; Postfix goes on with its other restrictions):
//   - another protocol state than RCPT (only there is the recipient known and the refusal
//     per recipient);
//   - the null sender (bounces and auto-replies are never refused here: the list's own
//     checks discard what must not pass);
//   - an address that is not a list's posting address (unknown addresses are refused by
//     relay_recipient_maps already; -request, -owner, -bounces must reach cqlist);
//   - lists that hold, discard or are open or moderated (those decide on the message);
//   - anything that cannot be decided now (an unreadable store or invalid settings): the
//     LMTP checks stay behind this gate, so failing open loses nothing.
//
// The LMTP-time check stays as the second line, because the gate sees only the envelope: a
// post whose envelope sender is a member but whose From is not passes here and is refused
// after the data. That 5xx goes back to the envelope sender, i.e. to a member, who is a real
// person and not a forged third party, so it is not backscatter. A member who posts with an
// envelope sender other than the subscribed address (a forwarding service, an alias) is
// refused at RCPT; the reason names the subscribed-address rule so the member can tell.
#pragma once

#include <string>
#include <string_view>

#include "list/service.hpp"
#include "store/store.hpp"

namespace cqlist::list {

// What the MTA knows at this point of the SMTP session (Postfix's policy attributes).
struct GateRequest {
  std::string_view protocol_state;  // "RCPT", "DATA", "END-OF-MESSAGE", ...
  std::string_view recipient;
  std::string_view sender;  // the envelope sender, "" for bounces
  std::string_view client_address;
  std::string_view helo;
};

struct GateDecision {
  bool refuse = false;
  std::string action;  // "DUNNO", or "550 5.7.1 <reason for the poster>"
};

class PostingGate {
 public:
  // `lists` routes recipients; `store` answers membership. Both must outlive the gate.
  PostingGate(ListService& lists, store::Store& store) : lists_(lists), store_(store) {}

  // Thread-safe as its parts are; called on the daemon's worker threads.
  GateDecision decide(const GateRequest& request);

 private:
  ListService& lists_;
  store::Store& store_;
};

}  // namespace cqlist::list
