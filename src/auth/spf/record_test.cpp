#include "auth/spf/record.hpp"

#include <gtest/gtest.h>

namespace cqlist::auth::spf {
namespace {

TEST(SpfRecord, RecognisesVersionOnlyBeforeSpaceOrEnd) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("V=SPF1 -all"));
  EXPECT_FALSE(is_spf_record("v=spf10 -all"));
  EXPECT_FALSE(is_spf_record("v=spf1\t-all"));
  EXPECT_FALSE(is_spf_record(" v=spf1 -all"));
}

TEST(SpfRecord, ParsesMechanismsQualifiersAndModifiers) {
  auto record = parse_record(
      "v=spf1 ip4:192.0.2.0/24 -ip6:2001:db8::/32 ~a:mail.example.org/28//64 ?mx "
      "include:_spf.example.net exists:%{i}.bl.example.com ptr redirect=_spf.example.org "
      "exp=explain.example.org foo=bar  -all");
  ASSERT_TRUE(record.has_value()) << record.error().message();
  ASSERT_EQ(record->mechanisms.size(), 8u);
  EXPECT_EQ(record->mechanisms[0].kind, MechanismKind::ip4);
  EXPECT_EQ(record->mechanisms[0].network.prefix_length, 24u);
  EXPECT_EQ(record->mechanisms[1].qualifier, Qualifier::fail);
  EXPECT_EQ(record->mechanisms[1].network.to_string(), "2001:db8::/32");
  EXPECT_EQ(record->mechanisms[2].qualifier, Qualifier::softfail);
  EXPECT_EQ(record->mechanisms[2].domain_spec, "mail.example.org");
  EXPECT_EQ(record->mechanisms[2].cidr4, 28u);
  EXPECT_EQ(record->mechanisms[2].cidr6, 64u);
  EXPECT_EQ(record->mechanisms[3].qualifier, Qualifier::neutral);
  EXPECT_TRUE(record->mechanisms[3].domain_spec.empty());
  EXPECT_EQ(record->mechanisms[4].kind, MechanismKind::include);
  EXPECT_EQ(record->mechanisms[5].domain_spec, "%{i}.bl.example.com");
  EXPECT_EQ(record->mechanisms[6].kind, MechanismKind::ptr);
  EXPECT_EQ(record->mechanisms[7].kind, MechanismKind::all);
  EXPECT_EQ(record->redirect, "_spf.example.org");
  EXPECT_EQ(record->exp, "explain.example.org");
  ASSERT_EQ(record->unknown_modifiers.size(), 1u);
  EXPECT_EQ(record->unknown_modifiers[0].name, "foo");
}

// Each row is a record RFC 7208 calls a syntax error (permerror), with a word the reason
// must contain so the operator sees which term is wrong.
TEST(SpfRecord, SyntaxErrorsNameTheTerm) {
  struct Row {
    const char* record;
    const char* reason_contains;
  };

  const Row rows[] = {
      {"v=spf1 a:foo.example.com\x0dptr -all", "0x0d"},
      {"v=spf1 \x80"
       "a:example.net -all",
       "0x80"},
      {"v=spf1 ip4:192.0.2.300 -all", "ip4:192.0.2.300"},
      {"v=spf1 ip4:192.0.2.0/33 -all", "prefix"},
      {"v=spf1 ip6:192.0.2.1 -all", "IPv6"},
      {"v=spf1 all:foo -all", "takes no argument"},
      {"v=spf1 include -all", "include"},
      {"v=spf1 a:museum -all", "top-level"},
      {"v=spf1 redirect=a.example.org redirect=b.example.org", "twice"},
      {"v=spf1 exp=a.example.org exp=b.example.org", "twice"},
      {"v=spf1 foo -all", "unknown mechanism"},
      {"v=spf1 a:%{x}.example.org", "invalid macro"},
      {"v=spf1 exists:%{c}.example.org", "invalid macro"},
      {"v=spf1 a:foo%.example.org", "invalid macro"},
      {"v=spf1 mx/24/ -all", "mx/24/"},
  };
  for (const Row& row : rows) {
    auto record = parse_record(row.record);
    ASSERT_FALSE(record.has_value()) << row.record;
    EXPECT_EQ(record.error().code(), Errc::bad_syntax);
    EXPECT_NE(record.error().message().find(row.reason_contains), std::string::npos)
        << row.record << ": " << record.error().message();
  }
}

TEST(SpfRecord, MacroStringSyntax) {
  EXPECT_TRUE(check_macro_string("%{ir}.%{v}._spf.%{d2}", false).has_value());
  EXPECT_TRUE(check_macro_string("%{l1r-}.%%.%_.%-", false).has_value());
  EXPECT_FALSE(check_macro_string("%{t}", false).has_value());
  EXPECT_TRUE(check_macro_string("at %{t} from %{c} to %{r}", true).has_value());
  EXPECT_FALSE(check_macro_string("%{i", false).has_value());
  EXPECT_FALSE(check_macro_string("%", false).has_value());
}

}  // namespace
}  // namespace cqlist::auth::spf
