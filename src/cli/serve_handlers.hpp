// cli/serve_handlers.hpp: the daemon's handlers for the protocol adapters of server/.
//
// LmtpAdapter turns LMTP transactions into list::ListService calls (one reply per recipient);
// PolicyAdapter turns Postfix policy requests into list::PostingGate decisions; HttpAdapter answers
// /health, /metrics (Prometheus text format), the RFC 8058 one-click unsubscribe POST and the
// links of subscribe/unsubscribe confirmation requests (/confirm). The web archive and
// subscription pages will live in web/.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "list/posting_gate.hpp"
#include "list/service.hpp"
#include "list/token.hpp"
#include "server/http/http_server.hpp"
#include "server/lmtp_server.hpp"
#include "server/policy_server.hpp"
#include "store/store.hpp"

namespace cqlist::cli {

struct Metrics {
  std::atomic<std::uint64_t> lmtp_messages{0};
  std::atomic<std::uint64_t> lmtp_recipients_accepted{0};
  std::atomic<std::uint64_t> lmtp_recipients_refused{0};
  std::atomic<std::uint64_t> lmtp_recipients_deferred{0};
  std::atomic<std::uint64_t> unsubscribes{0};
  std::atomic<std::uint64_t> policy_requests{0};
  std::atomic<std::uint64_t> policy_refusals{0};
};

class LmtpAdapter : public server::LmtpHandler {
 public:
  LmtpAdapter(list::ListService& service, Metrics& metrics, std::function<void()> on_queued)
      : service_(service), metrics_(metrics), on_queued_(std::move(on_queued)) {}

  mail::SmtpReply check_recipient(const server::Envelope& envelope,
                                  std::string_view recipient) override;
  std::vector<mail::SmtpReply> deliver(const server::Envelope& envelope,
                                       std::string message) override;

 private:
  list::ListService& service_;
  Metrics& metrics_;
  std::function<void()> on_queued_;
};

class PolicyAdapter : public server::PolicyHandler {
 public:
  PolicyAdapter(list::PostingGate& gate, Metrics& metrics) : gate_(gate), metrics_(metrics) {}

  std::string decide(const server::PolicyRequest& request) override;

 private:
  list::PostingGate& gate_;
  Metrics& metrics_;
};

class HttpAdapter : public server::HttpHandler {
 public:
  // on_queued: a confirmation queued a welcome or goodbye mail (wakes the delivery workers).
  HttpAdapter(store::Store& store, const list::TokenSigner& tokens, Metrics& metrics,
              list::ListService& service, std::function<void()> on_queued)
      : store_(store),
        tokens_(tokens),
        metrics_(metrics),
        service_(service),
        on_queued_(std::move(on_queued)) {}

  server::HttpResponse handle(const server::HttpRequest& request) override;

 private:
  server::HttpResponse unsubscribe(const server::HttpRequest& request);
  server::HttpResponse confirm(const server::HttpRequest& request);
  server::HttpResponse metrics_page();

  store::Store& store_;
  const list::TokenSigner& tokens_;
  Metrics& metrics_;
  list::ListService& service_;
  std::function<void()> on_queued_;
};

}  // namespace cqlist::cli
