// list/commands.hpp: mail to a list's other addresses: commands, confirmations, the owners.
//
// Owns: NAME-request commands (subject or body, one per line, '#' prefix optional as in fml):
// help, subscribe, unsubscribe/bye, confirm, get N / get N-M, index, members, digest on|off,
// nomail on|off, approve/reject TOKEN (moderators replying to a hold notice); NAME-confirm+TOKEN
// and NAME-unsubscribe; NAME-owner (forwarded to the owners); hold notices to moderators and
// decisions on held posts. Replies go out with MAIL FROM:<> and Auto-Submitted: auto-replied
// in the list's language (English or Japanese), and nothing is ever sent in answer to a bounce
// or an auto-reply (RFC 3834 §2). Also the confirmation links of the web.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "list/archive.hpp"
#include "list/notices_text.hpp"
#include "list/request_quota.hpp"
#include "list/settings.hpp"
#include "list/spool.hpp"
#include "list/token.hpp"
#include "mail/message.hpp"
#include "mail/smtp_reply.hpp"
#include "store/store.hpp"

namespace cqlist::list {

struct RoutedAddress;

struct CommandDeps {
  store::Store& store;
  Spool& outbox;
  Spool& spool;  // held posts live here
  const TokenSigner& tokens;
  // Articles for `get`; null where the archive is not at hand (get then says so).
  Archive* archive = nullptr;
  // Distributes a held post once approved (ListService::process_spooled).
  std::function<Result<void>(const std::string& spool_id)> distribute = nullptr;
  // Counts the articles `get` sends per address and day; null: only the per-message limits.
  RequestQuota* get_quota = nullptr;
};

// Handles mail to NAME-request, NAME-confirm+TOKEN, NAME-unsubscribe and NAME-owner. The reply
// is the LMTP answer (250 once done or queued; 4xx only when the store is unavailable).
mail::SmtpReply handle_list_mail(CommandDeps& deps, const RoutedAddress& routed,
                                 std::string_view envelope_from, const mail::Message& message);

// A confirmation request as its web link shows it: what the code would do, to whom.
struct LinkConfirmation {
  std::string list;     // list address
  std::string action;   // "subscribe", "unsubscribe", or a delivery change ("nomail on"...)
  std::string address;  // the member concerned
  // After `apply`, false when there was nothing to do it to: a delivery change for an address
  // that is no longer a member.
  bool carried_out = true;
};

// The web link of a confirmation request (WEB_URL/confirm?token=CODE): `apply` false only
// looks the code up (the page a GET shows, which link scanners also fetch); true carries it
// out as a reply to the request would, welcome or goodbye mail included. Errc::not_found for
// a code that is unknown, used or expired.
Result<LinkConfirmation> confirm_by_link(CommandDeps& deps, std::string_view token, bool apply);

// What a delivery change of a confirmation does, as its request says it ("pause delivery
// (nomail on)"); std::nullopt when `action` is no delivery change (joining, leaving).
std::optional<Text> delivery_change_wording(std::string_view action);

// Who decides on held posts: the list's moderators, or its owners when it has none.
Result<std::vector<std::string>> moderators_of(store::Store& store, const store::ListRow& list);

// Tells the list's moderators (owners when there are none) that a post is held: who sent it,
// the subject, the reason, and how to approve or reject it by replying.
Result<void> notify_moderators(CommandDeps& deps, const store::ListRow& list,
                               const ListSettings& settings, const store::HeldRow& held);

// Approve (distribute), reject (tell the poster why) or discard a held post; used by
// `cqlist held`, replies to hold notices, the web and held_upkeep. Errc::invalid_argument when
// it was decided already, and then nothing is done. The decision is recorded before it is
// acted on, so it stands even when acting fails: an approved post is then finished by
// ListService::recover.
Result<void> decide_held(CommandDeps& deps, const store::HeldRow& held, store::HeldState decision,
                         std::string_view reason = "");

}  // namespace cqlist::list
