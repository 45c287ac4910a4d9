// list/testing/post_fixture.hpp: a list, its members and a DNS world for pipeline tests.
//
// Owns: a real SQLite store in a temporary directory with the list ham@cq-test.example and
// its members, a StaticResolver with the poster and list domains below, keys generated once
// per test binary, and helpers that write (and DKIM-sign) posts. Real parts, no mocks.
//
//   relaxed.example  p=none,   SPF 192.0.2.0/24                      member mia@
//   strict.example   p=reject, SPF 198.51.100.0/24, DKIM s1 (poster)  member alice@
//   testing.example  p=reject t=y, SPF 198.51.100.0/24                member tess@
//   cq-test.example  p=reject, DKIM/ARC selector "arc" (the list)     owner olga@
//                                                                     moderator mo@
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "auth/arc/seal.hpp"
#include "auth/crypto/key.hpp"
#include "dns/static_resolver.hpp"
#include "list/pipeline.hpp"
#include "mail/message.hpp"
#include "store/store.hpp"

namespace cqlist::list::testing {

inline const std::chrono::system_clock::time_point kNow =
    std::chrono::system_clock::from_time_t(1700000000);

// Where posts come from (inside or outside the SPF ranges above).
inline constexpr std::string_view kRelaxedIp = "192.0.2.10";
inline constexpr std::string_view kStrictIp = "198.51.100.7";
inline constexpr std::string_view kForeignIp = "203.0.113.66";

inline constexpr std::string_view kAuthservId = "lists.cq-test.example";

class PostFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A post from `from` to the list; `extra` is header lines ("X-Loop: a@b\r\n") put after
  // Message-ID. Every post gets a fresh Message-ID unless `extra` has one.
  std::string post_text(std::string_view from, std::string_view extra = {},
                        std::string_view body = "Hello list.\r\n");
  mail::Message post(std::string_view from, std::string_view extra = {});
  // The same, DKIM-signed by strict.example (selector s1).
  mail::Message strict_signed_post(std::string_view from, std::string_view extra = {});

  // A context for a post sent from `client_ip` with envelope sender `envelope_from`.
  PostContext context_for(const mail::Message& message, std::string_view envelope_from,
                          std::string_view client_ip);
  PipelineServices services();

  std::filesystem::path directory_;
  std::unique_ptr<store::Store> store_;
  store::ListRow list_;
  dns::StaticResolver resolver_;
  std::optional<auth::arc::Sealer> sealer_;
  int next_message_ = 0;
};

}  // namespace cqlist::list::testing
