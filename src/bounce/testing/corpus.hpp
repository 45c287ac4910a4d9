// bounce/testing/corpus.hpp: reading the shared corpus of real bounces and its expectation
// tables, for the tests that run the parser and the classifier over it.
//
// Owns: where the corpus is (../shared/bounces, through CQLIST_SHARED_DIR), reading a sample,
// and reading a tab-separated table (expected.tsv, reason-sides.tsv, the exception lists in
// src/bounce/testdata/).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace cqlist::bounce::testing {

// ../shared/bounces: reason-sides.tsv, and sisimai-train/ (expected.tsv, maildir/bsd/*.eml).
std::string shared_bounces_dir();

// The file's bytes; "" when it cannot be read (the caller's expectations then fail).
std::string file_bytes(const std::filesystem::path& path);

// The rows of a tab-separated file, each split into its cells. Empty lines and lines starting
// with "#" are left out; a header row is not (callers know their column names).
std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& path);

}  // namespace cqlist::bounce::testing
