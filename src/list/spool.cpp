// list/spool.cpp: durable spool files with a small envelope block in front.
#include "list/spool.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <system_error>

#include <fmt/format.h>
#include <unistd.h>

#include "base/file.hpp"

namespace cqlist::list {
namespace {

constexpr std::string_view kMagic = "cqlist-spool 1\n";
constexpr std::string_view kFailedPrefix = "failed-";
constexpr std::string_view kReasonKey = "set_aside_reason";
constexpr std::string_view kSetAsideAtKey = "set_aside_at";

std::string escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescape(std::string_view value) {
  std::string out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) {
      char next = value[++i];
      out += next == 'n' ? '\n' : next == 'r' ? '\r' : next;
    } else {
      out += value[i];
    }
  }
  return out;
}

std::string serialize(const std::map<std::string, std::string>& envelope,
                      std::string_view message) {
  std::string bytes(kMagic);
  for (const auto& [key, value] : envelope) {
    bytes += key;
    bytes += '=';
    bytes += escape(value);
    bytes += '\n';
  }
  bytes += '\n';
  bytes += message;
  return bytes;
}

// Time first so that names sort by arrival; pid and a counter make them unique across the
// daemon and `cqlist inject` running at once.
std::string new_id(std::string_view kind) {
  static std::atomic<unsigned> counter{0};
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return fmt::format("{}-{:016d}-{}-{}", kind, micros, ::getpid(), counter.fetch_add(1));
}

bool valid_id(std::string_view id) {
  return !id.empty() && id.find('/') == std::string_view::npos &&
         id.find("..") == std::string_view::npos;
}

}  // namespace

Result<std::int64_t> SpoolEntry::list_id() const {
  auto field = envelope.find("list_id");
  std::string_view text = field == envelope.end() ? std::string_view() : field->second;
  std::int64_t number = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return fail(Errc::bad_syntax,
                fmt::format("spool entry {} names no list (list_id \"{}\")", id, text));
  }
  return number;
}

Result<Spool> Spool::open(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return fail(Errc::io, fmt::format("cannot create the spool directory {}: {}",
                                      directory.string(), error.message()));
  }
  return Spool(directory);
}

std::filesystem::path Spool::path(std::string_view id) const {
  return directory_ / std::string(id);
}

Result<std::string> Spool::add(const std::map<std::string, std::string>& envelope,
                               std::string_view message, std::string_view kind) {
  std::string id = new_id(kind);
  CQLIST_TRY_VOID(
      write_file_durably(path(id), serialize(envelope, message), Overwrite::refuse, 0640));
  return id;
}

// Written before the original is removed: a crash in between leaves both, and the original is
// then set aside again (replacing this copy) the next time it is tried.
Result<std::string> Spool::set_aside(std::string_view id, std::string_view reason) {
  if (!valid_id(id)) {
    return fail(Errc::invalid_argument, fmt::format("'{}' is not a spool entry name", id));
  }
  std::string failed_id = std::string(kFailedPrefix) + std::string(id);
  Result<SpoolEntry> entry = load(id);
  std::string bytes;
  if (entry) {
    entry->envelope[std::string(kReasonKey)] = std::string(reason);
    entry->envelope[std::string(kSetAsideAtKey)] =
        fmt::format("{}", std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
    bytes = serialize(entry->envelope, entry->message);
  } else if (entry.error().code() == Errc::bad_syntax) {
    CQLIST_TRY(bytes, read_file(path(id)));
  } else {
    return fail(entry.error());
  }
  CQLIST_TRY_VOID(write_file_durably(path(failed_id), bytes, Overwrite::allow, 0640));
  CQLIST_TRY_VOID(remove(id));
  return failed_id;
}

std::string Spool::set_aside_reason(std::string_view failed_id) const {
  Result<SpoolEntry> entry = load(failed_id);
  if (!entry) {
    return entry.error().message();
  }
  auto reason = entry->envelope.find(std::string(kReasonKey));
  return reason == entry->envelope.end() ? "" : reason->second;
}

Result<std::string> Spool::restore(std::string_view failed_id) {
  if (failed_id.rfind(kFailedPrefix, 0) != 0) {
    return fail(Errc::invalid_argument,
                fmt::format("'{}' is not a set-aside spool entry (those start with \"{}\")",
                            failed_id, kFailedPrefix));
  }
  CQLIST_TRY(SpoolEntry entry, load(failed_id));
  entry.envelope.erase(std::string(kReasonKey));
  entry.envelope.erase(std::string(kSetAsideAtKey));
  std::string id(failed_id.substr(kFailedPrefix.size()));
  CQLIST_TRY_VOID(write_file_durably(path(id), serialize(entry.envelope, entry.message),
                                     Overwrite::refuse, 0640));
  CQLIST_TRY_VOID(remove(failed_id));
  return id;
}

Result<void> Spool::replace(const SpoolEntry& entry) {
  if (!valid_id(entry.id)) {
    return fail(Errc::invalid_argument, fmt::format("'{}' is not a spool entry name", entry.id));
  }
  return write_file_durably(path(entry.id), serialize(entry.envelope, entry.message),
                            Overwrite::allow, 0640);
}

Result<SpoolEntry> Spool::load(std::string_view id) const {
  if (!valid_id(id)) {
    return fail(Errc::invalid_argument, fmt::format("'{}' is not a spool entry name", id));
  }
  CQLIST_TRY(std::string bytes, read_file(path(id)));
  if (bytes.compare(0, kMagic.size(), kMagic) != 0) {
    return fail(Errc::bad_syntax, fmt::format("spool file {} does not start with the cqlist "
                                              "spool marker; it was not written by cqlist",
                                              path(id).string()));
  }
  SpoolEntry entry;
  entry.id = std::string(id);
  std::size_t position = kMagic.size();
  while (true) {
    auto end = bytes.find('\n', position);
    if (end == std::string::npos) {
      return fail(Errc::bad_syntax, fmt::format("spool file {} is cut short", path(id).string()));
    }
    std::string_view line(bytes.data() + position, end - position);
    position = end + 1;
    if (line.empty()) {
      break;
    }
    auto equals = line.find('=');
    if (equals == std::string_view::npos) {
      return fail(Errc::bad_syntax,
                  fmt::format("spool file {} has a bad envelope line", path(id).string()));
    }
    entry.envelope[std::string(line.substr(0, equals))] = unescape(line.substr(equals + 1));
  }
  entry.message = bytes.substr(position);
  return entry;
}

Result<void> Spool::remove(std::string_view id) {
  if (!valid_id(id)) {
    return fail(Errc::invalid_argument, fmt::format("'{}' is not a spool entry name", id));
  }
  std::error_code error;
  std::filesystem::remove(path(id), error);
  if (error) {
    return fail(Errc::io,
                fmt::format("cannot remove spool file {}: {}", path(id).string(), error.message()));
  }
  return {};
}

Result<std::vector<std::string>> Spool::ids(std::string_view kind) const {
  std::vector<std::string> out;
  std::error_code error;
  std::string prefix = std::string(kind) + "-";
  for (const auto& item : std::filesystem::directory_iterator(directory_, error)) {
    std::string name = item.path().filename().string();
    // write_file_durably's temporary names start with '.', never with the kind.
    if (name.rfind(prefix, 0) == 0) {
      out.push_back(std::move(name));
    }
  }
  if (error) {
    return fail(Errc::io, fmt::format("cannot read the spool directory {}: {}", directory_.string(),
                                      error.message()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cqlist::list
