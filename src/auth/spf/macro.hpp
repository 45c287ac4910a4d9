// auth/spf/macro.hpp: SPF macro expansion (RFC 7208 §7).
//
// Owns: expanding macro-strings in domain-specs and exp= explanation text: the letters
// s l o d i p h v (and c r t in explanations only, §7.2), the DIGIT and "r" transformers,
// delimiters, URL-escaping of upper-case letters (§7.3), and the 253-octet cut of expanded
// domain names (§7.3: drop labels from the left). The %{p} validated name needs DNS, so the
// evaluator supplies it through a callback that is only called when a record uses it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/ip_address.hpp"
#include "base/result.hpp"

namespace cqlist::auth::spf {

struct MacroContext {
  std::string sender;                // %{s}: local-part@domain
  std::string local_part;            // %{l}
  std::string sender_domain;         // %{o}
  std::string domain;                // %{d}: the current domain of check_host()
  IpAddress ip;                      // %{i}, %{c}, %{v}
  std::string helo;                  // %{h}
  std::string receiver = "unknown";  // %{r}
  std::int64_t timestamp = 0;        // %{t}: seconds since the epoch
  // %{p}: the validated name of `ip` for the current domain (RFC 7208 §5.5), or "unknown".
  std::function<std::string()> validated_name;
};

// Expands `text`; `explanation` selects the exp= grammar (c r t and spaces allowed).
Result<std::string> expand_macros(std::string_view text, const MacroContext& context,
                                  bool explanation);

// Expands a domain-spec and cuts the result to 253 octets (RFC 7208 §7.3).
Result<std::string> expand_domain_spec(std::string_view spec, const MacroContext& context);

}  // namespace cqlist::auth::spf
