// cli/doctor_inputs.cpp: options, postconf, list settings and keys into a DoctorInput.
#include "cli/doctor_inputs.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/subprocess.hpp"
#include "cli/commands.hpp"
#include "cli/doctor_selftest.hpp"
#include "cli/store_command.hpp"
#include "dns/unbound_resolver.hpp"
#include "list/settings.hpp"

namespace cqlist::cli {
namespace {

constexpr int kPostingWindowDays = 30;

// postconf's stdout, or an error when it cannot be run or exits non-zero.
Result<std::string> run_postconf(const std::string& config_dir) {
  std::vector<std::string> words{"postconf"};
  if (!config_dir.empty()) {
    words.insert(words.end(), {"-c", config_dir});
  }
  words.emplace_back("-xh");
  std::string_view names = doctor::postconf_parameters();
  while (!names.empty()) {
    const std::size_t space = names.find(' ');
    words.emplace_back(names.substr(0, space));
    names.remove_prefix(space == std::string_view::npos ? names.size() : space + 1);
  }
  CQLIST_TRY(ProcessOutput run, run_program(words));
  if (run.exit_status != 0) {
    return fail(Errc::io, fmt::format("postconf{} failed; check the Postfix configuration",
                                      config_dir.empty() ? "" : " -c " + config_dir));
  }
  return std::move(run.standard_output);
}

bool postconf_installed() {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin"}) {
    if (::access((std::string(dir) + "/postconf").c_str(), X_OK) == 0) {
      return true;
    }
  }
  return false;
}

Result<doctor::DkimKey> load_key(const std::string& selector, const std::string& path) {
  CQLIST_TRY(std::string text, read_file(path));
  auto key = auth::crypto::PrivateKey::from_text(text);
  if (!key) {
    return fail(std::move(key.error()).with_context("the DKIM key file " + path));
  }
  return doctor::DkimKey{selector, path, *key};
}

std::string domain_of(std::string_view address) {
  const std::size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

// The list's row and settings, kept for the DKIM self-test.
struct ListConfig {
  store::ListRow row;
  list::ListSettings settings;
};

Result<ListConfig> add_list_facts(const DoctorArgs& args, doctor::DoctorInput& input) {
  CQLIST_TRY(Runtime runtime, open_configured_runtime(args.config));
  CQLIST_TRY(store::ListRow row, find_list_by_address(*runtime.store, args.list));
  CQLIST_TRY(list::ListSettings settings, list::parse_settings(row.settings));
  input.domain = row.domain;
  input.delivery_workers = runtime.config.delivery_workers;
  input.relay_max_connections = runtime.config.relay_max_connections;
  input.signing_known = true;
  if (!settings.dkim_key_rsa.empty()) {
    CQLIST_TRY(auto key, load_key(settings.dkim_selector_rsa, settings.dkim_key_rsa));
    input.dkim_keys.push_back(std::move(key));
  }
  if (!settings.dkim_key_ed25519.empty()) {
    CQLIST_TRY(auto key, load_key(settings.dkim_selector_ed25519, settings.dkim_key_ed25519));
    input.dkim_keys.push_back(std::move(key));
  }
  doctor::ListFacts facts;
  facts.address = row.address();
  facts.from_rewrite = list::settings_as_strings(settings).at("from_rewrite");
  facts.rewrite_domains = settings.rewrite_domains;
  facts.subject_tag = settings.subject_tag != "none";
  facts.footer = !settings.footer.empty();
  facts.envelope_domain = row.domain;  // bounces go to NAME-bounces+...@DOMAIN (list/verp)
  facts.list_id = true;                // every post gets List-Id (list/decorate)
  facts.one_click = settings.personalize && settings.web_url.starts_with("https://");
  facts.arc = settings.arc && !settings.dkim_key_rsa.empty();  // the seal uses the RSA key
  std::string after;
  while (true) {
    CQLIST_TRY(auto page, runtime.store->members(row.id, after));
    if (page.empty()) {
      break;
    }
    for (const store::MemberRow& member : page) {
      ++facts.members;
      ++facts.members_by_domain[domain_of(member.address)];
    }
    after = page.back().address;
  }
  // Peak posts per day over the last 30 days of articles.
  const std::int64_t first = std::max<std::int64_t>(1, row.last_article - 999);
  CQLIST_TRY(auto posts, runtime.store->posts(row.id, first, row.last_article));
  std::map<std::int64_t, int> per_day;
  const auto now = store::Clock::now();
  for (const store::PostRow& post : posts) {
    const auto age = std::chrono::duration_cast<std::chrono::hours>(now - post.received_at);
    if (age.count() < 24 * kPostingWindowDays) {
      ++per_day[age.count() / 24];
    }
  }
  for (const auto& [day, count] : per_day) {
    facts.posts_per_day = std::max(facts.posts_per_day, static_cast<double>(count));
  }
  input.list = std::move(facts);
  return ListConfig{std::move(row), std::move(settings)};
}

}  // namespace

void add_doctor_input_options(CLI::App& cmd, DoctorArgs& args) {
  cmd.add_option("--domain", args.domain,
                 "The list domain to check (envelope, DKIM and From domain); not needed with "
                 "--list");
  cmd.add_option("--list", args.list,
                 "A configured list (NAME@DOMAIN): its domain, DKIM keys, From handling and "
                 "membership are checked too");
  cmd.add_option("--ip", args.ips,
                 "An address list mail leaves from, IPv4 or IPv6 (repeat for each); default: "
                 "this host's global addresses as Postfix uses them");
  cmd.add_option("--helo", args.helo, "The name the MTA gives in EHLO; default: from Postfix");
  cmd.add_option("--dkim-key", args.dkim_keys,
                 "SELECTOR:FILE, a private key the domain's mail is signed with (repeatable)");
  cmd.add_option("--postconf-dir", args.postconf_dir,
                 "Read Postfix settings with `postconf -c DIR` (default: the system's)");
  cmd.add_flag("--no-postfix", args.no_postfix, "Do not read Postfix settings");
  cmd.add_option("--dnsbl", args.dnsbl,
                 "A DNS blocklist zone to look the egress addresses up in (repeatable; default "
                 "zen.spamhaus.org; \"none\" for no lookup)");
  cmd.add_option("--ns-port", args.ns_port,
                 "Port the domain's name servers are asked on directly (DNS-04; for tests)")
      ->capture_default_str();
  add_config_options(cmd, args.config);
}

Result<doctor::DoctorInput> gather_doctor_input(const DoctorArgs& args) {
  doctor::DoctorInput input;
  std::optional<ListConfig> list_config;
  if (!args.list.empty()) {
    CQLIST_TRY(list_config, add_list_facts(args, input));
  }
  if (!args.domain.empty()) {
    input.domain = dns::normalize_name(args.domain);
  }
  if (input.domain.empty()) {
    return fail(Errc::invalid_argument,
                "say which domain to check: --domain DOMAIN, or --list NAME@DOMAIN");
  }
  if (!args.dnsbl.empty()) {
    input.dnsbl_zones.clear();
    for (const std::string& zone : args.dnsbl) {
      if (zone != "none") {
        input.dnsbl_zones.push_back(dns::normalize_name(zone));
      }
    }
  }
  for (const std::string& spec : args.dkim_keys) {
    const std::size_t colon = spec.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
      return fail(Errc::invalid_argument,
                  fmt::format("--dkim-key {}: write SELECTOR:FILE, e.g. cq2026:/etc/cqlist/"
                              "cq2026.pem",
                              spec));
    }
    CQLIST_TRY(auto key, load_key(spec.substr(0, colon), spec.substr(colon + 1)));
    input.dkim_keys.push_back(std::move(key));
    input.signing_known = true;
  }
  if (!args.no_postfix && (!args.postconf_dir.empty() || postconf_installed())) {
    auto output = run_postconf(args.postconf_dir);
    Result<doctor::PostfixSettings> settings =
        output ? doctor::parse_postconf_output(*output) : fail(std::move(output.error()));
    if (settings) {
      input.postfix = std::move(*settings);
    } else if (!args.postconf_dir.empty()) {
      return fail(std::move(settings.error()));
    } else {
      // An installed but unconfigured Postfix is not the list's MTA: check without it.
      std::fprintf(stderr, "cqlist: Postfix settings not read (%s); checking without them\n",
                   settings.error().describe().c_str());
    }
  }
  std::vector<doctor::EgressAddress> candidates;
  for (const std::string& text : args.ips) {
    auto address = IpAddress::parse(text);
    if (!address) {
      return fail(Errc::invalid_argument,
                  fmt::format("--ip {} is not an IPv4 or IPv6 address", text));
    }
    candidates.push_back({*address, "--ip"});
  }
  // Addresses given on the command line are what the operator says mail leaves from; only
  // discovered ones are narrowed by Postfix's settings.
  input.egress = candidates.empty()
                     ? doctor::effective_egress(doctor::host_global_addresses(), input.postfix)
                     : candidates;
  input.helo_name = !args.helo.empty() ? args.helo
                    : input.postfix    ? input.postfix->helo_name()
                                       : std::string();
  if (!input.dkim_keys.empty()) {
    // Without --list, a list with the default settings stands in for the domain's lists.
    if (!list_config) {
      list_config = ListConfig{};
      list_config->row.name = "doctor-self-test";
      list_config->row.domain = input.domain;
    }
    input.self_test = make_selftest_sample(list_config->row, list_config->settings, input.dkim_keys,
                                           std::chrono::system_clock::now());
  }
  return input;
}

