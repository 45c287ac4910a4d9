// list/delivery.hpp: turning recorded delivery jobs into signed copies handed to the MTA.
//
// Owns: building each copy from the archived article (per-recipient List-Unsubscribe link and
// bounce address when the list personalises, else one copy per job), DKIM signing it with the
// list's keys (the body hash is computed once per article and shared by every copy), choosing
// the envelope (Postfix XVERP for a whole batch when the relay offers it, otherwise one
// envelope per recipient so each carries its own authenticated bounce address), and recording
// the result: done when the MTA said 250 to the data, deferred with backoff when it could not
// be reached or answered 4xx, failed after three days of that.
//
// A job is never marked done before the MTA has the mail, so no member is skipped. What the
// MTA accepted is appended to the delivery journal the moment it says so (delivery_journal.hpp),
// so a crash before the store's record does not send the batch again either.
//
// The transport is an interface because list/ may not know the SMTP client (server/); the
// daemon plugs server::SmtpClientPool in (cli/serve.cpp), tests plug in a real smtp-sink too.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "list/archive.hpp"
#include "list/delivery_journal.hpp"
#include "list/signing.hpp"
#include "list/spool.hpp"
#include "list/token.hpp"
#include "mail/smtp_reply.hpp"
#include "store/store.hpp"

namespace cqlist::list {

struct OutboundMessage {
  std::string mail_from;
  bool xverp = false;
  std::vector<std::string> recipients;
  std::string data;  // CRLF line endings
};

struct SendOutcome {
  bool accepted = false;  // the MTA took the data (2xx after DATA)
  // MAIL went through but every RCPT was refused, so no data was sent: `reply` is the first
  // RCPT refusal, and each recipient's own reply says whether to try it again.
  bool recipients_refused = false;
  mail::SmtpReply reply;  // the deciding reply (data, or the MAIL/RCPT refusal)
  std::vector<mail::SmtpReply> recipient_replies;  // one per recipient
};

class MailTransport {
 public:
  virtual ~MailTransport() = default;
  // Errc::temporary when the MTA could not be reached or the connection broke.
  virtual Result<SendOutcome> send(const OutboundMessage& message) = 0;
  virtual bool offers_xverp() = 0;

  // Sends messages one after another on one connection (see server::SmtpConnection::send_stream):
  // every message `next` returns gets exactly one `done`, in order; done returns false to stop.
  virtual Result<void> send_stream(
      const std::function<std::optional<OutboundMessage>()>& next,
      const std::function<bool(const OutboundMessage&, Result<SendOutcome>)>& done) {
    while (std::optional<OutboundMessage> message = next()) {
      if (!done(*message, send(*message))) {
        break;
      }
    }
    return {};
  }
};

struct DeliveryServices {
  store::Store& store;
  Archive& archive;
  Spool& outbox;  // replies and notices waiting for the MTA ("out-" entries)
  MailTransport& transport;
  KeyRing& keys;
  const TokenSigner& tokens;
  DeliveryJournal* journal = nullptr;  // null: no journal (then a crash may repeat a batch)
};

// Queues a message that is not an article (a command reply, a confirmation, a moderator
// notice, a post forwarded to the owners) durably in the outbox. `data` gets DKIM-signed for
// `list` when sent. An empty mail_from is the null sender (replies to commands: RFC 3834).
Result<std::string> queue_outbox(Spool& outbox, const store::ListRow& list,
                                 std::string_view mail_from,
                                 const std::vector<std::string>& recipients, std::string_view data);

class Deliverer {
 public:
  explicit Deliverer(DeliveryServices services) : services_(services) {}

  // Which jobs run_due takes: those whose retry time has come, or every pending one (the
  // operator's flush once the cause of a deferral is fixed, as `postqueue -f`).
  enum class Pick { due, all_pending };

  // Claims and delivers due jobs and outbox entries until none is left; several threads may
  // call it at once (a job is claimed by one of them). A job deferred by this call is not
  // tried again by it, whatever `pick` says. Returns how many were handled.
  Result<std::size_t> run_due(std::chrono::system_clock::time_point now, Pick pick = Pick::due);

  // One job: sends and records the outcome in the store. A job that cannot be sent (its
  // list's key is unreadable, its article missing, the relay down) is deferred with backoff
  // and fails after about three days; an error is returned only when the store cannot record
  // even that.
  Result<void> deliver(const store::DeliveryJob& job, std::chrono::system_clock::time_point now);
  // One outbox entry: removed once every recipient is settled; recipients refused for now stay
  // in it for the next run (Errc::temporary), and nobody the MTA took gets it twice.
  Result<void> deliver_outbox(const std::string& id);

 private:
  Result<void> send_job(const store::DeliveryJob& job, std::chrono::system_clock::time_point now,
                        std::optional<Result<void>>& stopped);
  // Retry later with backoff, or fail the job once it has been tried for about three days.
  Result<void> defer_or_fail(const store::DeliveryJob& job, std::string_view list,
                             const std::string& error, std::chrono::system_clock::time_point now);
  bool claim(store::Id job_id, std::chrono::system_clock::time_point now);
  void release(store::Id job_id);
  // deliver() notes until when a job it handled needs no attention (max: done or failed; the
  // retry time: deferred), before its claim is released.
  void settle(store::Id job_id, std::chrono::system_clock::time_point until);
  bool claim_outbox(const std::string& id);
  void release_outbox(const std::string& id);

  DeliveryServices services_;
  std::mutex mutex_;
  std::mutex replay_mutex_;  // held while the journal is replayed, before any job is sent
  bool journal_replayed_ = false;
  std::set<store::Id> claimed_jobs_;
  std::map<store::Id, std::chrono::system_clock::time_point> settled_;
  std::set<std::string> claimed_outbox_;
};

}  // namespace cqlist::list
