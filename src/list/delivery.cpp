// list/delivery.cpp: copies, signatures, envelopes and the job bookkeeping.
#include "list/delivery.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "auth/dkim/canonicalize.hpp"
#include "base/log.hpp"
#include "list/digest.hpp"
#include "list/personal_copies.hpp"
#include "list/settings.hpp"
#include "list/verp.hpp"
#include "mail/message.hpp"

namespace cqlist::list {
namespace {

using Clock = std::chrono::system_clock;

// Postfix is local: when it is down, retry soon, then back off to hourly. The job keeps no
// creation time (not_before moves with each retry), so the three days a mail queue would keep
// trying are counted in attempts: about an hour of fast retries, then one an hour.
constexpr int kMaxAttempts = 78;

Clock::time_point retry_time(Clock::time_point now, int attempts) {
  auto delay = std::chrono::seconds(30) * (1 << std::min(attempts, 7));
  return now + std::min<Clock::duration>(delay, std::chrono::hours(1));
}

Result<std::string> signed_bytes(mail::Message message, const ListSigning& signing,
                                 auth::dkim::BodyHashCache& body_hashes, Clock::time_point now) {
  if (signing.dkim) {
    CQLIST_TRY(auto values, signing.dkim->sign(message, body_hashes, now));
    // The first key's signature goes on top (Signer::sign_in_place's order).
    for (auto value = values.rbegin(); value != values.rend(); ++value) {
      message.add_top("DKIM-Signature", *value);
    }
  }
  return message.serialize();
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    out += line;
    out += '\n';
  }
  return out;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty()) {
      out.emplace_back(line);
    }
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  return out;
}

}  // namespace

Result<std::string> queue_outbox(Spool& outbox, const store::ListRow& list,
                                 std::string_view mail_from,
                                 const std::vector<std::string>& recipients,
                                 std::string_view data) {
  return outbox.add({{"list_id", std::to_string(list.id)},
                     {"mail_from", std::string(mail_from)},
                     {"recipients", join_lines(recipients)}},
                    data, "out");
}

bool Deliverer::claim(store::Id job_id, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  // A list of due jobs read by one worker can be stale by the time it gets to a job that
  // another worker has just finished: the job must not go out twice.
  if (auto settled = settled_.find(job_id); settled != settled_.end()) {
    if (now < settled->second) {
      return false;
    }
    settled_.erase(settled);
  }
  return claimed_jobs_.insert(job_id).second;
}

void Deliverer::release(store::Id job_id) {
  std::lock_guard lock(mutex_);
  claimed_jobs_.erase(job_id);
}

void Deliverer::settle(store::Id job_id, Clock::time_point until) {
  std::lock_guard lock(mutex_);
  settled_[job_id] = until;
}

bool Deliverer::claim_outbox(const std::string& id) {
  std::lock_guard lock(mutex_);
  return claimed_outbox_.insert(id).second;
}

void Deliverer::release_outbox(const std::string& id) {
  std::lock_guard lock(mutex_);
  claimed_outbox_.erase(id);
}

Result<std::size_t> Deliverer::run_due(Clock::time_point now, Pick pick) {
  const Clock::time_point due_by = pick == Pick::all_pending ? Clock::time_point::max() : now;
  if (services_.journal != nullptr) {
    std::lock_guard lock(replay_mutex_);
    if (!journal_replayed_) {
      CQLIST_TRY_VOID(services_.journal->replay(services_.store, [&](std::string_view id) {
        return std::filesystem::exists(services_.outbox.path(id));
      }));
      journal_replayed_ = true;
    }
  }
  std::size_t handled = 0;
  CQLIST_TRY(auto outbox_ids, services_.outbox.ids("out"));
  for (const auto& id : outbox_ids) {
    if (!claim_outbox(id)) {
      continue;
    }
    auto sent = deliver_outbox(id);
    release_outbox(id);
    if (!sent) {
      log::warn("outbox.deferred", {{"id", id}, {"error", sent.error().describe()}});
    }
    ++handled;
  }
  while (true) {
    // Enough to see past the jobs other workers hold, few enough that memory does not grow
    // with the list (each job carries its batch of recipients).
    std::size_t limit = 8;
    {
      std::lock_guard lock(mutex_);
      limit += claimed_jobs_.size();
      if (pick == Pick::all_pending) {
        // The jobs this call deferred are still pending and come first again: look past them.
        limit += settled_.size();
      }
    }
    CQLIST_TRY(auto jobs, services_.store.due_jobs(due_by, limit));
    std::size_t claimed_here = 0;
    for (const auto& job : jobs) {
      if (!claim(job.id, now)) {
        continue;
      }
      ++claimed_here;
      auto done = deliver(job, now);
      release(job.id);
      if (!done) {
        return fail(std::move(done.error()));  // the store cannot record outcomes
      }
      ++handled;
    }
    if (claimed_here == 0) {
      return handled;
    }
  }
}

