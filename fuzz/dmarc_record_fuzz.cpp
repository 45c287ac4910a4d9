// fuzz/dmarc_record_fuzz.cpp: DMARC record parsing must never crash, and what parses must
// round-trip through format_record().
//
// Input: the bytes as a TXT record published at _dmarc.<domain>. Aborts (a crash for
// libFuzzer, a failed test for the replay build) when a property breaks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "auth/dmarc/discovery.hpp"
#include "auth/dmarc/record.hpp"
#include "fuzz_property.hpp"

namespace {

namespace dmarc = cqlist::auth::dmarc;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto record = dmarc::parse_record(input);
  if (record) {
    require(dmarc::looks_like_dmarc(input), "a parsed record starts with v=DMARC1");
    // The canonical form parses to the same policy values, without problems.
    auto again = dmarc::parse_record(dmarc::format_record(*record));
    require(again.has_value(), "the formatted record parses");
    require(again->policy == record->policy, "p survives formatting");
    require(again->subdomain_policy == record->subdomain_policy, "sp survives formatting");
    require(again->nonexistent_policy == record->nonexistent_policy, "np survives formatting");
    require(again->testing == record->testing, "t survives formatting");
    require(again->psd == record->psd, "psd survives formatting");
    require(again->dkim_alignment == record->dkim_alignment, "adkim survives formatting");
    require(again->failure_options == record->failure_options, "fo survives formatting");
  }
  // The same bytes as a domain name: the walk's target list shrinks to one label.
  if (size < 300) {
    auto targets = dmarc::walk_targets(input);
    require(!targets.empty() && targets.size() <= 8, "the walk queries 1 to 8 names");
  }
  return 0;
}
