// auth/dmarc/public_suffix.hpp: the Public Suffix List, through libpsl, for the RFC 7489
// compatibility mode of organizational-domain discovery (RFC 7489 §3.2).
//
// Owns: loading a list (the one the distribution ships, or a file) and asking for the
// registrable domain of a name. RFC 9989 replaced this with the DNS tree walk (§4.10); the
// list stays for operators who want to see what an RFC 7489 receiver would decide.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

struct psl_ctx_st;

namespace cqlist::auth::dmarc {

class PublicSuffixList {
 public:
  // The newest list on this system (libpsl's built-in data or the distribution's file).
  static Result<PublicSuffixList> system();
  // A public_suffix_list.dat file; the error names the file.
  static Result<PublicSuffixList> load(const std::string& path);

  // The organizational ("registrable") domain: the public suffix plus one label, lowercase.
  // nullopt for a public suffix itself, a name with an empty label, or an empty name.
  std::optional<std::string> registrable_domain(std::string_view domain) const;

 private:
  std::shared_ptr<const psl_ctx_st> context_;
};

}  // namespace cqlist::auth::dmarc
