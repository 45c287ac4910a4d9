// doctor/selftest_checks.cpp: findings read off the self-test's signed copy, and the list's
// sending practice.
#include "doctor/selftest_checks.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "auth/dkim/publish.hpp"
#include "auth/dkim/tag_list.hpp"
#include "auth/dkim/verify.hpp"
#include "base/strings.hpp"
#include "doctor/texts.hpp"
#include "mail/message.hpp"

namespace cqlist::doctor {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

// What one DKIM-Signature field says, also when the verifier could not parse it (rsa-sha1 is
// refused at parse time, RFC 8301), so the doctor can still name the algorithm.
struct SignatureTags {
  std::string algorithm;
  std::string domain;
  std::string selector;
};

SignatureTags read_tags(std::string_view value) {
  SignatureTags tags;
  auto list = auth::dkim::TagList::parse(value);
  if (!list) {
    return tags;
  }
  auto get = [&](std::string_view name) {
    auto found = list->value(name);
    return found ? to_ascii_lower(auth::dkim::strip_whitespace(*found)) : std::string();
  };
  tags.algorithm = get("a");
  tags.domain = get("d");
  tags.selector = get("s");
  return tags;
}

const DkimKey* key_for(const DoctorInput& input, std::string_view selector) {
  for (const DkimKey& key : input.dkim_keys) {
    if (iequals(key.selector, selector)) {
      return &key;
    }
  }
  return nullptr;
}

Finding selftest_finding(std::string id, Severity severity, std::string subject, Localized title) {
  Finding f = make_finding(std::move(id), severity, std::move(subject), std::move(title), "DKIM");
  f.applies = Applies::list;
  return f;
}

// DKIM-09 over one parsed signature of `message`.
Finding signed_headers_finding(const mail::Message& message, const auth::dkim::Signature& signature,
                               const std::string& name) {
  std::vector<std::string> not_signed;
  std::vector<std::string> not_oversigned;
  for (const std::string& header : required_signed_headers()) {
    const std::string lower = to_ascii_lower(header);
    const auto listed = static_cast<std::size_t>(
        std::count(signature.signed_headers.begin(), signature.signed_headers.end(), lower));
    const std::size_t present = message.find_all(header).size();
    if (present > 0 && listed == 0) {
      not_signed.push_back(header);
    } else if (listed <= present) {
      not_oversigned.push_back(header);
    }
  }
  const bool complete = not_signed.empty() && not_oversigned.empty();
  Finding f = selftest_finding("DKIM-09", complete ? Severity::pass : Severity::warn, name,
                               texts::dkim_headers_title(complete));
  std::string h;
  for (const std::string& header : signature.signed_headers) {
    h += (h.empty() ? "" : ":") + header;
  }
  f.found = {"h=" + h};
  if (!complete) {
    f.why = texts::dkim_headers_why(join(not_signed), join(not_oversigned));
    std::vector<std::string> missing = not_signed;
    missing.insert(missing.end(), not_oversigned.begin(), not_oversigned.end());
    f.fix.summary = texts::dkim_headers_fix(join(missing));
  }
  f.rules = {"RFC 6376 §5.4, §5.4.2", "RFC 8058 §4"};
  return f;
}

// The findings for one DKIM-Signature field of the list's domain.
void check_signature(dns::Resolver& resolver, const DoctorInput& input,
                     const mail::Message& message, const auth::dkim::DkimOutcome& outcome,
                     const SignatureTags& tags, std::vector<Finding>& findings) {
  const std::string name = tags.selector.empty()
                               ? input.domain
                               : auth::dkim::key_record_name(tags.selector, input.domain);
  const DkimKey* key = key_for(input, tags.selector);
  const std::string summary =
      fmt::format("DKIM-Signature a={} d={} s={}", tags.algorithm, tags.domain, tags.selector);

  if (tags.algorithm == "rsa-sha1") {
    Finding f = selftest_finding("DKIM-05", Severity::fail, name, texts::dkim_sha1_title());
    f.found = {summary};
    f.why = texts::dkim_sha1_why();
    f.fix.summary = texts::dkim_sha1_fix();
    f.rules = {"RFC 8301 §3.1"};
    findings.push_back(std::move(f));
  }

  if (outcome.signature) {
    const auth::dkim::Signature& signature = *outcome.signature;
    if (signature.identity_domain() != signature.domain) {
      auth::dkim::KeyLookup lookup = auth::dkim::lookup_key(resolver, tags.selector, tags.domain);
      if (lookup.record && lookup.record->strict_identity) {
        Finding f =
            selftest_finding("DKIM-08", Severity::warn, name, texts::dkim_strict_identity_title());
        f.found = {summary + " i=" + signature.identity, name + " t=s"};
        f.why = texts::dkim_strict_identity_why(signature.identity, signature.domain);
        f.fix.summary = texts::dkim_strict_identity_fix();
        if (key != nullptr) {
          f.fix.records_add = {txt_record(name, auth::dkim::key_record_text(key->key))};
        }
        f.rules = {"RFC 6376 §3.6.1"};
        findings.push_back(std::move(f));
      }
    }
    findings.push_back(signed_headers_finding(message, signature, name));
    if (signature.body_length) {
      Finding f = selftest_finding("DKIM-10", Severity::warn, name, texts::dkim_length_title());
      f.found = {fmt::format("{} l={}", summary, *signature.body_length)};
      f.why = texts::dkim_length_why(*signature.body_length);
      f.fix.summary = texts::dkim_length_fix();
      f.rules = {"RFC 6376 §8.2"};
      findings.push_back(std::move(f));
    }
    using auth::dkim::Canonicalization;
    if (signature.header_canonicalization != Canonicalization::relaxed ||
        signature.body_canonicalization != Canonicalization::relaxed) {
      auto word = [](Canonicalization c) {
        return c == Canonicalization::relaxed ? "relaxed" : "simple";
      };
      const std::string c = fmt::format("{}/{}", word(signature.header_canonicalization),
                                        word(signature.body_canonicalization));
      Finding f = selftest_finding("DKIM-11", Severity::info, name, texts::dkim_canon_title(c));
      f.found = {summary + " c=" + c};
      f.why = texts::dkim_canon_why();
      f.fix.summary = texts::dkim_canon_fix();
      f.rules = {"RFC 6376 §3.4"};
      findings.push_back(std::move(f));
    }
  }

  const bool pass = outcome.result == auth::dkim::DkimResult::pass;
  Finding f = selftest_finding("DKIM-12", pass ? Severity::pass : Severity::fail, name,
                               texts::dkim_selftest_title(pass));
  f.found = {fmt::format("{}: dkim={}{}", summary, auth::dkim::result_name(outcome.result),
                         outcome.reason.empty() ? "" : " (" + outcome.reason + ")")};
  f.why = texts::dkim_selftest_why(std::string(auth::dkim::result_name(outcome.result)),
                                   outcome.reason);
  if (!pass) {
    f.fix.summary = texts::dkim_selftest_fix(outcome.reason, name);
    const bool key_problem = outcome.reason == "signature mismatch" ||
                             outcome.reason == "key not found" || outcome.reason == "key revoked" ||
                             outcome.reason.starts_with("bad key record");
    if (key_problem && key != nullptr) {
      f.fix.records_add = {txt_record(name, auth::dkim::key_record_text(key->key))};
    }
  }
  f.rules = {"RFC 6376 §6"};
  f.source = "Gmail 5.7.26 / 5.7.30";
  findings.push_back(std::move(f));
}

}  // namespace

