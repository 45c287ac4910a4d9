#include "list/personal_copies.hpp"

#include <gtest/gtest.h>

#include "auth/crypto/keygen.hpp"
#include "list/unsubscribe_link.hpp"

namespace cqlist::list {
namespace {

const auto kNow = std::chrono::system_clock::from_time_t(1700000000);

// An article as the pipeline archives it: the list's generic List-Unsubscribe fields in the
// middle of the header, then the rest of the decoration.
std::string article_text(std::string_view eol) {
  std::string text =
      "From: Alice <alice@example.net>\n"
      "To: ham@lists.example\n"
      "Subject: [ham:00012] Field day\n"
      "Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
      "Message-ID: <1@example.net>\n"
      "List-Id: <ham.lists.example>\n"
      "List-Unsubscribe: <https://lists.example/ham/unsubscribe>,\n"
      " <mailto:ham-request@lists.example?subject=unsubscribe>\n"
      "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
      "List-Post: <mailto:ham@lists.example>\n"
      "Precedence: list\n"
      "\n"
      "See you on Saturday.\n"
      ".. and bring a chair.\n";
  std::string out;
  for (char c : text) {
    out += c == '\n' ? std::string(eol) : std::string(1, c);
  }
  return out;
}

auth::dkim::Signer dual_signer() {
  auth::dkim::SignerConfig config;
  config.domain = "lists.example";
  config.keys = {{"rsa1", *auth::crypto::generate_private_key(auth::crypto::KeyType::rsa)},
                 {"ed1", *auth::crypto::generate_private_key(auth::crypto::KeyType::ed25519)}};
  return *auth::dkim::Signer::create(config);
}

// What a copy was before PersonalCopies: the whole article copied, edited and signed.
std::string copy_the_long_way(const mail::Message& article, const store::ListRow& list,
                              const ListSettings& settings, const TokenSigner& tokens,
                              const auth::dkim::Signer* signer, std::string_view member) {
  mail::Message copy = article;
  set_personal_unsubscribe(copy, list, settings, tokens, member);
  if (signer != nullptr) {
    auto values = signer->sign(copy, kNow);
    EXPECT_TRUE(values.has_value());
    for (auto value = values->rbegin(); value != values->rend(); ++value) {
      EXPECT_TRUE(copy.add_top("DKIM-Signature", *value));
    }
  }
  return copy.serialize();
}

TEST(PersonalCopies, EachCopyHasTheBytesOfTheArticleEditedAndSignedForItsMember) {
  store::ListRow list;
  list.name = "ham";
  list.domain = "lists.example";
  ListSettings settings;
  settings.personalize = true;
  settings.web_url = "https://lists.example/ham/";
  TokenSigner tokens("secret");
  auth::dkim::Signer signer = dual_signer();
  const std::vector<const auth::dkim::Signer*> signers = {&signer, nullptr};
  for (std::string_view eol : {"\r\n", "\n"}) {
    for (const auth::dkim::Signer* with : signers) {
      mail::Message article = mail::Message::parse(article_text(eol));
      auth::dkim::BodyHashCache body_hashes(article.body());
      auto copies =
          PersonalCopies::create(article, list, settings, tokens, with, body_hashes, kNow);
      ASSERT_TRUE(copies.has_value());
      for (std::string member : {"bob@example.com", "Carol.Smith+ham@example.jp"}) {
        auto copy = copies->copy_for(member);
        ASSERT_TRUE(copy.has_value());
        EXPECT_EQ(*copy, copy_the_long_way(article, list, settings, tokens, with, member))
            << "eol " << eol.size() << " signed " << (with != nullptr);
        EXPECT_NE(copy->find(percent_encode(member)), std::string::npos);
        EXPECT_EQ(mail::Message::parse(*copy).find_all("List-Unsubscribe").size(), 1u);
      }
    }
  }
}

TEST(PersonalCopies, RefusesAnArticleWithoutABlankLine) {
  store::ListRow list;
  list.name = "ham";
  list.domain = "lists.example";
  ListSettings settings;
  TokenSigner tokens("secret");
  mail::Message article = mail::Message::parse("From: a@example.net\r\nSubject: x\r\n");
  auth::dkim::BodyHashCache body_hashes(article.body());
  EXPECT_FALSE(PersonalCopies::create(article, list, settings, tokens, nullptr, body_hashes, kNow)
                   .has_value());
}

}  // namespace
}  // namespace cqlist::list
