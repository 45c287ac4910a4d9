#include "list/settings.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace cqlist::list {
namespace {

std::string error_of(const Result<std::string>& result) {
  EXPECT_FALSE(result.has_value());
  return result ? std::string() : result.error().message();
}

std::string canonical(std::string_view name, std::string_view value) {
  Result<std::string> result = validate_setting(name, value);
  EXPECT_TRUE(result) << name << "=" << value << ": " << (result ? "" : result.error().message());
  return result ? *result : std::string();
}

TEST(SettingTable, NamesEveryFieldOnceWithItsDefaultAndMeaning) {
  const std::vector<SettingInfo>& table = setting_table();
  std::map<std::string, std::string> defaults = settings_as_strings(ListSettings{});
  EXPECT_EQ(table.size(), 39u);  // one per ListSettings field
  EXPECT_EQ(defaults.size(), table.size());
  std::set<std::string_view> names;
  for (const SettingInfo& info : table) {
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate " << info.name;
    ASSERT_TRUE(defaults.contains(std::string(info.name))) << info.name;
    EXPECT_EQ(info.default_value, defaults[std::string(info.name)]) << info.name;
    EXPECT_FALSE(info.meaning.empty()) << info.name;
    EXPECT_EQ(info.meaning.find('\n'), std::string_view::npos) << info.name;
    // Every default passes its own check unchanged.
    EXPECT_EQ(canonical(info.name, info.default_value), info.default_value) << info.name;
  }
  EXPECT_EQ(table.front().name, "description");
}

TEST(SettingTable, DefaultsAreTheStructDefaults) {
  std::map<std::string, std::string> defaults = settings_as_strings(ListSettings{});
  EXPECT_EQ(defaults["posting"], "members");
  EXPECT_EQ(defaults["from_rewrite"], "when_needed");
  EXPECT_EQ(defaults["subject_tag"], "[:]");
  EXPECT_EQ(defaults["rewrite_domains"], "gmail.com,googlemail.com");
  EXPECT_EQ(defaults["max_message_bytes"], "10485760");
  EXPECT_EQ(defaults["arc"], "true");
  EXPECT_EQ(defaults["tag_name"], "");
}

TEST(ParseSettings, MissingKeysTakeTheirDefaults) {
  Result<ListSettings> settings = parse_settings({});
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings_as_strings(*settings), settings_as_strings(ListSettings{}));
}

TEST(ParseSettings, ReadsEveryKindOfValue) {
  Result<ListSettings> settings = parse_settings({
      {"posting", "moderated"},
      {"non_member", "reject"},
      {"max_message_bytes", "2048"},
      {"subject_tag", "(,)"},
      {"tag_width", "3"},
      {"fml_headers", "true"},
      {"reply_to", "list"},
      {"from_rewrite", "wrap"},
      {"author_placement", "cc"},
      {"rewrite_domains", "example.com,example.net"},
      {"web_url", "https://lists.example/ham/"},
      {"batch_size", "250"},
      {"footer", "-- \nham\n"},
  });
  ASSERT_TRUE(settings) << settings.error().message();
  EXPECT_EQ(settings->posting, PostingPolicy::moderated);
  EXPECT_EQ(settings->non_member, NonMemberAction::reject);
  EXPECT_EQ(settings->max_message_bytes, 2048u);
  EXPECT_EQ(settings->subject_tag, "(,)");
  EXPECT_EQ(settings->tag_width, 3);
  EXPECT_TRUE(settings->fml_headers);
  EXPECT_EQ(settings->reply_to, ReplyToPolicy::list);
  EXPECT_EQ(settings->from_rewrite, FromRewrite::wrap);
  EXPECT_EQ(settings->author_placement, AuthorPlacement::cc);
  EXPECT_EQ(settings->rewrite_domains, (std::vector<std::string>{"example.com", "example.net"}));
  EXPECT_EQ(settings->web_url, "https://lists.example/ham/");
  EXPECT_EQ(settings->batch_size, 250u);
  EXPECT_EQ(settings->footer, "-- \nham\n");
}

