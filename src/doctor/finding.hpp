// doctor/finding.hpp: one result of a doctor check, in the checklist's advice shape.
//
// Owns: the finding value (what was found, why it fails, the fix, how to verify) and its
// severity, shared by every check and by the text/JSON renderers.
#pragma once

#include <string_view>

namespace cqlist::doctor {

enum class Severity { pass, info, warn, fail };

std::string_view severity_name(Severity severity);

}  // namespace cqlist::doctor
