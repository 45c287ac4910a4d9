// doctor/auth_checks.hpp: checklist §4.4, §4.5, §4.6, §4.8 and §4.10: DKIM, DMARC, DNS
// hygiene, the list's own settings and the bulk-sender volume.
//
// Owns: DKIM-01 (the list signs), DKIM-02 (the selector's record exists and parses), DKIM-03
// (it holds the public half of the key cqlist signs with), DKIM-04 (RSA length), DKIM-06
// (Ed25519 alone), DKIM-07 (t=y); DMARC-01/02/03/07/10; DNS-01 (the domain exists), DNS-02
// (null MX), DNS-03 (DNSSEC); LIST-01 (From handling vs posters' DMARC policies), LIST-02
// (changes that break posters' signatures), LIST-03 (envelope sender), LIST-04 (List-Id),
// LIST-05 (one-click unsubscribe); VOL-01/02 (Gmail and Outlook.com 5,000/day thresholds).
#pragma once

#include <vector>

#include "dns/resolver.hpp"
#include "doctor/doctor.hpp"
#include "doctor/finding.hpp"

namespace cqlist::doctor {

std::vector<Finding> check_dkim(dns::Resolver& resolver, const DoctorInput& input);

std::vector<Finding> check_dmarc(dns::Resolver& resolver, const DoctorInput& input);

std::vector<Finding> check_dns(dns::Resolver& resolver, const DoctorInput& input);

std::vector<Finding> check_list(dns::Resolver& resolver, const DoctorInput& input);

std::vector<Finding> check_volume(const DoctorInput& input);

// Messages a day the list sends to Gmail / Outlook.com consumer mailboxes at its peak.
double daily_volume_to(const ListFacts& list, const std::vector<std::string>& domains);
const std::vector<std::string>& gmail_domains();
const std::vector<std::string>& outlook_domains();

}  // namespace cqlist::doctor
