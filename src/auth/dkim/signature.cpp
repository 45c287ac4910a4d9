#include "auth/dkim/signature.hpp"

#include "auth/crypto/base64.hpp"
#include "auth/dkim/tag_list.hpp"
#include "base/strings.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::dkim {
namespace {

Result<std::int64_t> parse_decimal(std::string_view tag, std::string_view text) {
  // §3.5: t= and x= are at most 12 digits, l= at most 76; more than 18 cannot be a time or a
  // body length cqlist would read, and would overflow.
  if (text.empty() || text.size() > 18) {
    return fail(Errc::bad_syntax, std::string(tag) + "= is not a number of up to 18 digits");
  }
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return fail(Errc::bad_syntax, std::string(tag) + "= is not a decimal number");
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

Result<Algorithm> parse_algorithm(std::string_view text) {
  if (text == "rsa-sha256") {
    return Algorithm::rsa_sha256;
  }
  if (text == "ed25519-sha256") {
    return Algorithm::ed25519_sha256;
  }
  if (text == "rsa-sha1") {
    return fail(Errc::unsupported, "unknown algorithm rsa-sha1 (RFC 8301)");
  }
  return fail(Errc::unsupported, "unknown algorithm " + std::string(text));
}

Result<Canonicalization> parse_canonicalization(std::string_view text) {
  if (text == "simple") {
    return Canonicalization::simple;
  }
  if (text == "relaxed") {
    return Canonicalization::relaxed;
  }
  return fail(Errc::unsupported, "unknown canonicalization " + std::string(text));
}

Result<std::string> decode_tag(std::string_view tag, std::string_view value) {
  auto decoded = crypto::base64_decode(value);
  if (!decoded) {
    return fail(Errc::bad_syntax, std::string(tag) + "= is not valid base64");
  }
  return std::move(*decoded);
}

}  // namespace

std::string_view algorithm_name(Algorithm algorithm) {
  return algorithm == Algorithm::rsa_sha256 ? "rsa-sha256" : "ed25519-sha256";
}

crypto::KeyType key_type_of(Algorithm algorithm) {
  return algorithm == Algorithm::rsa_sha256 ? crypto::KeyType::rsa : crypto::KeyType::ed25519;
}

std::string_view canonicalization_name(Canonicalization canonicalization) {
  return canonicalization == Canonicalization::simple ? "simple" : "relaxed";
}

std::string Signature::identity_domain() const {
  const std::size_t at = identity.rfind('@');
  return to_ascii_lower(at == std::string::npos ? identity : identity.substr(at + 1));
}

bool is_domain_name(std::string_view text) {
  if (text.empty() || text.size() > 253) {
    return false;
  }
  std::size_t label = 0;
  for (char c : text) {
    if (c == '.') {
      if (label == 0) {
        return false;
      }
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok || ++label > 63) {
      return false;
    }
  }
  return label > 0;
}

Result<Signature> parse_signature(std::string_view field_value) {
  CQLIST_TRY(TagList tags, TagList::parse(field_value));
  for (std::string_view required : {"v", "a", "b", "bh", "d", "h", "s"}) {
    if (tags.find(required) == nullptr) {
      return fail(Errc::bad_syntax, "required tag " + std::string(required) + "= is missing");
    }
  }
  if (*tags.value("v") != "1") {
    return fail(Errc::unsupported, "unknown signature version v=" + std::string(*tags.value("v")));
  }

  Signature sig;
  CQLIST_TRY(sig.algorithm, parse_algorithm(*tags.value("a")));

  if (auto c = tags.value("c")) {
    const std::size_t slash = c->find('/');
    CQLIST_TRY(sig.header_canonicalization, parse_canonicalization(c->substr(0, slash)));
    // §3.5: "relaxed" alone means relaxed header, simple body.
    if (slash != std::string_view::npos) {
      CQLIST_TRY(sig.body_canonicalization, parse_canonicalization(c->substr(slash + 1)));
    }
  }

  const std::string_view domain = *tags.value("d");
  if (!is_domain_name(domain)) {
    return fail(Errc::bad_syntax, "d= is not a domain name: " + std::string(domain));
  }
  sig.domain = to_ascii_lower(domain);

  const std::string_view selector = *tags.value("s");
  if (!is_domain_name(selector)) {
    return fail(Errc::bad_syntax, "s= is not a valid selector: " + std::string(selector));
  }
  sig.selector = to_ascii_lower(selector);

  std::string_view headers = *tags.value("h");
  bool has_from = false;
  while (true) {
    const std::size_t colon = headers.find(':');
    const std::string_view name = trim(headers.substr(0, colon));
    if (!mail::is_valid_field_name(name)) {
      return fail(Errc::bad_syntax, "h= holds an invalid header field name");
    }
    sig.signed_headers.push_back(to_ascii_lower(name));
    has_from = has_from || iequals(name, "from");
    if (colon == std::string_view::npos) {
      break;
    }
    headers.remove_prefix(colon + 1);
  }
  if (!has_from) {
    return fail(Errc::bad_syntax, "h= does not include From (RFC 6376 §5.4)");
  }

  if (auto i = tags.value("i")) {
    const std::size_t at = i->rfind('@');
    if (at == std::string_view::npos) {
      return fail(Errc::bad_syntax, "i= has no \"@\"");
    }
    sig.identity = std::string(*i);
    const std::string identity_domain = sig.identity_domain();
    // §3.5: the i= domain is d= or a subdomain of it.
    const bool same = identity_domain == sig.domain;
    const bool sub = identity_domain.size() > sig.domain.size() &&
                     identity_domain.ends_with(sig.domain) &&
                     identity_domain[identity_domain.size() - sig.domain.size() - 1] == '.';
    if (!same && !sub) {
      return fail(Errc::bad_syntax,
                  "i= domain " + identity_domain + " is not within d=" + sig.domain);
    }
  } else {
    sig.identity = "@" + sig.domain;
  }

  if (auto q = tags.value("q")) {
    bool dns = false;
    std::string_view methods = *q;
    while (!methods.empty()) {
      const std::size_t colon = methods.find(':');
      dns = dns || trim(methods.substr(0, colon)) == "dns/txt";
      methods = colon == std::string_view::npos ? std::string_view() : methods.substr(colon + 1);
    }
    if (!dns) {
      return fail(Errc::unsupported, "q= offers no dns/txt key query method");
    }
  }

  if (auto l = tags.value("l")) {
    CQLIST_TRY(std::int64_t length, parse_decimal("l", *l));
    sig.body_length = static_cast<std::uint64_t>(length);
  }
  if (auto t = tags.value("t")) {
    CQLIST_TRY(sig.timestamp, parse_decimal("t", *t));
  }
  if (auto x = tags.value("x")) {
    CQLIST_TRY(sig.expiration, parse_decimal("x", *x));
    if (sig.timestamp && *sig.expiration < *sig.timestamp) {
      return fail(Errc::bad_syntax, "x= is earlier than t=");
    }
  }

  CQLIST_TRY(sig.body_hash, decode_tag("bh", *tags.value("bh")));
  if (sig.body_hash.size() != crypto::kSha256Size) {
    return fail(Errc::bad_syntax, "bh= is not a SHA-256 hash");
  }
  sig.signature_base64 = strip_whitespace(*tags.value("b"));
  CQLIST_TRY(sig.signature, decode_tag("b", sig.signature_base64));
  if (sig.signature.empty()) {
    return fail(Errc::bad_syntax, "b= is empty");
  }
  return sig;
}

}  // namespace cqlist::auth::dkim
