// bounce/reasons.cpp: the reason table (side, member action, meaning).
//
// Sides where the project's reading needed a decision (reason-sides.tsv's extra columns):
//   - mailererror and systemfull are the member's provider's infrastructure: they pass, so they
//     are transient and count only when they persist;
//   - norelaying ("relay access denied") usually means the member's domain points at a host
//     that no longer takes its mail, sometimes a routing mistake on the list's side: counted
//     only when it persists, like a transient failure;
//   - failedstarttls is the list's transport (its TLS settings or the peer's): sender side.
#include "bounce/reasons.hpp"

#include <array>

namespace cqlist::bounce {
namespace {

using enum Side;
constexpr MemberAction count = MemberAction::count;
constexpr MemberAction weak = MemberAction::weak;
constexpr MemberAction none = MemberAction::none;
constexpr MemberAction stop = MemberAction::stop;

constexpr std::array kReasons = {
    // The member's mailbox or domain.
    ReasonInfo{"userunknown", recipient, count,
               "The address does not exist at the member's provider.",
               "宛先のメールアドレスが存在しません。"},
    ReasonInfo{"hostunknown", recipient, count,
               "The member's mail domain does not exist or has no mail server.",
               "宛先のドメインが存在しないか、メールサーバがありません。"},
    ReasonInfo{"hasmoved", recipient, count,
               "The member's mailbox has moved and mail is not forwarded.",
               "宛先のメールボックスは移転しており、転送されていません。"},
    ReasonInfo{"notaccept", recipient, count,
               "The member's mail server accepts no mail at all (null MX or closed).",
               "宛先のメールサーバはメールを一切受け付けていません。"},
    ReasonInfo{"suspend", recipient, count, "The member's account is suspended or disabled.",
               "宛先のアカウントが停止または無効化されています。"},
    ReasonInfo{"mailboxfull", recipient, count, "The member's mailbox is full.",
               "宛先のメールボックスが容量を超えています。"},
    ReasonInfo{
        "filtered", recipient, count,
        "The member's mailbox refused this sender (a personal filter or an inactive mailbox).",
        "宛先のメールボックスがこの送信者を拒否しました(個人の受信設定など)。"},
    ReasonInfo{"suppressed", recipient, count,
               "The address is on a suppression list after earlier failures.",
               "以前の配送失敗により、宛先が配信停止リストに載っています。"},
    // Passing conditions at the member's provider or on the way.
    ReasonInfo{"mailererror", transient, weak,
               "The member's server failed to hand the mail to its local delivery program.",
               "宛先サーバの配送プログラムがエラーで終了しました。"},
    ReasonInfo{"systemfull", transient, weak, "The member's mail server is out of disk space.",
               "宛先のメールサーバのディスクが一杯です。"},
    ReasonInfo{"systemerror", transient, weak, "The member's mail server had an internal error.",
               "宛先のメールサーバで内部エラーが起きました。"},
    ReasonInfo{"networkerror", transient, weak,
               "The member's mail server could not be reached (DNS or network problem, mail loop).",
               "宛先のメールサーバに接続できませんでした(DNS やネットワークの問題、配送ループ)。"},
    ReasonInfo{"expired", transient, weak,
               "The mail could not be delivered before the retry time ran out.",
               "再送期限内に配送できませんでした。"},
    ReasonInfo{"norelaying", transient, weak,
               "The receiving server does not take mail for this domain (relaying denied).",
               "受信サーバがこのドメイン宛のメールを受け付けていません(リレー拒否)。"},
    // The list's own sending setup.
    ReasonInfo{"authfailure", sender, none,
               "The list's mail failed SPF, DKIM or DMARC checks at the receiver.",
               "リストのメールが受信側の SPF・DKIM・DMARC 検査に通りませんでした。"},
    ReasonInfo{
        "badreputation", sender, none,
        "The receiver distrusts the list server's IP address or domain (reputation, complaints).",
        "受信側がリストサーバの IP アドレスやドメインの評判を理由に拒否しました。"},
    ReasonInfo{
        "blocked", sender, none,
        "The receiver refused the list server's IP address or host name (block list, policy).",
        "受信側がリストサーバの IP アドレスまたはホスト名を拒否しました(ブロックリストなど)。"},
    ReasonInfo{"requireptr", sender, none,
               "The list server's IP address has no valid reverse DNS (PTR) record.",
               "リストサーバの IP アドレスに正しい逆引き(PTR)レコードがありません。"},
    ReasonInfo{
        "notcompliantrfc", sender, none,
        "The list's message does not follow the mail format standards the receiver enforces.",
        "リストのメールが受信側の求めるメール形式の規格に沿っていません。"},
    ReasonInfo{"rejected", sender, none, "The receiver refused the list's envelope sender address.",
               "受信側がリストのエンベロープ送信者アドレスを拒否しました。"},
    ReasonInfo{"securityerror", sender, none,
               "The receiver refused the connection or sender for a security reason.",
               "受信側がセキュリティ上の理由で接続または送信者を拒否しました。"},
    ReasonInfo{"syntaxerror", sender, none,
               "The receiver did not understand an SMTP command from the list's mail server.",
               "受信側がリストのメールサーバの SMTP コマンドを理解できませんでした。"},
    ReasonInfo{"ratelimited", sender, none,
               "The list server sent too fast or opened too many connections.",
               "リストサーバの送信速度または同時接続数が多すぎます。"},
    ReasonInfo{"speeding", sender, none,
               "The list server sent too fast (older name of ratelimited).",
               "リストサーバの送信速度が速すぎます。"},
    ReasonInfo{"toomanyconn", sender, none,
               "The list server opened too many connections (older name of ratelimited).",
               "リストサーバの同時接続数が多すぎます。"},
    ReasonInfo{"failedstarttls", sender, none,
               "The TLS (STARTTLS) handshake with the receiver failed.",
               "受信側との TLS(STARTTLS)接続に失敗しました。"},
    // This message.
    ReasonInfo{"spamdetected", message, none,
               "The receiver's spam filter judged this message as spam.",
               "受信側の迷惑メールフィルタがこのメールを迷惑メールと判定しました。"},
    ReasonInfo{
        "policyviolation", message, none,
        "This message broke a policy of the receiver (content, attachments, DMARC of the author).",
        "このメールが受信側のポリシー(内容、添付、作成者の DMARC など)に反しました。"},
    ReasonInfo{"contenterror", message, none, "This message's header or format was refused.",
               "このメールのヘッダや形式が拒否されました。"},
    ReasonInfo{"virusdetected", message, none, "The receiver found a virus in this message.",
               "受信側がこのメールにウイルスを検出しました。"},
    ReasonInfo{"emailtoolarge", message, none, "This message is larger than the receiver accepts.",
               "このメールは受信側が受け付けるサイズを超えています。"},
    ReasonInfo{"mesgtoobig", message, none,
               "This message is larger than the receiver accepts (older name of emailtoolarge).",
               "このメールは受信側が受け付けるサイズを超えています。"},
    ReasonInfo{"exceedlimit", message, none,
               "This message exceeds a limit of the receiver (older name of emailtoolarge).",
               "このメールは受信側の制限を超えています。"},
    // Not failures of delivery.
    ReasonInfo{"feedback", complaint, stop, "The member reported list mail as spam.",
               "会員がリストのメールを迷惑メールとして報告しました。"},
    ReasonInfo{"vacation", not_a_bounce, none, "An automatic reply (out of office), not a failure.",
               "不在通知などの自動応答で、配送の失敗ではありません。"},
    ReasonInfo{"delivered", not_a_bounce, none, "A notice that the mail was delivered.",
               "配送が成功したことの通知です。"},
    // Nothing to go on.
    ReasonInfo{"onhold", unknown, none, "The report says too little to tell why delivery failed.",
               "配送失敗の理由を判断できるだけの情報がありません。"},
    ReasonInfo{"undefined", unknown, none, "The reason for the failure could not be found.",
               "配送失敗の理由が分かりませんでした。"},
};

}  // namespace

std::span<const ReasonInfo> all_reasons() {
  return kReasons;
}

const ReasonInfo& reason_info(std::string_view name) {
  for (const ReasonInfo& info : kReasons) {
    if (info.name == name) {
      return info;
    }
  }
  return kReasons.back();
}

bool is_reason(std::string_view name) {
  return reason_info(name).name == name;
}

}  // namespace cqlist::bounce
