// list/checks.cpp: the loop, size and posting-policy checks of a post.
//
// Loop detection looks for this list's own marks (List-Id, X-ML-Name, X-Loop): a post that
// carries them has been through this list already and is discarded, not bounced, because a
// bounce would feed the loop. A repeated Message-ID is asked of the store with
// seen_message_id(), which records nothing: the id is remembered only once the post is
// numbered (run_transforms), so a post refused with a temporary error and retried by the MTA
// is not discarded as its own duplicate.
//
// Posting policy: in a moderated list, owners and moderators who may post go straight
// through (they are the people who would approve the post anyway); everyone else waits.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "list/message_id.hpp"
#include "list/pipeline.hpp"
#include "mail/address.hpp"

namespace cqlist::list {
namespace {

Verdict verdict(Decision decision, std::string_view stage, std::string reason,
                std::string_view status = "5.7.1") {
  Verdict out;
  out.decision = decision;
  out.stage = std::string(stage);
  out.reason = std::move(reason);
  out.status = std::string(status);
  return out;
}

// The identifier inside a List-Id value ("Ham list <ham.example.org>" -> "ham.example.org").
std::string_view list_id_of(std::string_view value) {
  const std::size_t open = value.rfind('<');
  if (open == std::string_view::npos) {
    return trim(value);
  }
  const std::size_t close = value.find('>', open + 1);
  return trim(value.substr(open + 1, close == std::string_view::npos ? close : close - open - 1));
}

bool has_field_equal_to(const mail::Message& message, std::string_view name,
                        std::string_view wanted, std::string_view (*extract)(std::string_view)) {
  for (std::size_t index : message.find_all(name)) {
    const std::string value = message.fields()[index].unfolded_value();
    if (iequals(extract(value), wanted)) {
      return true;
    }
  }
  return false;
}

std::string_view whole_value(std::string_view value) {
  return trim(value);
}

bool has_x_loop_for(const mail::Message& message, std::string_view list_address) {
  for (std::size_t index : message.find_all("X-Loop")) {
    const mail::AddressList parsed = mail::parse_address_list(message.fields()[index].value());
    for (const mail::Mailbox& mailbox : parsed.mailboxes()) {
      if (iequals(mailbox.addr_spec(), list_address)) {
        return true;
      }
    }
  }
  return false;
}

// "10 MiB (10485760 bytes)", "1.5 KiB (1536 bytes)", "900 bytes".
std::string size_in_words(std::size_t bytes) {
  constexpr std::size_t kKiB = 1024;
  constexpr std::size_t kMiB = kKiB * kKiB;
  if (bytes < kKiB) {
    return fmt::format("{} bytes", bytes);
  }
  const std::size_t unit = bytes >= kMiB ? kMiB : kKiB;
  const std::string_view name = bytes >= kMiB ? "MiB" : "KiB";
  if (bytes % unit == 0) {
    return fmt::format("{} {} ({} bytes)", bytes / unit, name, bytes);
  }
  return fmt::format("{:.1f} {} ({} bytes)", static_cast<double>(bytes) / static_cast<double>(unit),
                     name, bytes);
}

// The non-member action. `why` is for the log and the moderator ("x@y is not a member of
// ham@example.org"); `refusal` is the reply text the poster's MTA gets on reject.
Verdict non_member_verdict(const PostContext& context, const std::string& why,
                           std::string refusal) {
  switch (context.settings.non_member) {
    case NonMemberAction::hold:
      return verdict(Decision::hold, "posting_policy", why + "; a moderator decides");
    case NonMemberAction::reject:
      return verdict(Decision::reject, "posting_policy", std::move(refusal), "5.7.1");
    case NonMemberAction::discard:
      return verdict(Decision::discard, "posting_policy", why + "; discarded (non_member=discard)");
  }
  return verdict(Decision::hold, "posting_policy", why);
}

}  // namespace

std::string_view decision_name(Decision decision) {
  switch (decision) {
    case Decision::accept:
      return "accept";
    case Decision::hold:
      return "hold";
    case Decision::reject:
      return "reject";
    case Decision::discard:
      return "discard";
  }
  return "accept";
}

Verdict check_loop(const mail::Message& message, PostContext& context, PipelineServices& services) {
  const store::ListRow& list = context.list;
  const std::string our_list_id = list.name + "." + list.domain;
  if (has_field_equal_to(message, "List-Id", our_list_id, list_id_of)) {
    return verdict(
        Decision::discard, "loop",
        fmt::format("loop: already passed through this list (List-Id <{}>)", our_list_id));
  }
  if (has_field_equal_to(message, "X-ML-Name", list.name, whole_value)) {
    return verdict(
        Decision::discard, "loop",
        fmt::format("loop: already passed through this list (X-ML-Name: {})", list.name));
  }
  if (has_x_loop_for(message, list.address())) {
    return verdict(
        Decision::discard, "loop",
        fmt::format("loop: already passed through this list (X-Loop: {})", list.address()));
  }
  const std::string message_id = message_id_of(message);
  if (message_id.empty()) {
    context.notes.push_back("no_message_id: duplicate detection skipped");
    return Verdict::accept();
  }
  auto seen = services.store.seen_message_id(list.id, message_id);
  if (!seen) {
    // 4xx: the MTA keeps the post and tries again; nothing is lost while the store is down.
    return verdict(Decision::reject, "loop",
                   fmt::format("the Message-ID cache could not be read ({}); try again later",
                               seen.error().describe()),
                   "4.3.0");
  }
  if (*seen) {
    return verdict(Decision::discard, "loop",
                   fmt::format("duplicate: Message-ID <{}> was already distributed by {}",
                               message_id, list.address()));
  }
  return Verdict::accept();
}

Verdict check_size(const mail::Message& message, PostContext& context,
                   PipelineServices& /*services*/) {
  // The LMTP layer always sets the size; a caller that did not gets it measured.
  const std::size_t size = context.size != 0 ? context.size : message.serialize().size();
  const std::size_t limit = context.settings.max_message_bytes;
  if (size <= limit) {
    return Verdict::accept();
  }
  return verdict(
      Decision::reject, "size",
      fmt::format("the message is {}, but posts to {} may be at most {}; send large files as a "
                  "link instead",
                  size_in_words(size), context.list.address(), size_in_words(limit)),
      "5.3.4");
}

Verdict check_posting_policy(const mail::Message& /*message*/, PostContext& context,
                             PipelineServices& /*services*/) {
  const std::optional<store::MemberRow>& poster = context.poster;
  const bool may_post = poster && poster->may_post;
  switch (context.settings.posting) {
    case PostingPolicy::open:
      return Verdict::accept();
    case PostingPolicy::moderated:
      if (poster && poster->may_post && poster->role != store::Role::member) {
        return Verdict::accept();
      }
      return verdict(
          Decision::hold, "posting_policy",
          fmt::format("{} is moderated: every post waits for a moderator", context.list.address()));
    case PostingPolicy::members: {
      if (may_post) {
        return Verdict::accept();
      }
      const std::string list_address = context.list.address();
      if (poster) {
        return non_member_verdict(
            context,
            fmt::format("{} is a member of {} but may not post (may_post is off)", context.author,
                        list_address),
            fmt::format("your membership of {} does not include posting; ask the list owner",
                        list_address));
      }
      const std::string author =
          context.author.empty() ? "a post without a usable From address" : context.author;
      return non_member_verdict(
          context, fmt::format("{} is not a member of {}", author, list_address),
          fmt::format("only members of {} may post; you are not a member", list_address));
    }
  }
  return Verdict::accept();
}

}  // namespace cqlist::list
