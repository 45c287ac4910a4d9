// auth/dmarc/conformance_test.cpp: the shared DMARC fixtures (shared/conformance/dmarc/):
// the Public Suffix List test vectors through libpsl with the list of the same commit, and
// OpenDMARC's tree-walk fixture through StaticResolver.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/dmarc/discovery.hpp"
#include "auth/dmarc/public_suffix.hpp"
#include "dns/static_resolver.hpp"

namespace cqlist::auth::dmarc {
namespace {

const std::string kDir = std::string(CQLIST_SHARED_DIR) + "/conformance/dmarc";

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// checkPublicSuffix('input', 'expected') or checkPublicSuffix(null, null).
bool parse_js_argument(std::string_view& rest, std::optional<std::string>& out) {
  while (!rest.empty() && (rest[0] == ' ' || rest[0] == ',')) {
    rest.remove_prefix(1);
  }
  if (rest.substr(0, 4) == "null") {
    out = std::nullopt;
    rest.remove_prefix(4);
    return true;
  }
  if (rest.empty() || rest[0] != '\'') {
    return false;
  }
  std::size_t end = rest.find('\'', 1);
  if (end == std::string_view::npos) {
    return false;
  }
  out = std::string(rest.substr(1, end - 1));
  rest.remove_prefix(end + 1);
  return true;
}

TEST(DmarcConformance, PublicSuffixListVectors) {
  auto psl = PublicSuffixList::load(kDir + "/psl/public_suffix_list.dat");
  ASSERT_TRUE(psl) << psl.error().message();
  std::istringstream lines(read_all(kDir + "/psl/test_psl.txt"));
  std::string line;
  int cases_run = 0;
  while (std::getline(lines, line)) {
    constexpr std::string_view kCall = "checkPublicSuffix(";
    if (line.rfind(kCall, 0) != 0) {
      continue;  // comments, including the commented-out cases
    }
    std::string_view rest = std::string_view(line).substr(kCall.size());
    std::optional<std::string> input;
    std::optional<std::string> expected;
    ASSERT_TRUE(parse_js_argument(rest, input) && parse_js_argument(rest, expected)) << line;
    ++cases_run;
    if (!input) {
      continue;  // null input: nothing to ask
    }
    EXPECT_EQ(psl->registrable_domain(*input), expected) << line;
  }
  // 82 calls in the file; the 4 ".local" ones are commented out upstream.
  EXPECT_EQ(cases_run, 78);
}

struct WalkRow {
  std::string author_domain;
  std::string org_domain;
  std::string record_used;  // "_dmarc.name (tags)"
  std::string rfc7489_org_domain;
};

TEST(DmarcConformance, OpenDmarcTreeWalkFixture) {
  dns::StaticResolver zone;
  std::istringstream zone_lines(read_all(kDir + "/opendmarc/dmarcwalk-zone.txt"));
  std::string line;
  int records = 0;
  while (std::getline(zone_lines, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    std::size_t space = line.find(' ');
    ASSERT_NE(space, std::string::npos) << line;
    ASSERT_TRUE(zone.add(line.substr(0, space), dns::RecordType::txt,
                         dns::TxtRecord{{line.substr(space + 1)}}));
    ++records;
  }
  EXPECT_EQ(records, 8);

  std::istringstream rows(read_all(kDir + "/opendmarc/dmarcwalk-expected.tsv"));
  std::getline(rows, line);  // header
  int cases_run = 0;
  while (std::getline(rows, line)) {
    std::vector<std::string> cells;
    std::istringstream cell_stream(line);
    for (std::string cell; std::getline(cell_stream, cell, '\t');) {
      cells.push_back(cell);
    }
    ASSERT_GE(cells.size(), 4U) << line;
    SCOPED_TRACE(line);
    PolicyDiscovery found = discover_policy(zone, cells[0]);
    ASSERT_EQ(found.status, DiscoveryStatus::found);
    EXPECT_EQ(found.organizational_domain, cells[1]);
    std::string record_name = cells[2].substr(0, cells[2].find(' '));
    EXPECT_EQ("_dmarc." + found.record_domain, record_name);
    // The parenthesised tags of the expected table, against the record we used.
    std::string tags = cells[2].substr(cells[2].find('(') + 1);
    tags.pop_back();
    EXPECT_NE(found.record->text.find(tags), std::string::npos) << found.record->text;
    ++cases_run;
  }
  EXPECT_EQ(cases_run, 6);
}

}  // namespace
}  // namespace cqlist::auth::dmarc
