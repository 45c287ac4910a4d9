// list/commands_membership.cpp: subscribe, unsubscribe, confirm, digest and nomail.
//
// Joining and leaving are double opt-in: the address concerned gets a confirmation request
// (a random token the store remembers for 3 days) and nothing changes until someone who
// reads that mailbox answers it, by replying (Reply-To NAME-confirm+TOKEN), by sending
// "confirm TOKEN" to NAME-request, or by opening the web link (confirm_by_link, served by
// the daemon's HTTP listener). So a forged From or a "subscribe victim@example.org" can
// cause at most one confirmation request, never a change. No new request is sent while one
// for the same address and action waits (however the address is spelt), and one mail asks
// about at most one address besides its sender's own, so that neither repeated mails nor a
// mail of "subscribe victimN@..." lines turn the list into a way to fill other mailboxes.
// When the address is somebody else's, the requester is not told whether it is a member.
//
// A delivery change (digest, nomail) is made at once only when the list's own MTA vouches
// that From is genuine: a DMARC pass for the requester's domain in an Authentication-Results
// field of trusted_authserv_id. Otherwise it waits for a confirmation from the member's
// mailbox like leaving does, so that a forged From cannot pause somebody's mail or turn it
// into digests.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "auth/authres/authres.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "list/notices_reply.hpp"
#include "list/token.hpp"
#include "mail/address.hpp"

namespace cqlist::list {
namespace {

constexpr auto kConfirmationLifetime = std::chrono::hours(72);

// A delivery change as a confirmation keeps it: the command as written ("nomail on").
struct ModeChange {
  bool digest = false;  // digest on|off; nomail on|off otherwise
  bool on = false;

