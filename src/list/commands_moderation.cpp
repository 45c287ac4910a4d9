// list/commands_moderation.cpp: hold notices, decisions on held posts, and moderators' replies.
//
// A hold notice carries the held post's token in its Subject ("(moderate TOKEN)"), so a
// moderator's plain reply with "approve" on its first line carries it back to NAME-request.
// The token is 128 random bits that the store keeps with the held row, which is what makes a
// reply authentic enough: From alone is easy to forge, so a decision needs both the token and
// a From that is a moderator or owner of the same list. The code works for
// moderation_code_lifetime (14 days by default); after that only `cqlist held` decides.
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "list/notices_reply.hpp"
#include "list/setting_values.hpp"

namespace cqlist::list {
namespace {

std::string state_word(const CommandSession& session, store::HeldState state) {
  switch (state) {
    case store::HeldState::approved:
      return session.say(Text::state_approved);
    case store::HeldState::rejected:
      return session.say(Text::state_rejected);
    case store::HeldState::discarded:
      return session.say(Text::state_discarded);
    case store::HeldState::waiting:
      break;
  }
  return "waiting";
}

// Tells the poster their post was rejected, with the moderator's reason.
Result<void> tell_poster(CommandDeps& deps, const store::HeldRow& held, std::string_view reason) {
  CQLIST_TRY(store::ListRow list, deps.store.list_by_id(held.list_id));
  auto settings = parse_settings(list.settings);
  const Language language = language_of(settings ? *settings : ListSettings{});
  const ListAddresses addresses = list_addresses(list);
  Notice notice;
  notice.to.push_back(held.sender);
  notice.subject = say(language, Text::rejected_subject, fmt::arg("list", addresses.posting));
  if (auto entry = deps.spool.load(held.spool_path)) {
    answer(notice, mail::Message::parse(std::move(entry->message)));
  }
  const std::string reason_text =
      reason.empty() ? std::string()
                     : say(language, Text::rejected_reason, fmt::arg("reason", reason));
  notice.body = say(language, Text::rejected_body, fmt::arg("list", addresses.posting),
                    fmt::arg("subject", held.subject), fmt::arg("reason", reason_text),
                    fmt::arg("owner", addresses.owner));
  CQLIST_TRY(std::string id, queue_notice(deps.outbox, list, notice));
  log::info("held.poster_told", {{"list", list.address()}, {"to", held.sender}, {"outbox", id}});
  return {};
}

// A code sent out longer ago than moderation_code_lifetime no longer decides: a notice
// forwarded or leaked long after the fact must not publish a post nobody looks at any more.
// A post decided already is answered as such, expired or not.
bool code_expired(const CommandSession& session, const store::HeldRow& held) {
  const auto lifetime = session.settings.moderation_code_lifetime;
  return lifetime.count() > 0 && held.state == store::HeldState::waiting &&
         session.now - held.held_at > lifetime;
}

// What the winner of a decision's claim does.
Result<void> act_on_decision(CommandDeps& deps, const store::HeldRow& held,
                             store::HeldState decision, std::string_view reason) {
  switch (decision) {
    case store::HeldState::waiting:
      break;
    case store::HeldState::approved: {
      // ListService::recover finishes an approved post still in the spool once its file is a
      // few minutes old: from now, not from when it was held, as it is being sent right now.
      std::error_code ignored;
      std::filesystem::last_write_time(deps.spool.path(held.spool_path),
                                       std::filesystem::file_time_type::clock::now(), ignored);
      // A post approved before decisions were claimed first may be numbered and its spool file
      // gone (a crash between distributing and recording): it is not sent twice.
      CQLIST_TRY(auto post, deps.store.find_post_by_spool(held.list_id, held.spool_path));
      if (!post || post->state != store::PostState::queued) {
        CQLIST_TRY_VOID(deps.distribute(held.spool_path));
      }
      break;
    }
    case store::HeldState::rejected:
      CQLIST_TRY_VOID(tell_poster(deps, held, reason));
      CQLIST_TRY_VOID(deps.spool.remove(held.spool_path));
      break;
    case store::HeldState::discarded:
      CQLIST_TRY_VOID(deps.spool.remove(held.spool_path));
      break;
  }
  return {};
}

}  // namespace

Result<std::vector<std::string>> moderators_of(store::Store& store, const store::ListRow& list) {
  constexpr std::size_t kPage = 5000;
  std::vector<std::string> moderators;
  std::vector<std::string> owners;
  std::string after;
  while (true) {
    CQLIST_TRY(auto page, store.members(list.id, after, kPage));
    for (const auto& member : page) {
      if (member.role == store::Role::moderator) {
        moderators.push_back(member.address);
      } else if (member.role == store::Role::owner) {
        owners.push_back(member.address);
      }
    }
    if (page.size() < kPage) {
      break;
    }
    after = page.back().address;
  }
  return moderators.empty() ? owners : moderators;
}

Result<void> notify_moderators(CommandDeps& deps, const store::ListRow& list,
                               const ListSettings& settings, const store::HeldRow& held) {
  CQLIST_TRY(auto recipients, moderators_of(deps.store, list));
  if (recipients.empty()) {
    return fail(Errc::not_found,
                fmt::format("{} has no moderator or owner to tell about held post {}; add one with "
                            "`cqlist members add {} ADDRESS --role owner`",
                            list.address(), held.id, list.address()));
  }
  const Language language = language_of(settings);
  const ListAddresses addresses = list_addresses(list);
  Notice notice;
  notice.to = std::move(recipients);
  notice.answers_a_message = false;
  notice.reply_to = addresses.request;
  notice.subject = say(language, Text::held_subject, fmt::arg("name", list.name),
                       fmt::arg("subject", held.subject), fmt::arg("token", held.token));
  notice.body = say(language, Text::held_body, fmt::arg("list", addresses.posting),
                    fmt::arg("sender", held.sender), fmt::arg("subject", held.subject),
                    fmt::arg("reason", held.reason), fmt::arg("request", addresses.request),
                    fmt::arg("token", held.token));
  if (auto entry = deps.spool.load(held.spool_path)) {
    notice.attached_messages.push_back(std::move(entry->message));
  } else {
    log::warn("held.attach_failed",
              {{"list", list.address()}, {"error", entry.error().describe()}});
    notice.body +=
        "\n\n" + say(language, Text::held_not_attached, fmt::arg("error", entry.error().message()));
  }
  CQLIST_TRY(std::string id, queue_notice(deps.outbox, list, notice));
  log::info("held.moderators_told", {{"list", list.address()},
                                     {"held_id", std::to_string(held.id)},
                                     {"moderators", std::to_string(notice.to.size())},
                                     {"outbox", id}});
  return {};
}

Result<void> decide_held(CommandDeps& deps, const store::HeldRow& held, store::HeldState decision,
                         std::string_view reason) {
  if (decision == store::HeldState::waiting) {
    return fail(Errc::invalid_argument, "a held post can be approved, rejected or discarded");
  }
  if (decision == store::HeldState::approved && !deps.distribute) {
    return fail(Errc::internal,
                "no distributor is set up to send approved posts (a bug in "
                "cqlist's wiring; please report it)");
  }
  // The decision is claimed before anything is done, and only the one claim that finds the post
  // waiting acts: deliveries run on a worker pool, so an approve and a reject arriving together
  // must not both distribute the post and tell the poster, nor delete the spool file while it
  // is being distributed.
  if (auto claimed = deps.store.decide_held(held.id, decision); !claimed) {
    if (claimed.error().code() == Errc::invalid_argument) {
      return fail(Errc::invalid_argument,
                  fmt::format("held post {} was decided already; nothing was changed", held.id));
    }
    return claimed;
  }
  auto acted = act_on_decision(deps, held, decision, reason);
  if (!acted) {
    Error error = std::move(acted.error());
    // Errc::invalid_argument tells the callers that another decision came first.
    if (error.code() == Errc::invalid_argument) {
      error = Error(Errc::internal, error.describe());
    }
    return fail(std::move(error).with_context(
        decision == store::HeldState::approved
            ? fmt::format("held post {} is approved all the same, and the cqlist daemon sends "
                          "it within a few minutes",
                          held.id)
            : fmt::format("held post {} is {} all the same", held.id,
                          store::held_state_name(decision))));
  }
  log::info("held.decided", {{"held_id", std::to_string(held.id)},
                             {"decision", store::held_state_name(decision)},
                             {"reason", reason}});
  return {};
}

Result<void> run_moderation(CommandSession& session, std::string_view word, std::string_view token,
                            std::string_view reason) {
  CQLIST_TRY(auto member, session.member(session.requester));
  if (!member || member->role == store::Role::member) {
    log::warn("held.decision_refused",
              {{"list", session.list.address()}, {"requester", session.requester}});
    session.add(session.say(Text::moderation_denied, fmt::arg("list", session.addresses.posting),
                            fmt::arg("address", session.requester)));
    return {};
  }
  auto held = session.deps.store.held_by_token(token);
  if (!held && held.error().code() != Errc::not_found) {
    return fail(std::move(held.error()));
  }
  if (!held || held->list_id != session.list.id) {
    session.add(session.say(Text::moderation_unknown, fmt::arg("list", session.addresses.posting),
                            fmt::arg("token", token)));
    return {};
  }
  if (code_expired(session, *held)) {
    log::info("held.code_expired", {{"list", session.list.address()},
                                    {"held_id", std::to_string(held->id)},
                                    {"requester", session.requester}});
    const auto lifetime =
        static_cast<std::uint64_t>(session.settings.moderation_code_lifetime.count());
    session.add(session.say(Text::moderation_expired, fmt::arg("token", token),
                            fmt::arg("subject", held->subject), fmt::arg("sender", held->sender),
                            fmt::arg("lifetime", setting_values::format_duration(lifetime)),
                            fmt::arg("id", held->id)));
    return {};
  }
  const store::HeldState decision = word == "approve"  ? store::HeldState::approved
                                    : word == "reject" ? store::HeldState::rejected
                                                       : store::HeldState::discarded;
  auto decided = decide_held(session.deps, *held, decision, reason);
  if (!decided) {
    if (decided.error().code() == Errc::invalid_argument) {
      auto now = session.deps.store.held_by_id(held->id);
      const std::string state = state_word(session, now ? now->state : held->state);
      session.add(session.say(Text::moderation_already, fmt::arg("subject", held->subject),
                              fmt::arg("sender", held->sender), fmt::arg("state", state)));
      return {};
    }
    log::error("held.decision_failed", {{"list", session.list.address()},
                                        {"held_id", std::to_string(held->id)},
                                        {"error", decided.error().describe()}});
    // Once the decision is recorded a retry of this mail would only hear "decided already":
    // the moderator is told what stands now.
    auto now = session.deps.store.held_by_id(held->id);
    const store::HeldState state = now ? now->state : store::HeldState::waiting;
    if (state == store::HeldState::approved) {
      session.add(session.say(Text::moderation_approved_later, fmt::arg("subject", held->subject),
                              fmt::arg("sender", held->sender),
                              fmt::arg("error", decided.error().message())));
      return {};
    }
    if (state != store::HeldState::waiting) {
      session.add(session.say(Text::moderation_unfinished, fmt::arg("subject", held->subject),
                              fmt::arg("sender", held->sender),
                              fmt::arg("state", state_word(session, state)),
                              fmt::arg("error", decided.error().message())));
      return {};
    }
    if (is_unavailable(decided.error())) {
      return decided;
    }
    session.add(session.say(Text::moderation_failed, fmt::arg("subject", held->subject),
                            fmt::arg("error", decided.error().message())));
    return {};
  }
  const Text said = decision == store::HeldState::approved   ? Text::moderation_approved
                    : decision == store::HeldState::rejected ? Text::moderation_rejected
                                                             : Text::moderation_discarded;
  session.add(
      session.say(said, fmt::arg("subject", held->subject), fmt::arg("sender", held->sender)));
  return {};
}

}  // namespace cqlist::list
