// bounce/corpus_classify_test.cpp: parser and classifier together over the shared corpus.
//
// For every recipient of ../shared/bounces/sisimai-train/expected.tsv the sample is parsed
// with parse_bounce() and classified; the reason is compared with expected_reason_2026 when
// set (Sisimai's newer names) else expected_reason, and the side with the project's reading of
// each reason in ../shared/bounces/reason-sides.tsv. A sample the parser refuses counts as a
// miss. Where cqlist disagrees with a label on the evidence of the bounce's text, the
// disagreement is listed in testdata/classify-exceptions.tsv with that evidence; the figures
// are printed both raw and with those documented disagreements, and every listed exception
// must still be what cqlist answers (a stale entry fails). Whatever the labels say, no bounce
// whose reason is the list's own sending setup, the message or a passing condition may count
// against a member.
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bounce/classify.hpp"
#include "bounce/parse.hpp"
#include "bounce/testing/corpus.hpp"

namespace cqlist::bounce {
namespace {

using testing::file_bytes;
using testing::read_tsv;

const std::string kShared = testing::shared_bounces_dir();

// reason-sides.tsv's side column in cqlist's terms: the infrastructure of the member's
// provider and the ambiguous relaying refusal count only when they persist (transient), and
// the list's transport (STARTTLS) is the sender's side.
std::string side_in_our_terms(const std::string& tsv_side) {
  if (tsv_side == "recipient-infra" || tsv_side == "ambiguous") {
    return "transient";
  }
  if (tsv_side == "transport") {
    return "sender";
  }
  if (tsv_side == "not-a-bounce") {
    return "not_a_bounce";
  }
  return tsv_side;
}

std::map<std::string, std::string> read_reason_sides() {
  std::map<std::string, std::string> sides;
  for (const auto& cells : read_tsv(kShared + "/reason-sides.tsv")) {
    if (cells.size() >= 4 && cells[0] != "reason") {
      sides[cells[0]] = side_in_our_terms(cells[3]);
    }
  }
  return sides;
}

struct Row {
  std::string sample;  // file name
  std::size_t index = 0;
  std::string reason;  // expected_reason_2026, else expected_reason
};

std::vector<Row> read_expected() {
  std::vector<Row> rows;
  for (const auto& cells : read_tsv(kShared + "/sisimai-train/expected.tsv")) {
    if (cells.size() < 9 || cells[0] == "sample_path") {
      continue;
    }
    std::string reason = cells[8].empty() ? cells[4] : cells[8];
    rows.push_back(
        {std::filesystem::path(cells[0]).filename().string(), std::stoul(cells[1]), reason});
  }
  return rows;
}

struct Exception {
  std::string expected;
  std::string ours;
};

// (sample, recipient index) -> the documented disagreement.
std::map<std::pair<std::string, std::size_t>, Exception> read_exceptions() {
  std::map<std::pair<std::string, std::size_t>, Exception> exceptions;
  for (const auto& cells :
       read_tsv(std::string(CQLIST_SOURCE_ROOT) + "/src/bounce/testdata/classify-exceptions.tsv")) {
    if (cells.size() < 5 || cells[0] == "sample") {
      continue;
    }
    exceptions[{cells[0], std::stoul(cells[1])}] = {cells[2], cells[3]};
  }
  return exceptions;
}

double percent(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

TEST(CorpusClassify, ReasonsAndSidesAgreeAndNoSenderSideBounceCountsAgainstAMember) {
  std::map<std::string, std::string> sides = read_reason_sides();
  std::vector<Row> rows = read_expected();
  auto exceptions = read_exceptions();
  ASSERT_GT(rows.size(), 300U) << "the corpus at " << kShared << " is missing";
  ASSERT_GT(sides.size(), 30U);

  std::map<std::string, Result<BounceReport>> parsed;
  std::size_t reasons_agree = 0, reasons_documented = 0, sides_agree = 0, sides_documented = 0;
  std::size_t parse_failures = 0, counted_wrongly = 0, exceptions_used = 0;
  for (const Row& row : rows) {
    auto found = parsed.find(row.sample);
    if (found == parsed.end()) {
      found = parsed
                  .emplace(row.sample, parse_bounce(file_bytes(
                                           kShared + "/sisimai-train/maildir/bsd/" + row.sample)))
                  .first;
    }
    const Result<BounceReport>& report = found->second;
    std::string expected_side = sides.count(row.reason) ? sides[row.reason] : "?";
    if (!report || report->recipients.size() < row.index) {
      ++parse_failures;
      std::printf("  parse   %s:%zu expected %s: %s\n", row.sample.c_str(), row.index,
                  row.reason.c_str(),
                  report ? "fewer recipients than expected" : report.error().message().c_str());
      continue;
    }
    const RecipientReport& recipient = report->recipients[row.index - 1];
    Classification ours = classify(*report, recipient);
    std::string our_side(side_name(ours.side));

    auto exception = exceptions.find({row.sample, row.index});
    bool documented = exception != exceptions.end() && exception->second.expected == row.reason &&
                      exception->second.ours == ours.reason;
    if (exception != exceptions.end()) {
      EXPECT_TRUE(documented) << "stale entry in classify-exceptions.tsv: " << row.sample << ":"
                              << row.index << " now expected " << row.reason << ", ours "
                              << ours.reason;
      exceptions_used += documented ? 1 : 0;
    }
    bool reason_ok = ours.reason == row.reason;
    bool side_ok = our_side == expected_side;
    reasons_agree += reason_ok ? 1 : 0;
    sides_agree += side_ok ? 1 : 0;
    reasons_documented += (reason_ok || documented) ? 1 : 0;
    sides_documented += (side_ok || documented) ? 1 : 0;

    bool never_counts =
        expected_side == "sender" || expected_side == "message" || expected_side == "transient";
    if (never_counts && ours.member_action == MemberAction::count) {
      ++counted_wrongly;
      ADD_FAILURE() << row.sample << ":" << row.index << " is " << row.reason << " ("
                    << expected_side << " side) but would count against the member as "
                    << ours.reason << " (rule " << ours.rule << ")";
    }
    if (!reason_ok) {
      std::printf("  %s %s:%zu expected %s/%s, ours %s/%s rule %s status %s cmd %s | %.160s\n",
                  documented ? "known " : (side_ok ? "reason" : "side  "), row.sample.c_str(),
                  row.index, row.reason.c_str(), expected_side.c_str(), ours.reason.c_str(),
                  our_side.c_str(), ours.rule.c_str(),
                  recipient.status ? recipient.status->to_string().c_str() : "-",
                  recipient.smtp_command.c_str(), recipient.diagnostic.c_str());
    }
  }

  std::size_t total = rows.size();
  std::printf("classify corpus: %zu recipients, %zu not parsed\n", total, parse_failures);
  std::printf("  reasons agree: %zu (%.1f%%); with %zu documented disagreements: %zu (%.1f%%)\n",
              reasons_agree, percent(reasons_agree, total), exceptions_used, reasons_documented,
              percent(reasons_documented, total));
  std::printf("  sides agree:   %zu (%.1f%%); with documented disagreements: %zu (%.1f%%)\n",
              sides_agree, percent(sides_agree, total), sides_documented,
              percent(sides_documented, total));
  std::printf("  sender/message/transient bounces counted against a member: %zu\n",
              counted_wrongly);

  // Issue 6's targets are 95% of reasons and 97% of sides; cqlist reaches 95.7% and 97.2%
  // (the misses left are mostly samples the parser refuses: Amazon SES JSON notifications, a
  // bounce forwarded inside another, a list server's "not a member" reply). Raise these floors
  // as the parser improves.
  constexpr double kReasonFloor = 95.5;
  constexpr double kSideFloor = 97.0;
  EXPECT_EQ(counted_wrongly, 0U);
  EXPECT_GE(percent(reasons_documented, total), kReasonFloor);
  EXPECT_GE(percent(sides_documented, total), kSideFloor);
}

}  // namespace
}  // namespace cqlist::bounce
