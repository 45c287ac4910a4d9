// list/signing.hpp: each list's DKIM signer and ARC sealer, built once per key change.
//
// Owns: turning a list's key settings (dkim_key_rsa, dkim_key_ed25519 and their selectors)
// into an auth::dkim::Signer (RSA and Ed25519 in one pass, d= the list's domain) and an
// auth::arc::Sealer (the RSA key), and caching them: decoding a PEM key costs more than an RSA
// signature, so keys are read once per process and again only when the settings name other
// files or `reload()` is called (SIGHUP).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "auth/arc/seal.hpp"
#include "auth/dkim/sign.hpp"
#include "base/result.hpp"
#include "list/settings.hpp"
#include "store/store.hpp"

namespace cqlist::list {

struct ListSigning {
  std::optional<auth::dkim::Signer> dkim;  // absent: the list has no key configured
  std::optional<auth::arc::Sealer> arc;    // absent: no RSA key, or settings.arc is off
};

class KeyRing {
 public:
  explicit KeyRing(std::string authserv_id) : authserv_id_(std::move(authserv_id)) {}

  // Errc::io / bad_syntax naming the key file when a configured key cannot be used: a list
  // whose key is broken must not send unsigned mail that Gmail will reject anyway.
  Result<std::shared_ptr<const ListSigning>> for_list(const store::ListRow& list,
                                                      const ListSettings& settings);
  void reload();

 private:
  struct Cached {
    std::string key_settings;
    std::shared_ptr<const ListSigning> signing;
  };

  std::string authserv_id_;
  std::mutex mutex_;
  std::map<store::Id, Cached> cache_;
};

}  // namespace cqlist::list
