// list/notices_reply.hpp: the answer to one command mail, built while its commands run.
//
// Owns: what the command handlers (commands_*.cpp) share and nothing outside them uses: the
// parsed commands of a mail, the session each handler writes its results into, and the
// handlers' entry points. commands.hpp is the module's interface; this header is private to
// the command files.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "list/commands.hpp"
#include "list/list_addresses.hpp"
#include "list/notices.hpp"
#include "list/notices_text.hpp"
#include "list/settings.hpp"
#include "mail/message.hpp"
#include "store/store.hpp"

namespace cqlist::list {

// fml and Majordomo stop after a screenful; a message with more is not a person's request.
inline constexpr std::size_t kMaxCommands = 20;

struct Command {
  std::string line;               // as written, trimmed: echoed in the reply
  std::string name;               // lowercase, without '#' ("subscribe", "bye", ...)
  std::vector<std::string> args;  // the words after the name, as written
};

struct ParsedCommands {
  std::vector<Command> commands;
  // The line that ended the reading when it looks like a mistyped command (or when nothing
  // else was found): the reply says it was not understood. Empty when reading ended quietly.
  std::string unknown;
  bool truncated = false;  // more than kMaxCommands commands
};

// The commands of a mail: its Subject (after reply prefixes and the list's tag) when that
// starts with a command, then the lines of its first text/plain part. Reading stops at the
// first line that is not a command, at a signature ("-- "), or at "end"; blank lines and
// quoted lines ("> ...") are skipped. Commands are case-insensitive, may start with '#', and
// may be written in full-width characters (a Japanese input method's default). Raw 8-bit
// Subject bytes that are not UTF-8 are read in `legacy_charset` (legacy_header_charset()),
// so a command typed in full width by an old Japanese mailer is still found.
ParsedCommands parse_commands(const mail::Message& message, std::string_view list_name,
                              std::string_view legacy_charset);

// The first line of the message's text that is neither blank nor quoted, normalised as a
// command line: a moderator's "approve" or "reject REASON" at the top of a reply.
std::string first_text_line(const mail::Message& message);

// The token of the last "(moderate TOKEN)" in a subject, TOKEN a random_token() in any case
// (how a reply to a hold notice carries it); nullopt when there is none.
std::optional<std::string> moderation_token(std::string_view decoded_subject);

// Why a mail must not be answered (RFC 3834 §2: it is a bounce, an auto-reply, list traffic,
// our own mail coming back, or its envelope sender or From is a mail server's or a list's
// address such as MAILER-DAEMON, owner-* or *-request), or nullopt when a person wrote it.
std::optional<std::string> automatic_mail_reason(std::string_view envelope_from,
                                                 const mail::Message& message,
                                                 const ListAddresses& addresses);

class CommandSession {
 public:
  CommandSession(CommandDeps& deps, const store::ListRow& list, ListSettings settings,
                 const mail::Message& message);

  CommandDeps& deps;
  const store::ListRow& list;
  const ListSettings settings;
  const Language language;
  const ListAddresses addresses;
  const mail::Message& message;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();

  // The requester: From's address, normalised (the envelope sender when From has none),
  // and From's display name. Replies go here and nowhere else (never to Reply-To), so a
  // forged From gets its answer to the real owner of the address, not to the forger.
  std::string requester;
  std::string requester_name;

  std::size_t get_commands = 0;
  // Subscribe and unsubscribe commands of this mail for addresses not the requester's.
  std::size_t others_asked_about = 0;

  template <class... Args>
  std::string say(Text id, const Args&... args) const {
    return list::say(language, id, args...);
  }

  // Starts the section of one command in the reply ("> subscribe").
  void begin(const Command& command);
  // Adds a paragraph to the reply. `needs_reply` false: the paragraph only restates what a
  // separate mail to the requester already says (a confirmation request, articles sent), so
  // it alone is no reason to send the reply.
  void add(std::string paragraph, bool needs_reply = true);

  bool reply_needed() const { return reply_needed_; }

  // A notice to `address` answering the command mail, in the list's language.
  Notice notice_to(std::string address, std::string subject) const;
  // Queues a notice with the null sender.
  Result<void> send(const Notice& notice);
  // Queues the reply with the results of every command.
  Result<void> send_reply();

  // The member row of `address`; nullopt when not a member.
  Result<std::optional<store::MemberRow>> member(std::string_view address);

 private:
  std::string reply_;
  bool reply_needed_ = false;
};

// True for a store or spool failure the MTA should retry (a busy or unreadable database, a
// full disk): the LMTP answer is then 4xx.
bool is_unavailable(const Error& error);

// --- Handlers. Each says its result in the session; an Error only for failures to compute.
// commands_membership.cpp
Result<void> run_subscribe(CommandSession& session, const Command& command);
Result<void> run_unsubscribe(CommandSession& session, const Command& command);
Result<void> run_confirm(CommandSession& session, std::string_view token);
Result<void> run_delivery_mode(CommandSession& session, const Command& command);
// commands_archive.cpp
Result<void> run_get(CommandSession& session, const Command& command);
Result<void> run_index(CommandSession& session);
Result<void> run_members(CommandSession& session);
// commands_moderation.cpp: "approve TOKEN", "reject TOKEN [REASON]", "discard TOKEN", or
// the same word with the token from a hold notice's subject.
Result<void> run_moderation(CommandSession& session, std::string_view word, std::string_view token,
                            std::string_view reason);

}  // namespace cqlist::list
