// doctor/selftest_checks.hpp: checklist items read off the DKIM self-test and the list's
// sending practice.
//
// Owns: DKIM-05 (rsa-sha1), DKIM-08 (t=s with an i= in a subdomain), DKIM-09 (the important
// header fields signed and over-signed), DKIM-10 (l=), DKIM-11 (canonicalization) and DKIM-12
// (the signature verifies against live DNS), all read off the signed copy of the self-test
// sample (DoctorInput::self_test, made by cli/doctor_selftest.cpp the way delivery signs);
// LIST-06 (ARC), LIST-07 (what Google's alignment rule covers), LIST-08 (null sender and
// Auto-Submitted on replies); VOL-03 (sending pace vs Google's back-off recipe); TLS-02 (the
// outbound client honours DANE / MTA-STS). LIST-02 is in list_checks.cpp next to LIST-01.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "dns/resolver.hpp"
#include "doctor/doctor.hpp"
#include "doctor/finding.hpp"

namespace cqlist::doctor {

// The header fields a list's signature must cover and over-sign (DKIM-09).
const std::vector<std::string>& required_signed_headers();

// DKIM-05/08/09/10/11/12 for each signature of the list's domain on the self-test copy; none
// without a self-test.
std::vector<Finding> check_dkim_selftest(
    dns::Resolver& resolver, const DoctorInput& input,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// LIST-06, LIST-07, LIST-08 (INFO; only for a list).
std::vector<Finding> check_list_practice(const DoctorInput& input);

// VOL-03 (INFO).
std::vector<Finding> check_sending_pace(const DoctorInput& input);

// TLS-02 (INFO; only with Postfix settings).
std::vector<Finding> check_outbound_tls_policy(const DoctorInput& input);

}  // namespace cqlist::doctor
