#include "auth/arc/header.hpp"

#include <fmt/format.h>

#include "auth/crypto/base64.hpp"
#include "auth/dkim/tag_list.hpp"
#include "base/strings.hpp"

namespace cqlist::auth::arc {
namespace {

Result<std::int64_t> parse_timestamp(std::string_view text) {
  // RFC 6376 §3.5: t= is at most 12 digits.
  if (text.empty() || text.size() > 12) {
    return fail(Errc::bad_syntax, "t= is not a number of up to 12 digits");
  }
  std::int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return fail(Errc::bad_syntax, "t= is not a decimal number");
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

Result<dkim::Algorithm> parse_algorithm(std::string_view text) {
  // RFC 8617 §4.1.2 and §4.1.3 take a= from DKIM; RFC 8301 removed rsa-sha1 there.
  if (text == "rsa-sha256") {
    return dkim::Algorithm::rsa_sha256;
  }
  if (text == "ed25519-sha256") {
    return dkim::Algorithm::ed25519_sha256;
  }
  if (text.empty()) {
    return fail(Errc::bad_syntax, "a= is empty");
  }
  return fail(Errc::unsupported, fmt::format("unknown algorithm a={}", text));
}

Result<dkim::Canonicalization> parse_canonicalization(std::string_view text) {
  if (text == "simple") {
    return dkim::Canonicalization::simple;
  }
  if (text == "relaxed") {
    return dkim::Canonicalization::relaxed;
  }
  return fail(Errc::unsupported, fmt::format("unknown canonicalization \"{}\" in c=", text));
}

Result<std::string> decode_base64(std::string_view tag, std::string_view value) {
  auto decoded = crypto::base64_decode(value);
  if (!decoded) {
    return fail(Errc::bad_syntax, fmt::format("{}= is not valid base64", tag));
  }
  if (decoded->empty()) {
    return fail(Errc::bad_syntax, fmt::format("{}= is empty", tag));
  }
  return std::move(*decoded);
}

Result<std::string> domain_tag(const dkim::TagList& tags, std::string_view name) {
  const std::string_view value = *tags.value(name);
  if (!dkim::is_domain_name(value)) {
    return fail(Errc::bad_syntax, fmt::format("{}= is not a valid name: \"{}\"", name, value));
  }
  return to_ascii_lower(value);
}

Result<dkim::TagList> parse_tags(std::string_view what, std::string_view field_value,
                                 std::initializer_list<std::string_view> required) {
  auto tags = dkim::TagList::parse(field_value);
  if (!tags) {
    return fail(Errc::bad_syntax, fmt::format("{}: {}", what, tags.error().message()));
  }
  for (std::string_view name : required) {
    if (tags->find(name) == nullptr) {
      return fail(Errc::bad_syntax, fmt::format("{}: required tag {}= is missing", what, name));
    }
  }
  return std::move(*tags);
}

// "i=N" at the start of an AAR, up to and including the ";" (RFC 8617 §4.1.1:
// arc-info = instance [CFWS] ";" authres-payload). Returns the position after the ";".
Result<std::size_t> aar_instance_end(std::string_view value, unsigned& instance) {
  std::size_t pos = 0;
  auto skip_ws = [&] {
    while (pos < value.size() && (is_wsp(value[pos]) || value[pos] == '\r' || value[pos] == '\n')) {
      ++pos;
    }
  };
  skip_ws();
  if (pos >= value.size() || value[pos] != 'i') {
    return fail(Errc::bad_syntax, "ARC-Authentication-Results does not start with i=");
  }
  ++pos;
  skip_ws();
  if (pos >= value.size() || value[pos] != '=') {
    return fail(Errc::bad_syntax, "ARC-Authentication-Results does not start with i=");
  }
  ++pos;
  skip_ws();
  const std::size_t digits = pos;
  while (pos < value.size() && value[pos] >= '0' && value[pos] <= '9') {
    ++pos;
  }
  CQLIST_TRY(instance, parse_instance(value.substr(digits, pos - digits)));
  skip_ws();
  if (pos >= value.size() || value[pos] != ';') {
    return fail(Errc::bad_syntax, "ARC-Authentication-Results: no \";\" after i=");
  }
  return pos + 1;
}

}  // namespace

std::string_view chain_status_name(ChainStatus status) {
  switch (status) {
    case ChainStatus::none:
      return "none";
    case ChainStatus::pass:
      return "pass";
    case ChainStatus::fail:
      return "fail";
  }
  return "fail";
}

Result<unsigned> parse_instance(std::string_view text) {
  if (text.empty()) {
    return fail(Errc::bad_syntax, "i= is empty");
  }
  if (text.size() > 2) {
    return fail(Errc::bad_syntax, fmt::format("i={} is not an instance between 1 and 50", text));
  }
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return fail(Errc::bad_syntax, fmt::format("i={} is not a number", text));
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value < 1 || value > kMaxInstance) {
    return fail(Errc::bad_syntax, fmt::format("i={} is not an instance between 1 and 50", text));
  }
  return value;
}

Result<unsigned> field_instance(std::string_view field_name, std::string_view field_value) {
  if (iequals(field_name, kAuthenticationResultsField)) {
    unsigned instance = 0;
    CQLIST_TRY([[maybe_unused]] std::size_t end, aar_instance_end(field_value, instance));
    return instance;
  }
  auto tags = dkim::TagList::parse(field_value);
  if (!tags) {
    return fail(Errc::bad_syntax, fmt::format("{}: {}", trim(field_name), tags.error().message()));
  }
  const auto instance = tags->value("i");
  if (!instance) {
    return fail(Errc::bad_syntax, fmt::format("{} has no i= tag", trim(field_name)));
  }
  return parse_instance(*instance);
}

Result<MessageSignature> parse_message_signature(std::string_view field_value) {
  CQLIST_TRY(dkim::TagList tags,
             parse_tags(kMessageSignatureField, field_value, {"i", "a", "b", "bh", "d", "h", "s"}));
  MessageSignature out;
  dkim::Signature& sig = out.signature;
  CQLIST_TRY(out.instance, parse_instance(*tags.value("i")));
  CQLIST_TRY(sig.algorithm, parse_algorithm(*tags.value("a")));
  CQLIST_TRY(sig.signature, decode_base64("b", *tags.value("b")));
  sig.signature_base64 = dkim::strip_whitespace(*tags.value("b"));
  CQLIST_TRY(sig.body_hash, decode_base64("bh", *tags.value("bh")));
  CQLIST_TRY(sig.domain, domain_tag(tags, "d"));
  CQLIST_TRY(sig.selector, domain_tag(tags, "s"));
  sig.identity = "@" + sig.domain;

  // Without c= the AMS is read as relaxed/relaxed, not DKIM's simple/simple: ARC sealers
  // always write relaxed (the ValiMail suite's ams_fields_c_na is signed that way, and dkimpy,
  // the reference sealer, defaults to it). An explicit c= follows RFC 6376 §3.5.
  sig.header_canonicalization = dkim::Canonicalization::relaxed;
  sig.body_canonicalization = dkim::Canonicalization::relaxed;
  if (auto c = tags.value("c")) {
    // "relaxed" alone means relaxed header, simple body (RFC 6376 §3.5).
    sig.body_canonicalization = dkim::Canonicalization::simple;
    const std::size_t slash = c->find('/');
    CQLIST_TRY(sig.header_canonicalization, parse_canonicalization(c->substr(0, slash)));
    if (slash != std::string_view::npos) {
      CQLIST_TRY(sig.body_canonicalization, parse_canonicalization(c->substr(slash + 1)));
    }
  }

  // h= may be empty (the suite's ams_fields_h_empty passes): then only the AMS itself is
  // signed. An empty name between two colons names no field and signs nothing
  // (ams_fields_h_mis_hdr passes), so it is skipped.
  const std::string_view headers = *tags.value("h");
  {
    std::size_t pos = 0;
    while (true) {
      const std::size_t colon = headers.find(':', pos);
      const std::string_view name = trim(headers.substr(pos, colon - pos));
      // RFC 8617 §4.1.2: the AMS MUST NOT sign ARC-Seal fields (they are added after it).
      if (iequals(name, kSealField)) {
        return fail(Errc::bad_syntax,
                    "ARC-Message-Signature: h= lists ARC-Seal, which it may "
                    "not sign (RFC 8617 §4.1.2)");
      }
      if (!name.empty()) {
        sig.signed_headers.push_back(to_ascii_lower(name));
      }
      if (colon == std::string_view::npos) {
        break;
      }
      pos = colon + 1;
    }
  }
  if (auto t = tags.value("t")) {
    CQLIST_TRY(sig.timestamp, parse_timestamp(*t));
  }
  return out;
}

Result<Seal> parse_seal(std::string_view field_value) {
  CQLIST_TRY(dkim::TagList tags,
             parse_tags(kSealField, field_value, {"i", "a", "b", "cv", "d", "s"}));
  // RFC 8617 §4.1.3: the seal's scope is fixed; an h= tag is an error, not an extension.
  if (tags.find("h") != nullptr) {
    return fail(Errc::bad_syntax, "ARC-Seal carries h=, which RFC 8617 §4.1.3 forbids");
  }
  Seal out;
  CQLIST_TRY(out.instance, parse_instance(*tags.value("i")));
  CQLIST_TRY(out.algorithm, parse_algorithm(*tags.value("a")));
  CQLIST_TRY(out.signature, decode_base64("b", *tags.value("b")));
  CQLIST_TRY(out.domain, domain_tag(tags, "d"));
  CQLIST_TRY(out.selector, domain_tag(tags, "s"));
  const std::string_view cv = *tags.value("cv");
  if (cv == "none") {
    out.chain_status = ChainStatus::none;
  } else if (cv == "pass") {
    out.chain_status = ChainStatus::pass;
  } else if (cv == "fail") {
    out.chain_status = ChainStatus::fail;
  } else {
    return fail(Errc::bad_syntax, fmt::format("ARC-Seal: cv=\"{}\" is not none, pass or fail", cv));
  }
  if (auto t = tags.value("t")) {
    CQLIST_TRY(out.timestamp, parse_timestamp(*t));
  }
  return out;
}

Result<AuthenticationResults> parse_authentication_results(std::string_view field_value) {
  AuthenticationResults out;
  CQLIST_TRY(std::size_t end, aar_instance_end(field_value, out.instance));
  out.payload = std::string(trim(field_value.substr(end)));
  if (out.payload.empty()) {
    return fail(Errc::bad_syntax, "ARC-Authentication-Results has no authserv-id after i=");
  }
  return out;
}

}  // namespace cqlist::auth::arc
