// list/list_addresses.cpp: the list's own addresses and names.
#include "list/list_addresses.hpp"

namespace cqlist::list {

ListAddresses list_addresses(const store::ListRow& list) {
  ListAddresses addresses;
  addresses.posting = list.name + "@" + list.domain;
  addresses.request = list.name + "-request@" + list.domain;
  addresses.owner = list.name + "-owner@" + list.domain;
  addresses.list_id = list.name + "." + list.domain;
  return addresses;
}

std::string_view list_tag_name(const store::ListRow& list, const ListSettings& settings) {
  return settings.tag_name.empty() ? std::string_view(list.name)
                                   : std::string_view(settings.tag_name);
}

std::string_view legacy_header_charset(const ListSettings& settings) {
  return settings.language == "ja" ? "Shift_JIS" : "";
}

}  // namespace cqlist::list
