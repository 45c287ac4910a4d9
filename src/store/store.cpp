// store/store.cpp: the text forms of roles and delivery modes (CLI, settings, the database).

#include "store/store.hpp"

#include "base/strings.hpp"

namespace cqlist::store {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::member:
      return "member";
    case Role::moderator:
      return "moderator";
    case Role::owner:
      return "owner";
  }
  return "member";
}

std::optional<Role> parse_role(std::string_view text) {
  for (Role role : {Role::member, Role::moderator, Role::owner}) {
    if (iequals(text, role_name(role))) {
      return role;
    }
  }
  return std::nullopt;
}

std::string_view delivery_mode_name(DeliveryMode mode) {
  switch (mode) {
    case DeliveryMode::regular:
      return "regular";
    case DeliveryMode::digest:
      return "digest";
    case DeliveryMode::nomail:
      return "nomail";
  }
  return "regular";
}

std::optional<DeliveryMode> parse_delivery_mode(std::string_view text) {
  for (DeliveryMode mode : {DeliveryMode::regular, DeliveryMode::digest, DeliveryMode::nomail}) {
    if (iequals(text, delivery_mode_name(mode))) {
      return mode;
    }
  }
  return std::nullopt;
}

}  // namespace cqlist::store
