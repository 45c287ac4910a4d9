// base/text_table.cpp: filling in a table sentence's fields.
#include "base/text_table.hpp"

#include "base/log.hpp"

namespace cqlist {

std::string format_text(std::string_view text, fmt::format_args args, std::string_view event,
                        int id) {
  try {
    return fmt::vformat(text, args);
  } catch (const fmt::format_error& error) {
    log::error(event, {{"text", std::to_string(id)}, {"error", error.what()}});
    return std::string(text);
  }
}

}  // namespace cqlist
