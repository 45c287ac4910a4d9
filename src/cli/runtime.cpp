// cli/runtime.cpp: cqlist.toml, the data directory, and exit codes for store errors.
#include "cli/runtime.hpp"

#include <cstdio>
#include <cstdlib>
#include <set>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <unistd.h>

#include "base/file.hpp"
#include "cli/commands.hpp"
#include "mail/address.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cqlist::cli {
namespace {

Result<std::pair<std::string, std::uint16_t>> split_listen(std::string_view text,
                                                           std::string_view key) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return fail(Errc::bad_syntax, fmt::format("{} = \"{}\": write ADDRESS:PORT, e.g. "
                                              "\"127.0.0.1:8024\"",
                                              key, text));
  }
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  try {
    port = std::stoi(std::string(text.substr(colon + 1)));
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) {
    return fail(Errc::bad_syntax, fmt::format("{} = \"{}\": the port must be 0-65535", key, text));
  }
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

// Unknown keys are errors: "relay.prot = 25" must not silently mean the default port.
Result<void> check_keys(const toml::table& table, std::string_view where,
                        const std::set<std::string>& known) {
  for (const auto& [key, value] : table) {
    if (!known.contains(std::string(key.str()))) {
      return fail(Errc::bad_syntax,
                  fmt::format("unknown setting '{}{}' in the configuration file (line {})", where,
                              key.str(), key.source().begin.line));
    }
  }
  return {};
}

template <class T>
Result<void> read_value(const toml::table& table, std::string_view key, T& out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    return {};
  }
  if constexpr (std::is_same_v<T, std::string>) {
    if (auto value = node->value<std::string>()) {
      out = *value;
      return {};
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (auto value = node->value<bool>()) {
      out = *value;
      return {};
    }
  } else {
    if (auto value = node->value<std::int64_t>(); value && *value >= 0) {
      out = static_cast<T>(*value);
      return {};
    }
  }
  return fail(Errc::bad_syntax, fmt::format("setting '{}' (line {}) has the wrong type", key,
                                            node->source().begin.line));
}

// A list of addresses and networks: ["127.0.0.1", "192.0.2.0/24", "2001:db8::/32"].
Result<void> read_networks(const toml::table& table, std::string_view where, std::string_view key,
                           std::optional<std::vector<IpNetwork>>& out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    return {};
  }
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    return fail(Errc::bad_syntax,
                fmt::format("setting '{}{}' (line {}) must be a list of IP addresses or networks, "
                            "e.g. [\"127.0.0.1\", \"192.0.2.0/24\"]",
                            where, key, node->source().begin.line));
  }
  std::vector<IpNetwork> networks;
  for (const toml::node& element : *array) {
    std::optional<std::string> text = element.value<std::string>();
    if (!text) {
      return fail(Errc::bad_syntax,
                  fmt::format("setting '{}{}' (line {}): write each address or network in quotes, "
                              "e.g. \"192.0.2.0/24\"",
                              where, key, element.source().begin.line));
    }
    std::optional<IpNetwork> network = IpNetwork::parse(*text);
    if (!network) {
      return fail(Errc::bad_syntax,
                  fmt::format("setting '{}{}' (line {}): \"{}\" is not an IP address or network "
                              "such as \"192.0.2.0/24\"",
                              where, key, element.source().begin.line, *text));
    }
    networks.push_back(*network);
  }
  out = std::move(networks);
  return {};
}

// `listen = "ADDRESS:PORT"` of a section; `address` and `port` keep their defaults when it is
// absent or "". `key` is the full name for messages ("http.listen").
Result<void> read_listen(const toml::table& section, std::string_view key, std::string& address,
                         std::uint16_t& port) {
  std::string listen;
  CQLIST_TRY_VOID(read_value(section, "listen", listen));
  if (!listen.empty()) {
    CQLIST_TRY(auto split, split_listen(listen, key));
    std::tie(address, port) = split;
  }
  return {};
}

}  // namespace

