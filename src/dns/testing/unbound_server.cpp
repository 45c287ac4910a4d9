#include "dns/testing/unbound_server.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dns/unbound_resolver.hpp"

namespace cqlist::dns::testing {
namespace {

// A UDP port on 127.0.0.1 that was free a moment ago.
Result<std::uint16_t> free_port() {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(Errc::io, "socket() failed");
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  if (bind(fd, generic, sizeof(address)) != 0 || getsockname(fd, generic, &length) != 0) {
    close(fd);
    return fail(Errc::io, "could not bind a loopback UDP port");
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string absolute(std::string_view name) {
  if (name.empty() || name.back() == '.') {
    return std::string(name.empty() ? "." : name);
  }
  return std::string(name) + ".";
}

// A TXT character-string in presentation form; everything unusual as \DDD so that neither
// unbound's config quoting (') nor the zone quoting (") can break.
std::string quote_txt(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\' || c == '\'') {
      out += fmt::format("\\{:03d}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string presentation(const RecordData& data) {
  if (const auto* address = std::get_if<IpAddress>(&data)) {
    return address->to_string();
  }
  if (const auto* name = std::get_if<std::string>(&data)) {
    return absolute(*name);
  }
  if (const auto* mx = std::get_if<MxRecord>(&data)) {
    return fmt::format("{} {}", mx->preference, absolute(mx->exchange));
  }
  if (const auto* txt = std::get_if<TxtRecord>(&data)) {
    std::string out;
    for (const auto& piece : txt->strings) {
      out += (out.empty() ? "" : " ") + quote_txt(piece);
    }
    return out;
  }
  if (const auto* soa = std::get_if<SoaRecord>(&data)) {
    return fmt::format("{} {} {} 3600 600 86400 300", absolute(soa->mname), absolute(soa->rname),
                       soa->serial);
  }
  const auto& tlsa = std::get<TlsaRecord>(data);
  std::string hex;
  for (char c : tlsa.data) {
    hex += fmt::format("{:02x}", static_cast<unsigned char>(c));
  }
  return fmt::format("{} {} {} {}", tlsa.usage, tlsa.selector, tlsa.matching_type, hex);
}

// Sends ". SOA" to the server; true when anything comes back. The socket is connected, so
// while nothing listens yet the ICMP "port unreachable" ends the wait at once (an error on
// recv) instead of after the poll timeout: a server start costs ~80 ms, not 200+.
bool answers(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return false;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const unsigned char query[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1};
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      send(fd, query, sizeof(query), 0) == static_cast<ssize_t>(sizeof(query))) {
    pollfd poll_fd{fd, POLLIN, 0};
    unsigned char reply[512];
    ok = poll(&poll_fd, 1, 200) == 1 && recv(fd, reply, sizeof(reply), 0) >= 2 &&
         reply[0] == 0x12 && reply[1] == 0x34;
  }
  close(fd);
  return ok;
}

// A name with injected failures: unbound gives it a local zone of its own (see the header).
struct FailingName {
  Status status = Status::timeout;
  bool all_types = false;
  std::set<RecordType> types;

  bool fails(RecordType type) const { return all_types || types.count(type) > 0; }
};

// One status a name: unbound cannot both drop and fail queries for one name.
std::map<std::string, FailingName> failing_names(const StaticResolver& zone) {
  std::map<std::string, FailingName> out;
  for (const auto& failure : zone.failures()) {
    auto [found, inserted] = out.try_emplace(failure.name);
    if (inserted) {
      found->second.status = failure.status;
    }
    if (failure.type) {
      found->second.types.insert(*failure.type);
    } else {
      found->second.all_types = true;
    }
  }
  return out;
}

// The names directly below a failing name that exist (hold records, or are empty
// non-terminals above records) and do not fail themselves. Each gets a static zone: the
// most specific local zone decides, so the subtree answers from its records instead of
// falling into the failing name's zone.
std::set<std::string> child_zones(const std::map<std::string, FailingName>& failing,
                                  const std::vector<StaticResolver::Entry>& served) {
  std::set<std::string> out;
  for (const auto& [name, failure] : failing) {
    const std::string suffix = "." + name;
    for (const auto& entry : served) {
      const std::string& below = entry.name;
      if (below.size() <= suffix.size() ||
          below.compare(below.size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      const std::size_t end = below.size() - suffix.size();
      const std::size_t dot = below.rfind('.', end - 1);
      std::string child = below.substr(dot == std::string::npos ? 0 : dot + 1);
      if (failing.count(child) == 0) {
        out.insert(std::move(child));
      }
    }
  }
  return out;
}

// What StaticResolver holds but DNS cannot carry; unbound's own message for it is obscure.
Result<void> check_servable(const StaticResolver& zone) {
  for (const auto& entry : zone.entries()) {
    const auto* txt = std::get_if<TxtRecord>(&entry.data);
    if (txt == nullptr) {
      continue;
    }
    for (const std::string& piece : txt->strings) {
      if (piece.size() > 255) {
        return fail(Errc::invalid_argument,
                    fmt::format("TXT {} has a {}-byte character-string; DNS carries at most 255 "
                                "(RFC 1035 3.3): split the value into several strings",
                                entry.name, piece.size()));
      }
    }
  }
  return {};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::string unbound_config(const StaticResolver& zone, std::uint16_t port,
                           const std::string& directory,
                           const std::vector<std::string>& extra_server_lines,
                           const std::vector<std::string>& extra_clauses) {
  std::string conf = "server:\n";
  for (const std::string& line : {
           std::string("username: \"\""),
           std::string("chroot: \"\""),
           fmt::format("directory: \"{}\"", directory),
           std::string("do-daemonize: no"),
           fmt::format("interface: 127.0.0.1@{}", port),
           fmt::format("port: {}", port),
           std::string("access-control: 127.0.0.0/8 allow"),
           std::string("use-syslog: no"),
           std::string("logfile: \"\""),
           std::string("pidfile: \"\""),
           std::string("verbosity: 1"),
           std::string("num-threads: 1"),
           std::string("do-ip6: no"),
           std::string("do-not-query-localhost: no"),
           std::string("module-config: \"iterator\""),
           // SERVFAIL names are delegated to an address the server may not query: it fails
           // at once, where an unreachable server would take seconds of retries.
           std::string("do-not-query-address: 127.0.0.2"),
           // Everything the zone does not hold is NXDOMAIN; no query leaves the machine.
           std::string("local-zone: \".\" static"),
           std::string("local-data: \". 300 IN SOA localhost. nobody.invalid. 1 3600 600 "
                       "86400 300\""),
       }) {
    conf += "  " + line + "\n";
  }
  for (const std::string& default_zone : unbound_default_local_zones()) {
    conf += fmt::format("  local-zone: \"{}\" nodefault\n", default_zone);
  }
  const std::map<std::string, FailingName> failing = failing_names(zone);
  std::vector<StaticResolver::Entry> served;
  for (const auto& entry : zone.entries()) {
    // A failure wins over records, as in StaticResolver::query(); unbound would answer them.
    auto found = failing.find(entry.name);
    if (found == failing.end() || !found->second.fails(entry.type)) {
      served.push_back(entry);
    }
  }
  for (const auto& [name, failure] : failing) {
    conf += fmt::format("  local-zone: \"{}\" {}\n", absolute(name),
                        failure.status == Status::timeout ? "deny" : "typetransparent");
  }
  for (const std::string& name : child_zones(failing, served)) {
    conf += fmt::format("  local-zone: \"{}\" static\n", absolute(name));
  }
  for (const auto& entry : served) {
    conf += fmt::format("  local-data: '{} {} IN {} {}'\n", absolute(entry.name), entry.ttl,
                        record_type_name(entry.type), presentation(entry.data));
  }
  for (const std::string& line : extra_server_lines) {
    conf += "  " + line + "\n";
  }
  conf += "remote-control:\n  control-enable: no\n";
  for (const auto& [name, failure] : failing) {
    if (failure.status != Status::timeout) {
      conf += fmt::format("stub-zone:\n  name: \"{}\"\n  stub-addr: 127.0.0.2\n", absolute(name));
    }
  }
  for (const std::string& line : extra_clauses) {
    conf += line + "\n";
  }
  return conf;
}

// One try on a port that was free a moment ago. Errc::already_exists when unbound could not
// bind it: taken meanwhile, by a parallel test or a resolver's source port.
Result<void> UnboundServer::launch(const StaticResolver& zone,
                                   const std::vector<std::string>& extra_server_lines,
                                   const std::vector<std::string>& extra_clauses) {
  CQLIST_TRY(port_, free_port());
  std::string conf_path = directory_ + "/unbound.conf";
  std::string log_path = directory_ + "/unbound.log";
  {
    std::ofstream out(conf_path, std::ios::binary | std::ios::trunc);
    out << unbound_config(zone, port_, directory_, extra_server_lines, extra_clauses);
    if (!out) {
      return fail(Errc::io, fmt::format("could not write {}", conf_path));
    }
  }
  pid_t pid = fork();
  if (pid < 0) {
    return fail(Errc::io, "fork failed");
  }
  if (pid == 0) {
    int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (log_fd >= 0) {
      dup2(log_fd, 1);
      dup2(log_fd, 2);
    }
    const char* argv[] = {"unbound", "-d", "-c", conf_path.c_str(), nullptr};
    execv("/usr/sbin/unbound", const_cast<char* const*>(argv));
    execvp("unbound", const_cast<char* const*>(argv));
    _exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!answers(port_)) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid_ = -1;
      std::string log = read_text(log_path);
      bool port_taken = log.find("bind") != std::string::npos ||
                        log.find("ddress already in use") != std::string::npos;
      return fail(port_taken ? Errc::already_exists : Errc::io,
                  fmt::format("unbound exited at startup: {}", log));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return fail(Errc::temporary,
                  fmt::format("unbound did not answer within 10 s: {}", read_text(log_path)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return {};
}

Result<std::unique_ptr<UnboundServer>> UnboundServer::start(
    const StaticResolver& zone, const std::vector<std::string>& extra_server_lines,
    const std::vector<std::string>& extra_clauses) {
  CQLIST_TRY_VOID(check_servable(zone));
  std::string pattern = (std::filesystem::temp_directory_path() / "cqlist-unbound-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return fail(Errc::io, "mkdtemp failed");
  }
  std::unique_ptr<UnboundServer> server(new UnboundServer());
  server->directory_ = pattern;
  constexpr int kTries = 3;
  for (int attempt = 1;; ++attempt) {
    auto launched = server->launch(zone, extra_server_lines, extra_clauses);
    if (launched) {
      return server;
    }
    if (launched.error().code() != Errc::already_exists || attempt == kTries) {
      return fail(std::move(launched.error()));
    }
  }
}

UnboundServer::~UnboundServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string UnboundServer::forwarder() const {
  return fmt::format("127.0.0.1@{}", port_);
}

}  // namespace cqlist::dns::testing
