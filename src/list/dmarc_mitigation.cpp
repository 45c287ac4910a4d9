// list/dmarc_mitigation.cpp: the From rewrite and the message/rfc822 wrap (RFC 7960 §4.1.3).
//
// A list changes the Subject and the body, so the author's DKIM signature breaks, and a
// domain that publishes p=quarantine or p=reject would have the post refused at the members'
// providers. The list therefore sends such posts From its own address, which its own DKIM
// signature aligns with, and keeps the author reachable in Reply-To or Cc. `wrap` instead sends
// a new message from the list with the post, untouched, as an attachment.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "list/header_edit.hpp"
#include "list/list_addresses.hpp"
#include "list/pipeline.hpp"
#include "mail/address.hpp"
#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"
#include "mail/transfer_encoding.hpp"

namespace cqlist::list {
namespace {

// Columns of "From: " and "Cc: " on the field's first line.
constexpr std::size_t kFromFieldColumns = 6;
constexpr std::size_t kCcFieldColumns = 4;

std::string comparable(const mail::Mailbox& mailbox) {
  Result<std::string> normalized =
      mail::normalized_address(mailbox, {.local_part_case = mail::LocalPartCase::fold});
  return normalized ? *normalized : to_ascii_lower(mailbox.addr_spec());
}

// The post's From fields: normally one, but each further one (invalid, yet seen) is taken in
// too, so that no author is lost from X-Original-From.
struct OriginalFrom {
  std::string value;  // the field values as written, joined by ", "
  std::vector<mail::Mailbox> authors;
  mail::EncodeCharset charset = mail::EncodeCharset::utf8;
};

bool is_japanese_label(std::string_view label) {
  std::string name = mail::iconv_charset_name(label);
  return istarts_with(label, "iso-2022-jp") || name == "CP932" || name == "EUC-JP-MS";
}

// Japanese display names go out in ISO-2022-JP as they came (RFC 1468), others in UTF-8.
mail::EncodeCharset display_name_charset(std::string_view raw, std::string_view legacy_charset) {
  for (const mail::HeaderTextSegment& segment : mail::split_header_text(raw, legacy_charset)) {
    std::string_view segment_raw =
        raw.substr(segment.raw_begin, segment.raw_end - segment.raw_begin);
    bool raw_japanese = segment_raw.find('\x1B') != std::string_view::npos ||
                        (!mail::is_valid_utf8(segment_raw) && !legacy_charset.empty());
    if ((segment.encoded && is_japanese_label(segment.charset)) ||
        (!segment.encoded && raw_japanese)) {
      return mail::EncodeCharset::iso_2022_jp;
    }
  }
  return mail::EncodeCharset::utf8;
}

std::optional<OriginalFrom> read_from(const mail::Message& message, std::string_view legacy) {
  std::vector<std::size_t> indices = message.find_all("From");
  if (indices.empty()) {
    return std::nullopt;
  }
  OriginalFrom from;
  for (std::size_t index : indices) {
    std::string_view raw = message.fields()[index].value();
    std::string_view value = trim(raw);
    from.value += from.value.empty() || value.empty() ? "" : ",\n ";
    from.value += value;
    for (mail::Mailbox& author : mail::parse_address_list(raw, legacy).mailboxes()) {
      from.authors.push_back(std::move(author));
    }
    if (display_name_charset(raw, legacy) == mail::EncodeCharset::iso_2022_jp) {
      from.charset = mail::EncodeCharset::iso_2022_jp;
    }
  }
  return from;
}

// Why the From must be rewritten, or nullopt when it need not be.
std::optional<std::string> rewrite_reason(const PostContext& context,
                                          const std::vector<mail::Mailbox>& authors) {
  const Authenticity& authenticity = context.authenticity;
  if (authenticity.from_domain_enforces) {
    std::string domain =
        authenticity.from_domain.empty() ? authors.front().domain : authenticity.from_domain;
    std::string policy =
        authenticity.dmarc_policy.empty() ? "quarantine or reject" : authenticity.dmarc_policy;
    return fmt::format("{} publishes p={}", domain, policy);
  }
  for (const mail::Mailbox& author : authors) {
    Result<std::string> domain = mail::domain_to_ascii(author.domain);
    if (!domain) {
      continue;
    }
    for (const std::string& setting : context.settings.rewrite_domains) {
      std::string listed = to_ascii_lower(setting);
      if (*domain == listed) {
        return fmt::format("{} is in rewrite_domains", *domain);
      }
      if (domain->ends_with("." + listed)) {
        return fmt::format("{} is under {} in rewrite_domains", *domain, listed);
      }
    }
  }
  return std::nullopt;
}

// "Taro Yamada via ham": every author's name (or local part, when the name is empty), in the
// author's script; the list's name says who really sent it.
std::string rewritten_display_name(const std::vector<mail::Mailbox>& authors,
                                   std::string_view list_name) {
  std::string names;
  for (const mail::Mailbox& author : authors) {
    std::string name(trim(author.display_name));
    if (name.empty()) {
      name = author.local_part.empty() ? author.addr_spec() : author.local_part;
    }
    names += names.empty() ? "" : ", ";
    names += name;
  }
  return fmt::format("{} via {}", names, list_name);
}

Result<std::string> format_in(const mail::Mailbox& mailbox, mail::EncodeCharset charset,
                              std::size_t first_line_used) {
  mail::MailboxFormatOptions options;
  options.charset = charset;
  options.first_line_used = first_line_used;
  Result<std::string> formatted = mail::format_mailbox(mailbox, options);
  if (!formatted && charset == mail::EncodeCharset::iso_2022_jp) {
    options.charset = mail::EncodeCharset::utf8;  // a character outside JIS X 0208
    formatted = mail::format_mailbox(mailbox, options);
  }
  return formatted;
}

// Adds the authors missing from Cc (all of them when there is no Cc).
Result<void> add_authors_to_cc(mail::Message& message, const OriginalFrom& from) {
  std::optional<std::size_t> cc_index = message.find_first("Cc");
  if (!cc_index) {
    return edited(message.add_bottom("Cc", from.value), "Cc");
  }
  std::string cc(trim(message.fields()[*cc_index].value()));
  std::vector<std::string> present;
  for (const mail::Mailbox& mailbox : mail::parse_address_list(cc).mailboxes()) {
    present.push_back(comparable(mailbox));
  }
  for (const mail::Mailbox& author : from.authors) {
    if (std::find(present.begin(), present.end(), comparable(author)) != present.end()) {
      continue;
    }
    CQLIST_TRY(std::string formatted, format_in(author, from.charset, kCcFieldColumns));
    cc += (cc.empty() ? "" : ",\n ") + formatted;
    present.push_back(comparable(author));
  }
  return edited(message.replace(*cc_index, cc), "Cc");
}

// From becomes the list, the old From goes to X-Original-From, and the authors to Reply-To or
// Cc. Returns where the authors went, for the note.
Result<std::string> rewrite_from(mail::Message& message, const PostContext& context,
                                 const OriginalFrom& from) {
  mail::Mailbox list_mailbox;
  list_mailbox.display_name =
      rewritten_display_name(from.authors, list_tag_name(context.list, context.settings));
  list_mailbox.local_part = context.list.name;
  list_mailbox.domain = context.list.domain;
  CQLIST_TRY(std::string new_from, format_in(list_mailbox, from.charset, kFromFieldColumns));

  // A post relayed by another list that rewrote it carries that list's X-Original-From; what
  // counts here is the From this list replaces.
  message.remove_all("X-Original-From");
  std::vector<std::size_t> from_fields = message.find_all("From");
  if (from_fields.empty()) {
    return fail(Errc::internal, "the post lost its From field while it was rewritten");
  }
  for (std::size_t i = from_fields.size() - 1; i > 0; --i) {
    message.remove(from_fields[i]);
  }
  std::size_t index = from_fields.front();
  CQLIST_TRY_VOID(edited(message.replace(index, new_from), "From"));
  CQLIST_TRY_VOID(
      edited(message.insert(index + 1, "X-Original-From", from.value), "X-Original-From"));

  if (context.settings.author_placement == AuthorPlacement::cc) {
    CQLIST_TRY_VOID(add_authors_to_cc(message, from));
    return std::string("author in Cc");
  }
  // RFC 7960 §4.1.3: an existing Reply-To (the poster's, or the list's by reply_to=list) says
  // where replies should go, and stays.
  if (message.find_first("Reply-To")) {
    return std::string("Reply-To kept");
  }
  CQLIST_TRY_VOID(edited(message.add_bottom("Reply-To", from.value), "Reply-To"));
  return std::string("author in Reply-To");
}

bool is_content_field(std::string_view name) {
  return istarts_with(name, "Content-") || iequals(name, "MIME-Version");
}

// Signatures over the post stay valid in the attachment, and would only fail on the new
// message around it; seal_arc starts the list's own ARC chain on it.
bool is_signature_field(std::string_view name) {
  return iequals(name, "DKIM-Signature") || iequals(name, "ARC-Seal") ||
         iequals(name, "ARC-Message-Signature") || iequals(name, "ARC-Authentication-Results");
}

struct Wrapped {
  mail::Message message;  // the post's header fields around the attachment, no MIME fields yet
  std::string content_type;
};

// The post becomes the only part of a new multipart/mixed message that has the post's header
// fields (Subject, To, Message-ID, the List-* fields ...) but not its content description or
// signatures. The attachment is the post byte for byte.
Wrapped wrap(const mail::Message& post, std::int64_t article) {
  std::string inner = post.serialize();
  std::string eol(post.line_ending());
  std::string boundary;
  for (std::uint64_t attempt = 0; boundary.empty() || inner.find(boundary) != std::string::npos;
       ++attempt) {
    // "=_" cannot occur in quoted-printable or base64 text; the hash makes a clash unlikely
    // anywhere else, and the loop makes it impossible.
    boundary =
        fmt::format("=_cqlist_{:016x}_{}_{}", std::hash<std::string>{}(inner), article, attempt);
  }
  std::string bytes;
  for (const mail::HeaderField& field : post.fields()) {
    if (is_content_field(field.name()) || is_signature_field(field.name())) {
      continue;
    }
    bytes += field.raw();
    if (!field.raw().ends_with('\n')) {
      bytes += eol;
    }
  }
  bytes += eol;
  bytes += "--" + boundary + eol;
  bytes += "Content-Type: message/rfc822" + eol;
  bytes += "Content-Disposition: inline" + eol;
  bytes +=
      fmt::format("Content-Transfer-Encoding: {}{}", mail::rfc822_transfer_encoding(inner), eol);
  bytes += eol;
  bytes += inner;
  // RFC 2046 §5.1.1: the line break before the delimiter belongs to the delimiter, so the
  // attachment's body is `inner` exactly.
  bytes += eol + "--" + boundary + "--" + eol;
  return {mail::Message::parse(std::move(bytes)), "multipart/mixed; boundary=\"" + boundary + "\""};
}

}  // namespace

Result<void> mitigate_dmarc(mail::Message& message, PostContext& context) {
  const ListSettings& settings = context.settings;
  std::optional<OriginalFrom> from = read_from(message, legacy_header_charset(settings));
  if (!from || from->authors.empty()) {
    context.notes.push_back("from_kept: the post has no From address to rewrite");
    return {};
  }
  mail::Mailbox list_mailbox;
  list_mailbox.local_part = context.list.name;
  list_mailbox.domain = context.list.domain;
  std::string list_address = comparable(list_mailbox);
  bool already_list =
      std::all_of(from->authors.begin(), from->authors.end(),
                  [&](const mail::Mailbox& author) { return comparable(author) == list_address; });
  if (already_list) {
    // Rewritten on an earlier pass (a re-run, an approved held post): once is enough.
    return {};
  }
  std::optional<std::string> reason = rewrite_reason(context, from->authors);
  switch (settings.from_rewrite) {
    case FromRewrite::never:
      if (reason) {
        context.notes.push_back(fmt::format("from_kept: {}, but from_rewrite=never", *reason));
      }
      return {};
    case FromRewrite::always:
      if (!reason) {
        reason = "from_rewrite=always";
      }
      break;
    case FromRewrite::when_needed:
    case FromRewrite::wrap:
      if (!reason) {
        return {};
      }
      break;
  }
  if (settings.from_rewrite == FromRewrite::wrap) {
    Wrapped outer = wrap(message, context.article);
    std::optional<OriginalFrom> outer_from =
        read_from(outer.message, legacy_header_charset(settings));
    if (!outer_from) {
      return fail(Errc::internal, "the wrapped post lost its From field");
    }
    CQLIST_TRY(std::string placement, rewrite_from(outer.message, context, *outer_from));
    CQLIST_TRY_VOID(edited(outer.message.add_bottom("MIME-Version", "1.0"), "MIME-Version"));
    CQLIST_TRY_VOID(
        edited(outer.message.add_bottom("Content-Type", outer.content_type), "Content-Type"));
    message = std::move(outer.message);
    context.notes.push_back(fmt::format("from_wrapped: {} ({})", *reason, placement));
    return {};
  }
  CQLIST_TRY(std::string placement, rewrite_from(message, context, *from));
  context.notes.push_back(fmt::format("from_rewritten: {} ({})", *reason, placement));
  return {};
}

}  // namespace cqlist::list
