// doctor/auth_checks.cpp: DKIM, DMARC and DNS hygiene findings.
#include "doctor/auth_checks.hpp"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "auth/dkim/key_record.hpp"
#include "auth/dkim/publish.hpp"
#include "auth/dmarc/discovery.hpp"
#include "base/strings.hpp"
#include "doctor/texts.hpp"

namespace cqlist::doctor {
namespace {

constexpr double kBulkThreshold = 5000;

std::string list_name(const DoctorInput& input) {
  return input.list ? input.list->address : "LIST@" + input.domain;
}

bool is_bulk(const DoctorInput& input) {
  return input.list && daily_volume_to(*input.list, gmail_domains()) >= kBulkThreshold;
}

}  // namespace

std::vector<Finding> check_dkim(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  if (input.dkim_keys.empty()) {
    Finding f =
        make_finding("DKIM-01", input.signing_known ? Severity::fail : Severity::warn, input.domain,
                     input.signing_known ? Localized{"the list does not DKIM-sign its mail",
                                                     "リストのメールに DKIM 署名がありません"}
                                         : Localized{"the DKIM key cqlist signs with is not known",
                                                     "cqlist が署名に使う DKIM 鍵が分かりません"},
                     "DKIM");
    f.found = {input.signing_known ? "dkim_key_rsa and dkim_key_ed25519 are not set"
                                   : "no --list and no --dkim-key given"};
    f.why = {
        "A list must sign every copy with its own domain: SPF breaks when members forward "
        "mail, and the poster's own signature breaks when the list adds its tag or "
        "footer. Gmail rejects mail with neither SPF nor DKIM passing (5.7.26) and bulk "
        "senders need both.",
        "リストは配信するすべてのメールに自分のドメインで署名する必要があります。"
        "メンバーが転送すると SPF は通らなくなり、リストが件名タグやフッターを付けると"
        "投稿者自身の署名も壊れるためです。Gmail は SPF も DKIM も通らないメールを "
        "5.7.26 で拒否し、大量送信者には両方を求めます。"};
    if (input.signing_known) {
      const std::string key = "/var/lib/cqlist/dkim/cqlist.pem";
      f.fix.summary = {
          "Make a 2048-bit RSA key, tell the list to sign with it, and publish the "
          "record that `cqlist dkim keygen` prints:",
          "2048 ビットの RSA 鍵を作り、リストがその鍵で署名するよう設定して、"
          "`cqlist dkim keygen` が表示するレコードを公開してください。"};
      f.fix.commands = {fmt::format("cqlist dkim keygen --domain {} --selector cqlist --out {}",
                                    input.domain, key),
                        fmt::format("cqlist list set {} dkim_selector_rsa=cqlist dkim_key_rsa={}",
                                    list_name(input), key)};
    } else {
      f.fix.summary = {
          "Run the doctor with --list LIST@DOMAIN, or name the key with --dkim-key "
          "SELECTOR:FILE.",
          "--list LIST@DOMAIN を付けて実行するか、--dkim-key SELECTOR:FILE "
          "で鍵を指定してください。"};
    }
    f.rules = {"RFC 6376"};
    f.source = "Google sender guidelines; Gmail 5.7.26 / 5.7.30";
    findings.push_back(std::move(f));
    return findings;
  }
  bool has_rsa = false;
  for (const DkimKey& key : input.dkim_keys) {
    has_rsa = has_rsa || key.key.type() == auth::crypto::KeyType::rsa;
    const std::string name = auth::dkim::key_record_name(key.selector, input.domain);
    const DnsRecord expected = txt_record(name, auth::dkim::key_record_text(key.key));
    dns::Answer answer = resolver.query(name, dns::RecordType::txt);
    std::vector<dns::TxtRecord> records = answer.all<dns::TxtRecord>();
    std::vector<std::string> found;
    for (const dns::TxtRecord& txt : records) {
      found.push_back(DnsRecord{name, answer.ttl, "TXT", txt.strings, false}.zone_line());
    }
    auto publish = [&](Finding& f) {
      f.fix.summary = {
          fmt::format("Publish the public half of {} under selector {}:", key.path, key.selector),
          fmt::format("{} の公開鍵をセレクタ {} で公開してください。", key.path, key.selector)};
      f.fix.records_add = {expected};
      for (const dns::TxtRecord& txt : records) {
        f.fix.records_remove.push_back(DnsRecord{name, answer.ttl, "TXT", txt.strings, false});
      }
      f.rules = {"RFC 6376 §3.6.1, §3.6.2"};
    };
    if (records.size() != 1) {
      Finding f = make_finding(
          "DKIM-02", Severity::fail, name,
          records.empty()
              ? Localized{"DKIM key record missing", "DKIM 鍵のレコードがありません"}
              : Localized{"more than one DKIM key record", "DKIM 鍵のレコードが複数あります"},
          "DKIM");
      f.found = records.empty()
                    ? std::vector<std::string>{texts::nothing_found(name, "TXT", answer.status)}
                    : found;
      f.why = {fmt::format("Receivers look up {} to verify the list's signatures; unless exactly "
                           "one usable record is there, every signature fails (dkim=permerror or "
                           "temperror), as if the mail were unsigned.",
                           name),
               fmt::format(
                   "受信側はリストの署名を検証するために {} "
                   "を引きます。使えるレコードが一つも無い（または複数ある）と、署名はすべて失敗し"
                   "（dkim=permerror など）、署名のないメールと同じ扱いになります。",
                   name)};
      publish(f);
      findings.push_back(std::move(f));
      continue;
    }
    auto parsed = auth::dkim::parse_key_record(records.front().joined());
    if (!parsed || parsed->revoked()) {
      Finding f =
          make_finding("DKIM-02", Severity::fail, name,
                       {"DKIM key record is not usable", "DKIM 鍵のレコードが使えません"}, "DKIM");
      f.found = found;
      const std::string problem =
          parsed ? "p= is empty: the key is revoked" : parsed.error().message();
      f.why = {fmt::format("The record cannot be used: {}. Every signature fails.", problem),
               fmt::format("このレコードは使えません（{}）。署名はすべて失敗します。", problem)};
      publish(f);
      findings.push_back(std::move(f));
      continue;
    }
    if (EVP_PKEY_eq(parsed->key->native(), key.key.native()) != 1) {
      Finding f = make_finding("DKIM-03", Severity::fail, name,
                               {"the key in DNS is not the key cqlist signs with",
                                "DNS の鍵が cqlist の署名鍵と一致しません"},
                               "DKIM");
      f.found = found;
      f.why = {fmt::format("The public key at {} does not belong to {}, so every signature "
                           "cqlist makes fails (dkim=fail). A rotated key was probably not "
                           "published.",
                           name, key.path),
               fmt::format("{} の公開鍵は {} と対になっていないため、cqlist "
                           "の署名はすべて失敗します（dkim=fail）。鍵を更新した後、"
                           "新しい鍵を公開していない可能性があります。",
                           name, key.path)};
      publish(f);
      findings.push_back(std::move(f));
      continue;
    }
    Finding ok = make_finding("DKIM-03", Severity::pass, name,
                              {fmt::format("the published key matches {}", key.path),
                               fmt::format("公開されている鍵は {} と一致します", key.path)},
                              "DKIM");
    findings.push_back(std::move(ok));
    if (key.key.type() == auth::crypto::KeyType::rsa && key.key.bits() < 2048) {
      const bool weak = key.key.bits() < 1024;
      Finding f = make_finding("DKIM-04", weak ? Severity::fail : Severity::warn, name,
                               {fmt::format("{}-bit RSA key", key.key.bits()),
                                fmt::format("RSA 鍵が {} ビットです", key.key.bits())},
                               "DKIM");
      f.why = {
          "RFC 8301 requires at least 1024 bits and recommends 2048; Gmail and Yahoo ask "
          "for 2048.",
          "RFC 8301 は 1024 ビット以上を必須とし 2048 ビットを推奨しています。Gmail と "
          "Yahoo も 2048 ビットを求めています。"};
      f.fix.commands = {fmt::format(
          "cqlist dkim keygen --domain {} --selector {}new --algorithm rsa2048 --out NEW.pem",
          input.domain, key.selector)};
      f.rules = {"RFC 8301 §3.2"};
      findings.push_back(std::move(f));
    }
    if (parsed->testing) {
      Finding f = make_finding(
          "DKIM-07", Severity::warn, name,
          {"key record is in testing mode (t=y)", "鍵のレコードがテストモード（t=y）です"}, "DKIM");
      f.found = found;
      f.why = {"With t=y receivers must treat the mail like unsigned mail (RFC 6376 §3.6.1).",
               "t=y があると、受信側は署名のないメールと同じに扱う決まりです（RFC 6376 "
               "§3.6.1）。"};
      publish(f);
      findings.push_back(std::move(f));
    }
  }
  if (!has_rsa) {
    Finding f = make_finding("DKIM-06", Severity::warn, input.domain,
                             {"Ed25519 signature only", "Ed25519 の署名しかありません"}, "DKIM");
    f.why = {
        "Many receivers cannot verify Ed25519 yet and treat such mail as unsigned; sign "
        "with RSA as well.",
        "Ed25519 をまだ検証できない受信側が多く、その場合は署名なしと同じ扱いになります。"
        "RSA でも署名してください。"};
    f.rules = {"RFC 8463"};
    findings.push_back(std::move(f));
  }
  return findings;
}

std::vector<Finding> check_dmarc(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  auth::dmarc::PolicyDiscovery found = auth::dmarc::discover_policy(resolver, input.domain);
  std::vector<std::string> lines;
  for (const auth::dmarc::WalkStep& step : found.steps) {
    lines.push_back(fmt::format("{}: {}", step.name, step.outcome));
  }
  const std::string name = "_dmarc." + dns::normalize_name(input.domain);
  if (found.status != auth::dmarc::DiscoveryStatus::found) {
    const bool two = std::any_of(found.steps.begin(), found.steps.end(), [](const auto& step) {
      return step.outcome.find("DMARC records") != std::string::npos;
    });
    const bool failed = found.status == auth::dmarc::DiscoveryStatus::temperror;
    Finding f =
        make_finding(two ? "DMARC-02" : "DMARC-01",
                     two || is_bulk(input) ? Severity::fail : Severity::warn, input.domain,
                     two ? Localized{"more than one DMARC record", "DMARC レコードが複数あります"}
                     : failed ? Localized{"DMARC record could not be looked up",
                                          "DMARC レコードを確認できませんでした"}
                              : Localized{"no DMARC record", "DMARC レコードがありません"},
                     "DMARC");
    f.found = lines;
    f.why = {
        "Gmail, Yahoo and Microsoft require a DMARC record from bulk senders (Gmail "
        "5.7.40), and p=none is enough. It also lets you receive reports on who sends as "
        "your domain.",
        "Gmail、Yahoo、Microsoft は大量送信者に DMARC レコードを求めており（Gmail "
        "5.7.40）、p=none で足ります。あなたのドメインを名乗って誰が送っているかの"
        "レポートも受け取れるようになります。"};
    f.fix.summary = {fmt::format("Publish one DMARC record (create the mailbox dmarc-reports@{} "
                                 "or change the rua address):",
                                 input.domain),
                     fmt::format("DMARC レコードを一つ公開してください（dmarc-reports@{} "
                                 "のメールボックスを作るか、rua のアドレスを変えてください）。",
                                 input.domain)};
    f.fix.records_add = {
        txt_record(name, fmt::format("v=DMARC1; p=none; rua=mailto:dmarc-reports@{}",
                                     dns::normalize_name(input.domain)))};
    f.rules = {"RFC 9989 §4.10", "RFC 7489 §6.6.3"};
    f.source = "Gmail 4.7.40/5.7.40; Yahoo, Microsoft bulk sender rules";
    findings.push_back(std::move(f));
  } else {
    const auth::dmarc::Record& record = *found.record;
    Finding ok =
        make_finding("DMARC-01", Severity::pass, found.record_domain,
                     {fmt::format("DMARC record found at _dmarc.{}", found.record_domain),
                      fmt::format("_dmarc.{} に DMARC レコードがあります", found.record_domain)},
                     "DMARC");
    findings.push_back(std::move(ok));
    // Tags RFC 9989 removed are DMARC-04's (INFO, record_checks.cpp), not a problem here.
    std::vector<std::string> record_problems;
    std::copy_if(record.problems.begin(), record.problems.end(),
                 std::back_inserter(record_problems), [](const std::string& problem) {
                   return problem.find("was removed by RFC 9989") == std::string::npos;
                 });
    if (!record.policy_given || !record_problems.empty()) {
      Finding f =
          make_finding("DMARC-03", Severity::warn, found.record_domain,
                       {"DMARC record has problems", "DMARC レコードに問題があります"}, "DMARC");
      f.found = {record.text};
      std::string problems;
      for (const std::string& problem : record_problems) {
        problems += (problems.empty() ? "" : "; ") + problem;
      }
      if (!record.policy_given) {
        problems += std::string(problems.empty() ? "" : "; ") + "no p= tag";
      }
      f.why = {
          fmt::format("{}. Receivers still following RFC 7489 ignore a record without p=.",
                      problems),
          fmt::format("{}。RFC 7489 に従う受信側は p= のないレコードを無視します。", problems)};
      f.rules = {"RFC 9989 §4.7", "RFC 7489 §6.3"};
      findings.push_back(std::move(f));
    }
    // DMARC-06: a report address in another domain must be authorized by that domain.
    for (const std::string& uri : record.aggregate_report_uris) {
      const std::size_t at = uri.rfind('@');
      if (!istarts_with(uri, "mailto:") || at == std::string::npos) {
        continue;
      }
      std::string rua_domain = dns::normalize_name(uri.substr(at + 1));
      rua_domain = rua_domain.substr(0, rua_domain.find('!'));
      if (auth::dmarc::organizational_domain(resolver, rua_domain).domain ==
          found.organizational_domain) {
        continue;
      }
      const std::string authorization = found.record_domain + "._report._dmarc." + rua_domain;
      dns::Answer answer = resolver.query(authorization, dns::RecordType::txt);
      const auto texts = answer.all<dns::TxtRecord>();
      const bool authorized = std::any_of(texts.begin(), texts.end(), [](const auto& txt) {
        return istarts_with(txt.joined(), "v=DMARC1");
      });
      if (!authorized) {
        Finding f = make_finding("DMARC-06", Severity::warn, found.record_domain,
                                 {"report address in another domain is not authorized",
                                  "別ドメインのレポート宛先が許可されていません"},
                                 "DMARC");
        f.found = {record.text, texts::nothing_found(authorization, "TXT v=DMARC1", answer.status)};
        f.why = {fmt::format("Receivers send aggregate reports to {} only if {} publishes {} "
                             "(RFC 7489 §7.1); without it you get no reports.",
                             uri, rua_domain, authorization),
                 fmt::format("{} にレポートが送られるのは、{} が {} を公開している場合だけです"
                             "（RFC 7489 §7.1）。公開されていないとレポートは届きません。",
                             uri, rua_domain, authorization)};
        f.fix.summary = {
            fmt::format("Ask the operator of {} to publish:", rua_domain),
            fmt::format("{} の管理者に次のレコードを公開してもらってください。", rua_domain)};
        f.fix.records_add = {txt_record(authorization, "v=DMARC1")};
        f.rules = {"RFC 7489 §7.1", "RFC 9990 §3.2.3"};
        findings.push_back(std::move(f));
      }
    }
    if (record.aggregate_report_uris.empty()) {
      Finding f = make_finding(
          "DMARC-05", Severity::info, found.record_domain,
          {"no aggregate reports (rua)", "集計レポート（rua）の宛先がありません"}, "DMARC");
      f.found = {record.text};
      f.why = {
          "With rua=mailto:... receivers send daily reports of who sends as your domain "
          "and whether it passed; Yahoo strongly recommends it.",
          "rua=mailto:... を付けると、受信側があなたのドメインを名乗る送信とその認証結果を"
          "毎日レポートしてくれます。Yahoo も強く推奨しています。"};
      f.rules = {"RFC 9990"};
      findings.push_back(std::move(f));
    }
    if (record.policy == auth::dmarc::Policy::none) {
      Finding f = make_finding("DMARC-10", Severity::info, found.record_domain,
                               {"policy is p=none", "ポリシーは p=none です"}, "DMARC");
      f.found = {record.text};
      f.why = {
          "p=none is accepted by Google, Yahoo and Microsoft. Move to p=quarantine once "
          "the reports show all list mail aligned.",
          "p=none でも Google、Yahoo、Microsoft の要件は満たします。レポートでリストの"
          "メールがすべて揃っている（aligned）ことを確認できたら p=quarantine "
          "に進めてください。"};
      findings.push_back(std::move(f));
    }
  }
  // DMARC-07: the list's envelope and DKIM domains against the From domain it writes.
  const std::string envelope = dns::normalize_name(input.envelope_domain());
  const std::string from = dns::normalize_name(input.domain);
  const bool strict = found.record && found.record->spf_alignment == auth::dmarc::Alignment::strict;
  bool spf_aligned = envelope == from;
  if (!spf_aligned && !strict) {
    spf_aligned = auth::dmarc::organizational_domain(resolver, envelope).domain ==
                  auth::dmarc::organizational_domain(resolver, from).domain;
  }
  const bool dkim_aligned = !input.dkim_keys.empty();
  Finding align =
      make_finding("DMARC-07", spf_aligned || dkim_aligned ? Severity::pass : Severity::fail, from,
                   spf_aligned || dkim_aligned
                       ? Localized{"the list's SPF or DKIM domain aligns with its From",
                                   "リストの SPF または DKIM のドメインが From と揃っています"}
                       : Localized{"nothing the list sends can align with its From",
                                   "リストの送信内容が From と揃いません"},
                   "DMARC");
  align.found = {fmt::format("envelope domain {}, DKIM d={}, From domain {}", envelope,
                             input.dkim_keys.empty() ? "(none)" : from, from)};
  align.why = {fmt::format("DMARC passes only when SPF passes for a domain aligned with the From "
                           "domain, or DKIM passes with d= aligned with it. Use a bounce "
                           "address in {} and sign with d={}.",
                           from, from),
               fmt::format("DMARC は、From と揃ったドメインで SPF が通るか、From と揃った d= の "
                           "DKIM が通るときにだけ通ります。エラーメールの宛先を {} "
                           "のアドレスにし、d={} で署名してください。",
                           from, from)};
  align.rules = {"RFC 9989 §4.4", "RFC 7489 §3.1"};
  align.source = "Gmail 4.7.32/5.7.32";
  findings.push_back(std::move(align));
  return findings;
}

std::vector<Finding> check_dns(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  const std::string domain = dns::normalize_name(input.domain);
  dns::Answer mx = resolver.query(domain, dns::RecordType::mx);
  if (mx.status == dns::Status::nxdomain) {
    Finding f =
        make_finding("DNS-01", Severity::fail, domain,
                     {"the list domain does not exist", "リストのドメインが存在しません"}, "DNS");
    f.found = {texts::nothing_found(domain, "MX", mx.status)};
    f.why = {
        "Receivers refuse mail whose envelope or From domain does not resolve (Yahoo: "
        "\"unresolvable RFC.5321 domain\").",
        "エンベロープや From のドメインが引けないメールは拒否されます（Yahoo: "
        "「unresolvable RFC.5321 domain」）。"};
    findings.push_back(std::move(f));
    return findings;
  }
  const auto exchanges = mx.all<dns::MxRecord>();
  const bool null_mx = std::any_of(exchanges.begin(), exchanges.end(), [](const auto& record) {
    return record.exchange.empty() || record.exchange == ".";
  });
  if (null_mx) {
    Finding f =
        make_finding("DNS-02", Severity::fail, domain,
                     {"null MX on the sending domain", "送信ドメインに null MX があります"}, "DNS");
    f.found = {fmt::format("{}. IN MX 0 .", domain)};
    f.why = {
        "A null MX (RFC 7505) says the domain takes no mail, so bounces and replies cannot "
        "come back; Yahoo rejects mail from such domains.",
        "null MX（RFC 7505）はこのドメインがメールを受け取らないという宣言なので、"
        "エラーメールや返信が戻れません。Yahoo はこうしたドメインからのメールを拒否します。"};
    f.fix.summary = {
        fmt::format("Replace it with the host that receives mail for {}:", domain),
        fmt::format("{} のメールを受け取るホストの MX に置き換えてください。", domain)};
    f.fix.records_remove = {DnsRecord{domain, mx.ttl, "MX", {"0 ."}, false}};
    f.fix.records_add = {
        DnsRecord{domain, 3600, "MX", {"10 " + proposed_host_name(input) + "."}, false}};
    f.rules = {"RFC 7505"};
    findings.push_back(std::move(f));
  } else if (exchanges.empty() && mx.ok() == false) {
    Finding f = make_finding("DNS-02", Severity::info, domain,
                             {"no MX record", "MX レコードがありません"}, "DNS");
    f.found = {texts::nothing_found(domain, "MX", mx.status)};
    f.why = {
        "Without an MX, bounces and replies go to the domain's A/AAAA address; an MX makes "
        "it explicit.",
        "MX がないと、エラーメールや返信はドメインの A/AAAA "
        "のアドレスに届きます。MX を置くと受け取り先がはっきりします。"};
    findings.push_back(std::move(f));
  }
  // DNS-03: what a validating receiver makes of the records that matter.
  std::vector<std::string> bogus;
  bool secure = true;
  for (const auto& [name, type] : {std::pair{domain, dns::RecordType::txt},
                                   std::pair{"_dmarc." + domain, dns::RecordType::txt},
                                   std::pair{domain, dns::RecordType::mx}}) {
    dns::Answer answer = resolver.query(name, type);
    if (answer.security == dns::Security::bogus) {
      bogus.push_back(
          fmt::format("{} {}: bogus {}", name, dns::record_type_name(type), answer.problem));
    }
    secure = secure && answer.security == dns::Security::secure;
  }
  if (!bogus.empty()) {
    Finding f = make_finding(
        "DNS-03", Severity::fail, domain,
        {"DNSSEC validation fails (bogus)", "DNSSEC の検証に失敗しています（bogus）"}, "DNS");
    f.found = bogus;
    f.why = {
        "Validating receivers get SERVFAIL for these names and treat SPF/DKIM/DMARC as "
        "temporary errors (Gmail 451 4.7.26 \"temporary DNS failures\"). Re-sign the zone "
        "or fix the DS record at the registrar.",
        "DNSSEC を検証する受信側ではこれらの名前が SERVFAIL になり、SPF/DKIM/DMARC "
        "は一時エラー扱いになります（Gmail 451 4.7.26「temporary DNS "
        "failures」）。ゾーンを署名し直すか、レジストラの DS レコードを直してください。"};
    f.rules = {"RFC 4033-4035"};
    findings.push_back(std::move(f));
  } else if (!secure) {
    Finding f = make_finding(
        "DNS-03", Severity::info, domain,
        {"zone is not signed with DNSSEC", "ゾーンは DNSSEC で署名されていません"}, "DNS");
    f.why = {"Not required by any mailbox provider; it protects your records from forgery.",
             "メール事業者の必須要件ではありませんが、レコードの偽造を防げます。"};
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace cqlist::doctor
