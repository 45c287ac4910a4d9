// auth/authres/receiver_test.cpp: the receiver's checks of one message against an in-memory
// zone, and the Authentication-Results entries they make.
#include "auth/authres/receiver.hpp"

#include <gtest/gtest.h>

#include "auth/authres/resinfo.hpp"
#include "auth/crypto/keygen.hpp"
#include "auth/dkim/publish.hpp"
#include "auth/dkim/sign.hpp"
#include "dns/static_resolver.hpp"

namespace cqlist::auth::authres {
namespace {

using std::chrono::system_clock;

const system_clock::time_point kNow = system_clock::from_time_t(1795800000);

constexpr std::string_view kMessage =
    "From: Alice <alice@example.org>\r\n"
    "To: list@lists.example.net\r\n"
    "Subject: Hello\r\n"
    "\r\n"
    "Hi.\r\n";

class ReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::generate_private_key(crypto::KeyType::ed25519);
    ASSERT_TRUE(key) << key.error().describe();
    key_ = std::move(*key);
    ASSERT_TRUE(zone_.add_line("example.org TXT \"v=spf1 ip4:192.0.2.0/24 -all\""));
    ASSERT_TRUE(zone_.add_line("_dmarc.example.org TXT \"v=DMARC1; p=reject\""));
    ASSERT_TRUE(zone_.add("sel._domainkey.example.org", dns::RecordType::txt,
                          dns::TxtRecord{{dkim::key_record_text(*key_)}}));
    ASSERT_TRUE(zone_.add("sel._domainkey.other.example", dns::RecordType::txt,
                          dns::TxtRecord{{dkim::key_record_text(*key_)}}));
  }

  mail::Message signed_by(std::string domain, std::string_view text = kMessage) {
    dkim::SignerConfig config;
    config.domain = std::move(domain);
    config.keys = {{"sel", *key_}};
    auto message = mail::Message::parse(std::string(text));
    EXPECT_TRUE(dkim::Signer::create(config)->sign_in_place(message, kNow).has_value());
    return message;
  }

  ReceiverChecks check(const mail::Message& message, const Envelope& envelope) {
    ReceiverOptions options;
    options.receiver = "mx.example.net";
    options.now = kNow;
    return check_message(message, zone_, envelope, options);
  }

  static Envelope from_ip(std::string_view ip, std::optional<std::string> mail_from) {
    Envelope envelope;
    envelope.client_ip = IpAddress::parse(ip);
    envelope.helo = "mail.example.org";
    envelope.mail_from = std::move(mail_from);
    return envelope;
  }

  dns::StaticResolver zone_;
  std::optional<crypto::PrivateKey> key_;
};

TEST(AuthorDomain, OneDomainOrAReason) {
  auto domain = [](std::string_view header) {
    return author_domain(mail::Message::parse(std::string(header) + "\r\nbody\r\n"));
  };
  EXPECT_EQ(*domain("From: A <a@Example.ORG>\r\n"), "example.org");
  EXPECT_EQ(*domain("From: a@example.org, b@EXAMPLE.org\r\n"), "example.org");
  EXPECT_EQ(*domain("From: a@例え.テスト\r\n"), "xn--r8jz45g.xn--zckzah");
  const auto reason = [&](std::string_view header) {
    auto out = domain(header);
    EXPECT_FALSE(out) << header;
    return out ? std::string() : out.error().message();
  };
  EXPECT_NE(reason("To: a@example.org\r\n").find("no From field"), std::string::npos);
  EXPECT_NE(reason("From: a@example.org\r\nFrom: b@example.org\r\n").find("2 From fields"),
            std::string::npos);
  EXPECT_NE(reason("From: a@example.org, b@example.net\r\n")
                .find("2 different domains (example.net, example.org)"),
            std::string::npos);
  EXPECT_NE(reason("From: undisclosed:;\r\n").find("holds no address"), std::string::npos);
}

TEST_F(ReceiverTest, AlignedSignatureAndSpfPass) {
  ReceiverChecks checks = check(signed_by("example.org"), from_ip("192.0.2.7", "b@example.org"));
  ASSERT_TRUE(checks.spf);
  EXPECT_EQ(checks.spf->result, spf::SpfResult::pass);
  ASSERT_EQ(checks.dkim.size(), 1U);
  EXPECT_EQ(checks.dkim[0].result, dkim::DkimResult::pass);
  EXPECT_EQ(checks.arc.result, arc::ChainStatus::none);
  EXPECT_EQ(checks.from_domain, "example.org");
  EXPECT_EQ(checks.dmarc.result, dmarc::DmarcResult::pass);
  EXPECT_TRUE(checks.dmarc.spf_aligned);

  std::vector<MethodResult> entries = result_entries(checks);
  ASSERT_EQ(entries.size(), 4U);
  EXPECT_EQ(entries[0].method, "spf");
  EXPECT_EQ(entries[0].property("smtp", "mailfrom"), "b@example.org");
  EXPECT_EQ(entries[1].method, "dkim");
  EXPECT_EQ(entries[1].property("header", "d"), "example.org");
  EXPECT_EQ(entries[1].comments, std::vector<std::string>{"256-bit key"});
  EXPECT_EQ(entries[2].method, "arc");
  EXPECT_EQ(entries[2].result, "none");
  EXPECT_EQ(entries[2].property("smtp", "remote-ip"), "");  // only for a chain there is
  EXPECT_EQ(entries[3].method, "dmarc");
  EXPECT_EQ(entries[3].comments, std::vector<std::string>{"p=reject dis=none"});
  EXPECT_EQ(entries[3].property("header", "from"), "example.org");

  // The field reads back as it was made.
  AuthenticationResults field = authentication_results(checks, "mx.example.net");
  auto parsed = parse(format(field));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, field);
}

