// list/posting_gate.cpp: the RCPT-time membership check of posts (see posting_gate.hpp).
#include "list/posting_gate.hpp"

#include <optional>
#include <utility>

#include <fmt/format.h>

#include "base/log.hpp"
#include "list/list_addresses.hpp"
#include "list/settings.hpp"
#include "mail/address.hpp"

namespace cqlist::list {
namespace {

GateDecision no_opinion() {
  return GateDecision{false, "DUNNO"};
}

GateDecision refusal(std::string reason) {
  return GateDecision{true, "550 5.7.1 " + std::move(reason)};
}

// The comparison form members are stored in; nullopt for what cannot be a member.
std::optional<std::string> normalized_sender(std::string_view sender) {
  auto split = mail::split_addr_spec(sender);
  if (!split || split->is_null()) {
    return std::nullopt;
  }
  auto normalized = mail::normalized_address(*split);
  if (!normalized) {
    return std::nullopt;
  }
  return std::move(*normalized);
}

}  // namespace

GateDecision PostingGate::decide(const GateRequest& request) {
  if (request.protocol_state != "RCPT" || request.sender.empty()) {
    return no_opinion();
  }
  auto routed = lists_.route(request.recipient);
  if (!routed) {
    if (routed.error().code() != Errc::not_found) {
      log::warn("policy.undecided",
                {{"recipient", request.recipient}, {"error", routed.error().describe()}});
    }
    return no_opinion();
  }
  if (routed->route != Route::post) {
    return no_opinion();
  }
  const store::ListRow& list = routed->list;
  auto settings = parse_settings(list.settings);
  if (!settings) {
    log::warn("policy.undecided",
              {{"list", list.address()}, {"error", settings.error().describe()}});
    return no_opinion();
  }
  if (settings->posting != PostingPolicy::members ||
      settings->non_member != NonMemberAction::reject) {
    return no_opinion();
  }
  std::optional<std::string> sender = normalized_sender(request.sender);
  if (!sender) {
    return no_opinion();  // unreadable: the post's own From decides after the data
  }
  auto member = store_.find_member(list.id, *sender);
  if (!member && member.error().code() != Errc::not_found) {
    log::warn("policy.undecided", {{"list", list.address()}, {"error", member.error().describe()}});
    return no_opinion();
  }
  if (member && member->may_post) {
    return no_opinion();
  }
  const ListAddresses addresses = list_addresses(list);
  GateDecision decision =
      member ? refusal(fmt::format("your membership of {} does not include posting; ask the "
                                   "list owners at {}",
                                   addresses.posting, addresses.owner))
             : refusal(fmt::format("only members of {} may post, and {} is not one; post from "
                                   "the address you subscribed with, or send \"subscribe\" to {} "
                                   "to join",
                                   addresses.posting, *sender, addresses.request));
  log::info("policy.refused", {{"list", addresses.posting},
                               {"sender", *sender},
                               {"client", request.client_address},
                               {"helo", request.helo},
                               {"reason", member ? "may_post is off" : "not a member"}});
  return decision;
}

}  // namespace cqlist::list
