// mail/roundtrip_test.cpp: Message must give back every input byte for byte.
//
// Runs over every file of the repository's test data and of the shared conformance, list
// spool and bounce corpora (arbitrary bytes, whatever their names), then over generated
// adversarial inputs built from the fragments that confuse header parsers.
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "mail/message.hpp"

namespace cqlist::mail {
namespace {

using namespace std::string_literals;

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> field_names(const Message& message) {
  std::vector<std::string> names;
  for (const auto& field : message.fields()) {
    names.emplace_back(field.name());
  }
  return names;
}

// The properties every input must have. `label` names the input in failure messages.
void check_round_trip(const std::string& bytes, const std::string& label) {
  Message message = Message::parse(bytes);
  ASSERT_EQ(message.serialize(), bytes) << label;

  // An added and removed field leaves no trace.
  Message edited = message;
  ASSERT_TRUE(edited.add_top("X-Probe", "1")) << label;
  edited.remove(0);
  ASSERT_EQ(edited.serialize(), bytes) << label;

  // An added field reads back as exactly one more field, and the body stays the body.
  ASSERT_TRUE(edited.add_bottom("X-Probe", "a\n b"));
  Message reparsed = Message::parse(edited.serialize());
  ASSERT_EQ(field_names(reparsed), field_names(edited)) << label;
  ASSERT_EQ(reparsed.fields().back().raw(), edited.fields().back().raw()) << label;
  ASSERT_EQ(reparsed.body(), message.body()) << label;
  ASSERT_EQ(reparsed.preamble().empty(), message.preamble().empty()) << label;
}

// Checks every regular file under `root`; returns how many there were.
std::size_t check_tree(const std::filesystem::path& root) {
  std::size_t count = 0;
  std::error_code error;
  for (std::filesystem::recursive_directory_iterator it(root, error), end; it != end && !error;
       it.increment(error)) {
    if (!it->is_regular_file()) {
      continue;
    }
    check_round_trip(read_bytes(it->path()), it->path().string());
    if (::testing::Test::HasFatalFailure()) {
      return count;
    }
    ++count;
  }
  return count;
}

TEST(MessageRoundTrip, RepositoryTestData) {
  // The messages this suite's own files provide; other suites add more.
  EXPECT_GT(check_tree(std::string(CQLIST_SOURCE_ROOT) + "/tests/data"), 15U);
}

TEST(MessageRoundTrip, SharedConformanceData) {
  EXPECT_GT(check_tree(std::string(CQLIST_SHARED_DIR) + "/conformance"), 60U);
}

TEST(MessageRoundTrip, SharedListSpool) {
  EXPECT_GE(check_tree(std::string(CQLIST_SHARED_DIR) + "/fml-fixture/ml/cq-test/spool"), 3U);
}

TEST(MessageRoundTrip, SharedBounceMaildir) {
  EXPECT_GT(check_tree(std::string(CQLIST_SHARED_DIR) + "/bounces/sisimai-train/maildir"), 300U);
}

TEST(MessageRoundTrip, GeneratedAdversarialInputs) {
  const std::vector<std::string> fragments = {
      "\r",       "\n",    "\r\n",         ":",      " ",       "\t",     "From ", "From: a",
      "\x80",     "\xFF",  "\xE3\x81\x82", "\0"s,    "Subject", "X-A",    "a",     "b: c",
      "\r\n\r\n", " \r\n", "\n\n",         "\r\r\n", ">From ",  "To : x", "=?",    "\x7F"};
  std::mt19937 random(20240902);
  std::uniform_int_distribution<std::size_t> pick(0, fragments.size() - 1);
  std::uniform_int_distribution<int> length(0, 40);
  for (int run = 0; run < 4000; ++run) {
    std::string bytes;
    for (int n = length(random); n > 0; --n) {
      bytes += fragments[pick(random)];
    }
    check_round_trip(bytes, "generated case " + std::to_string(run));
    if (HasFatalFailure()) {
      return;
    }
  }
}

}  // namespace
}  // namespace cqlist::mail
