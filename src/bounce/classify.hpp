// bounce/classify.hpp: what a failed delivery means, and whose problem it is.
//
// Owns: the reason taxonomy (Sisimai's names: userunknown, mailboxfull, authfailure,
// blocked, ...), the side each reason falls on (the member's mailbox, the list's own
// sending setup, this message, or a passing condition), and the one table of provider
// reply patterns that decides them. `cqlist explain` uses the same table: one pattern
// table, not two.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bounce/report.hpp"
#include "mail/enhanced_status.hpp"

namespace cqlist::bounce {

enum class Side {
  recipient,     // the member's mailbox or domain: counts toward the member's bounce score
  sender,        // the list's authentication, reputation, PTR, rate: never counts; alert
  message,       // this post's content or size: never counts; tell the poster/moderator
  transient,     // retried by the MTA; counts only when it persists for days
  complaint,     // the member reported list mail as spam (ARF)
  not_a_bounce,  // auto-reply, delivered
  unknown,       // nothing to go on: never counts
};

std::string_view side_name(Side side);

// What a list does to a member's score for one bounce of this kind.
enum class MemberAction { count, weak, none, stop };

struct Classification {
  std::string reason;  // Sisimai taxonomy name
  Side side = Side::unknown;
  MemberAction member_action = MemberAction::none;
  std::string provider;  // who answered, when known: "gmail", "outlook", "yahoo", ...
  std::string rule;      // the table entry that decided (for logs, tests and `explain`)
  std::string advice;    // an advice key for reports and the doctor: "authentication", "ptr",
                         // "reputation", "rate", "mailbox", "content", ... (empty: none)
};

// What the remote side said, as far as it is known.
struct Rejection {
  std::string_view text;  // reply or diagnostic text, unwrapped
  std::optional<mail::EnhancedStatus> status;
  int reply_code = 0;
  std::string_view remote_host;
  std::string_view smtp_command;
};

Classification classify(const Rejection& rejection);

// One recipient of a parsed report (auto-replies and complaints come out as such).
Classification classify(const BounceReport& report, const RecipientReport& recipient);

}  // namespace cqlist::bounce
