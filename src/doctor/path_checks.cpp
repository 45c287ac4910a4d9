// doctor/path_checks.cpp: outbound path, PTR, HELO and TLS findings.
#include "doctor/path_checks.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "auth/spf/check_host.hpp"
#include "doctor/texts.hpp"

namespace cqlist::doctor {
namespace {

dns::RecordType forward_type(const IpAddress& address) {
  return address.is_v4() ? dns::RecordType::a : dns::RecordType::aaaa;
}

std::string_view forward_type_name(const IpAddress& address) {
  return address.is_v4() ? "A" : "AAAA";
}

bool in_domain(const std::string& name, const std::string& domain) {
  const std::string n = dns::normalize_name(name);
  const std::string d = dns::normalize_name(domain);
  return n == d || n.ends_with("." + d);
}

DnsRecord forward_record(const std::string& host, const IpAddress& address) {
  return DnsRecord{
      host, 3600, std::string(forward_type_name(address)), {address.to_string()}, false};
}

// The addresses `host` resolves to for the family of `address`, and whether `address` is one.
bool resolves_to(dns::Resolver& resolver, const std::string& host, const IpAddress& address) {
  dns::Answer answer = resolver.query(host, forward_type(address));
  const auto addresses = answer.all<IpAddress>();
  return std::find(addresses.begin(), addresses.end(), address) != addresses.end();
}

// The PTR that names `host` for `address` (set at the provider) and, unless `host` already
// resolves to `address`, the forward record that confirms it.
std::vector<DnsRecord> ptr_records(dns::Resolver& resolver, const std::string& host,
                                   const IpAddress& address) {
  std::vector<DnsRecord> records{
      DnsRecord{address.reverse_name(), 3600, "PTR", {host + "."}, true}};
  if (!resolves_to(resolver, host, address)) {
    records.push_back(forward_record(host, address));
  }
  return records;
}

bool is_fqdn(const std::string& name) {
  const std::string n = dns::normalize_name(name);
  return n.find('.') != std::string::npos && n != "localhost" && !n.starts_with("localhost.") &&
         auth::spf::is_valid_domain(n);
}

// A PTR name that spells out the address or names a dynamic pool (checklist PTR-04).
bool looks_generic(const std::string& name, const IpAddress& address) {
  const std::string n = dns::normalize_name(name);
  for (std::string_view word : {"dynamic", "dhcp", "pool", "dsl", "ppp", "dyn-", "dialup", "cable",
                                "broadband", "customer", "client"}) {
    if (n.find(word) != std::string::npos) {
      return true;
    }
  }
  if (address.is_v4()) {
    const auto& b = address.bytes();
    for (char sep : {'-', '.'}) {
      const std::string forward =
          fmt::format("{}{}{}{}{}{}{}", b[0], sep, b[1], sep, b[2], sep, b[3]);
      const std::string backward =
          fmt::format("{}{}{}{}{}{}{}", b[3], sep, b[2], sep, b[1], sep, b[0]);
      if (n.find(forward) != std::string::npos || n.find(backward) != std::string::npos) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

std::vector<Finding> check_outbound(const DoctorInput& input) {
  std::vector<Finding> findings;
  std::vector<std::string> lines;
  for (const EgressAddress& egress : input.egress) {
    lines.push_back(fmt::format("{} {} (from {})", family_name(egress.address),
                                egress.address.to_string(), egress.source));
  }
  if (input.postfix) {
    lines.push_back(fmt::format(
        "Postfix: inet_protocols = {}, smtp_address_preference = {}, smtp_bind_address = {}, "
        "smtp_bind_address6 = {}, relayhost = {}",
        input.postfix->inet_protocols, input.postfix->smtp_address_preference,
        input.postfix->smtp_bind_address, input.postfix->smtp_bind_address6,
        input.postfix->relayhost));
  }
  if (!input.helo_name.empty()) {
    lines.push_back("EHLO " + input.helo_name);
  }
  Finding out = make_finding("OUT-01", input.egress.empty() ? Severity::warn : Severity::info,
                             input.domain, {"sending path", "送信経路"}, "OUT");
  out.found = lines;
  if (input.egress.empty()) {
    out.why = {
        "No global address to send from was found, so the per-address checks (SPF "
        "verdict, PTR) cannot run. If this host is behind NAT, give its public "
        "addresses with --ip (IPv4 and IPv6).",
        "送信元となるグローバルアドレスが見つからないため、アドレスごとの確認（SPF "
        "の判定、逆引き）ができません。NAT の内側にあるホストでは、公開アドレスを --ip "
        "で指定してください（IPv4 と IPv6 の両方）。"};
  } else {
    out.why = {
        "The checks below run for each of these addresses, IPv4 and IPv6 separately: "
        "receivers judge every connection by the address it comes from.",
        "以下の確認は、これらのアドレスごとに IPv4 と IPv6 "
        "を分けて行います。受信側は接続元のアドレスごとに判定するためです。"};
  }
  findings.push_back(std::move(out));
  if (input.relayed()) {
    Finding relay =
        make_finding("OUT-03", Severity::info, input.postfix->relayhost,
                     {"mail leaves through a relay", "メールはリレー経由で送信されます"}, "OUT");
    relay.found = {"relayhost = " + input.postfix->relayhost};
    relay.why = {
        fmt::format("Receivers see the relay {}, not this server's addresses, so the per-address "
                    "SPF and PTR checks were skipped. Your SPF record needs the include: that "
                    "the relay's operator documents.",
                    input.postfix->relayhost),
        fmt::format("受信側から見える送信元はこのサーバーではなくリレー {} "
                    "なので、アドレスごとの SPF と逆引きの確認は省きました。SPF "
                    "レコードには、リレー事業者が案内している include: を加えてください。",
                    input.postfix->relayhost)};
    relay.rules = {"RFC 7208 §5.2"};
    findings.push_back(std::move(relay));
  }
  return findings;
}

std::vector<Finding> check_ptr_and_helo(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  if (input.relayed()) {
    return findings;
  }
  const std::string host = proposed_host_name(input);
  for (const EgressAddress& egress : input.egress) {
    const IpAddress& address = egress.address;
    const std::string ip = address.to_string();
    const std::string reverse = address.reverse_name();
    dns::Answer answer = resolver.query(reverse, dns::RecordType::ptr);
    const auto names = answer.all<std::string>();
    if (names.empty()) {
      const bool failed =
          answer.status == dns::Status::servfail || answer.status == dns::Status::timeout;
      Finding f =
          make_finding("PTR-01", failed ? Severity::warn : Severity::fail, ip,
                       {"no reverse DNS name (PTR)", "逆引き（PTR）が設定されていません"}, "PTR");
      f.found = {texts::nothing_found(reverse, "PTR", answer.status)};
      f.why = {fmt::format("{} ({}) has no reverse DNS name. Gmail, Yahoo and Microsoft require a "
                           "PTR whose name resolves back to the address; Gmail answers 550 5.7.1 "
                           "(\"does not meet IPv6 sending guidelines regarding PTR records\") or "
                           "4.7.23/5.7.25.",
                           ip, family_name(address)),
               fmt::format("{}（{}）に逆引きの名前がありません。Gmail、Yahoo、Microsoft "
                           "は、正引きで同じアドレスに戻る PTR を必須としています。Gmail は 550 "
                           "5.7.1（「IPv6 sending guidelines regarding PTR records」）や "
                           "4.7.23/5.7.25 で拒否します。",
                           ip, family_name(address))};
      f.fix.summary = {
          fmt::format("Set the PTR of {} to {} where the address is managed (your VPS provider's "
                      "panel or support); this is not done in your own zone. Make sure {} has "
                      "{} {}.",
                      ip, host, host, forward_type_name(address), ip),
          fmt::format("{} の PTR を {} に設定してください。設定場所はアドレスを管理している側"
                      "（VPS 事業者の管理画面やサポート窓口）で、あなたのゾーンではありません。"
                      "また {} に {} {} があることを確認してください。",
                      ip, host, host, forward_type_name(address), ip)};
      f.fix.records_add = ptr_records(resolver, host, address);
      f.rules = {"RFC 1912 §2.1"};
      f.source = "Google sender guidelines (all senders); Gmail 5.7.1 (IPv6), 4.7.23, 5.7.25";
      findings.push_back(std::move(f));
      continue;
    }
    if (names.size() > 1) {
      Finding f = make_finding("PTR-03", Severity::warn, ip,
                               {"more than one PTR name", "PTR の名前が複数あります"}, "PTR");
      for (const std::string& name : names) {
        f.found.push_back(fmt::format("{}. IN PTR {}.", reverse, name));
      }
      f.why = {
          "Receivers pick one of the names at random, so the check can pass or fail from "
          "one connection to the next. Keep one.",
          "受信側はどれか一つを任意に選ぶため、接続ごとに確認の結果が変わります。"
          "一つだけにしてください。"};
      findings.push_back(std::move(f));
    }
    if (looks_generic(names.front(), address) && !in_domain(names.front(), input.domain)) {
      Finding f = make_finding(
          "PTR-04", Severity::warn, ip,
          {"PTR name looks like a provider default", "PTR の名前が事業者の既定値のようです"},
          "PTR");
      f.found = {fmt::format("{}. IN PTR {}.", reverse, names.front())};
      f.why = {
          "Names that carry the address or words like dynamic, dhcp, pool or dsl mark "
          "consumer or default ranges; Yahoo and Microsoft want a name that reflects your "
          "domain, and Gmail may answer 5.7.1 \"not authorized to send email directly\".",
          "アドレスそのものや dynamic、dhcp、pool、dsl などを含む名前は、一般家庭向けや"
          "既定の範囲を示します。Yahoo と Microsoft はあなたのドメインを表す名前を求めて"
          "おり、Gmail は 5.7.1「not authorized to send email directly」で拒否することが"
          "あります。"};
      f.fix.summary = {fmt::format("Set the PTR of {} to {} at your provider.", ip, host),
                       fmt::format("事業者側で {} の PTR を {} に変更してください。", ip, host)};
      f.fix.records_add = ptr_records(resolver, host, address);
      f.source = "Yahoo sender requirements; Microsoft (dynamic ranges); Gmail 5.7.1";
      findings.push_back(std::move(f));
    }
    auto confirmed = std::find_if(names.begin(), names.end(), [&](const std::string& name) {
      return resolves_to(resolver, name, address);
    });
    if (confirmed != names.end() && !input.helo_name.empty() &&
        dns::normalize_name(input.helo_name) != dns::normalize_name(*confirmed)) {
      Finding f = make_finding(
          "HELO-02", Severity::info, ip,
          {"HELO name and PTR name differ", "HELO 名と PTR の名前が異なります"}, "PTR");
      f.found = {fmt::format("PTR {}, EHLO {}", *confirmed, input.helo_name)};
      f.why = {
          "Not an error, but some filters score a mismatch; using one name for both "
          "avoids it.",
          "誤りではありませんが、不一致を減点するフィルターもあります。両方に同じ名前を"
          "使うと避けられます。"};
      findings.push_back(std::move(f));
    }
    if (confirmed != names.end()) {
      Finding f = make_finding("PTR-02", Severity::pass, ip,
                               {fmt::format("PTR {} resolves back to the address", *confirmed),
                                fmt::format("PTR {} は正引きで同じアドレスに戻ります", *confirmed)},
                               "PTR");
      findings.push_back(std::move(f));
      continue;
    }
    const std::string& name = names.front();
    Finding f = make_finding(
        "PTR-02", Severity::fail, ip,
        {"reverse DNS is not forward-confirmed", "逆引きと正引きが一致しません"}, "PTR");
    f.found = {fmt::format("{}. IN PTR {}.", reverse, name),
               fmt::format("{} has no {} {}", name, forward_type_name(address), ip)};
    f.why = {fmt::format("The PTR of {} is {}, but that name has no {} record {}. Google requires "
                         "the PTR name to have an A (IPv4) or AAAA (IPv6) record with the same "
                         "address.",
                         ip, name, forward_type_name(address), ip),
             fmt::format("{} の PTR は {} ですが、その名前に {} レコード {} がありません。Google "
                         "は、PTR の名前が同じアドレスの A（IPv4）または AAAA（IPv6）"
                         "レコードを持つことを求めています。",
                         ip, name, forward_type_name(address), ip)};
    if (in_domain(name, input.domain)) {
      f.fix.summary = {fmt::format("Add the forward record for {}:", name),
                       fmt::format("{} の正引きレコードを追加してください。", name)};
      f.fix.records_add = {forward_record(name, address)};
    } else {
      f.fix.summary = {
          fmt::format("Set the PTR of {} to {} at your provider and add its {} record:", ip, host,
                      forward_type_name(address)),
          fmt::format("事業者側で {} の PTR を {} に変更し、その {} "
                      "レコードを追加してください。",
                      ip, host, forward_type_name(address))};
      f.fix.records_add = ptr_records(resolver, host, address);
    }
    f.source = "Google sender guidelines (\"A (for IPv4) or AAAA (for IPv6)\")";
    findings.push_back(std::move(f));
  }

  // HELO-01: the EHLO name is a host name that resolves to the addresses mail leaves from.
  if (input.helo_name.empty()) {
    return findings;
  }
  const std::string helo = dns::normalize_name(input.helo_name);
  if (!is_fqdn(helo)) {
    Finding f = make_finding("HELO-01", Severity::warn, helo,
                             {"HELO name is not a fully qualified host name",
                              "HELO 名が完全修飾ドメイン名ではありません"},
                             "PTR");
    f.found = {"EHLO " + helo};
    f.why = {
        "RFC 5321 §4.1.1.1 wants the host's fully qualified name in EHLO; receivers score "
        "a bare or local name as a sign of a badly configured sender.",
        "RFC 5321 §4.1.1.1 は EHLO にホストの完全修飾ドメイン名を求めています。"
        "短い名前やローカルな名前は、設定の不十分な送信元として減点されます。"};
    f.fix.commands = {fmt::format("postconf -e 'myhostname = {}' && postfix reload", host)};
    f.rules = {"RFC 5321 §2.3.5, §4.1.1.1"};
    findings.push_back(std::move(f));
    return findings;
  }
  std::vector<DnsRecord> missing;
  for (const EgressAddress& egress : input.egress) {
    if (!resolves_to(resolver, helo, egress.address)) {
      missing.push_back(forward_record(helo, egress.address));
    }
  }
  if (!missing.empty()) {
    Finding f = make_finding("HELO-01", Severity::warn, helo,
                             {"HELO name does not resolve to the sending addresses",
                              "HELO 名が送信元アドレスに解決されません"},
                             "PTR");
    f.found = {"EHLO " + helo};
    for (const DnsRecord& record : missing) {
      f.found.push_back(fmt::format("{} has no {} {}", helo, record.type, record.value()));
    }
    f.why = {
        "Receivers compare the EHLO name with the connecting address; a name that does "
        "not lead back to it costs reputation.",
        "受信側は EHLO の名前と接続元アドレスを照合します。名前がアドレスに戻らないと"
        "評価が下がります。"};
    if (in_domain(helo, input.domain)) {
      f.fix.summary = {"Add the address records of the HELO name:",
                       "HELO 名のアドレスレコードを追加してください。"};
      f.fix.records_add = missing;
    } else {
      f.fix.summary = {fmt::format("Use a name in your own domain as the HELO name and "
                                   "publish its addresses:"),
                       "HELO 名をあなたのドメインの名前に変え、そのアドレスを公開してください。"};
      f.fix.commands = {fmt::format("postconf -e 'myhostname = {}' && postfix reload", host)};
    }
    f.rules = {"RFC 5321 §4.1.4"};
    f.source = "Microsoft 5.7.506 (bad HELO)";
    findings.push_back(std::move(f));
  }

  // HELO-03: bounces and auto-replies (MAIL FROM:<>) are checked as postmaster@HELO.
  std::vector<std::string> failing;
  for (const EgressAddress& egress : input.egress) {
    auth::spf::SpfOutcome outcome = auth::spf::check_helo(resolver, egress.address, helo);
    if (outcome.result != auth::spf::SpfResult::pass) {
      failing.push_back(fmt::format("spf={} for EHLO {} from {}",
                                    auth::spf::result_name(outcome.result), helo,
                                    egress.address.to_string()));
    }
  }
  if (!failing.empty()) {
    Finding f = make_finding(
        "HELO-03", Severity::warn, helo,
        {"no passing SPF record for the HELO name", "HELO 名の SPF が通りません"}, "PTR");
    f.found = failing;
    f.why = {fmt::format("Bounces and auto-replies are sent with an empty envelope sender "
                         "(MAIL FROM:<>), and receivers then check SPF for postmaster@{} (RFC "
                         "7208 §2.4).",
                         helo),
             fmt::format("エラーメールや自動応答は空のエンベロープ送信者（MAIL FROM:<>）"
                         "で送られ、そのとき受信側は postmaster@{} について SPF "
                         "を確認します（RFC 7208 §2.4）。",
                         helo)};
    if (in_domain(helo, input.domain)) {
      f.fix.summary = {"Publish an SPF record for the HELO name:",
                       "HELO 名に SPF レコードを公開してください。"};
      f.fix.records_add = {txt_record(helo, "v=spf1 a -all")};
    }
    f.rules = {"RFC 7208 §2.3, §2.4"};
    findings.push_back(std::move(f));
  }
  return findings;
}

std::vector<Finding> check_tls(const DoctorInput& input) {
  std::vector<Finding> findings;
  if (!input.postfix) {
    return findings;
  }
  const std::string level = input.postfix->smtp_tls_security_level;
  const bool off = level.empty() || level == "none";
  Finding f = make_finding(
      "TLS-01", off ? Severity::fail : Severity::pass, "smtp_tls_security_level",
      off ? Localized{"Postfix does not use TLS when sending",
                      "Postfix は送信時に TLS を使っていません"}
          : Localized{fmt::format("Postfix uses STARTTLS when sending ({})", level),
                      fmt::format("Postfix は送信時に STARTTLS を使います（{}）", level)},
      "TLS");
  f.found = {"smtp_tls_security_level = " + level};
  f.why = {
      "Gmail requires a TLS connection from every sender and answers 4.7.29/5.7.29 "
      "otherwise.",
      "Gmail はすべての送信者に TLS 接続を求めており、満たさない場合は 4.7.29/5.7.29 "
      "で拒否します。"};
  f.fix.commands = {"postconf -e 'smtp_tls_security_level = may' && postfix reload"};
  f.source = "Google sender guidelines (all senders); Gmail 4.7.29/5.7.29";
  if (!off) {
    f.fix = {};
  }
  findings.push_back(std::move(f));
  return findings;
}

std::vector<Finding> check_ipv6_readiness(const DoctorInput& input,
                                          const std::vector<Finding>& findings) {
  std::vector<Finding> out;
  for (const EgressAddress& egress : input.egress) {
    if (egress.address.is_v4()) {
      continue;
    }
    const std::string ip = egress.address.to_string();
    std::vector<std::string> failed;
    for (const Finding& finding : findings) {
      // Gmail wants a PTR and SPF or DKIM over IPv6: an address-level failure, or a list
      // whose signatures cannot verify, both count.
      const bool dkim = finding.id.starts_with("DKIM-");
      if ((finding.subject == ip || dkim) && finding.severity == Severity::fail &&
          std::find(failed.begin(), failed.end(), finding.id) == failed.end()) {
        failed.push_back(finding.id);
      }
    }
    if (failed.empty()) {
      continue;
    }
    std::string ids;
    for (const std::string& id : failed) {
      ids += (ids.empty() ? "" : ", ") + id;
    }
    const std::string host = proposed_host_name(input);
    Finding f =
        make_finding("OUT-02", Severity::fail, ip,
                     {"IPv6 sending is not ready", "IPv6 での送信の準備ができていません"}, "OUT");
    f.found = {fmt::format("IPv6 egress {} fails {}", ip, ids)};
    f.why = {
        "Gmail and Microsoft require a reverse DNS name and passing SPF or DKIM from IPv6 "
        "senders (Gmail: 550 5.7.1 \"does not meet IPv6 sending guidelines\"; Microsoft: "
        "5.7.25, 4.7.26). Postfix with inet_protocols = all uses IPv6 whenever the "
        "receiver has an AAAA record.",
        "Gmail と Microsoft は、IPv6 の送信者に逆引きの名前と SPF または DKIM "
        "の通過を求めています（Gmail: 550 5.7.1「does not meet IPv6 sending "
        "guidelines」、Microsoft: 5.7.25, 4.7.26）。inet_protocols = all の Postfix "
        "は、受信側に AAAA レコードがあれば IPv6 を使います。"};
    f.fix.summary = {
        fmt::format("Either (a) fix the findings above for {}: PTR {} -> {} at your provider, "
                    "AAAA {} for {}, and ip6:{} in SPF; or (b) send over IPv4 only: postconf -e "
                    "'inet_protocols = ipv4' && postfix reload.",
                    ip, ip, host, ip, host, ip),
        fmt::format("(a) 上の {} についての指摘を直す（事業者側で PTR {} -> {}、{} に AAAA "
                    "{}、SPF に ip6:{}）か、(b) IPv4 だけで送る（postconf -e 'inet_protocols = "
                    "ipv4' && postfix reload）のどちらかを行ってください。",
                    ip, ip, host, host, ip, ip)};
    f.source = "Google sender guidelines; Gmail 550 5.7.1 (IPv6); Exchange Online 5.7.25/4.7.26";
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace cqlist::doctor
