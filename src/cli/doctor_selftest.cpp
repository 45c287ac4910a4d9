// cli/doctor_selftest.cpp: a sample post decorated and signed by the list's own code.
#include "cli/doctor_selftest.hpp"

#include <fmt/format.h>

#include "list/notices.hpp"
#include "list/pipeline.hpp"
#include "list/signing.hpp"
#include "list/token.hpp"
#include "list/unsubscribe_link.hpp"
#include "mail/message.hpp"

namespace cqlist::cli {
namespace {

// Example addresses (RFC 2606): the sample must never look like a real member's mail.
constexpr const char* kAuthor = "self-test@example.org";
constexpr const char* kMember = "member@example.net";

std::string sample_post(const store::ListRow& list, std::chrono::system_clock::time_point now) {
  const auto stamp = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  std::string out;
  out += fmt::format("From: Doctor Self-Test <{}>\r\n", kAuthor);
  out += fmt::format("To: {}\r\n", list.address());
  out += "Subject: cqlist doctor self-test\r\n";
  out += "Date: " + list::rfc5322_date(now) + "\r\n";
  out += fmt::format("Message-ID: <doctor-self-test.{}@example.org>\r\n", stamp.count());
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "\r\n";
  out += "A sample post made by cqlist doctor to test the list's DKIM signature.\r\n";
  out += "It is never sent.\r\n";
  return out;
}

// The post as the pipeline's transform stages leave it (list::decorate_post), the author's
// domain taken as enforcing DMARC so that a rewriting list rewrites it. The ARC seal is left
// out: it adds ARC fields only and needs the inbound results.
Result<mail::Message> decorate(mail::Message message, const store::ListRow& list,
                               const list::ListSettings& settings,
                               std::chrono::system_clock::time_point now) {
  list::PostContext context;
  context.list = list;
  context.settings = settings;
  context.envelope_from = kAuthor;
  context.recipient = list.address();
  context.author = kAuthor;
  context.author_display_name = "Doctor Self-Test";
  context.authenticity.from_domain = "example.org";
  context.authenticity.from_domain_enforces = true;
  context.authenticity.dmarc_policy = "reject";
  context.article = list.last_article + 1;
  context.now = now;
  CQLIST_TRY_VOID(list::decorate_post(message, context));
  return message;
}

// One key's signature values, made by the list's KeyRing as delivery gets its signer.
Result<std::vector<std::string>> sign_with(const mail::Message& copy, const store::ListRow& list,
                                           list::ListSettings settings, const doctor::DkimKey& key,
                                           std::chrono::system_clock::time_point now) {
  settings.dkim_key_rsa.clear();
  settings.dkim_selector_rsa.clear();
  settings.dkim_key_ed25519.clear();
  settings.dkim_selector_ed25519.clear();
  settings.arc = false;
  if (key.key.type() == auth::crypto::KeyType::rsa) {
    settings.dkim_key_rsa = key.path;
    settings.dkim_selector_rsa = key.selector;
  } else {
    settings.dkim_key_ed25519 = key.path;
    settings.dkim_selector_ed25519 = key.selector;
  }
  list::KeyRing keys("doctor.invalid");
  CQLIST_TRY(auto signing, keys.for_list(list, settings));
  if (!signing->dkim) {
    return fail(Errc::internal, "the list's key ring made no DKIM signer");
  }
  return signing->dkim->sign(copy, now);
}

}  // namespace

doctor::SelfTestSample make_selftest_sample(const store::ListRow& list,
                                            const list::ListSettings& settings,
                                            const std::vector<doctor::DkimKey>& keys,
                                            std::chrono::system_clock::time_point now) {
  doctor::SelfTestSample sample;
  sample.original = sample_post(list, now);
  auto copy = decorate(mail::Message::parse(sample.original), list, settings, now);
  if (!copy) {
    sample.error = "decorating the sample post: " + copy.error().describe();
    return sample;
  }
  if (settings.personalize && !settings.web_url.empty()) {
    // Delivery gives each member its own link (list/delivery.cpp); the token's secret does
    // not matter for the signature.
    list::set_personal_unsubscribe(*copy, list, settings, list::TokenSigner("doctor-self-test"),
                                   kMember);
  }
  std::vector<std::string> values;
  for (const doctor::DkimKey& key : keys) {
    auto signed_values = sign_with(*copy, list, settings, key, now);
    if (!signed_values) {
      sample.error = fmt::format("signing with {} ({}): {}", key.selector, key.path,
                                 signed_values.error().describe());
      return sample;
    }
    values.insert(values.end(), signed_values->begin(), signed_values->end());
  }
  // The first key's signature on top, as delivery adds them (list/delivery.cpp signed_bytes).
  for (auto value = values.rbegin(); value != values.rend(); ++value) {
    copy->add_top("DKIM-Signature", *value);
  }
  sample.signed_copy = copy->serialize();
  return sample;
}

}  // namespace cqlist::cli
