#include "auth/arc/validate.hpp"

#include <map>
#include <utility>

#include <fmt/format.h>

#include "auth/arc/chain.hpp"
#include "auth/dkim/canonicalize.hpp"
#include "auth/dkim/tag_list.hpp"

namespace cqlist::auth::arc {
namespace {

constexpr unsigned kMinimumRsaBits = 1024;  // RFC 8301 §3.2, applied to ARC as to DKIM

// Looks each (selector, domain) up once per validation: chains often reuse one key.
class KeyCache {
 public:
  explicit KeyCache(const KeyFinder& find_key) : find_key_(find_key) {}

  const dkim::KeyLookup& get(const std::string& selector, const std::string& domain) {
    auto key = std::make_pair(selector, domain);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      it = entries_.emplace(key, find_key_(selector, domain)).first;
    }
    return it->second;
  }

 private:
  const KeyFinder& find_key_;
  std::map<std::pair<std::string, std::string>, dkim::KeyLookup> entries_;
};

std::string key_problem(const dkim::KeyLookup& lookup, std::string_view selector,
                        std::string_view domain) {
  const std::string name = fmt::format("{}._domainkey.{}", selector, domain);
  if (lookup.result == dkim::DkimResult::temperror) {
    return fmt::format("{} (a DNS problem; it may work later)", lookup.reason);
  }
  return fmt::format("{} at {}", lookup.reason, name);
}

// Checks one ARC-Seal (RFC 8617 §5.1.1 for what it signs). Returns the reason on failure.
std::optional<std::string> verify_seal(const mail::Message& message,
                                       const std::vector<ArcSetFields>& sets, std::size_t k,
                                       const Seal& seal, KeyCache& keys) {
  const dkim::KeyLookup& lookup = keys.get(seal.selector, seal.domain);
  if (!lookup.record) {
    return key_problem(lookup, seal.selector, seal.domain);
  }
  const dkim::KeyRecord& record = *lookup.record;
  if (record.revoked()) {
    return fmt::format("the key {}._domainkey.{} was revoked (empty p=)", seal.selector,
                       seal.domain);
  }
  const crypto::PublicKey& key = *record.key;
  if (key.type() != dkim::key_type_of(seal.algorithm)) {
    return fmt::format("the key is {} but the seal says a={}", crypto::key_type_name(key.type()),
                       dkim::algorithm_name(seal.algorithm));
  }
  if (!record.allows_sha256) {
    return std::string("the key record's h= does not allow sha256");
  }
  if (key.type() == crypto::KeyType::rsa && key.bits() < kMinimumRsaBits) {
    return fmt::format("key too short ({} bits; RFC 8301 requires at least 1024)", key.bits());
  }

  std::string data;
  append_canonical_sets(message, std::span<const ArcSetFields>(sets).first(k), data);
  const auto& fields = message.fields();
  const ArcSetFields& own = sets[k];
  dkim::canonicalize_field(dkim::Canonicalization::relaxed, fields[own.results_index], data);
  dkim::canonicalize_field(dkim::Canonicalization::relaxed, fields[own.signature_index], data);
  const mail::HeaderField& field = fields[own.seal_index];
  dkim::canonicalize_header(dkim::Canonicalization::relaxed, field.name(),
                            dkim::blank_tag_value(field.value(), "b"), data);
  data.resize(data.size() - 2);  // the seal's own CRLF is not signed (RFC 6376 §3.7)
  if (!key.verify_digest(crypto::sha256(data), seal.signature)) {
    return std::string("the seal's signature does not match its ARC headers");
  }
  return std::nullopt;
}

// Checks one ARC-Message-Signature like a DKIM signature (RFC 8617 §5.2 step 4).
std::optional<std::string> verify_message_signature(const mail::Message& message,
                                                    std::size_t field_index,
                                                    const MessageSignature& ams, KeyCache& keys,
                                                    dkim::BodyHashCache& body_hashes,
                                                    std::chrono::system_clock::time_point now) {
  const dkim::Signature& sig = ams.signature;
  const dkim::KeyLookup& lookup = keys.get(sig.selector, sig.domain);
  if (!lookup.record) {
    return key_problem(lookup, sig.selector, sig.domain);
  }
  const dkim::DkimOutcome outcome =
      dkim::verify(message, field_index, sig, *lookup.record, now, &body_hashes);
  if (outcome.result == dkim::DkimResult::pass) {
    return std::nullopt;
  }
  if (outcome.reason == "body hash mismatch") {
    return std::string("the body was changed after this hop signed it (body hash mismatch)");
  }
  if (outcome.reason == "signature mismatch") {
    return std::string(
        "the signed header fields were changed after this hop signed them (signature mismatch)");
  }
  return outcome.reason;
}

ArcOutcome failed(ArcOutcome out, std::string reason, std::optional<unsigned> instance) {
  out.result = ChainStatus::fail;
  out.reason = std::move(reason);
  out.failed_instance = instance;
  return out;
}

}  // namespace

