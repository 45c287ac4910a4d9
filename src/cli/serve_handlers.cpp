// cli/serve_handlers.cpp: LMTP transactions to ListService, policy requests to PostingGate,
// and the daemon's HTTP endpoints.
#include "cli/serve_handlers.hpp"

#include <fmt/format.h>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "cli/runtime.hpp"
#include "list/unsubscribe_link.hpp"

namespace cqlist::cli {
namespace {

server::HttpResponse html_response(int status, std::string_view title, std::string body) {
  server::HttpResponse response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body =
      fmt::format("<!doctype html><meta charset=utf-8><title>{}</title>{}\n", title, body);
  return response;
}

server::HttpResponse text_response(int status, std::string body) {
  server::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace

mail::SmtpReply LmtpAdapter::check_recipient(const server::Envelope&, std::string_view recipient) {
  return service_.check_recipient(recipient);
}

std::vector<mail::SmtpReply> LmtpAdapter::deliver(const server::Envelope& envelope,
                                                  std::string message) {
  metrics_.lmtp_messages++;
  list::InboundEnvelope inbound;
  inbound.mail_from = envelope.mail_from;
  inbound.helo = envelope.client_helo;
  if (auto ip = IpAddress::parse(envelope.client_address)) {
    inbound.client_ip = *ip;
  }
  std::vector<mail::SmtpReply> replies;
  for (const auto& recipient : envelope.recipients) {
    inbound.recipient = recipient;
    replies.push_back(service_.receive(inbound, message));
    const auto& reply = replies.back();
    if (reply.success()) {
      metrics_.lmtp_recipients_accepted++;
    } else if (reply.transient()) {
      metrics_.lmtp_recipients_deferred++;
    } else {
      metrics_.lmtp_recipients_refused++;
    }
  }
  on_queued_();
  return replies;
}

server::HttpResponse HttpAdapter::handle(const server::HttpRequest& request) {
  if (request.path == "/health") {
    return text_response(200, "ok\n");
  }
  if (request.path == "/metrics" && request.method == "GET") {
    return metrics_page();
  }
  // Behind the operator's proxy the link may carry the list's web path (web_url), e.g.
  // /ham/unsubscribe: the query names the list, so any path ending in /unsubscribe will do.
  if (request.path == "/unsubscribe" || request.path.ends_with("/unsubscribe")) {
    return unsubscribe(request);
  }
  if (request.path == "/confirm" || request.path.ends_with("/confirm")) {
    return confirm(request);
  }
  return text_response(404, "not found\n");
}

std::string PolicyAdapter::decide(const server::PolicyRequest& request) {
  metrics_.policy_requests++;
  // SMTPD_POLICY_README: the only request type Postfix sends; another would be a new protocol.
  if (request.get("request") != "smtpd_access_policy") {
    return "DUNNO";
  }
  list::GateDecision decision =
      gate_.decide({request.get("protocol_state"), request.get("recipient"), request.get("sender"),
                    request.get("client_address"), request.get("helo_name")});
  if (decision.refuse) {
    metrics_.policy_refusals++;
  }
  return decision.action;
}

server::HttpResponse HttpAdapter::metrics_page() {
  server::HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    response.body +=
        fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, value);
  };
  counter("cqlist_lmtp_messages_total", "Messages received over LMTP.", metrics_.lmtp_messages);
  counter("cqlist_lmtp_recipients_accepted_total", "LMTP recipients answered 2xx.",
          metrics_.lmtp_recipients_accepted);
  counter("cqlist_lmtp_recipients_refused_total", "LMTP recipients answered 5xx.",
          metrics_.lmtp_recipients_refused);
  counter("cqlist_lmtp_recipients_deferred_total", "LMTP recipients answered 4xx.",
          metrics_.lmtp_recipients_deferred);
  counter("cqlist_unsubscribes_total", "One-click unsubscriptions done.", metrics_.unsubscribes);
  counter("cqlist_policy_requests_total", "Postfix policy requests answered.",
          metrics_.policy_requests);
  counter("cqlist_policy_refusals_total", "Recipients refused by the policy service at RCPT.",
          metrics_.policy_refusals);
  if (auto jobs = store_.pending_jobs(std::nullopt)) {
    response.body += fmt::format(
        "# HELP cqlist_delivery_jobs_pending Delivery jobs not yet accepted by the MTA.\n"
        "# TYPE cqlist_delivery_jobs_pending gauge\ncqlist_delivery_jobs_pending {}\n",
        jobs->size());
  }
  return response;
}

// RFC 8058: the POST with body "List-Unsubscribe=One-Click" unsubscribes at once. A GET (a
// person clicking the link, or a mail scanner following it) only shows a button, so link
// prefetchers cannot unsubscribe anybody.
server::HttpResponse HttpAdapter::unsubscribe(const server::HttpRequest& request) {
  auto checked = list::check_unsubscribe(request.query, tokens_);
  if (!checked) {
    return text_response(400,
                         "This unsubscribe link is not valid (it may have been cut short "
                         "by your mail program). Send \"unsubscribe\" to the list's "
                         "-request address instead.\n");
  }
  if (request.method == "GET") {
    return html_response(200, "Unsubscribe",
                         fmt::format("<form method=post><p>Unsubscribe {} from {}?</p>"
                                     "<input type=hidden name=List-Unsubscribe value=One-Click>"
                                     "<button>Unsubscribe</button></form>",
                                     escape_html(checked->member), escape_html(checked->list)));
  }
  if (request.method != "POST") {
    return text_response(405, "use POST\n");
  }
  auto form = request.form.find("List-Unsubscribe");
  if (form == request.form.end() || form->second != "One-Click") {
    return text_response(400, "missing List-Unsubscribe=One-Click (RFC 8058)\n");
  }
  auto list = find_list_by_address(store_, checked->list);
  if (!list) {
    return text_response(404, "no such list\n");
  }
  auto removed = store_.remove_member(list->id, checked->member);
  if (!removed && removed.error().code() != Errc::not_found) {
    log::error("http.unsubscribe_failed", {{"error", removed.error().describe()}});
    return text_response(503, "the list database is unavailable; try again later\n");
  }
  metrics_.unsubscribes++;
  log::info("member.unsubscribed",
            {{"list", checked->list}, {"member", checked->member}, {"via", "one-click"}});
  return text_response(
      200, fmt::format("{} is unsubscribed from {}.\n", checked->member, checked->list));
}

// The link of a confirmation request (list/commands_membership.cpp). As with unsubscribe, a
// GET only shows what the code would do and a button: mail scanners and link previews fetch
// links, and a subscription must be a person's decision (double opt-in).
server::HttpResponse HttpAdapter::confirm(const server::HttpRequest& request) {
  if (request.method != "GET" && request.method != "POST") {
    return text_response(405, "use GET to see the confirmation, POST to confirm\n");
  }
  auto token = request.query.find("token");
  auto done = token == request.query.end()
                  ? Result<list::LinkConfirmation>(fail(Errc::not_found, "no token"))
                  : service_.confirm_by_link(token->second, request.method == "POST");
  if (!done) {
    if (done.error().code() != Errc::not_found) {
      log::error("http.confirm_failed", {{"error", done.error().describe()}});
      return text_response(503, "the list database is unavailable; try again later\n");
    }
    return html_response(
        400, "Confirmation link not valid",
        "<p>This confirmation link is not valid: it was used already, it has expired (links "
        "work for 3 days), or your mail program cut it short. Nothing was changed.</p>"
        "<p>To start again, send \"subscribe\" or \"unsubscribe\" to the list's -request "
        "address.</p>");
  }
  const std::string member = escape_html(done->address);
  const std::string list = escape_html(done->list);
  const bool subscribe = done->action == "subscribe";
  if (request.method == "GET") {
    return html_response(
        200, "Confirm",
        fmt::format("<form method=post><p>{} {} {} {}?</p>"
                    "<input type=hidden name=confirm value=yes>"
                    "<button>{}</button></form>",
                    subscribe ? "Subscribe" : "Unsubscribe", member, subscribe ? "to" : "from",
                    list, subscribe ? "Subscribe" : "Unsubscribe"));
  }
  on_queued_();  // the welcome or goodbye mail
  if (subscribe) {
    return html_response(200, "Subscribed",
                         fmt::format("<p>{} is now a member of {}.</p>", member, list));
  }
  return html_response(200, "Unsubscribed",
                       fmt::format("<p>{} has been removed from {}.</p>", member, list));
}

}  // namespace cqlist::cli
