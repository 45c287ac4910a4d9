// doctor/texts_records.cpp: the sentences of the record-level checks (record_checks.hpp):
// SPF-14/15, DMARC-04/08/09, DNS-04/05, TLS-04/05/06, REP-01/02.
#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "doctor/texts.hpp"

namespace cqlist::doctor::texts {
namespace {

struct Unit {
  std::uint32_t seconds;
  const char* en_one;
  const char* en_many;
  const char* ja;
};

constexpr Unit kUnits[] = {{86400, "day", "days", "日"},
                           {3600, "hour", "hours", "時間"},
                           {60, "minute", "minutes", "分"},
                           {1, "second", "seconds", "秒"}};

// What the list's mail rests on when one alignment mode is out of reach.
const char* other_method(const std::string& tag) {
  return tag == "aspf" ? "DKIM" : "SPF";
}

}  // namespace

// SPF-14.

Localized spf_type99_title(bool present) {
  if (!present) {
    return {"no obsolete SPF (type 99) record",
            "廃止された SPF 型（タイプ 99）のレコードはありません"};
  }
  return {"obsolete SPF (type 99) record published",
          "廃止された SPF 型（タイプ 99）のレコードが公開されています"};
}

Localized spf_type99_why() {
  return {
      "RFC 7208 §3.1 retired the SPF record type (99): receivers read SPF only from TXT "
      "records, so this record is never used. It does no harm by itself, but it is a second "
      "copy that drifts out of step with the TXT record, and checkers report it.",
      "RFC 7208 §3.1 で SPF 専用のレコード型（タイプ 99）は廃止され、受信側は TXT "
      "レコードだけを読みます。このレコードが使われることはありません。それ自体に害は"
      "ありませんが、TXT レコードと内容がずれていく二つ目の写しになり、検査ツールにも"
      "指摘されます。"};
}

Localized spf_type99_fix() {
  return {"Remove the type-99 record in your DNS provider's panel and keep the TXT record.",
          "DNS 事業者の管理画面でタイプ 99 のレコードを削除してください。TXT "
          "レコードはそのまま残します。"};
}

// SPF-15.

Localized spf_dynamic_title(bool present) {
  if (!present) {
    return {"no SPF macros or exists terms", "SPF にマクロや exists はありません"};
  }
  return {"SPF terms that depend on the connecting address (macros, exists)",
          "接続元によって結果が変わる SPF の項目（マクロ、exists）があります"};
}

Localized spf_dynamic_why() {
  return {
      "Macros such as %{i} are filled in with the connecting address and the sender when a "
      "receiver evaluates the record (RFC 7208 §7), and exists asks DNS whether a name built "
      "that way exists. Reading the record cannot tell what these terms authorize, so the "
      "doctor judges them only by evaluating the record with each real egress address "
      "(SPF-07, SPF-08).",
      "%{i} などのマクロは、受信側がレコードを評価するときに接続元のアドレスや送信者で"
      "置き換えられます（RFC 7208 §7）。exists は、そうして作った名前が DNS "
      "に存在するかを問い合わせます。レコードを読むだけではこれらの項目が何を許可するか"
      "分からないため、doctor は実際の送信元アドレスごとにレコードを評価した結果"
      "（SPF-07、SPF-08）だけで判断しています。"};
}

Localized spf_dynamic_fix() {
  return {
      "Nothing to change while SPF-07 and SPF-08 pass. If the record is yours and the terms "
      "are not needed, list the addresses with ip4:/ip6: instead.",
      "SPF-07 と SPF-08 が通っていれば変更は不要です。ご自分で管理しているレコードで、"
      "これらの項目が不要であれば、代わりに ip4:/ip6: でアドレスを並べてください。"};
}

// DMARC-04.

Localized dmarc_removed_title(const std::string& tags) {
  if (tags.empty()) {
    return {"no tags removed by RFC 9989", "RFC 9989 で廃止されたタグはありません"};
  }
  return {fmt::format("DMARC record uses tags RFC 9989 removed ({})", tags),
          fmt::format("DMARC レコードに RFC 9989 で廃止されたタグがあります（{}）", tags)};
}

Localized dmarc_removed_why(bool pct) {
  Localized why{
      "RFC 9989, which replaces RFC 7489, removed pct=, rf= and ri=; receivers that follow it "
      "ignore them.",
      "RFC 7489 に代わる RFC 9989 で pct=、rf=、ri= は廃止され、新しい規格に従う受信側は"
      "これらを無視します。"};
  if (pct) {
    why.en +=
        " pct= no longer applies the policy to part of the mail: newer receivers apply p= to "
        "all of it while older ones still sample. To try a stricter policy, use t=y (testing) "
        "instead: receivers then apply one step less than p= to all mail.";
    why.ja +=
        "pct= で一部のメールにだけポリシーを適用することはできなくなり、新しい受信側は "
        "p= をすべてのメールに適用し、古い受信側だけが一部に適用します。より厳しいポリシーを"
        "試すときは、代わりに t=y（テストモード）を使ってください。受信側はすべてのメールに "
        "p= より一段階ゆるいポリシーを適用します。";
  }
  return why;
}

Localized dmarc_removed_fix(const std::string& partial_pct) {
  if (!partial_pct.empty()) {
    return {fmt::format("Replace the record with this one (removed tags dropped, t=y in place "
                        "of pct={}):",
                        partial_pct),
            fmt::format("廃止されたタグを除き、pct={} の代わりに t=y "
                        "を付けた次のレコードに置き換えてください。",
                        partial_pct)};
  }
  return {"Replace the record with this one (removed tags dropped):",
          "廃止されたタグを除いた次のレコードに置き換えてください。"};
}

// DMARC-08.

Localized dmarc_strict_title(const std::string& tag, const std::string& identifier,
                             const std::string& from) {
  if (tag.empty()) {
    return {fmt::format("alignment modes fit the list's domains (From {})", from),
            fmt::format("アラインメントの設定はリストのドメインと合っています（From {}）", from)};
  }
  return {fmt::format("{}=s: {} can never align with {}", tag, identifier, from),
          fmt::format("{}=s のため、{} は From の {} と揃いません", tag, identifier, from)};
}

Localized dmarc_strict_why(const std::string& tag, const std::string& identifier,
                           const std::string& from, const std::string& policy) {
  const bool spf = tag == "aspf";
  return {fmt::format("With {}=s, DMARC counts {} only when its domain is exactly the From "
                      "domain {} (RFC 7489 §3.1, RFC 9989 §4.4). {} belongs to the same "
                      "organization but is not identical, so a passing {} never helps DMARC: "
                      "the list's mail passes DMARC through {} alone, and whenever {} breaks "
                      "receivers apply p={}.",
                      tag, spf ? "SPF" : "a DKIM signature", from, identifier, spf ? "SPF" : "DKIM",
                      other_method(tag), other_method(tag), policy),
          fmt::format("{}=s のとき、DMARC は{}のドメインが From のドメイン {} "
                      "と完全に一致する場合しか認めません（RFC 7489 §3.1、RFC 9989 §4.4）。{} "
                      "は同じ組織のドメインですが一致しないため、{} が通っても DMARC "
                      "には役立ちません。リストのメールは {} だけで DMARC を通ることになり、{} "
                      "が壊れると受信側は p={} を適用します。",
                      tag, spf ? " SPF " : " DKIM 署名", from, identifier, spf ? "SPF" : "DKIM",
                      other_method(tag), other_method(tag), policy)};
}

Localized dmarc_strict_fix(const std::string& tag, const std::string& from) {
  const bool spf = tag == "aspf";
  return {fmt::format("Either drop {}=s (relaxed alignment, the default, is enough for most "
                      "domains) or {}. The record without {}=s:",
                      tag,
                      spf ? fmt::format("give the list a bounce address directly in {}", from)
                          : fmt::format("sign with d={}", from),
                      tag),
          fmt::format(
              "{}=s を外す（既定の relaxed で多くのドメインには十分です）か、{}"
              "。{}=s を外したレコードは次のとおりです。",
              tag,
              spf ? fmt::format("リストのバウンスアドレスを {} 直下のアドレスにしてください", from)
                  : fmt::format("d={} で署名してください", from),
              tag)};
}

// DMARC-09.

Localized dmarc_subdomain_title(bool weaker) {
  if (!weaker) {
    return {"sp= and np= are no weaker than p=", "sp= と np= は p= よりゆるくありません"};
  }
  return {"sp= or np= is weaker than p=", "sp= または np= が p= よりゆるくなっています"};
}

Localized dmarc_subdomain_why(const std::string& record_domain, const std::string& list_domain,
                              const std::string& list_policy) {
  Localized why{
      fmt::format("sp= is the policy for subdomains of {0} and np= the one for names below it "
                  "that do not exist (RFC 9989 §4.7; np= falls back to sp=, sp= to p=). A weaker "
                  "value there lets anyone send as, for example, anything.{0} while {0} itself "
                  "is protected, and forgers pick such names on purpose.",
                  record_domain),
      fmt::format("sp= は {0} のサブドメインに、np= はその下の存在しない名前に適用するポリシー"
                  "です（RFC 9989 §4.7。np= を省略すると sp= が、sp= を省略すると p= "
                  "が使われます）。ここがゆるいと、{0} 自体は守られていても、たとえば anything.{0} "
                  "を名乗るメールは誰でも送れてしまいます。なりすましをする側は、そうした名前を"
                  "わざと選びます。",
                  record_domain)};
  if (!list_policy.empty()) {
    why.en += fmt::format(" The list's own domain {} is such a subdomain: its mail gets sp={}.",
                          list_domain, list_policy);
    why.ja += fmt::format(
        "リスト自身のドメイン {} もこのサブドメインにあたり、そのメールには "
        "sp={} が適用されます。",
        list_domain, list_policy);
  }
  return why;
}

Localized dmarc_subdomain_fix() {
  return {
      "Unless a subdomain really sends mail that does not align yet, drop the weaker tags "
      "so that subdomains follow p=:",
      "まだ揃っていないメールを送るサブドメインが実際にあるのでなければ、ゆるいタグを外して"
      "サブドメインにも p= を適用してください。"};
}

// DNS-04.

Localized ns_agree_title(std::size_t servers, const std::vector<std::string>& whats) {
  std::string en;
  std::string ja;
  for (std::size_t i = 0; i < whats.size(); ++i) {
    en += (i == 0 ? "" : i + 1 == whats.size() ? " and " : ", ") + whats[i];
    ja += (i == 0 ? "" : "、") + whats[i];
  }
  return {fmt::format("all {} name servers serve the same {} records", servers, en),
          fmt::format("{} 台のネームサーバーはすべて同じ {} レコードを返しています", servers, ja)};
}

Localized ns_differs_title(const std::string& server, const std::string& address,
                           const std::string& what, bool answered) {
  if (!answered) {
    return {fmt::format("{} ({}) did not answer for the {} record", server, address, what),
            fmt::format("{}（{}）は {} レコードの問い合わせに応答しません", server, address, what)};
  }
  return {fmt::format("{} ({}) serves a different {} record from the other name servers", server,
                      address, what),
          fmt::format("{}（{}）はほかのネームサーバーと異なる {} レコードを返しています", server,
                      address, what)};
}

Localized ns_differs_why(const std::string& server, const std::string& what,
                         std::uint32_t newest_serial, std::uint32_t serial) {
  Localized why{
      fmt::format("Receivers' resolvers ask any one of the zone's name servers and believe its "
                  "answer. Until {0} serves the same {1} record as the others, the receivers "
                  "that happen to ask it see a different record from those that ask the "
                  "others, so the same mail can pass at one receiver and fail at the next. "
                  "Usually a secondary server did not transfer the latest zone from the "
                  "primary, or the record was edited at only one of two DNS providers.",
                  server, what),
      fmt::format("受信側のリゾルバはゾーンのネームサーバーのどれか一台に問い合わせ、その回答を"
                  "そのまま使います。{0} がほかのサーバーと同じ {1} レコードを返すようになる"
                  "までは、{0} に問い合わせた受信側だけが異なるレコードを見るため、同じメールが"
                  "ある受信側では通り、別の受信側では失敗することがあります。よくある原因は、"
                  "セカンダリサーバーがプライマリから最新のゾーンを転送できていないことや、"
                  "二つの DNS 事業者の一方でだけレコードを変更したことです。",
                  server, what)};
  if (newest_serial != 0) {
    why.en += fmt::format(
        " Its SOA serial {} is lower than {} on another server: it has not loaded the latest "
        "version of the zone.",
        serial, newest_serial);
    why.ja += fmt::format(
        "このサーバーの SOA シリアル {} はほかのサーバーの {} より小さく、最新のゾーンを"
        "読み込んでいません。",
        serial, newest_serial);
  }
  return why;
}

Localized ns_differs_fix(const std::string& server) {
  return {fmt::format("Make {0} serve the same records as the others. If it is a secondary, "
                      "check that it receives the zone from the primary: the primary must allow "
                      "zone transfers to it and notify it, its SOA serial must match the "
                      "primary's after a change, and its log says why a transfer failed. If the "
                      "zone is kept at two DNS providers, make the same change at both. If it is "
                      "the other servers that serve the outdated record, correct those instead.",
                      server),
          fmt::format("{0} がほかのサーバーと同じレコードを返すようにしてください。セカンダリの"
                      "場合は、プライマリからゾーンを受け取れているか確認してください。プライマリ"
                      "がこのサーバーへのゾーン転送を許可して変更を通知していること、変更後に "
                      "SOA シリアルがプライマリと一致することを確かめ、転送に失敗した理由はこの"
                      "サーバーのログで確認できます。ゾーンを二つの DNS 事業者で管理している場合"
                      "は、両方で同じ変更をしてください。古いレコードを返しているのがほかの"
                      "サーバーの方であれば、そちらを直してください。",
                      server)};
}

Localized ns_silent_title(const std::string& server) {
  return {fmt::format("name server {} did not answer", server),
          fmt::format("ネームサーバー {} から応答がありません", server)};
}

Localized ns_silent_why(bool no_address) {
  Localized why{
      "Resolvers ask any one of the zone's name servers. One that does not answer makes them "
      "wait and try another; when lookups keep running into it, SPF, DKIM or DMARC end in a "
      "temporary error and receivers defer the mail (Gmail: 451 4.7.26 \"temporary DNS "
      "failures\").",
      "リゾルバはゾーンのネームサーバーのどれか一台に問い合わせます。応答しないサーバーが"
      "あると、リゾルバは待たされてから別のサーバーに問い合わせ直します。これが重なると SPF、"
      "DKIM、DMARC の確認が一時エラーで終わり、受信側はメールの受け取りを後回しにします"
      "（Gmail の 451 4.7.26「temporary DNS failures」）。"};
  if (no_address) {
    why.en += " This server's name has no address, so no resolver can reach it at all.";
    why.ja += "このサーバーの名前にはアドレスがないため、どのリゾルバも問い合わせられません。";
  } else {
    why.en +=
        " The other name servers answered this host, so a firewall here is an unlikely reason.";
    why.ja +=
        "ほかのネームサーバーはこのホストに応答したため、こちら側のファイアウォールが"
        "原因である可能性は低いと考えられます。";
  }
  return why;
}

Localized ns_silent_fix(const std::string& server, const std::string& zone) {
  return {fmt::format("Check that {} is running and serves the zone {}. If it is no longer in "
                      "use, remove it from the zone's NS records and from the name servers set "
                      "at your domain registrar.",
                      server, zone),
          fmt::format("{} が動いていて、ゾーン {} を提供しているか確認してください。"
                      "使っていないサーバーであれば、ゾーンの NS レコードと、ドメインの登録"
                      "事業者に設定したネームサーバーの両方から削除してください。",
                      server, zone)};
}

Localized ns_unchecked_title() {
  return {"name servers not compared", "ネームサーバー同士の比較はできませんでした"};
}

Localized ns_unchecked_why(bool servers_found) {
  if (!servers_found) {
    return {
        "No NS records were found for the domain, so the doctor cannot ask its name servers "
        "directly whether they all serve the same SPF, DKIM and DMARC records.",
        "このドメインの NS レコードが見つからなかったため、ネームサーバーに直接問い合わせて"
        "すべてが同じ SPF、DKIM、DMARC レコードを返しているかを確かめることができません"
        "でした。"};
  }
  return {
      "None of the zone's name servers answered this host, so the doctor cannot tell "
      "whether they all serve the same SPF, DKIM and DMARC records. Outgoing DNS from this "
      "host may be blocked (only the local resolver allowed): run the commands below from "
      "another host.",
      "ゾーンのネームサーバーがどれもこのホストに応答しなかったため、すべてが同じ SPF、"
      "DKIM、DMARC レコードを返しているかを確かめられませんでした。このホストからの DNS "
      "の通信が制限されている（ローカルのリゾルバしか使えない）可能性があります。"
      "別のホストから次のコマンドを実行してください。"};
}

Localized ns_verify(const std::vector<std::string>& commands, bool compare) {
  std::string list;
  for (const std::string& command : commands) {
    list += (list.empty() ? "" : "; ") + command;
  }
  return {fmt::format("{} ({}), then cqlist doctor --only DNS", list,
                      compare ? "every server must print the same" : "each must answer"),
          fmt::format("{}（{}）、その後 cqlist doctor --only DNS を実行してください", list,
                      compare ? "すべてのサーバーが同じ内容を返すこと" : "それぞれ応答があること")};
}

// DNS-05.

Localized ttl_span(std::uint32_t seconds) {
  for (const Unit& unit : kUnits) {
    if (seconds >= unit.seconds && seconds % unit.seconds == 0) {
      const std::uint32_t count = seconds / unit.seconds;
      return {fmt::format("{} {}", count, count == 1 ? unit.en_one : unit.en_many),
              fmt::format("{} {}", count, unit.ja)};
    }
  }
  return {fmt::format("{} seconds", seconds), fmt::format("{} 秒", seconds)};
}

Localized ttl_title(std::uint32_t longest, bool long_lived) {
  const Localized span = ttl_span(longest);
  if (!long_lived) {
    return {fmt::format("TTLs are short: a changed record reaches receivers within {}", span.en),
            fmt::format("TTL は短く、変更したレコードは {} 以内に受信側へ届きます", span.ja)};
  }
  return {fmt::format("a changed record can take up to {} to reach receivers", span.en),
          fmt::format("変更したレコードが受信側へ届くまで最大 {} かかります", span.ja)};
}

Localized ttl_why(std::uint32_t longest) {
  const Localized span = ttl_span(longest);
  return {fmt::format("Resolvers keep an answer for its TTL. After you change one of these "
                      "records, receivers may see the old record for up to {} (TTL {}), so a "
                      "fix printed here takes that long to work everywhere. The TTLs are what "
                      "your resolver reported; an answer from its cache shows the time left, "
                      "so the zone's own value can be higher.",
                      span.en, longest),
          fmt::format("DNS のキャッシュは回答を TTL のあいだ保持します。これらのレコードを変更"
                      "しても、受信側は最大 {}（TTL {}）のあいだ古いレコードを見ることがある"
                      "ため、ここで示す修正がすべての受信側で効くまでそれだけ時間がかかります。"
                      "表示した TTL はお使いのリゾルバが返した値です。キャッシュからの回答では"
                      "残り時間が表示されるため、ゾーンに設定された値はもっと大きいことが"
                      "あります。",
                      span.ja, longest)};
}

Localized ttl_fix(std::uint32_t longest) {
  const Localized span = ttl_span(longest);
  return {fmt::format("Before changing a record, lower its TTL to 300 in your DNS provider's "
                      "panel and wait {}; once the change has settled, raise it again (3600 is "
                      "common).",
                      span.en),
          fmt::format("レコードを変更する前に、DNS 事業者の管理画面で TTL を 300 に下げて {} "
                      "待ってください。変更が落ち着いたら TTL を元に戻します（3600 "
                      "がよく使われます）。",
                      span.ja)};
}

// TLS-04.

Localized mta_sts_none_title() {
  return {"no MTA-STS policy", "MTA-STS のポリシーがありません"};
}

Localized mta_sts_none_why(const std::string& domain) {
  return {
      fmt::format("MTA-STS (RFC 8461) makes servers that deliver to {} insist on TLS with a "
                  "valid certificate, so posts and bounces cannot be read or diverted on the "
                  "way. Gmail, Microsoft and Yahoo honour it. It is optional.",
                  domain),
      fmt::format("MTA-STS（RFC 8461）を使うと、{} "
                  "へ配送するサーバーに正しい証明書での TLS "
                  "を必ず使わせることができ、投稿やエラーメールを途中で読まれたり横取りされたり"
                  "しなくなります。Gmail、Microsoft、Yahoo が対応しています。必須ではありません。",
                  domain)};
}

Localized mta_sts_none_fix(const std::string& domain, const std::vector<std::string>& mx_hosts) {
  std::string mx_lines;
  for (const std::string& host : mx_hosts) {
    mx_lines += fmt::format("\"mx: {}\", ", host);
  }
  if (mx_lines.empty()) {
    mx_lines = "one \"mx: HOST\" line per MX host, ";
  }
  return {fmt::format("Optional. First serve https://mta-sts.{0}/.well-known/mta-sts.txt (valid "
                      "certificate, no redirect) with the lines \"version: STSv1\", \"mode: "
                      "testing\", {1}\"max_age: 86400\"; then publish {2}. 3600 IN TXT "
                      "\"v=STSv1; id=1\" and raise id= whenever the file changes. Move to \"mode: "
                      "enforce\" once the TLS-RPT reports (TLS-05) show no failures. The doctor "
                      "does not fetch the policy file.",
                      domain, mx_lines, "_mta-sts." + domain),
          fmt::format("任意です。まず https://mta-sts.{0}/.well-known/mta-sts.txt "
                      "を正しい証明書で（リダイレクトなしで）公開し、\"version: STSv1\"、\"mode: "
                      "testing\"、{1}\"max_age: 86400\" の各行を書きます。次に {2}. 3600 IN TXT "
                      "\"v=STSv1; id=1\" を公開し、ファイルを変えるたびに id= "
                      "の値を上げてください。TLS-RPT のレポート（TLS-05）で失敗がないことを"
                      "確かめてから \"mode: enforce\" に切り替えます。doctor "
                      "はポリシーファイルを取得しません。",
                      domain, mx_lines, "_mta-sts." + domain)};
}

Localized mta_sts_ok_title(const std::string& id) {
  return {fmt::format("MTA-STS record is valid (id={}); the policy file is not checked", id),
          fmt::format("MTA-STS のレコードは正しい書式です（id={}）。ポリシーファイルは確認して"
                      "いません",
                      id)};
}

Localized mta_sts_bad_title(std::size_t count) {
  if (count > 1) {
    return {"more than one MTA-STS record", "MTA-STS のレコードが複数あります"};
  }
  return {"MTA-STS record is not valid", "MTA-STS のレコードの書式が正しくありません"};
}

Localized mta_sts_bad_why(std::size_t count) {
  if (count > 1) {
    return {
        "Unless exactly one TXT record starts with v=STSv1, senders ignore MTA-STS for the "
        "domain (RFC 8461 §3.1): the policy is not applied, and a policy they cached earlier "
        "is never refreshed.",
        "v=STSv1 で始まる TXT レコードが一つだけでない場合、送信側はこのドメインの MTA-STS "
        "を無視します（RFC 8461 §3.1）。ポリシーは適用されず、以前にキャッシュしたポリシーも"
        "更新されません。"};
  }
  return {
      "The record must read \"v=STSv1; id=...\" with an id of 1 to 32 letters and digits. "
      "Senders ignore a record that does not, and with it MTA-STS for the domain (RFC 8461 "
      "§3.1): the policy is not applied, and a policy they cached earlier is never refreshed.",
      "レコードは \"v=STSv1; id=...\"（id は 1〜32 文字の英数字）の形でなければなりません。"
      "そうでないレコードは送信側に無視され、このドメインの MTA-STS も使われません（RFC 8461 "
      "§3.1）。ポリシーは適用されず、以前にキャッシュしたポリシーも更新されません。"};
}

Localized mta_sts_bad_fix() {
  return {"Keep exactly one record in this form (raise id= whenever the policy file changes):",
          "この形のレコードを一つだけ残してください（ポリシーファイルを変えるたびに id= "
          "の値を上げます）。"};
}

// TLS-05.

Localized tlsrpt_title(std::size_t count, bool usable) {
  if (usable) {
    return {"TLS-RPT record present", "TLS-RPT のレコードがあります"};
  }
  if (count == 0) {
    return {"no TLS-RPT record", "TLS-RPT のレコードがありません"};
  }
  return {"TLS-RPT record is not usable", "TLS-RPT のレコードが使えない状態です"};
}

Localized tlsrpt_why(const std::string& domain, std::size_t count) {
  Localized why{
      fmt::format("With a TLS-RPT record (RFC 8460), servers that use MTA-STS or DANE when "
                  "delivering to {} send you a daily report of TLS failures: posts and bounces "
                  "that could not reach the list securely. Delivery itself does not change.",
                  domain),
      fmt::format("TLS-RPT のレコード（RFC 8460）があると、MTA-STS や DANE を使って {} "
                  "へ配送するサーバーが、TLS の失敗（リストへ安全に届かなかった投稿やエラー"
                  "メール）を毎日レポートしてくれます。配送そのものは変わりません。",
                  domain)};
  if (count > 0) {
    why.en += count > 1 ? " Senders use the record only when exactly one is published."
                        : " This one has no rua= with a mailto: or https: address, so no "
                          "report can be sent.";
    why.ja += count > 1 ? "レコードが一つだけのときにしか使われません。"
                        : "このレコードには mailto: か https: の rua= "
                          "がないため、レポートを送る先がありません。";
  }
  return why;
}

Localized tlsrpt_fix(const std::string& domain) {
  return {
      fmt::format("Optional. Create the mailbox tls-reports@{} (or change the address), then "
                  "publish:",
                  domain),
      fmt::format("任意です。tls-reports@{} "
                  "のメールボックスを作る（またはアドレスを変える）うえで、次のレコードを公開して"
                  "ください。",
                  domain)};
}

// TLS-06.

Localized dane_title(bool published, bool secure) {
  if (published && secure) {
    return {"DANE TLSA record published and DNSSEC-signed",
            "DANE の TLSA レコードが DNSSEC で署名されて公開されています"};
  }
  if (published) {
    return {"TLSA record without DNSSEC: senders ignore it",
            "TLSA レコードが DNSSEC で保護されていないため使われません"};
  }
  return {"no DANE TLSA record", "DANE の TLSA レコードがありません"};
}

Localized dane_why(const std::string& mx, bool published) {
  if (published) {
    return {fmt::format("Senders use TLSA records only from a DNSSEC-validated (secure) answer "
                        "(RFC 7672 §2.2); the zone of {} is not signed, so this record does "
                        "nothing.",
                        mx),
            fmt::format("送信側が TLSA レコードを使うのは、DNSSEC で検証された（secure）回答の"
                        "場合だけです（RFC 7672 §2.2）。{} "
                        "のゾーンは署名されていないため、このレコードは効果がありません。",
                        mx)};
  }
  return {
      fmt::format("DANE (RFC 7672) publishes the fingerprint of {}'s TLS key in DNSSEC-signed "
                  "DNS; senders that support it (Postfix, Exim, Microsoft Exchange Online) then "
                  "insist on TLS with that key when they deliver posts and bounces. It needs "
                  "DNSSEC and is optional.",
                  mx),
      fmt::format("DANE（RFC 7672）は、{} の TLS 鍵の指紋を DNSSEC で署名した DNS "
                  "に公開する仕組みです。対応している送信側（Postfix、Exim、Microsoft "
                  "Exchange Online）は、投稿やエラーメールを配送するときにその鍵での TLS "
                  "を必ず使います。DNSSEC が前提で、必須ではありません。",
                  mx)};
}

Localized dane_fix(const std::string& mx, bool published) {
  if (published) {
    return {fmt::format("Sign the zone of {} with DNSSEC at your DNS provider and publish its DS "
                        "record at the registrar, or remove the TLSA record.",
                        mx),
            fmt::format("DNS 事業者で {} のゾーンを DNSSEC で署名し、レジストラに DS "
                        "レコードを登録してください。あるいは TLSA レコードを削除してください。",
                        mx)};
  }
  return {fmt::format("Optional, once the zone is DNSSEC-signed: publish _25._tcp.{}. 3600 IN "
                      "TLSA 3 1 1 HASH, where HASH is what this prints on that host; publish the "
                      "new hash before every key change.",
                      mx),
          fmt::format("任意です。ゾーンを DNSSEC で署名したうえで、_25._tcp.{}. 3600 IN TLSA 3 1 "
                      "1 HASH を公開してください（HASH はそのホストで次のコマンドが表示する値"
                      "です）。鍵を替える前には、新しい値を先に公開します。",
                      mx)};
}

// REP-01.

Localized dnsbl_title(const std::string& ip, const std::string& zone, bool checked, bool listed,
                      const std::string& codes) {
  if (checked && listed) {
    return {fmt::format("{} is listed on {} ({})", ip, zone, codes),
            fmt::format("{} は {} に登録されています（{}）", ip, zone, codes)};
  }
  if (checked) {
    return {fmt::format("{} is not listed on {}", ip, zone),
            fmt::format("{} は {} に登録されていません", ip, zone)};
  }
  return {fmt::format("could not check {} against {}", ip, zone),
          fmt::format("{} が {} に登録されているか確認できませんでした", ip, zone)};
}

namespace {

// Spamhaus ZEN's listing codes (127.0.0.2 to 127.0.0.11).
Localized zen_meaning(std::uint8_t code) {
  if (code == 2 || code == 9) {
    return {"SBL: a known spam source", "SBL: 既知の迷惑メール送信元"};
  }
  if (code == 3) {
    return {"CSS: low-reputation bulk sending", "CSS: 評判の悪い大量送信"};
  }
  if (code >= 4 && code <= 7) {
    return {"XBL: the host looks infected or hijacked",
            "XBL: ホストが感染しているか乗っ取られているようです"};
  }
  if (code == 10 || code == 11) {
    return {"PBL: an end-user or dynamic range that should not send mail directly",
            "PBL: 直接メールを送るべきでない利用者向け・動的なアドレス帯"};
  }
  return {"listed", "登録あり"};
}

}  // namespace

Localized dnsbl_why(const std::string& ip, const std::string& zone, bool listed,
                    const std::vector<IpAddress>& codes, dns::Status status) {
  if (listed) {
    Localized why{fmt::format("Many receivers refuse or junk mail from addresses on {}.", zone),
                  fmt::format("{} に登録されたアドレスからのメールは、多くの受信側で拒否されるか"
                              "迷惑メールに振り分けられます。",
                              zone)};
    if (zone.ends_with("spamhaus.org")) {
      for (const IpAddress& code : codes) {
        const Localized meaning = zen_meaning(code.bytes()[3]);
        why.en += fmt::format(" {}: {}.", code.to_string(), meaning.en);
        why.ja += fmt::format("{}: {}。", code.to_string(), meaning.ja);
      }
    }
    return why;
  }
  const bool error_code = std::any_of(codes.begin(), codes.end(), [](const IpAddress& a) {
    const auto& b = a.bytes();
    return a.is_v4() && b[0] == 127 && b[1] == 255 && b[2] == 255;
  });
  if (error_code) {
    return {fmt::format("127.255.255.x is an error code, not a listing: Spamhaus answers "
                        "127.255.255.254 to queries that come through a large public resolver "
                        "(8.8.8.8, 1.1.1.1 and the like), 127.255.255.255 when a resolver sends "
                        "too many queries and 127.255.255.252 for a mistyped zone. It says "
                        "nothing about {}.",
                        ip),
            fmt::format("127.255.255.x は登録を示す値ではなくエラーコードです。Spamhaus "
                        "は、大手の公開リゾルバ（8.8.8.8、1.1.1.1 など）を経由した問い合わせに "
                        "127.255.255.254 を、問い合わせが多すぎるリゾルバに 127.255.255.255 "
                        "を、ゾーン名の誤りに 127.255.255.252 を返します。{} "
                        "が登録されているかどうかは分かりません。",
                        ip)};
  }
  if (!codes.empty()) {
    return {
        "The answer is not one of the listing codes 127.0.0.2 to 127.0.0.11; some resolvers "
        "rewrite answers for blocklist names, so it cannot be trusted.",
        "回答が登録を示す 127.0.0.2〜127.0.0.11 "
        "のどれでもありません。ブロックリストの名前への回答を書き換えるリゾルバがあるため、"
        "この結果は信用できません。"};
  }
  return {fmt::format("The query failed ({}); blocklists refuse some resolvers and answer others "
                      "slowly, so this says nothing about {}.",
                      dns::status_name(status), ip),
          fmt::format("問い合わせに失敗しました（{}）。ブロックリストは一部のリゾルバを拒否したり"
                      "応答が遅かったりするため、{} が登録されているかどうかは分かりません。",
                      dns::status_name(status), ip)};
}

Localized dnsbl_fix(const std::string& ip, const std::string& zone, bool listed) {
  if (listed) {
    const bool spamhaus = zone.ends_with("spamhaus.org");
    const std::string site = spamhaus ? "https://check.spamhaus.org/" : "the web site of " + zone;
    const std::string site_ja = spamhaus ? "https://check.spamhaus.org/" : zone + " のウェブサイト";
    return {fmt::format("Find the cause first (an open relay, a stolen account, an infected "
                        "script), or the listing comes back; then look {} up at {} and follow "
                        "the removal steps it shows.",
                        ip, site),
            fmt::format("まず原因（オープンリレー、盗まれたアカウント、感染したスクリプトなど）"
                        "を取り除いてください。そうしないと再び登録されます。そのうえで {} で "
                        "{} を調べ、表示される削除手順に従ってください。",
                        site_ja, ip)};
  }
  return {
      "Run the doctor with --resolver naming a resolver that asks the blocklist directly "
      "(a local unbound without forwarders, e.g. --resolver 127.0.0.1), or look the address "
      "up at https://check.spamhaus.org/.",
      "ブロックリストに直接問い合わせるリゾルバ（フォワーダーを使わないローカルの unbound "
      "など。例: --resolver 127.0.0.1）を --resolver で指定して doctor "
      "を実行するか、https://check.spamhaus.org/ でアドレスを調べてください。"};
}

// REP-02.

Localized postmaster_title(bool present) {
  if (present) {
    return {"a Google site verification record is present (usable for Postmaster Tools)",
            "Google のサイト確認レコードがあります（Postmaster Tools で使えます）"};
  }
  return {"domain not verified for Google Postmaster Tools",
          "Google Postmaster Tools 用のドメイン確認がされていません"};
}

Localized postmaster_why(const std::string& domain) {
  return {fmt::format("Google Postmaster Tools is the only place that shows how Gmail sees mail "
                      "from {}: the spam rate its users report (Google wants it below 0.3 %), "
                      "authentication and delivery errors. Google shows data only once a domain "
                      "sends a substantial daily volume to Gmail, so a small list may see "
                      "little.",
                      domain),
          fmt::format("Google Postmaster Tools は、Gmail が {} "
                      "からのメールをどう見ているかを確認できる唯一の場所です。利用者が報告した"
                      "迷惑メール率（Google は 0.3 % 未満を求めています）や、認証・配送のエラーが"
                      "表示されます。Gmail "
                      "へ毎日ある程度の量を送るドメインでないとデータは表示されないため、小さな"
                      "リストではほとんど何も見えないこともあります。",
                      domain)};
}

Localized postmaster_fix(const std::string& domain) {
  return {fmt::format("Add {0} at https://postmaster.google.com/; Google then shows a TXT record "
                      "to publish at {0}, of the form {0}. 3600 IN TXT "
                      "\"google-site-verification=CODE\".",
                      domain),
          fmt::format("https://postmaster.google.com/ で {0} を追加してください。Google が {0} "
                      "に公開する TXT レコード（{0}. 3600 IN TXT "
                      "\"google-site-verification=CODE\" の形）を表示します。",
                      domain)};
}

}  // namespace cqlist::doctor::texts