  std::string action() const {
    return std::string(digest ? "digest" : "nomail") + (on ? " on" : " off");
  }
};

std::optional<ModeChange> mode_change_of(std::string_view action) {
  for (const bool digest : {false, true}) {
    for (const bool on : {false, true}) {
      const ModeChange change{digest, on};
      if (change.action() == action) {
        return change;
      }
    }
  }
  return std::nullopt;
}

// "off" only ends the mode it names: "digest off" leaves a paused delivery paused.
store::DeliveryMode mode_after(const ModeChange& change, store::DeliveryMode current) {
  const store::DeliveryMode named =
      change.digest ? store::DeliveryMode::digest : store::DeliveryMode::nomail;
  if (change.on) {
    return named;
  }
  return current == named ? store::DeliveryMode::regular : current;
}

// True when the list's MTA reports that From passed DMARC for the requester's domain. The
// envelope sender, SPF or DKIM alone do not tie a mail to its From, and results from any
// other authserv-id are the sender's own words (RFC 8601 §5).
bool requester_is_authenticated(const CommandSession& session) {
  const std::string& authserv_id = session.settings.trusted_authserv_id;
  if (authserv_id.empty()) {
    return false;
  }
  // The requester falls back to the envelope sender when From has no usable address; a
  // DMARC pass says nothing about that address.
  const auto from = mail::parse_address_list(session.message.first_value("From").value_or(""),
                                             legacy_header_charset(session.settings))
                        .mailboxes();
  if (from.size() != 1) {
    return false;
  }
  const auto address = mail::normalized_address(from.front());
  if (!address || !iequals(*address, session.requester)) {
    return false;
  }
  const std::string_view domain = std::string_view(*address).substr(address->rfind('@') + 1);
  for (const auto& result : auth::authres::trusted_results(session.message, authserv_id)) {
    if (result.method == "dmarc") {
      // The topmost result only, as the authenticity check of posts believes it.
      const auto checked = mail::domain_to_ascii(result.property("header", "from"));
      return result.result == "pass" && checked && iequals(*checked, domain);
    }
  }
  return false;
}

Text change_wording(const ModeChange& change) {
  if (change.digest) {
    return change.on ? Text::mode_change_digest_on : Text::mode_change_digest_off;
  }
  return change.on ? Text::mode_change_nomail_on : Text::mode_change_nomail_off;
}

struct Target {
  std::string address;  // normalised
  std::string display_name;
  bool is_requester = true;
};

// The address a subscribe or unsubscribe is for: its argument, or the requester.
std::optional<Target> target_of(CommandSession& session, const Command& command) {
  if (command.args.empty()) {
    return Target{session.requester, session.requester_name, true};
  }
  std::string written;
  for (const auto& arg : command.args) {
    written += (written.empty() ? "" : " ") + arg;
  }
  const auto mailboxes = mail::parse_address_list(written).mailboxes();
  auto address = mailboxes.size() == 1 ? mail::normalized_address(mailboxes.front())
                                       : Result<std::string>(fail(Errc::bad_syntax, written));
  if (!address) {
    session.add(session.say(Text::bad_address, fmt::arg("address", written)));
    return std::nullopt;
  }
  const bool is_requester = iequals(*address, session.requester);
  return Target{*address, is_requester ? session.requester_name : mailboxes.front().display_name,
                is_requester};
}

// False, with the reason in the reply, for a second address other than the requester's in
// one mail. Counted before membership is looked at, so that the refusal does not tell
// whether the first address got a request (whether it is a member).
bool may_ask_about(CommandSession& session, const Target& target) {
  if (target.is_requester || session.others_asked_about++ == 0) {
    return true;
  }
  log::info("commands.third_party_limit", {{"list", session.list.address()},
                                           {"address", target.address},
                                           {"requester", session.requester}});
  session.add(session.say(Text::third_party_limit, fmt::arg("address", target.address)));
  return false;
}

std::string utc_minute(std::chrono::system_clock::time_point when) {
  return fmt::format("{:%Y-%m-%d %H:%M} UTC",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(when)));
}

std::string confirm_link(const CommandSession& session, std::string_view token) {
  if (session.settings.web_url.empty()) {
    return {};
  }
  std::string url = session.settings.web_url;
  if (url.back() != '/') {
    url += '/';
  }
  url += "confirm?token=" + std::string(token);
  return session.say(Text::confirm_link, fmt::arg("url", url));
}

Result<void> ask_for_confirmation(CommandSession& session, const Target& target,
                                  std::string_view action) {
  CQLIST_TRY(std::string token, random_token());
  store::PendingAction pending;
  pending.token = token;
  pending.list_id = session.list.id;
  pending.action = std::string(action);
  pending.address = target.address;
  pending.display_name = target.display_name;
  pending.expires_at = session.now + kConfirmationLifetime;
  // Looking for a waiting request and recording this one are one step in the store, so two
  // mails handled at the same instant cannot both send a request.
  CQLIST_TRY(auto waiting, session.deps.store.add_pending_unless_waiting(pending, session.now));
  if (waiting) {
    log::info("commands.confirmation_waiting", {{"list", session.list.address()},
                                                {"action", action},
                                                {"address", target.address},
                                                {"requester", session.requester}});
    if (target.is_requester) {
      session.add(session.say(Text::confirm_waiting, fmt::arg("address", target.address),
                              fmt::arg("expires", utc_minute(waiting->expires_at))));
    } else {
      // Said as when a request goes out or the address is a member: anything else would tell
      // the requester whether it is a member.
      session.add(session.say(Text::third_party_notice, fmt::arg("address", target.address)));
    }
    return {};
  }

  Notice notice = session.notice_to(target.address,
                                    session.say(Text::confirm_subject, fmt::arg("token", token)));
  if (!target.is_requester) {
    // Not an answer to anything the target wrote.
    notice.in_reply_to.clear();
    notice.references.clear();
  }
  notice.reply_to = fmt::format("{}-confirm+{}@{}", session.list.name, token, session.list.domain);
  const auto mode_change = mode_change_of(action);
  if (mode_change) {
    notice.body = session.say(
        Text::confirm_mode_body, fmt::arg("address", target.address),
        fmt::arg("list", session.addresses.posting), fmt::arg("request", session.addresses.request),
        fmt::arg("token", token), fmt::arg("change", session.say(change_wording(*mode_change))),
        fmt::arg("link", confirm_link(session, token)));
  } else {
    notice.body = session.say(
        action == "subscribe" ? Text::confirm_subscribe_body : Text::confirm_unsubscribe_body,
        fmt::arg("address", target.address), fmt::arg("list", session.addresses.posting),
        fmt::arg("request", session.addresses.request), fmt::arg("token", token),
        fmt::arg("link", confirm_link(session, token)));
  }
  CQLIST_TRY_VOID(session.send(notice));
  log::info("commands.confirmation_sent", {{"list", session.list.address()},
                                           {"action", action},
                                           {"address", target.address},
                                           {"requester", session.requester}});
  if (target.is_requester) {
    session.add(session.say(mode_change ? Text::confirm_mode_sent : Text::confirm_sent,
                            fmt::arg("address", target.address)),
                false);
  } else {
    session.add(session.say(Text::third_party_notice, fmt::arg("address", target.address)));
  }
  return {};
}

Result<void> welcome_or_goodbye(CommandSession& session, const store::PendingAction& pending,
                                bool welcome) {
  Notice notice = session.notice_to(
      pending.address, session.say(welcome ? Text::welcome_subject : Text::goodbye_subject,
                                   fmt::arg("list", session.addresses.posting)));
  const bool is_requester = iequals(pending.address, session.requester);
  if (!is_requester) {
    notice.in_reply_to.clear();
    notice.references.clear();
  }
  notice.body = session.say(
      welcome ? Text::welcome_body : Text::goodbye_body, fmt::arg("address", pending.address),
      fmt::arg("list", session.addresses.posting), fmt::arg("posting", session.addresses.posting),
      fmt::arg("request", session.addresses.request), fmt::arg("owner", session.addresses.owner));
  CQLIST_TRY_VOID(session.send(notice));
  session.add(session.say(welcome ? Text::confirm_done_subscribe : Text::confirm_done_unsubscribe,
                          fmt::arg("address", pending.address),
                          fmt::arg("list", session.addresses.posting)),
              !is_requester);
  return {};
}

Result<void> change_mode(CommandSession& session, store::MemberRow member,
                         const ModeChange& change) {
  const store::DeliveryMode mode = mode_after(change, member.mode);
  if (mode != member.mode) {
    member.mode = mode;
    CQLIST_TRY_VOID(session.deps.store.update_member(member));
    log::info("member.mode_changed", {{"list", session.list.address()},
                                      {"address", member.address},
                                      {"mode", store::delivery_mode_name(member.mode)},
                                      {"requester", session.requester}});
  }
  const Text said = change.digest ? (change.on ? Text::digest_on : Text::digest_off)
                                  : (change.on ? Text::nomail_on : Text::nomail_off);
  session.add(session.say(said, fmt::arg("address", member.address),
                          fmt::arg("list", session.addresses.posting),
                          fmt::arg("request", session.addresses.request)));
  return {};
}

// A confirmed delivery change, for whoever is a member by then; false when the address is not
// one any more.
Result<bool> confirmed_mode_change(CommandSession& session, const store::PendingAction& pending,
                                   const ModeChange& change) {
  CQLIST_TRY(auto member, session.member(pending.address));
  if (!member) {
    session.add(session.say(Text::not_member, fmt::arg("address", pending.address),
                            fmt::arg("list", session.addresses.posting)));
    return false;
  }
  CQLIST_TRY_VOID(change_mode(session, std::move(*member), change));
  return true;
}

// Does what a valid confirmation code was for; the requester is whoever confirmed. False when
// there was nothing to do it to. On a store failure the code is given back, so that a retry
// can still confirm.
Result<bool> carry_out(CommandSession& session, const store::PendingAction& pending) {
  if (auto change = mode_change_of(pending.action)) {
    auto changed = confirmed_mode_change(session, pending, *change);
    if (!changed) {
      CQLIST_TRY_VOID(session.deps.store.add_pending(pending));
    }
    return changed;
  }
  if (pending.action == "subscribe") {
    store::MemberRow row;
    row.list_id = session.list.id;
    row.address = pending.address;
    row.display_name = pending.display_name;
    row.subscribed_at = session.now;
    auto added = session.deps.store.add_member(row);
    if (!added && added.error().code() != Errc::already_exists) {
      CQLIST_TRY_VOID(session.deps.store.add_pending(pending));
      return fail(std::move(added.error()));
    }
    log::info("member.subscribed", {{"list", session.list.address()},
                                    {"address", pending.address},
                                    {"confirmed_by", session.requester}});
    CQLIST_TRY_VOID(welcome_or_goodbye(session, pending, true));
    return true;
  }
  auto removed = session.deps.store.remove_member(session.list.id, pending.address);
  if (!removed && removed.error().code() != Errc::not_found) {
    CQLIST_TRY_VOID(session.deps.store.add_pending(pending));
    return fail(std::move(removed.error()));
  }
  log::info("member.unsubscribed", {{"list", session.list.address()},
                                    {"address", pending.address},
                                    {"confirmed_by", session.requester}});
  CQLIST_TRY_VOID(welcome_or_goodbye(session, pending, false));
  return true;
}

}  // namespace

