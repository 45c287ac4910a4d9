// fuzz/address_fuzz.cpp: the address-list parser never fails on any field value, and what it
// returns survives formatting and normalisation: a formatted mailbox parses back to the same
// address, and a normalised address is a valid envelope address that normalises to itself.
//
// Aborts (a crash for libFuzzer, a failed test for the replay build) when a property breaks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_property.hpp"
#include "mail/address.hpp"

namespace {

using cqlist::mail::AddressList;
using cqlist::mail::AddressProblemKind;
using cqlist::mail::Mailbox;

void check_problems(const AddressList& list, std::size_t size) {
  bool reported_nothing = false;
  for (const auto& problem : list.problems) {
    require(problem.offset <= size, "problem offsets lie inside the input");
    require(!cqlist::mail::address_problem_name(problem.kind).empty(), "problems have names");
    reported_nothing = reported_nothing || problem.kind == AddressProblemKind::no_address;
  }
  require(list.entries.empty() == reported_nothing, "no_address exactly when nothing parsed");
}

void check_format(const Mailbox& mailbox) {
  auto formatted = cqlist::mail::format_mailbox(mailbox);
  if (!formatted) {
    return;  // a display name that is not UTF-8
  }
  require(formatted->find('\r') == std::string::npos, "a formatted mailbox holds no CR");
  AddressList reparsed = cqlist::mail::parse_address_list(*formatted);
  require(reparsed.entries.size() == 1, "a formatted mailbox parses back as one entry");
  const auto* back = std::get_if<Mailbox>(&reparsed.entries[0]);
  require(back != nullptr, "a formatted mailbox parses back as a mailbox");
  require(back->local_part == mailbox.local_part, "the local part survives formatting");
  require(back->domain == mailbox.domain, "the domain survives formatting");
}

void check_normalized(const Mailbox& mailbox) {
  for (auto local_case :
       {cqlist::mail::LocalPartCase::preserve, cqlist::mail::LocalPartCase::fold}) {
    cqlist::mail::NormalizeOptions options;
    options.local_part_case = local_case;
    auto normal = cqlist::mail::normalized_address(mailbox, options);
    if (!normal) {
      continue;  // an invalid domain, reported as an Error
    }
    auto envelope = cqlist::mail::split_addr_spec(*normal);
    require(envelope.has_value(), "a normalised address is a valid envelope address");
    auto again = cqlist::mail::normalized_address(*envelope, options);
    require(again.has_value() && *again == *normal, "normalisation is idempotent");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  AddressList list = cqlist::mail::parse_address_list(value);
  check_problems(list, size);
  for (const Mailbox& mailbox : list.mailboxes()) {
    check_format(mailbox);
    check_normalized(mailbox);
  }
  // The same bytes as an envelope path: must not crash, and a success must round-trip.
  if (auto envelope = cqlist::mail::split_addr_spec(value); envelope && !envelope->is_null()) {
    auto again = cqlist::mail::split_addr_spec(envelope->to_string());
    require(again.has_value() && again->local_part == envelope->local_part &&
                again->domain == envelope->domain,
            "an envelope address round-trips");
  }
  return 0;
}
