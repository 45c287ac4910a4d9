// list/personal_copies.cpp: per-job parts, per-member copies.
#include "list/personal_copies.hpp"

#include "list/unsubscribe_link.hpp"

namespace cqlist::list {
namespace {

constexpr std::string_view kUnsubscribe = "List-Unsubscribe";
constexpr std::string_view kUnsubscribePost = "List-Unsubscribe-Post";
constexpr std::string_view kSignatureField = "DKIM-Signature";

Error bad_field(std::string_view name) {
  return Error(Errc::internal, "cannot write the " + std::string(name) + " field of a copy");
}

}  // namespace

Result<PersonalCopies> PersonalCopies::create(
    const mail::Message& article, const store::ListRow& list, const ListSettings& settings,
    const TokenSigner& tokens, const auth::dkim::Signer* signer,
    auth::dkim::BodyHashCache& body_hashes, std::chrono::system_clock::time_point now) {
  PersonalCopies copies(list, settings, tokens);
  mail::Message shared = article;
  shared.remove_all(kUnsubscribe);
  shared.remove_all(kUnsubscribePost);
  if (!article.preamble().empty() || article.separator().empty()) {
    // Archived articles always have a blank line and no mbox line; anything else would make
    // the bytes below differ from the message's own serialization.
    return fail(Errc::invalid_argument, "the article has no blank line after its header");
  }
  copies.eol_ = std::string(shared.line_ending());
  copies.header_ = shared.header_bytes();
  copies.rest_ = std::string(shared.separator()) + std::string(shared.body());
  auto one_click = mail::field_text(kUnsubscribePost, kOneClickValue, copies.eol_);
  if (!one_click) {
    return fail(bad_field(kUnsubscribePost));
  }
  copies.one_click_field_ = std::move(*one_click);
  if (signer != nullptr) {
    // The copies' fields sit at the bottom, where set_personal_unsubscribe puts them; their
    // values here are placeholders.
    if (!shared.add_bottom(kUnsubscribe, "<>") || !shared.add_bottom(kUnsubscribePost, "")) {
      return fail(bad_field(kUnsubscribe));
    }
    const std::size_t count = shared.fields().size();
    CQLIST_TRY(copies.signatures_, auth::dkim::CopySigner::create(
                                       *signer, shared, {count - 2, count - 1}, body_hashes, now));
  }
  return copies;
}

Result<std::string> PersonalCopies::copy_for(std::string_view member) const {
  auto link = mail::field_text(
      kUnsubscribe, personal_unsubscribe_value(*list_, *settings_, *tokens_, member), eol_);
  if (!link) {
    return fail(bad_field(kUnsubscribe));
  }
  std::string copy;
  if (signatures_) {
    CQLIST_TRY(auto values, signatures_->sign({*link, one_click_field_}));
    for (const auto& value : values) {
      auto field = mail::field_text(kSignatureField, value, eol_);
      if (!field) {
        return fail(bad_field(kSignatureField));
      }
      copy += *field;
    }
  }
  copy.reserve(copy.size() + header_.size() + link->size() + one_click_field_.size() +
               rest_.size());
  copy += header_;
  copy += *link;
  copy += one_click_field_;
  copy += rest_;
  return copy;
}

}  // namespace cqlist::list