Result<void> run_subscribe(CommandSession& session, const Command& command) {
  auto target = target_of(session, command);
  if (!target || !may_ask_about(session, *target)) {
    return {};
  }
  CQLIST_TRY(auto member, session.member(target->address));
  if (member) {
    if (target->is_requester) {
      session.add(session.say(Text::already_member, fmt::arg("address", target->address),
                              fmt::arg("list", session.addresses.posting)));
    } else {
      session.add(session.say(Text::third_party_notice, fmt::arg("address", target->address)));
    }
    return {};
  }
  return ask_for_confirmation(session, *target, "subscribe");
}

Result<void> run_unsubscribe(CommandSession& session, const Command& command) {
  auto target = target_of(session, command);
  if (!target || !may_ask_about(session, *target)) {
    return {};
  }
  CQLIST_TRY(auto member, session.member(target->address));
  if (!member) {
    if (target->is_requester) {
      session.add(session.say(Text::not_member, fmt::arg("address", target->address),
                              fmt::arg("list", session.addresses.posting)));
    } else {
      session.add(session.say(Text::third_party_notice, fmt::arg("address", target->address)));
    }
    return {};
  }
  return ask_for_confirmation(session, *target, "unsubscribe");
}

Result<void> run_confirm(CommandSession& session, std::string_view written_token) {
  const std::string token = to_ascii_lower(trim(written_token));
  auto unknown = [&] {
    session.add(session.say(Text::confirm_unknown, fmt::arg("token", token),
                            fmt::arg("request", session.addresses.request)));
  };
  auto pending = session.deps.store.take_pending(token, session.now);
  if (!pending) {
    if (pending.error().code() != Errc::not_found) {
      return fail(std::move(pending.error()));
    }
    log::info("commands.confirm_unknown", {{"list", session.list.address()}, {"token", token}});
    unknown();
    return {};
  }
  if (pending->list_id != session.list.id) {
    // Another list's token sent here by mistake: give it back so it still works there.
    CQLIST_TRY_VOID(session.deps.store.add_pending(*pending));
    unknown();
    return {};
  }
  if (pending->action != "subscribe" && pending->action != "unsubscribe" &&
      !mode_change_of(pending->action)) {
    log::warn("commands.confirm_unknown_action",
              {{"list", session.list.address()}, {"action", pending->action}});
    unknown();
    return {};
  }
  // When there was nothing to do it to, the reply says so like any other result.
  auto carried_out = carry_out(session, *pending);
  if (!carried_out) {
    return fail(std::move(carried_out.error()));
  }
  return {};
}

