// doctor/record_checks_inbound.cpp: TLS-04/05/06 (how mail reaches the list domain) and
// REP-01/02 (blocklists, Postmaster Tools).
#include <algorithm>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "doctor/record_checks.hpp"
#include "doctor/sending_path.hpp"
#include "doctor/texts.hpp"

namespace cqlist::doctor {
namespace {

constexpr std::size_t kMaxStsId = 32;

std::vector<DnsRecord> txt_records(const dns::Answer& answer, const std::string& name,
                                   std::string_view prefix) {
  std::vector<DnsRecord> out;
  for (const dns::TxtRecord& txt : answer.all<dns::TxtRecord>()) {
    if (txt.joined().starts_with(prefix)) {
      out.push_back(DnsRecord{name, answer.ttl, "TXT", txt.strings, false});
    }
  }
  return out;
}

std::vector<std::string> zone_lines(const std::vector<DnsRecord>& records) {
  std::vector<std::string> lines;
  for (const DnsRecord& record : records) {
    lines.push_back(record.zone_line());
  }
  return lines;
}

// RFC 8460 §3: a rua= with at least one mailto: or https: address.
bool usable_tlsrpt(const std::string& text) {
  const std::size_t rua = text.find("rua=");
  if (rua == std::string::npos) {
    return false;
  }
  const std::string_view value = std::string_view(text).substr(rua + 4);
  return value.starts_with("mailto:") || value.starts_with("https:");
}

std::vector<std::string> mx_hosts(dns::Resolver& resolver, const std::string& domain) {
  std::vector<std::string> hosts;
  dns::Answer mx = resolver.query(domain, dns::RecordType::mx);
  auto records = mx.all<dns::MxRecord>();
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.preference < b.preference; });
  for (const dns::MxRecord& record : records) {
    const std::string host = dns::normalize_name(record.exchange);
    if (!host.empty() && host != "." &&
        std::find(hosts.begin(), hosts.end(), host) == hosts.end()) {
      hosts.push_back(host);
    }
  }
  return hosts;
}

// For "(no ... record at NAME: nodata)" when the name has other records but not this one.
dns::Status absent(const dns::Answer& answer) {
  return answer.ok() ? dns::Status::nodata : answer.status;
}

Finding tls_finding(std::string id, Severity severity, std::string subject, Localized title) {
  Finding f = make_finding(std::move(id), severity, std::move(subject), std::move(title), "TLS");
  f.applies = Applies::inbound;
  return f;
}

}  // namespace

std::optional<std::string> mta_sts_id(const std::string& text) {
  std::string_view rest = text;
  bool first = true;
  std::optional<std::string> id;
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    const std::string_view field = trim(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    if (field.empty()) {
      continue;
    }
    if (first) {
      if (field != "v=STSv1") {
        return std::nullopt;
      }
      first = false;
      continue;
    }
    if (field.starts_with("id=")) {
      const std::string_view value = field.substr(3);
      const bool alnum = std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      });
      if (value.empty() || value.size() > kMaxStsId || !alnum || id) {
        return std::nullopt;
      }
      id = std::string(value);
    }
  }
  return id;
}

std::string dnsbl_query_name(const IpAddress& address, const std::string& zone) {
  std::string reverse = address.reverse_name();
  for (std::string_view suffix : {".in-addr.arpa", ".ip6.arpa"}) {
    if (reverse.ends_with(suffix)) {
      reverse.resize(reverse.size() - suffix.size());
    }
  }
  return reverse + "." + dns::normalize_name(zone);
}

DnsblVerdict dnsbl_verdict(const dns::Answer& answer) {
  if (answer.status == dns::Status::nxdomain || answer.status == dns::Status::nodata) {
    return DnsblVerdict::not_listed;
  }
  const auto addresses = answer.all<IpAddress>();
  if (!answer.ok() || addresses.empty()) {
    return DnsblVerdict::could_not_check;
  }
  // Every answer must be a listing code: one error code (127.255.255.x) or an address a
  // hijacking resolver made up means the whole answer cannot be trusted.
  const bool all_codes = std::all_of(addresses.begin(), addresses.end(), [](const IpAddress& a) {
    const auto& b = a.bytes();
    return a.is_v4() && b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] >= 2 && b[3] <= 11;
  });
  return all_codes ? DnsblVerdict::listed : DnsblVerdict::could_not_check;
}

