#include "bounce/summary.hpp"

#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "bounce/bounce_text.hpp"

namespace cqlist::bounce {
namespace {

using store::Clock;

const Clock::time_point kStart = Clock::from_time_t(1700006400);

store::BounceRow row(std::string address, std::string provider, std::string reason,
                     std::string diagnostic, int minute) {
  store::BounceRow bounce;
  bounce.address = std::move(address);
  bounce.provider = std::move(provider);
  bounce.reason = std::move(reason);
  bounce.side = "sender";
  bounce.advice = bounce.reason == "authfailure" ? "authentication" : "reputation";
  bounce.diagnostic = std::move(diagnostic);
  bounce.remote_host = "mx.example.net";
  bounce.at = kStart + std::chrono::minutes(minute);
  return bounce;
}

std::vector<store::BounceRow> sample() {
  return {row("a@gmail.com", "gmail", "authfailure", "550-5.7.26 first", 0),
          row("b@gmail.com", "gmail", "authfailure", "550-5.7.26 latest", 2),
          row("a@gmail.com", "gmail", "authfailure", "", 1),
          row("c@yahoo.co.jp", "", "blocked", "554 blocked by Spamhaus", 3)};
}

TEST(GroupBounces, OneGroupPerProviderAndReasonMostFirst) {
  auto groups = group_bounces(sample());
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].provider, "gmail");
  EXPECT_EQ(groups[0].reason, "authfailure");
  EXPECT_EQ(groups[0].count, 3u);
  EXPECT_EQ(groups[0].members, (std::set<std::string>{"a@gmail.com", "b@gmail.com"}));
  EXPECT_EQ(groups[0].example, "550-5.7.26 latest");
  EXPECT_EQ(groups[0].advice, "authentication");
  EXPECT_EQ(groups[0].first, kStart);
  EXPECT_EQ(groups[0].last, kStart + std::chrono::minutes(2));
  // No provider name: the remote host stands in for it.
  EXPECT_EQ(groups[1].provider, "mx.example.net");
  EXPECT_EQ(groups[1].count, 1u);
}

TEST(SenderAlert, SaysWhatWasSaidWhatItMeansWhoseProblemAndTheFix) {
  store::ListRow list;
  list.name = "ham";
  list.domain = "cq-test.example";
  auto groups = group_bounces(sample());
  AlertMail mail = sender_alert(list::Language::en, list, groups, kStart, std::chrono::hours(24));
  EXPECT_EQ(mail.subject, "ham@cq-test.example: receivers refused the list's mail (4 bounces)");
  for (std::string_view expected :
       {"gmail, authfailure: 3 bounces, 2 members", "The receiver said: 550-5.7.26 latest",
        "SPF or DKIM", "members are not penalised", "run `cqlist doctor`",
        "mx.example.net, blocked: 1 bounces, 1 members", "Spamhaus", "every 1d"}) {
    EXPECT_NE(mail.body.find(expected), std::string::npos) << expected << "\n" << mail.body;
  }
  AlertMail ja = sender_alert(list::Language::ja, list, groups, kStart, std::chrono::hours(24));
  EXPECT_NE(ja.subject.find("拒否"), std::string::npos);
  EXPECT_NE(ja.body.find("`cqlist doctor` を実行"), std::string::npos);
  EXPECT_NE(ja.body.find("550-5.7.26 latest"), std::string::npos);
}

TEST(AdviceTexts, EveryKeyHasAMeaningAndAFixInBothLanguages) {
  for (std::string_view key : {"authentication", "ptr", "reputation", "rate", "no-such-key"}) {
    for (list::Language language : {list::Language::en, list::Language::ja}) {
      EXPECT_FALSE(advice_meaning(language, key).empty()) << key;
      EXPECT_FALSE(advice_fix(language, key).empty()) << key;
    }
  }
  EXPECT_NE(advice_fix(list::Language::en, "ptr"), advice_fix(list::Language::en, "rate"));
  EXPECT_EQ(advice_fix(list::Language::en, "no-such-key"), advice_fix(list::Language::en, ""));
}

std::set<std::string> fields_of(std::string_view text) {
  std::set<std::string> out;
  static const std::regex field(R"(\{([a-z_]+)\})");
  std::string copy(text);
  for (auto it = std::sregex_iterator(copy.begin(), copy.end(), field);
       it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

TEST(BounceTexts, BothLanguagesUseTheSameFields) {
  for (int i = 0; i < static_cast<int>(BounceText::count_); ++i) {
    const auto id = static_cast<BounceText>(i);
    EXPECT_EQ(fields_of(text(list::Language::en, id)), fields_of(text(list::Language::ja, id)))
        << i;
  }
}

}  // namespace
}  // namespace cqlist::bounce
