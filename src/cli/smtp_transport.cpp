// cli/smtp_transport.cpp: one list copy -> one SMTP transaction.
#include "cli/smtp_transport.hpp"

namespace cqlist::cli {

Result<list::SendOutcome> SmtpTransport::send(const list::OutboundMessage& message) {
  server::OutgoingMessage outgoing{message.mail_from, message.xverp, message.recipients,
                                   message.data};
  CQLIST_TRY(server::TransactionResult result, pool_.send(outgoing));
  list::SendOutcome outcome;
  outcome.accepted = result.accepted();
  outcome.recipient_replies = result.rcpt_replies;
  if (!result.mail_reply.success()) {
    outcome.reply = result.mail_reply;
  } else if (result.data_reply.code != 0) {
    outcome.reply = result.data_reply;
  } else {
    // No recipient was taken, so DATA never ran: the first refusal says why.
    for (const auto& reply : result.rcpt_replies) {
      if (!reply.success()) {
        outcome.reply = reply;
        break;
      }
    }
  }
  return outcome;
}

bool SmtpTransport::offers_xverp() {
  std::lock_guard lock(mutex_);
  if (!xverp_) {
    auto offered = pool_.offers("XVERP");
    if (!offered) {
      return false;
    }
    xverp_ = *offered;
  }
  return *xverp_;
}

namespace {

server::SmtpRelayConfig relay_config(const ServerConfig& config) {
  server::SmtpRelayConfig relay;
  relay.host = config.relay_host;
  relay.port = config.relay_port;
  relay.helo_name = config.hostname;
  relay.starttls = config.relay_starttls;
  relay.max_connections = config.relay_max_connections;
  return relay;
}

}  // namespace

RelayDelivery::RelayDelivery(Runtime& runtime)
    : transport_(relay_config(runtime.config)),
      journal_(runtime.config.data_dir / "delivered.journal"),
      deliverer_({*runtime.store, *runtime.archive, *runtime.outbox, transport_, *runtime.keys,
                  *runtime.tokens, &journal_}) {}

}  // namespace cqlist::cli
