// fuzz/dkim_signature_fuzz.cpp: DKIM-Signature and key-record tag parsing must never crash,
// and what parses must be self-consistent.
//
// Input: the same bytes are read as a DKIM-Signature value, as a key record, and as a tag
// list. Aborts (a crash for libFuzzer, a failed test for the replay build) when a property
// breaks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/dkim/key_record.hpp"
#include "auth/dkim/signature.hpp"
#include "auth/dkim/tag_list.hpp"
#include "fuzz_property.hpp"

namespace {

namespace dkim = cqlist::auth::dkim;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (auto tags = dkim::TagList::parse(input)) {
    for (const auto& tag : tags->tags()) {
      require(tag.value_begin <= tag.value_end && tag.value_end <= input.size(),
              "tag value offsets lie inside the input");
      require(input.substr(tag.value_begin, tag.value_end - tag.value_begin) == tag.value,
              "tag value offsets point at the value");
      require(tags->find(tag.name) == &tag, "tag names are unique");
    }
    // Blanking b= keeps a parseable list with an empty b=.
    if (tags->find("b") != nullptr) {
      // TagList holds views into the text it parsed: keep that text alive.
      const std::string blanked_text = dkim::blank_tag_value(input, "b");
      auto blanked = dkim::TagList::parse(blanked_text);
      require(blanked.has_value(), "blanking b= keeps the list parseable");
      require(blanked->value("b") == std::string_view(), "blanked b= is empty");
    }
  }

  if (auto signature = dkim::parse_signature(input)) {
    require(dkim::is_domain_name(signature->domain), "d= is a domain name");
    require(!signature->signed_headers.empty(), "h= is not empty");
    require(signature->body_hash.size() == 32, "bh= is a SHA-256 hash");
    require(!signature->signature.empty(), "b= is not empty");
    const std::string identity_domain = signature->identity_domain();
    require(
        identity_domain == signature->domain || identity_domain.ends_with("." + signature->domain),
        "i= lies within d=");
  }

  if (auto record = dkim::parse_key_record(input)) {
    require(record->revoked() || record->key->type() == record->key_type,
            "the key has the type k= says");
  }
  return 0;
}
