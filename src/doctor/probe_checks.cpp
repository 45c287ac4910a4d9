// doctor/probe_checks.cpp: OUT-01 probe findings and TLS-03 from the probe facts.
#include "doctor/probe_checks.hpp"

#include <algorithm>
#include <string>

#include "base/strings.hpp"
#include "doctor/texts_probe.hpp"

namespace cqlist::doctor {
namespace {

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) {
    out += (out.empty() ? "" : ", ") + value;
  }
  return out;
}

texts::MxTlsState state_of(const MxTlsProbe& probe) {
  using texts::MxTlsState;
  if (!probe.connected) {
    return MxTlsState::unreachable;
  }
  if (!probe.starttls) {
    return MxTlsState::no_starttls;
  }
  if (!probe.handshake) {
    return MxTlsState::handshake_failed;
  }
  return probe.verified ? MxTlsState::ok : MxTlsState::untrusted;
}

}  // namespace

std::optional<IpAddress> reported_client_address(std::string_view text) {
  std::size_t open = text.find('[');
  while (open != std::string_view::npos) {
    const std::size_t close = text.find(']', open);
    if (close == std::string_view::npos) {
      break;
    }
    std::string_view inside = text.substr(open + 1, close - open - 1);
    if (inside.size() > 5 && to_ascii_upper(inside.substr(0, 5)) == "IPV6:") {
      inside.remove_prefix(5);
    }
    if (auto address = IpAddress::parse(inside)) {
      return address;
    }
    open = text.find('[', close);
  }
  return std::nullopt;
}

std::vector<Finding> check_egress_probe(const DoctorInput& input) {
  std::vector<Finding> findings;
  const bool any_through = std::any_of(input.egress_probes.begin(), input.egress_probes.end(),
                                       [](const EgressProbe& p) { return p.connected; });
  for (const EgressProbe& probe : input.egress_probes) {
    const std::string family = probe.ipv6 ? "IPv6" : "IPv4";
    Finding f;
    std::string rerun;
    if (probe.no_route) {
      f = make_finding("OUT-01", Severity::info, family, texts::probe_no_route_title(family),
                       "OUT");
      f.found = {probe.target + ": " + probe.error};
      f.why = texts::probe_no_route_why(family, probe.target);
    } else if (!probe.connected) {
      // One family blocked delays mail; every family blocked stops it.
      const bool all_blocked = !any_through;
      f = make_finding("OUT-01", all_blocked ? Severity::fail : Severity::warn, family,
                       texts::probe_blocked_title(family, all_blocked), "OUT");
      f.found = {probe.target + ": " + probe.error};
      f.why = texts::probe_blocked_why(family, probe.target, probe.error, all_blocked);
      f.fix.summary = texts::probe_blocked_fix(family);
    } else if (!probe.seen) {
      f = make_finding("OUT-01", Severity::info, family, texts::probe_unreported_title(family),
                       "OUT");
      f.found = {probe.target + ": " + probe.reply};
      f.why = texts::probe_unreported_why(probe.target);
    } else {
      const IpAddress& seen = *probe.seen;
      std::vector<std::string> assumed;
      bool expected = false;
      for (const EgressAddress& egress : input.egress) {
        if (egress.address.is_v4() == seen.is_v4()) {
          assumed.push_back(egress.address.to_string());
          expected = expected || egress.address == seen;
        }
      }
      const std::string seen_text = seen.to_string();
      // Behind a relay, the host's own address is not what list mail comes from.
      const Severity severity =
          expected ? Severity::pass : (input.relayed() ? Severity::info : Severity::warn);
      f = make_finding("OUT-01", severity, seen_text,
                       texts::probe_seen_title(family, seen_text, expected), "OUT");
      f.found = {probe.target + ": " + probe.reply,
                 "checked " + family + ": " + (assumed.empty() ? "(none)" : join(assumed))};
      f.why = texts::probe_seen_why(family, seen_text, join(assumed), expected, input.relayed());
      if (!expected) {
        f.fix.summary = texts::probe_seen_fix(seen_text);
        // Verified by running the checks for the address receivers really see.
        std::string command = "cqlist doctor --domain " + input.domain + " --ip " + seen_text;
        for (const EgressAddress& egress : input.egress) {
          if (egress.address.is_v4() != seen.is_v4()) {
            command += " --ip " + egress.address.to_string();
          }
        }
        rerun = command + " --probe";
      }
      f.rules = {"RFC 7208 §4.1"};
    }
    f.verify = rerun.empty() ? texts::probe_verify("OUT") : texts::probe_rerun(rerun);
    findings.push_back(std::move(f));
  }
  return findings;
}

std::vector<Finding> check_inbound_tls(const DoctorInput& input) {
  std::vector<Finding> findings;
  if (!input.mx_tls) {
    return findings;
  }
  for (const MxTlsProbe& probe : *input.mx_tls) {
    using texts::MxTlsState;
    const MxTlsState state = state_of(probe);
    Finding f = make_finding("TLS-03", state == MxTlsState::ok ? Severity::pass : Severity::warn,
                             probe.mx, texts::mx_tls_title(probe.mx, state), "TLS");
    f.applies = Applies::inbound;
    const std::string where = probe.mx + " (" + probe.address + ") port 25";
    switch (state) {
      case MxTlsState::unreachable:
        f.found = {where + ": " + probe.error};
        f.why = texts::mx_tls_unreachable_why(probe.mx, probe.error);
        break;
      case MxTlsState::no_starttls:
        f.found = {where + ": EHLO reply without STARTTLS"};
        f.why = texts::mx_tls_no_starttls_why(probe.mx);
        break;
      case MxTlsState::handshake_failed:
        f.found = {where + ": STARTTLS offered, handshake failed: " + probe.error};
        f.why = texts::mx_tls_handshake_why(probe.mx, probe.error);
        break;
      case MxTlsState::untrusted:
        f.found = {where + ": " + probe.tls_version + ", certificate: " + probe.verify_error};
        f.why = texts::mx_tls_untrusted_why(probe.mx, probe.verify_error);
        break;
      case MxTlsState::ok:
        f.found = {where + ": " + probe.tls_version + ", certificate verified"};
        f.why = texts::mx_tls_ok_why(probe.mx, probe.tls_version);
        break;
    }
    f.fix.summary = texts::mx_tls_fix(probe.mx, state);
    f.rules = {"RFC 3207", "RFC 8461 §4.1"};
    f.source = "internet.nl mail test (STARTTLS, certificate)";
    f.verify = texts::probe_verify("TLS");
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace cqlist::doctor
