#include "auth/dkim/canonicalize.hpp"

#include <gtest/gtest.h>

#include "auth/crypto/base64.hpp"
#include "base/file.hpp"

namespace cqlist::auth::dkim {
namespace {

std::string b64(const crypto::Sha256Digest& digest) {
  return crypto::base64_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string canonical_fields(Canonicalization c, std::string_view text) {
  const mail::Message message = mail::Message::parse(std::string(text));
  std::string out;
  for (const auto& field : message.fields()) {
    canonicalize_field(c, field, out);
  }
  return out;
}

// RFC 6376 §3.4.5 example.
constexpr std::string_view kExample = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";

TEST(Canonicalize, Rfc6376Section345Relaxed) {
  EXPECT_EQ(canonical_fields(Canonicalization::relaxed, kExample), "a:X\r\nb:Y Z\r\n");
  const mail::Message message = mail::Message::parse(std::string(kExample));
  EXPECT_EQ(canonicalize_body(Canonicalization::relaxed, message.body()), " C\r\nD E\r\n");
}

TEST(Canonicalize, Rfc6376Section345Simple) {
  EXPECT_EQ(canonical_fields(Canonicalization::simple, kExample), "A: X\r\nB : Y\t\r\n\tZ  \r\n");
  const mail::Message message = mail::Message::parse(std::string(kExample));
  EXPECT_EQ(canonicalize_body(Canonicalization::simple, message.body()), " C \r\nD \t E\r\n");
}

TEST(Canonicalize, BareLfIsHashedAsCrlf) {
  EXPECT_EQ(canonical_fields(Canonicalization::simple, "Subject: a\n b\n\nbody\n"),
            "Subject: a\r\n b\r\n");
  EXPECT_EQ(canonicalize_body(Canonicalization::simple, "x\n\ny\n\n\n"), "x\r\n\r\ny\r\n");
  EXPECT_EQ(canonicalize_body(Canonicalization::simple, "no newline"), "no newline\r\n");
}

TEST(Canonicalize, EmptyBodies) {
  EXPECT_EQ(canonicalize_body(Canonicalization::simple, ""), "\r\n");
  EXPECT_EQ(canonicalize_body(Canonicalization::simple, "\r\n\r\n"), "\r\n");
  EXPECT_EQ(canonicalize_body(Canonicalization::relaxed, ""), "");
  EXPECT_EQ(canonicalize_body(Canonicalization::relaxed, " \t\r\n\r\n"), "");
  // The well-known hashes of the empty simple and relaxed bodies.
  EXPECT_EQ(b64(body_hash(Canonicalization::simple, "")),
            "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
  EXPECT_EQ(b64(body_hash(Canonicalization::relaxed, "")),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(Canonicalize, BodyLengthLimit) {
  EXPECT_EQ(body_hash(Canonicalization::simple, "abc\r\ndef\r\n", 5), crypto::sha256("abc\r\n"));
}

TEST(Canonicalize, Rfc6376AppendixA2BodyHashes) {
  auto text = read_file(std::string(CQLIST_SHARED_DIR) +
                        "/conformance/dkim-rfc6376/appendix-A2-signed.eml");
  ASSERT_TRUE(text.has_value());
  const mail::Message message = mail::Message::parse(*text);
  // As SOURCE.txt documents: bh= of the example is the relaxed hash, not the simple one.
  EXPECT_EQ(b64(body_hash(Canonicalization::relaxed, message.body())),
            "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
  EXPECT_EQ(b64(body_hash(Canonicalization::simple, message.body())),
            "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=");
}

TEST(BodyHashCache, ComputesEachHashOnce) {
  BodyHashCache cache("Hello  world \r\n\r\n");
  const auto first = cache.get(Canonicalization::relaxed);
  EXPECT_EQ(cache.get(Canonicalization::relaxed), first);
  EXPECT_EQ(cache.computed(), 1u);
  EXPECT_NE(cache.get(Canonicalization::simple), first);
  EXPECT_EQ(cache.computed(), 2u);
  cache.get(Canonicalization::simple, 3);
  EXPECT_EQ(cache.computed(), 3u);
  EXPECT_EQ(first, body_hash(Canonicalization::relaxed, "Hello world\r\n"));
}

TEST(Canonicalize, SignedFieldsPickInstancesFromTheBottom) {
  const mail::Message message =
      mail::Message::parse("Received: 1\r\nFrom: a\r\nReceived: 2\r\nTo: b\r\n\r\n");
  std::string out;
  canonicalize_signed_fields(Canonicalization::relaxed, message,
                             {"received", "from", "received", "received", "from"}, out);
  EXPECT_EQ(out, "received:2\r\nfrom:a\r\nreceived:1\r\n");
}

}  // namespace
}  // namespace cqlist::auth::dkim
