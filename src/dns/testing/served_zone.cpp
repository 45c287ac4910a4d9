// dns/testing/served_zone.cpp: Backend names, merge_zone() and ServedZone's lazy start.
#include "dns/testing/served_zone.hpp"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dns/unbound_resolver.hpp"

namespace cqlist::dns::testing {
namespace {

using RecordSets = std::map<std::pair<std::string, RecordType>, std::vector<StaticResolver::Entry>>;

RecordSets record_sets(const StaticResolver& zone) {
  RecordSets out;
  for (auto& entry : zone.entries()) {
    out[{entry.name, entry.type}].push_back(std::move(entry));
  }
  return out;
}

bool holds(const std::vector<StaticResolver::Entry>& entries, const RecordData& data) {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const StaticResolver::Entry& entry) { return entry.data == data; });
}

}  // namespace

std::string_view backend_name(Backend backend) {
  return backend == Backend::in_memory ? "in_memory" : "unbound";
}

Result<void> merge_zone(StaticResolver& into, const StaticResolver& from) {
  const RecordSets existing = record_sets(into);
  for (const auto& [key, records] : record_sets(from)) {
    auto found = existing.find(key);
    if (found == existing.end()) {
      for (const StaticResolver::Entry& entry : records) {
        CQLIST_TRY_VOID(into.add(entry.name, entry.type, entry.data, entry.ttl));
      }
      continue;
    }
    const bool same = found->second.size() == records.size() &&
                      std::all_of(records.begin(), records.end(), [&](const auto& entry) {
                        return holds(found->second, entry.data);
                      });
    if (!same) {
      return fail(Errc::invalid_argument,
                  fmt::format("the zones disagree on {} {}, so one server cannot serve both: "
                              "give the cases different names or servers of their own",
                              key.first, record_type_name(key.second)));
    }
  }
  return {};
}

ServedZone::ServedZone(StaticResolver zone, std::chrono::milliseconds timeout)
    : zone_(std::move(zone)), timeout_(timeout) {}

ServedZone::~ServedZone() = default;

Result<Resolver*> ServedZone::resolver(Backend backend) {
  if (backend == Backend::in_memory) {
    return &zone_;
  }
  if (!unbound_) {
    CQLIST_TRY(server_, UnboundServer::start(zone_));
    UnboundOptions options;
    options.forwarders.push_back(server_->forwarder());
    options.timeout = timeout_;
    CQLIST_TRY(unbound_, UnboundResolver::create(options));
  }
  return unbound_.get();
}

}  // namespace cqlist::dns::testing
