// auth/authres/resinfo.hpp: each check's outcome as one Authentication-Results entry.
//
// Owns: the RFC 8601 vocabulary for cqlist's own checks: which result word, which
// ptype.property pairs (§2.7: smtp.mailfrom / smtp.helo for SPF, header.d/i/s/a/b for DKIM with
// RFC 6008's header.b, header.from for DMARC, header.oldest-pass and smtp.remote-ip for ARC,
// RFC 8617 §10.1) and the short comments receivers conventionally add ("2048-bit key",
// "p=reject dis=quarantine"). Everything that writes Authentication-Results or
// ARC-Authentication-Results from outcomes goes through here, so the fields look the same
// wherever cqlist adds them. format() in authres.hpp turns the entries into a field.
#pragma once

#include <optional>

#include "auth/arc/validate.hpp"
#include "auth/authres/authres.hpp"
#include "auth/dkim/verify.hpp"
#include "auth/dmarc/evaluate.hpp"
#include "auth/spf/check_host.hpp"
#include "base/ip_address.hpp"

namespace cqlist::auth::authres {

// spf=RESULT smtp.mailfrom=local@domain, or smtp.helo=NAME for the HELO identity (RFC 7208
// §9.2). Non-pass results carry the outcome's reason.
MethodResult spf_resinfo(const spf::SpfOutcome& outcome);

// dkim=RESULT (N-bit key) header.d header.i header.s header.a header.b (first 8 characters of
// b=, enough to tell signatures apart, RFC 6008).
MethodResult dkim_resinfo(const dkim::DkimOutcome& outcome);

// dkim=none: the message has no DKIM-Signature.
MethodResult dkim_none_resinfo();

// arc=RESULT (i=N) header.oldest-pass=K [smtp.remote-ip=ADDR]; "arc=none" without sets.
MethodResult arc_resinfo(const arc::ArcOutcome& outcome,
                         const std::optional<IpAddress>& remote_ip = std::nullopt);

// dmarc=RESULT (p=POLICY dis=DISPOSITION) header.from=DOMAIN.
MethodResult dmarc_resinfo(const dmarc::Evaluation& evaluation);

// The policy the From domain's record asks for mail that fails (p, or sp for a subdomain),
// whatever the result; none when no record was found.
dmarc::Policy applied_policy(const dmarc::Evaluation& evaluation);

}  // namespace cqlist::auth::authres
