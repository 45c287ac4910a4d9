#include "doctor/finding.hpp"

namespace cqlist::doctor {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::pass:
      return "PASS";
    case Severity::info:
      return "INFO";
    case Severity::warn:
      return "WARN";
    case Severity::fail:
      return "FAIL";
  }
  return "FAIL";
}

}  // namespace cqlist::doctor
