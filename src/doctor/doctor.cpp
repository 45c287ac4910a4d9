// doctor/doctor.cpp: running the checklist groups in order.
#include "doctor/doctor.hpp"

#include <algorithm>

#include "doctor/auth_checks.hpp"
#include "doctor/path_checks.hpp"
#include "doctor/probe_checks.hpp"
#include "doctor/record_checks.hpp"
#include "doctor/selftest_checks.hpp"
#include "doctor/spf_checks.hpp"

namespace cqlist::doctor {

const std::vector<std::string>& check_groups() {
  static const std::vector<std::string> groups{"OUT", "SPF", "PTR",  "DKIM", "DMARC",
                                               "DNS", "TLS", "LIST", "VOL",  "REP"};
  return groups;
}

std::string family_name(const IpAddress& address) {
  return address.is_v4() ? "IPv4" : "IPv6";
}

std::string proposed_host_name(const DoctorInput& input) {
  const std::string helo = dns::normalize_name(input.helo_name);
  const std::string domain = dns::normalize_name(input.domain);
  if (helo.size() > domain.size() + 1 && helo.ends_with("." + domain)) {
    return helo;
  }
  return "mail." + domain;
}

std::vector<Finding> run_doctor(dns::Resolver& resolver, const DoctorInput& input,
                                const std::vector<std::string>& groups) {
  auto wanted = [&](std::string_view group) {
    return groups.empty() || std::find(groups.begin(), groups.end(), group) != groups.end();
  };
  std::vector<Finding> findings;
  auto add = [&](std::vector<Finding> more) {
    findings.insert(findings.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  };
  if (wanted("OUT")) {
    add(check_outbound(input));
    add(check_egress_probe(input));
  }
  if (wanted("SPF")) {
    add(check_spf(resolver, input));
    add(check_spf_records(resolver, input));
  }
  if (wanted("PTR")) {
    add(check_ptr_and_helo(resolver, input));
  }
  if (wanted("DKIM")) {
    add(check_dkim(resolver, input));
    add(check_dkim_selftest(resolver, input));
  }
  if (wanted("DMARC")) {
    add(check_dmarc(resolver, input));
    add(check_dmarc_records(resolver, input));
  }
  if (wanted("DNS")) {
    add(check_dns(resolver, input));
    add(check_name_servers(resolver, input));
    add(check_ttls(resolver, input));
  }
  if (wanted("TLS")) {
    add(check_tls(input));
    add(check_inbound_tls(input));
    add(check_outbound_tls_policy(input));
    add(check_transport_records(resolver, input));
  }
  if (wanted("LIST")) {
    add(check_list(resolver, input));
    add(check_list_practice(input));
  }
  if (wanted("VOL")) {
    add(check_volume(input));
    add(check_sending_pace(input));
  }
  if (wanted("REP")) {
    add(check_reputation(resolver, input));
  }
  // OUT-02 sums up what the checks above found for IPv6 addresses; it is shown with the
  // other outbound findings, before the details it points to.
  if (wanted("OUT")) {
    std::vector<Finding> ready = check_ipv6_readiness(input, findings);
    auto after_out = std::find_if(findings.begin(), findings.end(),
                                  [](const Finding& f) { return !f.id.starts_with("OUT-"); });
    findings.insert(after_out, std::make_move_iterator(ready.begin()),
                    std::make_move_iterator(ready.end()));
  }
  return findings;
}

}  // namespace cqlist::doctor