TEST_F(ReceiverTest, UnalignedSignatureFailsDmarcWithTheDomainsPolicy) {
  ReceiverChecks checks =
      check(signed_by("other.example"), from_ip("198.51.100.1", "b@example.org"));
  EXPECT_EQ(checks.spf->result, spf::SpfResult::fail);
  EXPECT_EQ(checks.dkim[0].result, dkim::DkimResult::pass);
  EXPECT_EQ(checks.dmarc.result, dmarc::DmarcResult::fail);
  EXPECT_EQ(checks.dmarc.disposition, dmarc::Policy::reject);
  MethodResult entry = dmarc_resinfo(checks.dmarc);
  EXPECT_EQ(entry.comments, std::vector<std::string>{"p=reject dis=reject"});
  EXPECT_NE(entry.reason.find("asks for reject"), std::string::npos) << entry.reason;
  MethodResult spf_entry = spf_resinfo(*checks.spf);
  EXPECT_EQ(spf_entry.result, "fail");
  EXPECT_FALSE(spf_entry.reason.empty());
}

TEST_F(ReceiverTest, SpfNeedsAnAddressAndAnEnvelopeSender) {
  const mail::Message plain = mail::Message::parse(std::string(kMessage));
  ReceiverChecks no_ip = check(plain, Envelope{});
  EXPECT_FALSE(no_ip.spf);
  EXPECT_EQ(no_ip.spf_skipped, SpfSkipped::no_client_ip);
  EXPECT_EQ(result_entries(no_ip)[0].method, "dkim");
  EXPECT_EQ(result_entries(no_ip)[0].result, "none");
  EXPECT_EQ(no_ip.dmarc.result, dmarc::DmarcResult::fail);

  EXPECT_EQ(check(plain, from_ip("192.0.2.7", std::nullopt)).spf_skipped, SpfSkipped::no_mail_from);
  Envelope null_sender = from_ip("192.0.2.7", "");
  null_sender.helo.clear();
  EXPECT_EQ(check(plain, null_sender).spf_skipped, SpfSkipped::null_sender_no_helo);

  // Without --mail-from the newest Return-Path field is the envelope sender.
  const mail::Message delivered = mail::Message::parse(
      "Return-Path: <bounce@example.org>\r\nReturn-Path: <old@other.example>\r\n" +
      std::string(kMessage));
  ReceiverChecks from_return_path = check(delivered, from_ip("192.0.2.7", std::nullopt));
  ASSERT_TRUE(from_return_path.spf);
  EXPECT_TRUE(from_return_path.mail_from_from_return_path);
  EXPECT_EQ(from_return_path.spf->sender, "bounce@example.org");
  EXPECT_EQ(from_return_path.spf->result, spf::SpfResult::pass);
  EXPECT_EQ(from_return_path.dmarc.result, dmarc::DmarcResult::pass);

  // The null sender checks the HELO name (RFC 7208 §2.4).
  ReceiverChecks bounce = check(plain, from_ip("192.0.2.7", "<>"));
  ASSERT_TRUE(bounce.spf);
  EXPECT_EQ(bounce.spf->identity, "helo");
  EXPECT_EQ(spf_resinfo(*bounce.spf).property("smtp", "helo"), "mail.example.org");
}

TEST_F(ReceiverTest, NoUsableFromIsADmarcPermerror) {
  ReceiverChecks checks = check(
      signed_by("example.org", "From: a@example.org, b@example.net\r\n\r\nx\r\n"), Envelope{});
  EXPECT_EQ(checks.dmarc.result, dmarc::DmarcResult::permerror);
  EXPECT_TRUE(checks.from_domain.empty());
  MethodResult entry = dmarc_resinfo(checks.dmarc);
  EXPECT_EQ(entry.result, "permerror");
  EXPECT_TRUE(entry.comments.empty());
  EXPECT_NE(entry.reason.find("different domains"), std::string::npos);
}

TEST(FormatResults, LongQuotedReasonsFoldAndReadBack) {
  MethodResult dmarc{"dmarc",
                     "",
                     "fail",
                     "neither SPF (fail for example.org) nor any DKIM signature passed aligned "
                     "with example.org (relaxed alignment for SPF, relaxed for DKIM); the policy "
                     "of example.org asks for reject",
                     {{"header", "from", "example.org"}},
                     {"p=reject dis=reject"}};
  MethodResult spf{"spf", "", "pass", "", {{"smtp", "mailfrom", "a@example.org"}}, {}};
  const std::string text = format_results({spf, dmarc});
  EXPECT_EQ(text.substr(0, 40), "spf=pass smtp.mailfrom=a@example.org;\r\n\t");
  std::size_t line_start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\r') {
      EXPECT_LE(i - line_start, 78U) << text;
      line_start = i + 2;
    }
  }
  EXPECT_NE(text.find("\r\n "), std::string::npos) << "the reason is folded inside its quotes";
  auto parsed = parse(" mx.example.net;\r\n\t" + text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_EQ(parsed->results.size(), 2U);
  EXPECT_EQ(parsed->results[1], dmarc);
  EXPECT_EQ(format_results({}), "none");
}

}  // namespace
}  // namespace cqlist::auth::authres