const std::vector<std::string>& required_signed_headers() {
  static const std::vector<std::string> names{"From",
                                              "Subject",
                                              "Date",
                                              "To",
                                              "Cc",
                                              "Message-ID",
                                              "Reply-To",
                                              "List-Id",
                                              "List-Unsubscribe",
                                              "List-Unsubscribe-Post"};
  return names;
}

std::vector<Finding> check_dkim_selftest(dns::Resolver& resolver, const DoctorInput& input,
                                         std::chrono::system_clock::time_point now) {
  std::vector<Finding> findings;
  if (!input.self_test || input.dkim_keys.empty()) {
    return findings;  // DKIM-01 already says the list does not sign
  }
  const SelfTestSample& sample = *input.self_test;
  if (sample.signed_copy.empty()) {
    Finding f =
        selftest_finding("DKIM-12", Severity::fail, input.domain, texts::selftest_unsigned_title());
    f.found = {sample.error};
    f.why = texts::selftest_unsigned_why(sample.error);
    f.rules = {"RFC 6376 §5"};
    findings.push_back(std::move(f));
    return findings;
  }
  const mail::Message message = mail::Message::parse(sample.signed_copy);
  const std::vector<auth::dkim::DkimOutcome> outcomes =
      auth::dkim::verify_all(message, resolver, now);
  bool any = false;
  for (const auth::dkim::DkimOutcome& outcome : outcomes) {
    if (outcome.field_index >= message.fields().size()) {
      continue;
    }
    const SignatureTags tags = read_tags(message.fields()[outcome.field_index].value());
    if (dns::normalize_name(tags.domain) != dns::normalize_name(input.domain)) {
      continue;  // another signer's signature (none on the sample, but keep to our own)
    }
    any = true;
    check_signature(resolver, input, message, outcome, tags, findings);
  }
  if (!any) {
    const std::string error =
        fmt::format("the signed copy carries no DKIM-Signature with d={}", input.domain);
    Finding f =
        selftest_finding("DKIM-12", Severity::fail, input.domain, texts::selftest_unsigned_title());
    f.found = {error};
    f.why = texts::selftest_unsigned_why(error);
    f.rules = {"RFC 6376 §5"};
    findings.push_back(std::move(f));
  }
  return findings;
}

