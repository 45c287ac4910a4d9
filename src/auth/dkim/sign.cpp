#include "auth/dkim/sign.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "auth/crypto/base64.hpp"
#include "base/strings.hpp"
#include "mail/message.hpp"

namespace cqlist::auth::dkim {
namespace {

constexpr std::size_t kMaxColumns = 78;
constexpr std::string_view kFieldName = "DKIM-Signature";

// Lays out words on lines of at most kMaxColumns, folding with CRLF SP. A word that follows
// a space may replace that space by the fold; a glued word (no space before it) gets FWS
// inserted when folded, which the tag-list grammar allows between h= names and inside b=.
class Folder {
 public:
  explicit Folder(std::size_t column) : column_(column) {}

  Folder(std::string text, std::size_t column) : out_(std::move(text)), column_(column) {}

  void word(std::string_view text, bool space_before) {
    const std::size_t needed = text.size() + (space_before ? 1 : 0);
    if (column_ + needed > kMaxColumns && column_ > 1) {
      out_ += "\r\n ";
      column_ = 1;
    } else if (space_before) {
      out_ += ' ';
      ++column_;
    }
    out_.append(text);
    column_ += text.size();
  }

  // Writes `text` in as many pieces as needed, filling each line.
  void split_word(std::string_view text) {
    while (!text.empty()) {
      std::size_t room = column_ < kMaxColumns ? kMaxColumns - column_ : 0;
      if (room == 0) {
        out_ += "\r\n ";
        column_ = 1;
        room = kMaxColumns - 1;
      }
      const std::string_view piece = text.substr(0, room);
      out_.append(piece);
      column_ += piece.size();
      text.remove_prefix(piece.size());
    }
  }

  const std::string& text() const { return out_; }

  std::size_t column() const { return column_; }

