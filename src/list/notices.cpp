// list/notices.cpp: the bytes of mail from NAME-request, and queueing them.
#include "list/notices.hpp"

#include <ctime>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "list/delivery.hpp"
#include "list/list_addresses.hpp"
#include "list/service.hpp"
#include "list/token.hpp"
#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"
#include "mail/transfer_encoding.hpp"

namespace cqlist::list {
namespace {

// RFC 5322 §2.1.1: no line longer than 998 characters.
constexpr std::size_t kMaxLine = 998;
// References keeps the thread's start and the last few ids; a long thread's full chain would
// only make the field long (RFC 5322 §3.6.4 allows trimming it).
constexpr std::size_t kMaxReferences = 10;

// "<a@b>" tokens of a References or In-Reply-To value, in order.
std::vector<std::string> message_ids(std::string_view value) {
  std::vector<std::string> ids;
  while (true) {
    const std::size_t open = value.find('<');
    if (open == std::string_view::npos) {
      break;
    }
    const std::size_t close = value.find('>', open);
    if (close == std::string_view::npos) {
      break;
    }
    std::string_view id = value.substr(open, close - open + 1);
    if (id.size() > 2 && id.find_first_of(" \t\r\n") == std::string_view::npos) {
      ids.emplace_back(id);
    }
    value.remove_prefix(close + 1);
  }
  return ids;
}

// Folds from encode_header_text are "\n "; the message is CRLF.
std::string crlf_folds(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\n') {
      out += "\r\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

bool needs_encoding(std::string_view text) {
  std::size_t line = 0;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return true;
    }
    line = c == '\n' ? 0 : line + 1;
    if (line > kMaxLine - 2) {
      return true;
    }
  }
  return false;
}

// The text part's header fields and body: 7bit when it can be, else base64 (see the header
// comment in notices.hpp for why not 8bit).
std::string text_part(std::string_view text) {
  std::string body = to_crlf(text);
  if (!body.ends_with("\r\n")) {
    body += "\r\n";
  }
  if (needs_encoding(body)) {
    return "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n" +
           mail::encode_base64(body);
  }
  return "Content-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: 7bit\r\n\r\n" +
         body;
}

// A message/rfc822 part (RFC 2046 §5.2.1: only 7bit, 8bit or binary, never base64). Inside
// multipart/digest that type is the default, but naming it costs nothing and old readers
// look for it.
std::string message_part(std::string_view message) {
  std::string bytes = to_crlf(message);
  if (!bytes.ends_with("\r\n")) {
    bytes += "\r\n";
  }
  return fmt::format("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: {}\r\n\r\n{}",
                     mail::rfc822_transfer_encoding(bytes), bytes);
}

std::string address_list(const std::vector<std::string>& addresses) {
  std::string out;
  for (const auto& address : addresses) {
    if (!out.empty()) {
      out += ",\r\n ";
    }
    out += one_line(address);
  }
  return out;
}

}  // namespace

void answer(Notice& notice, const mail::Message& message) {
  const auto id = message_ids(message.first_value("Message-ID").value_or(""));
  if (id.empty()) {
    return;
  }
  notice.in_reply_to = id.front();
  auto chain = message_ids(message.first_value("References").value_or(""));
  if (chain.empty()) {
    chain = message_ids(message.first_value("In-Reply-To").value_or(""));
  }
  if (chain.size() >= kMaxReferences) {
    chain.erase(chain.begin() + 1,
                chain.begin() + static_cast<std::ptrdiff_t>(chain.size() - kMaxReferences + 2));
  }
  chain.push_back(id.front());
  notice.references.clear();
  for (const auto& reference : chain) {
    notice.references += notice.references.empty() ? reference : "\r\n " + reference;
  }
}

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      c = ' ';
    }
  }
  return out;
}

std::string rfc5322_date(std::chrono::system_clock::time_point when) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} +0000", kDays[utc.tm_wday % 7],
                     utc.tm_mday, kMonths[utc.tm_mon % 12], utc.tm_year + 1900, utc.tm_hour,
                     utc.tm_min, utc.tm_sec);
}

Result<std::string> render_notice(const Notice& notice, const store::ListRow& list,
                                  std::chrono::system_clock::time_point now) {
  if (!mail::is_valid_utf8(notice.subject) || !mail::is_valid_utf8(notice.body)) {
    return fail(Errc::invalid_argument,
                "a notice's subject or text is not UTF-8 (a bug in "
                "cqlist; please report it)");
  }
  const ListAddresses addresses = list_addresses(list);
  CQLIST_TRY(std::string subject,
             mail::encode_header_text(one_line(notice.subject), {.first_line_used = 9}));
  CQLIST_TRY(std::string id_token, random_token());

  std::string out;
  out += "From: " + (notice.from.empty() ? addresses.request : one_line(notice.from)) + "\r\n";
  out += "To: " + address_list(notice.to) + "\r\n";
  out += "Subject: " + crlf_folds(subject) + "\r\n";
  out += "Date: " + rfc5322_date(now) + "\r\n";
  out += fmt::format("Message-ID: <{}.cqlist@{}>\r\n", id_token, list.domain);
  if (!notice.in_reply_to.empty()) {
    out += "In-Reply-To: " + one_line(notice.in_reply_to) + "\r\n";
  }
  if (!notice.references.empty()) {
    out += "References: " + notice.references + "\r\n";
  }
  if (!notice.reply_to.empty()) {
    out += "Reply-To: " + one_line(notice.reply_to) + "\r\n";
  }
  out += fmt::format("Auto-Submitted: {}\r\n",
                     notice.answers_a_message ? "auto-replied" : "auto-generated");
  out += "X-Loop: " + addresses.request + "\r\n";
  out += "MIME-Version: 1.0\r\n";

  if (notice.attached_messages.empty()) {
    out += text_part(notice.body);
    return out;
  }
  CQLIST_TRY(std::string boundary_token, random_token());
  const std::string boundary = "=_cqlist_" + boundary_token;
  out += fmt::format("Content-Type: multipart/{}; boundary=\"{}\"\r\n\r\n",
                     notice.digest ? "digest" : "mixed", boundary);
  out += "This is a MIME message.\r\n";
  // In a digest the first part is the introduction, so it must say it is text (RFC 2046
  // §5.1.5: the default there is message/rfc822).
  out += "\r\n--" + boundary + "\r\n" + text_part(notice.body);
  for (const auto& message : notice.attached_messages) {
    out += "\r\n--" + boundary + "\r\n" + message_part(message);
  }
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

Result<std::string> queue_notice(Spool& outbox, const store::ListRow& list, const Notice& notice) {
  CQLIST_TRY(std::string bytes, render_notice(notice, list, std::chrono::system_clock::now()));
  return queue_outbox(outbox, list, "", notice.to, bytes);
}

}  // namespace cqlist::list