Result<void> Deliverer::defer_or_fail(const store::DeliveryJob& job, std::string_view list,
                                      const std::string& error, Clock::time_point now) {
  Result<void> recorded;
  if (job.attempts + 1 >= kMaxAttempts) {
    log::error(
        "delivery.failed",
        {{"list", std::string(list)}, {"article", std::to_string(job.article)}, {"error", error}});
    settle(job.id, Clock::time_point::max());
    recorded = services_.store.fail_job(job.id, error);
  } else {
    log::warn("delivery.deferred", {{"list", std::string(list)},
                                    {"article", std::to_string(job.article)},
                                    {"attempts", std::to_string(job.attempts + 1)},
                                    {"error", error}});
    // Copies the MTA already took are in the journal and are skipped on the retry.
    settle(job.id, retry_time(now, job.attempts));
    recorded = services_.store.defer_job(job.id, error, retry_time(now, job.attempts));
  }
  if (!recorded && recorded.error().code() == Errc::not_found) {
    return {};  // the list was deleted meanwhile, and its jobs with it
  }
  return recorded;
}

Result<void> Deliverer::deliver(const store::DeliveryJob& job, Clock::time_point now) {
  std::optional<Result<void>> stopped;  // set when the job was deferred or failed
  Result<void> sent = send_job(job, now, stopped);
  if (sent || stopped) {
    return sent;
  }
  // Nothing could be sent (an unreadable key, a missing article...): this job waits with
  // backoff, and the jobs of every other list go on.
  std::string list = fmt::format("list id {}", job.list_id);
  if (auto row = services_.store.list_by_id(job.list_id)) {
    list = row->address();
  }
  return defer_or_fail(job, list, sent.error().describe(), now);
}

