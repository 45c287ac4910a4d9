// bounce/classify_test.cpp: the reply pattern table, the decision order and the project's own
// samples (testdata/samples/: Postfix-format bounces of the founding story's Gmail texts and
// the other texts issue 6 names, and a Japanese carrier's own format).
#include "bounce/classify.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "base/strings.hpp"
#include "bounce/parse.hpp"
#include "bounce/reasons.hpp"
#include "bounce/reply_patterns.hpp"

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

// ---- The founding story and the other texts issue 6 names ---------------------------------

TEST(Classify, GmailUnauthenticatedIsTheListsAuthentication) {
  Classification c = classify_text(
      "550-5.7.26 This mail has been blocked because the sender is unauthenticated. 550-5.7.26 "
      "Gmail requires all senders to authenticate with either SPF or DKIM. 550 5.7.26 ... - gsmtp",
      "5.7.26", "DATA", "gmail-smtp-in.l.google.com");
  EXPECT_EQ(c.reason, "authfailure");
  EXPECT_EQ(c.side, Side::sender);
  EXPECT_EQ(c.member_action, MemberAction::none);
  EXPECT_EQ(c.provider, "gmail");
  EXPECT_EQ(c.advice, "authentication");
  EXPECT_EQ(c.rule, "gmail.unauthenticated");
}

TEST(Classify, GmailFailsToPassAuthenticationChecks) {
  Classification c = classify_text(
      "550-5.7.26 This message fails to pass authentication checks (SPF or DKIM) and has been "
      "blocked.",
      "5.7.26");
  EXPECT_EQ(c.reason, "authfailure");
  EXPECT_EQ(c.side, Side::sender);
}

TEST(Classify, GmailIpv6LikelyUnsolicitedIsTheListsReputationNotTheMember) {
  Classification c = classify_text(
      "550-5.7.1 [2001:db8::25] Our system has detected that this message is likely unsolicited "
      "mail. To reduce the amount of spam sent to Gmail, this message has been blocked.",
      "5.7.1", "DATA", "gmail-smtp-in.l.google.com");
  EXPECT_EQ(c.side, Side::sender);
  EXPECT_EQ(c.reason, "badreputation");
  EXPECT_EQ(c.member_action, MemberAction::none);
  EXPECT_EQ(c.provider, "gmail");
  EXPECT_EQ(c.advice, "reputation");
}

TEST(Classify, GmailIpv6PtrGuidelinesAreTheListsPtr) {
  Classification c = classify_text(
      "550-5.7.1 [2001:db8::25] The IP address sending this message does not meet IPv6 sending "
      "guidelines regarding PTR records and authentication.",
      "5.7.1");
  EXPECT_EQ(c.reason, "requireptr");
  EXPECT_EQ(c.side, Side::sender);
  EXPECT_EQ(c.advice, "ptr");
}

TEST(Classify, SpamhausListingIsBlockedNotUserUnknown) {
  Classification c = classify_text(
      "550-5.1.0 MXIN506 MailFrom domain is listed in Spamhaus. To request removal from this list",
      "5.1.0", "MAIL");
  EXPECT_EQ(c.reason, "blocked");
  EXPECT_EQ(c.side, Side::sender);
  // Even with a recipient code around it, a block list never blames the member.
  c = classify_text("550 5.1.1 MailFrom domain is listed in Spamhaus", "5.1.1", "RCPT");
  EXPECT_EQ(c.reason, "blocked");
}

TEST(Classify, GmailAccountDoesNotExistIsTheMembersAddress) {
  Classification c = classify_text(
      "550-5.1.1 The email account that you tried to reach does not exist. Please try "
      "double-checking the recipient's email address",
      "5.1.1", "RCPT", "gmail-smtp-in.l.google.com");
  EXPECT_EQ(c.reason, "userunknown");
  EXPECT_EQ(c.side, Side::recipient);
  EXPECT_EQ(c.member_action, MemberAction::count);
}

TEST(Classify, GmailOutOfStorageIsTheMembersMailbox) {
  Classification c = classify_text(
      "552-5.2.2 The recipient's inbox is out of storage space. Please direct the recipient to",
      "5.2.2", "RCPT");
  EXPECT_EQ(c.reason, "mailboxfull");
  EXPECT_EQ(c.side, Side::recipient);
}

TEST(Classify, Outlook5_7_515IsTheListsAuthentication) {
  Classification c = classify_text(
      "550 5.7.515 Access denied, sending domain LISTS.EXAMPLE doesn't meet the required "
      "authentication level.",
      "5.7.515", "DATA", "outlook-com.olc.protection.outlook.com");
  EXPECT_EQ(c.reason, "authfailure");
  EXPECT_EQ(c.side, Side::sender);
  EXPECT_EQ(c.provider, "outlook");
  EXPECT_EQ(c.rule, "outlook.authentication-level");
}

