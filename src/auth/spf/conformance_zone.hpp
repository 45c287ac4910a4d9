// auth/spf/conformance_zone.hpp (tests only): the OpenSPF suites' zonedata as a StaticResolver.
//
// Owns: the DNS rules the suites assume (../shared/conformance/README.md section 2):
// SPF-type records are served as TXT unless the name lists TXT itself ("TXT: NONE" only turns
// that off); TIMEOUT makes queries for the types a name does not list time out; names absent
// from zonedata are NXDOMAIN, listed names without the type NODATA; records keep their order.
// YAML \xNN escapes arrive as U+00NN and are turned back into single bytes (latin1()).
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "base/result.hpp"
#include "dns/static_resolver.hpp"

namespace cqlist::auth::spf::suite {

// UTF-8 text whose code points are all <= U+00FF as the corresponding bytes.
std::string latin1(std::string_view utf8);

Result<dns::StaticResolver> zone(const YAML::Node& zonedata);

// True when the suite scenario uses TIMEOUT on a name that also lists records: a real DNS
// server that times out whole names cannot serve it exactly.
bool has_partial_timeout(const YAML::Node& zonedata);

}  // namespace cqlist::auth::spf::suite
