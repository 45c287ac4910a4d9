// list/archive.cpp: article paths and durable article writes.
#include "list/archive.hpp"

#include <system_error>

#include <fmt/format.h>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace cqlist::list {

std::filesystem::path Archive::path(const store::ListRow& list, std::int64_t article) const {
  return root_ / to_ascii_lower(list.address()) / fmt::format("{:05d}.eml", article);
}

Result<void> Archive::write(const store::ListRow& list, std::int64_t article,
                            std::string_view bytes) {
  auto file = path(list, article);
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  if (error) {
    return fail(Errc::io, fmt::format("cannot create the archive directory {}: {}",
                                      file.parent_path().string(), error.message()));
  }
  return write_file_durably(file, bytes, Overwrite::allow, 0640);
}

Result<std::string> Archive::read(const store::ListRow& list, std::int64_t article) const {
  auto file = path(list, article);
  auto bytes = read_file(file);
  if (!bytes) {
    return fail(
        std::move(bytes.error())
            .with_context(fmt::format("reading article {} of {}", article, list.address())));
  }
  return bytes;
}

}  // namespace cqlist::list
