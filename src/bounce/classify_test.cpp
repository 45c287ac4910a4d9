// bounce/classify_test.cpp: the reply pattern table, the decision order and the project's own
// samples (testdata/samples/: Postfix-format bounces of the founding story's Gmail texts and
// the other texts issue 6 names, and a Japanese carrier's own format).
#include "bounce/classify.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/strings.hpp"
#include "bounce/parse.hpp"
#include "bounce/reasons.hpp"
#include "bounce/reply_patterns.hpp"
#include "bounce/testing/corpus.hpp"

namespace cqlist::bounce {
namespace {

Classification classify_text(std::string_view text, std::string_view status = {},
                             std::string_view command = {}, std::string_view host = {}) {
  Rejection rejection;
  rejection.text = text;
  if (!status.empty()) {
    rejection.status = mail::EnhancedStatus::parse(status);
  }
  rejection.smtp_command = command;
  rejection.remote_host = host;
  return classify(rejection);
}

// One rejection text and what the classifier must make of it; an expectation left unset is
// not checked for that text.
struct TextCase {
  std::string_view name;  // the test's name
  std::string_view text;
  std::string_view status = {};
  std::string_view command = {};
  std::string_view host = {};
  std::string_view reason;
  std::optional<Side> side = {};
  std::optional<MemberAction> member_action = {};
  std::optional<std::string_view> provider = {};
  std::optional<std::string_view> advice = {};
  std::optional<std::string_view> rule = {};
};

class ClassifyText : public ::testing::TestWithParam<TextCase> {};

TEST_P(ClassifyText, ReasonSideAndRuleAreAsExpected) {
  const TextCase& c = GetParam();
  Classification got = classify_text(c.text, c.status, c.command, c.host);
  EXPECT_EQ(got.reason, c.reason) << c.text << " (rule " << got.rule << ")";
  if (c.side) {
    EXPECT_EQ(got.side, *c.side) << c.text;
  }
  if (c.member_action) {
    EXPECT_EQ(got.member_action, *c.member_action) << c.text;
  }
  if (c.provider) {
    EXPECT_EQ(got.provider, *c.provider) << c.text;
  }
  if (c.advice) {
    EXPECT_EQ(got.advice, *c.advice) << c.text;
  }
  if (c.rule) {
    EXPECT_EQ(got.rule, *c.rule) << c.text;
  }
}

// ---- The founding story and the other texts issue 6 names ---------------------------------

constexpr TextCase kIssueTexts[] = {
    {.name = "GmailUnauthenticatedIsTheListsAuthentication",
     .text = "550-5.7.26 This mail has been blocked because the sender is unauthenticated. "
             "550-5.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. 550 "
             "5.7.26 ... - gsmtp",
     .status = "5.7.26",
     .command = "DATA",
     .host = "gmail-smtp-in.l.google.com",
     .reason = "authfailure",
     .side = Side::sender,
     .member_action = MemberAction::none,
     .provider = "gmail",
     .advice = "authentication",
     .rule = "gmail.unauthenticated"},
    {.name = "GmailFailsToPassAuthenticationChecks",
     .text = "550-5.7.26 This message fails to pass authentication checks (SPF or DKIM) and has "
             "been blocked.",
     .status = "5.7.26",
     .reason = "authfailure",
     .side = Side::sender},
    {.name = "GmailIpv6LikelyUnsolicitedIsTheListsReputationNotTheMember",
     .text = "550-5.7.1 [2001:db8::25] Our system has detected that this message is likely "
             "unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been "
             "blocked.",
     .status = "5.7.1",
     .command = "DATA",
     .host = "gmail-smtp-in.l.google.com",
     .reason = "badreputation",
     .side = Side::sender,
     .member_action = MemberAction::none,
     .provider = "gmail",
     .advice = "reputation"},
    {.name = "GmailIpv6PtrGuidelinesAreTheListsPtr",
     .text = "550-5.7.1 [2001:db8::25] The IP address sending this message does not meet IPv6 "
             "sending guidelines regarding PTR records and authentication.",
     .status = "5.7.1",
     .reason = "requireptr",
     .side = Side::sender,
     .advice = "ptr"},
    {.name = "SpamhausListingIsBlockedNotUserUnknown",
     .text = "550-5.1.0 MXIN506 MailFrom domain is listed in Spamhaus. To request removal from "
             "this list",
     .status = "5.1.0",
     .command = "MAIL",
     .reason = "blocked",
     .side = Side::sender},
    // Even with a recipient code around it, a block list never blames the member.
    {.name = "SpamhausListingWithARecipientCodeIsStillBlocked",
     .text = "550 5.1.1 MailFrom domain is listed in Spamhaus",
     .status = "5.1.1",
     .command = "RCPT",
     .reason = "blocked"},
    {.name = "GmailAccountDoesNotExistIsTheMembersAddress",
     .text = "550-5.1.1 The email account that you tried to reach does not exist. Please try "
             "double-checking the recipient's email address",
     .status = "5.1.1",
     .command = "RCPT",
     .host = "gmail-smtp-in.l.google.com",
     .reason = "userunknown",
     .side = Side::recipient,
     .member_action = MemberAction::count},
    {.name = "GmailOutOfStorageIsTheMembersMailbox",
     .text = "552-5.2.2 The recipient's inbox is out of storage space. Please direct the "
             "recipient to",
     .status = "5.2.2",
     .command = "RCPT",
     .reason = "mailboxfull",
     .side = Side::recipient},
    {.name = "Outlook5_7_515IsTheListsAuthentication",
     .text = "550 5.7.515 Access denied, sending domain LISTS.EXAMPLE doesn't meet the required "
             "authentication level.",
     .status = "5.7.515",
     .command = "DATA",
     .host = "outlook-com.olc.protection.outlook.com",
     .reason = "authfailure",
     .side = Side::sender,
     .provider = "outlook",
     .rule = "outlook.authentication-level"},
    {.name = "YahooTss04IsTheListsReputation",
     .text =
         "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected "
         "volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
     .status = "4.7.0",
     .command = "MAIL",
     .host = "mta7.am0.yahoodns.net",
     .reason = "badreputation",
     .side = Side::sender,
     .provider = "yahoo",
     .advice = "reputation"},
    {.name = "YahooPolicyReasonsWithDmarcIsAuthentication",
     .text = "554 5.7.9 Message not accepted for policy reasons: the From domain's DMARC policy "
             "(p=reject) is not satisfied.",
     .status = "5.7.9",
     .command = "DATA",
     .host = "mx-aol.mail.gm0.yahoodns.net",
     .reason = "authfailure",
     .side = Side::sender},
    // Without a word about DMARC it is a policy refusal of this message: still never counted.
    {.name = "YahooPolicyReasonsWithoutDmarcIsThePolicy",
     .text = "554 5.7.9 Message not accepted for policy reasons.",
     .status = "5.7.9",
     .reason = "policyviolation",
     .member_action = MemberAction::none},
    {.name = "JapaneseCarrierUnknownUser",
     .text = "550 Unknown user hanako@docomo.ne.jp",
     .command = "RCPT",
     .host = "mfsmax.docomo.ne.jp",
     .reason = "userunknown",
     .provider = "docomo"},
    // After DATA the carriers say this for their receivers' own filters.
    {.name = "JapaneseCarrierUnknownUserAfterDataIsRejected",
     .text = "550 Unknown user hanako@docomo.ne.jp",
     .command = "DATA",
     .host = "mfsmax.docomo.ne.jp",
     .reason = "rejected"},
    {.name = "AuUserUnknownAfterDataIsFiltered",
     .text = "550 : User unknown",
     .command = "DATA",
     .host = "lsean.ezweb.ne.jp",
     .reason = "filtered",
     .provider = "au"},
};

// ---- Decision order -----------------------------------------------------------------------

constexpr TextCase kDecisionOrder[] = {
    // Text wins over a generic code.
    {.name = "TextWinsOverAGeneric5_7_1",
     .text = "550 5.7.1 <x@example.net>: Recipient address rejected: User unknown",
     .status = "5.7.1",
     .command = "RCPT",
     .reason = "userunknown"},
    {.name = "TextWinsOverAMailboxCode",
     .text = "552 5.2.2 Message size exceeds fixed maximum message size",
     .status = "5.2.2",
     .reason = "emailtoolarge"},
    // The failed command decides what "user unknown" means.
    {.name = "UserUnknownAtRcptIsTheAddress",
     .text = "550 5.1.1 User unknown",
     .status = "5.1.1",
     .command = "RCPT",
     .reason = "userunknown"},
    {.name = "DoesNotExistAtMailIsTheSender",
     .text = "553 5.1.0 sender.example does not exist",
     .status = "5.1.0",
     .command = "MAIL",
     .reason = "rejected"},
    {.name = "UserUnknownAtDataIsAFilter",
     .text = "550 User unknown",
     .status = "5.0.0",
     .command = "DATA",
     .reason = "filtered"},
    {.name = "UserUnknownAfterEndOfDataInTheTextIsAFilter",
     .text = "550 User unknown (in reply to end of DATA command)",
     .reason = "filtered"},
    // With nothing else to go on, a refusal at connection time is about the list's server.
    {.name = "AccessDeniedAtConnectionIsBlocked",
     .text = "550 Access denied",
     .command = "CONN",
     .reason = "blocked"},
    {.name = "AccessDeniedAtMailIsRejected",
     .text = "550 5.7.1 Access denied",
     .status = "5.7.1",
     .command = "MAIL",
     .reason = "rejected"},
    // Nothing to go on never counts.
    {.name = "NoTextAndNoCodeIsUndefined",
     .text = "",
     .reason = "undefined",
     .side = Side::unknown,
     .member_action = MemberAction::none},
    {.name = "AGenericCodeAloneIsOnHold",
     .text = "Delivery failed for reasons of its own",
     .status = "5.0.0",
     .reason = "onhold",
     .member_action = MemberAction::none},
};

std::string case_name(const ::testing::TestParamInfo<TextCase>& info) {
  return std::string(info.param.name);
}

INSTANTIATE_TEST_SUITE_P(IssueTexts, ClassifyText, ::testing::ValuesIn(kIssueTexts), case_name);
INSTANTIATE_TEST_SUITE_P(DecisionOrder, ClassifyText, ::testing::ValuesIn(kDecisionOrder),
                         case_name);

TEST(Classify, BlockListTextsNeverComeOutAsUserUnknown) {
  for (std::string_view text : {
           "554 5.7.1 Service unavailable; Client host [192.0.2.25] blocked using zen.spamhaus.org",
           "550 5.1.1 <x@example.net>: Recipient address rejected: client blocked using dnsbl",
           "550 Your IP 192.0.2.25 is listed in bl.spamcop.net, user unknown",
           "550 5.7.1 Rejected: 192.0.2.25 listed at b.barracudacentral.org",
           "553 sorry, your sending IP is on our blocklist (no such user check skipped)",
       }) {
    Classification c = classify_text(text, "5.1.1", "RCPT");
    EXPECT_EQ(c.side, Side::sender) << text << " -> " << c.reason << " (" << c.rule << ")";
    EXPECT_NE(c.member_action, MemberAction::count) << text;
  }
}

TEST(Classify, SpecificCodesDecideWhenTheTextSaysNothing) {
  struct Case {
    std::string_view status;
    std::string_view reason;
    Side side;
  };

  for (const Case& c :
       {Case{"5.1.1", "userunknown", Side::recipient},
        Case{"5.1.10", "userunknown", Side::recipient},
        Case{"5.1.2", "hostunknown", Side::recipient},
        Case{"5.2.2", "mailboxfull", Side::recipient}, Case{"5.2.1", "suspend", Side::recipient},
        Case{"5.3.4", "emailtoolarge", Side::message},
        Case{"5.2.3", "emailtoolarge", Side::message}, Case{"5.7.25", "requireptr", Side::sender},
        Case{"5.7.26", "authfailure", Side::sender}, Case{"5.7.27", "authfailure", Side::sender},
        Case{"5.7.23", "authfailure", Side::sender}, Case{"5.7.1", "securityerror", Side::sender},
        Case{"4.4.7", "expired", Side::transient}}) {
    Classification got = classify_text("Delivery failed", c.status, "RCPT");
    EXPECT_EQ(got.reason, c.reason) << c.status;
    EXPECT_EQ(got.side, c.side) << c.status;
    EXPECT_EQ(got.rule, "status." + std::string(c.status));
  }
}

TEST(Classify, ReportKindsComeFirst) {
  BounceReport report;
  RecipientReport recipient;
  recipient.diagnostic = "550 5.1.1 User unknown";
  recipient.status = mail::EnhancedStatus::parse("5.1.1");
  report.kind = ReportKind::auto_reply;
  EXPECT_EQ(classify(report, recipient).reason, "vacation");
  EXPECT_EQ(classify(report, recipient).side, Side::not_a_bounce);
  report.kind = ReportKind::complaint;
  EXPECT_EQ(classify(report, recipient).reason, "feedback");
  EXPECT_EQ(classify(report, recipient).member_action, MemberAction::stop);
  report.kind = ReportKind::delivered;
  EXPECT_EQ(classify(report, recipient).reason, "delivered");
  report.kind = ReportKind::delivery_failure;
  EXPECT_EQ(classify(report, recipient).reason, "userunknown");
  recipient.action = "relayed";
  EXPECT_EQ(classify(report, recipient).reason, "delivered");
  // A delay that says nothing more is the MTA still trying.
  report.kind = ReportKind::delay;
  recipient = {};
  recipient.action = "delayed";
  EXPECT_EQ(classify(report, recipient).reason, "expired");
  EXPECT_EQ(classify(report, recipient).side, Side::transient);
}

// ---- The table itself ---------------------------------------------------------------------

TEST(ReplyPatterns, RuleNamesAreUniqueAndEntriesAreWellFormed) {
  std::set<std::string_view> names;
  for (const ReplyPattern& pattern : reply_patterns()) {
    EXPECT_TRUE(names.insert(pattern.rule).second) << "duplicate rule " << pattern.rule;
    EXPECT_TRUE(is_reason(pattern.reason)) << pattern.rule << ": " << pattern.reason;
    EXPECT_FALSE(pattern.any_of[0].empty()) << pattern.rule;
    EXPECT_EQ(pattern.meaning_en.empty(), pattern.meaning_ja.empty()) << pattern.rule;
    for (std::string_view fragment : pattern.any_of) {
      EXPECT_EQ(fragment, to_ascii_lower(fragment)) << pattern.rule << ": matched lower case";
    }
    EXPECT_EQ(pattern.and_also, to_ascii_lower(pattern.and_also)) << pattern.rule;
    if (reason_info(pattern.reason).side != Side::sender) {
      EXPECT_TRUE(pattern.advice.empty() || pattern.advice == "format") << pattern.rule;
    }
    EXPECT_EQ(find_reply_pattern(pattern.rule), &pattern);
  }
  EXPECT_EQ(find_reply_pattern("no.such-rule"), nullptr);
}

// Every fragment of every entry reaches its own entry: a fragment that an earlier, broader
// entry always catches first would be dead text in the table.
TEST(ReplyPatterns, EveryFragmentFiresItsOwnRule) {
  for (const ReplyPattern& pattern : reply_patterns()) {
    for (std::string_view fragment : pattern.any_of) {
      if (fragment.empty()) {
        continue;
      }
      std::string text = "550 " + std::string(fragment) + " " + std::string(pattern.and_also);
      ReplyContext context;
      context.provider = pattern.provider;
      context.smtp_command = pattern.command;
      if (!pattern.status.empty()) {
        std::string code(pattern.status);
        if (code.back() == '.') {
          code += "0";
        }
        context.status = mail::EnhancedStatus::parse(code);
      }
      const ReplyPattern* found = match_reply_pattern(text, context);
      ASSERT_NE(found, nullptr) << pattern.rule << ": " << fragment;
      EXPECT_EQ(found->rule, pattern.rule) << "\"" << fragment << "\" is caught by " << found->rule;
    }
  }
}

TEST(ReplyPatterns, ConditionsAreHonoured) {
  // The Yahoo DMARC entry needs 5.7.9; au's filter entry needs au and DATA.
  ReplyContext context;
  EXPECT_NE(match_reply_pattern("dmarc", context)->rule, "yahoo.dmarc");
  context.status = mail::EnhancedStatus::parse("5.7.9");
  EXPECT_EQ(match_reply_pattern("dmarc", context)->rule, "yahoo.dmarc");
  ReplyContext au{"au", std::nullopt, "RCPT"};
  EXPECT_NE(match_reply_pattern("550 user unknown", au)->rule, "au.filtered-after-data");
  au.smtp_command = "DATA";
  EXPECT_EQ(match_reply_pattern("550 user unknown", au)->rule, "au.filtered-after-data");
}

TEST(ReplyPatterns, ProvidersAreRecognisedByHostAndByText) {
  EXPECT_EQ(identify_provider("", "gmail-smtp-in.l.google.com"), "gmail");
  EXPECT_EQ(identify_provider("550 5.1.1 ... - gsmtp", ""), "gmail");
  EXPECT_EQ(identify_provider("", "example-com.mail.protection.outlook.com"), "outlook");
  EXPECT_EQ(identify_provider("", "mta5.am0.yahoodns.net"), "yahoo");
  EXPECT_EQ(identify_provider("421 4.7.0 [tss04] messages from", ""), "yahoo");
  EXPECT_EQ(identify_provider("", "mx-aol.mail.gm0.yahoodns.net"), "yahoo");
  EXPECT_EQ(identify_provider("", "mx01.mail.icloud.com"), "apple");
  EXPECT_EQ(identify_provider("", "mfsmax.docomo.ne.jp"), "docomo");
  EXPECT_EQ(identify_provider("", "lsean.ezweb.ne.jp"), "au");
  EXPECT_EQ(identify_provider("550 user unknown", "mx.example.net"), "");
}

// ---- Reasons --------------------------------------------------------------------------------

TEST(Reasons, SidesFollowTheProjectsReadingOfEveryReason) {
  std::vector<std::vector<std::string>> rows =
      testing::read_tsv(testing::shared_bounces_dir() + "/reason-sides.tsv");
  ASSERT_FALSE(rows.empty()) << "reason-sides.tsv is missing";
  int checked = 0;
  for (std::vector<std::string> cells : rows) {
    if (cells.front() == "reason") {
      continue;
    }
    cells.resize(std::max<std::size_t>(cells.size(), 5));
    const std::string& reason = cells[0];
    const std::string& side = cells[3];
    const std::string& action = cells[4];
    ASSERT_TRUE(is_reason(reason)) << reason;
    const ReasonInfo& info = reason_info(reason);
    std::string ours(side_name(info.side));
    if (side == "recipient-infra" || side == "ambiguous") {
      EXPECT_EQ(ours, "transient") << reason;
      EXPECT_EQ(info.member_action, MemberAction::weak) << reason;
    } else if (side == "transport") {
      EXPECT_EQ(ours, "sender") << reason;
    } else if (side == "not-a-bounce") {
      EXPECT_EQ(ours, "not_a_bounce") << reason;
    } else {
      EXPECT_EQ(ours, side) << reason;
    }
    if (action.starts_with("count")) {
      EXPECT_EQ(info.member_action, MemberAction::count) << reason;
    } else if (action == "none") {
      EXPECT_EQ(info.member_action, MemberAction::none) << reason;
    } else if (action == "stop") {
      EXPECT_EQ(info.member_action, MemberAction::stop) << reason;
    }
    EXPECT_FALSE(info.meaning_en.empty()) << reason;
    EXPECT_FALSE(info.meaning_ja.empty()) << reason;
    ++checked;
  }
  EXPECT_GE(checked, 38);
  EXPECT_EQ(reason_info("not-a-reason").name, "undefined");
}

// ---- The project's own samples, through the parser ----------------------------------------

struct SampleCase {
  std::string_view file;
  std::string_view address;
  std::string_view reason;
  Side side;
};

class OwnSamples : public ::testing::TestWithParam<SampleCase> {};

TEST_P(OwnSamples, ParseAndClassifyAsTheIssueSays) {
  const SampleCase& sample = GetParam();
  std::string bytes = testing::file_bytes(
      std::string(CQLIST_SOURCE_ROOT) + "/src/bounce/testdata/samples/" + std::string(sample.file));
  ASSERT_FALSE(bytes.empty()) << sample.file;
  Result<BounceReport> report = parse_bounce(bytes);
  ASSERT_TRUE(report) << sample.file << ": " << report.error().message();
  ASSERT_EQ(report->recipients.size(), 1U) << sample.file;
  const RecipientReport& recipient = report->recipients.front();
  EXPECT_EQ(recipient.address, sample.address);
  Classification c = classify(*report, recipient);
  EXPECT_EQ(c.reason, sample.reason)
      << sample.file << " rule " << c.rule << " diagnostic " << recipient.diagnostic;
  EXPECT_EQ(c.side, sample.side) << sample.file;
  if (sample.side != Side::recipient) {
    EXPECT_NE(c.member_action, MemberAction::count) << sample.file;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Testdata, OwnSamples,
    ::testing::Values(
        SampleCase{"gmail-5.7.26-unauthenticated.eml", "hanako@gmail.com", "authfailure",
                   Side::sender},
        SampleCase{"gmail-5.7.26-fails-authentication-checks.eml", "taro@gmail.com", "authfailure",
                   Side::sender},
        SampleCase{"gmail-ipv6-5.7.1-unsolicited.eml", "jiro@gmail.com", "badreputation",
                   Side::sender},
        SampleCase{"gmail-ipv6-5.7.1-ptr-guidelines.eml", "saburo@gmail.com", "requireptr",
                   Side::sender},
        SampleCase{"spamhaus-mailfrom-listed.eml", "member@example.nl", "blocked", Side::sender},
        SampleCase{"gmail-5.1.1-does-not-exist.eml", "no.such.member@gmail.com", "userunknown",
                   Side::recipient},
        SampleCase{"gmail-5.2.2-out-of-storage.eml", "shiro@gmail.com", "mailboxfull",
                   Side::recipient},
        SampleCase{"outlook-5.7.515-authentication-level.eml", "member@outlook.com", "authfailure",
                   Side::sender},
        SampleCase{"yahoo-tss04-deferred.eml", "member@yahoo.com", "badreputation", Side::sender},
        SampleCase{"yahoo-5.7.9-dmarc-reject.eml", "member@aol.com", "authfailure", Side::sender},
        SampleCase{"docomo-550-unknown-user.eml", "hanako.member@docomo.ne.jp", "userunknown",
                   Side::recipient},
        SampleCase{"au-ezweb-550-user-unknown-ja.eml", "member.au@ezweb.ne.jp", "userunknown",
                   Side::recipient}),
    [](const ::testing::TestParamInfo<SampleCase>& param_info) {
      std::string name(param_info.param.file.substr(0, param_info.param.file.size() - 4));
      for (char& c : name) {
        c = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
      }
      return name;
    });

}  // namespace
}  // namespace cqlist::bounce
