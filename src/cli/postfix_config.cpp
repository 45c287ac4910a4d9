// cli/postfix_config.cpp: `cqlist postfix-config LIST`: the Postfix lines a list needs.
//
// Prints, for the operator to paste, what main.cf, master.cf, the transport table and the
// recipient table need, and the commands that load them. Two ways in: a domain only for lists
// (relay_domains, one transport line for the domain), or a domain that also has ordinary
// mailboxes (--shared-domain: only the list's addresses go to cqlist). The output listener is
// where cqlist hands its signed posts back to Postfix: content filters, header checks and
// milters must not touch them there, or the DKIM and ARC signatures break.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "cli/store_command.hpp"
#include "list/service.hpp"

namespace cqlist::cli {
namespace {

// The addresses list/service.cpp routes for a list, besides NAME@ itself.
// The posting address and every other address of a list.
std::vector<std::string> list_addresses(const ListAddress& list) {
  std::vector<std::string> out{list.address()};
  for (const auto& route : list::route_suffixes()) {
    out.push_back(fmt::format("{}{}@{}", list.name, route.text, list.domain));
  }
  return out;
}

struct PostfixArgs {
  ConfigArgs config;
  std::string list;
  std::string lmtp;  // HOST:PORT
  int reinject_port = 0;
  bool shared_domain = false;
};

struct Endpoints {
  std::string lmtp_host;
  std::uint16_t lmtp_port = 0;
  std::string reinject_host;
  std::uint16_t reinject_port = 0;
  std::size_t max_message_bytes = 0;
  std::string policy_host;  // "" when cqlist.toml has no policy.listen
  std::uint16_t policy_port = 0;
};

bool is_ipv6(std::string_view host) {
  return host.find(':') != std::string_view::npos;
}

// Postfix writes an IPv6 address in brackets wherever a port follows.
std::string host_port(std::string_view host, std::uint16_t port) {
  return is_ipv6(host) ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

Result<Endpoints> endpoints(const PostfixArgs& args) {
  auto config = resolve_config(args.config);
  if (!config && config.error().code() == Errc::not_found && args.config.config_file.empty()) {
    config = ServerConfig{};  // no cqlist.toml yet: the defaults it would have
  }
  if (!config) {
    return fail(std::move(config.error()));
  }
  Endpoints out{.lmtp_host = config->lmtp_address,
                .lmtp_port = config->lmtp_port,
                .reinject_host = config->relay_host,
                .reinject_port = config->relay_port,
                .max_message_bytes = config->max_message_bytes,
                .policy_host = config->policy_address,
                .policy_port = config->policy_port};
  if (!out.policy_host.empty() && out.policy_port == 0) {
    return fail(Errc::invalid_argument,
                "policy.listen in cqlist.toml has port 0 (any free port), which Postfix cannot "
                "be told; give the port, e.g. \"127.0.0.1:10031\"");
  }
  if (out.policy_host == "0.0.0.0") {
    out.policy_host = "127.0.0.1";
  } else if (out.policy_host == "::") {
    out.policy_host = "::1";
  }
  if (!args.lmtp.empty()) {
    auto colon = args.lmtp.rfind(':');
    int port = -1;
    if (colon != std::string::npos) {
      try {
        port = std::stoi(args.lmtp.substr(colon + 1));
      } catch (const std::exception&) {
        port = -1;
      }
    }
    if (port <= 0 || port > 65535) {
      return fail(Errc::invalid_argument,
                  fmt::format("--lmtp {}: write HOST:PORT, e.g. 127.0.0.1:8024", args.lmtp));
    }
    out.lmtp_host = args.lmtp.substr(0, colon);
    if (out.lmtp_host.size() > 2 && out.lmtp_host.front() == '[') {
      out.lmtp_host = out.lmtp_host.substr(1, out.lmtp_host.size() - 2);
    }
    out.lmtp_port = static_cast<std::uint16_t>(port);
  }
  // cqlist listening on every address is reached on loopback.
  if (out.lmtp_host.empty() || out.lmtp_host == "0.0.0.0") {
    out.lmtp_host = "127.0.0.1";
  } else if (out.lmtp_host == "::") {
    out.lmtp_host = "::1";
  }
  if (args.reinject_port != 0) {
    out.reinject_port = static_cast<std::uint16_t>(args.reinject_port);
  }
  return out;
}

std::string main_cf(const ListAddress& list, const Endpoints& at, bool shared_domain) {
  std::string out =
      "# ---- /etc/postfix/main.cf: add these lines. Where a parameter is set "
      "already,\n# ---- add the new value to the old ones instead.\n\n";
  if (shared_domain) {
    out += fmt::format(
        "# Only the list's addresses go to cqlist (transport table below); the rest of\n"
        "# {0} keeps going where it goes now.\n"
        "transport_maps = hash:/etc/postfix/transport\n"
        "# The list's addresses must count as existing recipients, or Postfix refuses them.\n"
        "# When {0} is in mydestination:\n"
        "local_recipient_maps = proxy:unix:passwd.byname $alias_maps "
        "hash:/etc/postfix/cqlist_recipients\n"
        "# (When it is in virtual_mailbox_domains, add hash:/etc/postfix/cqlist_recipients to\n"
        "# virtual_mailbox_maps instead; when in relay_domains, to relay_recipient_maps.)\n",
        list.domain);
  } else {
    out += fmt::format(
        "# Postfix accepts mail for {0} from anywhere and passes it on (to cqlist);\n"
        "# it delivers nothing there to local users. A domain of mydestination cannot be used\n"
        "# this way: for such a domain run this command with --shared-domain.\n"
        "relay_domains = {0}\n"
        "# Only the lists' addresses exist at {0}: mail to any other address is refused\n"
        "# during the SMTP session, so no bounce goes to a sender who may be forged.\n"
        "relay_recipient_maps = hash:/etc/postfix/cqlist_recipients\n"
        "# Where the mail for {0} goes: the transport table below.\n"
        "transport_maps = hash:/etc/postfix/transport\n",
        list.domain);
  }
  out += fmt::format(
      "# {0}-bounces+KEY@ and {0}-confirm+TOKEN@ are looked up as {0}-bounces@ and\n"
      "# {0}-confirm@ in the tables; cqlist still receives the whole address.\n"
      "recipient_delimiter = +\n"
      "#\n"
      "# Not needed here: XFORWARD is turned on for the cqlist transport only (master.cf),\n"
      "# and XVERP is allowed on cqlist's output listener only, so lmtp_send_xforward_command\n"
      "# and smtpd_authorized_verp_clients stay as they are. Keep message_size_limit (default\n"
      "# 10240000) at or below cqlist's lmtp.max_message_bytes ({1}). smtp_header_checks,\n"
      "# smtp_body_checks and any milter on outgoing mail must not change list mail: cqlist\n"
      "# has signed it.\n\n",
      list.name, at.max_message_bytes);
  if (!at.policy_host.empty()) {
    out += fmt::format(
        "# Ask cqlist's policy service (policy.listen in cqlist.toml) about each recipient, so\n"
        "# that a post from a non-member to a list with non_member=reject is refused while the\n"
        "# poster's server is still connected: Postfix never queues it, so no bounce goes to a\n"
        "# sender who may be forged. Where smtpd_recipient_restrictions is set already, add\n"
        "# check_policy_service after your permit_* entries and reject_unauth_destination.\n"
        "smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, "
        "check_policy_service inet:{}\n"
        "# While cqlist is not running, accept as if it had no objection (cqlist checks the\n"
        "# post again when it arrives) instead of deferring all mail (the default, 451).\n"
        "smtpd_policy_service_default_action = DUNNO\n\n",
        host_port(at.policy_host, at.policy_port));
  }
  return out;
}

std::string master_cf(const Endpoints& at) {
  const bool v6 = is_ipv6(at.reinject_host);
  const std::string networks = v6 ? "[::1]/128" : "127.0.0.0/8";
  std::string out = fmt::format(
      "# ---- /etc/postfix/master.cf: add these entries at the end.\n\n"
      "# The LMTP client that hands list mail to cqlist. XFORWARD tells cqlist the posting\n"
      "# server's address and HELO name, for its SPF and DMARC checks; it is set for this\n"
      "# transport only, so other LMTP deliveries (Dovecot, say) are not changed.\n"
      "cqlist    unix  -       -       n       -       -       lmtp\n"
      "  -o syslog_name=postfix/cqlist-lmtp\n"
      "  -o lmtp_send_xforward_command=yes\n\n"
      "# cqlist's output: cqlist sends its signed posts here (relay.host and relay.port in\n"
      "# cqlist.toml). No content filter, header or body checks, or milters (they would break\n"
      "# the DKIM and ARC signatures); no recipient checks (cqlist sends only to members);\n"
      "# XVERP allowed, so one transaction carries a whole batch with a VERP address per\n"
      "# recipient; only {1} may connect. No STARTTLS on loopback: there is nobody to\n"
      "# protect the mail from, and cqlist uses STARTTLS only when it is offered.\n"
      "{0} inet  n       -       n       -       -       smtpd\n"
      "  -o syslog_name=postfix/cqlist\n"
      "  -o content_filter=\n"
      "  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,"
      "no_milters\n"
      "  -o smtpd_milters=\n"
      "  -o mynetworks={1}\n"
      "  -o smtpd_authorized_verp_clients={1}\n"
      "  -o smtpd_client_restrictions=\n"
      "  -o smtpd_helo_restrictions=\n"
      "  -o smtpd_sender_restrictions=\n"
      "  -o smtpd_relay_restrictions=permit_mynetworks,reject\n"
      "  -o smtpd_recipient_restrictions=permit_mynetworks,reject\n"
      "  -o smtpd_data_restrictions=\n"
      "  -o smtpd_end_of_data_restrictions=\n"
      "  -o smtpd_tls_security_level=none\n"
      "  -o smtpd_recipient_limit=1000\n"
      "  -o smtpd_client_connection_count_limit=0\n"
      "  -o smtpd_client_connection_rate_limit=0\n\n",
      host_port(at.reinject_host, at.reinject_port), networks);
  if (at.reinject_host != "127.0.0.1" && at.reinject_host != "::1") {
    out += fmt::format(
        "# relay.host in cqlist.toml is {}, not a loopback address: put the address cqlist\n"
        "# connects from in mynetworks and smtpd_authorized_verp_clients above.\n\n",
        at.reinject_host);
  }
  return out;
}

std::string transport_and_recipients(const ListAddress& list, const Endpoints& at,
                                     bool shared_domain) {
  const std::string nexthop = "cqlist:inet:" + host_port(at.lmtp_host, at.lmtp_port);
  std::string out = "# ---- /etc/postfix/transport: add ";
  if (shared_domain) {
    out += "these lines (the list's addresses only).\n";
    for (const auto& address : list_addresses(list)) {
      out += fmt::format("{:<40} {}\n", address, nexthop);
    }
  } else {
    out += fmt::format("this line (the whole domain goes to cqlist).\n{:<40} {}\n", list.domain,
                       nexthop);
    out += fmt::format(
        "# If {} also has ordinary mailboxes, route only the list's addresses instead\n"
        "# (and see `cqlist postfix-config {} --shared-domain`):\n",
        list.domain, list.address());
    for (const auto& address : list_addresses(list)) {
      out += fmt::format("#{:<39} {}\n", address, nexthop);
    }
  }
  out += "\n# ---- /etc/postfix/cqlist_recipients: add these lines (every list has its own).\n";
  for (const auto& address : list_addresses(list)) {
    out += fmt::format("{:<40} OK\n", address);
  }
  out += "\n";
  return out;
}

int run_postfix_config(const PostfixArgs& args) {
  auto list = parse_new_list_address(args.list);
  if (!list) {
    return report_error("postfix-config", list.error());
  }
  auto at = endpoints(args);
  if (!at) {
    return report_error("postfix-config", at.error());
  }
  std::string out = fmt::format(
      "# Postfix configuration for the cqlist list {0}.\n"
      "# Postfix hands mail for the list to cqlist over LMTP at {1}, and cqlist hands the\n"
      "# posts it sends back to Postfix at {2}, which delivers them to the members.\n\n",
      list->address(), host_port(at->lmtp_host, at->lmtp_port),
      host_port(at->reinject_host, at->reinject_port));
  out += main_cf(*list, *at, args.shared_domain);
  out += master_cf(*at);
  out += transport_and_recipients(*list, *at, args.shared_domain);
  out +=
      "# ---- Then run:\n"
      "postmap /etc/postfix/transport\n"
      "postmap /etc/postfix/cqlist_recipients\n"
      "postfix check\n"
      "postfix reload\n";
  std::fputs(out.c_str(), stdout);
  return kExitOk;
}

}  // namespace

void register_postfix_config(CLI::App& app) {
  auto args = std::make_shared<PostfixArgs>();
  auto* cmd = app.add_subcommand("postfix-config",
                                 "Print the Postfix configuration a list needs (main.cf, "
                                 "master.cf, transport)");
  cmd->add_option("list", args->list, "The list address, NAME@DOMAIN")->required();
  cmd->add_option("--lmtp", args->lmtp,
                  "Where cqlist's LMTP listener is, HOST:PORT (default: lmtp.listen of "
                  "cqlist.toml, else 127.0.0.1:8024)");
  cmd->add_option("--reinject-port", args->reinject_port,
                  "Port of the Postfix listener for cqlist's output (default: relay.port of "
                  "cqlist.toml, else 10025)")
      ->check(CLI::Range(1, 65535));
  cmd->add_flag("--shared-domain", args->shared_domain,
                "The list's domain also has ordinary mailboxes: route only the list's "
                "addresses to cqlist");
  add_config_options(*cmd, args->config);
  cmd->callback([args] { exit_code() = run_postfix_config(*args); });
}

}  // namespace cqlist::cli
