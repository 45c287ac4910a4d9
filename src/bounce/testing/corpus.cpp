// bounce/testing/corpus.cpp: the shared bounce corpus and its tables, read for tests.
#include "bounce/testing/corpus.hpp"

#include <cstddef>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/file.hpp"

namespace cqlist::bounce::testing {

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t start = 0;
  while (true) {
    std::size_t tab = line.find('\t', start);
    cells.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) {
      return cells;
    }
    start = tab + 1;
  }
}

}  // namespace

std::string shared_bounces_dir() {
  return std::string(CQLIST_SHARED_DIR) + "/bounces";
}

std::string file_bytes(const std::filesystem::path& path) {
  auto bytes = read_file(path);
  return bytes ? std::move(*bytes) : std::string();
}

std::vector<std::vector<std::string>> read_tsv(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(file_bytes(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.empty() || line.front() == '#') {
      continue;
    }
    rows.push_back(split_tabs(line));
  }
  return rows;
}

}  // namespace cqlist::bounce::testing
