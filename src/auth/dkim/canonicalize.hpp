// auth/dkim/canonicalize.hpp: simple and relaxed canonicalization (RFC 6376 §3.4) and the
// body hash cache.
//
// Owns: turning header fields and bodies into the exact bytes that are hashed. Line ends are
// read as CRLF or bare LF (messages stored with LF, as mail/ keeps them) and always hashed as
// CRLF, which is what the message looks like on the wire.
//
// A body hash depends only on (body, canonicalization, l=, hash). BodyHashCache computes each
// once, so dual signing (RSA + Ed25519) and per-recipient copies that differ only in headers
// hash the body once. See also: sign.hpp, verify.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crypto/key.hpp"
#include "auth/dkim/signature.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::dkim {

// Appends one canonicalized header field, CRLF-terminated. `name` and `value` are the
// field's bytes before and after the colon (value includes folding, excludes the final line
// end). Relaxed (§3.4.2): lowercase name, unfold, runs of WSP to one SP, no WSP at either end
// of the value or around the colon. Simple (§3.4.1): the bytes unchanged.
void canonicalize_header(Canonicalization canonicalization, std::string_view name,
                         std::string_view value, std::string& out);

// The same for a field of a message: simple uses raw() (so obs-syntax white space before the
// colon is kept), relaxed uses name() and value().
void canonicalize_field(Canonicalization canonicalization, const mail::HeaderField& field,
                        std::string& out);

// The same for a whole field's text ("Name: value", folding included, a final line end
// optional), as mail::field_text writes it.
void canonicalize_field_text(Canonicalization canonicalization, std::string_view text,
                             std::string& out);

// For each name of h=, in hash order, the index of the field it picks: the i-th occurrence of
// a name picks the i-th instance of that field counting from the bottom; none when no instance
// is left (§5.4.2).
std::vector<std::optional<std::size_t>> signed_field_indices(const mail::Message& message,
                                                             const std::vector<std::string>& names);

// The fields named by h= in hash order: the i-th occurrence of a name picks the i-th instance
// of that field counting from the bottom; names with no instance left add nothing (§5.4.2).
void canonicalize_signed_fields(Canonicalization canonicalization, const mail::Message& message,
                                const std::vector<std::string>& names, std::string& out);

// The canonicalized body (§3.4.3, §3.4.4).
std::string canonicalize_body(Canonicalization canonicalization, std::string_view body);

// SHA-256 of the canonicalized body, the first `length` octets only when given.
crypto::Sha256Digest body_hash(Canonicalization canonicalization, std::string_view body,
                               std::optional<std::uint64_t> length = std::nullopt);

// Body hashes of one body. Not thread-safe; one cache per body, owned by whoever holds it.
class BodyHashCache {
 public:
  // `body` must stay alive and unchanged while the cache is used.
  explicit BodyHashCache(std::string_view body) : body_(body) {}

  const crypto::Sha256Digest& get(Canonicalization canonicalization,
                                  std::optional<std::uint64_t> length = std::nullopt);

  std::string_view body() const { return body_; }

  // How many hashes were computed (not served from the cache); for tests.
  std::size_t computed() const { return entries_.size(); }

 private:
  struct Entry {
    Canonicalization canonicalization;
    std::optional<std::uint64_t> length;
    crypto::Sha256Digest digest;
  };

  std::string_view body_;
  std::vector<Entry> entries_;
};

}  // namespace cqlist::auth::dkim