Result<ServerConfig> load_server_config(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    return fail(Errc::not_found,
                fmt::format("the configuration file {} does not exist; create it (see "
                            "`cqlist help serve`) or give --config FILE or --data-dir DIR",
                            file.string()));
  }
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& error) {
    return fail(Errc::bad_syntax, fmt::format("{} line {}: {}", file.string(),
                                              error.source().begin.line, error.description()));
  }
  ServerConfig config;
  config.hostname = system_hostname();
  CQLIST_TRY_VOID(check_keys(
      root, "", {"data_dir", "hostname", "lmtp", "http", "policy", "relay", "dns", "delivery"}));
  std::string data_dir = config.data_dir.string();
  CQLIST_TRY_VOID(read_value(root, "data_dir", data_dir));
  config.data_dir = data_dir;
  CQLIST_TRY_VOID(read_value(root, "hostname", config.hostname));
  if (const auto* lmtp = root["lmtp"].as_table()) {
    CQLIST_TRY_VOID(check_keys(*lmtp, "lmtp.", {"listen", "max_message_bytes", "xforward_hosts"}));
    CQLIST_TRY_VOID(read_listen(*lmtp, "lmtp.listen", config.lmtp_address, config.lmtp_port));
    CQLIST_TRY_VOID(read_value(*lmtp, "max_message_bytes", config.max_message_bytes));
    CQLIST_TRY_VOID(read_networks(*lmtp, "lmtp.", "xforward_hosts", config.lmtp_xforward_hosts));
  }
  if (const auto* http = root["http"].as_table()) {
    CQLIST_TRY_VOID(check_keys(*http, "http.", {"listen"}));
    CQLIST_TRY_VOID(read_listen(*http, "http.listen", config.http_address, config.http_port));
  }
  if (const auto* policy = root["policy"].as_table()) {
    CQLIST_TRY_VOID(check_keys(*policy, "policy.", {"listen"}));
    CQLIST_TRY_VOID(
        read_listen(*policy, "policy.listen", config.policy_address, config.policy_port));
  }
  if (const auto* relay = root["relay"].as_table()) {
    CQLIST_TRY_VOID(check_keys(*relay, "relay.", {"host", "port", "starttls", "max_connections"}));
    CQLIST_TRY_VOID(read_value(*relay, "host", config.relay_host));
    CQLIST_TRY_VOID(read_value(*relay, "port", config.relay_port));
    CQLIST_TRY_VOID(read_value(*relay, "starttls", config.relay_starttls));
    CQLIST_TRY_VOID(read_value(*relay, "max_connections", config.relay_max_connections));
  }
  if (const auto* dns = root["dns"].as_table()) {
    CQLIST_TRY_VOID(check_keys(*dns, "dns.", {"resolver"}));
    CQLIST_TRY_VOID(read_value(*dns, "resolver", config.resolver));
  }
  if (const auto* delivery = root["delivery"].as_table()) {
    CQLIST_TRY_VOID(check_keys(*delivery, "delivery.", {"workers"}));
    CQLIST_TRY_VOID(read_value(*delivery, "workers", config.delivery_workers));
  }
  if (config.delivery_workers == 0) {
    config.delivery_workers = 1;
  }
  return config;
}

void add_config_options(CLI::App& cmd, ConfigArgs& args) {
  cmd.add_option("-c,--config", args.config_file,
                 "Server configuration file (default: $CQLIST_CONFIG, else "
                 "/etc/cqlist/cqlist.toml)");
  cmd.add_option("--data-dir", args.data_dir,
                 "Data directory (database, spool, archive); overrides the file's data_dir");
}

Result<ServerConfig> resolve_config(const ConfigArgs& args) {
  std::string file = args.config_file;
  if (file.empty()) {
    const char* from_env = std::getenv("CQLIST_CONFIG");
    file = from_env != nullptr && *from_env != '\0' ? from_env : "/etc/cqlist/cqlist.toml";
  }
  auto config = load_server_config(file);
  if (!config) {
    if (config.error().code() != Errc::not_found || args.data_dir.empty()) {
      // EX_CONFIG: under Postfix's pipe(8) a mail waits for the fix instead of bouncing as
      // "data format error".
      return fail(Errc::configuration, config.error().message());
    }
    ServerConfig defaults;
    defaults.hostname = system_hostname();
    config = defaults;
  }
  if (!args.data_dir.empty()) {
    config->data_dir = args.data_dir;
  }
  return config;
}

