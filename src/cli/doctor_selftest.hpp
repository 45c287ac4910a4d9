// cli/doctor_selftest.hpp: the sample post `cqlist doctor` signs for its DKIM self-test.
//
// Owns: making doctor::SelfTestSample with the list's own code: a plain sample post goes
// through the post pipeline's transform stages (subject tag, List-* fields, From rewrite,
// footer) with the list's settings, gets a member's personal unsubscribe link when the list
// personalises, and is signed by the list's KeyRing with each configured key, the signatures
// added as delivery adds them. doctor/ then verifies the copy against live DNS. Nothing is sent.
#pragma once

#include <chrono>
#include <vector>

#include "doctor/doctor.hpp"
#include "list/settings.hpp"
#include "store/store.hpp"

namespace cqlist::cli {

doctor::SelfTestSample make_selftest_sample(const store::ListRow& list,
                                            const list::ListSettings& settings,
                                            const std::vector<doctor::DkimKey>& keys,
                                            std::chrono::system_clock::time_point now);

}  // namespace cqlist::cli
