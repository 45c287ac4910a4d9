// list/personal_copies.hpp: one job's personalised copies of an article, made fast.
//
// Owns: the bytes of each member's copy when the list personalises (the article with the
// member's own List-Unsubscribe link at the bottom of the header, DKIM-signed on top), built
// from parts made once per job: the article's header without its List-Unsubscribe fields,
// the body, and an auth::dkim::CopySigner. A copy then costs its link, its signatures and one
// string. The bytes are those of set_personal_unsubscribe + Signer::sign + add_top on a copy
// of the article (tested).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/dkim/sign.hpp"
#include "base/result.hpp"
#include "list/settings.hpp"
#include "list/token.hpp"
#include "mail/message.hpp"
#include "store/store.hpp"

namespace cqlist::list {

class PersonalCopies {
 public:
  // `signer` null: copies go out unsigned (the list has no key). The arguments may go away
  // after create() except `list`, `settings` and `tokens`, which must outlive the object.
  static Result<PersonalCopies> create(const mail::Message& article, const store::ListRow& list,
                                       const ListSettings& settings, const TokenSigner& tokens,
                                       const auth::dkim::Signer* signer,
                                       auth::dkim::BodyHashCache& body_hashes,
                                       std::chrono::system_clock::time_point now);

  Result<std::string> copy_for(std::string_view member) const;

 private:
  PersonalCopies(const store::ListRow& list, const ListSettings& settings,
                 const TokenSigner& tokens)
      : list_(&list), settings_(&settings), tokens_(&tokens) {}

  const store::ListRow* list_;
  const ListSettings* settings_;
  const TokenSigner* tokens_;
  std::string eol_;
  std::string header_;  // the article's fields but List-Unsubscribe and -Post
  std::string rest_;    // the empty line and the body
  std::string one_click_field_;
  std::optional<auth::dkim::CopySigner> signatures_;
};

}  // namespace cqlist::list
