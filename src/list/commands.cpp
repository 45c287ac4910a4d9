// list/commands.cpp: mail to NAME-request, NAME-confirm+TOKEN, NAME-unsubscribe, NAME-owner.
//
// A command mail gets at most one reply with the results of all its commands, plus the mails
// some commands send on their own (a confirmation request to the address concerned, articles).
// Nothing is answered that a program sent (automatic_mail_reason): an auto-responder that
// got an answer would answer it, and an autoresponder confirming a subscription would sign
// people up without their consent.
//
// Mail to NAME-owner goes to the owners as it came, bytes unchanged, with one X-Loop field
// on top: no Resent-* block (RFC 5322 §3.6.6 fields are for a person re-sending a message,
// and the envelope already says who forwarded it), and no other change, so the sender's DKIM
// signature still verifies for the owners. The envelope sender is NAME-bounces, so an owner's
// bounce or vacation reply comes back to the list server, not to the original sender.
#include "list/commands.hpp"

#include <fmt/format.h>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "list/delivery.hpp"
#include "list/notices_reply.hpp"
#include "list/service.hpp"
#include "mail/address.hpp"
#include "mail/subject.hpp"

namespace cqlist::list {
namespace {

mail::SmtpReply lmtp_reply(int code, std::string_view status, std::string_view text) {
  mail::SmtpReply reply;
  reply.code = code;
  if (auto parsed = mail::SmtpReply::parse(fmt::format("{} {} {}", code, status, text))) {
    reply = *parsed;
  } else {
    reply.lines.emplace_back(text);
  }
  return reply;
}

mail::SmtpReply accepted(std::string_view text) {
  return lmtp_reply(250, "2.0.0", text);
}

mail::SmtpReply try_later() {
  return lmtp_reply(451, "4.3.0", "the list database is unavailable; try again later");
}

ListSettings settings_of(const store::ListRow& list) {
  auto settings = parse_settings(list.settings);
  if (!settings) {
    // Commands still work with the defaults; the operator learns of the bad setting here.
    log::error("commands.settings_invalid",
               {{"list", list.address()}, {"error", settings.error().describe()}});
    return ListSettings{};
  }
  return std::move(*settings);
}

Result<std::vector<std::string>> owners_of(store::Store& store, const store::ListRow& list) {
  constexpr std::size_t kPage = 5000;
  std::vector<std::string> owners;
  std::string after;
  while (true) {
    CQLIST_TRY(auto page, store.members(list.id, after, kPage));
    for (const auto& member : page) {
      if (member.role == store::Role::owner) {
        owners.push_back(member.address);
      }
    }
    if (page.size() < kPage) {
      break;
    }
    after = page.back().address;
  }
  return owners;
}

mail::SmtpReply forward_to_owners(CommandDeps& deps, const store::ListRow& list,
                                  std::string_view envelope_from, const mail::Message& message) {
  const ListAddresses addresses = list_addresses(list);
  for (std::size_t index : message.find_all("X-Loop")) {
    for (const auto& mailbox :
         mail::parse_address_list(message.fields()[index].value()).mailboxes()) {
      if (iequals(mailbox.addr_spec(), addresses.owner)) {
        log::warn("owner.loop", {{"list", list.address()}, {"mail_from", envelope_from}});
        return accepted("loop: this mail was forwarded to the owners before; dropped");
      }
    }
  }
  auto owners = owners_of(deps.store, list);
  if (!owners) {
    log::error("owner.store_error",
               {{"list", list.address()}, {"error", owners.error().describe()}});
    return try_later();
  }
  if (owners->empty()) {
    log::error("owner.no_owner",
               {{"list", list.address()},
                {"mail_from", envelope_from},
                {"advice", "add one: cqlist members add LIST ADDRESS --role owner"}});
    return accepted("the list has no owner; the mail was logged and dropped");
  }
  mail::Message forwarded = message;
  forwarded.add_top("X-Loop", addresses.owner);
  auto queued = queue_outbox(deps.outbox, list, list.name + "-bounces@" + list.domain, *owners,
                             forwarded.serialize());
  if (!queued) {
    log::error("owner.queue_failed",
               {{"list", list.address()}, {"error", queued.error().describe()}});
    return lmtp_reply(451, "4.3.0", "cannot store the mail now; try again later");
  }
  log::info("owner.forwarded", {{"list", list.address()},
                                {"mail_from", envelope_from},
                                {"owners", std::to_string(owners->size())},
                                {"outbox", *queued}});
  return accepted("forwarded to the list owners");
}

// From's first mailbox, normalised; the envelope sender when From has no usable address.
void identify_requester(CommandSession& session, std::string_view envelope_from) {
  const auto mailboxes = mail::parse_address_list(session.message.first_value("From").value_or(""),
                                                  legacy_header_charset(session.settings))
                             .mailboxes();
  if (!mailboxes.empty()) {
    if (auto address = mail::normalized_address(mailboxes.front())) {
      session.requester = *address;
      session.requester_name = mailboxes.front().display_name;
      return;
    }
  }
  if (auto path = mail::split_addr_spec(envelope_from)) {
    if (auto address = mail::normalized_address(*path)) {
      session.requester = *address;
    }
  }
}

Result<void> run_command(CommandSession& session, const Command& command) {
  const std::string& name = command.name;
  if (name == "help") {
    session.add(session.say(Text::help, fmt::arg("list", session.addresses.posting),
                            fmt::arg("request", session.addresses.request),
                            fmt::arg("posting", session.addresses.posting)));
    return {};
  }
  if (name == "subscribe") {
    return run_subscribe(session, command);
  }
  if (name == "unsubscribe" || name == "bye") {
    return run_unsubscribe(session, command);
  }
  if (name == "confirm") {
    if (command.args.size() != 1) {
      session.add(session.say(Text::usage, fmt::arg("usage", "confirm CODE")));
      return {};
    }
    return run_confirm(session, command.args.front());
  }
  if (name == "get") {
    return run_get(session, command);
  }
  if (name == "index") {
    return run_index(session);
  }
  if (name == "members") {
    return run_members(session);
  }
  if (name == "digest" || name == "nomail") {
    return run_delivery_mode(session, command);
  }
  // approve / reject / discard TOKEN [REASON]
  if (command.args.empty()) {
    session.add(session.say(
        Text::usage, fmt::arg("usage", name + " CODE" + (name == "reject" ? " [REASON]" : ""))));
    return {};
  }
  std::string reason;
  for (std::size_t i = 1; i < command.args.size(); ++i) {
    reason += (reason.empty() ? "" : " ") + command.args[i];
  }
  return run_moderation(session, name, to_ascii_lower(command.args.front()), reason);
}

// A reply to a hold notice: the token is in the Subject, the decision on the first line
// ("approve", "reject REASON", "discard"; "#" and the token itself may be written too).
Result<void> run_moderation_reply(CommandSession& session, const std::string& token) {
  const std::string line = first_text_line(session.message);
  Command echo;
  echo.line = line;
  session.begin(echo);
  std::string_view rest = line;
  if (!rest.empty() && rest.front() == '#') {
    rest = trim(rest.substr(1));
  }
  const std::size_t space = rest.find_first_of(" \t");
  const std::string word = to_ascii_lower(rest.substr(0, space));
  if (word != "approve" && word != "reject" && word != "discard") {
    session.add(session.say(Text::moderation_no_decision, fmt::arg("token", token)));
    return {};
  }
  std::string_view reason = space == std::string_view::npos ? "" : trim(rest.substr(space));
  if (istarts_with(reason, token)) {
    reason = trim(reason.substr(token.size()));
  }
  return run_moderation(session, word, token, reason);
}

Result<void> run_commands(CommandSession& session, const RoutedAddress& routed) {
  if (routed.route == Route::confirm) {
    Command echo;
    echo.line = "confirm " + routed.extension;
    session.begin(echo);
    return run_confirm(session, routed.extension);
  }
  if (routed.route == Route::unsubscribe) {
    Command command;
    command.line = "unsubscribe";
    command.name = "unsubscribe";
    session.begin(command);
    return run_unsubscribe(session, command);
  }
  const std::string_view legacy_charset = legacy_header_charset(session.settings);
  const std::string subject = mail::subject_for_display(
      session.message.first_value("Subject").value_or(""), legacy_charset);
  if (auto token = moderation_token(subject)) {
    return run_moderation_reply(session, *token);
  }
  const ParsedCommands parsed = parse_commands(session.message, session.list.name, legacy_charset);
  if (parsed.commands.empty() && parsed.unknown.empty()) {
    session.add(session.say(Text::no_command, fmt::arg("request", session.addresses.request)));
    session.add(session.say(Text::help, fmt::arg("list", session.addresses.posting),
                            fmt::arg("request", session.addresses.request),
                            fmt::arg("posting", session.addresses.posting)));
    return {};
  }
  for (const Command& command : parsed.commands) {
    session.begin(command);
    auto done = run_command(session, command);
    if (!done) {
      if (is_unavailable(done.error())) {
        return done;
      }
      log::error("commands.failed", {{"list", session.list.address()},
                                     {"command", command.name},
                                     {"error", done.error().describe()}});
      session.add(session.say(Text::internal_error));
    }
  }
  if (!parsed.unknown.empty()) {
    Command echo;
    echo.line = parsed.unknown;
    session.begin(echo);
    session.add(session.say(Text::unknown_command, fmt::arg("line", parsed.unknown),
                            fmt::arg("request", session.addresses.request)));
  }
  if (parsed.truncated) {
    session.add(session.say(Text::too_many_commands, fmt::arg("max", kMaxCommands)));
  }
  return {};
}

}  // namespace

bool is_unavailable(const Error& error) {
  return error.code() == Errc::temporary || error.code() == Errc::io;
}

mail::SmtpReply handle_list_mail(CommandDeps& deps, const RoutedAddress& routed,
                                 std::string_view envelope_from, const mail::Message& message) {
  const store::ListRow& list = routed.list;
  if (routed.route == Route::owner) {
    return forward_to_owners(deps, list, envelope_from, message);
  }
  CommandSession session(deps, list, settings_of(list), message);
  if (auto reason = automatic_mail_reason(envelope_from, message, session.addresses)) {
    log::info("commands.not_answered",
              {{"list", list.address()}, {"mail_from", envelope_from}, {"reason", *reason}});
    return accepted("automatic mail; not answered");
  }
  identify_requester(session, envelope_from);
  if (session.requester.empty()) {
    log::info("commands.no_sender", {{"list", list.address()}, {"mail_from", envelope_from}});
    return accepted("no sender address to answer; nothing done");
  }
  auto done = run_commands(session, routed);
  if (!done && !is_unavailable(done.error())) {
    log::error("commands.failed", {{"list", list.address()}, {"error", done.error().describe()}});
    session.add(session.say(Text::internal_error));
    done = {};
  }
  if (done) {
    done = session.send_reply();
  }
  if (!done) {
    log::error("commands.unavailable", {{"list", list.address()},
                                        {"requester", session.requester},
                                        {"error", done.error().describe()}});
    return is_unavailable(done.error()) ? try_later() : accepted("processed with errors (logged)");
  }
  log::info("commands.processed", {{"list", list.address()}, {"requester", session.requester}});
  return accepted("commands processed");
}

// --- CommandSession

CommandSession::CommandSession(CommandDeps& command_deps, const store::ListRow& list_row,
                               ListSettings list_settings, const mail::Message& mail)
    : deps(command_deps),
      list(list_row),
      settings(std::move(list_settings)),
      language(language_of(settings)),
      addresses(list_addresses(list_row)),
      message(mail) {}

void CommandSession::begin(const Command& command) {
  reply_ += "\n> " + command.line + "\n";
}

void CommandSession::add(std::string paragraph, bool needs_reply) {
  reply_ += paragraph;
  reply_ += '\n';
  reply_needed_ = reply_needed_ || needs_reply;
}

Notice CommandSession::notice_to(std::string address, std::string subject) const {
  Notice notice;
  notice.to.push_back(std::move(address));
  notice.subject = std::move(subject);
  answer(notice, message);
  return notice;
}

Result<void> CommandSession::send(const Notice& notice) {
  CQLIST_TRY(std::string id, queue_notice(deps.outbox, list, notice));
  log::info("commands.notice_queued", {{"list", list.address()},
                                       {"to", notice.to.empty() ? "" : notice.to.front()},
                                       {"outbox", id}});
  return {};
}

Result<void> CommandSession::send_reply() {
  if (!reply_needed_) {
    return {};
  }
  const std::string original = mail::subject_for_display(
      message.first_value("Subject").value_or(""), legacy_header_charset(settings));
  std::string subject;
  if (original.empty()) {
    subject = say(Text::results_subject, fmt::arg("request", addresses.request));
  } else {
    subject = istarts_with(original, "re:") ? original : "Re: " + original;
  }
  Notice notice = notice_to(requester, std::move(subject));
  notice.body = say(Text::results_intro, fmt::arg("list", addresses.posting)) + "\n" + reply_ +
                "\n" + say(Text::results_footer, fmt::arg("owner", addresses.owner)) + "\n";
  return send(notice);
}

Result<std::optional<store::MemberRow>> CommandSession::member(std::string_view address) {
  auto row = deps.store.find_member(list.id, address);
  if (row) {
    return std::optional<store::MemberRow>(std::move(*row));
  }
  if (row.error().code() == Errc::not_found) {
    return std::optional<store::MemberRow>();
  }
  return fail(std::move(row.error()));
}

}  // namespace cqlist::list
