// list/decorate.cpp: the transform stages that make a post look like a post of this list.
//
// Subject tag, the list's own header fields (RFC 2369, RFC 2919, RFC 8058, fml's X-ML-*),
// removal of fields that must not reach the members, Reply-To, and the footer. The From rewrite
// is dmarc_mitigation.cpp's: it runs after the subject and header stages and keeps the
// Reply-To chosen here; the footer comes after it, so a wrapped post gets the footer outside
// the attachment.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "list/header_edit.hpp"
#include "list/list_addresses.hpp"
#include "list/pipeline.hpp"
#include "list/unsubscribe_link.hpp"
#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"
#include "mail/footer.hpp"
#include "mail/subject.hpp"

namespace cqlist::list {
namespace {

// Columns of "List-Id: ", where the description's encoded words start.
constexpr std::size_t kListIdFieldColumns = 9;
constexpr std::size_t kLineLimit = 76;

Result<std::uint64_t> article_number(const PostContext& context) {
  if (context.article < 0) {
    return fail(Errc::internal,
                fmt::format("article number {} is negative: the post must be numbered before it "
                            "is decorated",
                            context.article));
  }
  return static_cast<std::uint64_t>(context.article);
}

// --- Subject

std::size_t tag_width(const ListSettings& settings) {
  return static_cast<std::size_t>(std::clamp(settings.tag_width, 1, 10));
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The end of a number-only tag ("[00012]", "(00012)") at `offset`, with at least `min_digits`
// digits so that a subject such as "[2024] report" keeps its year.
std::optional<std::size_t> number_tag_end(std::string_view text, std::size_t offset,
                                          std::size_t min_digits) {
  if (offset >= text.size() || (text[offset] != '[' && text[offset] != '(')) {
    return std::nullopt;
  }
  char close = text[offset] == '[' ? ']' : ')';
  std::size_t end = offset + 1;
  while (end < text.size() && is_digit(text[end])) {
    ++end;
  }
  if (end - offset - 1 < min_digits || end >= text.size() || text[end] != close) {
    return std::nullopt;
  }
  return end + 1;
}

// Where decoded offset `offset` of a clean literal segment lies in its raw bytes: decoding
// removed only the line breaks of folding.
std::size_t raw_offset_in_literal(std::string_view raw, std::size_t offset) {
  std::size_t counted = 0;
  std::size_t i = 0;
  while (i < raw.size() && counted < offset) {
    if (raw[i] != '\r' && raw[i] != '\n') {
      ++counted;
    }
    ++i;
  }
  return i;
}

// Removes the old number-only tags that lead the subject, behind reply prefixes or not:
// mail::make_list_subject knows tags with a list name only. A tag inside an encoded word (no
// list writes one there) is left alone.
std::string without_number_tags(std::string raw, std::string_view tag_name, std::size_t min_digits,
                                std::string_view fallback_charset) {
  for (int round = 0; round < 32; ++round) {
    std::vector<mail::HeaderTextSegment> segments = mail::split_header_text(raw, fallback_charset);
    std::string decoded;
    for (const mail::HeaderTextSegment& segment : segments) {
      decoded += segment.text;
    }
    std::size_t begin = mail::find_subject_start(decoded, tag_name).offset;
    std::optional<std::size_t> end = number_tag_end(decoded, begin, min_digits);
    if (!end) {
      return raw;
    }
    std::size_t segment_start = 0;
    bool removed = false;
    for (const mail::HeaderTextSegment& segment : segments) {
      std::size_t segment_end = segment_start + segment.text.size();
      if (begin >= segment_start && *end <= segment_end) {
        std::string_view segment_raw(raw.data() + segment.raw_begin,
                                     segment.raw_end - segment.raw_begin);
        if (segment.encoded || !mail::is_valid_utf8(segment_raw) ||
            segment_raw.find('\x1B') != std::string_view::npos) {
          return raw;
        }
        std::size_t raw_begin =
            segment.raw_begin + raw_offset_in_literal(segment_raw, begin - segment_start);
        std::size_t raw_end =
            segment.raw_begin + raw_offset_in_literal(segment_raw, *end - segment_start);
        raw.erase(raw_begin, raw_end - raw_begin);
        removed = true;
        break;
      }
      segment_start = segment_end;
    }
    if (!removed) {
      return raw;
    }
  }
  return raw;
}

// --- List-* fields

// RFC 2919's phrase: a quoted string, or encoded words for non-ASCII text (RFC 2047 §5(3)).
Result<std::string> list_id_phrase(const ListSettings& settings) {
  const std::string& text = settings.description;
  bool ascii = std::all_of(text.begin(), text.end(),
                           [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    std::string quoted = "\"";
    for (char c : text) {
      if (c == '"' || c == '\\') {
        quoted += '\\';
      }
      quoted += c;
    }
    return quoted + "\"";
  }
  mail::EncodeOptions options;
  options.first_line_used = kListIdFieldColumns;
  options.phrase = true;
  if (settings.language == "ja") {
    // Japanese readers' mailers expect ISO-2022-JP (RFC 1468) in headers.
    options.charset = mail::EncodeCharset::iso_2022_jp;
    if (Result<std::string> encoded = mail::encode_header_text(text, options)) {
      return encoded;
    }
    options.charset = mail::EncodeCharset::utf8;  // characters outside JIS X 0208
  }
  return mail::encode_header_text(text, options);
}

Result<std::string> list_id_value(const PostContext& context, const ListAddresses& addresses) {
  std::string list_id = "<" + addresses.list_id + ">";
  if (trim(context.settings.description).empty()) {
    return list_id;
  }
  CQLIST_TRY(std::string phrase, list_id_phrase(context.settings));
  std::size_t last_line = phrase.rfind('\n');
  std::size_t used = last_line == std::string::npos ? kListIdFieldColumns + phrase.size()
                                                    : phrase.size() - last_line - 1;
  return phrase + (used + 1 + list_id.size() > kLineLimit ? "\n " : " ") + list_id;
}

// "<uri>, <uri>", one per line when they do not fit on the field's first line.
std::string uri_list(std::string_view field_name, const std::vector<std::string>& uris) {
  std::size_t length = field_name.size() + 2;
  for (const std::string& uri : uris) {
    length += uri.size() + 4;
  }
  std::string separator = length > kLineLimit ? ",\n " : ", ";
  std::string value;
  for (const std::string& uri : uris) {
    value += value.empty() ? "" : separator;
    value += "<" + uri + ">";
  }
  return value;
}

std::string request_uri(const ListAddresses& addresses, std::string_view command) {
  return fmt::format("mailto:{}?subject={}", addresses.request, command);
}

// Fields removed from every post, each for a reason:
constexpr std::array<std::string_view, 11> kNeverPassed = {
    // Receipt requests would make every member's reader report back to the poster.
    "Return-Receipt-To", "Disposition-Notification-To", "X-Confirm-Reading-To", "X-PMRQC",
    // Moderator passwords (Mailman's pre-approval) and its digest bypass.
    "Approved", "Approve", "X-Approved", "X-Approve", "Urgent",
    // Errors-To is obsolete: bounces go to the envelope sender, which the list sets.
    "Errors-To",
    // Replaced by the list's own below.
    "Sender"};

// The list's own fields: a post relayed from another list, or one that loops back, must carry
// this list's values only.
constexpr std::array<std::string_view, 13> kListFields = {
    "List-Id", "List-Help", "List-Subscribe", "List-Unsubscribe", "List-Unsubscribe-Post",
    "List-Post", "List-Owner", "List-Archive", "Precedence",
    // fml's: another fml list's name, count and server must not pass as this list's.
    "X-ML-Name", "X-Mail-Count", "X-ML-Info", "X-MLServer"};

// The d= tag of a DKIM-Signature value, white space removed (RFC 6376 §3.2 allows FWS).
std::string dkim_domain(std::string_view value) {
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = std::min(value.find(';', start), value.size());
    std::string tag;
    for (char c : value.substr(start, end - start)) {
      if (!is_wsp(c) && c != '\r' && c != '\n') {
        tag += c;
      }
    }
    if (tag.starts_with("d=")) {
      return tag.substr(2);
    }
    start = end + 1;
  }
  return {};
}

// A signature of the list's own domain on an incoming post is one cqlist made on an earlier
// pass (a loop, a re-injected post): after this pass's changes it cannot verify, and delivery
// signs the post anew.
std::size_t remove_own_dkim_signatures(mail::Message& message, std::string_view list_domain) {
  std::size_t removed = 0;
  std::vector<std::size_t> indices = message.find_all("DKIM-Signature");
  for (auto it = indices.rbegin(); it != indices.rend(); ++it) {
    if (iequals(dkim_domain(message.fields()[*it].value()), list_domain)) {
      message.remove(*it);
      ++removed;
    }
  }
  return removed;
}

std::string from_value(const mail::Message& message) {
  std::optional<std::size_t> from = message.find_first("From");
  if (!from) {
    return {};
  }
  return std::string(trim(message.fields()[*from].value()));
}

Result<void> set_reply_to(mail::Message& message, PostContext& context,
                          const ListAddresses& addresses) {
  std::string value;
  switch (context.settings.reply_to) {
    case ReplyToPolicy::keep:
      return {};
    case ReplyToPolicy::list:
      value = addresses.posting;
      break;
    case ReplyToPolicy::poster:
      // The From field as the author wrote it: all authors, names in their own encoding.
      value = from_value(message);
      if (value.empty()) {
        return {};  // no author to name; the poster's Reply-To stays
      }
      break;
  }
  message.remove_all("Reply-To");
  return edited(message.add_bottom("Reply-To", value), "Reply-To");
}

}  // namespace

Result<void> decorate_subject(mail::Message& message, PostContext& context) {
  const ListSettings& settings = context.settings;
  std::string tag_type = to_ascii_lower(trim(settings.subject_tag));
  if (tag_type == "none") {
    return {};
  }
  CQLIST_TRY(std::uint64_t article, article_number(context));
  std::size_t width = tag_width(settings);
  std::string_view tag_name = list_tag_name(context.list, settings);
  std::string_view fallback_charset = legacy_header_charset(settings);
  std::optional<std::size_t> index = message.find_first("Subject");
  std::string raw = index ? std::string(message.fields()[*index].value()) : std::string();

  mail::ListSubjectOptions options;
  options.article_number = article;
  options.fallback_charset = std::string(fallback_charset);
  options.keep_encoding = true;
  if (tag_type == "[#]" || tag_type == "(#)") {
    // fml's number-only tag: make_list_subject writes "[<name>]", so the padded number is the
    // name, and old number tags are removed first (a tag of this very number goes either way).
    raw = without_number_tags(std::move(raw), tag_name, width, fallback_charset);
    options.list_name = fmt::format("{:0{}}", article, width);
    options.tag.brackets = tag_type == "[#]" ? mail::TagBrackets::square : mail::TagBrackets::round;
    options.tag.with_number = false;
  } else {
    CQLIST_TRY(mail::SubjectTagFormat format, mail::parse_subject_tag_format(tag_type));
    format.number_width = width;
    options.list_name = std::string(tag_name);
    options.tag = format;
  }
  CQLIST_TRY(std::string subject, mail::make_list_subject(raw, options));
  if (index) {
    return edited(message.replace(*index, subject), "Subject");
  }
  return edited(message.add_bottom("Subject", subject), "Subject");
}

Result<void> decorate_headers(mail::Message& message, PostContext& context) {
  const ListSettings& settings = context.settings;
  ListAddresses addresses = list_addresses(context.list);

  std::vector<std::string> removed;
  for (std::string_view name : kNeverPassed) {
    if (message.remove_all(name) > 0 && name != "Sender") {
      removed.emplace_back(name);
    }
  }
  for (std::string_view name : kListFields) {
    message.remove_all(name);
  }
  if (remove_own_dkim_signatures(message, context.list.domain) > 0) {
    removed.emplace_back("DKIM-Signature");
  }
  if (!removed.empty()) {
    std::string note = "fields_removed:";
    for (const std::string& name : removed) {
      note += (note.back() == ':' ? " " : ", ") + name;
    }
    context.notes.push_back(std::move(note));
  }

  CQLIST_TRY(std::string list_id, list_id_value(context, addresses));
  CQLIST_TRY_VOID(edited(message.add_bottom("List-Id", list_id), "List-Id"));

  std::vector<std::string> unsubscribe;
  if (!settings.web_url.empty()) {
    // Per-recipient hook: with settings.personalize, delivery replaces this field in each
    // member's copy with the member's own link (set_personal_unsubscribe in
    // unsubscribe_link.hpp: "<web_url>unsubscribe?list=..&member=..&token=..") before DKIM
    // signs the copy. Without it, this URI is the page where members unsubscribe by hand.
    unsubscribe.push_back(settings.web_url + "unsubscribe");
  }
  unsubscribe.push_back(request_uri(addresses, "unsubscribe"));
  CQLIST_TRY_VOID(
      edited(message.add_bottom("List-Unsubscribe", uri_list("List-Unsubscribe", unsubscribe)),
             "List-Unsubscribe"));
  // RFC 8058 §3.1: the one-click URI must identify the recipient, which only a personalised
  // copy's token does (the same condition as delivery's). Without one, the https URI is a form
  // the member fills in, and mailbox providers must not offer a one-click button for it.
  if (sends_personal_copies(settings)) {
    CQLIST_TRY_VOID(edited(message.add_bottom("List-Unsubscribe-Post", kOneClickValue),
                           "List-Unsubscribe-Post"));
  }
  if (!settings.web_url.empty()) {
    CQLIST_TRY_VOID(
        edited(message.add_bottom("List-Archive", "<" + settings.web_url + ">"), "List-Archive"));
  }
  // Moderated lists still take posts at the list address (a moderator approves them), so
  // List-Post is the address, not RFC 2369's "NO" of announce-only lists.
  CQLIST_TRY_VOID(
      edited(message.add_bottom("List-Post", "<mailto:" + addresses.posting + ">"), "List-Post"));
  CQLIST_TRY_VOID(edited(
      message.add_bottom("List-Help", "<" + request_uri(addresses, "help") + ">"), "List-Help"));
  CQLIST_TRY_VOID(
      edited(message.add_bottom("List-Subscribe", "<" + request_uri(addresses, "subscribe") + ">"),
             "List-Subscribe"));
  CQLIST_TRY_VOID(
      edited(message.add_bottom("List-Owner", "<mailto:" + addresses.owner + ">"), "List-Owner"));
  // Tells auto-responders not to answer (RFC 3834 §3.1.8 lets them use it).
  CQLIST_TRY_VOID(edited(message.add_bottom("Precedence", "list"), "Precedence"));
  if (settings.fml_headers) {
    CQLIST_TRY(std::uint64_t article, article_number(context));
    CQLIST_TRY_VOID(edited(message.add_bottom("X-ML-Name", list_tag_name(context.list, settings)),
                           "X-ML-Name"));
    CQLIST_TRY_VOID(edited(
        message.add_bottom("X-Mail-Count", fmt::format("{:0{}}", article, tag_width(settings))),
        "X-Mail-Count"));
  }
  // Sender (RFC 5322 §3.6.2) names the mailbox responsible for sending: the list's owners,
  // whom a person who replies to it should reach. Not the bounce address, as Mailman 2 wrote:
  // bounces follow the envelope sender (VERP, RFC 5321 §4.4), and auto-replies sent to Sender
  // would land unread in the bounce processor.
  CQLIST_TRY_VOID(edited(message.add_bottom("Sender", addresses.owner), "Sender"));
  return set_reply_to(message, context, addresses);
}

Result<void> decorate_footer(mail::Message& message, PostContext& context) {
  if (context.settings.footer.empty()) {
    return {};
  }
  mail::Footer footer;
  footer.text = context.settings.footer;
  if (!footer.text.ends_with('\n')) {
    footer.text += '\n';
  }
  CQLIST_TRY(mail::FooterOutcome outcome, mail::add_footer(message, footer));
  if (!outcome.added()) {
    context.notes.push_back(
        fmt::format("footer_skipped: {}", mail::footer_skip_name(outcome.skipped)));
    return {};
  }
  std::string_view placement;
  switch (outcome.changes.front().placement) {
    case mail::FooterPlacement::appended_to_text:
      placement = "appended to the text";
      break;
    case mail::FooterPlacement::inserted_into_html:
      placement = "inserted into the HTML";
      break;
    case mail::FooterPlacement::new_part:
      placement = "new part";
      break;
    case mail::FooterPlacement::wrapped:
      placement = "wrapped the post";
      break;
  }
  context.notes.push_back(fmt::format("footer_added: {}", placement));
  return {};
}

}  // namespace cqlist::list
