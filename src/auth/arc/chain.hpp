// auth/arc/chain.hpp: finding the ARC sets of a message and checking their structure
// (RFC 8617 §4.2, §5.2 steps 1-3).
//
// Owns: grouping ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results fields into
// sets by instance, and the structural rules: instances 1..N without gaps, exactly one field
// of each kind per instance, at most 50 sets. A broken structure is an Error (the chain then
// fails with its message); signatures are not checked here (validate.hpp does that).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::arc {

// Indexes into message.fields() of one complete ARC set.
struct ArcSetFields {
  unsigned instance = 0;
  std::size_t results_index = 0;    // ARC-Authentication-Results
  std::size_t signature_index = 0;  // ARC-Message-Signature
  std::size_t seal_index = 0;       // ARC-Seal
};

// The sets ordered by instance (sets[k].instance == k + 1); empty when the message has no ARC
// field at all. Errc::bad_syntax names the first structural problem found.
Result<std::vector<ArcSetFields>> collect_chain(const mail::Message& message);

// Appends the relaxed canonical form of every field of `sets`, set by set in instance order,
// each set as ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal: the data an
// ARC-Seal signs (RFC 8617 §5.1.1). The caller appends the sealed set itself with its own b=
// blanked.
void append_canonical_sets(const mail::Message& message, std::span<const ArcSetFields> sets,
                           std::string& out);

}  // namespace cqlist::auth::arc