Result<Runtime> open_runtime(const ServerConfig& config) {
  std::error_code error;
  std::filesystem::create_directories(config.data_dir, error);
  if (error) {
    return fail(Errc::io, fmt::format("cannot create the data directory {}: {}",
                                      config.data_dir.string(), error.message()));
  }
  Runtime runtime;
  runtime.config = config;
  CQLIST_TRY(runtime.store, store::open_sqlite_store(config.data_dir / "cqlist.db"));
  CQLIST_TRY(auto spool, list::Spool::open(config.data_dir / "spool"));
  runtime.spool = std::make_unique<list::Spool>(std::move(spool));
  CQLIST_TRY(auto outbox, list::Spool::open(config.data_dir / "outbox"));
  runtime.outbox = std::make_unique<list::Spool>(std::move(outbox));
  runtime.archive = std::make_unique<list::Archive>(config.data_dir / "archive");
  runtime.get_quota = std::make_unique<list::RequestQuota>(config.data_dir / "requests");

  auto secret_file = config.data_dir / "secret";
  auto secret = read_file(secret_file);
  if (!secret) {
    CQLIST_TRY(std::string fresh, list::random_token());
    // Refuse: when another cqlist process created it first, read theirs.
    if (auto written = write_file_durably(secret_file, fresh, Overwrite::refuse, 0600); !written) {
      if (written.error().code() != Errc::already_exists) {
        return fail(std::move(written.error()));
      }
    }
    CQLIST_TRY(secret, read_file(secret_file));
  }
  runtime.tokens = std::make_unique<list::TokenSigner>(*secret);
  runtime.keys = std::make_unique<list::KeyRing>(config.hostname);
  return runtime;
}

std::string system_hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') {
    return "localhost";
  }
  return name;
}

int report_error(std::string_view command, const Error& error) {
  fmt::print(stderr, "cqlist {}: {}\n", command, error.describe());
  switch (error.code()) {
    case Errc::invalid_argument:
    case Errc::already_exists:
      return kExitUsage;
    case Errc::bad_syntax:
      return kExitDataError;
    case Errc::not_found:
      return kExitNoInput;
    case Errc::io:
      return kExitIoError;
    case Errc::temporary:
      return kExitTempFail;
    case Errc::configuration:
      return kExitConfig;
    case Errc::unsupported:
    case Errc::limit_exceeded:
    case Errc::internal:
      return kExitSoftware;
  }
  return kExitSoftware;
}

Result<store::ListRow> find_list_by_address(store::Store& store, std::string_view address) {
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) {
    return fail(Errc::invalid_argument,
                fmt::format("'{}': give the list's address, NAME@DOMAIN", address));
  }
  // The store keeps domains in A-labels, as the LMTP listener receives them.
  auto domain = mail::domain_to_ascii(address.substr(at + 1));
  if (!domain) {
    return fail(Errc::invalid_argument,
                fmt::format("'{}': {} is not a domain name", address, address.substr(at + 1)));
  }
  auto list = store.find_list(address.substr(0, at), *domain);
  if (!list && list.error().code() == Errc::not_found) {
    return fail(Errc::not_found, fmt::format("there is no list {}; `cqlist list create {}` "
                                             "makes it",
                                             address, address));
  }
  return list;
}

Result<std::optional<store::Id>> optional_list_id(store::Store& store, std::string_view address) {
  if (address.empty()) {
    return std::optional<store::Id>();
  }
  CQLIST_TRY(store::ListRow list, find_list_by_address(store, address));
  return std::optional<store::Id>(list.id);
}

}  // namespace cqlist::cli
