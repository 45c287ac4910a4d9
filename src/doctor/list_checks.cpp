// doctor/list_checks.cpp: the list's own settings and its volume to the big providers.
#include <algorithm>

#include <fmt/format.h>

#include "auth/dmarc/discovery.hpp"
#include "doctor/auth_checks.hpp"
#include "doctor/texts.hpp"

namespace cqlist::doctor {
namespace {

// Google and Microsoft count 5,000 messages a day to their consumer mailboxes; warn a little
// before, because a bulk sender stays one for good (Google FAQ).
constexpr double kVolumeWarn = 4000;
// Poster domains looked up for LIST-01, most members first: bounded so a large list does not
// turn one doctor run into thousands of queries.
constexpr std::size_t kMaxPosterDomains = 20;

// Every finding here is about how a list behaves (checklist §4.0 "list").
Finding list_finding(std::string id, Severity severity, std::string subject, Localized title,
                     std::string_view group) {
  Finding finding =
      make_finding(std::move(id), severity, std::move(subject), std::move(title), group);
  finding.applies = Applies::list;
  return finding;
}

}  // namespace

const std::vector<std::string>& gmail_domains() {
  static const std::vector<std::string> domains{"gmail.com", "googlemail.com"};
  return domains;
}

const std::vector<std::string>& outlook_domains() {
  static const std::vector<std::string> domains{"outlook.com", "hotmail.com", "live.com",
                                                "msn.com",     "outlook.jp",  "hotmail.co.jp",
                                                "live.jp"};
  return domains;
}

double daily_volume_to(const ListFacts& list, const std::vector<std::string>& domains) {
  std::size_t members = 0;
  for (const std::string& domain : domains) {
    if (auto found = list.members_by_domain.find(domain); found != list.members_by_domain.end()) {
      members += found->second;
    }
  }
  return static_cast<double>(members) * list.posts_per_day;
}

std::vector<Finding> check_list(dns::Resolver& resolver, const DoctorInput& input) {
  std::vector<Finding> findings;
  if (!input.list) {
    return findings;
  }
  const ListFacts& list = *input.list;
  const bool modifies = list.subject_tag || list.footer;

  Severity list01 = Severity::pass;
  // LIST-01: a post keeps its author's From only if From is never rewritten.
  if (list.from_rewrite == "never") {
    std::vector<std::pair<std::size_t, std::string>> by_count;
    for (const auto& [domain, count] : list.members_by_domain) {
      by_count.emplace_back(count, domain);
    }
    std::sort(by_count.rbegin(), by_count.rend());
    std::vector<std::string> strict;
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < by_count.size() && i < kMaxPosterDomains; ++i) {
      const std::string& domain = by_count[i].second;
      auto policy = auth::dmarc::discover_policy(resolver, domain);
      // gmail.com publishes p=none but Google has announced quarantine and enforces against
      // spoofing already (checklist LIST-01), so it counts as strict whatever it publishes.
      auto listed = [&](const std::vector<std::string>& domains) {
        return std::find(domains.begin(), domains.end(), domain) != domains.end();
      };
      const bool enforcing =
          (policy.record && policy.record->policy != auth::dmarc::Policy::none) ||
          listed(list.rewrite_domains) || listed(gmail_domains());
      lines.push_back(fmt::format("{} members at {}: {}", by_count[i].first, domain,
                                  policy.record ? policy.record->text : "no DMARC record"));
      if (enforcing) {
        strict.push_back(domain);
      }
    }
    const Severity severity = !strict.empty() && modifies ? Severity::fail
                              : modifies                  ? Severity::warn
                                                          : Severity::info;
    std::string domains;
    for (const std::string& domain : strict) {
      domains += (domains.empty() ? "" : ", ") + domain;
    }
    Finding f = list_finding("LIST-01", severity, list.address,
                             {"the list keeps posters' From while changing their mail",
                              "投稿者の From を残したまま、メールを書き換えています"},
                             "LIST");
    f.found = {"from_rewrite = never",
               fmt::format("subject tag: {}, footer: {}", list.subject_tag ? "yes" : "no",
                           list.footer ? "yes" : "no")};
    f.found.insert(f.found.end(), lines.begin(), lines.end());
    f.why = {fmt::format("The subject tag and footer break the poster's DKIM signature, and the "
                         "list's own SPF and DKIM do not align with the poster's domain, so mail "
                         "from {} arrives with dmarc=fail and is quarantined or rejected "
                         "(Gmail 5.7.26 \"domain's DMARC policy\").",
                         domains.empty() ? "posters at strict domains" : domains),
             fmt::format("件名タグやフッターで投稿者の DKIM 署名が壊れ、リスト自身の SPF と DKIM "
                         "も投稿者のドメインとは揃わないため、{} からの投稿は dmarc=fail "
                         "となり、迷惑メール扱いや拒否になります（Gmail 5.7.26「domain's DMARC "
                         "policy」）。",
                         domains.empty() ? "ポリシーの厳しいドメインの投稿者" : domains)};
    f.fix.summary = {
        "Let cqlist rewrite From for domains that enforce DMARC (\"Name via list\" "
        "<list address>, the author in Reply-To):",
        "DMARC を適用しているドメインについては、cqlist に From を書き換えさせて"
        "ください（「名前 via リスト」<リストのアドレス>、投稿者は Reply-To "
        "に入ります）。"};
    f.fix.commands = {fmt::format("cqlist list set {} from_rewrite=when_needed", list.address)};
    f.rules = {"RFC 7960 §4.1.3", "RFC 9989"};
    f.source = "Gmail 5.7.26 (DMARC policy); Yahoo";
    list01 = severity;
    if (severity != Severity::info) {
      findings.push_back(std::move(f));
    }
  } else {
    findings.push_back(list_finding(
        "LIST-01", Severity::pass, list.address,
        {fmt::format("From is rewritten when needed (from_rewrite = {})", list.from_rewrite),
         fmt::format("必要なときは From を書き換えます（from_rewrite = {}）", list.from_rewrite)},
        "LIST"));
  }

