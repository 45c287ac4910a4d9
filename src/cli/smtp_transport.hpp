// cli/smtp_transport.hpp: list::MailTransport on top of server::SmtpClientPool.
//
// The adapter lives in cli/ because list/ may not know the SMTP client and server/ may not
// know lists; this is where the two meet (the composition root).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "cli/runtime.hpp"
#include "list/delivery.hpp"
#include "list/delivery_journal.hpp"
#include "server/smtp_client.hpp"

namespace cqlist::cli {

class SmtpTransport : public list::MailTransport {
 public:
  explicit SmtpTransport(server::SmtpRelayConfig config) : pool_(std::move(config)) {}

  Result<list::SendOutcome> send(const list::OutboundMessage& message) override;
  // One pooled connection for the whole stream, each copy pipelined behind the one before.
  Result<void> send_stream(const std::function<std::optional<list::OutboundMessage>()>& next,
                           const std::function<bool(const list::OutboundMessage&,
                                                    Result<list::SendOutcome>)>& done) override;
  // Asked once; a relay that cannot be reached now is asked again next time.
  bool offers_xverp() override;

  void close() { pool_.close_all(); }

 private:
  server::SmtpClientPool pool_;
  std::mutex mutex_;
  std::optional<bool> xverp_;
};

// The delivery side of a data directory: the relay from [relay], the journal, the Deliverer.
// `serve` and `deliver` both send through this, so they cannot drift apart.
class RelayDelivery {
 public:
  explicit RelayDelivery(Runtime& runtime);

  list::Deliverer& deliverer() { return deliverer_; }

  void close() { transport_.close(); }

 private:
  SmtpTransport transport_;
  list::DeliveryJournal journal_;
  list::Deliverer deliverer_;
};

}  // namespace cqlist::cli
