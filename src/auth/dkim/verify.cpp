#include "auth/dkim/verify.hpp"

#include <fmt/format.h>

#include "auth/dkim/tag_list.hpp"

namespace cqlist::auth::dkim {
namespace {

constexpr unsigned kMinimumRsaBits = 1024;  // RFC 8301 §3.2

DkimOutcome outcome(DkimResult result, std::string reason) {
  DkimOutcome out;
  out.result = result;
  out.reason = std::move(reason);
  return out;
}

std::int64_t seconds_since_epoch(std::chrono::system_clock::time_point now) {
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}

// Checks that need neither the key nor the body; nullopt when the signature may go on.
std::optional<DkimOutcome> check_expiry(const Signature& signature,
                                        std::chrono::system_clock::time_point now) {
  if (signature.expiration && *signature.expiration < seconds_since_epoch(now)) {
    return outcome(DkimResult::fail, "expired");
  }
  return std::nullopt;
}

}  // namespace

std::string_view result_name(DkimResult result) {
  switch (result) {
    case DkimResult::none:
      return "none";
    case DkimResult::pass:
      return "pass";
    case DkimResult::fail:
      return "fail";
    case DkimResult::neutral:
      return "neutral";
    case DkimResult::temperror:
      return "temperror";
    case DkimResult::permerror:
      return "permerror";
    case DkimResult::policy:
      return "policy";
  }
  return "none";
}

DkimOutcome verify(const mail::Message& message, std::size_t field_index,
                   const Signature& signature, const KeyRecord& key,
                   std::chrono::system_clock::time_point now, BodyHashCache* body_hashes) {
  DkimOutcome out = [&]() -> DkimOutcome {
    if (auto expired = check_expiry(signature, now)) {
      return *expired;
    }
    if (key.revoked()) {
      return outcome(DkimResult::permerror, "key revoked");
    }
    const crypto::PublicKey& public_key = *key.key;
    if (public_key.type() != key_type_of(signature.algorithm)) {
      return outcome(DkimResult::permerror, fmt::format("key type {} does not match algorithm {}",
                                                        crypto::key_type_name(public_key.type()),
                                                        algorithm_name(signature.algorithm)));
    }
    if (!key.allows_sha256) {
      return outcome(DkimResult::permerror, "key record h= does not allow sha256");
    }
    if (key.strict_identity && signature.identity_domain() != signature.domain) {
      return outcome(DkimResult::permerror, "key record t=s forbids the subdomain in i=");
    }
    if (public_key.type() == crypto::KeyType::rsa && public_key.bits() < kMinimumRsaBits) {
      // RFC 8301 §3.2: not a valid signature; RFC 8601 "policy": signed, but not acceptably.
      return outcome(DkimResult::policy, fmt::format("key too short ({} bits)", public_key.bits()));
    }
    if (field_index >= message.fields().size()) {
      return outcome(DkimResult::permerror, "no such header field");
    }

    std::optional<BodyHashCache> own_cache;
    if (body_hashes == nullptr) {
      own_cache.emplace(message.body());
      body_hashes = &*own_cache;
    }
    const crypto::Sha256Digest& body_digest =
        body_hashes->get(signature.body_canonicalization, signature.body_length);
    if (signature.body_hash !=
        std::string_view(reinterpret_cast<const char*>(body_digest.data()), body_digest.size())) {
      return outcome(DkimResult::fail, "body hash mismatch");
    }

    std::string data;
    canonicalize_signed_fields(signature.header_canonicalization, message, signature.signed_headers,
                               data);
    const mail::HeaderField& field = message.fields()[field_index];
    canonicalize_header(signature.header_canonicalization, field.name(),
                        blank_tag_value(field.value(), "b"), data);
    data.resize(data.size() - 2);  // §3.7: the signature field's CRLF is not hashed
    if (!public_key.verify_digest(crypto::sha256(data), signature.signature)) {
      return outcome(DkimResult::fail, "signature mismatch");
    }
    return outcome(DkimResult::pass, "");
  }();
  out.field_index = field_index;
  out.signature = signature;
  out.testing = key.testing;
  out.key_bits = key.key ? key.key->bits() : 0;
  return out;
}

KeyLookup lookup_key(dns::Resolver& resolver, std::string_view selector, std::string_view domain) {
  KeyLookup out;
  const std::string name = fmt::format("{}._domainkey.{}", selector, domain);
  const dns::Answer answer = resolver.query(name, dns::RecordType::txt);
  switch (answer.status) {
    case dns::Status::answer:
      break;
    case dns::Status::nxdomain:
    case dns::Status::nodata:
      out.result = DkimResult::permerror;
      out.reason = "key not found";
      return out;
    case dns::Status::servfail:
    case dns::Status::timeout:
      out.result = DkimResult::temperror;
      out.reason = fmt::format("key lookup {} ({})", dns::status_name(answer.status), name);
      return out;
  }
  const auto records = answer.all<dns::TxtRecord>();
  if (records.empty()) {
    out.result = DkimResult::permerror;
    out.reason = "key not found";
    return out;
  }
  // §6.1.2: with several records a verifier may pick one; the first is as good as any.
  auto record = parse_key_record(records.front().joined());
  if (!record) {
    out.result = DkimResult::permerror;
    out.reason = "bad key record: " + record.error().message();
    return out;
  }
  out.record = std::move(*record);
  return out;
}

std::vector<DkimOutcome> verify_all(const mail::Message& message, dns::Resolver& resolver,
                                    std::chrono::system_clock::time_point now) {
  std::vector<DkimOutcome> outcomes;
  BodyHashCache body_hashes(message.body());
  for (std::size_t index : message.find_all("DKIM-Signature")) {
    auto signature = parse_signature(message.fields()[index].value());
    if (!signature) {
      DkimOutcome out = outcome(DkimResult::permerror, signature.error().message());
      out.field_index = index;
      outcomes.push_back(std::move(out));
      continue;
    }
    auto finish = [&](DkimOutcome out) {
      out.field_index = index;
      out.signature = *signature;
      outcomes.push_back(std::move(out));
    };
    if (auto expired = check_expiry(*signature, now)) {
      finish(std::move(*expired));
      continue;
    }

    KeyLookup key = lookup_key(resolver, signature->selector, signature->domain);
    if (!key.record) {
      finish(outcome(key.result, std::move(key.reason)));
      continue;
    }
    outcomes.push_back(verify(message, index, *signature, *key.record, now, &body_hashes));
  }
  return outcomes;
}

}  // namespace cqlist::auth::dkim