  // LIST-02: what the list changes breaks the poster's signature; that matters wherever the
  // poster's From is kept, and blocks delivery together with LIST-01.
  if (modifies) {
    std::vector<std::string> en;
    std::vector<std::string> ja;
    if (list.subject_tag) {
      en.emplace_back("adds a tag to the Subject");
      ja.emplace_back("件名にタグを付け");
    }
    if (list.footer) {
      en.emplace_back("appends a footer to the body");
      ja.emplace_back("本文にフッターを付け");
    }
    const bool always_rewritten = list.from_rewrite == "always" || list.from_rewrite == "wrap";
    const Severity severity = list01 == Severity::fail ? Severity::fail
                              : always_rewritten       ? Severity::info
                                                       : Severity::warn;
    Finding f =
        list_finding("LIST-02", severity, list.address, texts::list_modifies_title(), "LIST");
    f.found = {fmt::format("subject tag: {}, footer: {}, from_rewrite = {}",
                           list.subject_tag ? "yes" : "no", list.footer ? "yes" : "no",
                           list.from_rewrite)};
    f.why = texts::list_modifies_why(
        en.size() == 2 ? en[0] + " and " + en[1] : en[0],
        ja.size() == 2 ? ja[0] + "、" + ja[1] + "ます" : ja[0] + "ます", severity == Severity::fail,
        !always_rewritten && list.from_rewrite != "never");
    if (severity != Severity::info) {
      const bool rewriting = list.from_rewrite != "never";
      f.fix.summary = texts::list_modifies_fix(rewriting);
      if (!rewriting) {
        f.fix.commands.push_back(
            fmt::format("cqlist list set {} from_rewrite=when_needed", list.address));
      }
      f.fix.commands.push_back(
          fmt::format("cqlist list set {} subject_tag=none footer=", list.address));
    }
    f.rules = {"RFC 6376 §3.5", "RFC 7960 §3.2.3"};
    f.source = "Google sender guidelines for forwarding and lists (175365)";
    findings.push_back(std::move(f));
  }

