#include "dns/unbound_resolver.hpp"

#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <utility>

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <unbound.h>
#include <unistd.h>

#include "dns/rdata.hpp"

namespace cqlist::dns {
namespace {

constexpr int kClassIn = 1;
constexpr int kRcodeNoError = 0;
constexpr int kRcodeNxdomain = 3;

// One query in flight. The libunbound callback and the waiting query() share it; whichever
// outlives the other frees it (see query()).
struct Pending {
  std::mutex mutex;
  std::condition_variable done_signal;
  bool done = false;
  int error = 0;
  ub_result* result = nullptr;

  ~Pending() {
    if (result != nullptr) {
      ub_resolve_free(result);
    }
  }
};

using PendingHolder = std::shared_ptr<Pending>;

void on_result(void* data, int error, ub_result* result) {
  auto* holder = static_cast<PendingHolder*>(data);
  {
    std::lock_guard lock((*holder)->mutex);
    (*holder)->error = error;
    (*holder)->result = result;
    (*holder)->done = true;
  }
  (*holder)->done_signal.notify_all();
  delete holder;
}

Result<void> check(int code, std::string_view what) {
  if (code != 0) {
    return fail(Errc::invalid_argument, fmt::format("{}: {}", what, ub_strerror(code)));
  }
  return {};
}

Answer to_answer(std::string_view name, RecordType type, const ub_result& result) {
  Answer answer;
  answer.canonical_name =
      normalize_name(result.canonname != nullptr ? std::string_view(result.canonname) : name);
  answer.ttl = result.ttl > 0 ? static_cast<std::uint32_t>(result.ttl) : 0;
  answer.security = result.secure != 0  ? Security::secure
                    : result.bogus != 0 ? Security::bogus
                                        : Security::insecure;
  if (result.bogus != 0) {
    // libunbound withholds bogus data and reports SERVFAIL, as a validating resolver must
    // (RFC 4035 §5.5).
    answer.status = Status::servfail;
    answer.problem = fmt::format("DNSSEC validation failed: {}",
                                 result.why_bogus != nullptr ? result.why_bogus : "bogus");
    return answer;
  }
  if (result.rcode == kRcodeNxdomain) {
    answer.status = Status::nxdomain;
    return answer;
  }
  if (result.rcode != kRcodeNoError) {
    answer.status = Status::servfail;
    answer.problem = fmt::format("the DNS server answered rcode {} for {} {}", result.rcode,
                                 normalize_name(name), record_type_name(type));
    return answer;
  }
  if (result.havedata == 0 || result.data == nullptr) {
    answer.status = Status::nodata;
    return answer;
  }
  for (std::size_t i = 0; result.data[i] != nullptr; ++i) {
    std::string_view rdata(result.data[i], static_cast<std::size_t>(result.len[i]));
    auto decoded = decode_rdata(type, rdata);
    if (!decoded) {
      // One malformed record does not hide the others; the trace says what was dropped.
      answer.problem +=
          fmt::format("{}ignored a malformed {} record: {}", answer.problem.empty() ? "" : "; ",
                      record_type_name(type), decoded.error().message());
      continue;
    }
    answer.records.push_back(std::move(*decoded));
  }
  answer.status = answer.records.empty() ? Status::servfail : Status::answer;
  return answer;
}

}  // namespace

Result<UnboundOptions> parse_resolver_address(std::string_view text) {
  std::string_view address_text = text;
  unsigned port = 53;
  if (std::size_t at = text.rfind('@'); at != std::string_view::npos) {
    address_text = text.substr(0, at);
    std::string_view port_text = text.substr(at + 1);
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
        port == 0 || port > 65535) {
      return fail(Errc::bad_syntax,
                  fmt::format("resolver '{}': the port after '@' must be 1-65535", text));
    }
  }
  auto address = IpAddress::parse(address_text);
  if (!address) {
    return fail(Errc::bad_syntax,
                fmt::format("resolver '{}': expected an IPv4 or IPv6 address, optionally "
                            "followed by @PORT (e.g. 127.0.0.1@5353 or ::1@53)",
                            text));
  }
  UnboundOptions options;
  options.forwarders.push_back(fmt::format("{}@{}", address->to_string(), port));
  return options;
}

const std::vector<std::string>& unbound_default_local_zones() {
  static const std::vector<std::string> zones = [] {
    std::vector<std::string> out = {
        "home.arpa.",
        "onion.",
        "test.",
        "invalid.",
        "10.in-addr.arpa.",
        "168.192.in-addr.arpa.",
        "0.in-addr.arpa.",
        "254.169.in-addr.arpa.",
        "2.0.192.in-addr.arpa.",
        "100.51.198.in-addr.arpa.",
        "113.0.203.in-addr.arpa.",
        "255.255.255.255.in-addr.arpa.",
        "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
        "d.f.ip6.arpa.",
        "8.e.f.ip6.arpa.",
        "9.e.f.ip6.arpa.",
        "a.e.f.ip6.arpa.",
        "b.e.f.ip6.arpa.",
        "8.b.d.0.1.0.0.2.ip6.arpa.",
    };
    for (int octet = 16; octet <= 31; ++octet) {
      out.push_back(fmt::format("{}.172.in-addr.arpa.", octet));
    }
    for (int octet = 64; octet <= 127; ++octet) {
      out.push_back(fmt::format("{}.100.in-addr.arpa.", octet));
    }
    return out;
  }();
  return zones;
}

