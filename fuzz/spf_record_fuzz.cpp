// fuzz/spf_record_fuzz.cpp: SPF record parsing and evaluation must never crash, and the
// RFC 7208 §4.6.4 limits must hold whatever the record says.
//
// Input: the bytes as the one TXT record of fuzz.example, evaluated by check_host() over an
// in-memory zone (a few names for include/a/mx/exists/ptr/exp to reach). Aborts (a crash for
// libFuzzer, a failed test for the replay build) when a property breaks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/spf/check_host.hpp"
#include "auth/spf/macro.hpp"
#include "auth/spf/record.hpp"
#include "auth/spf/report.hpp"
#include "dns/static_resolver.hpp"
#include "fuzz_property.hpp"

namespace {

namespace spf = cqlist::auth::spf;

const cqlist::dns::StaticResolver& base_zone() {
  static const cqlist::dns::StaticResolver zone = [] {
    auto parsed = cqlist::dns::StaticResolver::from_zone(R"(
inc.example TXT "v=spf1 ip4:192.0.2.0/24 include:fuzz.example -all"
fuzz.example MX 10 mx.fuzz.example
mx.fuzz.example A 192.0.2.1
mx.fuzz.example AAAA 2001:db8::1
1.2.0.192.in-addr.arpa PTR mx.fuzz.example
exp.fuzz.example TXT "%{i} %{c} %{r} %{t} %{s}"
)");
    require(parsed.has_value(), "the base zone parses");
    return *parsed;
  }();
  return zone;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto record = spf::parse_record(input);
  if (record) {
    require(spf::is_spf_record(input), "a parsed record starts with v=spf1");
    for (const spf::Mechanism& mechanism : record->mechanisms) {
      require(input.find(mechanism.text) != std::string_view::npos,
              "each term's text comes from the record");
      require(mechanism.cidr4 <= 32 && mechanism.cidr6 <= 128, "prefix lengths are in range");
    }
  }
  if (size > 2000) {
    return 0;
  }
  cqlist::dns::StaticResolver zone = base_zone();
  require(zone.add("fuzz.example", cqlist::dns::RecordType::txt,
                   cqlist::dns::TxtRecord{{std::string(input)}})
              .has_value(),
          "the record can be added");
  for (const char* address : {"192.0.2.1", "2001:db8::1"}) {
    spf::SpfOutcome outcome = spf::check_host(zone, *cqlist::IpAddress::parse(address),
                                              "fuzz.example", "user@fuzz.example", "fuzz.example");
    require(outcome.trace.dns_lookups <= 11, "at most one lookup over the limit is made");
    require(outcome.trace.void_lookups <= 3, "at most one void lookup over the limit is made");
    require(record.has_value() || outcome.result == spf::SpfResult::none ||
                outcome.result == spf::SpfResult::permerror,
            "an unparsable record is none or permerror");
    require(outcome.result != spf::SpfResult::pass || !outcome.trace.deciding_term.empty(),
            "a pass names its term");
    require(!spf::received_spf(outcome, "r.example").empty(), "Received-SPF is written");
  }
  return 0;
}
