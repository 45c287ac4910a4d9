// list/message_id.hpp: the Message-ID of a post, in the form the store keeps.
//
// Owns: reading the msg-id out of a Message-ID field (RFC 5322 §3.6.4) without its angle
// brackets, the form PostRow::message_id and the Message-ID cache use. Shared by the loop
// check (has this list distributed it already?) and the pipeline runner (remember it).
#pragma once

#include <string>

#include "mail/message.hpp"

namespace cqlist::list {

// The id inside the first Message-ID field's angle brackets ("1234@example.org"); without
// brackets, the trimmed value when it is one word. Empty when the message has none, or when
// what is there cannot identify the post (several words, empty brackets).
std::string message_id_of(const mail::Message& message);

}  // namespace cqlist::list
