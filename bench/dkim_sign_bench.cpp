// bench/dkim_sign_bench.cpp: DKIM signing and verifying rates next to the raw OpenSSL rate
// of the same key in the same run (issue 3 targets: Signer >= 90% of raw for RSA-2048,
// >= 50% for Ed25519). Rates are items per CPU second; the ratio is what matters on a
// loaded machine.
#include <chrono>
#include <cstdlib>
#include <string>

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "auth/crypto/key.hpp"
#include "auth/dkim/sign.hpp"
#include "auth/dkim/verify.hpp"

namespace {

namespace crypto = cqlist::auth::crypto;
namespace dkim = cqlist::auth::dkim;

const auto kNow = std::chrono::system_clock::from_time_t(1700000000);

// A 4 KB message: a typical list post's header block and a ~3.4 KB text body.
std::string four_kb_message() {
  std::string text =
      "Received: from mail.example.net (mail.example.net [192.0.2.7])\r\n"
      "\tby lists.example.org with LMTP; Tue, 14 Nov 2023 22:13:20 +0000\r\n"
      "From: Alice Example <alice@example.net>\r\nTo: discuss@lists.example.org\r\n"
      "Subject: [discuss] Re: planning the next release\r\n"
      "Date: Tue, 14 Nov 2023 22:13:19 +0000\r\nMessage-ID: <20231114221319.1@example.net>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "List-Id: Discussion <discuss.lists.example.org>\r\n"
      "List-Unsubscribe: <https://lists.example.org/u/discuss>\r\n"
      "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\n";
  while (text.size() < 4096) {
    text += "The quick brown fox jumps over the lazy dog, and then  the dog sleeps again.  \r\n";
  }
  return text;
}

crypto::PrivateKey make_key(bool rsa) {
  if (!rsa) {
    return *crypto::PrivateKey::from_ed25519_seed(std::string(32, '\x2a'));
  }
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  auto loaded = crypto::PrivateKey::from_pem(std::string(data, static_cast<std::size_t>(length)));
  BIO_free(bio);
  EVP_PKEY_free(key);
  if (!loaded) {
    std::abort();
  }
  return *loaded;
}

const crypto::PrivateKey& key_for(bool rsa) {
  static const crypto::PrivateKey rsa_key = make_key(true);
  static const crypto::PrivateKey ed_key = make_key(false);
  return rsa ? rsa_key : ed_key;
}

dkim::Signer signer_for(bool rsa) {
  dkim::SignerConfig config;
  config.domain = "lists.example.org";
  config.keys = {{"sel", key_for(rsa)}};
  return *dkim::Signer::create(config);
}

void raw_sign(benchmark::State& state, bool rsa) {
  const crypto::PrivateKey& key = key_for(rsa);
  const crypto::Sha256Digest digest = crypto::sha256("digest");
  unsigned char out[512];
  for (auto _ : state) {
    std::size_t length = sizeof out;
    if (rsa) {
      EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key.native(), nullptr);
      EVP_PKEY_sign_init(ctx);
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING);
      EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256());
      EVP_PKEY_sign(ctx, out, &length, digest.data(), digest.size());
      EVP_PKEY_CTX_free(ctx);
    } else {
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key.native());
      EVP_DigestSign(ctx, out, &length, digest.data(), digest.size());
      EVP_MD_CTX_free(ctx);
    }
    benchmark::DoNotOptimize(out[0]);
  }
  state.SetItemsProcessed(state.iterations());
}

void signer_sign(benchmark::State& state, bool rsa) {
  const dkim::Signer signer = signer_for(rsa);
  const auto message = cqlist::mail::Message::parse(four_kb_message());
  for (auto _ : state) {
    auto values = signer.sign(message, kNow);  // body hashed every time: one message each
    benchmark::DoNotOptimize(values);
  }
  state.SetItemsProcessed(state.iterations());
}

void raw_verify(benchmark::State& state, bool rsa) {
  const crypto::PrivateKey& key = key_for(rsa);
  const auto pub = *crypto::PublicKey::from_bytes(key.type(), key.public_key_bytes());
  const crypto::Sha256Digest digest = crypto::sha256("digest");
  const std::string signature = *key.sign_digest(digest);
  for (auto _ : state) {
    benchmark::DoNotOptimize(pub.verify_digest(digest, signature));
  }
  state.SetItemsProcessed(state.iterations());
}

void dkim_verify(benchmark::State& state, bool rsa) {
  auto message = cqlist::mail::Message::parse(four_kb_message());
  if (!signer_for(rsa).sign_in_place(message, kNow)) {
    std::abort();
  }
  const auto signature = *dkim::parse_signature(message.fields()[0].value());
  dkim::KeyRecord record;
  record.key_type = key_for(rsa).type();
  record.key = *crypto::PublicKey::from_bytes(key_for(rsa).type(), key_for(rsa).public_key_bytes());
  for (auto _ : state) {
    auto outcome = dkim::verify(message, 0, signature, record, kNow);
    if (outcome.result != dkim::DkimResult::pass) {
      state.SkipWithError("verification failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawSign_Rsa2048(benchmark::State& state) {
  raw_sign(state, true);
}

void BM_SignerSign_Rsa2048(benchmark::State& state) {
  signer_sign(state, true);
}

void BM_RawSign_Ed25519(benchmark::State& state) {
  raw_sign(state, false);
}

void BM_SignerSign_Ed25519(benchmark::State& state) {
  signer_sign(state, false);
}

void BM_RawVerify_Rsa2048(benchmark::State& state) {
  raw_verify(state, true);
}

void BM_DkimVerify_Rsa2048(benchmark::State& state) {
  dkim_verify(state, true);
}

void BM_RawVerify_Ed25519(benchmark::State& state) {
  raw_verify(state, false);
}

void BM_DkimVerify_Ed25519(benchmark::State& state) {
  dkim_verify(state, false);
}

BENCHMARK(BM_RawSign_Rsa2048);
BENCHMARK(BM_SignerSign_Rsa2048);
BENCHMARK(BM_RawSign_Ed25519);
BENCHMARK(BM_SignerSign_Ed25519);
BENCHMARK(BM_RawVerify_Rsa2048);
BENCHMARK(BM_DkimVerify_Rsa2048);
BENCHMARK(BM_RawVerify_Ed25519);
BENCHMARK(BM_DkimVerify_Ed25519);

}  // namespace

BENCHMARK_MAIN();
