// doctor/texts.hpp: the doctor's sentences, in English and Japanese.
//
// Owns: the sentences shared by several checks (how to verify, "nothing found"), the SPF
// findings' sentences, which are many and reused by every SPF finding, and the DKIM self-test's
// and list-practice findings' sentences (texts_selftest.cpp). The other areas keep
// their few sentences next to the check that makes them, English and Japanese side by side
// in one Localized value, so the two languages stay in step. Records, commands and RFC
// section numbers are never translated; they are pasted as they are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// DKIM self-test, list practice, sending pace and outbound TLS policy (texts_selftest.cpp).
Localized selftest_unsigned_title();
Localized selftest_unsigned_why(const std::string& error);
Localized dkim_sha1_title();
Localized dkim_sha1_why();
Localized dkim_sha1_fix();
Localized dkim_strict_identity_title();
Localized dkim_strict_identity_why(const std::string& identity, const std::string& domain);
Localized dkim_strict_identity_fix();
Localized dkim_headers_title(bool complete);
Localized dkim_headers_why(const std::string& unsigned_names, const std::string& open_names);
Localized dkim_headers_fix(const std::string& names);
Localized dkim_length_title();
Localized dkim_length_why(std::uint64_t length);
Localized dkim_length_fix();
Localized dkim_canon_title(const std::string& canonicalization);
Localized dkim_canon_why();
Localized dkim_canon_fix();
Localized dkim_selftest_title(bool pass);
Localized dkim_selftest_why(const std::string& result, const std::string& reason);
Localized dkim_selftest_fix(const std::string& reason, const std::string& record_name);
Localized list_modifies_title();
Localized list_modifies_why(const std::string& changes_en, const std::string& changes_ja,
                            bool with_list01, bool rewritten);
Localized list_modifies_fix(bool rewriting);  // From already rewritten where needed
Localized list_arc_title(bool on);
Localized list_arc_why();
Localized list_alignment_title();
Localized list_alignment_why();
Localized list_auto_reply_title();
Localized list_auto_reply_why();
Localized pace_title();
Localized pace_why();
Localized pace_fix();
Localized tls_policy_title(bool dane, bool mta_sts);
Localized tls_policy_why(bool dane, bool mta_sts);
Localized tls_policy_fix();
Localized tls_policy_note();

// Record-level checks: SPF-14/15, DMARC-04/08/09, DNS-04/05, TLS-04/05/06, REP-01/02
// (texts_records.cpp).
Localized spf_type99_title(bool present);
Localized spf_type99_why();
Localized spf_type99_fix();
Localized spf_dynamic_title(bool present);
Localized spf_dynamic_why();
Localized spf_dynamic_fix();
Localized dmarc_removed_title(const std::string& tags);  // "" when none: the PASS title
Localized dmarc_removed_why(bool pct);
Localized dmarc_removed_fix(const std::string& partial_pct);  // "" unless t=y replaces pct
Localized dmarc_strict_title(const std::string& tag, const std::string& identifier,
                             const std::string& from);  // tag "" for the PASS title
Localized dmarc_strict_why(const std::string& tag, const std::string& identifier,
                           const std::string& from, const std::string& policy);
Localized dmarc_strict_fix(const std::string& tag, const std::string& from);
Localized dmarc_subdomain_title(bool weaker);
Localized dmarc_subdomain_why(const std::string& record_domain, const std::string& list_domain,
                              const std::string& list_policy);
Localized dmarc_subdomain_fix();
Localized ns_agree_title(std::size_t servers, const std::vector<std::string>& whats);
Localized ns_differs_title(const std::string& server, const std::string& address,
                           const std::string& what, bool answered);
// newest_serial 0 unless the server's own serial is known to be lower than another's.
Localized ns_differs_why(const std::string& server, const std::string& what,
                         std::uint32_t newest_serial, std::uint32_t serial);
Localized ns_differs_fix(const std::string& server);
Localized ns_silent_title(const std::string& server);
Localized ns_silent_why(bool no_address);
Localized ns_silent_fix(const std::string& server, const std::string& zone);
Localized ns_unchecked_title();
Localized ns_unchecked_why(bool servers_found);
// The dig commands, then the doctor; `compare`: their outputs must agree, else each must answer.
Localized ns_verify(const std::vector<std::string>& commands, bool compare);
Localized ttl_span(std::uint32_t seconds);  // "1 day" / "1 日"
Localized ttl_title(std::uint32_t longest, bool long_lived);
Localized ttl_why(std::uint32_t longest);
Localized ttl_fix(std::uint32_t longest);
Localized mta_sts_none_title();
Localized mta_sts_none_why(const std::string& domain);
Localized mta_sts_none_fix(const std::string& domain, const std::vector<std::string>& mx_hosts);
Localized mta_sts_ok_title(const std::string& id);
Localized mta_sts_bad_title(std::size_t count);
Localized mta_sts_bad_why(std::size_t count);
Localized mta_sts_bad_fix();
Localized tlsrpt_title(std::size_t count, bool usable);
Localized tlsrpt_why(const std::string& domain, std::size_t count);
Localized tlsrpt_fix(const std::string& domain);
Localized dane_title(bool published, bool secure);
Localized dane_why(const std::string& mx, bool published);
Localized dane_fix(const std::string& mx, bool published);
Localized dnsbl_title(const std::string& ip, const std::string& zone, bool checked, bool listed,
                      const std::string& codes);
Localized dnsbl_why(const std::string& ip, const std::string& zone, bool listed,
                    const std::vector<IpAddress>& codes, dns::Status status);
Localized dnsbl_fix(const std::string& ip, const std::string& zone, bool listed);
Localized postmaster_title(bool present);
Localized postmaster_why(const std::string& domain);
Localized postmaster_fix(const std::string& domain);

}  // namespace cqlist::doctor::texts
