// doctor/testing/doctor_fixture.hpp: the founding story's host and helpers for doctor tests.
//
// Owns: a StaticResolver built from zone text, the founding host (cq-test.example sending from
// 192.0.2.25 and 2001:db8::25 as mail.cq-test.example), RSA keys generated once per test
// binary, and looking a finding up by checklist ID.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crypto/key.hpp"
#include "dns/static_resolver.hpp"
#include "doctor/doctor.hpp"
#include "doctor/finding.hpp"

namespace cqlist::doctor::testing {

// The resolver for `text` in StaticResolver::from_zone form; a parse error fails the test.
dns::StaticResolver zone(const std::string& text);

// cq-test.example with mail leaving from `addresses`, HELO mail.cq-test.example.
DoctorInput input_for(std::initializer_list<const char*> addresses);

// input_for({"192.0.2.25", "2001:db8::25"}): the founding story's dual-stack host.
DoctorInput founding_input();

// ham@cq-test.example keeping posters' From while tagging subjects and adding a footer, with
// 160 members (120 at gmail.com) and 10 posts a day.
ListFacts ham_list();

// A 2048-bit (or 1024-bit) RSA key, the same one for the whole test binary.
const auth::crypto::PrivateKey& test_rsa_key(unsigned bits = 2048);

// The first finding with `id` (and `subject`, when given), or nullptr.
const Finding* find_finding(const std::vector<Finding>& findings, std::string_view id,
                            std::string_view subject = {});

}  // namespace cqlist::doctor::testing