Result<void> Deliverer::send_job(const store::DeliveryJob& job, Clock::time_point now,
                                 std::optional<Result<void>>& stopped) {
  CQLIST_TRY(store::ListRow list, services_.store.list_by_id(job.list_id));
  CQLIST_TRY(ListSettings settings, parse_settings(list.settings));
  CQLIST_TRY(auto signing, services_.keys.for_list(list, settings));
  // A digest's jobs carry its issue as a negative article number (list/digest.hpp).
  CQLIST_TRY(std::string article_bytes, job.article < 0
                                            ? read_digest(services_.archive, list, -job.article)
                                            : services_.archive.read(list, job.article));
  mail::Message article = mail::Message::parse(std::move(article_bytes));
  auth::dkim::BodyHashCache body_hashes(article.body());

  // Each copy goes to the MTA as soon as it is signed, so signing and the network overlap
  // across workers and no batch of copies is held in memory.
  std::size_t transactions = 0;
  std::size_t refused = 0;
  auto stop = [&](const std::string& error) {
    stopped = defer_or_fail(job, list.address(), error, now);
  };
  // Recipients the MTA refused for now (4xx to RCPT) while the rest of their transaction went
  // through: the job is retried for them alone once this attempt ends.
  std::size_t refused_for_now = 0;
  std::string refused_for_now_reply;
  auto journal_recipient = [&](const std::string& recipient) {
    if (services_.journal == nullptr) {
      return;
    }
    if (auto journaled = services_.journal->record_recipient(job.id, recipient); !journaled) {
      log::warn("delivery.journal_failed", {{"error", journaled.error().describe()}});
    }
  };
  // Whether to go on. After a stop, copies still in flight are only journaled when the MTA
  // took them, so the retry skips them.
  auto record = [&](const OutboundMessage& transaction, const Result<SendOutcome>& outcome) {
    bool per_recipient = outcome && (outcome->accepted || outcome->recipients_refused);
    if (!outcome || (!per_recipient && !outcome->reply.permanent())) {
      // The connection, MAIL, DATA or the final reply failed for now: all of it again later.
      if (!stopped) {
        stop(outcome ? outcome->reply.text() : outcome.error().describe());
      }
      return false;
    }
    ++transactions;
    std::vector<bool> settled(transaction.recipients.size(), true);
    bool all_settled = true;
    for (std::size_t i = 0; i < transaction.recipients.size(); ++i) {
      if (i >= outcome->recipient_replies.size() || outcome->recipient_replies[i].success()) {
        continue;
      }
      const mail::SmtpReply& reply = outcome->recipient_replies[i];
      bool later = per_recipient && reply.transient();
      if (later) {
        settled[i] = all_settled = false;
        if (refused_for_now++ == 0) {
          refused_for_now_reply = fmt::format("{} {}", reply.code, reply.text());
        }
      } else {
        ++refused;
      }
      log::warn("delivery.refused", {{"list", list.address()},
                                     {"recipient", transaction.recipients[i]},
                                     {"reply", reply.text()},
                                     {"retry", later ? "yes" : "no"}});
    }
    if (transaction.xverp && all_settled && services_.journal != nullptr) {
      if (auto journaled = services_.journal->record_job(job.id); !journaled) {
        log::warn("delivery.journal_failed", {{"error", journaled.error().describe()}});
      }
    } else {
      // One line per recipient that needs no other try; a whole-job line would skip the rest.
      for (std::size_t i = 0; i < transaction.recipients.size(); ++i) {
        if (settled[i]) {
          journal_recipient(transaction.recipients[i]);
        }
      }
    }
    return !stopped;
  };

  std::set<std::string> already_accepted;
  if (services_.journal != nullptr) {
    already_accepted = services_.journal->accepted(job.id);
  }
  bool personal = sends_personal_copies(settings);
  bool batched = !personal && services_.transport.offers_xverp();
  if (batched) {
    std::vector<std::string> recipients;
    for (const auto& recipient : job.recipients) {
      if (!already_accepted.contains(recipient)) {
        recipients.push_back(recipient);  // the others were taken by an earlier attempt
      }
    }
    if (!recipients.empty()) {
      CQLIST_TRY(std::string data, signed_bytes(article, *signing, body_hashes, now));
      OutboundMessage transaction{xverp_bounce_sender(services_.tokens, list, job.article), true,
                                  std::move(recipients), std::move(data)};
      if (!record(transaction, services_.transport.send(transaction))) {
        return std::move(*stopped);
      }
    }
  } else {
    std::optional<std::string> shared_data;
    std::optional<PersonalCopies> personal_copies;
    if (personal) {
      CQLIST_TRY(personal_copies, PersonalCopies::create(article, list, settings, services_.tokens,
                                                         signing->dkim ? &*signing->dkim : nullptr,
                                                         body_hashes, now));
    }
    // One envelope per recipient, streamed: each transaction's commands go out with the
    // previous copy's end, so a copy costs one round trip to the MTA.
    auto copy_for = [&](const std::string& to) -> Result<std::string> {
      if (personal_copies) {
        return personal_copies->copy_for(to);
      }
      if (!shared_data) {
        CQLIST_TRY(shared_data, signed_bytes(article, *signing, body_hashes, now));
      }
      return *shared_data;
    };
    auto recipient = job.recipients.begin();
    std::optional<Error> unmade;  // a copy that could not be made ends the job's stream
    auto next_copy = [&]() -> std::optional<OutboundMessage> {
      while (recipient != job.recipients.end() && already_accepted.contains(*recipient)) {
        ++recipient;  // the MTA took this copy in an earlier attempt, maybe before a crash
      }
      if (recipient == job.recipients.end()) {
        return std::nullopt;
      }
      const std::string& to = *recipient++;
      Result<std::string> data = copy_for(to);
      if (!data) {
        unmade = std::move(data.error());
        return std::nullopt;
      }
      return OutboundMessage{
          personal_bounce_address(services_.tokens, list, to), false, {to}, std::move(*data)};
    };
    auto streamed = services_.transport.send_stream(next_copy, record);
    if (!streamed && !stopped) {
      stop(streamed.error().describe());
    }
    if (stopped) {
      return std::move(*stopped);
    }
    if (unmade) {
      return fail(std::move(*unmade));
    }
  }
  if (refused_for_now > 0) {
    stop(fmt::format("{} recipient{} refused for now, to be tried again: {}", refused_for_now,
                     refused_for_now == 1 ? "" : "s", refused_for_now_reply));
    return std::move(*stopped);
  }
  log::info("delivery.sent", {{"list", list.address()},
                              {"article", std::to_string(job.article)},
                              {"job", std::to_string(job.id)},
                              {"recipients", std::to_string(job.recipients.size())},
                              {"transactions", std::to_string(transactions)},
                              {"refused", std::to_string(refused)}});
  settle(job.id, Clock::time_point::max());
  if (services_.journal != nullptr && !batched) {
    (void)services_.journal->record_job(job.id);
  }
  return services_.store.mark_job_done(job.id);
}

