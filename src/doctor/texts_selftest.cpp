// doctor/texts_selftest.cpp: the sentences of the DKIM self-test (DKIM-05/08/09/10/11/12),
// the list-practice notes (LIST-02/06/07/08), the sending pace (VOL-03) and the outbound TLS
// policy (TLS-02).
#include <fmt/format.h>

#include "doctor/texts.hpp"

namespace cqlist::doctor::texts {

Localized selftest_unsigned_title() {
  return {"the self-test could not sign a sample post",
          "自己テストで見本の投稿に署名できませんでした"};
}

Localized selftest_unsigned_why(const std::string& error) {
  return {fmt::format("cqlist signs every copy just before handing it to the MTA; signing the "
                      "sample failed ({}), so delivery would fail the same way and the list "
                      "would send nothing.",
                      error),
          fmt::format("cqlist は各メールを MTA に渡す直前に署名します。見本への署名が失敗した"
                      "（{}）ため、実際の配送も同じ理由で失敗し、リストからは何も送られません。",
                      error)};
}

Localized dkim_sha1_title() {
  return {"signed with rsa-sha1", "rsa-sha1 で署名されています"};
}

Localized dkim_sha1_why() {
  return {
      "RFC 8301 forbids rsa-sha1: receivers treat such a signature as if the mail were "
      "unsigned (dkim=permerror), and Gmail then rejects it when SPF does not pass either "
      "(5.7.26).",
      "RFC 8301 で rsa-sha1 は禁止されており、受信側はこの署名を無いものとして扱います"
      "（dkim=permerror）。SPF も通らない場合、Gmail はメールを拒否します（5.7.26）。"};
}

Localized dkim_sha1_fix() {
  return {
      "cqlist itself always signs with rsa-sha256 or ed25519-sha256; this signature comes "
      "from another signer (an OpenDKIM milter in Postfix?). Switch it to rsa-sha256 "
      "(OpenDKIM: `SignatureAlgorithm rsa-sha256`) or let cqlist sign alone.",
      "cqlist 自身は常に rsa-sha256 か ed25519-sha256 で署名します。この署名は別の署名者"
      "（Postfix の OpenDKIM milter など）によるものです。rsa-sha256 に切り替えるか"
      "（OpenDKIM では `SignatureAlgorithm rsa-sha256`）、署名は cqlist だけに任せて"
      "ください。"};
}

Localized dkim_strict_identity_title() {
  return {"key record has t=s but the signature's i= is a subdomain",
          "鍵のレコードに t=s があるのに、署名の i= がサブドメインです"};
}

Localized dkim_strict_identity_why(const std::string& identity, const std::string& domain) {
  return {fmt::format("t=s in the key record says i= must be exactly d=; the signature says "
                      "i={} with d={}, so receivers reject the signature (dkim=permerror) as if "
                      "the mail were unsigned.",
                      identity, domain),
          fmt::format("鍵のレコードの t=s は「i= は d= と完全に一致しなければならない」という"
                      "意味です。この署名は d={} に対して i={} となっているため、受信側は署名を"
                      "無効とし（dkim=permerror）、署名のないメールと同じに扱います。",
                      domain, identity)};
}

Localized dkim_strict_identity_fix() {
  return {
      "Publish the key record without t=s (replace it with the record below), or sign "
      "without an i= in a subdomain.",
      "t=s を外した鍵のレコードを公開する（下のレコードに置き換える）か、サブドメインの "
      "i= を付けずに署名してください。"};
}

Localized dkim_headers_title(bool complete) {
  return complete ? Localized{"the signature covers and over-signs the important header fields",
                              "署名は重要なヘッダーをすべて対象にし、重ねて署名しています"}
                  : Localized{"important header fields are not signed or not over-signed",
                              "重要なヘッダーが署名されていないか、重ねて署名されていません"};
}

Localized dkim_headers_why(const std::string& unsigned_names, const std::string& open_names) {
  std::string en =
      "Only header fields listed in h= are protected. A field listed once more than the "
      "message has it (over-signed) cannot be added after signing without breaking the "
      "signature; RFC 8058 requires List-Unsubscribe and List-Unsubscribe-Post to be signed.";
  std::string ja =
      "h= に挙げたヘッダーだけが署名で守られます。メール中の数より一つ多く挙げておく"
      "（重ねて署名する）と、署名の後で同じヘッダーを追加されても署名が壊れて分かります。"
      "RFC 8058 は List-Unsubscribe と List-Unsubscribe-Post の署名を求めています。";
  if (!unsigned_names.empty()) {
    en += fmt::format(" Not signed: {}.", unsigned_names);
    ja += fmt::format("署名されていないもの: {}。", unsigned_names);
  }
  if (!open_names.empty()) {
    en += fmt::format(" Not over-signed (one more can be added after signing): {}.", open_names);
    ja +=
        fmt::format("重ねて署名されていないもの（署名の後から追加できてしまう）: {}。", open_names);
  }
  return {en, ja};
}

Localized dkim_headers_fix(const std::string& names) {
  return {fmt::format("cqlist's own signer signs and over-signs these by default; this signature "
                      "comes from another signer. Have it sign and over-sign {} (OpenDKIM: "
                      "`SignHeaders` and `OversignHeaders`).",
                      names),
          fmt::format("cqlist の署名は既定でこれらすべてを重ねて署名します。この署名は別の"
                      "署名者によるものです。{} を署名し、重ねて署名するよう設定してください"
                      "（OpenDKIM では `SignHeaders` と `OversignHeaders`）。",
                      names)};
}

Localized dkim_length_title() {
  return {"the signature uses l= (body length)", "署名に l=（本文の長さ）が使われています"};
}

Localized dkim_length_why(std::uint64_t length) {
  return {fmt::format("l={} signs only the first {} bytes of the body: anyone can append text "
                      "(a different link, a different offer) and the signature still passes "
                      "(RFC 6376 §8.2).",
                      length, length),
          fmt::format("l={} は本文の最初の {} バイトだけに署名します。誰でも後ろに文章"
                      "（別のリンクや別の宣伝）を付け足せ、それでも署名は通ってしまいます"
                      "（RFC 6376 §8.2）。",
                      length, length)};
}

Localized dkim_length_fix() {
  return {
      "Sign without l=. cqlist never writes it; turn it off in the signer that does "
      "(OpenDKIM: remove `BodyLengthDB`).",
      "l= を付けずに署名してください。cqlist は l= を書きません。付けている署名者の設定で"
      "無効にしてください（OpenDKIM では `BodyLengthDB` を削除）。"};
}

Localized dkim_canon_title(const std::string& canonicalization) {
  return {fmt::format("canonicalization c={}", canonicalization),
          fmt::format("正規化が c={} です", canonicalization)};
}

Localized dkim_canon_why() {
  return {
      "With \"simple\" any re-folding of a header line or change of trailing white space "
      "on the way breaks the signature; \"relaxed\" survives these harmless changes.",
      "「simple」では、途中でヘッダー行の折り返しや行末の空白が変わるだけで署名が壊れます。"
      "「relaxed」ならこうした無害な変更では壊れません。"};
}

Localized dkim_canon_fix() {
  return {
      "Use c=relaxed/relaxed (cqlist's default; OpenDKIM: `Canonicalization "
      "relaxed/relaxed`).",
      "c=relaxed/relaxed を使ってください（cqlist の既定値です。OpenDKIM では "
      "`Canonicalization relaxed/relaxed`）。"};
}

Localized dkim_selftest_title(bool pass) {
  return pass ? Localized{"the self-test signature verifies against live DNS",
                          "自己テストの署名は現在の DNS で検証に成功します"}
              : Localized{"the self-test signature does not verify",
                          "自己テストの署名が検証に失敗します"};
}

Localized dkim_selftest_why(const std::string& result, const std::string& reason) {
  if (reason.empty()) {
    return {fmt::format("A sample post, decorated and signed as delivery does it, verified with "
                        "the key published in DNS: dkim={}.",
                        result),
            fmt::format("配送と同じ手順で加工・署名した見本の投稿を、DNS に公開されている鍵で"
                        "検証しました: dkim={}。",
                        result)};
  }
  return {fmt::format("A sample post, decorated and signed as delivery does it, was verified "
                      "with the key published in DNS: dkim={} ({}). Receivers get the same "
                      "answer for every copy the list sends, so its mail counts as unsigned "
                      "and fails DMARC unless SPF aligns (Gmail 5.7.26 / 5.7.30).",
                      result, reason),
          fmt::format("配送と同じ手順で加工・署名した見本の投稿を、DNS に公開されている鍵で"
                      "検証した結果は dkim={}（{}）でした。受信側でもリストが送るすべての"
                      "メールで同じ結果になり、署名のないメールとして扱われます。SPF "
                      "が揃わなければ DMARC も通りません（Gmail 5.7.26 / 5.7.30）。",
                      result, reason)};
}

Localized dkim_selftest_fix(const std::string& reason, const std::string& record_name) {
  if (reason == "key not found" || reason == "key revoked" ||
      reason.starts_with("bad key record")) {
    return {fmt::format("No usable key is published at {}. Publish the record below:", record_name),
            fmt::format("{} に使える鍵が公開されていません。下のレコードを公開してください。",
                        record_name)};
  }
  if (reason.starts_with("key lookup")) {
    return {
        "The key record could not be looked up. Check that the domain's DNS servers answer "
        "(DNS-03 and DNS-04), then run the doctor again.",
        "鍵のレコードを引けませんでした。ドメインの DNS サーバーが応答しているか確認してから"
        "（DNS-03、DNS-04）、もう一度 doctor を実行してください。"};
  }
  if (reason == "signature mismatch") {
    return {fmt::format("The key at {} is not the key cqlist signs with (a rotated key not "
                        "published?). Publish the record below in place of the old one:",
                        record_name),
            fmt::format("{} の鍵は cqlist が署名に使う鍵ではありません（鍵を更新した後、"
                        "公開していないのでは）。古いレコードを下のレコードに置き換えて"
                        "ください。",
                        record_name)};
  }
  if (reason == "body hash mismatch") {
    return {
        "The body changed after signing. In the self-test nothing runs after cqlist signs, "
        "so this is a cqlist bug: please report it with `cqlist doctor --json` output. In "
        "real delivery the same happens when a Postfix content filter adds a footer or "
        "disclaimer after cqlist: add text with cqlist's footer setting instead.",
        "署名の後で本文が変わっています。自己テストでは cqlist の署名の後に何も処理しない"
        "ため、これは cqlist の不具合です。`cqlist doctor --json` の出力を添えて報告して"
        "ください。実際の配送では、Postfix のコンテンツフィルターが cqlist の後でフッターや"
        "注意書きを付けると同じことが起こります。文章は cqlist の footer 設定で付けて"
        "ください。"};
  }
  return {
      "Fix what the reason names, then run the doctor again; DKIM-02 and DKIM-03 above "
      "check the key record itself.",
      "理由に示された問題を直してから、もう一度 doctor を実行してください。鍵のレコード"
      "そのものは上の DKIM-02 と DKIM-03 で確認しています。"};
}

Localized list_modifies_title() {
  return {"the list changes posts in ways that break the poster's DKIM signature",
          "リストが投稿を書き換えるため、投稿者の DKIM 署名が壊れます"};
}

Localized list_modifies_why(const std::string& changes_en, const std::string& changes_ja,
                            bool with_list01, bool rewritten) {
  std::string en = fmt::format(
      "The list {}. The poster's signature covers Subject and the body, so it no longer "
      "verifies at the receiver (Google names subject tags and footers as DKIM-breaking).",
      changes_en);
  std::string ja = fmt::format(
      "このリストは{}。投稿者の署名は Subject と本文を対象にしているため、受信側では検証に"
      "失敗します（Google も件名タグとフッターを DKIM を壊す変更として挙げています）。",
      changes_ja);
  if (with_list01) {
    en +=
        " Together with LIST-01 (From kept for posters at domains that enforce DMARC) their "
        "mail is quarantined or rejected.";
    ja +=
        "LIST-01（DMARC を適用しているドメインの投稿者の From をそのまま残す）と重なるため、"
        "その投稿は迷惑メール扱いか拒否になります。";
  } else if (rewritten) {
    en +=
        " From is rewritten for domains that enforce DMARC, so this does not block "
        "delivery; posters at p=none domains still arrive with dmarc=fail.";
    ja +=
        "DMARC を適用しているドメインについては From を書き換えるため配送は妨げられませんが、"
        "p=none のドメインの投稿者のメールは dmarc=fail のまま届きます。";
  }
  return {en, ja};
}

Localized list_modifies_fix(bool rewriting) {
  if (rewriting) {
    return {"To let posters at p=none domains keep a valid signature, drop the tag and footer:",
            "p=none のドメインの投稿者の署名も有効なまま届けるには、件名タグとフッターを"
            "やめてください。"};
  }
  return {
      "Either keep the tag and footer and let cqlist rewrite From where needed, or drop "
      "them so posts arrive unchanged:",
      "件名タグとフッターを残して必要なときに cqlist に From を書き換えさせるか、"
      "両方をやめて投稿をそのまま届けるか、どちらかにしてください。"};
}

Localized list_arc_title(bool on) {
  return on ? Localized{"posts get an ARC seal", "投稿に ARC の署名を付けています"}
            : Localized{"posts get no ARC seal", "投稿に ARC の署名を付けていません"};
}

Localized list_arc_why() {
  return {
      "ARC is optional. It is being moved to Historic at the IETF (April 2026) and Google "
      "no longer documents it; Yahoo, Apple and Microsoft still mention it. It never "
      "replaces rewriting From (LIST-01): receivers decide by the poster's DMARC policy.",
      "ARC は任意です。IETF では Historic への移行が進んでおり（2026 年 4 月）、Google "
      "は説明から外しました。Yahoo、Apple、Microsoft はまだ言及しています。From の"
      "書き換え（LIST-01）の代わりにはなりません。受信側は投稿者のドメインの DMARC "
      "ポリシーで判断します。"};
}

Localized list_alignment_title() {
  return {"Google's alignment rule does not cover list mail",
          "Google の送信者ドメインの一致要件はリストのメールには適用されません"};
}

Localized list_alignment_why() {
  return {
      "Google requires bulk senders' From domain to align with SPF or DKIM for direct "
      "mail, not for mailing lists. The poster domains' own DMARC policies still apply to "
      "every post the list forwards with their From (LIST-01).",
      "Google は大量送信者に、From のドメインを SPF か DKIM と一致させるよう求めていますが、"
      "これは直接送るメールについてであり、メーリングリストは対象外です。ただし、投稿者の "
      "From のまま転送する投稿には、投稿者のドメインの DMARC ポリシーが適用されます"
      "（LIST-01）。"};
}

Localized list_auto_reply_title() {
  return {"replies and notices go out with MAIL FROM:<> and Auto-Submitted",
          "返信や通知は MAIL FROM:<> と Auto-Submitted を付けて送っています"};
}

Localized list_auto_reply_why() {
  return {
      "cqlist sends command replies, confirmations and moderator notices with the null "
      "envelope sender and Auto-Submitted: auto-replied (or auto-generated), so "
      "autoresponders do not answer them and loops cannot start (RFC 3834). With MAIL "
      "FROM:<> receivers check SPF for the HELO name (HELO-03, RFC 7208 §2.4).",
      "cqlist はコマンドへの返信、確認メール、モデレーターへの通知を空のエンベロープ送信者"
      "と Auto-Submitted: auto-replied（または auto-generated）で送ります。自動応答が"
      "返事をせず、ループも起こりません（RFC 3834）。MAIL FROM:<> の場合、受信側は HELO "
      "名で SPF を確認します（HELO-03、RFC 7208 §2.4）。"};
}

Localized pace_title() {
  return {"sending pace and Google's back-off recipe", "送信ペースと Google の推奨する控え方"};
}

Localized pace_why() {
  return {
      "When Gmail answers 4.7.28 (unusual rate), stop sending to it for 10 minutes, resume "
      "on one connection and add connections one at a time. Postfix already retries "
      "deferred mail later; if 4.7.28 keeps coming back, lower the connections to Gmail "
      "as below.",
      "Gmail が 4.7.28（通常と異なる送信量）を返したら、Gmail 宛ての送信を 10 分止め、"
      "接続一本で再開し、接続数は一本ずつ増やしてください。Postfix は一時エラーのメールを"
      "後で再送します。4.7.28 が繰り返し出る場合は、下のように Gmail への接続数を"
      "減らしてください。"};
}

Localized pace_fix() {
  return {
      "If Gmail keeps answering 4.7.28, let Postfix open fewer connections per receiving "
      "domain (the default is 20):",
      "Gmail が 4.7.28 を返し続ける場合は、Postfix が受信ドメインごとに開く接続数を"
      "減らしてください（既定値は 20 です）。"};
}

Localized tls_policy_title(bool dane, bool mta_sts) {
  if (dane || mta_sts) {
    return {fmt::format("outbound mail honours {}", dane && mta_sts ? "DANE and MTA-STS"
                                                    : dane          ? "DANE"
                                                                    : "MTA-STS (policy map)"),
            fmt::format("送信時に {} を守ります", dane && mta_sts ? "DANE と MTA-STS"
                                                  : dane          ? "DANE"
                                                         : "MTA-STS（ポリシーマップ）")};
  }
  return {"outbound mail honours neither DANE nor MTA-STS",
          "送信時に DANE も MTA-STS も使っていません"};
}

Localized tls_policy_why(bool dane, bool mta_sts) {
  if (dane && mta_sts) {
    return {
        "Postfix authenticates receivers that publish TLSA records (DANE) or an MTA-STS "
        "policy, so mail to them cannot be read or diverted on the way.",
        "Postfix は TLSA レコード（DANE）や MTA-STS ポリシーを公開している受信側を認証する"
        "ため、そこへのメールは途中で読まれたり横取りされたりしません。"};
  }
  return {
      "With smtp_tls_security_level = may, Postfix encrypts when it can but accepts any "
      "certificate, so an attacker on the path can still intercept mail. Receivers that "
      "publish DANE (RFC 7672) or MTA-STS (RFC 8461) ask senders to check; honouring them "
      "is optional and does not affect Gmail's acceptance.",
      "smtp_tls_security_level = may の場合、Postfix は可能なら暗号化しますが、どんな"
      "証明書も受け入れるため、経路上の攻撃者はメールを横取りできます。DANE（RFC 7672）や"
      " MTA-STS（RFC 8461）を公開している受信側は送信側に確認を求めています。対応は任意で、"
      "Gmail に受け取ってもらえるかどうかには影響しません。"};
}

Localized tls_policy_fix() {
  return {
      "For DANE, Postfix needs a DNSSEC-validating resolver (e.g. unbound on 127.0.0.1 in "
      "/etc/resolv.conf), then:",
      "DANE には DNSSEC を検証するリゾルバー（/etc/resolv.conf で 127.0.0.1 の unbound "
      "など）が必要です。そのうえで次を実行してください。"};
}

Localized tls_policy_note() {
  return {
      "MTA-STS needs a policy daemon such as postfix-mta-sts-resolver, plugged in with "
      "smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix.",
      "MTA-STS には postfix-mta-sts-resolver などのポリシーデーモンが必要です。"
      "smtp_tls_policy_maps = socketmap:inet:127.0.0.1:8461:postfix で組み込みます。"};
}

}  // namespace cqlist::doctor::texts