TEST(ParseSettings, RoundTripsThroughStrings) {
  ListSettings settings;
  settings.description = "Ham \"radio\" club";
  settings.language = "ja";
  settings.posting = PostingPolicy::open;
  settings.tag_name = "HAM";
  settings.hold_dmarc_failures = false;
  settings.rewrite_domains = {};
  settings.personalize = true;
  settings.dkim_selector_ed25519 = "cq2026";
  Result<ListSettings> parsed = parse_settings(settings_as_strings(settings));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(settings_as_strings(*parsed), settings_as_strings(settings));
  EXPECT_TRUE(parsed->rewrite_domains.empty());
}

TEST(ParseSettings, AnInvalidStoredValueNamesTheSettingAndTheChoices) {
  Result<ListSettings> settings = parse_settings({{"posting", "everybody"}});
  ASSERT_FALSE(settings);
  EXPECT_EQ(settings.error().code(), Errc::bad_syntax);
  EXPECT_NE(settings.error().message().find("posting=\"everybody\""), std::string::npos);
  EXPECT_NE(settings.error().message().find("members, moderated, open"), std::string::npos);
  EXPECT_NE(settings.error().message().find("cqlist list set"), std::string::npos);
}

TEST(ParseSettings, IgnoresKeysItDoesNotKnow) {
  Result<ListSettings> settings = parse_settings({{"setting_of_a_later_version", "x"}});
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings_as_strings(*settings), settings_as_strings(ListSettings{}));
}

TEST(ValidateSetting, SuggestsTheClosestNameForAnUnknownOne) {
  Result<std::string> result = validate_setting("subjet_tag", "[:]");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code(), Errc::invalid_argument);
  EXPECT_NE(result.error().message().find("did you mean \"subject_tag\""), std::string::npos)
      << result.error().message();
  EXPECT_NE(error_of(validate_setting("from-rewrite", "never")).find("\"from_rewrite\""),
            std::string::npos);
  EXPECT_NE(error_of(validate_setting("Batch_Size", "5")).find("\"batch_size\""),
            std::string::npos);
}

TEST(ValidateSetting, EnumsListTheAllowedValuesAndAcceptOtherSpellings) {
  EXPECT_NE(error_of(validate_setting("from_rewrite", "sometimes"))
                .find("when_needed, always, never, wrap"),
            std::string::npos);
  EXPECT_NE(error_of(validate_setting("non_member", "bounce")).find("hold, reject, discard"),
            std::string::npos);
  EXPECT_NE(error_of(validate_setting("author_placement", "to")).find("reply_to, cc"),
            std::string::npos);
  EXPECT_EQ(canonical("from_rewrite", " When-Needed "), "when_needed");
  EXPECT_EQ(canonical("reply_to", "POSTER"), "poster");
  EXPECT_EQ(canonical("language", "JA"), "ja");
  EXPECT_FALSE(validate_setting("language", "de"));
}

TEST(ValidateSetting, BooleansTakeTheUsualWords) {
  for (const char* yes : {"true", "yes", "on", "YES", " On "}) {
    EXPECT_EQ(canonical("arc", yes), "true") << yes;
  }
  for (const char* no : {"false", "no", "off", "Off"}) {
    EXPECT_EQ(canonical("arc", no), "false") << no;
  }
  EXPECT_NE(error_of(validate_setting("personalize", "1")).find("true or false"),
            std::string::npos);
}

TEST(ValidateSetting, NumbersAreRangeChecked) {
  EXPECT_EQ(canonical("batch_size", "1000"), "1000");
  EXPECT_NE(error_of(validate_setting("batch_size", "1001")).find("from 1 to 1000"),
            std::string::npos);
  EXPECT_FALSE(validate_setting("batch_size", "0"));
  EXPECT_FALSE(validate_setting("batch_size", "-5"));
  EXPECT_FALSE(validate_setting("batch_size", "12abc"));
  EXPECT_FALSE(validate_setting("batch_size", ""));
  EXPECT_FALSE(validate_setting("batch_size", "99999999999999999999999"));
  EXPECT_EQ(canonical("tag_width", "7"), "7");
  EXPECT_FALSE(validate_setting("tag_width", "0"));
  EXPECT_FALSE(validate_setting("tag_width", "11"));
}

