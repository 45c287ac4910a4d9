// auth/authres/receiver.cpp: SPF, DKIM, ARC and DMARC of one message, in the order a
// receiver runs them (DMARC last: it needs the others' results).
#include "auth/authres/receiver.hpp"

#include <set>
#include <utility>

#include <fmt/format.h>

#include "auth/authres/resinfo.hpp"
#include "base/strings.hpp"
#include "mail/address.hpp"

namespace cqlist::auth::authres {
namespace {

// The MAIL FROM to check: the envelope's, else the newest Return-Path field's.
void choose_mail_from(const mail::Message& message, const Envelope& envelope, ReceiverChecks& out) {
  if (envelope.mail_from) {
    auto path = mail::split_addr_spec(trim(*envelope.mail_from));
    // An address split_addr_spec cannot read is still checked as given: check_host() reports
    // what is wrong with its domain.
    out.mail_from = path ? path->to_string() : std::string(trim(*envelope.mail_from));
    return;
  }
  if (auto value = message.first_value("Return-Path")) {
    if (auto path = mail::split_addr_spec(*value)) {
      out.mail_from = path->to_string();
      out.mail_from_from_return_path = true;
    }
  }
}

void check_spf(dns::Resolver& resolver, const Envelope& envelope, const ReceiverOptions& options,
               ReceiverChecks& out) {
  if (!envelope.client_ip) {
    out.spf_skipped = SpfSkipped::no_client_ip;
    return;
  }
  if (!out.mail_from) {
    out.spf_skipped = SpfSkipped::no_mail_from;
    return;
  }
  if (out.mail_from->empty() && envelope.helo.empty()) {
    out.spf_skipped = SpfSkipped::null_sender_no_helo;
    return;
  }
  spf::SpfOptions spf_options;
  spf_options.receiver = options.receiver;
  spf_options.now = options.now;
  out.spf = spf::check_mail_from(resolver, *envelope.client_ip, *out.mail_from, envelope.helo,
                                 spf_options);
}

void check_dmarc(const mail::Message& message, dns::Resolver& resolver,
                 const ReceiverOptions& options, ReceiverChecks& out) {
  auto from = author_domain(message);
  if (!from) {
    out.dmarc.result = dmarc::DmarcResult::permerror;
    out.dmarc.reason = from.error().message();
    return;
  }
  out.from_domain = *from;
  dmarc::DmarcInputs inputs;
  inputs.from_domain = *from;
  if (out.spf) {
    inputs.spf = {std::string(spf::result_name(out.spf->result)), out.spf->domain};
  }
  for (const dkim::DkimOutcome& outcome : out.dkim) {
    if (outcome.signature) {
      inputs.dkim.push_back(
          {std::string(dkim::result_name(outcome.result)), outcome.signature->domain});
    }
  }
  out.dmarc = dmarc::evaluate(resolver, inputs, options.dmarc);
}

}  // namespace

Result<std::string> author_domain(const mail::Message& message) {
  const std::vector<std::size_t> fields = message.find_all("From");
  if (fields.empty()) {
    return fail(Errc::bad_syntax,
                "the message has no From field, so there is no author domain for DMARC; "
                "receivers such as Gmail reject such messages");
  }
  if (fields.size() > 1) {
    return fail(Errc::bad_syntax,
                fmt::format("the message has {} From fields where RFC 5322 allows one; DMARC "
                            "cannot tell which author to check and receivers reject it",
                            fields.size()));
  }
  const mail::AddressList list = mail::parse_address_list(message.fields()[fields.front()].value());
  const std::vector<mail::Mailbox> mailboxes = list.mailboxes();
  if (mailboxes.empty()) {
    return fail(Errc::bad_syntax,
                "the From field holds no address, so there is no author domain for DMARC");
  }
  std::set<std::string> domains;
  for (const mail::Mailbox& mailbox : mailboxes) {
    auto domain = mail::domain_to_ascii(mailbox.domain);
    if (!domain || domain->empty() || domain->front() == '[') {
      return fail(Errc::bad_syntax,
                  fmt::format("the From address {} has no valid domain name, so DMARC cannot "
                              "be checked",
                              mailbox.addr_spec()));
    }
    domains.insert(to_ascii_lower(*domain));
  }
  if (domains.size() > 1) {
    return fail(Errc::bad_syntax,
                fmt::format("the From field names authors in {} different domains ({}); DMARC "
                            "needs one author domain and receivers reject such messages",
                            domains.size(), fmt::join(domains, ", ")));
  }
  return *domains.begin();
}

ReceiverChecks check_message(const mail::Message& message, dns::Resolver& resolver,
                             const Envelope& envelope, const ReceiverOptions& options) {
  ReceiverChecks out;
  out.client_ip = envelope.client_ip;
  choose_mail_from(message, envelope, out);
  check_spf(resolver, envelope, options, out);
  out.dkim = dkim::verify_all(message, resolver, options.now);
  out.arc = arc::validate(message, resolver, options.now);
  check_dmarc(message, resolver, options, out);
  return out;
}

std::vector<MethodResult> result_entries(const ReceiverChecks& checks) {
  std::vector<MethodResult> out;
  if (checks.spf) {
    out.push_back(spf_resinfo(*checks.spf));
  }
  for (const dkim::DkimOutcome& outcome : checks.dkim) {
    out.push_back(dkim_resinfo(outcome));
  }
  if (checks.dkim.empty()) {
    out.push_back(dkim_none_resinfo());
  }
  out.push_back(arc_resinfo(checks.arc, checks.client_ip));
  out.push_back(dmarc_resinfo(checks.dmarc));
  return out;
}

AuthenticationResults authentication_results(const ReceiverChecks& checks,
                                             std::string authserv_id) {
  AuthenticationResults out;
  out.authserv_id = std::move(authserv_id);
  out.results = result_entries(checks);
  return out;
}

}  // namespace cqlist::auth::authres
