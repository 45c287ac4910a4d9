// doctor/texts.hpp: the doctor's sentences, in English and Japanese.
//
// Owns: the sentences shared by several checks (how to verify, "nothing found") and the SPF
// findings' sentences, which are many and reused by every SPF finding. The other areas keep
// their few sentences next to the check that makes them, English and Japanese side by side
// in one Localized value, so the two languages stay in step. Records, commands and RFC
// section numbers are never translated; they are pasted as they are.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "auth/spf/check_host.hpp"
#include "dns/resolver.hpp"
#include "doctor/finding.hpp"

namespace cqlist::doctor::texts {

// Shared.
Localized verify_with(std::string_view group);
std::string nothing_found(std::string_view name, std::string_view what, dns::Status status);

// SPF (texts_spf.cpp).
Localized spf_ok_title();
Localized spf_ok_why(unsigned lookups);
Localized spf_none_title();
Localized spf_none_why(const std::string& domain);
Localized spf_many_title();
Localized spf_many_why(const std::string& domain, std::size_t count);
Localized spf_syntax_title();
Localized spf_syntax_why(const std::string& problem);
Localized spf_loop_title();
Localized spf_loop_why(const std::string& term, const std::string& loop);
Localized spf_dead_include_title();
Localized spf_dead_include_why(const std::string& term, const std::string& problem);
Localized spf_lookups_title(unsigned lookups);
Localized spf_lookups_why(unsigned lookups);
Localized spf_voids_title();
Localized spf_voids_why(unsigned voids);
Localized spf_after_all_title();
Localized spf_after_all_why(const std::string& term, const std::string& all);
Localized spf_ptr_title();
Localized spf_ptr_why(const std::string& term);
Localized spf_wide_title();
Localized spf_wide_why(const std::string& term);
Localized spf_all_title();
Localized spf_all_why(const std::string& all);  // "+all", "?all" or "" (none)
Localized spf_verdict_title(const std::string& address, const std::string& family, bool pass);
Localized spf_verdict_why(const auth::spf::SpfOutcome& outcome, const std::string& family);
Localized spf_unused_title();
Localized spf_unused_why(const std::string& term);
Localized spf_replace_summary(const std::string& domain, bool new_record);
Localized spf_lookups_after(unsigned lookups);

}  // namespace cqlist::doctor::texts
