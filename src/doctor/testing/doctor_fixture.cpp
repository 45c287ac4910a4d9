// doctor/testing/doctor_fixture.cpp: the founding story's host and helpers for doctor tests.
#include "doctor/testing/doctor_fixture.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "auth/crypto/keygen.hpp"

namespace cqlist::doctor::testing {

dns::StaticResolver zone(const std::string& text) {
  auto resolver = dns::StaticResolver::from_zone(text);
  EXPECT_TRUE(resolver.has_value()) << resolver.error().message();
  return resolver ? *resolver : dns::StaticResolver();
}

DoctorInput input_for(std::initializer_list<const char*> addresses) {
  DoctorInput input;
  input.domain = "cq-test.example";
  for (const char* address : addresses) {
    input.egress.push_back({*IpAddress::parse(address), "--ip"});
  }
  input.helo_name = "mail.cq-test.example";
  return input;
}

DoctorInput founding_input() {
  return input_for({"192.0.2.25", "2001:db8::25"});
}

const auth::crypto::PrivateKey& test_rsa_key(unsigned bits) {
  // Generated on first use: a 2048-bit key takes a noticeable fraction of a second.
  if (bits == 1024) {
    static const auth::crypto::PrivateKey k1024 =
        *auth::crypto::generate_private_key(auth::crypto::KeyType::rsa, 1024);
    return k1024;
  }
  static const auth::crypto::PrivateKey k2048 =
      *auth::crypto::generate_private_key(auth::crypto::KeyType::rsa, 2048);
  return k2048;
}

const Finding* find_finding(const std::vector<Finding>& findings, std::string_view id,
                            std::string_view subject) {
  auto it = std::find_if(findings.begin(), findings.end(), [&](const Finding& f) {
    return f.id == id && (subject.empty() || f.subject == subject);
  });
  return it == findings.end() ? nullptr : &*it;
}

ListFacts ham_list() {
  ListFacts list;
  list.address = "ham@cq-test.example";
  list.from_rewrite = "never";
  list.subject_tag = true;
  list.footer = true;
  list.envelope_domain = "cq-test.example";
  list.members = 160;
  list.members_by_domain = {{"gmail.com", 120}, {"none.example", 40}};
  list.posts_per_day = 10;
  return list;
}

}  // namespace cqlist::doctor::testing
