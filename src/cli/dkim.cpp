// cli/dkim.cpp: `cqlist dkim keygen` and `cqlist dkim sign`: the operator's DKIM key tooling.
//
// keygen makes a signing key, writes it where only its owner can read it (mode 0600, never
// over an existing file: a published record may belong to it) and prints the TXT record to
// publish. sign runs a message through auth::dkim::Signer, the same signer the list server
// uses, so that operators can test their keys and DNS before the first post.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "auth/crypto/keygen.hpp"
#include "auth/dkim/publish.hpp"
#include "auth/dkim/sign.hpp"
#include "auth/dkim/signature.hpp"
#include "base/file.hpp"
#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "mail/message.hpp"

namespace cqlist::cli {
namespace {

namespace crypto = auth::crypto;
namespace dkim = auth::dkim;

struct KeygenArgs {
  std::string domain;
  std::string selector;
  std::string algorithm = "rsa2048";
  std::string out;
};

int run_keygen(const KeygenArgs& args) {
  if (!dkim::is_domain_name(args.domain) || !dkim::is_domain_name(args.selector)) {
    fmt::print(stderr,
               "cqlist dkim keygen: --domain and --selector must be DNS names (letters, digits, "
               "'-', '_' and dots), got \"{}\" and \"{}\"\n",
               args.domain, args.selector);
    return kExitUsage;
  }
  const bool ed25519 = args.algorithm == "ed25519";
  auto key = ed25519 ? crypto::generate_private_key(crypto::KeyType::ed25519)
                     : crypto::generate_private_key(crypto::KeyType::rsa, 2048);
  if (!key) {
    fmt::print(stderr, "cqlist dkim keygen: {}\n", key.error().describe());
    return kExitSoftware;
  }
  auto pem = crypto::private_key_pem(*key);
  if (!pem) {
    fmt::print(stderr, "cqlist dkim keygen: {}\n", pem.error().describe());
    return kExitSoftware;
  }
  const std::string path =
      args.out.empty() ? fmt::format("{}.{}.{}.pem", args.selector, args.domain, args.algorithm)
                       : args.out;
  constexpr unsigned kOwnerOnly = 0600;
  if (auto written = write_file_durably(path, *pem, Overwrite::refuse, kOwnerOnly); !written) {
    if (written.error().code() == Errc::already_exists) {
      fmt::print(stderr,
                 "cqlist dkim keygen: {} already exists; keygen never replaces a key (its "
                 "record may be published). Choose another --out or selector.\n",
                 path);
      return kExitUsage;
    }
    fmt::print(stderr, "cqlist dkim keygen: {}\n", written.error().describe());
    return kExitIoError;
  }

  const std::string name = dkim::key_record_name(args.selector, args.domain);
  const auto pieces = dkim::split_character_strings(dkim::key_record_text(*key));
  fmt::print(
      "Wrote the {} private key to {} (mode 0600). Keep it secret: whoever has it can "
      "sign mail as {}.\n\n",
      ed25519 ? "Ed25519" : "RSA-2048", path, args.domain);
  fmt::print("Publish this TXT record in the DNS zone of {}:\n\n", args.domain);
  fmt::print("{}. 3600 IN TXT ( {} )\n\n", name, dkim::quote_character_strings(pieces));
  fmt::print(
      "Paste the line into the zone file as it is; in a DNS provider's web form, create "
      "a TXT record named {} with the text between the quotes (joined, without the "
      "quotes).\n",
      name);
  fmt::print("DNS の {} ゾーンに、名前 {} の TXT レコードとして上の値を登録してください。\n",
             args.domain, name);
  fmt::print(
      "\nThen check it: cqlist dkim sign --domain {} --selector {} --key {} < message > "
      "signed && cqlist check signed\n",
      args.domain, args.selector, path);
  return kExitOk;
}

struct SignArgs {
  std::string domain;
  std::vector<std::string> selectors;
  std::vector<std::string> key_files;
  std::string headers;
  std::string canonicalization = "relaxed/relaxed";
  std::string identity;
  std::int64_t time = 0;
  std::int64_t expire_seconds = 0;
  std::string input = "-";
};

Result<dkim::Canonicalization> parse_canonicalization_word(std::string_view word) {
  if (word == "relaxed") {
    return dkim::Canonicalization::relaxed;
  }
  if (word == "simple") {
    return dkim::Canonicalization::simple;
  }
  return fail(Errc::invalid_argument,
              "--canonicalization takes simple or relaxed for header/body, e.g. relaxed/simple, "
              "not \"" +
                  std::string(word) + "\"");
}

Result<dkim::SignerConfig> make_signer_config(const SignArgs& args) {
  dkim::SignerConfig config;
  config.domain = args.domain;
  if (args.selectors.size() != 1 && args.selectors.size() != args.key_files.size()) {
    return fail(Errc::invalid_argument,
                "give one --selector for all keys, or one --selector per --key (in order)");
  }
  for (std::size_t i = 0; i < args.key_files.size(); ++i) {
    auto text = read_file(args.key_files[i]);
    if (!text) {
      return fail(text.error());
    }
    auto key = crypto::PrivateKey::from_text(*text);
    if (!key) {
      return fail(std::move(key.error()).with_context("reading " + args.key_files[i]));
    }
    config.keys.push_back(
        {args.selectors.size() == 1 ? args.selectors[0] : args.selectors[i], std::move(*key)});
  }

  // RFC 6376 §3.5 c=: "relaxed" alone means relaxed headers and simple body.
  const std::size_t slash = args.canonicalization.find('/');
  CQLIST_TRY(config.header_canonicalization,
             parse_canonicalization_word(std::string_view(args.canonicalization).substr(0, slash)));
  if (slash != std::string::npos) {
    CQLIST_TRY(
        config.body_canonicalization,
        parse_canonicalization_word(std::string_view(args.canonicalization).substr(slash + 1)));
  } else {
    config.body_canonicalization = dkim::Canonicalization::simple;
  }

  if (!args.headers.empty()) {
    // Names separated by ':' (as in h=) or ','; over-signing stays on for those of them
    // that are over-signed by default.
    std::vector<std::string> names;
    std::string current;
    for (char c : args.headers + ":") {
      if (c == ':' || c == ',') {
        if (!trim(current).empty()) {
          names.push_back(to_ascii_lower(trim(current)));
        }
        current.clear();
      } else {
        current += c;
      }
    }
    std::vector<std::string> oversigned;
    for (const std::string& name : config.oversigned_headers) {
      for (const std::string& chosen : names) {
        if (to_ascii_lower(name) == chosen) {
          oversigned.push_back(name);
        }
      }
    }
    config.signed_headers = std::move(names);
    config.oversigned_headers = std::move(oversigned);
  }
  if (!args.identity.empty()) {
    config.identity = args.identity;
  }
  if (args.expire_seconds > 0) {
    config.expiry = std::chrono::seconds(args.expire_seconds);
  }
  return config;
}

int run_sign(const SignArgs& args) {
  auto config = make_signer_config(args);
  if (!config) {
    fmt::print(stderr, "cqlist dkim sign: {}\n", config.error().describe());
    return config.error().code() == Errc::not_found || config.error().code() == Errc::io
               ? kExitNoInput
               : kExitUsage;
  }
  auto signer = dkim::Signer::create(std::move(*config));
  if (!signer) {
    fmt::print(stderr, "cqlist dkim sign: {}\n", signer.error().describe());
    return kExitUsage;
  }
  auto bytes = read_file(args.input == "-" ? "/dev/stdin" : args.input);
  if (!bytes) {
    fmt::print(stderr, "cqlist dkim sign: {}\n", bytes.error().describe());
    return kExitNoInput;
  }
  mail::Message message = mail::Message::parse(std::move(*bytes));
  const auto now = args.time > 0
                       ? std::chrono::system_clock::time_point(std::chrono::seconds(args.time))
                       : std::chrono::system_clock::now();
  if (auto signed_ok = signer->sign_in_place(message, now); !signed_ok) {
    fmt::print(stderr, "cqlist dkim sign: {}\n", signed_ok.error().describe());
    return kExitDataError;
  }
  const std::string out = message.serialize();
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() || std::fflush(stdout) != 0) {
    fmt::print(stderr, "cqlist dkim sign: could not write the signed message\n");
    return kExitIoError;
  }
  return kExitOk;
}

}  // namespace

