// doctor/record_checks_ns.cpp: DNS-04, the SPF, DMARC and DKIM records as each authoritative
// name server of the zone serves them.
//
// The zone's servers come from an NS query through the ordinary resolver (walking up from the
// list domain to the name that has NS records); each of their addresses is then asked directly
// through DoctorInput::name_server_resolver, so a cache cannot hide a server that is behind.
// A server counts as answering when one of its addresses answers: an IPv6 address this host
// cannot reach says nothing about the zone. Judgement: each address's answer is compared with
// the answer most addresses give (a tie goes to the highest SOA serial, then to the first
// server); a difference, or a server none of whose addresses answers while others do, WARNs.
// When no server can be asked at all the finding is INFO "not compared": a firewall on this
// host must never read as a broken zone.
#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "auth/dkim/publish.hpp"
#include "auth/spf/record.hpp"
#include "doctor/record_checks.hpp"
#include "doctor/texts.hpp"

namespace cqlist::doctor {
namespace {

struct Zone {
  std::string apex;                  // the name the NS records are at
  std::vector<std::string> servers;  // NS names, sorted
  std::string problem;               // why there are none
};

// The NS records of `domain`, or of the nearest parent that has them. A top-level domain is
// never the list's zone, and asking for it would only leave the test zones.
Zone find_zone(dns::Resolver& resolver, const std::string& domain) {
  Zone zone;
  std::string name = domain;
  std::string tried;
  while (name.find('.') != std::string::npos) {
    dns::Answer answer = resolver.query(name, dns::RecordType::ns);
    tried += (tried.empty() ? "" : ", ") + name;
    for (const std::string& server : answer.all<std::string>()) {
      const std::string normalized = dns::normalize_name(server);
      if (std::find(zone.servers.begin(), zone.servers.end(), normalized) == zone.servers.end()) {
        zone.servers.push_back(normalized);
      }
    }
    if (!zone.servers.empty()) {
      std::sort(zone.servers.begin(), zone.servers.end());
      zone.apex = name;
      return zone;
    }
    if (answer.status == dns::Status::servfail || answer.status == dns::Status::timeout) {
      zone.problem = fmt::format("(the NS query for {} failed: {})", name,
                                 answer.problem.empty() ? dns::status_name(answer.status)
                                                        : std::string_view(answer.problem));
      return zone;
    }
    name = name.substr(name.find('.') + 1);
  }
  zone.problem = fmt::format("(no NS record at {})", tried);
  return zone;
}

struct Unaddressed {
  std::string server;
  std::string line;  // for Found
};

struct Looked {
  std::string name;
  std::string what;  // "SPF", "DMARC", "DKIM"
};

// What one address serves at one name: the record texts, sorted (receivers join a record's
// character-strings, so a different split is the same record), or nullopt when it did not
// answer.
using Served = std::optional<std::vector<std::string>>;

struct Address {
  std::string server;
  IpAddress ip;
  bool answered = false;
  std::string problem;  // why not
  std::optional<std::uint32_t> serial;
  std::map<std::string, Served> served;  // by looked name

