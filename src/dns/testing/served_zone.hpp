// dns/testing/served_zone.hpp: one zone, answered both ways, for suites that must pass through
// the in-memory resolver and through the production one.
//
// Owns: the Backend parameter of such suites (in_memory: StaticResolver; unbound: the production
// UnboundResolver asking a real unbound on loopback, UnboundServer, that serves the same zone),
// and a ServedZone that starts its unbound server and resolver on first use and keeps them for
// every case of a suite: one server a suite, not one a case. Also merging zones into one, so a
// suite whose cases each bring a zone can still be served by one server.
//
//   class Rfc8463 : public dns::testing::ServedSuite<Rfc8463> {
//    public:
//     static dns::StaticResolver make_zone();  // every record the suite's cases look up
//   };
//   INSTANTIATE_TEST_SUITE_P(Through, Rfc8463, dns::testing::kBothBackends,
//                            dns::testing::BackendName());
//   TEST_P(Rfc8463, SignedMessageVerifies) { ... verify_all(message, resolver(), now) ... }
#pragma once

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "base/result.hpp"
#include "dns/resolver.hpp"
#include "dns/static_resolver.hpp"
#include "dns/testing/unbound_server.hpp"

namespace cqlist::dns::testing {

enum class Backend { in_memory, unbound };

std::string_view backend_name(Backend backend);

// So that gtest prints "unbound" rather than the enum's bytes.
inline void PrintTo(Backend backend, std::ostream* out) {
  *out << backend_name(backend);
}

inline const auto kBothBackends = ::testing::Values(Backend::in_memory, Backend::unbound);

// Names parameterised tests ".../in_memory" and ".../unbound".
struct BackendName {
  std::string operator()(const ::testing::TestParamInfo<Backend>& info) const {
    return std::string(backend_name(info.param));
  }
};

// Adds the records of `from` to `into`. A name and type both zones hold must hold the same
// records in both: otherwise the zones disagree and one server cannot serve them (an error
// naming the record). Injected failures are not merged.
Result<void> merge_zone(StaticResolver& into, const StaticResolver& from);

class ServedZone {
 public:
  explicit ServedZone(StaticResolver zone,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  ~ServedZone();
  ServedZone(const ServedZone&) = delete;
  ServedZone& operator=(const ServedZone&) = delete;

  // The StaticResolver holding the zone, or the UnboundResolver asking the unbound server that
  // serves it (both started by the first call). The resolver lives as long as this object.
  Result<Resolver*> resolver(Backend backend);

  const StaticResolver& zone() const { return zone_; }

 private:
  StaticResolver zone_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<UnboundServer> server_;
  std::unique_ptr<Resolver> unbound_;
};

// The fixture of such a suite: Suite::make_zone() is served from the suite's first case to its
// last; each case gets the resolver of its backend.
template <typename Suite>
class ServedSuite : public ::testing::TestWithParam<Backend> {
 protected:
  static void SetUpTestSuite() { served_ = new ServedZone(Suite::make_zone()); }

  static void TearDownTestSuite() {
    delete served_;  // stops the unbound server, if one was started
    served_ = nullptr;
  }

  void SetUp() override {
    auto resolver = served_->resolver(GetParam());
    ASSERT_TRUE(resolver) << resolver.error().describe();
    resolver_ = *resolver;
  }

  Backend backend() const { return GetParam(); }

  Resolver& resolver() { return *resolver_; }

 private:
  static inline ServedZone* served_ = nullptr;
  Resolver* resolver_ = nullptr;
};

}  // namespace cqlist::dns::testing
