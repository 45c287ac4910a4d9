// doctor/record_checks.hpp: record-level DNS checks of checklist §4.3, §4.5, §4.7, §4.8 and
// §4.11 that read one record (or one small set) and judge it on its own.
//
// Owns: SPF-14 (an obsolete type-99 SPF record), SPF-15 (macros and exists, which only an
// evaluation with the real address can judge); DMARC-04 (tags RFC 9989 removed), DMARC-08
// (strict alignment while the list's identifiers are other names of the same organization),
// DMARC-09 (sp=/np= weaker than p=); DNS-04 (every authoritative name server serves the same
// SPF, DKIM and DMARC records, asked through resolvers the caller supplies:
// record_checks_ns.cpp); DNS-05 (how long old records live in caches); TLS-04 (the MTA-STS
// TXT record; the HTTPS policy file is not fetched: doctor has no network client and the
// layering keeps it that way), TLS-05 (TLS-RPT), TLS-06 (DANE TLSA per MX, usable only
// when DNSSEC-secure); REP-01 (DNS blocklists, where error answers such as 127.255.255.254
// mean "could not check", never "listed"), REP-02 (Google Postmaster Tools verification).
// Every item has a PASS form, so a clean run shows what was looked at.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.hpp"
#include "dns/resolver.hpp"
#include "doctor/doctor.hpp"
#include "doctor/finding.hpp"

namespace cqlist::doctor {

// SPF-14, SPF-15 for the envelope domain.
std::vector<Finding> check_spf_records(dns::Resolver& resolver, const DoctorInput& input);

// DMARC-04, DMARC-08, DMARC-09 for the record that applies to the list domain (none when
// there is no record: DMARC-01 says so).
std::vector<Finding> check_dmarc_records(dns::Resolver& resolver, const DoctorInput& input);

// DNS-04: the SPF, DMARC and DKIM TXT records as each name server of the zone serves them,
// asked directly through input.name_server_resolver (no finding without one).
std::vector<Finding> check_name_servers(dns::Resolver& resolver, const DoctorInput& input);

// DNS-05 over the SPF, DKIM, DMARC and MX records.
std::vector<Finding> check_ttls(dns::Resolver& resolver, const DoctorInput& input);

// TLS-04, TLS-05, TLS-06 for mail coming in to the list domain.
std::vector<Finding> check_transport_records(dns::Resolver& resolver, const DoctorInput& input);

// REP-01 for every global egress address and blocklist zone, REP-02.
std::vector<Finding> check_reputation(dns::Resolver& resolver, const DoctorInput& input);

// The name a DNS blocklist is asked about `address`: "25.2.0.192.zen.spamhaus.org", or the
// 32 nibbles of an IPv6 address in reverse order before the zone.
std::string dnsbl_query_name(const IpAddress& address, const std::string& zone);

// What a blocklist's A answer means (REP-01).
enum class DnsblVerdict { not_listed, listed, could_not_check };

// NXDOMAIN/NODATA: not listed; only 127.0.0.2 to 127.0.0.11: listed; error codes
// (127.255.255.x), other addresses and DNS failures: could not check.
DnsblVerdict dnsbl_verdict(const dns::Answer& answer);

// The MTA-STS TXT record's id (RFC 8461 §3.1: 1 to 32 letters and digits), or nullopt when
// the text is not a valid "v=STSv1; id=..." record.
std::optional<std::string> mta_sts_id(const std::string& text);

}  // namespace cqlist::doctor
