// list/fml/config_ph_test.cpp: config.ph read statically and through perl.
#include "list/fml/config_ph.hpp"

#include <filesystem>

#include <gtest/gtest.h>

namespace cqlist::list::fml {
namespace {

const std::filesystem::path kFixture =
    std::filesystem::path(CQLIST_SHARED_DIR) / "fml-fixture" / "ml" / "cq-test";

TEST(FmlConfigPh, StaticReaderFollowsPerlStringRules) {
  FmlConfig config = parse_config_ph(
      "$DOMAINNAME = \"example.org\";\n"
      "$MAIL_LIST                     = \"ham\\@$DOMAINNAME\";\n"
      "# $SPOOL_DIR                   = \"spool\";\n"
      "$REJECT = \"root|\\S+\\-help\";\n"
      "$SINGLE = 'a\\@b $x';\n"
      "$SIZE = 512000;  # trailing comment\n"
      "$HOME_FILE = \"${DIR}/x\";\n"
      "@MAIL_LIST_ALIASES = (\"a\\@example.org\", 'b@example.org');\n"
      "&DENY_PROCEDURE('members');\n"
      "$START_HOOK = q#\n  &Log(\"x\");\n#;\n"
      "if ($x) { $y = 1; }\n"
      "&DEFINE_FIELD_FORCED('reply-to', $MAIL_LIST);\n"
      "1;\n",
      "/var/spool/ml/ham");
  EXPECT_EQ(config.scalars.at("MAIL_LIST"), "ham@example.org");
  EXPECT_FALSE(config.scalars.contains("SPOOL_DIR"));
  EXPECT_EQ(config.scalars.at("REJECT"), "root|S+-help");
  EXPECT_EQ(config.scalars.at("SINGLE"), "a\\@b $x");
  EXPECT_EQ(config.scalars.at("SIZE"), "512000");
  EXPECT_EQ(config.scalars.at("HOME_FILE"), "/var/spool/ml/ham/x");
  EXPECT_EQ(config.scalars.at("START_HOOK"), "\n  &Log(\"x\");\n");
  EXPECT_EQ(config.arrays.at("MAIL_LIST_ALIASES"),
            (std::vector<std::string>{"a@example.org", "b@example.org"}));
  EXPECT_EQ(config.lines.at("MAIL_LIST"), 2u);
  ASSERT_EQ(config.calls.size(), 2u);
  EXPECT_EQ(config.calls[0].name, "DENY_PROCEDURE");
  EXPECT_EQ(config.calls[0].line, 9u);
  EXPECT_EQ(config.calls[1].args, (std::vector<std::string>{"reply-to", "ham@example.org"}));
  EXPECT_EQ(config.calls[1].line, 14u);
  ASSERT_EQ(config.unread.size(), 1u);
  EXPECT_EQ(config.unread[0].line, 13u);
  EXPECT_EQ(config.unread[0].text, "if ($x) { $y = 1; }");
}

TEST(FmlConfigPh, PerlAndTheStaticReaderAgreeOnTheFixture) {
  auto by_perl = read_config_ph(kFixture / "config.ph", "/var/spool/ml/cq-test", "perl");
  ASSERT_TRUE(by_perl) << by_perl.error().describe();
  EXPECT_TRUE(by_perl->evaluated_by_perl);
  auto statically = read_config_ph(kFixture / "config.ph", "/var/spool/ml/cq-test", "");
  ASSERT_TRUE(statically);
  EXPECT_FALSE(statically->evaluated_by_perl);
  EXPECT_TRUE(statically->unread.empty());
  for (const auto* config : {&*by_perl, &*statically}) {
    EXPECT_EQ(config->scalars.at("MAIL_LIST"), "cq-test@example.org");
    EXPECT_EQ(config->scalars.at("REJECT_ADDR").find("\\"), std::string::npos);
    EXPECT_NE(config->scalars.at("REJECT_ADDR").find("|S+-help|"), std::string::npos);
    EXPECT_EQ(config->scalars.at("PGP_PATH"), "/var/spool/ml/cq-test/etc/pgp");
    EXPECT_EQ(config->scalars.at("WELCOME_STATEMENT"),
              "Welcome to our (cq-test ML)\n         You are added automatically");
    EXPECT_EQ(config->scalars.at("SUBJECT_TAG_TYPE"), "[:]");
    EXPECT_FALSE(config->scalars.contains("SPOOL_DIR"));
    ASSERT_EQ(config->calls.size(), 5u);
    EXPECT_EQ(config->calls[4].name, "DEFINE_FIELD_FORCED");
    EXPECT_EQ(config->calls[4].args[1], "cq-test@example.org");
  }
  EXPECT_EQ(by_perl->scalars, statically->scalars);
  EXPECT_EQ(by_perl->lines.at("MAIL_LIST"), statically->lines.at("MAIL_LIST"));
}

TEST(FmlConfigPh, PerlNamesTheFileAndLineItCannotEvaluate) {
  const auto broken =
      std::filesystem::path(CQLIST_SOURCE_ROOT) / "src/list/testdata/fml/bad/config-broken.ph";
  auto config = read_config_ph(broken, "/var/spool/ml/x", "perl");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().code(), Errc::bad_syntax);
  EXPECT_NE(config.error().message().find("config-broken.ph line"), std::string::npos)
      << config.error().message();
}

TEST(FmlConfigPh, MissingPerlFallsBackToTheStaticReader) {
  auto config = read_config_ph(kFixture / "config.ph", "/x", "cqlist-no-such-perl");
  ASSERT_TRUE(config);
  EXPECT_FALSE(config->evaluated_by_perl);
  EXPECT_EQ(config->scalars.at("MAINTAINER"), "cq-test-admin@example.org");
}

TEST(FmlConfigPh, MissingFileIsNamed) {
  auto config = read_config_ph("/nonexistent/config.ph", "/x", "perl");
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().describe().find("/nonexistent/config.ph"), std::string::npos);
}

}  // namespace
}  // namespace cqlist::list::fml