std::vector<Finding> check_list_practice(const DoctorInput& input) {
  std::vector<Finding> findings;
  if (!input.list) {
    return findings;
  }
  const ListFacts& list = *input.list;
  auto add = [&](std::string id, Localized title, Localized why, std::vector<std::string> found,
                 std::vector<std::string> rules, std::string source) {
    Finding f = make_finding(std::move(id), Severity::info, list.address, std::move(title), "LIST");
    f.applies = Applies::list;
    f.found = std::move(found);
    f.why = std::move(why);
    f.rules = std::move(rules);
    f.source = std::move(source);
    findings.push_back(std::move(f));
  };
  add("LIST-06", texts::list_arc_title(list.arc), texts::list_arc_why(),
      {fmt::format("arc = {}", list.arc ? "true" : "false")}, {"RFC 8617"},
      "draft-ietf-dmarc-arc-to-historic; Yahoo, Apple, Microsoft sender pages");
  add("LIST-07", texts::list_alignment_title(), texts::list_alignment_why(), {}, {"RFC 7489 §3.1"},
      "Google sender guidelines FAQ");
  add("LIST-08", texts::list_auto_reply_title(), texts::list_auto_reply_why(),
      {"command replies, confirmations, notices: MAIL FROM:<>, Auto-Submitted: auto-replied / "
       "auto-generated"},
      {"RFC 3834 §5", "RFC 7208 §2.4"}, "");
  return findings;
}

std::vector<Finding> check_sending_pace(const DoctorInput& input) {
  std::vector<Finding> findings;
  if (!input.list) {
    return findings;
  }
  Finding f =
      make_finding("VOL-03", Severity::info, input.list->address, texts::pace_title(), "VOL");
  f.applies = Applies::bulk;
  if (input.delivery_workers > 0) {
    f.found.push_back(fmt::format(
        "cqlist.toml: [delivery] workers = {}, [relay] max_connections = {} (connections to "
        "the local MTA)",
        input.delivery_workers, input.relay_max_connections));
  }
  if (input.relayed()) {
    f.found.push_back(
        fmt::format("relayhost = {}: the relay paces mail to Gmail", input.postfix->relayhost));
  } else if (input.postfix) {
    const PostfixSettings& postfix = *input.postfix;
    f.found.push_back(fmt::format(
        "Postfix: default_destination_concurrency_limit = {}, default_destination_rate_delay = {}",
        postfix.default_destination_concurrency_limit.empty()
            ? "20"
            : postfix.default_destination_concurrency_limit,
        postfix.default_destination_rate_delay.empty() ? "0s"
                                                       : postfix.default_destination_rate_delay));
    f.fix.summary = texts::pace_fix();
    f.fix.commands = {"postconf -e 'smtp_destination_concurrency_limit = 5'", "postfix reload"};
  }
  f.why = texts::pace_why();
  f.source = "Google sender guidelines (4.7.28 back-off, 2026-03)";
  findings.push_back(std::move(f));
  return findings;
}

std::vector<Finding> check_outbound_tls_policy(const DoctorInput& input) {
  std::vector<Finding> findings;
  if (!input.postfix || input.relayed()) {
    return findings;  // a relay's own TLS policy is not visible from here
  }
  const PostfixSettings& postfix = *input.postfix;
  const bool dane_level =
      postfix.smtp_tls_security_level == "dane" || postfix.smtp_tls_security_level == "dane-only";
  // Postfix quietly falls back to "may" when it does not ask for DNSSEC-validated answers.
  const bool dane = dane_level && postfix.smtp_dns_support_level == "dnssec";
  const bool mta_sts = !postfix.smtp_tls_policy_maps.empty();
  Finding f = make_finding("TLS-02", Severity::info, "smtp_tls_security_level",
                           texts::tls_policy_title(dane, mta_sts), "TLS");
  f.found = {fmt::format("smtp_tls_security_level = {}", postfix.smtp_tls_security_level),
             fmt::format("smtp_dns_support_level = {}", postfix.smtp_dns_support_level),
             fmt::format("smtp_tls_policy_maps = {}", postfix.smtp_tls_policy_maps)};
  f.why = texts::tls_policy_why(dane, mta_sts);
  if (!dane) {
    f.fix.summary = texts::tls_policy_fix();
    f.fix.commands = {"postconf -e 'smtp_dns_support_level = dnssec'",
                      "postconf -e 'smtp_tls_security_level = dane'", "postfix reload"};
  }
  if (!mta_sts) {
    f.fix.note = texts::tls_policy_note();
  }
  f.rules = {"RFC 7672", "RFC 8461"};
  findings.push_back(std::move(f));
  return findings;
}

}  // namespace cqlist::doctor
