// list/message_id.cpp: the Message-ID of a post without its angle brackets.
#include "list/message_id.hpp"

#include <string_view>

#include "base/strings.hpp"

namespace cqlist::list {

std::string message_id_of(const mail::Message& message) {
  const std::optional<std::string> value = message.first_value("Message-ID");
  if (!value) {
    return {};
  }
  std::string_view text = trim(*value);
  const std::size_t open = text.find('<');
  if (open != std::string_view::npos) {
    const std::size_t close = text.find('>', open + 1);
    if (close == std::string_view::npos) {
      return {};
    }
    return std::string(trim(text.substr(open + 1, close - open - 1)));
  }
  // Some old mailers write the id bare; a value with spaces is a comment or garbage.
  if (text.find_first_of(" \t") != std::string_view::npos) {
    return {};
  }
  return std::string(text);
}

}  // namespace cqlist::list
