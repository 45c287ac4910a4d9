// list/archive.hpp: the numbered article files of each list, like fml's spool/.
//
// Owns: where article N of a list lives (ARCHIVE/LIST@DOMAIN/00042.eml; five digits minimum,
// more when the number needs them, so an imported fml spool keeps its numbers) and writing it
// durably. The file holds the post as distributed to members, before per-recipient headers and
// DKIM signatures; the store's posts table is the index.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "store/store.hpp"

namespace cqlist::list {

class Archive {
 public:
  explicit Archive(std::filesystem::path root) : root_(std::move(root)) {}

  std::filesystem::path path(const store::ListRow& list, std::int64_t article) const;
  // Writes (or rewrites, after a restart) the article durably.
  Result<void> write(const store::ListRow& list, std::int64_t article, std::string_view bytes);
  Result<std::string> read(const store::ListRow& list, std::int64_t article) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace cqlist::list