std::vector<Finding> check_transport_records(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  const std::string domain = dns::normalize_name(input.domain);
  const std::vector<std::string> mxs = mx_hosts(resolver, domain);

  // TLS-04: the TXT record announcing an MTA-STS policy (RFC 8461 §3.1).
  const std::string sts_name = "_mta-sts." + domain;
  dns::Answer sts = resolver.query(sts_name, dns::RecordType::txt);
  const std::vector<DnsRecord> sts_records = txt_records(sts, sts_name, "v=STSv1");
  if (sts_records.empty() &&
      (sts.status == dns::Status::nxdomain || sts.ok() || sts.status == dns::Status::nodata)) {
    Finding f = tls_finding("TLS-04", Severity::info, sts_name, texts::mta_sts_none_title());
    f.found = {texts::nothing_found(sts_name, "TXT v=STSv1", absent(sts))};
    f.why = texts::mta_sts_none_why(domain);
    f.fix.summary = texts::mta_sts_none_fix(domain, mxs);
    f.rules = {"RFC 8461 §3.1-3.3"};
    findings.push_back(std::move(f));
  } else if (!sts_records.empty()) {
    const std::optional<std::string> id =
        sts_records.size() == 1 ? mta_sts_id(sts_records.front().value()) : std::nullopt;
    if (id) {
      findings.push_back(
          tls_finding("TLS-04", Severity::pass, sts_name, texts::mta_sts_ok_title(*id)));
    } else {
      Finding f = tls_finding("TLS-04", Severity::warn, sts_name,
                              texts::mta_sts_bad_title(sts_records.size()));
      f.found = zone_lines(sts_records);
      f.why = texts::mta_sts_bad_why(sts_records.size());
      f.fix.summary = texts::mta_sts_bad_fix();
      f.fix.records_add = {txt_record(sts_name, "v=STSv1; id=1", sts.ttl)};
      f.fix.records_remove = sts_records;
      f.rules = {"RFC 8461 §3.1"};
      findings.push_back(std::move(f));
    }
  }

  // TLS-05: where senders report TLS failures (RFC 8460 §3).
  const std::string rpt_name = "_smtp._tls." + domain;
  dns::Answer rpt = resolver.query(rpt_name, dns::RecordType::txt);
  const std::vector<DnsRecord> rpt_records = txt_records(rpt, rpt_name, "v=TLSRPTv1");
  if (rpt_records.size() == 1 && usable_tlsrpt(rpt_records.front().value())) {
    findings.push_back(
        tls_finding("TLS-05", Severity::pass, rpt_name, texts::tlsrpt_title(1, true)));
  } else if (rpt.ok() || rpt.status == dns::Status::nxdomain || rpt.status == dns::Status::nodata) {
    Finding f = tls_finding("TLS-05", Severity::info, rpt_name,
                            texts::tlsrpt_title(rpt_records.size(), false));
    f.found = rpt_records.empty() ? std::vector<std::string>{texts::nothing_found(
                                        rpt_name, "TXT v=TLSRPTv1", absent(rpt))}
                                  : zone_lines(rpt_records);
    f.why = texts::tlsrpt_why(domain, rpt_records.size());
    f.fix.summary = texts::tlsrpt_fix(domain);
    f.fix.records_add = {
        txt_record(rpt_name, fmt::format("v=TLSRPTv1; rua=mailto:tls-reports@{}", domain))};
    f.fix.records_remove = rpt_records;
    f.rules = {"RFC 8460 §3"};
    findings.push_back(std::move(f));
  }

  // TLS-06: DANE for each MX host; senders use TLSA records only when DNSSEC-secure.
  for (const std::string& mx : mxs) {
    const std::string name = "_25._tcp." + mx;
    dns::Answer tlsa = resolver.query(name, dns::RecordType::tlsa);
    if (tlsa.ok() && tlsa.security == dns::Security::secure) {
      findings.push_back(tls_finding("TLS-06", Severity::pass, mx, texts::dane_title(true, true)));
      continue;
    }
    if (!tlsa.ok() && tlsa.status != dns::Status::nxdomain && tlsa.status != dns::Status::nodata) {
      continue;  // a failed lookup proves nothing; DNS-03 reports bogus answers
    }
    Finding f = tls_finding("TLS-06", Severity::info, mx, texts::dane_title(tlsa.ok(), false));
    if (tlsa.ok()) {
      for (const dns::TlsaRecord& record : tlsa.all<dns::TlsaRecord>()) {
        std::string hex;
        for (char c : record.data) {
          hex += fmt::format("{:02x}", static_cast<unsigned char>(c));
        }
        f.found.push_back(fmt::format("{}. {} IN TLSA {} {} {} {} ({})", name, tlsa.ttl,
                                      record.usage, record.selector, record.matching_type, hex,
                                      dns::security_name(tlsa.security)));
      }
    } else {
      f.found = {texts::nothing_found(name, "TLSA", tlsa.status)};
    }
    f.why = texts::dane_why(mx, tlsa.ok());
    f.fix.summary = texts::dane_fix(mx, tlsa.ok());
    if (!tlsa.ok()) {
      f.fix.commands = {
          "openssl x509 -in \"$(postconf -xh smtpd_tls_cert_file)\" -noout -pubkey | openssl "
          "pkey -pubin -outform DER | openssl dgst -sha256"};
    }
    f.rules = {"RFC 7672 §2.2", "RFC 6698"};
    findings.push_back(std::move(f));
  }
  return findings;
}

