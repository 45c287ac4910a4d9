// dns/rdata.hpp: decoding record data from DNS wire format (RFC 1035 §3.3, RFC 3596 §2.2,
// RFC 6698 §2.1).
//
// Owns: turning the uncompressed rdata libunbound hands over into RecordData values, and
// domain names into text. Names come out without the trailing dot; bytes that cannot appear
// literally in a label ('.', '\\', spaces, non-printable bytes) are written as \DDD (RFC 4343
// §2.1), so a name that SPF or DMARC later uses in a query keeps its exact labels.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "dns/resolver.hpp"

namespace cqlist::dns {

// Decodes one uncompressed wire-format name that must fill `wire` exactly.
Result<std::string> decode_name(std::string_view wire);

// Decodes the rdata of one record of `type`.
Result<RecordData> decode_rdata(RecordType type, std::string_view rdata);

}  // namespace cqlist::dns
