// bounce/auto_reply.cpp: vacation messages and other automatic answers (RFC 3834).
//
// They reach the bounce address because mailers answer the envelope sender; they say nothing
// about whether delivery works (the member's mailbox got the post), so they are recognised
// and never counted. The member is the one who answered: the From address. MTAs mark their
// own bounces "Auto-Submitted: auto-replied" too, so a message from a mailer daemon or with
// a bounce's subject is left to the bounce parsers.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "base/strings.hpp"
#include "bounce/parse_internal.hpp"

namespace cqlist::bounce::detail {

namespace {

bool from_mail_system(std::string_view from) {
  std::string_view local = from.substr(0, from.find('@'));
  static constexpr std::array<std::string_view, 5> daemons{
      "mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "mail.delivery"};
  for (std::string_view daemon : daemons) {
    if (iequals(local, daemon)) {
      return true;
    }
  }
  return false;
}

bool bounce_subject(std::string_view subject) {
  static constexpr std::array<std::string_view, 9> words{
      "undeliver",     "delivery status", "delivery fail", "failure notice",       "returned mail",
      "mail delivery", "nondeliver",      "non-deliver",   "delivery notification"};
  return icontains_any(subject, words);
}

bool vacation_subject(std::string_view subject) {
  static constexpr std::array<std::string_view, 14> words{
      "auto reply",
      "auto-reply",
      "autoreply",
      "automatic reply",
      "auto:",
      "out of office",
      "out of the office",
      "vacation",
      "away from",
      "abwesenheit",
      "absence",
      "autoresponse",
      "\xE8\x87\xAA\xE5\x8B\x95\xE5\xBF\x9C\xE7\xAD\x94",  // 自動応答
      "\xE4\xB8\x8D\xE5\x9C\xA8"};                         // 不在
  return icontains_any(subject, words);
}

bool marked_automatic(const mail::Message& message) {
  if (auto submitted = message.first_value("Auto-Submitted");
      submitted && istarts_with(*submitted, "auto-replied")) {
    return true;
  }
  static constexpr std::array<std::string_view, 5> markers{
      "X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Vacation", "X-Apple-Action"};
  for (std::string_view marker : markers) {
    if (message.find_first(marker)) {
      return true;
    }
  }
  auto precedence = message.first_value("Precedence");
  return precedence && iequals(*precedence, "auto_reply");
}

}  // namespace

std::optional<BounceReport> parse_auto_reply(const BounceInput& input) {
  if (input.from.empty() || from_mail_system(input.from) || bounce_subject(input.subject)) {
    return std::nullopt;
  }
  if (!marked_automatic(input.message) && !vacation_subject(input.subject)) {
    return std::nullopt;
  }
  BounceReport report;
  report.kind = ReportKind::auto_reply;
  report.format = "auto_reply";
  RecipientReport recipient;
  recipient.address = input.from;
  // The start of what they said, cut at a character boundary (not inside a UTF-8 sequence).
  std::string said = join_lines(input.text);
  std::size_t cut = std::min<std::size_t>(said.size(), 300);
  while (cut < said.size() && cut > 0 && (static_cast<unsigned char>(said[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  recipient.diagnostic = said.substr(0, cut);
  report.recipients.push_back(std::move(recipient));
  return report;
}

}  // namespace cqlist::bounce::detail
