// list/notices_text.cpp: the English and Japanese texts of replies and notices.
//
// The Japanese texts are written as a Japanese list server would write them to its members:
// polite (desu/masu, "o-kudasai"), with the command words left in ASCII because they are what
// the reader has to type.
#include "list/notices_text.hpp"

#include <array>
#include <cstddef>

#include "base/text_table.hpp"

namespace cqlist::list {
namespace {

constexpr std::size_t kTextCount = static_cast<std::size_t>(Text::count_);

using Entry = TextEntry<Text>;

constexpr Entry kEntries[] = {
    {Text::results_subject, "Results of your commands to {request}",
     "{request} へのコマンドの処理結果"},
    {Text::results_intro,
     "This is the mail server of the list {list}. Here are the results of your commands.",
     "メーリングリスト {list} "
     "のサーバーです。お送りいただいたコマンドの処理結果をお知らせします。"},
    {Text::results_footer, "To reach a person, write to {owner}.",
     "担当者へのご連絡は {owner} までお願いいたします。"},
    {Text::no_command,
     "No command was found in your message. These are the commands {request} understands:",
     "お送りいただいたメールにはコマンドが見つかりませんでした。{request} "
     "で利用できるコマンドは次のとおりです。"},
    {Text::unknown_command,
     "Unknown command: {line}\nThe rest of your message was not read. Send \"help\" to "
     "{request} for the list of commands.",
     "不明なコマンドです: {line}\nこれ以降の内容は処理していません。コマンドの一覧は、{request} "
     "宛に「help」とお送りいただくとご覧いただけます。"},
    {Text::too_many_commands,
     "Only the first {max} commands of a message are carried out; the rest was not read.",
     "一通のメールで処理できるコマンドは {max} 個までのため、それ以降は処理していません。"},
    {Text::usage, "This command was not understood. Use it like this: {usage}",
     "コマンドの書き方が正しくありません。次のようにお書きください: {usage}"},
    {Text::internal_error,
     "This command could not be carried out because of a problem on the server. Please try "
     "again later; the list owner can find the details in the server log.",
     "サーバー側の問題により、このコマンドを処理できませんでした。恐れ入りますが、"
     "しばらくしてからもう一度お試しください。"},
    {Text::help,
     "Commands for {list}. Send them to {request}, one per line, in the subject or the body\n"
     "of a message (a leading \"#\" is allowed):\n"
     "\n"
     "  help                   this text\n"
     "  subscribe [ADDRESS]    join the list (you will be asked to confirm)\n"
     "  unsubscribe [ADDRESS]  leave the list (also \"bye\"; you will be asked to confirm)\n"
     "  confirm CODE           finish a subscribe, unsubscribe or delivery change\n"
     "  get N, get N-M         send article N, or articles N to M (at most 100 at a time)\n"
     "  index                  list the last 50 articles\n"
     "  members                list the members (for the list's owners and moderators)\n"
     "  digest on|off          receive posts as digests, or one by one again\n"
     "  nomail on|off          pause delivery to you, or resume it\n"
     "  end                    stop reading here (before a signature)\n"
     "\n"
     "Moderators decide on a held post by replying to its notice with \"approve\",\n"
     "\"reject REASON\" or \"discard\" on the first line, or by sending \"approve CODE\",\n"
     "\"reject CODE REASON\" or \"discard CODE\".\n"
     "\n"
     "To post to the list, write to {posting}.",
     "{list} で利用できるコマンドの一覧です。コマンドは {request} 宛に、件名または本文に\n"
     "1 行に 1 つずつ書いてお送りください（先頭に「#」を付けても構いません）。\n"
     "\n"
     "  help                    この説明をお送りします\n"
     "  subscribe [アドレス]    メーリングリストに参加します（確認のメールをお送りします）\n"
     "  unsubscribe [アドレス]  メーリングリストから退会します（bye も使えます。確認のメールを"
     "お送りします）\n"
     "  confirm 確認コード      参加・退会・配信方法の変更のお手続きを完了します\n"
     "  get N、get N-M          N 番の記事、または N 番から M 番までの記事をお送りします"
     "（一度に 100 件まで）\n"
     "  index                   最近の 50 件の記事の一覧をお送りします\n"
     "  members                 メンバーの一覧をお送りします（管理者・モデレーターの方向け）\n"
     "  digest on|off           まとめ読み（ダイジェスト）での配信に切り替えます／"
     "通常の配信に戻します\n"
     "  nomail on|off           配信を一時停止します／再開します\n"
     "  end                     ここで読み取りを終えます（署名の前にお書きください）\n"
     "\n"
     "モデレーターの方は、保留通知のメールに返信し、本文の 1 行目に approve（承認）、\n"
     "reject 理由（却下）、discard（破棄）のいずれかをお書きいただくと、保留中の投稿を\n"
     "処理できます。「approve コード」「reject コード 理由」「discard コード」の形で\n"
     "お送りいただくこともできます。\n"
     "\n"
     "メーリングリストへの投稿は {posting} 宛にお送りください。"},

    {Text::confirm_sent,
     "A confirmation request was sent to {address}. Reply to it within 3 days to finish.",
     "{address} 宛に確認のメールをお送りしました。3 日以内にそのメールへ返信していただくと、"
     "お手続きが完了します。"},
    {Text::confirm_waiting,
     "A confirmation request for {address} was sent earlier and is still waiting for a reply, "
     "so no new one was sent: one request at a time goes to an address, so that repeated mails "
     "cannot fill its mailbox. Please reply to that request (its subject starts with "
     "\"confirm\"). If it is lost, you can ask again after {expires}.",
     "{address} 宛の確認のメールは以前にお送りしており、まだご返信をお待ちしているため、"
     "新たにはお送りしていません（同じメールが繰り返し届くことのないよう、確認のメールは"
     "1 つのアドレスに一度に 1 通のみお送りしています）。お手元の確認のメール（件名が"
     "「confirm」で始まるもの）にご返信ください。見当たらない場合は、{expires} 以降に"
     "もう一度お申し込みください。"},
    {Text::third_party_notice,
     "{address} was sent a confirmation request if one was needed; whoever reads that mailbox "
     "decides. No new request is sent while an earlier one to {address} is still waiting "
     "(requests are valid for 3 days). (For privacy, this reply does not say whether {address} "
     "is a member, nor whether a request was sent now.)",
     "{address} には、必要な場合に確認のメールをお送りしました。そのアドレスの方のご判断を"
     "お待ちください。以前にお送りした確認のメール（有効期間は 3 日間です）へのご返信を"
     "お待ちしている間は、新たにはお送りしません（プライバシー保護のため、{address} が"
     "メンバーかどうか、今回お送りしたかどうかはお知らせしていません）。"},
    {Text::third_party_limit,
     "Nothing was done for {address}: one message can ask for at most one address other than "
     "the sender's own, so that the list cannot be used to send confirmation requests to many "
     "people at once. Please send a separate message for {address}.",
     "{address} については処理していません。多くの方に一度に確認のメールが送られることの"
     "ないよう、ご自身以外のアドレスについてのお申し込みは、1 通のメールにつき 1 件までと"
     "しています。{address} については、別のメールでお申し込みください。"},
    {Text::already_member, "{address} is already a member of {list}.",
     "{address} はすでに {list} のメンバーです。"},
    {Text::not_member, "{address} is not a member of {list}.",
     "{address} は {list} のメンバーではありません。"},
    {Text::bad_address, "\"{address}\" is not an e-mail address this list can use.",
     "「{address}」はメールアドレスとして使用できません。"},
    {Text::members_only, "This command is for members of {list}, and {address} is not one.",
     "このコマンドは {list} のメンバーの方専用です。{address} はメンバーではありません。"},
    {Text::confirm_subject, "confirm {token}", "confirm {token}"},
    {Text::confirm_subscribe_body,
     "Someone, hopefully you, asked to subscribe {address}\n"
     "to the mailing list {list}.\n"
     "\n"
     "To confirm, reply to this message (the address it replies to carries your\n"
     "confirmation code), or send a message to {request} with this subject:\n"
     "\n"
     "  confirm {token}\n"
     "\n"
     "{link}If you did not ask for this, ignore this message: nothing happens without your\n"
     "reply. The request expires in 3 days.",
     "{address} をメーリングリスト {list} に登録するお申し込みを受け付けました。\n"
     "\n"
     "登録を完了するには、このメールにそのまま返信してください（返信先のアドレスに確認コードが"
     "含まれています）。\nまたは、次の件名のメールを {request} 宛にお送りください。\n"
     "\n"
     "  confirm {token}\n"
     "\n"
     "{link}お心当たりのない場合は、このメールを破棄してください。"
     "ご返信がない限り登録されることはありません。\nこのお申し込みは 3 日後に無効になります。"},
    {Text::confirm_unsubscribe_body,
     "Someone, hopefully you, asked to remove {address}\n"
     "from the mailing list {list}.\n"
     "\n"
     "To confirm, reply to this message (the address it replies to carries your\n"
     "confirmation code), or send a message to {request} with this subject:\n"
     "\n"
     "  confirm {token}\n"
     "\n"
     "{link}If you did not ask for this, ignore this message: you stay a member unless you\n"
     "reply. The request expires in 3 days.",
     "{address} をメーリングリスト {list} から退会させるお申し込みを受け付けました。\n"
     "\n"
     "退会を完了するには、このメールにそのまま返信してください（返信先のアドレスに確認コードが"
     "含まれています）。\nまたは、次の件名のメールを {request} 宛にお送りください。\n"
     "\n"
     "  confirm {token}\n"
     "\n"
     "{link}お心当たりのない場合は、このメールを破棄してください。"
     "ご返信がない限り、引き続きメンバーのままです。\nこのお申し込みは 3 日後に無効になります。"},
    {Text::confirm_link, "You can also confirm by opening this link:\n\n  {url}\n\n",
     "次のリンクを開いて確認していただくこともできます。\n\n  {url}\n\n"},
    {Text::confirm_unknown,
     "The confirmation code {token} is unknown or has expired (codes are valid for 3 days), so "
     "nothing was changed. To start again, send \"subscribe\" or \"unsubscribe\" to {request}.",
     "確認コード {token} は見つからないか、有効期限（3 日間）が切れているため、"
     "登録内容は変更されていません。もう一度お手続きいただく場合は、{request} 宛に"
     "「subscribe」または「unsubscribe」とお送りください。"},
    {Text::confirm_done_subscribe, "{address} is now a member of {list}.",
     "{address} を {list} のメンバーとして登録いたしました。"},
    {Text::confirm_done_unsubscribe, "{address} has been removed from {list}.",
     "{address} を {list} から削除いたしました。"},
    {Text::welcome_subject, "Welcome to {list}", "{list} へようこそ"},
    {Text::welcome_body,
     "{address} is now a member of {list}.\n"
     "\n"
     "To post, write to {posting}.\n"
     "To leave, send \"unsubscribe\" to {request}; \"help\" there lists every command.\n"
     "To reach a person, write to {owner}.",
     "{address} を {list} のメンバーとして登録いたしました。\n"
     "\n"
     "投稿は {posting} 宛にお送りください。\n"
     "退会される場合は {request} 宛に「unsubscribe」とお送りください。"
     "同じアドレスに「help」とお送りいただくと、コマンドの一覧をお知らせします。\n"
     "担当者へのご連絡は {owner} までお願いいたします。"},
    {Text::goodbye_subject, "You have left {list}", "{list} からの退会手続きが完了しました"},
    {Text::goodbye_body,
     "{address} has been removed from {list}; no more posts will be sent to it.\n"
     "\n"
     "To join again, send \"subscribe\" to {request}.",
     "{address} を {list} "
     "から削除いたしました。今後、このメーリングリストからの配信はありません。\n"
     "\n"
     "また参加される場合は、{request} 宛に「subscribe」とお送りください。"
     "これまでのご参加ありがとうございました。"},
    {Text::digest_on, "{address} now receives {list} as digests.",
     "{address} への {list} の配信を、まとめ読み（ダイジェスト）に切り替えました。"},
    {Text::digest_off, "{address} now receives every post of {list} as it is sent.",
     "{address} への {list} の配信を、通常の配信（1 通ずつ）に戻しました。"},
    {Text::nomail_on,
     "Delivery of {list} to {address} is paused until you send \"nomail off\" to {request}.",
     "{address} への {list} の配信を一時停止しました。再開するには {request} 宛に"
     "「nomail off」とお送りください。"},
    {Text::nomail_off, "Delivery of {list} to {address} is resumed.",
     "{address} への {list} の配信を再開しました。"},
    {Text::confirm_mode_sent,
     "Nothing was changed yet: this message could not be verified as coming from {address}. "
     "A confirmation request was sent there; reply to it within 3 days to make the change.",
     "このメールが {address} から送られたことを確認できなかったため、配信方法はまだ変更して"
     "いません。{address} 宛に確認のメールをお送りしましたので、3 日以内にご返信いただくと"
     "変更いたします。"},
    {Text::confirm_mode_body,
     "Someone, hopefully you, asked to change how {list}\n"
     "is delivered to {address}:\n"
     "\n"
     "  {change}\n"
     "\n"
     "The request could not be verified as coming from your address, so nothing was\n"
     "changed yet. To confirm, reply to this message (the address it replies to carries\n"
     "your confirmation code), or send a message to {request} with this subject:\n"
     "\n"
     "  confirm {token}\n"
     "\n"
     "{link}If you did not ask for this, ignore this message: your delivery stays as it is\n"
     "unless you reply. The request expires in 3 days.",
     "{address} への {list} の配信方法を、次のとおり変更するお申し込みを受け付けました。\n"
     "\n"
     "  {change}\n"
     "\n"
     "お申し込みがご本人のアドレスから送られたことを確認できなかったため、まだ変更していません。\n"
     "変更するには、このメールにそのまま返信してください（返信先のアドレスに確認コードが"
     "含まれています）。\nまたは、次の件名のメールを {request} 宛にお送りください。\n"
     "\n"
     "  confirm {token}\n"
     "\n"
     "{link}お心当たりのない場合は、このメールを破棄してください。"
     "ご返信がない限り、配信方法は変更されません。\nこのお申し込みは 3 日後に無効になります。"},
    {Text::mode_change_digest_on, "receive the posts as digests (digest on)",
     "まとめ読み（ダイジェスト）での配信に切り替える（digest on）"},
    {Text::mode_change_digest_off, "receive every post as it is sent (digest off)",
     "通常の配信（1 通ずつ）に戻す（digest off）"},
    {Text::mode_change_nomail_on, "pause delivery (nomail on)", "配信を一時停止する（nomail on）"},
    {Text::mode_change_nomail_off, "resume delivery (nomail off)", "配信を再開する（nomail off）"},

    {Text::get_sent, "Articles {range} were sent to you in a separate message.",
     "記事 {range} を別のメールでお送りしました。"},
    {Text::get_none, "The archive of {list} has no articles {range} (the last one is {last}).",
     "{list} の保存記事に {range} 番の記事はありません（最新の記事は {last} 番です）。"},
    {Text::get_missing, "These articles could not be found in the archive: {articles}.",
     "次の記事は保存記事の中に見つかりませんでした: {articles}"},
    {Text::get_too_big,
     "These articles did not fit into one message and were left out: {articles}. Ask for "
     "them again with a smaller range.",
     "次の記事は 1 通のメールに収まらなかったため、お送りしていません: {articles}。"
     "範囲を狭めてもう一度お申し込みください。"},
    {Text::get_too_many_commands,
     "At most {max} get commands are carried out per message; this one was skipped. Please "
     "send it again in another message.",
     "get コマンドは 1 通のメールにつき {max} 個までのため、このコマンドは処理していません。"
     "お手数ですが、別のメールでもう一度お送りください。"},
    {Text::get_daily_limit,
     "Not sent: {articles}. At most {limit} articles a day are sent to one address by mail, "
     "and {address} has had them today. Please ask again tomorrow (days are counted in UTC).",
     "次の記事はお送りしていません: {articles}。メールでお送りできる記事は 1 つのアドレスにつき "
     "1 日 {limit} 件までで、{address} は本日の上限に達しています。"
     "明日以降（日付は UTC で数えます）にもう一度お申し込みください。"},
    {Text::get_subject, "{list} articles {range}", "{list} の記事 {range}"},
    {Text::get_body, "Here are articles {range} of {list}, each as an attached message.",
     "{list} の記事 {range} をお送りします。記事はそれぞれ添付のメールとしてお付けしています。"},
    {Text::archive_unavailable, "The archive of {list} cannot be sent by mail from this server.",
     "このサーバーでは、{list} の保存記事をメールでお送りすることができません。"},
    {Text::index_header,
     "The last {count} articles of {list}:", "{list} の最近の記事 {count} 件です。"},
    {Text::index_empty, "{list} has no articles yet.", "{list} にはまだ記事がありません。"},
    {Text::members_header, "{list} has {count} members:", "{list} のメンバーは {count} 名です。"},
    {Text::members_denied, "The member list of {list} is only sent to its owners and moderators.",
     "{list} のメンバー一覧は、管理者とモデレーターの方にのみお送りしています。"},

    {Text::held_subject, "[{name}] held post: {subject} (moderate {token})",
     "[{name}] 保留中の投稿: {subject} (moderate {token})"},
    {Text::held_body,
     "A post to {list} is waiting for a moderator.\n"
     "\n"
     "  From:    {sender}\n"
     "  Subject: {subject}\n"
     "  Reason:  {reason}\n"
     "\n"
     "Reply to this message with one of these words on the first line:\n"
     "\n"
     "  approve          distribute the post to the list\n"
     "  reject REASON    refuse it and tell the sender the reason\n"
     "  discard          drop it silently (spam)\n"
     "\n"
     "Your reply goes to {request}.\n"
     "Keep \"(moderate {token})\" in its subject.\n"
     "Only moderators and owners of the list can decide. The post is attached.",
     "{list} への投稿が、モデレーターの判断を待っています。\n"
     "\n"
     "  差出人: {sender}\n"
     "  件名:   {subject}\n"
     "  理由:   {reason}\n"
     "\n"
     "このメールに返信し、本文の 1 行目に次のいずれかをお書きください。\n"
     "\n"
     "  approve          投稿を承認し、メーリングリストに配信します\n"
     "  reject 理由      投稿を却下し、差出人に理由をお知らせします\n"
     "  discard          投稿を破棄します（差出人には知らせません。迷惑メール向け）\n"
     "\n"
     "返信は {request} 宛に届きます。件名の「(moderate {token})」は消さずにお送りください。\n"
     "判断できるのは、このメーリングリストのモデレーターと管理者の方のみです。"
     "投稿は添付のとおりです。"},
    {Text::held_not_attached, "(The post itself could not be attached: {error}.)",
     "（投稿そのものを添付できませんでした: {error}）"},
    {Text::moderation_approved,
     "The post \"{subject}\" from {sender} was approved and sent to "
     "the list.",
     "{sender} さんからの投稿「{subject}」を承認し、メーリングリストに配信しました。"},
    {Text::moderation_rejected,
     "The post \"{subject}\" from {sender} was rejected; the sender was told the reason.",
     "{sender} さんからの投稿「{subject}」を却下し、差出人に理由をお知らせしました。"},
    {Text::moderation_discarded, "The post \"{subject}\" from {sender} was discarded.",
     "{sender} さんからの投稿「{subject}」を破棄しました。"},
    {Text::moderation_already,
     "The post \"{subject}\" from {sender} was decided already ({state}); nothing was changed.",
     "{sender} さんからの投稿「{subject}」は、すでに処理済み（{state}）のため、"
     "何も変更していません。"},
    {Text::moderation_unknown,
     "No post of {list} is held with the moderation code {token}; it may have been decided "
     "already.",
     "モデレーション用コード {token} に該当する {list} の保留中の投稿はありません。"
     "すでに処理済みの可能性があります。"},
    {Text::moderation_expired,
     "The moderation code {token} for the post \"{subject}\" from {sender} has expired "
     "(codes work for {lifetime}), so nothing was done. The post is still held; the list's "
     "administrator can decide it with `cqlist held approve {id}` (or reject, discard).",
     "{sender} さんからの投稿「{subject}」のモデレーション用コード {token} は有効期限"
     "（{lifetime}）が切れているため、何も処理していません。投稿は保留されたままです。"
     "メーリングリストの管理者が `cqlist held approve {id}`（または reject、discard）で"
     "処理できます。"},
    {Text::moderation_denied,
     "Only the moderators and owners of {list} can decide on held posts, and {address} is "
     "not one of them.",
     "保留中の投稿を処理できるのは {list} のモデレーターと管理者の方のみです。"
     "{address} には権限がありません。"},
    {Text::moderation_no_decision,
     "Your reply carries the moderation code {token}, but its first line is not \"approve\", "
     "\"reject REASON\" or \"discard\". Nothing was done.",
     "返信にはモデレーション用コード {token} が含まれていますが、本文の 1 行目が "
     "approve、reject 理由、discard のいずれでもないため、何も処理していません。"},
    {Text::moderation_failed,
     "The post \"{subject}\" could not be handled now ({error}). It is still held; please try "
     "again later.",
     "投稿「{subject}」を現在処理できません（{error}）。投稿は保留されたままですので、"
     "しばらくしてからもう一度お試しください。"},
    {Text::moderation_approved_later,
     "The post \"{subject}\" from {sender} was approved, but could not be sent to the list yet "
     "({error}). cqlist sends it within a few minutes; there is nothing more to do.",
     "{sender} さんからの投稿「{subject}」を承認しましたが、まだ配信できていません"
     "（{error}）。数分以内に cqlist が配信しますので、これ以上の操作は不要です。"},
    {Text::moderation_unfinished,
     "The post \"{subject}\" from {sender} is {state} now, but cqlist could not finish that "
     "({error}); the list's administrator finds the details in cqlist's log.",
     "{sender} さんからの投稿「{subject}」は{state}となりましたが、その後の処理に失敗しました"
     "（{error}）。詳細はメーリングリストの管理者が cqlist のログで確認できます。"},
    {Text::state_approved, "approved", "承認済み"},
    {Text::state_rejected, "rejected", "却下済み"},
    {Text::state_discarded, "discarded", "破棄済み"},
    {Text::rejected_subject, "Your post to {list} was not distributed",
     "{list} へのご投稿は配信されませんでした"},
    {Text::rejected_body,
     "Your message to {list} with the subject\n"
     "\n"
     "  {subject}\n"
     "\n"
     "was rejected by a moderator and was not distributed.{reason}\n"
     "\n"
     "To reach a person, write to {owner}.",
     "{list} 宛にお送りいただいた次の件名のメールは、モデレーターの判断により配信されません"
     "でした。\n"
     "\n"
     "  {subject}\n"
     "{reason}\n"
     "\n"
     "ご不明な点は {owner} までお問い合わせください。"},
    {Text::rejected_reason, "\n\nThe moderator gave this reason:\n\n  {reason}",
     "\nモデレーターからの理由:\n\n  {reason}"},

    {Text::held_reminder_subject_one, "[{name}] 1 post is waiting for moderation on {list}",
     "[{name}] {list} でモデレーション待ちの投稿が 1 件あります"},
    {Text::held_reminder_subject, "[{name}] {count} posts are waiting for moderation on {list}",
     "[{name}] {list} でモデレーション待ちの投稿が {count} 件あります"},
    {Text::held_reminder_intro, "These posts to {list} are still waiting for a moderator:",
     "{list} への次の投稿が、まだモデレーターの判断を待っています。"},
    {Text::held_reminder_item,
     "  [{id}] {subject}\n"
     "      From:        {sender}\n"
     "      Held since:  {since}\n"
     "      Reason:      {reason}\n"
     "      {expiry}",
     "  [{id}] {subject}\n"
     "      差出人:    {sender}\n"
     "      保留日時:  {since}\n"
     "      理由:      {reason}\n"
     "      {expiry}"},
    {Text::held_reminder_expires, "Discarded:   {when}, unless decided before",
     "破棄予定:  {when}（それまでに判断されない場合）"},
    {Text::held_reminder_kept, "Discarded:   never (held_expiry is 0: it waits for a decision)",
     "破棄予定:  なし（held_expiry が 0 のため、判断されるまで保留されます）"},
    {Text::held_reminder_howto,
     "To decide, reply to the post's hold notice (its subject ends with \"(moderate CODE)\")\n"
     "with \"approve\", \"reject REASON\" or \"discard\" on the first line. Or, on the\n"
     "server, run this with the number in brackets:\n"
     "\n"
     "  cqlist held approve NUMBER      (or reject, discard)\n"
     "\n"
     "Only moderators and owners of the list can decide. This reminder comes once a day\n"
     "while posts are waiting; `cqlist list set {list} held_reminder=false` turns it off.",
     "判断するには、その投稿の保留通知（件名の末尾が「(moderate コード)」のメール）に返信し、\n"
     "本文の 1 行目に approve（承認）、reject 理由（却下）、discard（破棄）のいずれかを\n"
     "お書きください。サーバー上で、角かっこ内の番号を使って処理することもできます。\n"
     "\n"
     "  cqlist held approve 番号      （または reject、discard）\n"
     "\n"
     "判断できるのは、このメーリングリストのモデレーターと管理者の方のみです。\n"
     "このお知らせは、判断待ちの投稿がある間、1 日に 1 回お送りしています。停止する場合は、\n"
     "サーバー上で `cqlist list set {list} held_reminder=false` を実行してください。"},
};

// Every text has its entry, in both languages: a missing one would be an empty mail.
constexpr auto kTable = index_by_id(kEntries);
static_assert(std::size(kEntries) == kTextCount, "one entry per Text");
static_assert(every_text_present(kTable), "every Text has an English and a Japanese text");

}  // namespace

Language language_of(const ListSettings& settings) {
  return settings.language == "ja" ? Language::ja : Language::en;
}

std::string_view text(Language language, Text id) {
  const Entry& entry = kTable[static_cast<std::size_t>(id)];
  return language == Language::ja ? entry.ja : entry.en;
}

std::string say_args(Language language, Text id, fmt::format_args args) {
  return format_text(text(language, id), args, "notice.text_field_missing", static_cast<int>(id));
}

}  // namespace cqlist::list
