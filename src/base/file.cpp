#include "base/file.hpp"

#include <cerrno>
#include <cstring>
#include <random>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cqlist {
namespace {

Error io_error(std::string_view what, const std::filesystem::path& path, int err) {
  return Error(Errc::io, fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(err)));
}

// Closes the descriptor on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}

  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  ~FileDescriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

  int get() const { return fd_; }

  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Result<void> write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(io_error("write", path, errno));
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return {};
}

Result<void> fsync_directory(const std::filesystem::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) {
    return fail(io_error("open directory", dir, errno));
  }
  if (::fsync(fd.get()) != 0) {
    return fail(io_error("fsync directory", dir, errno));
  }
  return {};
}

std::string temporary_name(const std::filesystem::path& path) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format(".{}.tmp.{}.{:x}", path.filename().string(), ::getpid(), rng());
}

}  // namespace

Result<std::string> read_file(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return fail(io_error("open", path, errno));
  }
  std::string bytes;

  struct stat st {};

  if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) {
    bytes.reserve(static_cast<size_t>(st.st_size));
  }
  char buffer[65536];
  for (;;) {
    ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(io_error("read", path, errno));
    }
    if (got == 0) {
      break;
    }
    bytes.append(buffer, static_cast<size_t>(got));
  }
  return bytes;
}

Result<void> write_file_durably(const std::filesystem::path& path, std::string_view bytes,
                                Overwrite overwrite, unsigned mode) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) {
    dir = ".";
  }
  if (overwrite == Overwrite::refuse && ::access(path.c_str(), F_OK) == 0) {
    return fail(
        Errc::already_exists,
        fmt::format("{} already exists; remove it first if you mean to replace it", path.string()));
  }
  std::filesystem::path tmp = dir / temporary_name(path);
  FileDescriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    return fail(io_error("create", tmp, errno));
  }
  auto cleanup_on_error = [&](Error error) {
    ::unlink(tmp.c_str());
    return fail(std::move(error));
  };
  if (::fchmod(fd.get(), mode) != 0) {
    return cleanup_on_error(io_error("chmod", tmp, errno));
  }
  if (auto written = write_all(fd.get(), bytes, tmp); !written) {
    return cleanup_on_error(written.error());
  }
  if (::fsync(fd.get()) != 0) {
    return cleanup_on_error(io_error("fsync", tmp, errno));
  }
  if (::close(fd.release()) != 0) {
    return cleanup_on_error(io_error("close", tmp, errno));
  }
  if (overwrite == Overwrite::refuse) {
    // link() fails if the target appeared meanwhile, so two writers cannot both win.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      return cleanup_on_error(
          errno == EEXIST
              ? Error(Errc::already_exists, fmt::format("{} already exists", path.string()))
              : io_error("link", path, errno));
    }
    ::unlink(tmp.c_str());
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return cleanup_on_error(io_error("rename", path, errno));
  }
  return fsync_directory(dir);
}

}  // namespace cqlist
