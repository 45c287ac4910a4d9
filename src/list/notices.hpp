// list/notices.hpp: mail that the list server writes itself (replies, confirmations, notices).
//
// Owns: turning a Notice (recipients, UTF-8 subject and text, attached messages) into the
// bytes of an RFC 5322 message from NAME-request, and queueing it in the outbox. Every such
// mail carries Auto-Submitted (RFC 3834 §5), X-Loop with the -request address (so that an echo
// of it back to the list server is recognised and never answered), Message-ID and Date.
//
// Text is UTF-8 in all languages, Japanese included, not ISO-2022-JP: every mail reader of
// this century shows UTF-8, ISO-2022-JP cannot hold every character a reply quotes back (an
// address or subject in another script, Windows' circled digits), and one charset keeps one
// code path. A body that is not plain ASCII goes out base64-encoded rather than 8bit, so no
// relay has to downgrade it to 7bit on the way, which would break the DKIM body hash the
// outbox signs it with.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "list/spool.hpp"
#include "mail/message.hpp"
#include "store/store.hpp"

namespace cqlist::list {

struct Notice {
  std::vector<std::string> to;  // header To and envelope recipients, addr-specs
  std::string from;             // addr-spec; empty: NAME-request (a digest comes from NAME)
  std::string subject;          // UTF-8
  std::string body;             // UTF-8, lines ended by '\n'
  std::string reply_to;         // addr-spec; empty: none (replies go to From, NAME-request)
  std::string in_reply_to;      // "<id@host>" of the message answered; empty: none
  std::string references;       // References of the answer, without the new id
  // RFC 3834 §5: "auto-replied" answers a message; "auto-generated" is written unasked
  // (a hold notice to the moderators).
  bool answers_a_message = true;
  // Whole messages sent along (message/rfc822 parts). With `digest` the container is
  // multipart/digest (RFC 2046 §5.1.5: archive articles), else multipart/mixed.
  std::vector<std::string> attached_messages;
  bool digest = false;
};

// Fills in_reply_to and references to answer `message` (RFC 5322 §3.6.4).
void answer(Notice& notice, const mail::Message& message);

// The message bytes, CRLF line endings. Fails for a subject or body that is not UTF-8.
Result<std::string> render_notice(const Notice& notice, const store::ListRow& list,
                                  std::chrono::system_clock::time_point now);

// Renders and queues a notice for the outbox with the null sender (MAIL FROM:<>), as every
// reply of the list server goes: a reply to a reply must never come back (RFC 3834 §4).
Result<std::string> queue_notice(Spool& outbox, const store::ListRow& list, const Notice& notice);

// Text from a post or a member (address, subject) made one line: control characters become
// spaces, as a CR or LF would end a header field or forge a line of a notice.
std::string one_line(std::string_view text);

// "Tue, 14 Nov 2023 22:13:20 +0000" (RFC 5322 §3.3), in UTC.
std::string rfc5322_date(std::chrono::system_clock::time_point when);

}  // namespace cqlist::list
