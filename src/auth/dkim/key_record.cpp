#include "auth/dkim/key_record.hpp"

#include "auth/crypto/base64.hpp"
#include "auth/dkim/tag_list.hpp"
#include "base/strings.hpp"

namespace cqlist::auth::dkim {
namespace {

// Calls `fn` with each trimmed element of a colon-separated list (h=, s=, t=).
template <class Fn>
void for_each_item(std::string_view list, Fn fn) {
  while (true) {
    const std::size_t colon = list.find(':');
    fn(trim(list.substr(0, colon)));
    if (colon == std::string_view::npos) {
      return;
    }
    list.remove_prefix(colon + 1);
  }
}

}  // namespace

Result<KeyRecord> parse_key_record(std::string_view text) {
  CQLIST_TRY(TagList tags, TagList::parse(text));
  KeyRecord record;

  if (auto v = tags.value("v")) {
    // §3.6.1: "If specified, this tag MUST be set to "DKIM1" ... and MUST be the first tag".
    if (*v != "DKIM1") {
      return fail(Errc::bad_syntax, "key record has v=" + std::string(*v) + ", not v=DKIM1");
    }
    if (tags.tags().front().name != "v") {
      return fail(Errc::bad_syntax, "key record has v= after other tags");
    }
  }

  if (auto k = tags.value("k")) {
    if (*k == "rsa") {
      record.key_type = crypto::KeyType::rsa;
    } else if (*k == "ed25519") {
      record.key_type = crypto::KeyType::ed25519;
    } else {
      return fail(Errc::unsupported, "key record has unknown key type k=" + std::string(*k));
    }
  }

  if (auto h = tags.value("h")) {
    record.allows_sha256 = false;
    for_each_item(*h, [&](std::string_view item) {
      record.allows_sha256 = record.allows_sha256 || item == "sha256";
    });
  }

  if (auto s = tags.value("s")) {
    bool email = false;
    for_each_item(*s,
                  [&](std::string_view item) { email = email || item == "*" || item == "email"; });
    if (!email) {
      return fail(Errc::unsupported, "key record is not for email (s=" + std::string(*s) + ")");
    }
  }

  if (auto t = tags.value("t")) {
    for_each_item(*t, [&](std::string_view item) {
      record.testing = record.testing || item == "y";
      record.strict_identity = record.strict_identity || item == "s";
    });
  }

  const auto p = tags.value("p");
  if (!p) {
    return fail(Errc::bad_syntax, "key record has no p= tag");
  }
  // Whitespace inside p= is allowed (§3.6.1 "ABNF ... [FWS]") and common when a record is
  // pasted in pieces; base64_decode skips it.
  auto der = crypto::base64_decode(*p);
  if (!der) {
    return fail(Errc::bad_syntax, "key record p= is not valid base64");
  }
  if (der->empty()) {
    return record;  // revoked
  }
  auto key = crypto::PublicKey::from_bytes(record.key_type, *der);
  if (!key) {
    return fail(Errc::bad_syntax, "key record p= is not a usable " +
                                      std::string(crypto::key_type_name(record.key_type)) +
                                      " key: " + key.error().message());
  }
  record.key = std::move(*key);
  return record;
}

}  // namespace cqlist::auth::dkim