// Each recipient of an entry is settled on its own, as the recipients of a job are: those the
// MTA takes are journaled at once and never sent the entry again (even after a crash before
// the entry is rewritten), those refused for now (4xx) stay in the entry for the next run, and
// those refused for good (5xx) are logged and dropped without taking the others with them.
Result<void> Deliverer::deliver_outbox(const std::string& id) {
  CQLIST_TRY(SpoolEntry entry, services_.outbox.load(id));
  std::vector<std::string> recipients = split_lines(entry.envelope["recipients"]);
  if (services_.journal != nullptr) {
    std::set<std::string> accepted = services_.journal->outbox_accepted(id);
    std::erase_if(recipients, [&](const std::string& to) { return accepted.contains(to); });
  }
  auto remove_entry = [&]() -> Result<void> {
    CQLIST_TRY_VOID(services_.outbox.remove(id));
    if (services_.journal != nullptr) {
      if (auto journaled = services_.journal->record_outbox_removed(id); !journaled) {
        log::warn("outbox.journal_failed", {{"error", journaled.error().describe()}});
      }
    }
    return {};
  };
  if (recipients.empty()) {
    return remove_entry();  // every copy went out before a crash cut the bookkeeping short
  }
  CQLIST_TRY(store::Id list_id, entry.list_id());
  CQLIST_TRY(store::ListRow list, services_.store.list_by_id(list_id));
  CQLIST_TRY(ListSettings settings, parse_settings(list.settings));
  CQLIST_TRY(auto signing, services_.keys.for_list(list, settings));
  mail::Message message = mail::Message::parse(entry.message);
  auth::dkim::BodyHashCache body_hashes(message.body());
  CQLIST_TRY(std::string data, signed_bytes(message, *signing, body_hashes, Clock::now()));
  OutboundMessage outbound{entry.envelope["mail_from"], false, recipients, std::move(data)};
  CQLIST_TRY(SendOutcome outcome, services_.transport.send(outbound));
  const bool per_recipient = outcome.accepted || outcome.recipients_refused;
  if (!per_recipient && !outcome.reply.permanent()) {
    return fail(Errc::temporary, "the MTA did not take the message: " + outcome.reply.text());
  }
  if (!per_recipient) {
    log::warn("outbox.refused", {{"id", id}, {"reply", outcome.reply.text()}});
    return remove_entry();
  }
  std::vector<std::string> later;
  std::string later_reply;
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    const bool replied = i < outcome.recipient_replies.size();
    const mail::SmtpReply& reply = replied ? outcome.recipient_replies[i] : outcome.reply;
    if (outcome.accepted && (!replied || reply.success())) {
      if (services_.journal != nullptr) {
        if (auto journaled = services_.journal->record_outbox_recipient(id, recipients[i]);
            !journaled) {
          log::warn("outbox.journal_failed", {{"error", journaled.error().describe()}});
        }
      }
      continue;
    }
    if (reply.transient()) {
      later.push_back(recipients[i]);
      if (later_reply.empty()) {
        later_reply = fmt::format("{} {}", reply.code, reply.text());
      }
    }
    log::warn("outbox.refused", {{"id", id},
                                 {"recipient", recipients[i]},
                                 {"reply", reply.text()},
                                 {"retry", reply.transient() ? "yes" : "no"}});
  }
  if (later.empty()) {
    return remove_entry();
  }
  entry.envelope["recipients"] = join_lines(later);
  CQLIST_TRY_VOID(services_.outbox.replace(entry));
  return fail(Errc::temporary,
              fmt::format("{} recipient{} refused for now, to be tried again: {}", later.size(),
                          later.size() == 1 ? "" : "s", later_reply));
}

}  // namespace cqlist::list
