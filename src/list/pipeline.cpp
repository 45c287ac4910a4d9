// list/pipeline.cpp: the stage tables and the two runners.
//
// run_checks() first identifies the author (From, normalised, looked up in the member list),
// then runs the check table; the first verdict that is not accept ends the run.
//
// Temporary failures: when the store cannot be read (the member lookup, the Message-ID cache)
// the verdict is Decision::reject with status "4.3.0", so the LMTP reply is a 4xx and Postfix
// keeps the post and retries; nothing is held or dropped on account of our own trouble.
// DNS trouble is not a temporary failure of the post: SPF, DKIM and DMARC report temperror
// as their result, and that holds nothing (authenticity.cpp).
//
// run_transforms() runs the transform table, then remembers the post's Message-ID in the
// store's cache. It runs after the post was numbered, so the cache holds exactly the posts
// the list distributed: a post that was held, refused or refused for now (4xx) can come again
// without being discarded as a duplicate. (A crashed run is resumed by the post processor
// from the numbered post, without checking it again.)
//
// No Authentication-Results field is added: RFC 8601 §5 has receivers ignore fields from
// other authserv-ids anyway, and after a From rewrite one would describe another author than
// the one shown. The results travel in the ARC set's ARC-Authentication-Results, which is
// signed; the log has them too.
#include "list/pipeline.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "auth/arc/validate.hpp"
#include "base/log.hpp"
#include "list/message_id.hpp"
#include "mail/address.hpp"

namespace cqlist::list {
namespace {

using CheckStage = Verdict (*)(const mail::Message&, PostContext&, PipelineServices&);
using DecorationStage = Result<void> (*)(mail::Message&, PostContext&);

struct NamedCheck {
  std::string_view name;
  CheckStage run;
};

struct NamedDecoration {
  std::string_view name;
  DecorationStage run;
};

// The order is policy: a loop is dropped before anything is spent on it, an oversized post is
// refused before its signatures are hashed, and the authenticity results exist before the
// posting policy (and later the DMARC mitigation) looks at them.
constexpr std::array<NamedCheck, 4> kChecks = {{
    {"loop", check_loop},
    {"size", check_size},
    {"authenticity", check_authenticity},
    {"posting_policy", check_posting_policy},
}};

// Subject and headers before the From rewrite (which reads the decorated header), the footer
// before the seal (which signs the body); run_transforms seals last.
constexpr std::array<NamedDecoration, 4> kDecorations = {{
    {"subject", decorate_subject},
    {"headers", decorate_headers},
    {"dmarc_mitigation", mitigate_dmarc},
    {"footer", decorate_footer},
}};

Result<void> in_stage(Result<void> done, std::string_view stage, const PostContext& context) {
  if (!done) {
    return fail(std::move(done.error())
                    .with_context(fmt::format("in the {} stage of a post to {}", stage,
                                              context.list.address())));
  }
  return {};
}

Verdict temporary_failure(std::string_view stage, std::string reason) {
  Verdict out;
  out.decision = Decision::reject;
  out.stage = std::string(stage);
  out.reason = std::move(reason);
  out.status = "4.3.0";
  return out;
}

// Fills context.author, author_display_name and poster from the first From mailbox.
Verdict identify_author(const mail::Message& message, PostContext& context,
                        PipelineServices& services) {
  context.author.clear();
  context.author_display_name.clear();
  context.poster.reset();
  const std::optional<std::size_t> from = message.find_first("From");
  if (!from) {
    context.notes.emplace_back("no_author: the post has no From field");
    return Verdict::accept();
  }
  const std::vector<mail::Mailbox> mailboxes =
      mail::parse_address_list(message.fields()[*from].value()).mailboxes();
  if (mailboxes.empty()) {
    context.notes.emplace_back("no_author: no address could be read from From");
    return Verdict::accept();
  }
  if (mailboxes.size() > 1) {
    context.notes.push_back(fmt::format(
        "several_authors: From names {} mailboxes; the first is the author", mailboxes.size()));
  }
  auto author = mail::normalized_address(mailboxes.front());
  if (!author) {
    context.notes.push_back("no_author: " + author.error().message());
    return Verdict::accept();
  }
  context.author = std::move(*author);
  context.author_display_name = mailboxes.front().display_name;

  auto member = services.store.find_member(context.list.id, context.author);
  if (member) {
    context.poster = std::move(*member);
  } else if (member.error().code() != Errc::not_found) {
    return temporary_failure(
        "author", fmt::format("the member list of {} could not be read ({}); try again later",
                              context.list.address(), member.error().describe()));
  }
  return Verdict::accept();
}

void log_verdict(const PostContext& context, const Verdict& verdict) {
  const std::string list = context.list.address();
  log::info("post.verdict", {{"list", list},
                             {"stage", verdict.stage},
                             {"decision", decision_name(verdict.decision)},
                             {"reason", verdict.reason}});
}

}  // namespace

Verdict run_checks(const mail::Message& message, PostContext& context, PipelineServices& services) {
  Verdict verdict = identify_author(message, context, services);
  for (const NamedCheck& check : kChecks) {
    if (!verdict.accepted()) {
      break;
    }
    verdict = check.run(message, context, services);
    if (verdict.stage.empty()) {
      verdict.stage = std::string(check.name);
    }
  }
  if (verdict.accepted()) {
    return Verdict::accept();
  }
  log_verdict(context, verdict);
  return verdict;
}

Result<void> decorate_post(mail::Message& message, PostContext& context) {
  for (const NamedDecoration& decoration : kDecorations) {
    CQLIST_TRY_VOID(in_stage(decoration.run(message, context), decoration.name, context));
  }
  return {};
}

Result<mail::Message> run_transforms(mail::Message message, PostContext& context,
                                     PipelineServices& services) {
  if (context.article <= 0) {
    return fail(Errc::invalid_argument,
                "the transform stages need the post's article number; number the post first");
  }
  // Read before the transforms: wrapping the post (from_rewrite=wrap) gives it a new header.
  const std::string message_id = message_id_of(message);
  if (context.settings.arc && services.sealer != nullptr) {
    context.incoming_arc = auth::arc::validate(message, services.resolver, context.now);
  }
  CQLIST_TRY_VOID(decorate_post(message, context));
  CQLIST_TRY_VOID(in_stage(seal_arc(message, context, services), "seal", context));
  if (!message_id.empty()) {
    if (auto remembered =
            services.store.remember_message_id(context.list.id, message_id, context.now);
        !remembered) {
      return fail(std::move(remembered.error())
                      .with_context("while remembering Message-ID <" + message_id + ">"));
    }
  }
  return message;
}

}  // namespace cqlist::list
