// cli/serve_handlers.cpp: LMTP transactions to ListService, policy requests to PostingGate,
// and the daemon's HTTP endpoints. The pages members see (unsubscribe, confirmation links)
// speak the list's language; their texts are in cli/web_texts.cpp.
#include "cli/serve_handlers.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "base/log.hpp"
#include "base/strings.hpp"
#include "cli/runtime.hpp"
#include "cli/web_texts.hpp"
#include "list/notices_text.hpp"
#include "list/settings.hpp"
#include "list/unsubscribe_link.hpp"

namespace cqlist::cli {
namespace {

// The languages of a member's page: the list's, or Japanese then English when the list is not
// known (a link cut short names none), so that no member is left with a page they cannot read.
enum class PageLanguage { en, ja, both };

PageLanguage page_language_of(const store::ListRow& row) {
  auto settings = list::parse_settings(row.settings);
  if (!settings) {
    return PageLanguage::both;
  }
  return list::language_of(*settings) == list::Language::ja ? PageLanguage::ja : PageLanguage::en;
}

// The list named by a link; both languages when it is gone or the store cannot say.
PageLanguage page_language_of(store::Store& store, std::string_view list_address) {
  auto row = find_list_by_address(store, list_address);
  return row ? page_language_of(*row) : PageLanguage::both;
}

std::vector<list::Language> languages_of(PageLanguage page) {
  switch (page) {
    case PageLanguage::en:
      return {list::Language::en};
    case PageLanguage::ja:
      return {list::Language::ja};
    case PageLanguage::both:
      break;
  }
  return {list::Language::ja, list::Language::en};
}

std::string_view code_of(list::Language language) {
  return language == list::Language::ja ? "ja" : "en";
}

std::string paragraph(std::string_view text) {
  return fmt::format("<p>{}</p>\n", text);
}

// A page with one section per language; `body` writes a section's HTML, from texts filled
// with HTML-escaped fields.
server::HttpResponse html_page(int status, PageLanguage page, WebText title,
                               const std::function<std::string(list::Language)>& body) {
  const auto languages = languages_of(page);
  std::string titles;
  std::string sections;
  for (list::Language language : languages) {
    const std::string_view heading = web_text(language, title);
    titles += fmt::format("{}{}", titles.empty() ? "" : " / ", heading);
    sections +=
        fmt::format("{}<section lang=\"{}\">\n<h1>{}</h1>\n{}</section>\n",
                    sections.empty() ? "" : "<hr>\n", code_of(language), heading, body(language));
  }
  server::HttpResponse response;
  response.status = status;
  response.content_type = "text/html; charset=utf-8";
  response.body = fmt::format(
      "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n</head>\n<body>\n{}</body>\n</html>\n",
      code_of(languages.front()), titles, sections);
  return response;
}

server::HttpResponse text_response(int status, std::string body) {
  server::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// A plain-text answer (text/plain; charset=utf-8), one line per language.
server::HttpResponse text_page(int status, PageLanguage page, WebText id) {
  std::string body;
  for (list::Language language : languages_of(page)) {
    body += fmt::format("{}\n", web_text(language, id));
  }
  return text_response(status, std::move(body));
}

server::HttpResponse store_unavailable_page(PageLanguage page) {
  return html_page(503, page, WebText::store_unavailable_title, [](list::Language language) {
    return paragraph(web_text(language, WebText::store_unavailable));
  });
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
    return html_page(400, PageLanguage::both, WebText::link_not_valid_title,
                     [](list::Language language) {
                       return paragraph(web_text(language, WebText::unsubscribe_link_not_valid));
                     });
  }
  // The token vouches for the list it names, so the page can speak that list's language.
  auto row = find_list_by_address(store_, checked->list);
  const PageLanguage page = row ? page_language_of(*row) : PageLanguage::both;
  const std::string member = escape_html(checked->member);
  const std::string list_name = escape_html(checked->list);
  if (request.method == "GET") {
    return html_page(200, page, WebText::unsubscribe_title, [&](list::Language language) {
      return fmt::format(
          "<form method=post>\n{}<input type=hidden name=List-Unsubscribe value=One-Click>\n"
          "<button>{}</button>\n</form>\n",
          paragraph(web_say(language, WebText::unsubscribe_question, fmt::arg("member", member),
                            fmt::arg("list", list_name))),
          web_text(language, WebText::unsubscribe_button));
    });
  }
  if (request.method != "POST") {
    return text_page(405, page, WebText::unsubscribe_method);
  }
  auto form = request.form.find("List-Unsubscribe");
  if (form == request.form.end() || form->second != "One-Click") {
    return html_page(400, page, WebText::unsubscribe_title, [](list::Language language) {
      return paragraph(web_text(language, WebText::unsubscribe_not_one_click));
    });
  }
  if (!row) {
    if (row.error().code() != Errc::not_found && row.error().code() != Errc::invalid_argument) {
      log::error("http.unsubscribe_failed", {{"error", row.error().describe()}});
      return store_unavailable_page(page);
    }
    return html_page(404, page, WebText::unsubscribe_title, [&](list::Language language) {
      return paragraph(web_say(language, WebText::no_such_list, fmt::arg("list", list_name)));
    });
  }
  auto removed = store_.remove_member(row->id, checked->member);
  if (!removed && removed.error().code() != Errc::not_found) {
    log::error("http.unsubscribe_failed", {{"error", removed.error().describe()}});
    return store_unavailable_page(page);
  }
  metrics_.unsubscribes++;
  log::info("member.unsubscribed",
            {{"list", checked->list}, {"member", checked->member}, {"via", "one-click"}});
  return html_page(200, page, WebText::unsubscribe_done_title, [&](list::Language language) {
    return paragraph(web_say(language, WebText::unsubscribe_done, fmt::arg("member", member),
                             fmt::arg("list", list_name)));
  });
}

namespace {

// A delivery change (digest or nomail on or off) asked for by a mail that could not be
// verified as the member's: the same two steps as joining and leaving.
server::HttpResponse delivery_change_page(const server::HttpRequest& request,
                                          const list::LinkConfirmation& done, PageLanguage page,
                                          list::Text wording) {
  const std::string member = escape_html(done.address);
  const std::string list_name = escape_html(done.list);
  auto say = [&](list::Language language, WebText id) {
    return web_say(language, id, fmt::arg("member", member), fmt::arg("list", list_name),
                   fmt::arg("change", escape_html(list::text(language, wording))));
  };
  if (request.method == "GET") {
    return html_page(200, page, WebText::confirm_change_title, [&](list::Language language) {
      return fmt::format(
          "<form method=post>\n{}<input type=hidden name=confirm value=yes>\n"
          "<button>{}</button>\n</form>\n",
          paragraph(say(language, WebText::confirm_change_question)),
          web_text(language, WebText::confirm_change_button));
    });
  }
  if (!done.carried_out) {
    return html_page(200, page, WebText::confirm_nothing_changed_title,
                     [&](list::Language language) {
                       return paragraph(say(language, WebText::confirm_no_longer_member));
                     });
  }
  return html_page(200, page, WebText::confirm_changed_title, [&](list::Language language) {
    return paragraph(say(language, WebText::confirm_changed));
  });
}

}  // namespace

// The link of a confirmation request (list/commands_membership.cpp). As with unsubscribe, a
// GET only shows what the code would do and a button: mail scanners and link previews fetch
// links, and a subscription must be a person's decision (double opt-in). Until the code is
// found the list is unknown, so those answers come in both languages.
server::HttpResponse HttpAdapter::confirm(const server::HttpRequest& request) {
  if (request.method != "GET" && request.method != "POST") {
    return text_page(405, PageLanguage::both, WebText::confirm_method);
  }
  auto token = request.query.find("token");
  auto done = token == request.query.end()
                  ? Result<list::LinkConfirmation>(fail(Errc::not_found, "no token"))
                  : service_.confirm_by_link(token->second, request.method == "POST");
  if (!done) {
    if (done.error().code() != Errc::not_found) {
      log::error("http.confirm_failed", {{"error", done.error().describe()}});
      return store_unavailable_page(PageLanguage::both);
    }
    return html_page(400, PageLanguage::both, WebText::link_not_valid_title,
                     [](list::Language language) {
                       return paragraph(web_text(language, WebText::confirm_link_not_valid)) +
                              paragraph(web_text(language, WebText::confirm_start_again));
                     });
  }
  const PageLanguage page = page_language_of(store_, done->list);
  const std::string member = escape_html(done->address);
  const std::string list_name = escape_html(done->list);
  const bool subscribe = done->action == "subscribe";
  auto say = [&](list::Language language, WebText id) {
    return web_say(language, id, fmt::arg("member", member), fmt::arg("list", list_name));
  };
  if (auto wording = list::delivery_change_wording(done->action)) {
    return delivery_change_page(request, *done, page, *wording);
  }
  if (request.method == "GET") {
    const WebText title =
        subscribe ? WebText::confirm_subscribe_title : WebText::confirm_unsubscribe_title;
    return html_page(200, page, title, [&](list::Language language) {
      return fmt::format(
          "<form method=post>\n{}<input type=hidden name=confirm value=yes>\n"
          "<button>{}</button>\n</form>\n",
          paragraph(say(language, subscribe ? WebText::confirm_subscribe_question
                                            : WebText::unsubscribe_question)),
          web_text(language,
                   subscribe ? WebText::confirm_subscribe_button : WebText::unsubscribe_button));
    });
  }
  on_queued_();  // the welcome or goodbye mail
  if (subscribe) {
    return html_page(200, page, WebText::confirm_subscribed_title, [&](list::Language language) {
      return paragraph(say(language, WebText::confirm_subscribed));
    });
  }
  return html_page(200, page, WebText::unsubscribe_done_title, [&](list::Language language) {
    return paragraph(say(language, WebText::unsubscribe_done));
  });
}

}  // namespace cqlist::cli