  std::string label() const {
    return serial ? fmt::format("{} ({}, SOA serial {})", server, ip.to_string(), *serial)
                  : fmt::format("{} ({})", server, ip.to_string());
  }
};

Served ask(dns::Resolver& resolver, const Looked& looked) {
  dns::Answer answer = resolver.query(looked.name, dns::RecordType::txt);
  if (answer.status == dns::Status::servfail || answer.status == dns::Status::timeout) {
    return std::nullopt;
  }
  std::vector<std::string> texts;
  for (const dns::TxtRecord& txt : answer.all<dns::TxtRecord>()) {
    // Other TXT records at the domain (site verifications, ...) are not the SPF record.
    if (looked.what != "SPF" || auth::spf::is_spf_record(txt.joined())) {
      texts.push_back(txt.joined());
    }
  }
  std::sort(texts.begin(), texts.end());
  return texts;
}

std::string describe(const Served& served, const std::string& what) {
  if (!served) {
    return "did not answer";
  }
  if (served->empty()) {
    return fmt::format("no {} record", what);
  }
  std::string out;
  for (const std::string& text : *served) {
    out += (out.empty() ? "\"" : ", \"") + text + "\"";
  }
  return out;
}

// Asks every address of every server of `zone` for the SOA serial and the looked names.
std::vector<Address> ask_servers(dns::Resolver& resolver, const NameServerResolverFactory& factory,
                                 const Zone& zone, const std::vector<Looked>& names,
                                 std::vector<Unaddressed>& unaddressed) {
  std::vector<Address> addresses;
  for (const std::string& server : zone.servers) {
    std::vector<IpAddress> ips;
    std::string statuses;
    for (dns::RecordType type : {dns::RecordType::a, dns::RecordType::aaaa}) {
      dns::Answer answer = resolver.query(server, type);
      for (const IpAddress& ip : answer.all<IpAddress>()) {
        ips.push_back(ip);
      }
      statuses += fmt::format("{}{} {}", statuses.empty() ? "" : ", ", dns::record_type_name(type),
                              dns::status_name(answer.status));
    }
    if (ips.empty()) {
      unaddressed.push_back({server, fmt::format("{}: no address ({})", server, statuses)});
      continue;
    }
    for (const IpAddress& ip : ips) {
      if (std::any_of(addresses.begin(), addresses.end(),
                      [&](const Address& seen) { return seen.ip == ip; })) {
        continue;  // two names for one server: asked once
      }
      Address address{server, ip, false, {}, std::nullopt, {}};
      auto direct = factory(ip);
      if (!direct) {
        address.problem = direct.error().describe();
        addresses.push_back(std::move(address));
        continue;
      }
      // The SOA query doubles as the reachability test: an address that does not answer it is
      // not asked the rest, so a dead address costs one timeout, not one per name.
      dns::Answer soa = (*direct)->query(zone.apex, dns::RecordType::soa);
      if (soa.status == dns::Status::servfail || soa.status == dns::Status::timeout) {
        address.problem = dns::status_name(soa.status);
        addresses.push_back(std::move(address));
        continue;
      }
      address.answered = true;
      if (auto records = soa.all<dns::SoaRecord>(); !records.empty()) {
        address.serial = records.front().serial;
      }
      for (const Looked& looked : names) {
        address.served[looked.name] = ask(**direct, looked);
      }
      addresses.push_back(std::move(address));
    }
  }
  return addresses;
}

std::vector<std::string> dig_commands(const std::vector<const Address*>& addresses,
                                      const std::string& name, std::string_view type) {
  std::vector<std::string> commands;
  for (const Address* address : addresses) {
    commands.push_back(
        fmt::format("dig +norecurse @{} {} {}", address->ip.to_string(), name, type));
  }
  return commands;
}

// The answer the zone is taken to have at `looked`: the one most answering addresses give.
Served reference_answer(const std::vector<const Address*>& answering, const Looked& looked) {
  const Address* best = nullptr;
  std::size_t best_count = 0;
  for (const Address* candidate : answering) {
    const Served& served = candidate->served.at(looked.name);
    if (!served) {
      continue;
    }
    const std::size_t count = static_cast<std::size_t>(std::count_if(
        answering.begin(), answering.end(),
        [&](const Address* other) { return other->served.at(looked.name) == served; }));
    const bool newer = best != nullptr && count == best_count &&
                       candidate->serial.value_or(0) > best->serial.value_or(0);
    if (best == nullptr || count > best_count || newer) {
      best = candidate;
      best_count = count;
    }
  }
  return best != nullptr ? best->served.at(looked.name) : Served();
}

void check_zone(dns::Resolver& resolver, const DoctorInput& input, const std::string& domain,
                const std::vector<Looked>& names, std::vector<Finding>& findings) {
  const Zone zone = find_zone(resolver, domain);
  std::vector<Unaddressed> unaddressed;
  std::vector<Address> addresses;
  if (!zone.servers.empty()) {
    addresses = ask_servers(resolver, input.name_server_resolver, zone, names, unaddressed);
  }
  std::vector<const Address*> answering;
  std::vector<const Address*> all;
  for (const Address& address : addresses) {
    all.push_back(&address);
    if (address.answered) {
      answering.push_back(&address);
    }
  }
  const std::string subject = zone.apex.empty() ? domain : zone.apex;

  if (answering.empty()) {
    Finding f = make_finding("DNS-04", Severity::info, subject, texts::ns_unchecked_title(), "DNS");
    if (!zone.problem.empty()) {
      f.found.push_back(zone.problem);
    }
    for (const Address& address : addresses) {
      f.found.push_back(fmt::format("{}: did not answer ({})", address.label(), address.problem));
    }
    for (const Unaddressed& line : unaddressed) {
      f.found.push_back(line.line);
    }
    f.why = texts::ns_unchecked_why(!zone.servers.empty());
    if (!all.empty()) {
      f.fix.summary = texts::ns_verify(dig_commands(all, names.front().name, "TXT"), true);
    }
    findings.push_back(std::move(f));
    return;
  }

  bool warned = false;
  // Servers none of whose addresses answered.
  for (const std::string& server : zone.servers) {
    std::vector<const Address*> own;
    for (const Address& address : addresses) {
      if (address.server == server) {
        own.push_back(&address);
      }
    }
    auto line = std::find_if(unaddressed.begin(), unaddressed.end(),
                             [&](const Unaddressed& u) { return u.server == server; });
    const bool no_address = line != unaddressed.end();
    // A name whose only address another name shares (asked once, under that name) has no
    // address of its own here, and is judged with that one.
    if (!no_address && (own.empty() || std::any_of(own.begin(), own.end(),
                                                   [](const Address* a) { return a->answered; }))) {
      continue;
    }
    warned = true;
    Finding f =
        make_finding("DNS-04", Severity::warn, zone.apex, texts::ns_silent_title(server), "DNS");
    for (const Address* address : own) {
      f.found.push_back(fmt::format("{}: did not answer ({})", address->label(), address->problem));
    }
    if (no_address) {
      f.found.push_back(line->line);
    }
    for (const Address* address : answering) {
      f.found.push_back(fmt::format("{}: answered", address->label()));
    }
    f.why = texts::ns_silent_why(no_address);
    f.fix.summary = texts::ns_silent_fix(server, zone.apex);
    f.verify =
        no_address
            ? texts::ns_verify(
                  {fmt::format("dig {} A", server), fmt::format("dig {} AAAA", server)}, false)
            : texts::ns_verify(dig_commands(own, zone.apex, "SOA"), false);
    findings.push_back(std::move(f));
  }

  // Each name: every answering address against the answer most of them give.
  std::uint32_t newest = 0;
  for (const Address* address : answering) {
    newest = std::max(newest, address->serial.value_or(0));
  }
  for (const Looked& looked : names) {
    const Served reference = reference_answer(answering, looked);
    for (const Address* address : answering) {
      const Served& served = address->served.at(looked.name);
      if (served == reference) {
        continue;
      }
      warned = true;
      Finding f = make_finding("DNS-04", Severity::warn, looked.name,
                               texts::ns_differs_title(address->server, address->ip.to_string(),
                                                       looked.what, served.has_value()),
                               "DNS");
      f.found.push_back(fmt::format("{}: {}", address->label(), describe(served, looked.what)));
      for (const Address* other : answering) {
        if (other != address) {
          f.found.push_back(fmt::format("{}: {}", other->label(),
                                        describe(other->served.at(looked.name), looked.what)));
        }
      }
      const std::uint32_t serial = address->serial.value_or(0);
      f.why = texts::ns_differs_why(address->server, looked.what,
                                    address->serial && serial < newest ? newest : 0, serial);
      f.fix.summary = texts::ns_differs_fix(address->server);
      f.verify = texts::ns_verify(dig_commands(answering, looked.name, "TXT"), true);
      findings.push_back(std::move(f));
    }
  }
  if (warned) {
    return;
  }
  std::vector<std::string> whats;
  for (const Looked& looked : names) {
    if (std::find(whats.begin(), whats.end(), looked.what) == whats.end()) {
      whats.push_back(looked.what);
    }
  }
  Finding f = make_finding("DNS-04", Severity::pass, zone.apex,
                           texts::ns_agree_title(zone.servers.size(), whats), "DNS");
  for (const Address* address : all) {
    f.found.push_back(address->answered
                          ? fmt::format("{}: answered", address->label())
                          : fmt::format("{}: did not answer ({}); another address of it did",
                                        address->label(), address->problem));
  }
  findings.push_back(std::move(f));
}

}  // namespace

std::vector<Finding> check_name_servers(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  if (!input.name_server_resolver) {
    return findings;
  }
  const std::string domain = dns::normalize_name(input.domain);
  const std::string envelope = dns::normalize_name(input.envelope_domain());
  std::vector<Looked> names = {{"_dmarc." + domain, "DMARC"}};
  for (const DkimKey& key : input.dkim_keys) {
    names.push_back({auth::dkim::key_record_name(key.selector, domain), "DKIM"});
  }
  if (envelope == domain) {
    names.insert(names.begin(), {domain, "SPF"});
  } else {
    // The bounce domain may be another zone, with servers of its own.
    check_zone(resolver, input, envelope, {{envelope, "SPF"}}, findings);
  }
  check_zone(resolver, input, domain, names, findings);
  return findings;
}

}  // namespace cqlist::doctor
