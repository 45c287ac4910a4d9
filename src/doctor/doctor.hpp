// doctor/doctor.hpp: `cqlist doctor` as a function: inputs in, findings out.
//
// Owns: what the doctor is told about a list and its host (DoctorInput: plain values the CLI
// gathers from the list's settings, the key files, postconf and the interfaces) and running
// the checklist groups over one resolver. Checks never fail as a whole: an unanswerable DNS
// query becomes a finding, so one run always reports everything it could see.
// See also: finding.hpp (the result shape), render.hpp (text), the *_checks.hpp files.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crypto/key.hpp"
#include "base/result.hpp"
#include "dns/resolver.hpp"
#include "doctor/finding.hpp"
#include "doctor/probe_facts.hpp"
#include "doctor/sending_path.hpp"

namespace cqlist::doctor {

// A DKIM key cqlist signs with: the selector it is published under and the private key.
struct DkimKey {
  std::string selector;
  std::string path;  // for messages only
  auth::crypto::PrivateKey key;
};

// What the list's settings and membership say (the CLI reads them; doctor does not know the
// list module). Absent when the doctor runs for a bare domain.
struct ListFacts {
  std::string address;       // "ham@cq-test.example"
  std::string from_rewrite;  // "when_needed", "always", "never", "wrap"
  std::vector<std::string> rewrite_domains;
  bool subject_tag = false;  // posts are changed: the posters' DKIM signatures break
  bool footer = false;
  std::string envelope_domain;  // domain of the address bounces come back to
  bool list_id = true;
  bool one_click = false;  // personalised copies with an https one-click link
  bool arc = false;        // posts get an ARC set (settings.arc with an RSA key)
  std::size_t members = 0;
  std::map<std::string, std::size_t> members_by_domain;  // recipient domain -> count
  double posts_per_day = 0;                              // peak over the last 30 days
};

// A sample post as the poster sent it and the copy cqlist would hand the MTA: decorated by the
// list's own transforms and DKIM-signed the way delivery signs every copy.
struct SelfTestSample {
  std::string original;     // the post as sent to the list
  std::string signed_copy;  // RFC 5322 bytes, CRLF; empty when it could not be made
  std::string error;        // why not (a key the signer refuses, ...)
};

// A resolver that asks one authoritative name server directly (DNS-04). The CLI forwards to
// the address at port 53; tests hand out one static zone per server.
using NameServerResolverFactory =
    std::function<Result<std::unique_ptr<dns::Resolver>>(const IpAddress& address)>;

struct DoctorInput {
  std::string domain;                 // the list domain: envelope, DKIM d= and rewritten From
  std::vector<EgressAddress> egress;  // where list mail leaves from (effective_egress)
  std::optional<PostfixSettings> postfix;
  std::string helo_name;       // what the MTA says in EHLO; empty: unknown
  bool signing_known = false;  // true when dkim_keys is the complete signing setup
  std::vector<DkimKey> dkim_keys;
  std::optional<ListFacts> list;
  // The DKIM self-test's sample (cli/doctor_selftest.cpp); absent: no self-test.
  std::optional<SelfTestSample> self_test;
  // cqlist.toml's [delivery] workers and [relay] max_connections; 0 when not read.
  std::size_t delivery_workers = 0;
  std::size_t relay_max_connections = 0;
  // DNS blocklists REP-01 asks about each egress address; empty: none asked.
  std::vector<std::string> dnsbl_zones{"zen.spamhaus.org"};
  // `--probe` (cli/doctor_probe.cpp): one EHLO per family to a large provider's MX, and each
  // MX of the domain over STARTTLS. Empty / absent: not probed.
  std::vector<EgressProbe> egress_probes;
  std::optional<std::vector<MxTlsProbe>> mx_tls;
  // DNS-04 asks each of the zone's name servers through one of these; empty: not checked.
  NameServerResolverFactory name_server_resolver;

  // The domain of the list's envelope sender, which SPF checks: the list's bounce domain when
  // known, else the list domain.
  std::string envelope_domain() const {
    return list && !list->envelope_domain.empty() ? list->envelope_domain : domain;
  }

  // True when Postfix hands list mail to a relayhost, which then is what receivers see.
  bool relayed() const { return postfix && !postfix->relayhost.empty(); }
};

// "IPv4" or "IPv6", as findings name an address's family.
std::string family_name(const IpAddress& address);

// Checklist groups, by ID prefix: "OUT", "SPF", "PTR" (with HELO), "DKIM", "DMARC", "DNS",
// "TLS", "LIST", "VOL", "REP".
const std::vector<std::string>& check_groups();

// Runs the checks of `groups` (all when empty), in checklist order.
std::vector<Finding> run_doctor(dns::Resolver& resolver, const DoctorInput& input,
                                const std::vector<std::string>& groups = {});

// The name the doctor proposes for the mail host: the HELO name when it is a host in the list
// domain, else "mail.<domain>".
std::string proposed_host_name(const DoctorInput& input);

}  // namespace cqlist::doctor
