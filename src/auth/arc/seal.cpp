#include "auth/arc/seal.hpp"

#include <fmt/format.h>

#include "auth/arc/chain.hpp"
#include "auth/crypto/base64.hpp"
#include "auth/dkim/canonicalize.hpp"
#include "auth/dkim/tag_list.hpp"
#include "base/strings.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::arc {
namespace {

constexpr std::size_t kMaxColumns = 78;
constexpr std::string_view kFold = "\r\n ";

struct TagValue {
  std::string_view name;
  std::string value;
};

// "name=value; name=value", folded between tags when a line would pass kMaxColumns.
std::string layout(std::string_view field_name, const std::vector<TagValue>& tags) {
  std::string out;
  std::size_t column = field_name.size() + 2;
  for (std::size_t k = 0; k < tags.size(); ++k) {
    const std::size_t width = tags[k].name.size() + 1 + tags[k].value.size() + 1;
    if (k > 0) {
      if (column + 1 + width > kMaxColumns) {
        out += kFold;
        column = 1;
      } else {
        out += ' ';
        ++column;
      }
    }
    out.append(tags[k].name);
    out += '=';
    out += tags[k].value;
    if (k + 1 < tags.size()) {
      out += ';';
    }
    column += width;
  }
  return out;
}

// The same tags on one line, as the relaxed canonicalization sees them.
std::string flat(const std::vector<TagValue>& tags) {
  std::string out;
  for (const TagValue& tag : tags) {
    if (!out.empty()) {
      out += "; ";
    }
    out.append(tag.name);
    out += '=';
    out += tag.value;
  }
  return out;
}

Result<std::string> sign(const crypto::PrivateKey& key, std::string& data) {
  data.resize(data.size() - 2);  // the signature field's own CRLF is not signed
  CQLIST_TRY(std::string signature, key.sign_digest(crypto::sha256(data)));
  return crypto::base64_encode(signature);
}

}  // namespace

void SealedSet::add_to(mail::Message& message) const {
  message.add_top(kAuthenticationResultsField, authentication_results);
  message.add_top(kMessageSignatureField, message_signature);
  message.add_top(kSealField, seal);
}

Result<Sealer> Sealer::create(SealerConfig config) {
  if (!dkim::is_domain_name(config.domain)) {
    return fail(Errc::invalid_argument,
                "ARC signing domain is not a domain name: " + config.domain);
  }
  if (!dkim::is_domain_name(config.selector)) {
    return fail(Errc::invalid_argument, "ARC selector is not valid: " + config.selector);
  }
  if (config.authserv_id.empty() ||
      config.authserv_id.find_first_of(" \t\r\n;()") != std::string::npos) {
    return fail(Errc::invalid_argument,
                "the authserv-id must be one word such as the host name, not \"" +
                    config.authserv_id + "\"");
  }
  if (!config.key) {
    return fail(Errc::invalid_argument, "ARC sealer has no key");
  }
  // RFC 8617 §4.1: rsa-sha256 is the one algorithm ARC receivers are required to know.
  if (config.key->type() != crypto::KeyType::rsa || config.key->bits() < 1024) {
    return fail(Errc::invalid_argument,
                "ARC sealing needs an RSA key of at least 1024 bits (2048 recommended)");
  }
  config.domain = to_ascii_lower(config.domain);
  config.selector = to_ascii_lower(config.selector);
  for (std::string& name : config.signed_headers) {
    if (!mail::is_valid_field_name(name)) {
      return fail(Errc::invalid_argument, "not a header field name: \"" + name + "\"");
    }
    if (iequals(name, kSealField)) {
      return fail(Errc::invalid_argument,
                  "the ARC-Message-Signature may not sign ARC-Seal (RFC 8617 §4.1.2)");
    }
    name = to_ascii_lower(name);
  }
  return Sealer(std::move(config));
}