TEST(Classify, YahooTss04IsTheListsReputation) {
  Classification c = classify_text(
      "421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to unexpected volume or "
      "user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
      "4.7.0", "MAIL", "mta7.am0.yahoodns.net");
  EXPECT_EQ(c.reason, "badreputation");
  EXPECT_EQ(c.side, Side::sender);
  EXPECT_EQ(c.provider, "yahoo");
  EXPECT_EQ(c.advice, "reputation");
}

TEST(Classify, YahooPolicyReasonsWithDmarcIsAuthentication) {
  Classification c = classify_text(
      "554 5.7.9 Message not accepted for policy reasons: the From domain's DMARC policy "
      "(p=reject) is not satisfied.",
      "5.7.9", "DATA", "mx-aol.mail.gm0.yahoodns.net");
  EXPECT_EQ(c.reason, "authfailure");
  EXPECT_EQ(c.side, Side::sender);
  // Without a word about DMARC it is a policy refusal of this message: still never counted.
  c = classify_text("554 5.7.9 Message not accepted for policy reasons.", "5.7.9");
  EXPECT_EQ(c.reason, "policyviolation");
  EXPECT_EQ(c.member_action, MemberAction::none);
}

TEST(Classify, JapaneseCarrierUnknownUser) {
  Classification c =
      classify_text("550 Unknown user hanako@docomo.ne.jp", {}, "RCPT", "mfsmax.docomo.ne.jp");
  EXPECT_EQ(c.reason, "userunknown");
  EXPECT_EQ(c.provider, "docomo");
  // After DATA the carriers say this for their receivers' own filters.
  c = classify_text("550 Unknown user hanako@docomo.ne.jp", {}, "DATA", "mfsmax.docomo.ne.jp");
  EXPECT_EQ(c.reason, "rejected");
  c = classify_text("550 : User unknown", {}, "DATA", "lsean.ezweb.ne.jp");
  EXPECT_EQ(c.reason, "filtered");
  EXPECT_EQ(c.provider, "au");
}

// ---- Decision order -----------------------------------------------------------------------

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

TEST(Classify, TextWinsOverAGenericCode) {
  EXPECT_EQ(classify_text("550 5.7.1 <x@example.net>: Recipient address rejected: User unknown",
                          "5.7.1", "RCPT")
                .reason,
            "userunknown");
  EXPECT_EQ(
      classify_text("552 5.2.2 Message size exceeds fixed maximum message size", "5.2.2").reason,
      "emailtoolarge");
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

TEST(Classify, TheFailedCommandDecidesWhatUserUnknownMeans) {
  EXPECT_EQ(classify_text("550 5.1.1 User unknown", "5.1.1", "RCPT").reason, "userunknown");
  EXPECT_EQ(classify_text("553 5.1.0 sender.example does not exist", "5.1.0", "MAIL").reason,
            "rejected");
  EXPECT_EQ(classify_text("550 User unknown", "5.0.0", "DATA").reason, "filtered");
  EXPECT_EQ(classify_text("550 User unknown (in reply to end of DATA command)").reason, "filtered");
  // With nothing else to go on, a refusal at connection time is about the list's server.
  EXPECT_EQ(classify_text("550 Access denied", {}, "CONN").reason, "blocked");
  EXPECT_EQ(classify_text("550 5.7.1 Access denied", "5.7.1", "MAIL").reason, "rejected");
}

TEST(Classify, NothingToGoOnNeverCounts) {
  Classification c = classify_text("");
  EXPECT_EQ(c.reason, "undefined");
  EXPECT_EQ(c.side, Side::unknown);
  EXPECT_EQ(c.member_action, MemberAction::none);
  c = classify_text("Delivery failed for reasons of its own", "5.0.0");
  EXPECT_EQ(c.reason, "onhold");
  EXPECT_EQ(c.member_action, MemberAction::none);
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
  std::ifstream in(std::string(CQLIST_SHARED_DIR) + "/bounces/reason-sides.tsv");
  ASSERT_TRUE(in) << "reason-sides.tsv is missing";
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#' || line.starts_with("reason\t")) {
      continue;
    }
    std::istringstream cells(line);
    std::string reason, since, v4, side, action;
    std::getline(cells, reason, '\t');
    std::getline(cells, since, '\t');
    std::getline(cells, v4, '\t');
    std::getline(cells, side, '\t');
    std::getline(cells, action, '\t');
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

std::string read_sample(const std::string& name) {
  std::ifstream in(std::string(CQLIST_SOURCE_ROOT) + "/src/bounce/testdata/samples/" + name,
                   std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

struct SampleCase {
  std::string_view file;
  std::string_view address;
  std::string_view reason;
  Side side;
};

class OwnSamples : public testing::TestWithParam<SampleCase> {};

TEST_P(OwnSamples, ParseAndClassifyAsTheIssueSays) {
  const SampleCase& sample = GetParam();
  std::string bytes = read_sample(std::string(sample.file));
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
    testing::Values(
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
    [](const testing::TestParamInfo<SampleCase>& param_info) {
      std::string name(param_info.param.file.substr(0, param_info.param.file.size() - 4));
      for (char& c : name) {
        c = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
      }
      return name;
    });

}  // namespace
}  // namespace cqlist::bounce
