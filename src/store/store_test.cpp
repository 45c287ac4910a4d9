// store/store_test.cpp: the text forms of roles and delivery modes.

#include "store/store.hpp"

#include <gtest/gtest.h>

namespace cqlist::store {
namespace {

TEST(Roles, NamesParseBackInAnyCase) {
  for (Role role : {Role::member, Role::moderator, Role::owner}) {
    EXPECT_EQ(parse_role(role_name(role)), role);
  }
  EXPECT_EQ(role_name(Role::moderator), "moderator");
  EXPECT_EQ(parse_role("OWNER"), Role::owner);
  EXPECT_EQ(parse_role("Member"), Role::member);
  EXPECT_EQ(parse_role("admin"), std::nullopt);
  EXPECT_EQ(parse_role(""), std::nullopt);
}

TEST(DeliveryModes, NamesParseBackInAnyCase) {
  for (DeliveryMode mode : {DeliveryMode::regular, DeliveryMode::digest, DeliveryMode::nomail}) {
    EXPECT_EQ(parse_delivery_mode(delivery_mode_name(mode)), mode);
  }
  EXPECT_EQ(delivery_mode_name(DeliveryMode::nomail), "nomail");
  EXPECT_EQ(parse_delivery_mode("Digest"), DeliveryMode::digest);
  EXPECT_EQ(parse_delivery_mode("no-mail"), std::nullopt);
}

TEST(ListRow, AddressJoinsNameAndDomain) {
  ListRow list;
  list.name = "ham";
  list.domain = "cq-test.example";
  EXPECT_EQ(list.address(), "ham@cq-test.example");
}

}  // namespace
}  // namespace cqlist::store
