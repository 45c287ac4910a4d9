// list/header_edit.hpp: turning a refused mail::Message edit into an error the log can show.
//
// Message::add_top/replace/... return false only for a value with a line break that would end
// the field early; the transform stages build their values themselves, so that is a bug.
#pragma once

#include <string_view>

#include <fmt/format.h>

#include "base/result.hpp"

namespace cqlist::list {

inline Result<void> edited(bool ok, std::string_view field) {
  if (!ok) {
    return fail(
        Errc::internal,
        fmt::format("could not write the {} header field (a line break in its value?)", field));
  }
  return {};
}

}  // namespace cqlist::list
