// fuzz/bounce_parse_fuzz.cpp: the bounce parser on any input.
//
// Whatever the bytes, parse_bounce returns: a report (a failure report names at least one
// recipient) or a bad_syntax refusal that says why. Line ends do not change the reading:
// the same input with CRLF, LF or lone CR line ends gives the same kind and recipients.
// Aborts (a crash for libFuzzer, a failed test for the replay build) when a property breaks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bounce/parse.hpp"
#include "bounce/testing/line_ends.hpp"
#include "fuzz_property.hpp"

namespace {

using namespace cqlist;
using namespace cqlist::bounce;
using cqlist::bounce::testing::with_line_ends;

void check(const Result<BounceReport>& report) {
  if (!report) {
    require(report.error().code() == Errc::bad_syntax, "a refusal is bad_syntax");
    require(!report.error().message().empty(), "a refusal says why");
    return;
  }
  require(report->kind != ReportKind::delivery_failure || !report->recipients.empty(),
          "a failure report names a recipient");
}

bool same_reading(const Result<BounceReport>& a, const Result<BounceReport>& b) {
  if (a.has_value() != b.has_value()) {
    return false;
  }
  if (!a) {
    return true;
  }
  if (a->kind != b->kind || a->recipients.size() != b->recipients.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a->recipients.size(); ++i) {
    if (a->recipients[i].address != b->recipients[i].address ||
        a->recipients[i].status != b->recipients[i].status ||
        a->recipients[i].reply_code != b->recipients[i].reply_code) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  Result<BounceReport> report = parse_bounce(bytes);
  check(report);
  if (bytes.find('\r') == std::string::npos) {
    Result<BounceReport> crlf = parse_bounce(with_line_ends(bytes, "\r\n"));
    Result<BounceReport> cr = parse_bounce(with_line_ends(bytes, "\r"));
    check(crlf);
    check(cr);
    require(same_reading(report, crlf), "CRLF line ends read as LF");
    require(same_reading(report, cr), "lone CR line ends read as LF");
  }
  return 0;
}