TEST(ValidateSetting, MessageSizesTakeSuffixes) {
  EXPECT_EQ(canonical("max_message_bytes", "10M"), "10485760");
  EXPECT_EQ(canonical("max_message_bytes", "512k"), "524288");
  EXPECT_EQ(canonical("max_message_bytes", "1G"), "1073741824");
  EXPECT_EQ(canonical("max_message_bytes", "20000"), "20000");
  EXPECT_FALSE(validate_setting("max_message_bytes", "2G"));
  EXPECT_FALSE(validate_setting("max_message_bytes", "100"));  // below 1024
  EXPECT_FALSE(validate_setting("max_message_bytes", "999999999999G"));
  EXPECT_FALSE(validate_setting("max_message_bytes", "M"));
  EXPECT_FALSE(validate_setting("batch_size", "1k"));  // suffixes are for sizes only
}

TEST(ValidateSetting, SubjectTagsAreFmlTypesNumberOnlyOrNone) {
  for (const char* type : {"[:]", "(:)", "[,]", "(,)", "[]", "()", "[#]", "(#)", "none"}) {
    EXPECT_EQ(canonical("subject_tag", type), type);
  }
  EXPECT_EQ(canonical("subject_tag", " NONE "), "none");
  std::string message = error_of(validate_setting("subject_tag", "<:>"));
  EXPECT_NE(message.find("[:]"), std::string::npos);
  EXPECT_NE(message.find("[#]"), std::string::npos);
  EXPECT_NE(message.find("none"), std::string::npos);
  EXPECT_FALSE(validate_setting("subject_tag", "[;]"));
}

TEST(ValidateSetting, DomainListsAreCanonical) {
  EXPECT_EQ(canonical("rewrite_domains", " Gmail.COM , example.org,, "), "gmail.com,example.org");
  EXPECT_EQ(canonical("rewrite_domains", ""), "");
  EXPECT_EQ(canonical("rewrite_domains", "\xE4\xBE\x8B\xE3\x81\x88.jp"), "xn--r8jz45g.jp");
  std::string message = error_of(validate_setting("rewrite_domains", "gmail.com, not a domain"));
  EXPECT_NE(message.find("\"not a domain\" is not a domain name"), std::string::npos) << message;
  EXPECT_FALSE(validate_setting("rewrite_domains", "localhost"));
}

TEST(ValidateSetting, WebUrlMustBeHttpsAndEndsInASlash) {
  EXPECT_EQ(canonical("web_url", "https://lists.example/ham"), "https://lists.example/ham/");
  EXPECT_EQ(canonical("web_url", "HTTPS://lists.example/ham/"), "https://lists.example/ham/");
  EXPECT_EQ(canonical("web_url", ""), "");
  EXPECT_NE(error_of(validate_setting("web_url", "http://lists.example/ham/")).find("https://"),
            std::string::npos);
  EXPECT_FALSE(validate_setting("web_url", "https://lists.example/a b"));
  EXPECT_FALSE(validate_setting("web_url", "https://"));
  EXPECT_FALSE(validate_setting("web_url", "https:///path"));
  EXPECT_FALSE(validate_setting("web_url", "https://lists.example/?list=ham"));
}

TEST(ValidateSetting, TextSettingsRefuseWhatWouldBreakAHeader) {
  EXPECT_EQ(canonical("description", "  Ham radio club "), "Ham radio club");
  EXPECT_FALSE(validate_setting("description", "two\r\nlines"));
  EXPECT_FALSE(validate_setting("description", "\xFF\xFE"));
  EXPECT_EQ(canonical("tag_name", "ham-2.0_x"), "ham-2.0_x");
  EXPECT_FALSE(validate_setting("tag_name", "ham:1"));
  EXPECT_FALSE(validate_setting("tag_name", "h\xC3\xA4m"));
  EXPECT_EQ(canonical("dkim_selector_rsa", "cq2026.rsa"), "cq2026.rsa");
  EXPECT_FALSE(validate_setting("dkim_selector_rsa", "bad selector"));
  EXPECT_FALSE(validate_setting("dkim_selector_rsa", "a..b"));
  EXPECT_EQ(canonical("trusted_authserv_id", "mx.lists.example"), "mx.lists.example");
  EXPECT_FALSE(validate_setting("trusted_authserv_id", "mx; evil"));
  EXPECT_FALSE(validate_setting("dkim_key_rsa", "/etc/key\n.pem"));
}

