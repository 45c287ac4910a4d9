#include "mail/address.hpp"

#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

namespace cqlist::mail {
namespace {

// "name|local|domain", with "|q" after a quoted local part; groups as "name:[a; b]".
std::string describe(const Mailbox& mailbox) {
  return mailbox.display_name + "|" + mailbox.local_part +
         (mailbox.local_part_quoted ? "|q|" : "|") + mailbox.domain;
}

std::string describe(const AddressList& list) {
  std::string out;
  for (const AddressEntry& entry : list.entries) {
    if (!out.empty()) {
      out += " ; ";
    }
    if (const auto* mailbox = std::get_if<Mailbox>(&entry)) {
      out += describe(*mailbox);
      continue;
    }
    const auto& group = std::get<Group>(entry);
    out += group.display_name + ":[";
    for (std::size_t i = 0; i < group.mailboxes.size(); ++i) {
      out += (i > 0 ? "; " : "") + describe(group.mailboxes[i]);
    }
    out += "]";
  }
  return out;
}

std::string problems(const AddressList& list) {
  std::string out;
  for (const AddressProblem& problem : list.problems) {
    out += (out.empty() ? "" : " ") + std::string(address_problem_name(problem.kind)) + "@" +
           std::to_string(problem.offset);
  }
  return out;
}

std::string parsed(std::string_view value) {
  return describe(parse_address_list(value));
}

TEST(AddressParse, Rfc5322AppendixA11Addressing) {
  EXPECT_EQ(parsed("John Doe <jdoe@machine.example>"), "John Doe|jdoe|machine.example");
  EXPECT_EQ(parsed("Mary Smith <mary@example.net>"), "Mary Smith|mary|example.net");
  AddressList list = parse_address_list("\"Joe Q. Public\" <john.q.public@example.com>");
  EXPECT_EQ(describe(list), "Joe Q. Public|john.q.public|example.com");
  EXPECT_EQ(problems(list), "");
}

TEST(AddressParse, Rfc5322AppendixA12DifferentTypesOfMailboxes) {
  AddressList to =
      parse_address_list("Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>");
  EXPECT_EQ(describe(to), "Mary Smith|mary|x.test ; |jdoe|example.org ; Who?|one|y.test");
  EXPECT_EQ(problems(to), "");
  AddressList cc =
      parse_address_list("<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>");
  EXPECT_EQ(describe(cc), "|boss|nil.test ; Giant; \"Big\" Box|sysservices|example.net");
  EXPECT_EQ(problems(cc), "");
}

TEST(AddressParse, Rfc5322AppendixA13Groups) {
  AddressList to =
      parse_address_list("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;");
  EXPECT_EQ(describe(to), "A Group:[Ed Jones|c|a.test; |joe|where.test; John|jdoe|one.test]");
  EXPECT_EQ(problems(to), "");
  AddressList cc = parse_address_list("Undisclosed recipients:;");
  EXPECT_EQ(describe(cc), "Undisclosed recipients:[]");
  EXPECT_EQ(problems(cc), "");
  EXPECT_TRUE(cc.mailboxes().empty());
  EXPECT_EQ(parsed(" undisclosed-recipients:;"), "undisclosed-recipients:[]");
}

TEST(AddressParse, Rfc5322AppendixA2ReplyWithColonInQuotedName) {
  EXPECT_EQ(parsed("\"Mary Smith: Personal Account\" <smith@home.example>"),
            "Mary Smith: Personal Account|smith|home.example");
}

TEST(AddressParse, Rfc5322AppendixA5CommentsAndWhiteSpace) {
  AddressList from =
      parse_address_list("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>");
  EXPECT_EQ(describe(from), "Pete|pete|silly.test");
  EXPECT_EQ(problems(from), "");
  AddressList to = parse_address_list(
      "A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n"
      "         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the "
      "group)");
  EXPECT_EQ(describe(to),
            "A Group:[Chris Jones|c|public.example; |joe|example.org; John|jdoe|one.test]");
  EXPECT_EQ(problems(to), "");
  AddressList cc =
      parse_address_list("(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;");
  EXPECT_EQ(describe(cc), "Hidden recipients:[]");
  EXPECT_EQ(problems(cc), "");
}

TEST(AddressParse, Rfc5322AppendixA6ObsoleteForms) {
  EXPECT_EQ(parsed("Joe Q. Public <john.q.public@example.com>"),
            "Joe Q. Public|john.q.public|example.com");
  AddressList to =
      parse_address_list("Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example");
  EXPECT_EQ(describe(to), "Mary Smith|mary|example.net ; |jdoe|test.example");
  EXPECT_EQ(problems(to), "");
  EXPECT_EQ(parsed("John Doe <jdoe@machine(comment).  example>"), "John Doe|jdoe|machine.example");
  EXPECT_EQ(parsed("Mary Smith\r\n \r\n <mary@example.net>"), "Mary Smith|mary|example.net");
}

TEST(AddressParse, ObsoleteLocalPartsAndRoutes) {
  EXPECT_EQ(parsed("john . q . public@example.com"), "|john.q.public|example.com");
  EXPECT_EQ(parsed("\"john\".doe@example.org"), "|john.doe|q|example.org");
  EXPECT_EQ(parsed("<@a.example,@b.example:user@x.example>"), "|user|x.example");
  EXPECT_EQ(parsed("Routed <@a.example, (c) @b.example : user@x.example>"),
            "Routed|user|x.example");
}

TEST(AddressParse, QuotedLocalPartsAndDomainLiterals) {
  EXPECT_EQ(parsed("\"john \\\"jd\\\" doe\"@example.org"), "|john \"jd\" doe|q|example.org");
  EXPECT_EQ(parsed("\"\"@example.org"), "||q|example.org");
  EXPECT_EQ(parsed("jdoe@[192.0.2.1]"), "|jdoe|[192.0.2.1]");
  EXPECT_EQ(parsed("Admin <postmaster@[IPv6:2001:db8::1]>"), "Admin|postmaster|[IPv6:2001:db8::1]");
  EXPECT_EQ(parsed("jdoe@[ 192.0.2.1 ]"), "|jdoe|[192.0.2.1]");
  EXPECT_EQ(parsed("jdoe@[a\\]b]"), "|jdoe|[a\\]b]");
  // A backslash before folding quotes nothing: the line break stays folding.
  EXPECT_EQ(parsed("\"a\\\r\n b\"@example.org"), "|a b|q|example.org");
}

TEST(AddressParse, FoldedFieldAndEmptyElements) {
  AddressList list = parse_address_list("Mary Smith\r\n <mary@x.test>,\r\n\tjdoe@example.org");
  EXPECT_EQ(describe(list), "Mary Smith|mary|x.test ; |jdoe|example.org");
  AddressList sparse = parse_address_list("a@x.example, , b@y.example,");
  EXPECT_EQ(describe(sparse), "|a|x.example ; |b|y.example");
  EXPECT_EQ(problems(sparse), "");
  EXPECT_EQ(parsed(",,<c@z.example>"), "|c|z.example");
}

TEST(AddressParse, ObsPhraseWithDotsAndSpecials) {
  EXPECT_EQ(parsed("John Q. Public <jqp@example.org>"), "John Q. Public|jqp|example.org");
  EXPECT_EQ(parsed("Dr. J.R.R. Tolkien <jrr@example.org>"), "Dr. J.R.R. Tolkien|jrr|example.org");
  // An unquoted address as display name, as some mailers write it.
  AddressList list = parse_address_list("user@example.org <user@example.org>");
  EXPECT_EQ(describe(list), "user@example.org|user|example.org");
  EXPECT_EQ(problems(list), "");
  // A comment-only display name stays empty: comments are not names.
  EXPECT_EQ(parsed("jdoe@example.org (John Doe)"), "|jdoe|example.org");
}

TEST(AddressParse, EncodedWordDisplayNamesInIso2022Jp) {
  EXPECT_EQ(parsed("=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <taro@example.jp>"),
            "山田太郎|taro|example.jp");
  // Adjacent encoded words: the white space between them goes (RFC 2047 §6.2).
  EXPECT_EQ(parsed("=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=\r\n =?ISO-2022-JP?B?GyRCQkBPOhsoQg==?=\r\n"
                   " <taro@example.jp>"),
            "山田太郎|taro|example.jp");
  EXPECT_EQ(parsed("=?iso-2022-jp?b?GyRCTmtMWhsoQiAbJEIwbE86GyhC?= <ichiro@example.jp>"),
            "鈴木 一郎|ichiro|example.jp");
  // A plain word after an encoded one keeps its space.
  EXPECT_EQ(parsed("=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= Taro <taro@example.jp>"),
            "山田 Taro|taro|example.jp");
}

TEST(AddressParse, EncodedWordsInsideQuotedStringsAreDecoded) {
  EXPECT_EQ(parsed("\"=?UTF-8?B?5bGx55Sw?= Taro\" <taro@example.jp>"), "山田 Taro|taro|example.jp");
  EXPECT_EQ(parsed("\"=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?=\" <taro@example.jp>"),
            "山田太郎|taro|example.jp");
  // Specials inside an encoded word (RFC 2047 §5(3) forbids them) do not split the list.
  AddressList list = parse_address_list("=?UTF-8?Q?Doe,_John?= <jd@example.org>, b@example.org");
  EXPECT_EQ(describe(list), "Doe, John|jd|example.org ; |b|example.org");
  EXPECT_EQ(problems(list), "");
  // A raw '@' in an encoded word splits the token, but the phrase still decodes.
  EXPECT_EQ(parsed("=?utf-8?q?j=C3=B6rg@example.org?= <jorg@example.org>"),
            "jörg@example.org|jorg|example.org");
}

TEST(AddressParse, Utf8AddressesAndRawJapaneseNames) {
  // RFC 6532: UTF-8 in the display name, the local part and the domain.
  AddressList list = parse_address_list("山田太郎 <太郎@例え.テスト>");
  EXPECT_EQ(describe(list), "山田太郎|太郎|例え.テスト");
  EXPECT_EQ(problems(list), "");
  // Raw ISO-2022-JP: its two-byte codes include '<' and '\\', which are not syntax there.
  EXPECT_EQ(parsed("\x1b$BF|K\\8l%a!<%j%s%0%j%9%H\x1b(B <ml@example.jp>"),
            "日本語メーリングリスト|ml|example.jp");
  EXPECT_EQ(parsed("\"\x1b$B;3ED\x1b(B\" <taro@example.jp>"), "山田|taro|example.jp");
}

TEST(AddressParse, StrayEscapesAreOrdinaryBytes) {
  // No shift back on the line: the escape cannot hide the ',' or the line break after it.
  AddressList list = parse_address_list("x\x1b$B@example.org, b@example.org");
  EXPECT_EQ(describe(list), "|x\x1b$B|example.org ; |b|example.org");
  AddressList lines = parse_address_list("a@x\x1b$B\r\n , b@y.example\x1b(B");
  EXPECT_EQ(describe(lines), "|a|x\x1b$B ; |b|y.example\x1b(B");
}

TEST(AddressParse, InvalidUtf8InAnAddressIsReported) {
  AddressList list = parse_address_list("j\xff@example.org");
  EXPECT_EQ(describe(list), "|j\xff|example.org");
  EXPECT_EQ(problems(list), "invalid_utf8@2");
}

TEST(AddressParse, NothingParseable) {
  AddressList empty = parse_address_list("");
  EXPECT_TRUE(empty.entries.empty());
  EXPECT_EQ(problems(empty), "no_address@0");
  EXPECT_EQ(problems(parse_address_list("  \r\n ")), "no_address@0");
  EXPECT_EQ(problems(parse_address_list("John Smith")), "missing_at_sign@0 no_address@0");
  EXPECT_EQ(problems(parse_address_list("<>")), "empty_angle_addr@0 no_address@0");
  EXPECT_EQ(problems(parse_address_list("Name <postmaster>")), "missing_at_sign@16 no_address@0");
  EXPECT_EQ(problems(parse_address_list("user@")), "missing_domain@5 no_address@0");
  EXPECT_EQ(problems(parse_address_list("@example.org")), "missing_local_part@0 no_address@0");
  EXPECT_EQ(problems(parse_address_list("\"John <jd@example.org>")),
            "unterminated_quoted_string@0 missing_at_sign@0 no_address@0");
}

TEST(AddressParse, RecoversFromDamage) {
  AddressList open_angle = parse_address_list("Name <a@example.org, b@example.org");
  EXPECT_EQ(describe(open_angle), "Name|a|example.org ; |b|example.org");
  EXPECT_EQ(problems(open_angle), "unterminated_angle_addr@5");

  AddressList open_comment = parse_address_list("a@example.org (comment");
  EXPECT_EQ(describe(open_comment), "|a|example.org");
  EXPECT_EQ(problems(open_comment), "unterminated_comment@14");

  AddressList semicolons = parse_address_list("a@example.org; b@example.org");
  EXPECT_EQ(describe(semicolons), "|a|example.org ; |b|example.org");
  EXPECT_EQ(problems(semicolons), "unexpected_text@13");

  AddressList junk = parse_address_list("Name <a@example.org> junk, c@example.org");
  EXPECT_EQ(describe(junk), "Name|a|example.org ; |c|example.org");
  EXPECT_EQ(problems(junk), "unexpected_text@21");

  AddressList no_angle = parse_address_list("John Doe jdoe@example.org");
  EXPECT_EQ(describe(no_angle), "|jdoe|example.org");
  EXPECT_EQ(problems(no_angle), "unexpected_text@5 unexpected_text@9");

  AddressList stray = parse_address_list("a>b@example.org");
  EXPECT_EQ(describe(stray), "|b|example.org");
  EXPECT_EQ(problems(stray), "unexpected_text@1");

  AddressList spaced = parse_address_list("Name <user@example org>");
  EXPECT_EQ(describe(spaced), "Name|user|example");
  EXPECT_EQ(problems(spaced), "unexpected_text@19");

  AddressList mailto = parse_address_list("Name <mailto:user@example.org>");
  EXPECT_EQ(describe(mailto), "Name|user|example.org");
  EXPECT_EQ(problems(mailto), "unexpected_text@12");

  AddressList literal = parse_address_list("a@[192.0.2.1, b@example.org");
  EXPECT_EQ(describe(literal), "|a|[192.0.2.1 ; |b|example.org");
  EXPECT_EQ(problems(literal), "unterminated_domain_literal@2");
}

TEST(AddressParse, GroupDamage) {
  AddressList open = parse_address_list("team: a@example.org, b@example.org");
  EXPECT_EQ(describe(open), "team:[|a|example.org; |b|example.org]");
  EXPECT_EQ(problems(open), "unterminated_group@34");

  AddressList nested = parse_address_list("outer: inner: a@example.org; b@example.org");
  EXPECT_EQ(describe(nested), "outer:[|a|example.org] ; |b|example.org");
  EXPECT_EQ(problems(nested), "nested_group@12 unexpected_text@29");
  AddressList two = parse_address_list("a: x@example.org; b: ; c@example.org");
  EXPECT_EQ(describe(two), "a:[|x|example.org] ; b:[] ; |c|example.org");
  EXPECT_EQ(problems(two), "unexpected_text@18 unexpected_text@23");
}

TEST(AddressParse, JapaneseCarrierLocalPartsKeepTheirDots) {
  AddressList list = parse_address_list("taro..yamada.@docomo.ne.jp");
  EXPECT_EQ(describe(list), "|taro..yamada.|docomo.ne.jp");
  EXPECT_EQ(problems(list), "bad_dot_placement@13");
}

TEST(AddressParse, MailboxesFlattensGroups) {
  AddressList list =
      parse_address_list("a@x.example, team: b@y.example, c@z.example;, d@w.example");
  std::vector<Mailbox> mailboxes = list.mailboxes();
  ASSERT_EQ(mailboxes.size(), 4u);
  EXPECT_EQ(mailboxes[0].addr_spec(), "a@x.example");
  EXPECT_EQ(mailboxes[1].addr_spec(), "b@y.example");
  EXPECT_EQ(mailboxes[2].addr_spec(), "c@z.example");
  EXPECT_EQ(mailboxes[3].addr_spec(), "d@w.example");
}

TEST(AddressParse, PathologicalInputStaysLinearAndBounded) {
  for (std::string unit :
       {"(", "\"", ":", "<", "@", ",", "a:", "<@a,", "=?x?q?", "\\", "[", ".", "\x1b$B"}) {
    std::string input;
    for (int i = 0; i < 20000; ++i) {
      input += unit;
    }
    AddressList list = parse_address_list(input);
    for (const AddressProblem& problem : list.problems) {
      EXPECT_LE(problem.offset, input.size()) << unit;
    }
    EXPECT_FALSE(list.problems.empty()) << unit;
  }
}

Mailbox mailbox(std::string name, std::string local, bool quoted, std::string domain) {
  Mailbox m;
  m.display_name = std::move(name);
  m.local_part = std::move(local);
  m.local_part_quoted = quoted;
  m.domain = std::move(domain);
  return m;
}

TEST(AddressFormat, AddrSpecQuotesOnlyWhenNeeded) {
  EXPECT_EQ(mailbox("", "jdoe", false, "example.org").addr_spec(), "jdoe@example.org");
  EXPECT_EQ(mailbox("", "jdoe", true, "example.org").addr_spec(), "jdoe@example.org");
  EXPECT_EQ(mailbox("", "john doe", true, "example.org").addr_spec(), "\"john doe\"@example.org");
  EXPECT_EQ(mailbox("", "a\"b\\c", true, "example.org").addr_spec(), "\"a\\\"b\\\\c\"@example.org");
  EXPECT_EQ(mailbox("", "", true, "example.org").addr_spec(), "\"\"@example.org");
  EXPECT_EQ(mailbox("", "taro..yamada.", false, "docomo.ne.jp").addr_spec(),
            "taro..yamada.@docomo.ne.jp");
  EXPECT_EQ(mailbox("", "taro..yamada.", true, "docomo.ne.jp").addr_spec(),
            "\"taro..yamada.\"@docomo.ne.jp");
  EXPECT_EQ(mailbox("", "太郎", false, "例え.テスト").addr_spec(), "太郎@例え.テスト");
}

TEST(AddressFormat, DisplayNames) {
  EXPECT_EQ(format_mailbox(mailbox("", "jdoe", false, "example.org")).value(), "jdoe@example.org");
  EXPECT_EQ(format_mailbox(mailbox("John Doe", "jdoe", false, "example.org")).value(),
            "John Doe <jdoe@example.org>");
  EXPECT_EQ(format_mailbox(mailbox("John Q. Public", "jqp", false, "example.org")).value(),
            "\"John Q. Public\" <jqp@example.org>");
  EXPECT_EQ(format_mailbox(mailbox("Giant; \"Big\" Box", "box", false, "example.net")).value(),
            "\"Giant; \\\"Big\\\" Box\" <box@example.net>");
  EXPECT_EQ(format_mailbox(mailbox("Two  spaces", "a", false, "example.org")).value(),
            "\"Two  spaces\" <a@example.org>");
  // Looks like an encoded word: quoted so that it is not decoded on the way back.
  EXPECT_EQ(format_mailbox(mailbox("=?x?q?y?=", "a", false, "example.org")).value(),
            "\"=?x?q?y?=\" <a@example.org>");
  // A line break must not reach the header.
  EXPECT_EQ(
      format_mailbox(mailbox("Evil\r\nBcc: victim@example.org", "a", false, "example.org")).value(),
      "\"Evil  Bcc: victim@example.org\" <a@example.org>");
}

TEST(AddressFormat, NonAsciiNamesBecomeEncodedWords) {
  EXPECT_EQ(format_mailbox(mailbox("山田太郎", "taro", false, "example.jp")).value(),
            "=?UTF-8?B?5bGx55Sw5aSq6YOO?= <taro@example.jp>");
  MailboxFormatOptions jis;
  jis.charset = EncodeCharset::iso_2022_jp;
  EXPECT_EQ(format_mailbox(mailbox("山田太郎", "taro", false, "example.jp"), jis).value(),
            "=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <taro@example.jp>");
  EXPECT_FALSE(format_mailbox(mailbox("bad \xff", "a", false, "example.org")).has_value());
}

TEST(AddressFormat, FoldsBeforeTheAngleAddrWhenTheLineIsFull) {
  MailboxFormatOptions options;
  options.first_line_used = 6;  // "From: "
  std::string name(50, 'x');
  EXPECT_EQ(format_mailbox(mailbox(name, "a.rather.long.local.part", false, "example.org"), options)
                .value(),
            name + "\n <a.rather.long.local.part@example.org>");
  EXPECT_EQ(format_mailbox(mailbox("Short", "a", false, "example.org"), options).value(),
            "Short <a@example.org>");
}

TEST(AddressFormat, ParseOfFormatGivesTheMailbox) {
  std::vector<Mailbox> cases = {
      mailbox("John Doe", "jdoe", false, "example.org"),
      mailbox("Giant; \"Big\" Box", "sysservices", false, "example.net"),
      mailbox("山田 太郎", "taro", false, "example.jp"),
      mailbox("Doe, John (Sales)", "john doe", true, "[192.0.2.1]"),
      mailbox("", "太郎", false, "例え.テスト"),
  };
  for (const Mailbox& original : cases) {
    std::string formatted = format_mailbox(original).value();
    AddressList list = parse_address_list(formatted);
    ASSERT_EQ(list.entries.size(), 1u) << formatted;
    EXPECT_EQ(std::get<Mailbox>(list.entries[0]), original) << formatted;
    EXPECT_EQ(problems(list), "") << formatted;
  }
}

std::string ascii(std::string_view domain) {
  auto result = domain_to_ascii(domain);
  return result ? *result : "error: " + result.error().message();
}

TEST(AddressDomain, ToAsciiUsesALabels) {
  EXPECT_EQ(ascii("例え.テスト"), "xn--r8jz45g.xn--zckzah");
  EXPECT_EQ(ascii("Example.ORG."), "example.org");
  EXPECT_EQ(ascii("BÜCHER.de"), "xn--bcher-kva.de");
  EXPECT_EQ(ascii("日本語。ＪＰ"), "xn--wgv71a119e.jp");
  EXPECT_EQ(ascii("XN--R8JZ45G.xn--zckzah"), "xn--r8jz45g.xn--zckzah");
  // IDNA2008 keeps ß and ς; transitional processing would map them to "ss" and "σ".
  EXPECT_EQ(ascii("faß.de"), "xn--fa-hia.de");
  // IDNA2008 disallows symbols; the transitional retry still maps them.
  EXPECT_EQ(ascii("☃.net"), "xn--n3h.net");
}

TEST(AddressDomain, ToAsciiKeepsAddressLiterals) {
  EXPECT_EQ(ascii("[192.0.2.1]"), "[192.0.2.1]");
  EXPECT_EQ(ascii("[IPv6:2001:DB8:0:0::1]"), "[IPv6:2001:db8::1]");
  EXPECT_EQ(ascii("[ipv6:::1]"), "[IPv6:::1]");
  EXPECT_EQ(ascii("[X-Tag:Some)Thing]"), "[x-tag:Some)Thing]");
  EXPECT_EQ(ascii("[300.1.1.1]"),
            "error: the domain \"[300.1.1.1]\" is not a valid domain name: the address literal "
            "is not an IP address");
  EXPECT_EQ(ascii("[192.0.2.1"),
            "error: the domain \"[192.0.2.1\" is not a valid domain name: the address literal "
            "has no closing \"]\"");
}

TEST(AddressDomain, ToAsciiRejectsInvalidNames) {
  EXPECT_EQ(ascii(""), "error: the domain \"\" is not a valid domain name: it is empty");
  EXPECT_EQ(ascii("a..example"),
            "error: the domain \"a..example\" is not a valid domain name: it has an empty label");
  EXPECT_EQ(ascii("-abc.example"),
            "error: the domain \"-abc.example\" is not a valid domain name: a label starts or "
            "ends with '-'");
  EXPECT_EQ(ascii("exa_mple.com"),
            "error: the domain \"exa_mple.com\" is not a valid domain name: it holds a character "
            "other than letters, digits, '-'");
  EXPECT_FALSE(domain_to_ascii("xn--zz.com").has_value());
  EXPECT_FALSE(domain_to_ascii("bad\xff.example").has_value());
  EXPECT_FALSE(domain_to_ascii(std::string(64, 'a') + ".example").has_value());
  EXPECT_TRUE(domain_to_ascii(std::string(63, 'a') + ".example").has_value());
  EXPECT_FALSE(domain_to_ascii("example.org..").has_value());
}

TEST(AddressDomain, ToUnicodeForDisplay) {
  EXPECT_EQ(domain_to_unicode("xn--r8jz45g.xn--zckzah").value(), "例え.テスト");
  EXPECT_EQ(domain_to_unicode("xn--bcher-kva.DE").value(), "bücher.de");
  EXPECT_EQ(domain_to_unicode("Example.ORG").value(), "example.org");
  EXPECT_EQ(domain_to_unicode("例え.テスト").value(), "例え.テスト");
  EXPECT_EQ(domain_to_unicode("[192.0.2.1]").value(), "[192.0.2.1]");
  EXPECT_FALSE(domain_to_unicode("xn--zz.com").has_value());
}

std::string normal(std::string_view field, LocalPartCase local_case = LocalPartCase::preserve) {
  AddressList list = parse_address_list(field);
  if (list.mailboxes().size() != 1) {
    return "not one mailbox";
  }
  NormalizeOptions options;
  options.local_part_case = local_case;
  auto result = normalized_address(list.mailboxes()[0], options);
  return result ? *result : "error: " + result.error().message();
}

TEST(AddressNormalize, DomainFoldedLocalPartAsWritten) {
  EXPECT_EQ(normal("John Doe <JDoe@Example.ORG>"), "JDoe@example.org");
  EXPECT_EQ(normal("JDoe@Example.ORG.", LocalPartCase::fold), "jdoe@example.org");
  EXPECT_EQ(normal("太郎 <Taro@例え.テスト>"), "Taro@xn--r8jz45g.xn--zckzah");
  EXPECT_EQ(normal("user@[IPv6:2001:DB8::1]"), "user@[IPv6:2001:db8::1]");
}

TEST(AddressNormalize, QuotingIsNotPartOfTheAddress) {
  EXPECT_EQ(normal("\"jdoe\"@example.org"), "jdoe@example.org");
  EXPECT_EQ(normal("\"john\".doe@example.org"), "john.doe@example.org");
  EXPECT_EQ(normal("\"taro..yamada.\"@docomo.ne.jp"), "taro..yamada.@docomo.ne.jp");
  EXPECT_EQ(normal("\"john doe\"@Example.org"), "\"john doe\"@example.org");
  EXPECT_EQ(normal("\"John Doe\"@example.org", LocalPartCase::fold), "\"john doe\"@example.org");
}

TEST(AddressNormalize, InvalidAddressesFail) {
  EXPECT_EQ(normal("user@exa_mple.com"),
            "error: the domain \"exa_mple.com\" is not a valid domain name: it holds a character "
            "other than letters, digits, '-'");
  EXPECT_EQ(normal("\"a\\\x01"
                   "b\"@example.org"),
            "error: the local part of \"\"a?b\"@example.org\" holds control characters or "
            "bytes that are not UTF-8");
  Mailbox no_domain;
  no_domain.local_part = "postmaster";
  EXPECT_FALSE(normalized_address(no_domain).has_value());
  Mailbox no_local;
  no_local.domain = "example.org";
  EXPECT_FALSE(normalized_address(no_local).has_value());
}

std::string split(std::string_view path) {
  auto result = split_addr_spec(path);
  if (!result) {
    return "error: " + result.error().message();
  }
  return result->local_part + (result->local_part_quoted ? "|q|" : "|") + result->domain;
}

TEST(AddressEnvelope, SplitsPaths) {
  EXPECT_EQ(split("user@example.org"), "user|example.org");
  EXPECT_EQ(split("<user@example.org>"), "user|example.org");
  EXPECT_EQ(split(" <bounce+list=example.org@lists.example> "),
            "bounce+list=example.org|lists.example");
  EXPECT_EQ(split("<\"john doe\"@example.org>"), "john doe|q|example.org");
  EXPECT_EQ(split("<\"a\\\"b@c\"@example.org>"), "a\"b@c|q|example.org");
  EXPECT_EQ(split("<@a.example,@b.example:user@x.example>"), "user|x.example");
  EXPECT_EQ(split("<user@[192.0.2.1]>"), "user|[192.0.2.1]");
  EXPECT_EQ(split("<user@[IPv6:2001:db8::1]>"), "user|[IPv6:2001:db8::1]");
  EXPECT_EQ(split("<太郎@例え.テスト>"), "太郎|例え.テスト");
  EXPECT_EQ(split("<taro..yamada.@docomo.ne.jp>"), "taro..yamada.|docomo.ne.jp");
  EXPECT_EQ(split("<Postmaster>"), "Postmaster|");
}

TEST(AddressEnvelope, NullSender) {
  EnvelopeAddress null_sender = split_addr_spec("<>").value();
  EXPECT_TRUE(null_sender.is_null());
  EXPECT_EQ(null_sender.to_string(), "");
  EXPECT_EQ(normalized_address(null_sender).value(), "");
  EXPECT_TRUE(split_addr_spec("").value().is_null());
  EXPECT_FALSE(split_addr_spec("<\"\"@example.org>").value().is_null());
}

TEST(AddressEnvelope, RejectsWhatIsNotAMailbox) {
  EXPECT_EQ(split("<user@example.org"),
            "error: the envelope address \"<user@example.org\" is not valid: \"<\" without \">\"");
  EXPECT_EQ(split("user"), "error: the envelope address \"user\" is not valid: no \"@\"");
  for (std::string_view bad :
       {"<user@>", "<@example.org>", "<john doe@example.org>", "<\"open@example.org>",
        "<\"q\"x@example.org>", "<a@b@c>", "<user@exa mple.org>", "<user@[192.0.2.1>",
        "<@a.example user@x>", "<\"a\x01\"@example.org>", "<\xff@example.org>",
        "<\"Postmaster\">"}) {
    EXPECT_FALSE(split_addr_spec(bad).has_value()) << bad;
  }
}

TEST(AddressEnvelope, ToStringAndNormalize) {
  EXPECT_EQ(split_addr_spec("<\"john doe\"@example.org>").value().to_string(),
            "\"john doe\"@example.org");
  EXPECT_EQ(split_addr_spec("<\"jdoe\"@example.org>").value().to_string(), "jdoe@example.org");
  EXPECT_EQ(split_addr_spec("<Postmaster>").value().to_string(), "Postmaster");
  EXPECT_EQ(normalized_address(split_addr_spec("<PostMaster>").value()).value(), "postmaster");
  EXPECT_EQ(normalized_address(split_addr_spec("<Member@例え.テスト>").value()).value(),
            "Member@xn--r8jz45g.xn--zckzah");
  NormalizeOptions fold;
  fold.local_part_case = LocalPartCase::fold;
  EXPECT_EQ(normalized_address(split_addr_spec("<Member@Example.ORG>").value(), fold).value(),
            "member@example.org");
}

}  // namespace
}  // namespace cqlist::mail
