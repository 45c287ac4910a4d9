// bounce/bounce_text.cpp: the English and Japanese texts of bounce notices and alerts.
//
// The member's notices are short and say what happens next without asking anything of a
// reader whose mailbox may be fine again. The owners' texts are for an operator who runs the
// server but is no mail-authentication expert: what the receiver said, what it means, whose
// problem it is, and the one thing to do.
#include "bounce/bounce_text.hpp"

#include <array>
#include <cstddef>

#include "base/text_table.hpp"

namespace cqlist::bounce {
namespace {

constexpr std::size_t kTextCount = static_cast<std::size_t>(BounceText::count_);

using Entry = TextEntry<BounceText>;

constexpr Entry kEntries[] = {
    {BounceText::disabled_subject, "Delivery of {list} to you is paused",
     "{list} からの配信を一時停止しました"},
    {BounceText::disabled_body,
     "Mail from the list {list} to {address} has bounced repeatedly. The last bounce said:\n"
     "\n"
     "  {diagnostic}\n"
     "\n"
     "Delivery to this address is paused. Every {interval} the list sends a short test\n"
     "message; when one arrives without bouncing, delivery resumes by itself. After {probes}\n"
     "test messages that bounce, the address is removed from the list.\n"
     "\n"
     "To reach a person, write to {owner}.",
     "メーリングリスト {list} から {address} 宛のメールが繰り返し配送できませんでした。"
     "最後のエラーは次のとおりです。\n"
     "\n"
     "  {diagnostic}\n"
     "\n"
     "このアドレスへの配信を一時停止しました。{interval} ごとに短い確認メールをお送りし、"
     "配送できた時点で配信を自動的に再開します。確認メールが {probes} "
     "回配送できなかった場合は、このアドレスをメーリングリストから削除いたします。\n"
     "\n"
     "担当者へのご連絡は {owner} までお願いいたします。"},
    {BounceText::probe_subject, "Test message from {list}", "{list} からの確認メール"},
    {BounceText::probe_body,
     "This is a test message from the list {list} to {address}. Delivery to this address\n"
     "was paused because earlier mail bounced. Nothing needs to be done: if this message\n"
     "arrives without bouncing, delivery resumes within {interval}.\n"
     "\n"
     "To reach a person, write to {owner}.",
     "メーリングリスト {list} から {address} 宛の確認メールです。以前のメールが配送できな"
     "かったため、このアドレスへの配信を一時停止しています。特にお手続きは必要ありません。"
     "このメールが正常に届いていれば、{interval} 以内に配信を再開します。\n"
     "\n"
     "担当者へのご連絡は {owner} までお願いいたします。"},
    {BounceText::removed_subject, "{address} was removed from {list}: mail kept bouncing",
     "{address} を {list} から削除しました（配送エラーが続いたため）"},
    {BounceText::removed_body,
     "{address} was unsubscribed from {list}. Delivery to it had been paused since {since}\n"
     "because mail to it bounced (bounce score {score}), and the {probes} test messages sent\n"
     "since then bounced too. The last bounce said:\n"
     "\n"
     "  {diagnostic}\n"
     "\n"
     "Only failures of the member's own mailbox counted; problems of the list's sending\n"
     "setup never do. To add the address again: cqlist members add {list} {address}",
     "{address} を {list} から退会させました。このアドレス宛のメールが配送できなかったため "
     "{since} から配信を停止しており（バウンススコア {score}）、その後の確認メール {probes} "
     "通もすべて配送できませんでした。最後のエラーは次のとおりです。\n"
     "\n"
     "  {diagnostic}\n"
     "\n"
     "数えたのは会員側のメールボックスの問題だけで、メーリングリスト側の送信設定の問題は"
     "数えていません。再登録するには: cqlist members add {list} {address}"},
    {BounceText::alert_subject, "{list}: receivers refused the list's mail ({count} bounces)",
     "{list}: 受信側サーバーがメーリングリストのメールを拒否しました（{count} 件）"},
    {BounceText::alert_intro,
     "Receiving mail servers refused mail from {list} because of how the list sends it,\n"
     "not because of the members' mailboxes. Members are not penalised for these bounces:\n"
     "their bounce scores are unchanged. Refused since {since}, by provider and reason:",
     "受信側のメールサーバーが {list} "
     "のメールを拒否しました。原因は会員のメールボックスではなく、メーリングリスト側の送信"
     "方法にあります。これらのエラーで会員のバウンススコアが増えることはありません。{since} "
     "以降に拒否されたものを、事業者と理由ごとにまとめました。"},
    {BounceText::alert_group, "{provider}, {reason}: {count} bounces, {members} members",
     "{provider}、{reason}: {count} 件、会員 {members} 人"},
    {BounceText::alert_said, "  The receiver said: {diagnostic}", "  受信側の応答: {diagnostic}"},
    {BounceText::alert_means, "  What it means: {meaning}", "  意味: {meaning}"},
    {BounceText::alert_whose,
     "  Whose problem: the list's own sending setup (members are not penalised).",
     "  原因: メーリングリスト側の送信設定です（会員には影響させていません）。"},
    {BounceText::alert_fix, "  Fix: {fix}", "  対処: {fix}"},
    {BounceText::alert_footer,
     "You get at most one such summary every {period}. `cqlist bounces --list {list}` shows\n"
     "the details.",
     "このお知らせは {period} に 1 通までお送りします。詳細は `cqlist bounces --list {list}` "
     "でご確認いただけます。"},
};

// Every text has its entry, in both languages: a missing one would be an empty mail.
constexpr auto kTable = index_by_id(kEntries);
static_assert(std::size(kEntries) == kTextCount, "one entry per BounceText");
static_assert(every_text_present(kTable), "every BounceText has an English and a Japanese text");

struct Advice {
  std::string_view key;
  std::string_view meaning_en;
  std::string_view meaning_ja;
  std::string_view fix_en;
  std::string_view fix_ja;
};

// The last entry is the fallback for keys not listed.
constexpr Advice kAdvice[] = {
    {"authentication",
     "the receiver could not verify that the mail comes from the list's domain: SPF or DKIM "
     "did not pass, or did not match the From domain (DMARC).",
     "受信側が、メールが本当にメーリングリストのドメインから送られたものか確認できません"
     "でした（SPF または DKIM の失敗、または From のドメインとの不一致＝DMARC）。",
     "run `cqlist doctor` — it prints the exact DNS records to publish (SPF, DKIM, DMARC).",
     "`cqlist doctor` を実行してください。公開すべき DNS レコード（SPF、DKIM、DMARC）を"
     "そのまま表示します。"},
    {"ptr",
     "the sending server's IP address has no reverse DNS name (PTR), or that name does not "
     "point back to the address.",
     "送信サーバーの IP アドレスに逆引き（PTR）が設定されていないか、その名前が同じ "
     "IP アドレスを指していません。",
     "ask whoever runs the IP address (your hosting provider) to set its PTR record to the "
     "server's host name, and make that name's A/AAAA record point back to the same address.",
     "IP アドレスの管理者（ホスティング事業者）に、PTR レコードをサーバーのホスト名に設定"
     "するよう依頼し、そのホスト名の A/AAAA レコードが同じアドレスを指すようにしてください。"},
    {"reputation",
     "the receiver judged the list's mail likely spam, or the sending IP address or domain is "
     "on a block list.",
     "受信側がメーリングリストのメールを迷惑メールの可能性が高いと判断したか、送信元の "
     "IP アドレスまたはドメインがブロックリストに載っています。",
     "look the sending IP address and domain up on the block list the reply names (e.g. "
     "Spamhaus) and ask for removal; make sure only confirmed members get mail and that "
     "one-click unsubscribe works (cqlist list set LIST personalize=true).",
     "応答に書かれているブロックリスト（Spamhaus など）で送信元 IP アドレスとドメインを"
     "確認し、削除を依頼してください。確認済みの会員にだけ送っていること、ワンクリック"
     "退会が使えること（cqlist list set LIST personalize=true）もご確認ください。"},
    {"rate",
     "the list sent faster or more at once than the receiver accepts; it is deferring or "
     "refusing the excess.",
     "受信側が受け付ける量や速さを超えて送信したため、超えた分が保留または拒否されて"
     "います。",
     "slow Postfix down for that destination (in main.cf: smtp_destination_concurrency_limit = "
     "2 and smtp_destination_rate_delay = 1s) and let the queue retry; nothing is lost.",
     "その宛先への Postfix の送信を遅くしてください（main.cf で "
     "smtp_destination_concurrency_limit = 2 と smtp_destination_rate_delay = 1s）。"
     "キューが再送するので、メールは失われません。"},
    {"", "the receiver refused the mail for a reason on the list's side.",
     "受信側が、メーリングリスト側に原因があるとしてメールを拒否しました。",
     "run `cqlist doctor` to check the list's sending setup, and read the receiver's words "
     "above.",
     "`cqlist doctor` で送信設定を確認し、上記の受信側の応答をご確認ください。"},
};

const Advice& advice_for(std::string_view key) {
  for (const Advice& advice : kAdvice) {
    if (advice.key == key) {
      return advice;
    }
  }
  return kAdvice[std::size(kAdvice) - 1];
}

}  // namespace

std::string_view text(list::Language language, BounceText id) {
  const Entry& entry = kTable[static_cast<std::size_t>(id)];
  return language == list::Language::ja ? entry.ja : entry.en;
}

std::string say_args(list::Language language, BounceText id, fmt::format_args args) {
  return format_text(text(language, id), args, "bounce.text_field_missing", static_cast<int>(id));
}

std::string_view advice_meaning(list::Language language, std::string_view advice) {
  const Advice& entry = advice_for(advice);
  return language == list::Language::ja ? entry.meaning_ja : entry.meaning_en;
}

std::string_view advice_fix(list::Language language, std::string_view advice) {
  const Advice& entry = advice_for(advice);
  return language == list::Language::ja ? entry.fix_ja : entry.fix_en;
}

}  // namespace cqlist::bounce