std::vector<Finding> check_reputation(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  // Behind a relayhost receivers see the relay's addresses, not these (OUT-03).
  if (!input.relayed()) {
    for (const EgressAddress& egress : input.egress) {
      if (!is_global_unicast(egress.address)) {
        continue;  // no receiver sees it, no blocklist holds it
      }
      const std::string ip = egress.address.to_string();
      for (const std::string& zone : input.dnsbl_zones) {
        const std::string name = dnsbl_query_name(egress.address, zone);
        dns::Answer answer = resolver.query(name, dns::RecordType::a);
        const DnsblVerdict verdict = dnsbl_verdict(answer);
        if (verdict == DnsblVerdict::not_listed) {
          Finding f = make_finding("REP-01", Severity::pass, ip,
                                   texts::dnsbl_title(ip, zone, true, false, {}), "REP");
          findings.push_back(std::move(f));
          continue;
        }
        const bool listed = verdict == DnsblVerdict::listed;
        const bool checked = listed;
        std::string codes;
        for (const IpAddress& code : answer.all<IpAddress>()) {
          codes += (codes.empty() ? "" : ", ") + code.to_string();
        }
        Finding f = make_finding("REP-01",
                                 verdict == DnsblVerdict::listed ? Severity::warn : Severity::info,
                                 ip, texts::dnsbl_title(ip, zone, checked, listed, codes), "REP");
        f.found = {codes.empty() ? texts::nothing_found(name, "A", answer.status)
                                 : fmt::format("{}. {} IN A {}", name, answer.ttl, codes)};
        f.why = texts::dnsbl_why(ip, zone, listed, answer.all<IpAddress>(), answer.status);
        f.fix.summary = texts::dnsbl_fix(ip, zone, listed);
        f.source = "Spamhaus DNSBL return codes";
        findings.push_back(std::move(f));
      }
    }
  }

  // REP-02: Postmaster Tools accepts the domain once Google's TXT token is published.
  const std::string domain = dns::normalize_name(input.domain);
  dns::Answer txt = resolver.query(domain, dns::RecordType::txt);
  const std::vector<DnsRecord> verification = txt_records(txt, domain, "google-site-verification=");
  if (!verification.empty()) {
    findings.push_back(
        make_finding("REP-02", Severity::pass, domain, texts::postmaster_title(true), "REP"));
    return findings;
  }
  Finding f = make_finding("REP-02", Severity::info, domain, texts::postmaster_title(false), "REP");
  f.found = {texts::nothing_found(domain, "TXT google-site-verification=", absent(txt))};
  f.why = texts::postmaster_why(domain);
  f.fix.summary = texts::postmaster_fix(domain);
  f.source = "Google sender guidelines (spam rate below 0.3 %); Postmaster Tools";
  findings.push_back(std::move(f));
  return findings;
}

}  // namespace cqlist::doctor
