// fuzz/dkim_verify_fuzz.cpp: verifying arbitrary messages must never crash, and every
// DKIM-Signature field must get exactly one outcome with a reason unless it passed.
//
// Input: a whole message. Keys come from a StaticResolver holding fixed records for
// fuzz._domainkey.example.org (Ed25519), rsa._domainkey.example.org (RSA-1024), a revoked
// key, a record that is not a key, and a name whose lookup times out, so that the seeds
// (fuzz/corpus/dkim_verify/, signed with the matching private keys, which are not kept) reach
// the pass path and every failure path. Aborts when a property breaks.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/dkim/verify.hpp"
#include "dns/static_resolver.hpp"
#include "fuzz_property.hpp"
#include "mail/message.hpp"

namespace {

namespace dkim = cqlist::auth::dkim;

cqlist::dns::StaticResolver make_zone() {
  constexpr std::string_view kZone =
      "fuzz._domainkey.example.org TXT \"v=DKIM1; k=ed25519; "
      "p=V+aBnjwcT4yo+thG2214sMmfH3FK4tshqJuG+1S7Siw=\"\n"
      "rsa._domainkey.example.org TXT \"v=DKIM1; k=rsa; "
      "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDY/EWRfhBgaKWev/Yre1fCjEfgvCe3xZqoIL7Jgb7bADpa7KCC"
      "EbJbNTbK/YnSUDd5SQ4LA7JlwMvldGl6jJjVNcSjlQ6fvNXgGig+lyH3V5X2Vty8CtACm5ugwK6oObuTHibo7lHO\" "
      "\"crpoop9QYTlR+FkcpvwCCJmiYm8bZR3vUwIDAQAB\"\n"
      "revoked._domainkey.example.org TXT \"v=DKIM1; k=rsa; p=\"\n"
      "junk._domainkey.example.org TXT \"v=spf1 -all\"\n"
      "slow._domainkey.example.org TIMEOUT\n";
  auto zone = cqlist::dns::StaticResolver::from_zone(kZone);
  require(zone.has_value(), "the fixed zone parses");
  return *zone;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static cqlist::dns::StaticResolver resolver = make_zone();
  // A fixed time: the seeds carry t= and x= around it, so expiry is reachable and stable.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1800000000));

  const cqlist::mail::Message message =
      cqlist::mail::Message::parse(std::string(reinterpret_cast<const char*>(data), size));
  std::size_t signature_fields = 0;
  for (const auto& field : message.fields()) {
    signature_fields += field.is_named("DKIM-Signature") ? 1U : 0U;
  }
  const auto outcomes = dkim::verify_all(message, resolver, now);
  require(outcomes.size() == signature_fields, "one outcome per DKIM-Signature field");
  for (const auto& outcome : outcomes) {
    require(outcome.field_index < message.fields().size(), "field_index names a field");
    require(message.fields()[outcome.field_index].is_named("DKIM-Signature"),
            "field_index names a DKIM-Signature field");
    require(outcome.result != dkim::DkimResult::none, "a signature field has a result");
    if (outcome.result == dkim::DkimResult::pass) {
      require(outcome.signature.has_value(), "a pass has a parsed signature");
      require(outcome.key_bits > 0, "a pass names its key size");
    } else {
      require(!outcome.reason.empty(), "a non-pass says why");
    }
  }
  return 0;
}
