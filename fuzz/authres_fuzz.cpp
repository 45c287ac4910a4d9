// fuzz/authres_fuzz.cpp: Authentication-Results parsing must never crash, and what parses must
// survive format() and parse() again unchanged.
//
// Input: the bytes as the value of an Authentication-Results field. Aborts (a crash for
// libFuzzer, a failed test for the replay build) when a property breaks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/authres/authres.hpp"
#include "fuzz_property.hpp"

namespace {

namespace authres = cqlist::auth::authres;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = authres::parse(input);
  if (!parsed || parsed->authserv_id.empty()) {
    return 0;  // formatting always writes an authserv-id
  }
  const std::string formatted = authres::format(*parsed);
  auto again = authres::parse(formatted);
  require(again.has_value(), "a formatted field parses");
  require(*again == *parsed, "format() then parse() gives the same results");
  return 0;
}
