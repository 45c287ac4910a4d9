// doctor/texts_probe.cpp: the `--probe` findings' sentences (checklist OUT-01 probe, TLS-03).
#include "doctor/texts_probe.hpp"

#include <fmt/format.h>

namespace cqlist::doctor::texts {

Localized probe_verify(const std::string& group) {
  return {fmt::format("cqlist doctor --only {} --probe", group),
          fmt::format("cqlist doctor --only {} --probe を実行してください", group)};
}

Localized probe_rerun(const std::string& command) {
  return {command, command + " を実行してください"};
}

Localized probe_no_route_title(const std::string& family) {
  return {fmt::format("no {} route to the Internet", family),
          fmt::format("{} でインターネットに出る経路がありません", family)};
}

Localized probe_no_route_why(const std::string& family, const std::string& target) {
  return {fmt::format("This host has no {} route to {}, so list mail cannot leave over {}; "
                      "it leaves over the other family only.",
                      family, target, family),
          fmt::format("このホストから {} への {} の経路がないため、リストのメールは {} "
                      "では送信されず、もう一方のアドレスファミリーだけで送信されます。",
                      target, family, family)};
}

Localized probe_blocked_title(const std::string& family, bool all_blocked) {
  if (all_blocked) {
    return {fmt::format("port 25 unreachable over {}: mail cannot leave", family),
            fmt::format("{} で 25 番ポートに接続できず、メールを送信できません", family)};
  }
  return {fmt::format("port 25 unreachable over {}", family),
          fmt::format("{} で 25 番ポートに接続できません", family)};
}

Localized probe_blocked_why(const std::string& family, const std::string& target,
                            const std::string& error, bool all_blocked) {
  const std::string en = fmt::format(
      "Connecting to {} over {} failed ({}). Many VPS and home providers block outgoing port "
      "25 until you ask them to open it.",
      target, family, error);
  const std::string ja = fmt::format(
      "{} へ {} で接続できませんでした（{}）。多くの VPS "
      "事業者や家庭向け回線は、申請するまで送信方向の 25 番ポートを塞いでいます。",
      target, family, error);
  if (all_blocked) {
    return {en + " No family got through, so no list mail reaches the big providers.",
            ja + "どのアドレスファミリーでも接続できなかったため、リストのメールは大手の"
                 "メールサービスに届きません。"};
  }
  return {en + " Postfix tries the other family after a timeout, so mail is delayed.",
          ja + "Postfix はタイムアウトの後でもう一方のアドレスファミリーを試すため、"
               "配送が遅れます。"};
}

Localized probe_blocked_fix(const std::string& family) {
  const bool v6 = family == "IPv6";
  return {fmt::format("Ask your provider to open outgoing port 25 over {} (often a form in the "
                      "VPS panel).{}",
                      family,
                      v6 ? " Or send over IPv4 only: postconf -e 'inet_protocols = ipv4' and "
                           "reload Postfix."
                         : ""),
          fmt::format("{} で送信方向の 25 番ポートを開けるよう、事業者に依頼してください（VPS "
                      "の管理画面に申請フォームがあることが多いです）。{}",
                      family,
                      v6 ? "または IPv4 だけで送信するよう、postconf -e 'inet_protocols = ipv4' "
                           "を実行して Postfix を再読み込みしてください。"
                         : "")};
}

Localized probe_unreported_title(const std::string& family) {
  return {fmt::format("port 25 reachable over {}", family),
          fmt::format("{} で 25 番ポートに接続できます", family)};
}

Localized probe_unreported_why(const std::string& target) {
  return {fmt::format("{} answered EHLO but did not say which address it saw, so the egress "
                      "address could not be confirmed.",
                      target),
          fmt::format("{} は EHLO に応答しましたが、接続元として見えたアドレスを返さなかったため、"
                      "送信元アドレスは確認できませんでした。",
                      target)};
}

Localized probe_seen_title(const std::string& family, const std::string& seen, bool expected) {
  if (expected) {
    return {fmt::format("receivers see {} over {}, as checked", seen, family),
            fmt::format("受信側から見える {} の送信元は {} で、確認したアドレスと一致します",
                        family, seen)};
  }
  return {fmt::format("receivers see {} over {}, not the address checked", seen, family),
          fmt::format("受信側から見える {} の送信元は {} で、確認したアドレスと異なります", family,
                      seen)};
}

Localized probe_seen_why(const std::string& family, const std::string& seen,
                         const std::string& assumed, bool expected, bool relayed) {
  if (expected) {
    Localized why{fmt::format("The provider's MX saw this host as {}, the {} address the SPF and "
                              "PTR checks ran for.",
                              seen, family),
                  fmt::format("大手メールサービスの MX はこのホストを {} "
                              "として認識しました。SPF と逆引きの確認を行った {} "
                              "アドレスと同じです。",
                              seen, family)};
    if (relayed) {
      why.en += " List mail itself leaves through the relay.";
      why.ja += "なお、リストのメール自体はリレー経由で送信されます。";
    }
    return why;
  }
  const std::string checked_en = assumed.empty() ? fmt::format("no {} address was checked", family)
                                                 : fmt::format("the doctor checked {}", assumed);
  const std::string checked_ja = assumed.empty()
                                     ? fmt::format("{} のアドレスは確認していません", family)
                                     : fmt::format("確認したのは {} です", assumed);
  Localized why{
      fmt::format("The provider's MX saw this host as {} over {}, but {}. Receivers judge SPF "
                  "and the PTR by the address they see, so both must cover {}. This usually "
                  "means NAT, or Postfix binding another address.",
                  seen, family, checked_en, seen),
      fmt::format("大手メールサービスの MX からは、このホストは {} の {} "
                  "に見えていますが、{}。受信側は見えたアドレスで SPF と逆引きを判定するため、"
                  "どちらも {} を対象にする必要があります。多くの場合、NAT の内側にあるか、"
                  "Postfix が別のアドレスを使っていることが原因です。",
                  family, seen, checked_ja, seen)};
  if (relayed) {
    why.en +=
        " List mail itself leaves through the relay, so this matters only for mail this "
        "host sends directly.";
    why.ja +=
        "なお、リストのメール自体はリレー経由で送信されるため、影響するのはこのホストが"
        "直接送るメールだけです。";
  }
  return why;
}

Localized probe_seen_fix(const std::string& seen) {
  return {fmt::format("Run the checks for the address receivers see (add --ip for each family "
                      "you send from) and fix what they report: SPF must list {} and its PTR "
                      "must name your mail host.",
                      seen),
          fmt::format("受信側から見えるアドレスで確認をやり直し（送信に使うアドレスファミリー"
                      "ごとに --ip を指定してください）、報告された点を直してください。SPF に "
                      "{} を含め、その逆引きをメールサーバーの名前にする必要があります。",
                      seen)};
}

Localized mx_tls_title(const std::string& mx, MxTlsState state) {
  switch (state) {
    case MxTlsState::unreachable:
      return {fmt::format("MX {} could not be reached", mx),
              fmt::format("MX {} に接続できません", mx)};
    case MxTlsState::no_starttls:
      return {fmt::format("MX {} does not offer STARTTLS", mx),
              fmt::format("MX {} は STARTTLS を提供していません", mx)};
    case MxTlsState::handshake_failed:
      return {fmt::format("TLS handshake with MX {} failed", mx),
              fmt::format("MX {} との TLS ハンドシェイクに失敗しました", mx)};
    case MxTlsState::untrusted:
      return {fmt::format("MX {} has a certificate senders cannot verify", mx),
              fmt::format("MX {} の証明書は送信側で検証できません", mx)};
    case MxTlsState::ok:
      break;
  }
  return {fmt::format("MX {} offers STARTTLS with a valid certificate", mx),
          fmt::format("MX {} は有効な証明書で STARTTLS を提供しています", mx)};
}

Localized mx_tls_unreachable_why(const std::string& mx, const std::string& error) {
  return {fmt::format("Connecting to {} on port 25 failed ({}), so its STARTTLS could not be "
                      "checked. If this host's outgoing port 25 is open, senders may not reach "
                      "it either, and posts to the list wait in their queues.",
                      mx, error),
          fmt::format("{} の 25 番ポートに接続できなかったため（{}）、STARTTLS "
                      "を確認できませんでした。このホストから送信方向の 25 "
                      "番ポートが使えるなら、他の送信者も接続できず、リストへの投稿が相手側の"
                      "キューで止まっている可能性があります。",
                      mx, error)};
}

Localized mx_tls_no_starttls_why(const std::string& mx) {
  return {fmt::format("{} does not list STARTTLS in its EHLO reply, so posts to the list reach "
                      "it unencrypted. Senders with MTA-STS or DANE requirements refuse to "
                      "deliver.",
                      mx),
          fmt::format("{} の EHLO 応答に STARTTLS "
                      "がないため、リストへの投稿は暗号化されずに届きます。MTA-STS や DANE "
                      "を求める送信側は配送を拒みます。",
                      mx)};
}

Localized mx_tls_handshake_why(const std::string& mx, const std::string& error) {
  return {fmt::format("{} offers STARTTLS but the TLS handshake failed ({}). Most senders then "
                      "retry without TLS or give up, so posts are delayed or sent in the clear.",
                      mx, error),
          fmt::format("{} は STARTTLS を提供していますが、TLS "
                      "ハンドシェイクに失敗しました（{}）。多くの送信側は TLS "
                      "なしで再送するか諦めるため、投稿が遅れたり暗号化されずに届いたりします。",
                      mx, error)};
}

Localized mx_tls_untrusted_why(const std::string& mx, const std::string& reason) {
  return {fmt::format("The certificate {} presents did not verify: {}. Most senders still "
                      "deliver over unverified TLS, but senders that enforce MTA-STS or verify "
                      "certificates refuse, and a later MTA-STS policy in enforce mode would "
                      "stop all of them.",
                      mx, reason),
          fmt::format("{} が提示した証明書を検証できませんでした（{}）。多くの送信側は検証なしの "
                      "TLS で配送を続けますが、MTA-STS を適用する送信側や証明書を検証する送信側は"
                      "配送を拒みます。将来 MTA-STS を enforce にすると、すべての送信側が"
                      "配送を拒むことになります。",
                      mx, reason)};
}

Localized mx_tls_ok_why(const std::string& mx, const std::string& version) {
  return {fmt::format("{} offers STARTTLS, the handshake succeeded ({}), and its certificate "
                      "chains to a trusted CA and names the MX host.",
                      mx, version),
          fmt::format("{} は STARTTLS を提供し、ハンドシェイクに成功しました（{}）。証明書は信頼"
                      "された CA につながり、MX のホスト名とも一致しています。",
                      mx, version)};
}

Localized mx_tls_fix(const std::string& mx, MxTlsState state) {
  const std::string chain = fmt::format(
      "postconf -e 'smtpd_tls_chain_files = /etc/letsencrypt/live/{0}/privkey.pem, "
      "/etc/letsencrypt/live/{0}/fullchain.pem' 'smtpd_tls_security_level = may'",
      mx);
  switch (state) {
    case MxTlsState::unreachable:
      return {fmt::format("Check that the mail server on {} runs and that port 25 is open in "
                          "its firewall.",
                          mx),
              fmt::format("{} のメールサーバーが動いていること、ファイアウォールで 25 "
                          "番ポートが開いていることを確認してください。",
                          mx)};
    case MxTlsState::no_starttls:
    case MxTlsState::handshake_failed:
    case MxTlsState::untrusted:
      return {fmt::format("Give {0} a certificate for the name {0} from a public CA (Let's "
                          "Encrypt: certbot certonly -d {0}) with its full chain, and turn "
                          "STARTTLS on. In Postfix: {1}, then postfix reload.",
                          mx, chain),
              fmt::format("{0} に、公開 CA が発行した {0} "
                          "名義の証明書を中間証明書込みで設定し、STARTTLS "
                          "を有効にしてください（Let's Encrypt なら certbot certonly -d "
                          "{0}）。Postfix では {1} を実行し、postfix reload してください。",
                          mx, chain)};
    case MxTlsState::ok:
      break;
  }
  return {};
}

}  // namespace cqlist::doctor::texts