  // LIST-03: the envelope sender must be in the list's domain, or SPF is checked elsewhere.
  const std::string envelope = dns::normalize_name(list.envelope_domain);
  if (!envelope.empty() && envelope != dns::normalize_name(input.domain) &&
      !envelope.ends_with("." + dns::normalize_name(input.domain))) {
    Finding f = list_finding("LIST-03", Severity::fail, list.address,
                             {"envelope sender is not in the list's domain",
                              "エンベロープ送信者がリストのドメインではありません"},
                             "LIST");
    f.found = {"envelope domain " + envelope};
    f.why = {
        "SPF is checked for the envelope domain; the list's mail passes SPF and aligns "
        "with its From only when bounces go to an address in the list's own domain.",
        "SPF はエンベロープのドメインについて確認されます。エラーメールの宛先がリスト自身の"
        "ドメインにあるときだけ、SPF が通り From とも揃います。"};
    findings.push_back(std::move(f));
  }

  if (!list.list_id) {
    Finding f = list_finding("LIST-04", Severity::warn, list.address,
                             {"posts carry no List-Id", "投稿に List-Id がありません"}, "LIST");
    f.why = {"List-Id (RFC 2919) lets recipients and providers recognise list mail.",
             "List-Id（RFC 2919）があると、受信者や事業者がリストのメールだと分かります。"};
    findings.push_back(std::move(f));
  }

  // LIST-05: one-click unsubscribe is mandatory for bulk senders.
  const double gmail = daily_volume_to(list, gmail_domains());
  if (!list.one_click) {
    Finding f = list_finding(
        "LIST-05", gmail >= kVolumeWarn ? Severity::warn : Severity::info, list.address,
        {"no one-click unsubscribe", "ワンクリック配信停止がありません"}, "LIST");
    f.found = {"personalize = false or web_url is not https"};
    f.why = {
        "Gmail and Yahoo require RFC 8058 one-click unsubscribe (List-Unsubscribe-Post, "
        "DKIM-signed) from bulk senders; it also keeps members from pressing \"spam\".",
        "Gmail と Yahoo は大量送信者に RFC 8058 のワンクリック配信停止"
        "（List-Unsubscribe-Post、DKIM 署名付き）を求めています。メンバーが「迷惑メール」"
        "ボタンを押すことも減らせます。"};
    f.fix.commands = {fmt::format(
        "cqlist list set {} personalize=true web_url=https://YOUR-WEB-HOST/", list.address)};
    f.rules = {"RFC 8058"};
    f.source = "Google sender guidelines (bulk); Yahoo";
    findings.push_back(std::move(f));
  }
  return findings;
}

std::vector<Finding> check_volume(const DoctorInput& input) {
  std::vector<Finding> findings;
  if (!input.list) {
    return findings;
  }

  struct Provider {
    const char* id;
    const char* name;
    const std::vector<std::string>& domains;
    const char* code;
  };

  for (const Provider& provider :
       {Provider{"VOL-01", "Gmail", gmail_domains(), "Gmail 5.7.26 / 5.7.40"},
        Provider{"VOL-02", "Outlook.com", outlook_domains(), "Microsoft 5.7.515"}}) {
    const double volume = daily_volume_to(*input.list, provider.domains);
    const bool near = volume >= kVolumeWarn;
    Finding f =
        list_finding(provider.id, near ? Severity::warn : Severity::info, input.list->address,
                     {fmt::format("about {:.0f} messages a day to {}", volume, provider.name),
                      fmt::format("{} 宛ては 1 日あたり約 {:.0f} 通です", provider.name, volume)},
                     "VOL");
    f.applies = Applies::bulk;
    f.found = {fmt::format("peak {:.1f} posts/day x members at {}", input.list->posts_per_day,
                           provider.name)};
    f.why = near ? Localized{fmt::format("At 5,000 a day you are a bulk sender for {} (for "
                                         "good, at Google): SPF and DKIM, a DMARC record and "
                                         "one-click unsubscribe become mandatory.",
                                         provider.name),
                             fmt::format(
                                 "1 日 5,000 通に達すると {} "
                                 "の大量送信者となり（Google では取り消されません）、SPF "
                                 "と DKIM、DMARC レコード、ワンクリック配信停止が必須になります。",
                                 provider.name)}
                 : Localized{fmt::format("Below the 5,000 a day bulk-sender threshold of {}.",
                                         provider.name),
                             fmt::format("{} の大量送信者の基準（1 日 5,000 通）を下回っています。",
                                         provider.name)};
    f.source = provider.code;
    findings.push_back(std::move(f));
  }
  return findings;
}

}  // namespace cqlist::doctor
