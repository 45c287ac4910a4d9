// list/signing.cpp: reading key files into signers, cached per list.
#include "list/signing.hpp"

#include <fmt/format.h>

#include "auth/crypto/key.hpp"
#include "base/file.hpp"

namespace cqlist::list {
namespace {

Result<auth::crypto::PrivateKey> load_key(const std::string& path, const store::ListRow& list) {
  auto text = read_file(path);
  if (!text) {
    return fail(std::move(text.error())
                    .with_context(fmt::format("reading the DKIM key of {}", list.address())));
  }
  auto key = auth::crypto::PrivateKey::from_text(*text);
  if (!key) {
    return fail(std::move(key.error())
                    .with_context(fmt::format("the DKIM key file {} of {}", path, list.address())));
  }
  return key;
}

Result<ListSigning> build(const store::ListRow& list, const ListSettings& settings,
                          const std::string& authserv_id) {
  ListSigning signing;
  auth::dkim::SignerConfig config;
  config.domain = list.domain;
  std::optional<auth::crypto::PrivateKey> rsa;
  if (!settings.dkim_key_rsa.empty()) {
    if (settings.dkim_selector_rsa.empty()) {
      return fail(Errc::invalid_argument,
                  fmt::format("{} has dkim_key_rsa but no dkim_selector_rsa; set the selector "
                              "you published the key under",
                              list.address()));
    }
    CQLIST_TRY(auto key, load_key(settings.dkim_key_rsa, list));
    rsa = key;
    config.keys.push_back({settings.dkim_selector_rsa, key});
  }
  if (!settings.dkim_key_ed25519.empty()) {
    if (settings.dkim_selector_ed25519.empty()) {
      return fail(
          Errc::invalid_argument,
          fmt::format("{} has dkim_key_ed25519 but no dkim_selector_ed25519", list.address()));
    }
    CQLIST_TRY(auto key, load_key(settings.dkim_key_ed25519, list));
    config.keys.push_back({settings.dkim_selector_ed25519, key});
  }
  if (!config.keys.empty()) {
    CQLIST_TRY(auto signer, auth::dkim::Signer::create(std::move(config)));
    signing.dkim = std::move(signer);
  }
  if (rsa && settings.arc) {
    auth::arc::SealerConfig arc;
    arc.authserv_id = authserv_id;
    arc.domain = list.domain;
    arc.selector = settings.dkim_selector_rsa;
    arc.key = rsa;
    CQLIST_TRY(auto sealer, auth::arc::Sealer::create(std::move(arc)));
    signing.arc = std::move(sealer);
  }
  return signing;
}

}  // namespace

Result<std::shared_ptr<const ListSigning>> KeyRing::for_list(const store::ListRow& list,
                                                             const ListSettings& settings) {
  std::string key_settings = fmt::format(
      "{}|{}|{}|{}|{}|{}", list.domain, settings.dkim_selector_rsa, settings.dkim_key_rsa,
      settings.dkim_selector_ed25519, settings.dkim_key_ed25519, settings.arc);
  std::lock_guard lock(mutex_);
  if (auto found = cache_.find(list.id);
      found != cache_.end() && found->second.key_settings == key_settings) {
    return found->second.signing;
  }
  CQLIST_TRY(ListSigning signing, build(list, settings, authserv_id_));
  auto shared = std::make_shared<const ListSigning>(std::move(signing));
  cache_[list.id] = Cached{key_settings, shared};
  return shared;
}

void KeyRing::reload() {
  std::lock_guard lock(mutex_);
  cache_.clear();
}

}  // namespace cqlist::list