void register_dkim(CLI::App& app) {
  auto* dkim_cmd = app.add_subcommand("dkim", "DKIM keys: make a key and its DNS record, sign");
  dkim_cmd->require_subcommand(1);

  auto* keygen = dkim_cmd->add_subcommand(
      "keygen", "Make a DKIM signing key and print the DNS TXT record to publish for it");
  auto keygen_args = std::make_shared<KeygenArgs>();
  keygen->add_option("--domain", keygen_args->domain, "Signing domain (d=), e.g. lists.example.org")
      ->required();
  keygen->add_option("--selector", keygen_args->selector, "Selector (s=), e.g. cq2026")->required();
  keygen->add_option("--algorithm", keygen_args->algorithm, "Key type")
      ->check(CLI::IsMember({"rsa2048", "ed25519"}))
      ->capture_default_str();
  keygen->add_option("--out", keygen_args->out,
                     "Private key file to create (default SELECTOR.DOMAIN.ALGORITHM.pem); an "
                     "existing file is never replaced");
  keygen->callback([keygen_args] { exit_code() = run_keygen(*keygen_args); });

  auto* sign = dkim_cmd->add_subcommand(
      "sign", "Sign a message as the list server would and print it with its DKIM-Signature");
  auto sign_args = std::make_shared<SignArgs>();
  sign->add_option("file", sign_args->input, "Message file (RFC 5322), or - for standard input")
      ->capture_default_str();
  sign->add_option("--domain", sign_args->domain, "Signing domain (d=)")->required();
  sign->add_option("--selector", sign_args->selectors,
                   "Selector (s=): once for all keys, or once per --key")
      ->required()
      ->allow_extra_args(false);
  sign->add_option("--key", sign_args->key_files,
                   "Private key file (PEM, or a base64 Ed25519 seed); repeat to dual-sign")
      ->required()
      ->allow_extra_args(false);
  sign->add_option("--headers", sign_args->headers,
                   "Header fields to sign, separated by ':' or ',' (default: cqlist's list)");
  sign->add_option("--canonicalization", sign_args->canonicalization,
                   "Header/body canonicalization: relaxed/relaxed, simple/simple, ...")
      ->capture_default_str();
  sign->add_option("--identity", sign_args->identity, "Signing identity (i=), within --domain");
  sign->add_option("--time", sign_args->time, "Signing time as a UNIX time (t=; default now)");
  sign->add_option("--expire", sign_args->expire_seconds,
                   "Seconds after signing the signature expires (x=; default none)");
  sign->callback([sign_args] { exit_code() = run_sign(*sign_args); });
}

}  // namespace cqlist::cli
