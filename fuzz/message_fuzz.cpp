// fuzz/message_fuzz.cpp: Message must give back any input byte for byte, and edits must read
// back as exactly the edits made.
//
// Aborts (a crash for libFuzzer, a failed test for the replay build) when a property breaks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_property.hpp"
#include "mail/message.hpp"

namespace {

using cqlist::mail::Message;

std::vector<std::string_view> field_names(const Message& message) {
  std::vector<std::string_view> names;
  names.reserve(message.fields().size());
  for (const auto& field : message.fields()) {
    names.push_back(field.name());
  }
  return names;
}

void check_lookups(const Message& message) {
  const auto& fields = message.fields();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    require(!fields[i].name().empty(), "field names are never empty");
    require(fields[i].raw().starts_with(fields[i].name()), "raw() starts with name()");
    std::optional<std::size_t> first = message.find_first(fields[i].name());
    require(first.has_value() && *first <= i, "find_first finds an earlier or the same field");
    (void)fields[i].unfolded_value();
  }
  std::string header = message.header_bytes();
  require(header.size() >= message.fields().size(), "header_bytes() holds the fields");
}

void check_edits(const std::string& bytes, const Message& message) {
  Message edited = message;
  require(edited.add_top("X-Fuzz", "1"), "add_top accepts a plain value");
  edited.remove(0);
  require(edited.serialize() == bytes, "add_top then remove(0) restores the input");

  require(edited.add_bottom("X-Fuzz", "a\r\n\tb"), "add_bottom accepts a folded value");
  require(!edited.add_bottom("X-Fuzz", "a\r\nBcc: x"), "an injected line is refused");
  Message reparsed = Message::parse(edited.serialize());
  require(field_names(reparsed) == field_names(edited), "an added field reads back as one field");
  require(reparsed.body() == message.body(), "adding a field keeps the body");
  require(reparsed.fields().back().raw() == edited.fields().back().raw(),
          "the added field reads back byte for byte");

  if (!message.fields().empty()) {
    Message replaced = message;
    require(replaced.replace(0, "replaced"), "replace accepts a plain value");
    Message replaced_back = Message::parse(replaced.serialize());
    require(replaced_back.fields().size() == message.fields().size(), "replace keeps the count");
    require(replaced_back.fields()[0].value() == " replaced", "the replaced value reads back");
    require(replaced_back.body() == message.body(), "replace keeps the body");
  }

  Message pruned = message;
  std::size_t removed = pruned.remove_all("received");
  require(Message::parse(pruned.serialize()).fields().size() == message.fields().size() - removed,
          "remove_all removes exactly the fields it counts");

  // Any bytes set as the body read back as that body.
  Message rebodied = message;
  rebodied.set_body(bytes);
  Message rebodied_back = Message::parse(rebodied.serialize());
  require(rebodied_back.body() == bytes, "set_body reads back as the body");
  require(field_names(rebodied_back) == field_names(message), "set_body keeps the fields");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  Message message = Message::parse(bytes);
  require(message.serialize() == bytes, "serialize() returns the parsed bytes");
  check_lookups(message);
  check_edits(bytes, message);
  return 0;
}
