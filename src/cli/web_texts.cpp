// cli/web_texts.cpp: the English and Japanese texts of the unsubscribe and confirmation pages.
//
// The Japanese texts are polite (desu/masu) as the list's mail replies are
// (list/notices_text.cpp); command words and protocol names stay in ASCII because they are
// what the reader has to type or look up.
#include "cli/web_texts.hpp"

#include <array>
#include <cstddef>

#include "base/text_table.hpp"

namespace cqlist::cli {
namespace {

using Entry = TextEntry<WebText>;

constexpr Entry kEntries[] = {
    {WebText::link_not_valid_title, "Link not valid", "無効なリンクです"},
    {WebText::unsubscribe_title, "Unsubscribe", "配信停止"},
    {WebText::unsubscribe_question, "Unsubscribe {member} from {list}?",
     "{list} の配信を停止し、{member} の登録を解除しますか？"},
    {WebText::unsubscribe_button, "Unsubscribe", "配信停止する"},
    {WebText::unsubscribe_done_title, "Unsubscribed", "配信を停止しました"},
    {WebText::unsubscribe_done,
     "{member} is unsubscribed from {list}. You will receive no more mail from this list.",
     "{list} から {member} の登録を解除しました。今後、このメーリングリストのメールは届きません。"},
    {WebText::unsubscribe_link_not_valid,
     "This unsubscribe link is not valid (it may have been cut short by your mail program). "
     "Nothing was changed. Send \"unsubscribe\" to the list's -request address instead.",
     "この配信停止のリンクは無効です（メールソフトによってリンクが途中で切れている可能性があり"
     "ます）。登録内容は変更していません。お手数ですが、メーリングリストの -request アドレス宛に"
     "「unsubscribe」とお送りください。"},
    {WebText::unsubscribe_not_one_click,
     "This request did not carry List-Unsubscribe=One-Click (RFC 8058), so nothing was changed. "
     "Please use the button on the unsubscribe page.",
     "このリクエストには List-Unsubscribe=One-Click（RFC 8058）が含まれていないため、"
     "何も変更していません。配信停止のページのボタンをご利用ください。"},
    {WebText::unsubscribe_method,
     "Use POST to unsubscribe (the button on the unsubscribe page); GET only shows that page.",
     "配信停止は POST で行います（配信停止のページのボタンをご利用ください）。GET "
     "ではページを表示するだけです。"},
    {WebText::no_such_list,
     "There is no list {list} (it may have been deleted), so there is nothing to unsubscribe "
     "from.",
     "メーリングリスト {list} "
     "は見つかりませんでした（削除された可能性があります）。配信停止のお手続きは不要です。"},
    {WebText::store_unavailable_title, "Temporarily unavailable", "一時的にご利用いただけません"},
    {WebText::store_unavailable,
     "The list's database is unavailable at the moment, so nothing was changed. Please try "
     "again later.",
     "現在、メーリングリストのデータベースを利用できないため、何も変更していません。恐れ入ります"
     "が、しばらくしてからもう一度お試しください。"},
    {WebText::confirm_subscribe_title, "Confirm your subscription", "登録の確認"},
    {WebText::confirm_unsubscribe_title, "Confirm your unsubscription", "配信停止の確認"},
    {WebText::confirm_subscribe_question, "Subscribe {member} to {list}?",
     "{member} を {list} に登録しますか？"},
    {WebText::confirm_subscribe_button, "Subscribe", "登録する"},
    {WebText::confirm_subscribed_title, "Subscribed", "登録が完了しました"},
    {WebText::confirm_subscribed, "{member} is now a member of {list}.",
     "{member} の {list} への登録が完了しました。"},
    {WebText::confirm_link_not_valid,
     "This confirmation link is not valid: it was used already, it has expired (links work for "
     "3 days), or your mail program cut it short. Nothing was changed.",
     "この確認のリンクは無効です。すでに使われたか、有効期限（3 "
     "日間）が過ぎたか、メールソフトによってリンクが途中で切れている可能性があります。登録内容は"
     "変更していません。"},
    {WebText::confirm_start_again,
     "To start again, send \"subscribe\", \"unsubscribe\" or the delivery command (such as "
     "\"nomail on\") to the list's -request address.",
     "改めてお手続きいただく場合は、メーリングリストの -request アドレス宛に「subscribe」、"
     "「unsubscribe」または配信方法のコマンド（「nomail on」など）をお送りください。"},
    {WebText::confirm_method,
     "Use GET to see what the link would do and POST to confirm (the button on the "
     "confirmation page).",
     "リンクの内容は GET で表示し、確認は POST で行います（確認のページのボタンをご利用ください"
     "）。"},
    {WebText::confirm_change_title, "Confirm the change of delivery", "配信方法の変更の確認"},
    {WebText::confirm_change_question, "Change how {list} is delivered to {member}: {change}?",
     "{member} への {list} の配信方法を変更しますか？（{change}）"},
    {WebText::confirm_change_button, "Change delivery", "変更する"},
    {WebText::confirm_changed_title, "Delivery changed", "配信方法を変更しました"},
    {WebText::confirm_changed, "The delivery of {list} to {member} is changed: {change}.",
     "{member} への {list} の配信方法を変更しました（{change}）。"},
    {WebText::confirm_nothing_changed_title, "Nothing changed", "変更はありません"},
    {WebText::confirm_no_longer_member,
     "{member} is no longer a member of {list}, so there is no delivery to change. To join "
     "again, send \"subscribe\" to the list's -request address.",
     "{member} は現在 {list} のメンバーではないため、変更する配信はありませんでした。"
     "再度参加される場合は、メーリングリストの -request アドレス宛に"
     "「subscribe」とお送りください。"},
};

constexpr auto kTable = index_by_id(kEntries);
static_assert(std::size(kEntries) == static_cast<std::size_t>(WebText::count_),
              "every WebText needs exactly one entry");
static_assert(every_text_present(kTable), "a web text is missing in English or Japanese");

// Every "{field}" of `from` also appears in `in`.
constexpr bool fields_found(std::string_view from, std::string_view in) {
  for (std::size_t open = from.find('{'); open != std::string_view::npos;
       open = from.find('{', open + 1)) {
    const std::size_t close = from.find('}', open);
    if (close == std::string_view::npos ||
        in.find(from.substr(open, close - open + 1)) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// The pages put texts into HTML as they are: a tag or an entity in a text would be a bug.
constexpr bool html_free(std::string_view text) {
  return text.find('<') == std::string_view::npos && text.find('&') == std::string_view::npos;
}

constexpr bool texts_consistent() {
  for (const Entry& entry : kTable) {
    if (!fields_found(entry.en, entry.ja) || !fields_found(entry.ja, entry.en) ||
        !html_free(entry.en) || !html_free(entry.ja)) {
      return false;
    }
  }
  return true;
}

static_assert(texts_consistent(),
              "a web text uses different {fields} in its two languages, or contains < or &");

}  // namespace

std::string_view web_text(list::Language language, WebText id) {
  const Entry& entry = kTable[static_cast<std::size_t>(id)];
  return language == list::Language::ja ? entry.ja : entry.en;
}

std::string web_say_args(list::Language language, WebText id, fmt::format_args args) {
  return format_text(web_text(language, id), args, "web.text_field_missing", static_cast<int>(id));
}

}  // namespace cqlist::cli