Result<SealOutcome> Sealer::seal(const mail::Message& message,
                                 std::string_view authentication_results, ArcOutcome incoming,
                                 std::chrono::system_clock::time_point now) const {
  SealOutcome out;
  out.incoming = std::move(incoming);
  const ArcOutcome& chain = out.incoming;
  if (chain.closed) {
    out.skipped_reason = "the newest ARC-Seal already says cv=fail; the chain may not be extended";
    return out;
  }
  auto sets = collect_chain(message);
  if (!sets) {
    out.skipped_reason =
        "the incoming ARC header fields are malformed (" + sets.error().message() + ")";
    return out;
  }
  if (sets->size() >= kMaxInstance) {
    out.skipped_reason = "the ARC chain already has 50 sets, the most RFC 8617 allows";
    return out;
  }

  SealedSet set;
  set.instance = static_cast<unsigned>(sets->size() + 1);
  set.chain_status = chain.result;
  const std::string instance = std::to_string(set.instance);
  const std::string timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  const std::string_view results = trim(authentication_results);
  set.authentication_results = fmt::format("i={}; {}; {}", instance, config_.authserv_id,
                                           results.empty() ? "none" : results);

  // ARC-Message-Signature over the message as it will be, with this hop's AAR on top.
  mail::Message with_results = message;
  with_results.add_top(kAuthenticationResultsField, set.authentication_results);
  const crypto::Sha256Digest body_hash =
      dkim::body_hash(dkim::Canonicalization::relaxed, message.body());
  std::string signed_names;
  for (const std::string& name : config_.signed_headers) {
    if (!signed_names.empty()) {
      signed_names += ':';
    }
    signed_names += name;
  }
  std::vector<TagValue> ams = {
      {"a", "rsa-sha256"},
      {"b", ""},
      {"bh", crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(body_hash.data()),
                                                    body_hash.size()))},
      {"c", "relaxed/relaxed"},
      {"d", config_.domain},
      {"h", signed_names},
      {"i", instance},
      {"s", config_.selector},
      {"t", timestamp},
  };
  std::string data;
  dkim::canonicalize_signed_fields(dkim::Canonicalization::relaxed, with_results,
                                   config_.signed_headers, data);
  dkim::canonicalize_header(dkim::Canonicalization::relaxed, kMessageSignatureField, flat(ams),
                            data);
  CQLIST_TRY(ams[1].value, sign(*config_.key, data));
  set.message_signature = layout(kMessageSignatureField, ams);

  // ARC-Seal over every earlier set and this one (RFC 8617 §5.1.1).
  std::vector<TagValue> seal = {
      {"a", "rsa-sha256"},
      {"b", ""},
      {"cv", std::string(chain_status_name(set.chain_status))},
      {"d", config_.domain},
      {"i", instance},
      {"s", config_.selector},
      {"t", timestamp},
  };
  data.clear();
  // RFC 8617 §5.1.2: a seal with cv=fail covers only its own set; the earlier ones are broken
  // and a validator stops at the newest seal anyway.
  if (set.chain_status != ChainStatus::fail) {
    append_canonical_sets(message, *sets, data);
  }
  dkim::canonicalize_header(dkim::Canonicalization::relaxed, kAuthenticationResultsField,
                            set.authentication_results, data);
  dkim::canonicalize_header(dkim::Canonicalization::relaxed, kMessageSignatureField,
                            set.message_signature, data);
  dkim::canonicalize_header(dkim::Canonicalization::relaxed, kSealField, flat(seal), data);
  CQLIST_TRY(seal[1].value, sign(*config_.key, data));
  set.seal = layout(kSealField, seal);
  out.set = std::move(set);
  return out;
}

Result<SealOutcome> Sealer::seal(const mail::Message& message,
                                 std::string_view authentication_results, dns::Resolver& resolver,
                                 std::chrono::system_clock::time_point now) const {
  return seal(message, authentication_results, validate(message, resolver, now), now);
}

std::string merge_authentication_results(const mail::Message& message,
                                         std::string_view authserv_id) {
  std::string out;
  for (std::size_t index : message.find_all("Authentication-Results")) {
    const std::string value = message.fields()[index].unfolded_value();
    std::string_view rest = value;
    const std::size_t semicolon = rest.find(';');
    std::string_view id = trim(rest.substr(0, semicolon));
    // RFC 8601 §2.2: the authserv-id may be followed by a version number.
    id = id.substr(0, id.find_first_of(" \t"));
    if (!iequals(id, authserv_id) || semicolon == std::string_view::npos) {
      continue;
    }
    rest.remove_prefix(semicolon + 1);
    while (!rest.empty()) {
      const std::size_t end = rest.find(';');
      const std::string_view result = trim(rest.substr(0, end));
      if (!result.empty() && result != "none") {
        if (!out.empty()) {
          out += ";\r\n ";
        }
        out.append(result);
      }
      if (end == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(end + 1);
    }
  }
  return out;
}

}  // namespace cqlist::auth::arc
