// doctor/texts_spf.cpp: the SPF findings' sentences (checklist §4.3).
#include <fmt/format.h>

#include "auth/spf/report.hpp"
#include "doctor/texts.hpp"

namespace cqlist::doctor::texts {
namespace {

std::string result_meaning_ja(auth::spf::SpfResult result) {
  using auth::spf::SpfResult;
  switch (result) {
    case SpfResult::none:
      return "SPF レコードが見つからないため、受信側は何も判断できません。";
    case SpfResult::neutral:
      return "レコードはこのアドレスについて何も述べていない（neutral）ため、SPF "
             "は通過扱いになりません。";
    case SpfResult::pass:
      return "このアドレスからの送信は許可されています。";
    case SpfResult::fail:
      return "レコードはこのアドレスからの送信をはっきり拒否しています（fail）。受信側は"
             "メールを拒否することがあります。";
    case SpfResult::softfail:
      return "レコードはこのアドレスを許可していません（softfail）。受信側は SPF "
             "が通らなかったものとして扱います。";
    case SpfResult::temperror:
      return "DNS の一時的な障害で評価できませんでした（temperror）。受信側は配送を"
             "後で再試行します。";
    case SpfResult::permerror:
      return "レコードが壊れているため評価できません（permerror）。多くの受信側は fail "
             "と同じに扱います。";
  }
  return {};
}

}  // namespace

Localized spf_ok_title() {
  return {"one valid SPF record", "SPF レコードは一つで、正しい書式です"};
}

Localized spf_ok_why(unsigned lookups) {
  return {fmt::format("The record is valid and needs {} of the 10 DNS lookups allowed.", lookups),
          fmt::format("レコードは正しく、DNS 参照回数は上限 10 回のうち {} 回です。", lookups)};
}

Localized spf_none_title() {
  return {"no SPF record", "SPF レコードがありません"};
}

Localized spf_none_why(const std::string& domain) {
  return {fmt::format("{} publishes no SPF record, so receivers get spf=none for everything the "
                      "list sends. Gmail requires SPF or DKIM from every sender and both from "
                      "bulk senders; without them it answers 550 5.7.26.",
                      domain),
          fmt::format("{} には SPF レコードが公開されていないため、リストから送るメールはすべて "
                      "spf=none と判定されます。Gmail はすべての送信者に SPF か DKIM "
                      "のどちらか（大量送信者には両方）を求めており、満たさない場合は 550 "
                      "5.7.26 で拒否します。",
                      domain)};
}

Localized spf_many_title() {
  return {"more than one SPF record", "SPF レコードが複数あります"};
}

Localized spf_many_why(const std::string& domain, std::size_t count) {
  return {fmt::format("{} publishes {} TXT records starting with v=spf1. A receiver must then "
                      "stop with permerror (RFC 7208 §4.5), so none of them counts.",
                      domain, count),
          fmt::format("{} には v=spf1 で始まる TXT レコードが {} 個あります。この場合、受信側は "
                      "permerror で評価を打ち切る決まりになっており（RFC 7208 "
                      "§4.5）、どのレコードも効力を持ちません。",
                      domain, count)};
}

Localized spf_syntax_title() {
  return {"SPF record is not valid", "SPF レコードの書式が正しくありません"};
}

Localized spf_syntax_why(const std::string& problem) {
  return {fmt::format("The record cannot be parsed: {}. Receivers answer permerror for every "
                      "message, which most treat like fail.",
                      problem),
          fmt::format("レコードを解釈できません（{}）。受信側はすべてのメールを permerror "
                      "と判定し、多くは fail と同じに扱います。",
                      problem)};
}

Localized spf_loop_title() {
  return {"include loop", "include がループしています"};
}

Localized spf_loop_why(const std::string& term, const std::string& loop) {
  return {fmt::format("'{}' points back to a record already being evaluated ({}). Evaluation "
                      "can only end in permerror (RFC 7208 §4.6.4), which receivers treat as "
                      "\"SPF did not pass\" (Gmail 5.7.26); the include authorizes no address "
                      "at all.",
                      term, loop),
          fmt::format("'{}' は評価中のレコード自身を指しています（{}）。評価は必ず permerror "
                      "で終わり（RFC 7208 §4.6.4）、受信側は「SPF が通らなかった」として扱います"
                      "（Gmail の 5.7.26 など）。この include "
                      "はどのアドレスも許可していません。",
                      term, loop)};
}

Localized spf_dead_include_title() {
  return {"include without a usable SPF record", "include 先に使える SPF レコードがありません"};
}

Localized spf_dead_include_why(const std::string& term, const std::string& problem) {
  return {fmt::format("'{}' cannot be evaluated: {}. An include whose target has no record is "
                      "a permerror for the whole record (RFC 7208 §5.2).",
                      term, problem),
          fmt::format("'{}' を評価できません（{}）。include 先にレコードがない場合、"
                      "レコード全体が permerror になります（RFC 7208 §5.2）。",
                      term, problem)};
}

Localized spf_lookups_title(unsigned lookups) {
  return {fmt::format("{} DNS lookups (limit 10)", lookups),
          fmt::format("DNS 参照が {} 回あります（上限 10 回）", lookups)};
}

Localized spf_lookups_why(unsigned lookups) {
  return {
      fmt::format("Evaluating the record for an address that matches nothing takes {} DNS "
                  "lookups. Above 10 the result is permerror (RFC 7208 §4.6.4). Remove "
                  "includes for services you do not use, or replace them with ip4:/ip6:.",
                  lookups),
      fmt::format("どの項目にも一致しないアドレスを評価すると DNS 参照が {} 回必要です。10 "
                  "回を超えると permerror になります（RFC 7208 §4.6.4）。使っていないサービスの "
                  "include を外すか、ip4:/ip6: に置き換えてください。",
                  lookups)};
}

Localized spf_voids_title() {
  return {"too many empty lookups", "空の DNS 応答が多すぎます"};
}

Localized spf_voids_why(unsigned voids) {
  return {fmt::format("{} lookups of the record answer NXDOMAIN or nothing; more than 2 is a "
                      "permerror (RFC 7208 §4.6.4). Remove the includes of domains that no "
                      "longer exist.",
                      voids),
          fmt::format("レコードの評価中に {} 回、存在しない名前か空の応答が返ります。2 "
                      "回を超えると permerror です（RFC 7208 §4.6.4）。もう存在しないドメインの "
                      "include を外してください。",
                      voids)};
}

Localized spf_after_all_title() {
  return {"terms after 'all' are ignored", "'all' の後ろの項目は無視されます"};
}

Localized spf_after_all_why(const std::string& term, const std::string& all) {
  return {fmt::format("'{}' comes after '{}'; evaluation ends at 'all', so it is never used "
                      "(RFC 7208 §5.1).",
                      term, all),
          fmt::format("'{}' が '{}' の後ろにあります。評価は 'all' "
                      "で終わるため、この項目は使われません（RFC 7208 §5.1）。",
                      term, all)};
}

Localized spf_ptr_title() {
  return {"'ptr' should not be used", "'ptr' は使うべきではありません"};
}

Localized spf_ptr_why(const std::string& term) {
  return {
      fmt::format("'{}' is slow and unreliable, and RFC 7208 §5.5 says it SHOULD NOT be "
                  "published; some receivers ignore it. Use ip4:/ip6: or a instead.",
                  term),
      fmt::format("'{}' は遅く不確実で、RFC 7208 §5.5 "
                  "でも公開しないよう求められています。無視する受信側もあります。ip4:/ip6: か a "
                  "を使ってください。",
                  term)};
}

Localized spf_wide_title() {
  return {"very wide address range", "許可しているアドレス範囲が広すぎます"};
}

Localized spf_wide_why(const std::string& term) {
  return {
      fmt::format("'{}' authorizes a huge part of the Internet to send as your domain; Gmail "
                  "calls such records \"suspicious entries\" (4.7.24). List only the "
                  "addresses that really send.",
                  term),
      fmt::format("'{}' はインターネットの広い範囲にあなたのドメインでの送信を許してしまいます。"
                  "Gmail はこうしたレコードを「suspicious entries」（4.7.24）"
                  "として扱います。実際に送信するアドレスだけを書いてください。",
                  term)};
}

Localized spf_all_title() {
  return {"weak or missing 'all'", "'all' の指定が弱いか、ありません"};
}

Localized spf_all_why(const std::string& all) {
  if (all == "+all" || all == "all") {
    return {
        "'+all' authorizes every host on the Internet to send as your domain. End the "
        "record with ~all.",
        "'+all' はインターネット上のすべてのホストにあなたのドメインでの送信を許可します。"
        "レコードの最後は ~all にしてください。"};
  }
  return {
      fmt::format("{} says nothing about other senders, so forged mail is not marked. For "
                  "a list, end the record with ~all.",
                  all.empty() ? "A record without 'all'" : "'" + all + "'"),
      fmt::format("{}ほかの送信元について何も述べていないため、なりすましメールが区別されません。"
                  "リストでは、レコードの最後を ~all にしてください。",
                  all.empty() ? "'all' のないレコードは" : "'" + all + "' は")};
}

Localized spf_verdict_title(const std::string& address, const std::string& family, bool pass) {
  if (pass) {
    return {fmt::format("SPF passes for {} ({})", address, family),
            fmt::format("{}（{}）からの送信は SPF を通過します", address, family)};
  }
  return {fmt::format("SPF does not pass for {} ({})", address, family),
          fmt::format("{}（{}）からの送信が SPF を通過しません", address, family)};
}

Localized spf_verdict_why(const auth::spf::SpfOutcome& outcome, const std::string& family) {
  const std::string result(auth::spf::result_name(outcome.result));
  if (outcome.result == auth::spf::SpfResult::pass) {
    return {fmt::format("spf=pass: {}.", outcome.reason),
            fmt::format("spf=pass です（{}）。", outcome.reason)};
  }
  const bool v6 = family == "IPv6";
  return {fmt::format("Mail sent from this address gets spf={}: {}. {}{} Gmail answers 550 "
                      "5.7.26 when neither SPF nor DKIM passes.",
                      result, outcome.reason, auth::spf::result_meaning(outcome.result),
                      v6 ? " Postfix reaches Gmail over IPv6 whenever it can, so this is the "
                           "address Gmail sees."
                         : ""),
          fmt::format("このアドレスから送ったメールは spf={} と判定されます（{}）。{}{}SPF と "
                      "DKIM のどちらも通らないと、Gmail は 550 5.7.26 で拒否します。",
                      result, outcome.reason, result_meaning_ja(outcome.result),
                      v6 ? "Postfix は使える限り IPv6 で Gmail "
                           "に接続するため、Gmail が見るのはこのアドレスです。"
                         : "")};
}

Localized spf_unused_title() {
  return {"include authorizes none of this server's addresses",
          "この include はこのサーバーのアドレスをどれも許可していません"};
}

Localized spf_unused_why(const std::string& term) {
  return {fmt::format("'{}' does not match any address this server sends from. It costs DNS "
                      "lookups; keep it only if mail for your domain is also sent through that "
                      "provider.",
                      term),
          fmt::format("'{}' はこのサーバーの送信元アドレスのどれにも一致しません。DNS "
                      "参照回数を消費するだけなので、その事業者経由でもメールを送っている場合"
                      "に限って残してください。",
                      term)};
}

Localized spf_replace_summary(const std::string& domain, bool new_record) {
  if (new_record) {
    return {fmt::format("Publish this SPF record for {} (exactly one TXT record starting with "
                        "v=spf1):",
                        domain),
            fmt::format("{} に次の SPF レコードを公開してください（v=spf1 で始まる TXT "
                        "レコードは必ず一つだけにします）。",
                        domain)};
  }
  return {fmt::format("Replace the SPF record of {} with this one (exactly one TXT record "
                      "starting with v=spf1):",
                      domain),
          fmt::format("{} の SPF レコードを次の一つに置き換えてください（v=spf1 で始まる TXT "
                      "レコードは必ず一つだけにします）。",
                      domain)};
}

Localized spf_lookups_after(unsigned lookups) {
  return {fmt::format("DNS lookups after the fix: {} of 10.", lookups),
          fmt::format("修正後の DNS 参照回数: 10 回中 {} 回です。", lookups)};
}

}  // namespace cqlist::doctor::texts
