// base/log.hpp: one line per event, key=value, to stderr (operators grep it, as fml's log).
//
//   log::info("post.accepted", {{"list", name}, {"article", "1234"}});
//   -> ts=2026-11-27T22:30:00Z level=info event=post.accepted list=ham article=1234
// Values with spaces, quotes or '=' are quoted so every line stays machine-splittable.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace cqlist::log {

enum class Level { debug, info, warn, error };

using Field = std::pair<std::string_view, std::string_view>;

void set_min_level(Level level);

void write(Level level, std::string_view event, std::initializer_list<Field> fields);

// Formats one line without writing it (tests, and the syslog sink later).
std::string format_line(Level level, std::string_view event, std::initializer_list<Field> fields);

inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::debug, event, fields);
}

inline void info(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::info, event, fields);
}

inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::warn, event, fields);
}

inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::error, event, fields);
}

}  // namespace cqlist::log
