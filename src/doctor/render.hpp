// doctor/render.hpp: findings as text for an operator, in English or Japanese.
//
// Owns: the advice layout of checklist §4.0 (severity, ID, title, subject; then Found, Why,
// Fix with the records to paste, Rule, Source, Verify and the SPF trace), the summary line,
// and the closing "records to publish" block that gathers every record, provider action and
// command of the run in one place. PASS findings take one line each.
#pragma once

#include <string>
#include <vector>

#include "doctor/finding.hpp"

namespace cqlist::doctor {

std::string render_finding(const Finding& finding, Language language);

// "Summary: 3 FAIL, 1 WARN, 0 INFO, 5 PASS".
std::string render_summary(const std::vector<Finding>& findings, Language language);

// The consolidated block; empty when there is nothing to publish or run.
std::string render_publish_block(const std::vector<Finding>& findings, Language language);

// Everything: each finding, the publish block, the summary.
std::string render_report(const std::vector<Finding>& findings, Language language);

}  // namespace cqlist::doctor