DoctorRun run_doctor_checks(std::string_view command, const DoctorArgs& args,
                            const ResolverArgs& resolver_args,
                            const std::vector<std::string>& groups) {
  DoctorRun run;
  auto input = gather_doctor_input(args);
  if (!input) {
    fmt::print(stderr, "cqlist {}: {}\n", command, input.error().describe());
    run.setup_exit = input.error().code() == Errc::invalid_argument ? kExitUsage : kExitConfig;
    return run;
  }
  auto resolver = make_resolver(resolver_args);
  if (!resolver) {
    fmt::print(stderr, "cqlist {}: cannot set up DNS: {}\n", command, resolver.error().describe());
    run.setup_exit = kExitConfig;
    return run;
  }
  run.input = std::move(*input);
  // DNS-04 asks each authoritative server itself: a forwarder of one address, no cache shared.
  run.input.name_server_resolver =
      [port = args.ns_port, timeout = resolver_args.timeout_ms](
          const IpAddress& address) -> Result<std::unique_ptr<dns::Resolver>> {
    dns::UnboundOptions options;
    options.forwarders = {fmt::format("{}@{}", address.to_string(), port)};
    options.timeout = std::chrono::milliseconds(timeout);
    CQLIST_TRY(auto direct, dns::UnboundResolver::create(options));
    return std::unique_ptr<dns::Resolver>(std::move(direct));
  };
  add_probe_facts(args.probe, **resolver, run.input);
  run.findings = doctor::run_doctor(**resolver, run.input, groups);
  return run;
}

}  // namespace cqlist::cli