 private:
  std::string out_;
  std::size_t column_;
};

bool contains_name(const std::vector<std::string>& names, std::string_view name) {
  for (const auto& entry : names) {
    if (iequals(entry, name)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> default_signed_headers() {
  std::vector<std::string> names = default_oversigned_headers();
  names.insert(names.begin() + 7, {"In-Reply-To", "References"});
  return names;
}

std::vector<std::string> default_oversigned_headers() {
  return {"From",
          "Subject",
          "Date",
          "Message-ID",
          "To",
          "Cc",
          "Reply-To",
          "List-Id",
          "List-Help",
          "List-Unsubscribe",
          "List-Unsubscribe-Post",
          "List-Subscribe",
          "List-Post",
          "List-Owner",
          "List-Archive",
          "MIME-Version",
          "Content-Type",
          "Content-Transfer-Encoding"};
}

Result<Signer> Signer::create(SignerConfig config) {
  if (!is_domain_name(config.domain)) {
    return fail(Errc::invalid_argument,
                "DKIM signing domain is not a domain name: " + config.domain);
  }
  config.domain = to_ascii_lower(config.domain);
  if (config.keys.empty()) {
    return fail(Errc::invalid_argument, "DKIM signer has no key");
  }
  for (SigningKey& key : config.keys) {
    if (!is_domain_name(key.selector)) {
      return fail(Errc::invalid_argument, "DKIM selector is not valid: " + key.selector);
    }
    key.selector = to_ascii_lower(key.selector);
    // RFC 8301 §3.2: signers MUST use at least 1024 bits (and SHOULD use 2048).
    if (key.key.type() == crypto::KeyType::rsa && key.key.bits() < 1024) {
      return fail(Errc::invalid_argument,
                  fmt::format("the RSA key for selector {} has {} bits; RFC 8301 requires at "
                              "least 1024 (use 2048)",
                              key.selector, key.key.bits()));
    }
  }
  if (config.identity) {
    const std::size_t at = config.identity->rfind('@');
    const std::string identity_domain =
        at == std::string::npos ? "" : to_ascii_lower(config.identity->substr(at + 1));
    if (at == std::string::npos ||
        (identity_domain != config.domain && !identity_domain.ends_with("." + config.domain))) {
      return fail(Errc::invalid_argument,
                  "DKIM identity " + *config.identity + " is not within " + config.domain);
    }
  }
  for (const auto& name : config.oversigned_headers) {
    if (!contains_name(config.signed_headers, name)) {
      config.signed_headers.push_back(name);
    }
  }
  for (const auto& name : config.signed_headers) {
    if (!mail::is_valid_field_name(name)) {
      return fail(Errc::invalid_argument, "not a header field name: \"" + name + "\"");
    }
  }
  if (!contains_name(config.signed_headers, "from")) {
    return fail(Errc::invalid_argument, "the DKIM signed headers must include From");
  }
  if (config.header_separator.empty() || trim(config.header_separator) != ":") {
    return fail(Errc::invalid_argument, "the h= separator must be \":\" with optional spaces");
  }
  return Signer(std::move(config));
}

Result<std::vector<std::string>> Signer::sign(const mail::Message& message,
                                              std::chrono::system_clock::time_point now) const {
  BodyHashCache body_hashes(message.body());
  return sign(message, body_hashes, now);
}

Result<std::vector<std::string>> Signer::sign(const mail::Message& message,
                                              BodyHashCache& body_hashes,
                                              std::chrono::system_clock::time_point now) const {
  CQLIST_TRY(CopySigner copies, CopySigner::create(*this, message, {}, body_hashes, now));
  return copies.sign({});
}

Result<CopySigner> CopySigner::create(const Signer& signer, const mail::Message& message,
                                      const std::vector<std::size_t>& varying,
                                      BodyHashCache& body_hashes,
                                      std::chrono::system_clock::time_point now) {
  const SignerConfig& config = signer.config();
  if (!message.find_first("from")) {
    return fail(Errc::invalid_argument, "the message has no From field; DKIM requires one");
  }
  for (std::size_t index : varying) {
    if (index >= message.fields().size()) {
      return fail(Errc::invalid_argument, "a varying header field is not in the message");
    }
  }
  // h=: the listed fields as often as present, then the over-signed names once more.
  std::vector<std::string> names;
  for (const auto& name : config.signed_headers) {
    const std::size_t count = message.find_all(name).size();
    for (std::size_t i = 0; i < count; ++i) {
      names.push_back(to_ascii_lower(name));
    }
  }
  for (const auto& name : config.oversigned_headers) {
    names.push_back(to_ascii_lower(name));
  }

  CopySigner copies;
  copies.canonicalization_ = config.header_canonicalization;
  copies.varying_count_ = varying.size();
  // The header data common to every signature: the signed fields, hashed once per key below
  // together with that key's own DKIM-Signature field.
  copies.pieces_.emplace_back();
  for (const auto& index : signed_field_indices(message, names)) {
    if (!index) {
      continue;
    }
    auto slot = std::find(varying.begin(), varying.end(), *index);
    if (slot == varying.end()) {
      canonicalize_field(config.header_canonicalization, message.fields()[*index],
                         copies.pieces_.back().fixed);
      continue;
    }
    copies.pieces_.back().varying = static_cast<std::size_t>(slot - varying.begin());
    copies.pieces_.emplace_back();
  }

  const std::string body_hash = crypto::base64_encode(std::string_view(
      reinterpret_cast<const char*>(body_hashes.get(config.body_canonicalization).data()),
      crypto::kSha256Size));
  const std::int64_t timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();

  for (const SigningKey& key : config.keys) {
    const Algorithm algorithm =
        key.key.type() == crypto::KeyType::rsa ? Algorithm::rsa_sha256 : Algorithm::ed25519_sha256;
    Folder folder(kFieldName.size() + 2);
    folder.word("v=1;", false);
    folder.word(fmt::format("a={};", algorithm_name(algorithm)), true);
    folder.word(fmt::format("c={}/{};", canonicalization_name(config.header_canonicalization),
                            canonicalization_name(config.body_canonicalization)),
                true);
    folder.word(fmt::format("d={};", config.domain), true);
    if (config.identity) {
      folder.word(fmt::format("i={};", *config.identity), true);
    }
    if (config.write_query_method) {
      folder.word("q=dns/txt;", true);
    }
    folder.word(fmt::format("s={};", key.selector), true);
    folder.word(fmt::format("t={};", timestamp), true);
    if (config.expiry) {
      folder.word(fmt::format("x={};", timestamp + config.expiry->count()), true);
    }
    // h=: breakable at the separator's spaces, or right after each ":" when it has none.
    std::string header_list = "h=";
    for (std::size_t i = 0; i < names.size(); ++i) {
      header_list += (i == 0 ? "" : config.header_separator) + names[i];
    }
    header_list += ';';
    for (std::string_view rest = header_list; !rest.empty();) {
      const std::size_t space = rest.find(' ');
      std::string_view word = rest.substr(0, space);
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
      bool space_before = true;
      while (!word.empty()) {
        const std::size_t colon = word.find(':');
        const std::size_t cut = colon == std::string_view::npos ? word.size() : colon + 1;
        folder.word(word.substr(0, cut), space_before);
        space_before = false;
        word.remove_prefix(cut);
      }
    }
    folder.word(fmt::format("bh={};", body_hash), true);
    folder.word("b=", true);

    // §3.7: the header hash ends with this field with an empty b=, canonicalized, without its
    // final CRLF. The field is hashed as add_top writes it.
    std::string canonical;
    canonicalize_header(config.header_canonicalization, kFieldName, " " + folder.text(), canonical);
    canonical.resize(canonical.size() - 2);
    copies.stubs_.push_back({key.key, folder.text(), folder.column(), std::move(canonical)});
  }
  return copies;
}

Result<std::vector<std::string>> CopySigner::sign(
    const std::vector<std::string_view>& fields) const {
  if (fields.size() != varying_count_) {
    return fail(Errc::invalid_argument, "a copy must give every varying header field");
  }
  std::string signed_fields;
  for (const Piece& piece : pieces_) {
    signed_fields += piece.fixed;
    if (piece.varying) {
      canonicalize_field_text(canonicalization_, fields[*piece.varying], signed_fields);
    }
  }
  std::vector<std::string> values;
  values.reserve(stubs_.size());
  for (const KeyStub& stub : stubs_) {
    std::string data;
    data.reserve(signed_fields.size() + stub.canonical.size());
    data += signed_fields;
    data += stub.canonical;
    CQLIST_TRY(std::string signature, stub.key.sign_digest(crypto::sha256(data)));
    Folder folder(stub.field_text, stub.column);
    folder.split_word(crypto::base64_encode(signature));
    values.push_back(folder.text());
  }
  return values;
}

Result<void> Signer::sign_in_place(mail::Message& message,
                                   std::chrono::system_clock::time_point now) const {
  CQLIST_TRY(std::vector<std::string> values, sign(message, now));
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    if (!message.add_top(kFieldName, *it)) {
      return fail(Errc::internal, "could not add the DKIM-Signature field");
    }
  }
  return {};
}

}  // namespace cqlist::auth::dkim