TEST(ValidateSetting, FootersKeepLinesWithUnixLineEnds) {
  EXPECT_EQ(canonical("footer", "-- \r\nham list\r\n"), "-- \nham list\n");
  EXPECT_EQ(canonical("footer", ""), "");
  EXPECT_FALSE(validate_setting("footer", std::string("bell\x07")));
  EXPECT_FALSE(validate_setting("footer", "\xC3"));
}

TEST(ValidateSetting, DurationsTakeAUnitAndAreShownInTheLargestOne) {
  EXPECT_EQ(canonical("bounce_probe_interval", "168h"), "7d");
  EXPECT_EQ(canonical("bounce_alert_period", " 90M "), "90m");
  EXPECT_EQ(canonical("bounce_alert_period", "3600s"), "1h");
  EXPECT_EQ(canonical("bounce_alert_period", "0"), "0");
  EXPECT_NE(error_of(validate_setting("bounce_probe_interval", "7")).find("7d, 12h"),
            std::string::npos);
  EXPECT_FALSE(validate_setting("bounce_probe_interval", "7w"));
  EXPECT_FALSE(validate_setting("bounce_probe_interval", "-1d"));
  EXPECT_FALSE(validate_setting("bounce_probe_interval", "400d"));
  auto settings = parse_settings({{"bounce_info_stale_after", "2d"}});
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->bounce_info_stale_after, std::chrono::hours(48));
}

TEST(ValidateSetting, ScoresHaveAtMostOneDecimal) {
  EXPECT_EQ(canonical("bounce_score_threshold", "5"), "5.0");
  EXPECT_EQ(canonical("bounce_score_threshold", "2.5"), "2.5");
  EXPECT_FALSE(validate_setting("bounce_score_threshold", "2.25"));
  EXPECT_FALSE(validate_setting("bounce_score_threshold", "0"));
  EXPECT_FALSE(validate_setting("bounce_score_threshold", "five"));
  auto settings =
      parse_settings({{"bounce_score_threshold", "2.5"}, {"complaint_action", "Unsubscribe"}});
  ASSERT_TRUE(settings);
  EXPECT_DOUBLE_EQ(settings->bounce_score_threshold, 2.5);
  EXPECT_EQ(settings->complaint_action, ComplaintAction::unsubscribe);
}

TEST(ValidateSetting, MailCommandLimits) {
  std::map<std::string, std::string> defaults = settings_as_strings(ListSettings{});
  EXPECT_EQ(defaults["get_daily_limit"], "200");
  EXPECT_EQ(defaults["moderation_code_lifetime"], "14d");
  EXPECT_FALSE(validate_setting("get_daily_limit", "0"));
  EXPECT_FALSE(validate_setting("get_daily_limit", "many"));
  EXPECT_EQ(canonical("moderation_code_lifetime", "336h"), "14d");
  EXPECT_EQ(canonical("moderation_code_lifetime", "0"), "0");  // never expires
  auto settings = parse_settings({{"get_daily_limit", "20"}, {"moderation_code_lifetime", "2d"}});
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->get_daily_limit, 20u);
  EXPECT_EQ(settings->moderation_code_lifetime, std::chrono::hours(48));
}

TEST(ValidateSetting, ShowsControlCharactersSafely) {
  std::string message = error_of(validate_setting("posting", "a\x1B[2Jb"));
  EXPECT_EQ(message.find('\x1B'), std::string::npos);
  EXPECT_NE(message.find("a?[2Jb"), std::string::npos);
}

}  // namespace
}  // namespace cqlist::list
