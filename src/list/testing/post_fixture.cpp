// list/testing/post_fixture.cpp: the store, DNS world and posts of pipeline tests.
#include "list/testing/post_fixture.hpp"

#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "auth/crypto/keygen.hpp"
#include "auth/dkim/publish.hpp"
#include "auth/dkim/sign.hpp"
#include "base/ip_address.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cqlist::list::testing {
namespace {

struct Keys {
  auth::crypto::PrivateKey poster;  // strict.example, selector s1
  auth::crypto::PrivateKey list;    // cq-test.example, selector arc
};

// RSA-1024 keeps key generation quick; RFC 8301 accepts it for verification.
const Keys& keys() {
  static const Keys generated = [] {
    auto poster = auth::crypto::generate_private_key(auth::crypto::KeyType::rsa, 1024);
    auto list = auth::crypto::generate_private_key(auth::crypto::KeyType::rsa, 1024);
    if (!poster || !list) {
      std::abort();
    }
    return Keys{*poster, *list};
  }();
  return generated;
}

void publish_key(dns::StaticResolver& resolver, std::string_view selector, std::string_view domain,
                 const auth::crypto::PrivateKey& key) {
  dns::TxtRecord record;
  record.strings = auth::dkim::split_character_strings(auth::dkim::key_record_text(key));
  ASSERT_TRUE(
      resolver.add(auth::dkim::key_record_name(selector, domain), dns::RecordType::txt, record));
}

constexpr std::string_view kZone = R"(
relaxed.example TXT "v=spf1 ip4:192.0.2.0/24 -all"
_dmarc.relaxed.example TXT "v=DMARC1; p=none"
strict.example TXT "v=spf1 ip4:198.51.100.0/24 -all"
_dmarc.strict.example TXT "v=DMARC1; p=reject"
testing.example TXT "v=spf1 ip4:198.51.100.0/24 -all"
_dmarc.testing.example TXT "v=DMARC1; p=reject; t=y"
cq-test.example TXT "v=spf1 -all"
_dmarc.cq-test.example TXT "v=DMARC1; p=reject"
)";

}  // namespace

void PostFixture::SetUp() {
  std::string pattern = (std::filesystem::temp_directory_path() / "cqlist-post-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  directory_ = pattern;
  auto store = store::open_sqlite_store(directory_ / "cqlist.db");
  ASSERT_TRUE(store) << store.error().describe();
  store_ = std::move(*store);
  auto list = store_->create_list("ham", "cq-test.example", {});
  ASSERT_TRUE(list) << list.error().describe();
  list_ = *list;

  const std::vector<std::pair<std::string, store::Role>> members = {
      {"mia@relaxed.example", store::Role::member},   {"alice@strict.example", store::Role::member},
      {"tess@testing.example", store::Role::member},  {"olga@cq-test.example", store::Role::owner},
      {"mo@cq-test.example", store::Role::moderator},
  };
  for (const auto& [address, role] : members) {
    store::MemberRow member;
    member.list_id = list_.id;
    member.address = address;
    member.role = role;
    auto added = store_->add_member(member);
    ASSERT_TRUE(added) << added.error().describe();
  }

  auto zone = dns::StaticResolver::from_zone(kZone);
  ASSERT_TRUE(zone) << zone.error().describe();
  resolver_ = *zone;
  publish_key(resolver_, "s1", "strict.example", keys().poster);
  publish_key(resolver_, "arc", "cq-test.example", keys().list);

  auth::arc::SealerConfig config;
  config.authserv_id = std::string(kAuthservId);
  config.domain = "cq-test.example";
  config.selector = "arc";
  config.key = keys().list;
  auto sealer = auth::arc::Sealer::create(config);
  ASSERT_TRUE(sealer) << sealer.error().describe();
  sealer_.emplace(std::move(*sealer));
}

void PostFixture::TearDown() {
  store_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string PostFixture::post_text(std::string_view from, std::string_view extra,
                                   std::string_view body) {
  const bool has_id = extra.find("Message-ID:") != std::string_view::npos;
  return fmt::format(
      "From: {}\r\nTo: ham@cq-test.example\r\nSubject: Hello\r\n"
      "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n{}{}MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n{}",
      from, has_id ? "" : fmt::format("Message-ID: <post{}@example.net>\r\n", ++next_message_),
      extra, body);
}

mail::Message PostFixture::post(std::string_view from, std::string_view extra) {
  return mail::Message::parse(post_text(from, extra));
}

mail::Message PostFixture::strict_signed_post(std::string_view from, std::string_view extra) {
  mail::Message message = post(from, extra);
  auth::dkim::SignerConfig config;
  config.domain = "strict.example";
  config.keys = {{"s1", keys().poster}};
  auto signer = auth::dkim::Signer::create(config);
  EXPECT_TRUE(signer) << signer.error().describe();
  if (signer) {
    auto signed_in_place = signer->sign_in_place(message, kNow);
    EXPECT_TRUE(signed_in_place) << signed_in_place.error().describe();
  }
  return message;
}

PostContext PostFixture::context_for(const mail::Message& message, std::string_view envelope_from,
                                     std::string_view client_ip) {
  PostContext context;
  context.list = list_;
  context.envelope_from = std::string(envelope_from);
  context.recipient = list_.address();
  if (!client_ip.empty()) {
    context.client_ip = IpAddress::parse(client_ip);
  }
  context.helo = "mail.example.net";
  context.size = message.serialize().size();
  context.now = kNow;
  return context;
}

PipelineServices PostFixture::services() {
  return PipelineServices{*store_, resolver_, sealer_ ? &*sealer_ : nullptr,
                          std::string(kAuthservId)};
}

}  // namespace cqlist::list::testing
