// fuzz/arc_fuzz.cpp: validating the ARC chain of arbitrary messages must never crash, and the
// verdict must agree with the per-set account.
//
// Input: a whole message. Keys come from a StaticResolver holding one RSA-1024 key at
// dummy._domainkey.example.org (the public key of RFC 8463 Appendix A, which is also the
// ValiMail ARC suite's key); the seeds in fuzz/corpus/arc/ were sealed with its private half by
// dkimpy's arc_sign and then damaged in one way each (file names say how), so they reach pass,
// oldest-pass and every failure path. Aborts when a property breaks.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/arc/validate.hpp"
#include "dns/static_resolver.hpp"
#include "fuzz_property.hpp"
#include "mail/message.hpp"

namespace {

namespace arc = cqlist::auth::arc;

cqlist::dns::StaticResolver make_zone() {
  constexpr std::string_view kZone =
      "dummy._domainkey.example.org TXT \"v=DKIM1; k=rsa; "
      "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi"
      "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZy"
      "VYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\"\n";
  auto zone = cqlist::dns::StaticResolver::from_zone(kZone);
  require(zone.has_value(), "the fixed zone parses");
  return *zone;
}

bool has_arc_field(const cqlist::mail::Message& message) {
  for (const auto& field : message.fields()) {
    if (field.is_named(arc::kSealField) || field.is_named(arc::kMessageSignatureField) ||
        field.is_named(arc::kAuthenticationResultsField)) {
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static cqlist::dns::StaticResolver resolver = make_zone();
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));

  const cqlist::mail::Message message =
      cqlist::mail::Message::parse(std::string(reinterpret_cast<const char*>(data), size));
  const arc::ArcOutcome outcome = arc::validate(message, resolver, now);

  require((outcome.result == arc::ChainStatus::none) == !has_arc_field(message),
          "cv=none exactly when the message has no ARC field");
  require(outcome.sets.size() <= arc::kMaxInstance, "at most 50 sets");
  require(outcome.oldest_pass <= outcome.sets.size(), "oldest-pass names a set or is 0");
  for (std::size_t k = 0; k < outcome.sets.size(); ++k) {
    require(outcome.sets[k].instance == 0 || outcome.sets[k].instance == k + 1,
            "sets are in instance order");
  }
  if (outcome.result == arc::ChainStatus::pass) {
    require(!outcome.sets.empty(), "a pass has sets");
    require(outcome.reason.empty() && !outcome.failed_instance, "a pass names no failure");
    require(outcome.sets.back().message_signature == arc::Check::pass,
            "a pass has a valid newest message signature");
    for (const auto& set : outcome.sets) {
      require(set.seal == arc::Check::pass, "a pass has every seal valid");
    }
  }
  if (outcome.result == arc::ChainStatus::fail) {
    require(!outcome.reason.empty(), "a failure says why");
    require(!outcome.failed_instance ||
                (*outcome.failed_instance >= 1 && *outcome.failed_instance <= outcome.sets.size()),
            "failed_instance names a set");
  }
  return 0;
}
