// doctor/texts.cpp: sentences every check area shares.
#include "doctor/texts.hpp"

#include <fmt/format.h>

namespace cqlist::doctor::texts {

Localized verify_with(std::string_view group) {
  return {fmt::format(
              "cqlist doctor --only {} (after a DNS change, once the old record's TTL has passed)",
              group),
          fmt::format("cqlist doctor --only {} を実行してください（DNS "
                      "を変更した場合は、古いレコードの TTL が過ぎてから）",
                      group)};
}

std::string nothing_found(std::string_view name, std::string_view what, dns::Status status) {
  return fmt::format("(no {} record at {}: {})", what, name, dns::status_name(status));
}

}  // namespace cqlist::doctor::texts
