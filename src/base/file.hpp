// base/file.hpp: reading files and writing them durably.
//
// write_file_durably() is the only way cqlist writes data it has promised to keep (a spooled
// post before the LMTP 250, an archived article): write to a temporary name in the same
// directory, fsync the file, rename over the final name, fsync the directory. A crash at any
// point leaves either the old file or the complete new one, never a partial one.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace cqlist {

Result<std::string> read_file(const std::filesystem::path& path);

enum class Overwrite { allow, refuse };

// mode is applied to the new file before any byte is written (0600 for private keys).
Result<void> write_file_durably(const std::filesystem::path& path, std::string_view bytes,
                                Overwrite overwrite = Overwrite::allow, unsigned mode = 0644);

}  // namespace cqlist
