#include "auth/arc/chain.hpp"

#include <array>
#include <optional>

#include <fmt/format.h>

#include "auth/arc/header.hpp"
#include "auth/dkim/canonicalize.hpp"
#include "base/strings.hpp"

namespace cqlist::auth::arc {
namespace {

constexpr std::array<std::string_view, 3> kKinds = {kAuthenticationResultsField,
                                                    kMessageSignatureField, kSealField};

std::optional<std::size_t> kind_of(const mail::HeaderField& field) {
  for (std::size_t k = 0; k < kKinds.size(); ++k) {
    if (field.is_named(kKinds[k])) {
      return k;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<ArcSetFields>> collect_chain(const mail::Message& message) {
  // slots[instance - 1][kind] = field index
  std::vector<std::array<std::optional<std::size_t>, 3>> slots;
  const auto& fields = message.fields();
  for (std::size_t index = 0; index < fields.size(); ++index) {
    const auto kind = kind_of(fields[index]);
    if (!kind) {
      continue;
    }
    auto instance = field_instance(kKinds[*kind], fields[index].value());
    if (!instance) {
      return fail(Errc::bad_syntax, instance.error().message());
    }
    if (*instance > slots.size()) {
      slots.resize(*instance);
    }
    auto& slot = slots[*instance - 1][*kind];
    if (slot) {
      // RFC 8617 §4.2.1: one field of each kind per instance.
      return fail(Errc::bad_syntax,
                  fmt::format("there are two {} fields with i={}", kKinds[*kind], *instance));
    }
    slot = index;
  }

  std::vector<ArcSetFields> sets;
  for (std::size_t k = 0; k < slots.size(); ++k) {
    const unsigned instance = static_cast<unsigned>(k + 1);
    for (std::size_t kind = 0; kind < kKinds.size(); ++kind) {
      if (!slots[k][kind]) {
        return fail(Errc::bad_syntax, fmt::format("ARC set {} of {} has no {} field", instance,
                                                  slots.size(), kKinds[kind]));
      }
    }
    sets.push_back(ArcSetFields{instance, *slots[k][0], *slots[k][1], *slots[k][2]});
  }
  return sets;
}

void append_canonical_sets(const mail::Message& message, std::span<const ArcSetFields> sets,
                           std::string& out) {
  const auto& fields = message.fields();
  for (const ArcSetFields& set : sets) {
    for (std::size_t index : {set.results_index, set.signature_index, set.seal_index}) {
      dkim::canonicalize_field(dkim::Canonicalization::relaxed, fields[index], out);
    }
  }
}

}  // namespace cqlist::auth::arc