Result<std::unique_ptr<UnboundResolver>> UnboundResolver::create(const UnboundOptions& options) {
  ub_ctx* context = ub_ctx_create();
  if (context == nullptr) {
    return fail(Errc::internal, "could not create a libunbound context");
  }
  auto configure = [&]() -> Result<void> {
    // A thread, not a forked process, resolves in the background (the default is fork).
    CQLIST_TRY_VOID(check(ub_ctx_async(context, 1), "libunbound async mode"));
    // Forwarders on loopback (a local unbound, systemd-resolved, test servers) are normal.
    CQLIST_TRY_VOID(
        check(ub_ctx_set_option(context, "do-not-query-localhost:", "no"), "libunbound option"));
    for (const std::string& forwarder : options.forwarders) {
      CQLIST_TRY_VOID(check(ub_ctx_set_fwd(context, forwarder.c_str()),
                            fmt::format("DNS forwarder '{}'", forwarder)));
    }
    if (options.forwarders.empty()) {
      const char* path = options.resolv_conf.empty() ? nullptr : options.resolv_conf.c_str();
      CQLIST_TRY_VOID(
          check(ub_ctx_resolvconf(context, path),
                fmt::format("reading {}", path != nullptr ? path : "/etc/resolv.conf")));
    }
    for (const std::string& zone : unbound_default_local_zones()) {
      CQLIST_TRY_VOID(
          check(ub_ctx_set_option(context, "local-zone:", (zone + " transparent").c_str()),
                fmt::format("local-zone {}", zone)));
    }
    if (!options.trust_anchor_file.empty()) {
      // libunbound reads the file only at the first query; a missing file should stop startup.
      if (access(options.trust_anchor_file.c_str(), R_OK) != 0) {
        return fail(Errc::io, fmt::format("DNSSEC trust anchor file {} is not readable",
                                          options.trust_anchor_file));
      }
      CQLIST_TRY_VOID(check(ub_ctx_add_ta_file(context, options.trust_anchor_file.c_str()),
                            fmt::format("DNSSEC trust anchor file {}", options.trust_anchor_file)));
    }
    return {};
  };
  if (auto configured = configure(); !configured) {
    ub_ctx_delete(context);
    return fail(configured.error());
  }
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ub_ctx_delete(context);
    return fail(Errc::io, "could not create the resolver's wake-up pipe");
  }
  return std::unique_ptr<UnboundResolver>(
      new UnboundResolver(context, options, pipe_fds[0], pipe_fds[1]));
}

UnboundResolver::UnboundResolver(ub_ctx* context, const UnboundOptions& options, int wake_read,
                                 int wake_write)
    : context_(context), timeout_(options.timeout), wake_read_(wake_read), wake_write_(wake_write) {
  if (options.cache_entries > 0) {
    cache_.emplace(options.cache_entries, options.negative_ttl_fallback);
  }
  processor_ = std::thread([this] { process_loop(); });
}

UnboundResolver::~UnboundResolver() {
  stopping_ = true;
  char byte = 0;
  while (write(wake_write_, &byte, 1) < 0 && errno == EINTR) {
  }
  processor_.join();
  // Queries still inside libunbound (timed out and cancelled) are freed with the context.
  ub_ctx_delete(context_);
  close(wake_read_);
  close(wake_write_);
}

void UnboundResolver::process_loop() {
  while (!stopping_) {
    pollfd fds[2] = {{ub_fd(context_), POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      continue;  // EINTR
    }
    if ((fds[1].revents & POLLIN) != 0) {
      break;
    }
    if ((fds[0].revents & POLLIN) != 0) {
      ub_process(context_);  // runs on_result for every finished query
    }
  }
}

Answer UnboundResolver::query(std::string_view name, RecordType type) {
  if (!cache_) {
    return resolve(name, type);
  }
  if (std::optional<Answer> cached = cache_->find(name, type)) {
    return std::move(*cached);
  }
  Answer answer = resolve(name, type);
  cache_->store(name, type, answer);
  return answer;
}

AnswerCache::Stats UnboundResolver::cache_stats() const {
  return cache_ ? cache_->stats() : AnswerCache::Stats{};
}

Answer UnboundResolver::resolve(std::string_view name, RecordType type) {
  std::string qname(name);
  auto pending = std::make_shared<Pending>();
  auto* holder = new PendingHolder(pending);
  int async_id = 0;
  int started = ub_resolve_async(context_, qname.c_str(), static_cast<int>(type), kClassIn, holder,
                                 on_result, &async_id);
  if (started != 0) {
    delete holder;
    Answer answer;
    answer.status = Status::servfail;
    answer.canonical_name = normalize_name(name);
    answer.problem = fmt::format("could not start the DNS query: {}", ub_strerror(started));
    return answer;
  }
  std::unique_lock lock(pending->mutex);
  if (!pending->done_signal.wait_for(lock, timeout_, [&] { return pending->done; })) {
    lock.unlock();
    // Cancelled before delivery: the callback will never run, so the holder is ours to free.
    // Otherwise the callback has run or is running and frees it.
    if (ub_cancel(context_, async_id) == 0) {
      delete holder;
    }
    Answer answer;
    answer.status = Status::timeout;
    answer.canonical_name = normalize_name(name);
    answer.problem = fmt::format("no answer for {} {} within {} ms", normalize_name(name),
                                 record_type_name(type), timeout_.count());
    return answer;
  }
  if (pending->error != 0 || pending->result == nullptr) {
    Answer answer;
    answer.status = Status::servfail;
    answer.canonical_name = normalize_name(name);
    answer.problem = fmt::format("DNS resolution failed: {}", ub_strerror(pending->error));
    return answer;
  }
  return to_answer(name, type, *pending->result);
}

}  // namespace cqlist::dns
