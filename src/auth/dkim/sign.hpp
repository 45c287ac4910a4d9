// auth/dkim/sign.hpp: makes DKIM-Signature header fields (RFC 6376 §5, RFC 8463).
//
// Owns: the signing policy (which header fields, over-signing, canonicalization, t= and x=)
// and the layout of the field value. A Signer is validated once by create() and then signs
// any number of messages, from several threads at once.
//
// Over-signing: each name in `oversigned_headers` is listed in h= once more than the message
// has it, so that nobody can add another From or List-Unsubscribe after signing without
// breaking the signature (RFC 6376 §8.15). l= is never written (§8.2: it lets anyone append).
// CopySigner signs many copies of one message that differ only in a few header fields (each
// member's own List-Unsubscribe link): everything but the hashes and signatures is made once.
// See also: verify.hpp, canonicalize.hpp (BodyHashCache for per-recipient copies).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/crypto/key.hpp"
#include "auth/dkim/canonicalize.hpp"
#include "auth/dkim/signature.hpp"
#include "base/result.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::dkim {

struct SigningKey {
  std::string selector;
  crypto::PrivateKey key;  // RSA (>= 1024 bits, RFC 8301 §3.2) or Ed25519
};

// From, Subject, Date, Message-ID, To, Cc, Reply-To, In-Reply-To, References, the List-*
// fields of RFC 2369/2919/8058, MIME-Version, Content-Type, Content-Transfer-Encoding.
std::vector<std::string> default_signed_headers();

// The signed headers above minus In-Reply-To and References.
std::vector<std::string> default_oversigned_headers();

struct SignerConfig {
  std::string domain;                   // d=
  std::vector<SigningKey> keys;         // one signature per key, all made in one pass over the body
  std::optional<std::string> identity;  // i=, omitted when unset (then it is "@" + d)
  Canonicalization header_canonicalization = Canonicalization::relaxed;
  Canonicalization body_canonicalization = Canonicalization::relaxed;
  std::vector<std::string> signed_headers = default_signed_headers();
  std::vector<std::string> oversigned_headers = default_oversigned_headers();
  std::optional<std::chrono::seconds> expiry;  // x= = t= + expiry
  // Write q=dns/txt (the default, so optional; RFC 8463's example writes it).
  bool write_query_method = false;
  // Between h= names; " : " reproduces the RFC examples, ":" is the compact default.
  std::string header_separator = ":";
};

class Signer {
 public:
  // Errc::invalid_argument: bad domain or selector, no key, an RSA key under 1024 bits, an
  // identity outside the domain, a bad header name.
  static Result<Signer> create(SignerConfig config);

  // The DKIM-Signature field values, one per key in config order, for
  // message.add_top("DKIM-Signature", value) (each signs the message without the others).
  // Values are folded with CRLF to at most 78 columns counting "DKIM-Signature: " and have
  // no leading space (add_top adds it; the signature covers exactly that field).
  // `body_hashes` must be a cache of message.body(); copies sharing a body share it.
  Result<std::vector<std::string>> sign(const mail::Message& message, BodyHashCache& body_hashes,
                                        std::chrono::system_clock::time_point now) const;

  Result<std::vector<std::string>> sign(const mail::Message& message,
                                        std::chrono::system_clock::time_point now) const;

  // Signs and adds the fields at the top, first key's signature on top.
  Result<void> sign_in_place(mail::Message& message,
                             std::chrono::system_clock::time_point now) const;

  const SignerConfig& config() const { return config_; }

 private:
  explicit Signer(SignerConfig config) : config_(std::move(config)) {}

  SignerConfig config_;
};

// The signatures of copies of one message whose only differences are the values of some
// header fields, each copy having those fields at the same places. h=, each DKIM-Signature
// field up to b= and the canonical form of every other signed field are made by create();
// sign() then costs the hashes and signatures of one copy. Thread-safe once made.
class CopySigner {
 public:
  // `varying`: indices into message.fields() of the fields that change per copy (their
  // values in `message` do not matter). The message and the cache need not outlive this.
  static Result<CopySigner> create(const Signer& signer, const mail::Message& message,
                                   const std::vector<std::size_t>& varying,
                                   BodyHashCache& body_hashes,
                                   std::chrono::system_clock::time_point now);

  // One copy's DKIM-Signature field values, as Signer::sign gives them for the message with
  // the varying fields replaced by `fields`: their whole texts ("Name: value", as
  // mail::field_text writes them), in the order of `varying`.
  Result<std::vector<std::string>> sign(const std::vector<std::string_view>& fields) const;

 private:
  // Canonical header data in hash order: fixed text, then (when set) a varying field's.
  struct Piece {
    std::string fixed;
    std::optional<std::size_t> varying;
  };

  struct KeyStub {
    crypto::PrivateKey key;
    std::string field_text;  // the DKIM-Signature value up to and including "b="
    std::size_t column = 0;  // where field_text ends on its last line
    std::string canonical;   // that field canonicalized, without its final CRLF
  };

  CopySigner() = default;

  Canonicalization canonicalization_ = Canonicalization::relaxed;
  std::size_t varying_count_ = 0;
  std::vector<Piece> pieces_;
  std::vector<KeyStub> stubs_;
};

}  // namespace cqlist::auth::dkim
