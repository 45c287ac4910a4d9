// doctor/texts_probe.hpp: the sentences of the `--probe` findings (OUT-01 probe, TLS-03).
//
// Kept apart from texts.hpp so the probe findings' English and Japanese live in one place
// (texts_probe.cpp) next to nothing else.
#pragma once

#include <string>

#include "doctor/finding.hpp"

namespace cqlist::doctor::texts {

Localized probe_verify(const std::string& group);
Localized probe_rerun(const std::string& command);

// OUT-01, one per family probed.
Localized probe_no_route_title(const std::string& family);
Localized probe_no_route_why(const std::string& family, const std::string& target);
Localized probe_blocked_title(const std::string& family, bool all_blocked);
Localized probe_blocked_why(const std::string& family, const std::string& target,
                            const std::string& error, bool all_blocked);
Localized probe_blocked_fix(const std::string& family);
Localized probe_unreported_title(const std::string& family);
Localized probe_unreported_why(const std::string& target);
Localized probe_seen_title(const std::string& family, const std::string& seen, bool expected);
Localized probe_seen_why(const std::string& family, const std::string& seen,
                         const std::string& assumed, bool expected, bool relayed);
Localized probe_seen_fix(const std::string& seen);

// TLS-03, one per MX: how far the STARTTLS conversation got.
enum class MxTlsState { unreachable, no_starttls, handshake_failed, untrusted, ok };

Localized mx_tls_title(const std::string& mx, MxTlsState state);
Localized mx_tls_unreachable_why(const std::string& mx, const std::string& error);
Localized mx_tls_no_starttls_why(const std::string& mx);
Localized mx_tls_handshake_why(const std::string& mx, const std::string& error);
Localized mx_tls_untrusted_why(const std::string& mx, const std::string& reason);
Localized mx_tls_ok_why(const std::string& mx, const std::string& version);
Localized mx_tls_fix(const std::string& mx, MxTlsState state);

}  // namespace cqlist::doctor::texts