std::string_view check_name(Check check) {
  switch (check) {
    case Check::not_checked:
      return "not checked";
    case Check::pass:
      return "pass";
    case Check::fail:
      return "fail";
  }
  return "fail";
}

ArcOutcome validate(const mail::Message& message, const KeyFinder& find_key,
                    std::chrono::system_clock::time_point now) {
  ArcOutcome out;
  auto chain = collect_chain(message);
  if (!chain) {
    return failed(std::move(out), "the ARC header fields are malformed: " + chain.error().message(),
                  std::nullopt);
  }
  const std::vector<ArcSetFields>& sets = *chain;
  if (sets.empty()) {
    return out;  // cv=none: no forwarder sealed this message
  }
  const std::size_t count = sets.size();
  const auto& fields = message.fields();

  std::vector<Seal> seals(count);
  std::vector<MessageSignature> signatures(count);
  out.sets.resize(count);
  // The newest seal first (§5.2 step 2): a forwarder that already saw a broken chain ends it.
  for (std::size_t n = count; n-- > 0;) {
    SetOutcome& set = out.sets[n];
    set.instance = sets[n].instance;
    auto seal = parse_seal(fields[sets[n].seal_index].value());
    if (!seal) {
      return failed(std::move(out), fmt::format("ARC set {}: {}", n + 1, seal.error().message()),
                    static_cast<unsigned>(n + 1));
    }
    seals[n] = std::move(*seal);
    set.seal_domain = seals[n].domain;
    set.seal_selector = seals[n].selector;
    if (n + 1 == count && seals[n].chain_status == ChainStatus::fail) {
      out.closed = true;
      return failed(std::move(out),
                    fmt::format("the last forwarder ({}) already found the chain broken (cv=fail)",
                                seals[n].domain),
                    static_cast<unsigned>(n + 1));
    }
  }
  for (std::size_t n = 0; n < count; ++n) {
    const unsigned instance = static_cast<unsigned>(n + 1);
    auto ams = parse_message_signature(fields[sets[n].signature_index].value());
    if (!ams) {
      return failed(std::move(out), fmt::format("ARC set {}: {}", instance, ams.error().message()),
                    instance);
    }
    signatures[n] = std::move(*ams);
    auto results = parse_authentication_results(fields[sets[n].results_index].value());
    if (!results) {
      return failed(std::move(out),
                    fmt::format("ARC set {}: {}", instance, results.error().message()), instance);
    }
    out.sets[n].results_payload = std::move(results->payload);
    // §5.2 step 3 / §4.1.3: the first seal has nothing to vouch for, later ones vouch for a pass.
    const ChainStatus expected = n == 0 ? ChainStatus::none : ChainStatus::pass;
    if (seals[n].chain_status != expected) {
      return failed(
          std::move(out),
          fmt::format("ARC set {} says cv={} where only cv={} is valid", instance,
                      chain_status_name(seals[n].chain_status), chain_status_name(expected)),
          instance);
    }
  }

  KeyCache keys(find_key);
  dkim::BodyHashCache body_hashes(message.body());
  // §5.2 step 4: the newest message signature must hold; older ones may have been broken by
  // later, sealed changes (that is what ARC is for) and only give oldest-pass (step 5).
  for (std::size_t n = count; n-- > 0;) {
    SetOutcome& set = out.sets[n];
    auto problem = verify_message_signature(message, sets[n].signature_index, signatures[n], keys,
                                            body_hashes, now);
    set.message_signature = problem ? Check::fail : Check::pass;
    if (!problem) {
      continue;
    }
    set.message_signature_reason = *problem;
    if (n + 1 == count) {
      return failed(
          std::move(out),
          fmt::format("ARC set {} ({}): {}", n + 1, signatures[n].signature.domain, *problem),
          static_cast<unsigned>(n + 1));
    }
    out.oldest_pass = static_cast<unsigned>(n + 2);
    break;
  }
  // §5.2 step 6: every seal, newest first.
  for (std::size_t n = count; n-- > 0;) {
    SetOutcome& set = out.sets[n];
    auto problem = verify_seal(message, sets, n, seals[n], keys);
    set.seal = problem ? Check::fail : Check::pass;
    if (problem) {
      set.seal_reason = *problem;
      return failed(std::move(out),
                    fmt::format("ARC-Seal {} ({}): {}", n + 1, seals[n].domain, *problem),
                    static_cast<unsigned>(n + 1));
    }
  }
  out.result = ChainStatus::pass;
  return out;
}

ArcOutcome validate(const mail::Message& message, dns::Resolver& resolver,
                    std::chrono::system_clock::time_point now) {
  const KeyFinder finder = [&resolver](std::string_view selector, std::string_view domain) {
    return dkim::lookup_key(resolver, selector, domain);
  };
  return validate(message, finder, now);
}

}  // namespace cqlist::auth::arc