Result<LinkConfirmation> confirm_by_link(CommandDeps& deps, std::string_view written_token,
                                         bool apply) {
  const std::string token = to_ascii_lower(trim(written_token));
  const auto now = std::chrono::system_clock::now();
  CQLIST_TRY(store::PendingAction pending, deps.store.take_pending(token, now));
  auto list = deps.store.list_by_id(pending.list_id);
  const bool known_action = pending.action == "subscribe" || pending.action == "unsubscribe" ||
                            mode_change_of(pending.action).has_value();
  if (!list || !apply || !known_action) {
    // Looking is not confirming: the code stays valid for the POST (or the reply) that does.
    CQLIST_TRY_VOID(deps.store.add_pending(pending));
    if (!list) {
      return fail(std::move(list.error()));
    }
    if (!known_action) {
      return fail(Errc::not_found,
                  "this confirmation code is not for joining, leaving or a delivery change");
    }
  }
  LinkConfirmation out{list->address(), pending.action, pending.address};
  if (!apply) {
    return out;
  }
  auto settings = parse_settings(list->settings);
  const mail::Message no_message = mail::Message::parse("");
  CommandSession session(deps, *list, settings ? std::move(*settings) : ListSettings{}, no_message);
  session.now = now;
  session.requester = pending.address;  // whoever reads that mailbox opened the link
  CQLIST_TRY(out.carried_out, carry_out(session, pending));
  return out;
}

std::optional<Text> delivery_change_wording(std::string_view action) {
  const auto change = mode_change_of(action);
  return change ? std::optional<Text>(change_wording(*change)) : std::nullopt;
}

Result<void> run_delivery_mode(CommandSession& session, const Command& command) {
  const std::string value = command.args.size() == 1 ? to_ascii_lower(command.args[0]) : "";
  if (value != "on" && value != "off") {
    session.add(session.say(Text::usage, fmt::arg("usage", command.name + " on|off")));
    return {};
  }
  CQLIST_TRY(auto member, session.member(session.requester));
  if (!member) {
    session.add(session.say(Text::members_only, fmt::arg("list", session.addresses.posting),
                            fmt::arg("address", session.requester)));
    return {};
  }
  const ModeChange change{command.name == "digest", value == "on"};
  // Saying that nothing needs to change tells the member, who gets the reply, nothing new.
  if (mode_after(change, member->mode) == member->mode || requester_is_authenticated(session)) {
    return change_mode(session, std::move(*member), change);
  }
  log::info("commands.mode_change_unverified",
            {{"list", session.list.address()}, {"address", session.requester}});
  return ask_for_confirmation(session, Target{session.requester, session.requester_name, true},
                              change.action());
}

}  // namespace cqlist::list
