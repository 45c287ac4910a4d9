// cli/smtp_transport.cpp: one list copy -> one SMTP transaction.
#include "cli/smtp_transport.hpp"

#include <deque>
#include <functional>
#include <optional>
#include <utility>

namespace cqlist::cli {

namespace {

server::OutgoingMessage to_outgoing(const list::OutboundMessage& message) {
  return {message.mail_from, message.xverp, message.recipients, message.data};
}

list::SendOutcome to_outcome(const server::TransactionResult& result) {
  list::SendOutcome outcome;
  outcome.accepted = result.accepted();
  outcome.recipients_refused = result.every_recipient_refused();
  outcome.reply = result.deciding_reply();
  outcome.recipient_replies = result.rcpt_replies;
  return outcome;
}

}  // namespace

Result<list::SendOutcome> SmtpTransport::send(const list::OutboundMessage& message) {
  CQLIST_TRY(server::TransactionResult result, pool_.send(to_outgoing(message)));
  return to_outcome(result);
}

Result<void> SmtpTransport::send_stream(
    const std::function<std::optional<list::OutboundMessage>()>& next,
    const std::function<bool(const list::OutboundMessage&, Result<list::SendOutcome>)>& done) {
  // The pool reports its own copies in the order they were fetched, so the caller's messages
  // wait here in that order to be handed back with their outcomes.
  std::deque<list::OutboundMessage> fetched;
  auto fetch = [&]() -> std::optional<server::OutgoingMessage> {
    std::optional<list::OutboundMessage> message = next();
    if (!message) {
      return std::nullopt;
    }
    fetched.push_back(std::move(*message));
    return to_outgoing(fetched.back());
  };
  auto report = [&](const server::OutgoingMessage&, Result<server::TransactionResult> result) {
    list::OutboundMessage message = std::move(fetched.front());
    fetched.pop_front();
    if (!result) {
      return done(message, fail(result.error()));
    }
    return done(message, to_outcome(*result));
  };
  return pool_.send_stream(fetch, report);
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
