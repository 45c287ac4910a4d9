// cli/runtime.hpp: the server configuration file, and everything the store commands open.
//
// Owns: reading cqlist.toml (one file for the server; per-list settings live in the store),
// where the data directory's parts are (cqlist.db, spool/, outbox/, archive/, requests/,
// secret), and opening them the same way for `cqlist serve` and for every command that works
// on the store, so the CLI and the daemon always agree. The installation secret (HMAC key for
// bounce, confirmation and unsubscribe tokens) is created on first use with mode 0600.
//
// The file, with every default:
//   data_dir = "/var/lib/cqlist"
//   hostname = "<the system's host name>"   # HELO/LHLO name and Authentication-Results id
//   [lmtp]     listen = "127.0.0.1:8024"    max_message_bytes = 26214400
//              xforward_hosts = ["127.0.0.0/8", "::1"]
//                                           # the clients whose XFORWARD (the poster's address
//                                           # and HELO name, for SPF and DMARC) is believed
//   [http]     listen = "127.0.0.1:8080"
//   [policy]   listen = ""                  # off; "127.0.0.1:10031" turns on the Postfix
//                                           # policy service (check_policy_service)
//   [relay]    host = "127.0.0.1"  port = 10025  starttls = true  max_connections = 4
//   [dns]      resolver = ""                # "" = system resolvers; or "127.0.0.1@5353"
//   [delivery] workers = 4
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "dns/resolver.hpp"
#include "list/archive.hpp"
#include "list/request_quota.hpp"
#include "list/service.hpp"
#include "list/signing.hpp"
#include "list/spool.hpp"
#include "list/token.hpp"
#include "store/store.hpp"

namespace cqlist::cli {

struct ServerConfig {
  std::filesystem::path data_dir = "/var/lib/cqlist";
  std::string hostname;
  std::string lmtp_address = "127.0.0.1";
  std::uint16_t lmtp_port = 8024;
  std::size_t max_message_bytes = 25 * 1024 * 1024;
  std::optional<std::vector<IpNetwork>> lmtp_xforward_hosts;  // nullopt: the listener's default
  std::string http_address = "127.0.0.1";
  std::uint16_t http_port = 8080;
  // The Postfix policy service that refuses non-members at RCPT; off when the address is "".
  std::string policy_address;
  std::uint16_t policy_port = 0;
  std::string relay_host = "127.0.0.1";
  std::uint16_t relay_port = 10025;
  bool relay_starttls = true;
  std::size_t relay_max_connections = 4;
  std::string resolver;  // "" or "host@port"
  std::size_t delivery_workers = 4;
};

// Errc::not_found when the file is missing, Errc::bad_syntax with the line for a TOML error or
// an unknown key (a typo must not silently fall back to a default).
Result<ServerConfig> load_server_config(const std::filesystem::path& file);

// The --config / --data-dir options every store command takes.
struct ConfigArgs {
  std::string config_file;  // default: $CQLIST_CONFIG, else /etc/cqlist/cqlist.toml
  std::string data_dir;     // overrides data_dir from the file (or stands in for a file)
};

void add_config_options(CLI::App& cmd, ConfigArgs& args);
Result<ServerConfig> resolve_config(const ConfigArgs& args);

// The opened data directory.
struct Runtime {
  ServerConfig config;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<list::Spool> spool;
  std::unique_ptr<list::Spool> outbox;
  std::unique_ptr<list::Archive> archive;
  std::unique_ptr<list::TokenSigner> tokens;
  std::unique_ptr<list::KeyRing> keys;
  std::unique_ptr<list::RequestQuota> get_quota;  // requests/: `get` articles per address a day

  // What list::ListService needs, the same for the daemon, `inject` and `held approve`.
  list::ServiceDeps service_deps(dns::Resolver& resolver) const {
    return {*store, resolver, *spool,          *outbox,        *archive,
            *keys,  *tokens,  config.hostname, get_quota.get()};
  }
};

Result<Runtime> open_runtime(const ServerConfig& config);

// This machine's name ("localhost" when it has none): HELO name and authserv-id by default.
std::string system_hostname();

// Prints "cqlist CMD: ERROR" and returns the sysexits code that fits the error.
int report_error(std::string_view command, const Error& error);

// NAME@DOMAIN -> the list row (Errc::not_found with a hint to `cqlist list create`).
Result<store::ListRow> find_list_by_address(store::Store& store, std::string_view address);

// The list an optional LIST argument names; none (every list) when the argument is empty.
Result<std::optional<store::Id>> optional_list_id(store::Store& store, std::string_view address);

}  // namespace cqlist::cli
