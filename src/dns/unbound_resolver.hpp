// dns/unbound_resolver.hpp: the production Resolver, on libunbound.
//
// Owns: the libunbound context (forwarders or the system's /etc/resolv.conf, optional DNSSEC
// trust anchor), per-query timeouts, and turning libunbound results (raw rdata) into Answer
// values. Caching, two levels: libunbound keeps a message and RRset cache inside the context
// (TTLs and negative TTLs honoured, RFC 2308), and in front of it an AnswerCache
// (answer_cache.hpp) answers repeated queries without touching libunbound at all, because
// even a libunbound cache hit costs a round trip through its worker thread.
//
// Threading: query() may be called from any number of threads. Queries are started with
// ub_resolve_async() on a context running its own resolver thread (ub_ctx_async(ctx, 1)); one
// processing thread delivers results; a query that outlives its timeout is cancelled
// (ub_cancel) and reported as Status::timeout. ub_resolve() alone could not time out.
//
// Local zones: libunbound answers its built-in local zones itself (RFC 6761 `test`, `invalid`,
// the documentation ranges' and RFC 1918 reverse zones, ...) with NXDOMAIN. When queries go to
// a forwarder or to the system's resolvers, those zones are made "transparent" so the upstream
// server decides; tests serve zones in exactly those ranges. ("nodefault" would be the natural
// choice, but libunbound 1.17 ignores it when set through ub_ctx_set_option().)
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/result.hpp"
#include "dns/answer_cache.hpp"
#include "dns/resolver.hpp"

struct ub_ctx;

namespace cqlist::dns {

struct UnboundOptions {
  // "127.0.0.1@5353", "::1@53", "192.0.2.53" (port 53). Empty: the system's resolvers.
  std::vector<std::string> forwarders;
  // Used when `forwarders` is empty; empty means /etc/resolv.conf.
  std::string resolv_conf;
  // A file of DS or DNSKEY records (zone-file format, e.g. /usr/share/dns/root.key). When set,
  // answers are validated and marked secure/bogus; otherwise every answer is insecure.
  std::string trust_anchor_file;
  // How long one query() may take, CNAME chasing and retries included.
  std::chrono::milliseconds timeout{5000};
  // Answers kept in process (AnswerCache); 0 sends every query to libunbound.
  std::size_t cache_entries = 10000;
  // How long NXDOMAIN/NODATA is kept when the answer carried no negative TTL (no SOA).
  std::chrono::seconds negative_ttl_fallback{60};
};

// Reads the `--resolver ADDR[@PORT]` form: an IPv4 or IPv6 address (no host names: the
// resolver cannot resolve its own address), optionally @port 1-65535.
Result<UnboundOptions> parse_resolver_address(std::string_view text);

// The zones libunbound serves itself by default (unbound.conf(5) "local-zone" defaults) that
// are made transparent when forwarding. Test servers built on unbound switch them off too.
const std::vector<std::string>& unbound_default_local_zones();

class UnboundResolver : public Resolver {
 public:
  static Result<std::unique_ptr<UnboundResolver>> create(const UnboundOptions& options);
  ~UnboundResolver() override;
  UnboundResolver(const UnboundResolver&) = delete;
  UnboundResolver& operator=(const UnboundResolver&) = delete;

  Answer query(std::string_view name, RecordType type) override;

  // Hits and misses of the in-process cache (all zero when it is off).
  AnswerCache::Stats cache_stats() const;

 private:
  UnboundResolver(ub_ctx* context, const UnboundOptions& options, int wake_read, int wake_write);
  void process_loop();
  Answer resolve(std::string_view name, RecordType type);

  ub_ctx* context_;
  std::chrono::milliseconds timeout_;
  std::optional<AnswerCache> cache_;
  int wake_read_;
  int wake_write_;
  std::atomic<bool> stopping_{false};
  std::thread processor_;
};

}  // namespace cqlist::dns
