// auth/crypto/base64.hpp: strict base64 for DKIM tag values (RFC 6376 §2.4).
//
// Owns: the encoding of b=, bh= and p= values. Unlike mail/transfer_encoding.hpp, which reads
// bodies generously, a signature or key with a stray character is an error: a verifier must
// not guess at the bytes it checks. White space (FWS inside folded tag values) is skipped.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace cqlist::auth::crypto {

// Standard alphabet with padding, no line breaks.
std::string base64_encode(std::string_view data);

// Skips SP, TAB, CR and LF; anything else outside the alphabet, bad padding or a length that
// is not a multiple of 4 after removing white space is Errc::bad_syntax.
Result<std::string> base64_decode(std::string_view text);

}  // namespace cqlist::auth::crypto
