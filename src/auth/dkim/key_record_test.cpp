#include "auth/dkim/key_record.hpp"

#include <gtest/gtest.h>

#include "base/file.hpp"

namespace cqlist::auth::dkim {
namespace {

constexpr std::string_view kRsa1024 =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
    "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2"
    "EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

std::string dkimpy(const std::string& name) {
  auto text = read_file(std::string(CQLIST_SHARED_DIR) + "/conformance/dkim-dkimpy/data/" + name);
  EXPECT_TRUE(text.has_value()) << name;
  return text ? *text : std::string();
}

std::string error_of(std::string_view text) {
  auto record = parse_key_record(text);
  return record ? std::string("parsed") : record.error().message();
}

TEST(KeyRecord, ParsesRsaRecordWithDefaults) {
  auto record = parse_key_record("p=" + std::string(kRsa1024));
  ASSERT_TRUE(record.has_value()) << record.error().message();
  EXPECT_EQ(record->key_type, crypto::KeyType::rsa);
  EXPECT_TRUE(record->allows_sha256);
  EXPECT_FALSE(record->testing);
  EXPECT_FALSE(record->revoked());
  EXPECT_EQ(record->key->bits(), 1024u);
}

TEST(KeyRecord, FlagsAndLists) {
  auto record = parse_key_record("v=DKIM1; k=rsa; h=sha1:sha256; s=email:tlsrpt; t=y:s; p=" +
                                 std::string(kRsa1024));
  ASSERT_TRUE(record.has_value()) << record.error().message();
  EXPECT_TRUE(record->allows_sha256);
  EXPECT_TRUE(record->testing);
  EXPECT_TRUE(record->strict_identity);
  auto sha1_only = parse_key_record("h=sha1; p=" + std::string(kRsa1024));
  ASSERT_TRUE(sha1_only.has_value());
  EXPECT_FALSE(sha1_only->allows_sha256);
}

TEST(KeyRecord, WhitespaceInsidePAndEmptyPMeansRevoked) {
  std::string spaced(kRsa1024);
  spaced.insert(40, " \t ");
  spaced.insert(100, "\r\n ");
  EXPECT_TRUE(parse_key_record("k=rsa; p=" + spaced).has_value());
  auto revoked = parse_key_record("v=DKIM1; p=");
  ASSERT_TRUE(revoked.has_value());
  EXPECT_TRUE(revoked->revoked());
}

TEST(KeyRecord, Ed25519RawKey) {
  auto record =
      parse_key_record("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  ASSERT_TRUE(record.has_value()) << record.error().message();
  EXPECT_EQ(record->key_type, crypto::KeyType::ed25519);
  EXPECT_EQ(record->key->type(), crypto::KeyType::ed25519);
}

TEST(KeyRecord, Errors) {
  EXPECT_EQ(error_of("k=rsa; v=DKIM1; p=" + std::string(kRsa1024)),
            "key record has v= after other tags");
  EXPECT_EQ(error_of("v=DKIM1; k=rsa"), "key record has no p= tag");
  EXPECT_EQ(error_of("s=tlsrpt; p=" + std::string(kRsa1024)),
            "key record is not for email (s=tlsrpt)");
  EXPECT_EQ(error_of("k=ed25519; p=" + std::string(kRsa1024)),
            "key record p= is not a usable ed25519 key: an Ed25519 public key is 32 bytes, p= "
            "has 162");
  EXPECT_EQ(error_of("p=AAA!"), "key record p= is not valid base64");
}

TEST(KeyRecord, DkimpyRecords) {
  EXPECT_EQ(error_of(dkimpy("badk.txt")), "key record has unknown key type k=ed25519-sha256");
  EXPECT_EQ(error_of(dkimpy("badversion.txt")), "key record has v=DKIM1: g=*, not v=DKIM1");
  EXPECT_EQ(error_of(dkimpy("test_tlsrpt.txt")), "key record is not for email (s=tlsrpt)");
  int parsed = 0;
  for (const char* name : {"test.txt", "test2.txt", "1024_testkey_wo_markers.pub.txt",
                           "1024_testkey_wo_markers.pub.rsa.txt", "2048_testkey_wo_markers.pub.txt",
                           "2048_testkey_wo_markers.pub.rsa.txt", "2048_testkey_PKCS8.key.pub.txt",
                           "ed25519test.dns", "eximtest.dns"}) {
    auto record = parse_key_record(dkimpy(name));
    EXPECT_TRUE(record.has_value()) << name << ": " << record.error().message();
    parsed += record.has_value() ? 1 : 0;
  }
  EXPECT_EQ(parsed, 9);
}

}  // namespace
}  // namespace cqlist::auth::dkim
