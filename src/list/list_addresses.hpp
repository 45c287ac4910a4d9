// list/list_addresses.hpp: the addresses and names a list shows in the header of its posts.
//
// Owns: the posting, -request and -owner addresses, the RFC 2919 list-id, the name in subject
// tags, and the charset to read raw 8-bit header text in. The decorate and DMARC stages (and
// anything else that writes or recognises the list's own fields) take them from here, so that
// "ham-request@lists.example" is spelled in one place.
#pragma once

#include <string>
#include <string_view>

#include "list/settings.hpp"
#include "store/store.hpp"

namespace cqlist::list {

struct ListAddresses {
  std::string posting;  // ham@lists.example
  std::string request;  // ham-request@lists.example: commands (help, subscribe, unsubscribe)
  std::string owner;    // ham-owner@lists.example: the humans who run the list
  std::string list_id;  // ham.lists.example (RFC 2919 §2: list-label "." namespace)
};

ListAddresses list_addresses(const store::ListRow& list);

// settings.tag_name, or the list name when it is empty: the name in "[ham:00012]",
// X-ML-Name and "Name via ham".
std::string_view list_tag_name(const store::ListRow& list, const ListSettings& settings);

// The charset raw 8-bit header bytes are read in when they are not UTF-8: old Japanese mailers
// send raw Shift_JIS, so a Japanese list reads them as such. Empty for other lists.
std::string_view legacy_header_charset(const ListSettings& settings);

}  // namespace cqlist::list
