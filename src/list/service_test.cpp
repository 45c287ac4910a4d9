// The list server's core without the network: ListService receives posts into a real SQLite
// store, spool and archive; Deliverer signs copies and hands them to a recording transport
// whose output is verified with the DKIM verifier against the published keys.
#include "list/service.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "auth/crypto/keygen.hpp"
#include "auth/dkim/publish.hpp"
#include "auth/dkim/verify.hpp"
#include "base/file.hpp"
#include "dns/static_resolver.hpp"
#include "list/commands.hpp"
#include "list/delivery.hpp"
#include "list/delivery_journal.hpp"
#include "list/verp.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cqlist::list {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

class RecordingTransport : public MailTransport {
 public:
  Result<SendOutcome> send(const OutboundMessage& message) override {
    if (down || sends_until_down == 0) {
      return fail(Errc::temporary, "connection refused");
    }
    if (sends_until_down > 0) {
      --sends_until_down;
    }
    SendOutcome outcome;
    OutboundMessage delivered = message;
    delivered.recipients.clear();
    for (const auto& recipient : message.recipients) {
      asked.push_back(recipient);
      mail::SmtpReply reply;
      reply.code = 250;
      if (deferred_once.erase(recipient) > 0) {
        reply.code = 451;  // as Postfix when a lookup table fails
      } else if (refused.contains(recipient)) {
        reply.code = 550;
      } else {
        delivered.recipients.push_back(recipient);
      }
      outcome.recipient_replies.push_back(reply);
    }
    if (delivered.recipients.empty()) {
      outcome.recipients_refused = true;
      outcome.reply = outcome.recipient_replies.front();
      return outcome;
    }
    sent.push_back(std::move(delivered));
    outcome.accepted = true;
    outcome.reply.code = 250;
    return outcome;
  }

  bool offers_xverp() override { return xverp; }

  std::vector<std::string> sent_to() const {
    std::vector<std::string> out;
    for (const auto& message : sent) {
      out.insert(out.end(), message.recipients.begin(), message.recipients.end());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<OutboundMessage> sent;
  bool xverp = true;
  bool down = false;
  int sends_until_down = -1;            // the relay goes away after this many (-1: never)
  std::set<std::string> deferred_once;  // their first RCPT gets a 451
  std::set<std::string> refused;        // every RCPT of theirs gets a 550
  std::vector<std::string> asked;       // every RCPT, in order, whatever the reply
};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cqlist-service-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(*store::open_sqlite_store(dir_ / "cqlist.db"));
    spool_ = std::make_unique<Spool>(std::move(*Spool::open(dir_ / "spool")));
    outbox_ = std::make_unique<Spool>(std::move(*Spool::open(dir_ / "outbox")));
    archive_ = std::make_unique<Archive>(dir_ / "archive");

    auto key = auth::crypto::generate_private_key(auth::crypto::KeyType::rsa, 2048);
    ASSERT_TRUE(key);
    auto pem = auth::crypto::private_key_pem(*key);
    ASSERT_TRUE(pem);
    ASSERT_TRUE(write_file_durably(dir_ / "rsa.pem", *pem, Overwrite::allow, 0600));
    auto zone = dns::StaticResolver::from_zone(
        "list.example. TXT \"v=spf1 ip4:192.0.2.25 -all\"\n"
        "_dmarc.list.example. TXT \"v=DMARC1; p=reject\"\n"
        "none.example. TXT \"v=spf1 ip4:203.0.113.9 -all\"\n"
        "_dmarc.none.example. TXT \"v=DMARC1; p=none\"\n"
        "reject.example. TXT \"v=spf1 ip4:203.0.113.9 -all\"\n"
        "_dmarc.reject.example. TXT \"v=DMARC1; p=reject\"\n");
    ASSERT_TRUE(zone) << zone.error().describe();
    resolver_ = std::make_unique<dns::StaticResolver>(std::move(*zone));
    ASSERT_TRUE(resolver_->add(auth::dkim::key_record_name("s1", "list.example"),
                               dns::RecordType::txt,
                               dns::TxtRecord{{auth::dkim::key_record_text(*key)}}));

    auto list = store_->create_list("ham", "list.example",
                                    {{"dkim_selector_rsa", "s1"},
                                     {"dkim_key_rsa", (dir_ / "rsa.pem").string()},
                                     {"batch_size", "2"}});
    ASSERT_TRUE(list) << list.error().describe();
    list_ = *list;
    for (std::string address : {"alice@none.example", "bob@reject.example", "carol@c.example",
                                "dave@d.example", "eve@e.example"}) {
      add_member(list_.id, address);
    }
    store::MemberRow quiet;
    quiet.list_id = list_.id;
    quiet.address = "quiet@q.example";
    quiet.mode = store::DeliveryMode::nomail;
    ASSERT_TRUE(store_->add_member(quiet));
  }

  void TearDown() override { fs::remove_all(dir_); }

  void add_member(store::Id list_id, const std::string& address) {
    store::MemberRow member;
    member.list_id = list_id;
    member.address = address;
    ASSERT_TRUE(store_->add_member(member)) << address;
  }

  ListService service() {
    return ListService(
        {*store_, *resolver_, *spool_, *outbox_, *archive_, keys_, tokens_, "lists.example"});
  }

  Deliverer deliverer() {
    return Deliverer({*store_, *archive_, *outbox_, transport_, keys_, tokens_});
  }

  Deliverer journaled_deliverer(DeliveryJournal& journal) {
    return Deliverer({*store_, *archive_, *outbox_, transport_, keys_, tokens_, &journal});
  }

  // The recipients an outbox entry still has to reach; "(sent)" once it is gone.
  std::string recipients_waiting(const std::string& outbox_id) {
    auto entry = outbox_->load(outbox_id);
    return entry ? entry->envelope["recipients"] : "(sent)";
  }

  // The LMTP intake's answer to a post of Alice's.
  int alice_posts(ListService& svc, std::string_view subject, std::string_view message_id) {
    return svc
        .receive(envelope("alice@none.example"),
                 post("Alice <alice@none.example>", subject, message_id))
        .code;
  }

  // What the LMTP path leaves in the spool for a post of Alice's just before its 250.
  Result<std::string> spool_accepted_post(std::string_view subject, std::string_view message_id) {
    return spool_->add({{"list_id", std::to_string(list_.id)},
                        {"mail_from", "alice@none.example"},
                        {"author", "alice@none.example"}},
                       post("Alice <alice@none.example>", subject, message_id), "post");
  }

  // A post from Alice, queued as one job for the five receiving members.
  void queue_post_as_one_job(std::string_view subject, std::string_view message_id) {
    ASSERT_TRUE(store_->update_settings(list_.id, {{"batch_size", "5"}}));
    auto reply = service().receive(envelope("alice@none.example"),
                                   post("Alice <alice@none.example>", subject, message_id));
    ASSERT_EQ(reply.code, 250) << reply.text();
  }

  static std::string post(std::string_view from, std::string_view subject,
                          std::string_view message_id) {
    return "From: " + std::string(from) +
           "\r\nTo: ham@list.example\r\nSubject: " + std::string(subject) + "\r\nMessage-ID: <" +
           std::string(message_id) +
           ">\r\nDate: Sat, 28 Nov 2026 10:00:00 +0900\r\n\r\nHello list.\r\n";
  }

  InboundEnvelope envelope(std::string_view from) {
    InboundEnvelope out;
    out.mail_from = std::string(from);
    out.recipient = "ham@list.example";
    out.client_ip = *IpAddress::parse("203.0.113.9");
    out.helo = "mail.example";
    return out;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<Spool> outbox_;
  std::unique_ptr<Archive> archive_;
  std::unique_ptr<dns::StaticResolver> resolver_;
  KeyRing keys_{"lists.example"};
  TokenSigner tokens_{"test secret"};
  RecordingTransport transport_;
  store::ListRow list_;
};

TEST_F(ServiceTest, RoutesEachAddressOfAList) {
  auto svc = service();
  EXPECT_EQ(svc.route("ham@list.example")->route, Route::post);
  EXPECT_EQ(svc.route("HAM-request@List.Example")->route, Route::request);
  EXPECT_EQ(svc.route("ham-owner@list.example")->route, Route::owner);
  auto bounce = svc.route("ham-bounces+abc+x=y.example@list.example");
  ASSERT_TRUE(bounce);
  EXPECT_EQ(bounce->route, Route::bounces);
  EXPECT_EQ(bounce->extension, "abc+x=y.example");
  EXPECT_EQ(svc.route("ham-confirm+tok@list.example")->route, Route::confirm);
  EXPECT_EQ(svc.route("nosuch@list.example").error().code(), Errc::not_found);
  EXPECT_EQ(svc.route("ham+x@list.example").error().code(), Errc::not_found);
  EXPECT_EQ(svc.check_recipient("nosuch@list.example").code, 550);
  EXPECT_EQ(svc.check_recipient("ham@list.example").code, 250);
}

TEST_F(ServiceTest, MemberPostIsArchivedQueuedAndDeliveredSignedInBatches) {
  auto svc = service();
  auto reply = svc.receive(envelope("alice@none.example"),
                           post("Alice <alice@none.example>", "hello", "m1@none.example"));
  ASSERT_EQ(reply.code, 250) << reply.text();
  EXPECT_TRUE(spool_->ids("post")->empty()) << "the spool entry is removed once queued";
  auto article = archive_->read(list_, 1);
  ASSERT_TRUE(article) << article.error().describe();
  EXPECT_NE(article->find("Subject: [ham:00001] hello"), std::string::npos) << *article;

  auto jobs = store_->pending_jobs(list_.id);
  ASSERT_TRUE(jobs);
  ASSERT_EQ(jobs->size(), 3u) << "5 receiving members in batches of 2";

  auto d = deliverer();
  auto handled = d.run_due(Clock::now());
  ASSERT_TRUE(handled) << handled.error().describe();
  EXPECT_EQ(*handled, 3u);
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty());
  std::vector<std::string> recipients;
  for (const auto& sent : transport_.sent) {
    EXPECT_TRUE(sent.xverp);
    auto parsed = parse_bounce_address(
        tokens_, list_, sent.mail_from.substr(0, sent.mail_from.rfind('@')) + "+x=example.org");
    ASSERT_TRUE(parsed) << sent.mail_from;
    EXPECT_EQ(parsed->article, 1);
    recipients.insert(recipients.end(), sent.recipients.begin(), sent.recipients.end());
    mail::Message copy = mail::Message::parse(sent.data);
    auto outcomes = auth::dkim::verify_all(copy, *resolver_, Clock::now());
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].result, auth::dkim::DkimResult::pass) << outcomes[0].reason;
  }
  std::sort(recipients.begin(), recipients.end());
  EXPECT_EQ(recipients,
            (std::vector<std::string>{"alice@none.example", "bob@reject.example", "carol@c.example",
                                      "dave@d.example", "eve@e.example"}));
}

TEST_F(ServiceTest, PersonalCopiesAreSplitIntoSmallJobsSoEveryWorkerGetsSome) {
  for (int i = 0; i < 245; ++i) {
    add_member(list_.id, fmt::format("m{:03}@many.example", i));
  }
  ListSettings settings;  // batch_size 500: 250 receiving members fit one transaction
  auto sizes = [&] {
    auto jobs = plan_jobs(*store_, list_, settings, store::DeliveryMode::regular);
    std::vector<std::size_t> out;
    for (const auto& job : *jobs) {
      out.push_back(job.recipients.size());
    }
    return out;
  };
  EXPECT_EQ(sizes(), std::vector<std::size_t>{250});
  settings.personalize = true;
  EXPECT_EQ(sizes(), std::vector<std::size_t>{250}) << "no web_url: no token, one shared copy";
  settings.web_url = "https://lists.example/ham/";
  EXPECT_EQ(sizes(), (std::vector<std::size_t>{kPersonalCopiesPerJob, kPersonalCopiesPerJob, 50}));
  settings.batch_size = 30;
  EXPECT_EQ(sizes().size(), 9u) << "a smaller batch_size still applies";
}

TEST_F(ServiceTest, AMemberWhoseDeliveryBouncesArePausedGetsNoJob) {
  store::MemberBounceState paused;
  paused.list_id = list_.id;
  paused.address = "carol@c.example";
  paused.score = 5;
  paused.delivery_disabled = true;
  ASSERT_TRUE(store_->put_bounce_state(paused));
  auto svc = service();
  auto reply = svc.receive(envelope("alice@none.example"),
                           post("Alice <alice@none.example>", "hello", "m9@none.example"));
  ASSERT_EQ(reply.code, 250) << reply.text();
  std::vector<std::string> recipients;
  auto jobs = store_->pending_jobs(list_.id);
  ASSERT_TRUE(jobs);
  for (const auto& job : *jobs) {
    recipients.insert(recipients.end(), job.recipients.begin(), job.recipients.end());
  }
  EXPECT_EQ(recipients.size(), 4u);
  EXPECT_EQ(std::count(recipients.begin(), recipients.end(), "carol@c.example"), 0);
}

TEST_F(ServiceTest, WithoutXverpEachRecipientGetsItsOwnProvenBounceAddress) {
  transport_.xverp = false;
  auto svc = service();
  ASSERT_EQ(alice_posts(svc, "hi", "m2@none.example"), 250);
  auto d = deliverer();
  ASSERT_TRUE(d.run_due(Clock::now()));
  ASSERT_EQ(transport_.sent.size(), 5u);
  for (const auto& sent : transport_.sent) {
    ASSERT_EQ(sent.recipients.size(), 1u);
    std::string local = sent.mail_from.substr(0, sent.mail_from.rfind('@'));
    auto parsed = parse_bounce_address(tokens_, list_, local);
    ASSERT_TRUE(parsed) << sent.mail_from;
    EXPECT_TRUE(parsed->recipient_proven);
    EXPECT_EQ(parsed->recipient, sent.recipients[0]);
  }
}

TEST_F(ServiceTest, RelayDownDefersTheJobsAndNothingIsLost) {
  auto svc = service();
  ASSERT_EQ(alice_posts(svc, "later", "m3@none.example"), 250);
  transport_.down = true;
  auto d = deliverer();
  ASSERT_TRUE(d.run_due(Clock::now()));
  auto jobs = store_->pending_jobs(list_.id);
  ASSERT_EQ(jobs->size(), 3u);
  for (const auto& job : *jobs) {
    EXPECT_EQ(job.attempts, 1);
    EXPECT_GT(job.not_before, Clock::now());
  }
  transport_.down = false;
  ASSERT_TRUE(d.run_due(Clock::now() + std::chrono::hours(2)));
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty());
  EXPECT_EQ(transport_.sent.size(), 3u);
}

TEST_F(ServiceTest, AllPendingTriesEveryWaitingJobOnceBeforeItsRetryTime) {
  for (int i = 0; i < 20; ++i) {
    add_member(list_.id, fmt::format("m{:02}@many.example", i));
  }
  auto svc = service();
  ASSERT_EQ(alice_posts(svc, "flush", "m10@none.example"), 250);
  ASSERT_EQ(store_->pending_jobs(list_.id)->size(), 13u) << "25 members in batches of 2";
  transport_.down = true;
  {
    auto d = deliverer();
    ASSERT_TRUE(d.run_due(Clock::now(), Deliverer::Pick::all_pending));
  }
  auto deferred = store_->pending_jobs(list_.id);
  ASSERT_TRUE(deferred);
  for (const auto& job : *deferred) {
    EXPECT_EQ(job.attempts, 1) << "job " << job.id << ": more than the first 8 jobs, each once";
  }
  transport_.down = false;
  auto d = deliverer();  // as `cqlist deliver --all`, a new process
  ASSERT_TRUE(d.run_due(Clock::now()));
  EXPECT_TRUE(transport_.sent.empty()) << "not due yet";
  ASSERT_TRUE(d.run_due(Clock::now(), Deliverer::Pick::all_pending));
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty());
  EXPECT_EQ(transport_.sent.size(), 13u);
}

TEST_F(ServiceTest, ARelayDownForThreeDaysFailsTheJobs) {
  auto svc = service();
  ASSERT_EQ(alice_posts(svc, "never", "m8@none.example"), 250);
  transport_.down = true;
  auto d = deliverer();
  auto now = Clock::now();
  auto deadline = now + std::chrono::hours(80);
  while (!store_->pending_jobs(list_.id)->empty() && now < deadline) {
    ASSERT_TRUE(d.run_due(now));
    now += std::chrono::hours(1);
  }
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty()) << "still retrying after 80 hours";
  EXPECT_GT(now - Clock::now(), std::chrono::hours(70)) << "gave up long before three days";
  EXPECT_TRUE(transport_.sent.empty());
}

TEST_F(ServiceTest, JournaledTransactionsAreNotSentAgainAfterACrash) {
  transport_.xverp = false;
  auto svc = service();
  ASSERT_EQ(alice_posts(svc, "journal", "m7@none.example"), 250);
  auto jobs = store_->pending_jobs(list_.id);
  ASSERT_EQ(jobs->size(), 3u);
  // What a crash right after the MTA's 250s leaves: journal lines, no store record.
  {
    DeliveryJournal before_crash(dir_ / "delivered.journal");
    ASSERT_TRUE(before_crash.record_job((*jobs)[0].id));
    ASSERT_TRUE(before_crash.record_recipient((*jobs)[1].id, (*jobs)[1].recipients[0]));
  }
  DeliveryJournal journal(dir_ / "delivered.journal");
  Deliverer d({*store_, *archive_, *outbox_, transport_, keys_, tokens_, &journal});
  ASSERT_TRUE(d.run_due(Clock::now()));
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty());
  std::vector<std::string> sent_to;
  for (const auto& sent : transport_.sent) {
    sent_to.insert(sent_to.end(), sent.recipients.begin(), sent.recipients.end());
  }
  EXPECT_EQ(sent_to.size(), 2u) << "5 recipients, 2 in the journaled job, 1 journaled alone";
  for (const auto& recipient : (*jobs)[0].recipients) {
    EXPECT_EQ(std::count(sent_to.begin(), sent_to.end(), recipient), 0) << recipient;
  }
  EXPECT_EQ(std::count(sent_to.begin(), sent_to.end(), (*jobs)[1].recipients[0]), 0);
}

TEST_F(ServiceTest, AJobCutShortResumesWithTheCopiesTheRelayHasNotTaken) {
  transport_.xverp = false;
  ASSERT_NO_FATAL_FAILURE(queue_post_as_one_job("cut", "m10@none.example"));
  DeliveryJournal journal(dir_ / "delivered.journal");
  Deliverer d = journaled_deliverer(journal);
  transport_.sends_until_down = 2;  // Postfix stops after two copies of the one job
  ASSERT_TRUE(d.run_due(Clock::now()));
  ASSERT_EQ(transport_.sent.size(), 2u);
  auto jobs = store_->pending_jobs(list_.id);
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].attempts, 1);

  transport_.sends_until_down = -1;
  ASSERT_TRUE(d.run_due(Clock::now() + std::chrono::hours(2)));  // the same process retries
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty());
  EXPECT_EQ(transport_.sent_to(),
            (std::vector<std::string>{"alice@none.example", "bob@reject.example", "carol@c.example",
                                      "dave@d.example", "eve@e.example"}))
      << "each member once: the retry skips the two copies taken before the relay went away";
}

TEST_F(ServiceTest, ARecipientRefusedForNowIsTriedAgainAloneInItsOwnCopy) {
  transport_.xverp = false;
  ASSERT_NO_FATAL_FAILURE(queue_post_as_one_job("later", "m11@none.example"));
  DeliveryJournal journal(dir_ / "delivered.journal");
  Deliverer d = journaled_deliverer(journal);
  transport_.deferred_once = {"carol@c.example"};
  ASSERT_TRUE(d.run_due(Clock::now()));
  EXPECT_EQ(transport_.sent.size(), 4u) << "the copies after carol's still went out at once";
  auto jobs = store_->pending_jobs(list_.id);
  ASSERT_EQ(jobs->size(), 1u) << "a 451 is not a refusal for good";
  EXPECT_NE((*jobs)[0].last_error.find("451"), std::string::npos) << (*jobs)[0].last_error;

  ASSERT_TRUE(d.run_due(Clock::now() + std::chrono::hours(2)));
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty());
  ASSERT_EQ(transport_.sent.size(), 5u);
  EXPECT_EQ(transport_.sent.back().recipients, std::vector<std::string>{"carol@c.example"});
  EXPECT_EQ(transport_.sent_to().size(), 5u) << "nobody else got a second copy";
}

TEST_F(ServiceTest, ARecipientRefusedForNowInABatchIsTriedAgainWithoutTheOthers) {
  ASSERT_NO_FATAL_FAILURE(queue_post_as_one_job("batch", "m12@none.example"));
  DeliveryJournal journal(dir_ / "delivered.journal");
  Deliverer d = journaled_deliverer(journal);
  transport_.deferred_once = {"bob@reject.example"};
  ASSERT_TRUE(d.run_due(Clock::now()));
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_EQ(transport_.sent[0].recipients.size(), 4u);
  ASSERT_EQ(store_->pending_jobs(list_.id)->size(), 1u);

  ASSERT_TRUE(d.run_due(Clock::now() + std::chrono::hours(2)));
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty());
  ASSERT_EQ(transport_.sent.size(), 2u);
  EXPECT_TRUE(transport_.sent[1].xverp);
  EXPECT_EQ(transport_.sent[1].recipients, std::vector<std::string>{"bob@reject.example"});
}

// A notice to several people at once, as the moderators' hold notices are.
constexpr std::string_view kNotice =
    "From: ham-owner@list.example\r\nTo: ham-owner@list.example\r\nSubject: held\r\n"
    "Message-ID: <notice@list.example>\r\n\r\nA post is held.\r\n";

TEST_F(ServiceTest, AnOutboxRecipientRefusedForNowGetsTheNoticeAloneLater) {
  auto id = queue_outbox(*outbox_, list_, "",
                         {"alice@none.example", "carol@c.example", "dave@d.example"}, kNotice);
  ASSERT_TRUE(id) << id.error().describe();
  DeliveryJournal journal(dir_ / "delivered.journal");
  Deliverer d = journaled_deliverer(journal);
  transport_.deferred_once = {"carol@c.example"};
  ASSERT_TRUE(d.run_due(Clock::now()));
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_EQ(transport_.sent[0].recipients,
            (std::vector<std::string>{"alice@none.example", "dave@d.example"}));
  auto waiting = outbox_->load(*id);
  ASSERT_TRUE(waiting) << "a 451 is not a refusal for good: the entry stays for carol";
  EXPECT_EQ(waiting->envelope["recipients"], "carol@c.example\n");
  EXPECT_EQ(waiting->message, kNotice);

  ASSERT_TRUE(d.run_due(Clock::now()));
  ASSERT_EQ(transport_.sent.size(), 2u);
  EXPECT_EQ(transport_.sent[1].recipients, std::vector<std::string>{"carol@c.example"});
  EXPECT_TRUE(outbox_->ids("out")->empty());
}

TEST_F(ServiceTest, AnOutboxRecipientRefusedForGoodLosesNobodyElse) {
  // 550 for the first recipient, 451 for the second, and the third taken.
  auto taken_with_others = queue_outbox(
      *outbox_, list_, "", {"alice@none.example", "bob@reject.example", "eve@e.example"}, kNotice);
  ASSERT_TRUE(taken_with_others);
  transport_.refused = {"alice@none.example"};
  transport_.deferred_once = {"bob@reject.example"};
  Deliverer d = deliverer();
  EXPECT_FALSE(d.deliver_outbox(*taken_with_others)) << "bob's copy is still to be sent";
  EXPECT_EQ(transport_.sent_to(), std::vector<std::string>{"eve@e.example"});
  EXPECT_EQ(recipients_waiting(*taken_with_others), "bob@reject.example\n");

  // Every RCPT refused, the first for good: the one refused for now is still tried again.
  auto all_refused =
      queue_outbox(*outbox_, list_, "", {"alice@none.example", "dave@d.example"}, kNotice);
  ASSERT_TRUE(all_refused);
  transport_.deferred_once = {"dave@d.example"};
  EXPECT_FALSE(d.deliver_outbox(*all_refused));
  EXPECT_EQ(recipients_waiting(*all_refused), "dave@d.example\n");

  transport_.asked.clear();
  ASSERT_TRUE(d.run_due(Clock::now()));
  EXPECT_EQ(transport_.sent_to(),
            (std::vector<std::string>{"bob@reject.example", "dave@d.example", "eve@e.example"}));
  EXPECT_EQ(std::count(transport_.asked.begin(), transport_.asked.end(), "alice@none.example"), 0)
      << "a 550 is final";
  EXPECT_TRUE(outbox_->ids("out")->empty());
}

TEST_F(ServiceTest, AnOutboxRecipientJournaledBeforeACrashIsNotSentTheNoticeAgain) {
  auto id = queue_outbox(*outbox_, list_, "", {"alice@none.example", "carol@c.example"}, kNotice);
  ASSERT_TRUE(id);
  // What a crash right after the MTA's 250 for alice leaves: her journal line and the entry
  // as it was. The line of an entry that is gone is of no further use.
  {
    DeliveryJournal before_crash(dir_ / "delivered.journal");
    ASSERT_TRUE(before_crash.record_outbox_recipient(*id, "alice@none.example"));
    ASSERT_TRUE(before_crash.record_outbox_recipient("out-0000000000000001-1-0", "gone@g.example"));
  }
  DeliveryJournal journal(dir_ / "delivered.journal");
  Deliverer d = journaled_deliverer(journal);
  ASSERT_TRUE(d.run_due(Clock::now()));
  EXPECT_EQ(transport_.asked, std::vector<std::string>{"carol@c.example"});
  EXPECT_EQ(transport_.sent_to(), std::vector<std::string>{"carol@c.example"});
  EXPECT_TRUE(outbox_->ids("out")->empty());

  // The entry is gone, and so are its lines once the journal is read again.
  DeliveryJournal after_restart(dir_ / "delivered.journal");
  ASSERT_TRUE(after_restart.replay(
      *store_, [&](std::string_view entry) { return fs::exists(outbox_->path(entry)); }));
  EXPECT_EQ(*read_file(dir_ / "delivered.journal"), "");
}

TEST_F(ServiceTest, AJobThatCannotBeMadeWaitsWhileOtherListsAreDelivered) {
  auto broken = store_->create_list(
      "eggs", "list.example",
      {{"dkim_selector_rsa", "s1"}, {"dkim_key_rsa", (dir_ / "rsa.pem").string()}});
  ASSERT_TRUE(broken) << broken.error().describe();
  add_member(broken->id, "alice@none.example");
  auto svc = service();
  InboundEnvelope to_eggs = envelope("alice@none.example");
  to_eggs.recipient = "eggs@list.example";
  // The broken list's job comes first in the queue.
  ASSERT_EQ(
      svc.receive(to_eggs, post("Alice <alice@none.example>", "eggs", "m13@none.example")).code,
      250);
  ASSERT_EQ(alice_posts(svc, "ham", "m14@none.example"), 250);
  // Then the operator moves eggs' key to a file that does not exist.
  ASSERT_TRUE(
      store_->update_settings(broken->id, {{"dkim_key_rsa", (dir_ / "missing.pem").string()}}));
  auto d = deliverer();
  auto handled = d.run_due(Clock::now());
  ASSERT_TRUE(handled) << handled.error().describe();
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty()) << "ham is delivered all the same";
  EXPECT_EQ(transport_.sent_to().size(), 5u);
  auto waiting = store_->pending_jobs(broken->id);
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ((*waiting)[0].attempts, 1);
  EXPECT_GT((*waiting)[0].not_before, Clock::now());
  EXPECT_NE((*waiting)[0].last_error.find("missing.pem"), std::string::npos)
      << (*waiting)[0].last_error;
}

TEST_F(ServiceTest, JournalLinesFromConcurrentWorkersAreAllKeptWhole) {
  constexpr int kWorkers = 4;
  constexpr int kCopies = 2000;
  {
    DeliveryJournal journal(dir_ / "delivered.journal");
    std::vector<std::thread> workers;
    for (int worker = 0; worker < kWorkers; ++worker) {
      workers.emplace_back([&journal, worker] {
        for (int copy = 0; copy < kCopies; ++copy) {
          auto recorded = journal.record_recipient(
              1000 + worker, "member" + std::to_string(copy) + "@worker.example");
          ASSERT_TRUE(recorded) << recorded.error().describe();
        }
      });
    }
    for (auto& worker : workers) {
      worker.join();
    }
  }
  DeliveryJournal replayed(dir_ / "delivered.journal");
  ASSERT_TRUE(replayed.replay(*store_));
  for (int worker = 0; worker < kWorkers; ++worker) {
    std::set<std::string> accepted = replayed.accepted(1000 + worker);
    ASSERT_EQ(accepted.size(), static_cast<std::size_t>(kCopies)) << "job " << 1000 + worker;
    EXPECT_TRUE(accepted.contains("member1999@worker.example"));
  }
}

TEST_F(ServiceTest, ASpooledPostLeftByACrashIsFinishedOnceWithItsNumber) {
  // What a crash right after the 250 leaves: an accepted entry in the spool.
  auto id = spool_accepted_post("crash", "m4@none.example");
  ASSERT_TRUE(id);
  auto svc = service();
  auto recovered = svc.recover();
  ASSERT_TRUE(recovered) << recovered.error().describe();
  EXPECT_EQ(*recovered, 1u);
  EXPECT_TRUE(archive_->read(list_, 1));
  EXPECT_EQ(store_->pending_jobs(list_.id)->size(), 3u);
  EXPECT_EQ(*svc.recover(), 0u) << "nothing left to do, nothing numbered twice";
  EXPECT_EQ(store_->list_by_id(list_.id)->last_article, 1);
}

TEST_F(ServiceTest, APostWhoseProcessingFailedIsFinishedOnceItIsNoLongerNew) {
  auto id = spool_accepted_post("stranded", "m15@none.example");
  ASSERT_TRUE(id);
  auto svc = service();
  auto young = svc.recover(std::chrono::seconds(120));
  ASSERT_TRUE(young) << young.error().describe();
  EXPECT_EQ(*young, 0u) << "a post this new may still be in its own LMTP session";
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty());

  fs::last_write_time(spool_->path(*id),
                      fs::file_time_type::clock::now() - std::chrono::minutes(3));
  auto old = svc.recover(std::chrono::seconds(120));
  ASSERT_TRUE(old) << old.error().describe();
  EXPECT_EQ(*old, 1u);
  EXPECT_EQ(store_->pending_jobs(list_.id)->size(), 3u);
  EXPECT_TRUE(spool_->ids("post")->empty());
}

// A post accepted while its list's key file is missing stays in the spool for recovery.
TEST_F(ServiceTest, APostOfAListDeletedWhileItWaitedIsSetAsideNotGivenToTheListThatTookItsId) {
  fs::rename(dir_ / "rsa.pem", dir_ / "rsa.pem.away");
  auto svc = service();
  auto reply = svc.receive(envelope("alice@none.example"),
                           post("Alice <alice@none.example>", "waiting", "m16@none.example"));
  ASSERT_EQ(reply.code, 250) << reply.text();
  ASSERT_EQ(spool_->ids("post")->size(), 1u) << "processing failed after the 250";

  ASSERT_TRUE(store_->delete_list(list_.id));
  auto taker = store_->create_list(
      "eggs", "list.example",
      {{"dkim_selector_rsa", "s1"}, {"dkim_key_rsa", (dir_ / "rsa.pem").string()}});
  ASSERT_TRUE(taker) << taker.error().describe();
  ASSERT_EQ(taker->id, list_.id) << "the store gives the deleted list's id out again";
  add_member(taker->id, "frank@f.example");
  fs::rename(dir_ / "rsa.pem.away", dir_ / "rsa.pem");

  auto recovered = svc.recover();
  ASSERT_TRUE(recovered) << recovered.error().describe();
  EXPECT_EQ(*recovered, 0u);
  EXPECT_TRUE(store_->pending_jobs(taker->id)->empty()) << "eggs never got ham's post";
  EXPECT_EQ(store_->list_by_id(taker->id)->last_article, 0);
  EXPECT_TRUE(spool_->ids("post")->empty()) << "not tried again every minute";
  auto failed = spool_->ids("failed");
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_NE(spool_->set_aside_reason(failed->front()).find("ham@list.example was deleted"),
            std::string::npos)
      << spool_->set_aside_reason(failed->front());
  EXPECT_EQ(*svc.recover(), 0u);
  EXPECT_EQ(spool_->ids("failed")->size(), 1u);
}

TEST_F(ServiceTest, ADamagedSpoolFileIsSetAsideAndThePostsAfterItAreFinished) {
  ASSERT_TRUE(write_file_durably(spool_->path("post-0000000000000001-1-0"), "not a spool file"));
  ASSERT_TRUE(spool_accepted_post("fine", "m17@none.example"));
  auto svc = service();
  auto recovered = svc.recover();
  ASSERT_TRUE(recovered) << recovered.error().describe();
  EXPECT_EQ(*recovered, 1u);
  EXPECT_EQ(store_->pending_jobs(list_.id)->size(), 3u);
  EXPECT_TRUE(spool_->ids("post")->empty());
  EXPECT_EQ(*spool_->ids("failed"), (std::vector<std::string>{"failed-post-0000000000000001-1-0"}));
}

TEST_F(ServiceTest, NonMemberPostIsHeldAndNotDistributed) {
  auto svc = service();
  auto reply = svc.receive(envelope("stranger@elsewhere.example"),
                           post("stranger@elsewhere.example", "buy now", "m5@elsewhere"));
  EXPECT_EQ(reply.code, 250) << reply.text();
  auto held = store_->held(list_.id, store::HeldState::waiting);
  ASSERT_TRUE(held);
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ((*held)[0].subject, "buy now");
  EXPECT_TRUE(store_->pending_jobs(list_.id)->empty());
  EXPECT_TRUE(spool_->load((*held)[0].spool_path));
}

TEST_F(ServiceTest, AJapaneseListReadsRawShiftJisSubjectsOfHeldAndDistributedPosts) {
  ASSERT_TRUE(store_->update_settings(list_.id, {{"language", "ja"}}));
  const std::string tesuto = "\x83\x65\x83\x58\x83\x67";  // テスト in raw Shift_JIS
  auto svc = service();
  ASSERT_EQ(svc.receive(envelope("stranger@elsewhere.example"),
                        post("stranger@elsewhere.example", tesuto, "m16@elsewhere"))
                .code,
            250);
  auto held = store_->held(list_.id, store::HeldState::waiting);
  ASSERT_TRUE(held);
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ((*held)[0].subject, "テスト");
  ASSERT_EQ(alice_posts(svc, tesuto, "m17@none.example"), 250);
  auto posted = store_->post(list_.id, 1);
  ASSERT_TRUE(posted);
  ASSERT_TRUE(*posted);
  EXPECT_EQ((*posted)->subject, "テスト");
}

TEST_F(ServiceTest, AnApprovedHeldPostCutShortIsFinishedByRecoveryAndNotDiscarded) {
  auto svc = service();
  ASSERT_EQ(svc.receive(envelope("stranger@elsewhere.example"),
                        post("stranger@elsewhere.example", "approved", "m18@elsewhere"))
                .code,
            250);
  auto waiting = store_->held(list_.id, store::HeldState::waiting);
  ASSERT_TRUE(waiting);
  ASSERT_EQ(waiting->size(), 1u);
  const store::HeldRow held = waiting->front();
  CommandDeps deps{*store_, *outbox_, *spool_, tokens_, archive_.get()};
  // What a crash inside the approval's distribution leaves: the post numbered, nothing queued.
  deps.distribute = [&](const std::string& spool_id) -> Result<void> {
    store::PostRow numbered;
    numbered.list_id = list_.id;
    numbered.spool_id = spool_id;
    numbered.message_id = "m18@elsewhere";
    numbered.received_at = Clock::now();
    EXPECT_TRUE(store_->number_post(list_.id, numbered));
    return fail(Errc::io, "the machine lost power");
  };
  EXPECT_FALSE(decide_held(deps, held, store::HeldState::approved));
  EXPECT_EQ(decide_held(deps, held, store::HeldState::discarded).error().code(),
            Errc::invalid_argument);
  EXPECT_TRUE(spool_->load(held.spool_path)) << "a discard must not remove an approved post";

  auto recovered = svc.recover();
  ASSERT_TRUE(recovered) << recovered.error().describe();
  EXPECT_EQ(*recovered, 1u);
  EXPECT_TRUE(archive_->read(list_, 1));
  EXPECT_EQ(store_->pending_jobs(list_.id)->size(), 3u);
  EXPECT_EQ(store_->list_by_id(list_.id)->last_article, 1) << "numbered once";
  EXPECT_FALSE(fs::exists(spool_->path(held.spool_path)));
  EXPECT_EQ(*svc.recover(), 0u);
}

TEST_F(ServiceTest, NonMemberRejectIsAnSmtpRefusalNotABounce) {
  ASSERT_TRUE(store_->update_settings(list_.id, {{"non_member", "reject"}}));
  auto svc = service();
  auto reply = svc.receive(envelope("stranger@elsewhere.example"),
                           post("stranger@elsewhere.example", "buy now", "m6@elsewhere"));
  EXPECT_EQ(reply.code, 550);
  EXPECT_TRUE(outbox_->ids("out")->empty());
  EXPECT_TRUE(spool_->ids("post")->empty());
}

TEST_F(ServiceTest, BouncesAreSpooledForTheBounceProcessor) {
  auto svc = service();
  InboundEnvelope bounce;
  bounce.recipient = "ham-bounces+key+bob=reject.example@list.example";
  auto reply = svc.receive(bounce, "From: MAILER-DAEMON@mx.example\r\n\r\nbounce\r\n");
  EXPECT_EQ(reply.code, 250);
  auto ids = spool_->ids("bounce");
  ASSERT_EQ(ids->size(), 1u);
  EXPECT_EQ(spool_->load((*ids)[0])->envelope["extension"], "key+bob=reject.example");
}

TEST(ToCrlf, AddsCrOnlyWhereMissing) {
  EXPECT_EQ(to_crlf("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
  EXPECT_EQ(to_crlf("\n"), "\r\n");
}

TEST(ToCrlf, ALoneCrBecomesALineEndSoNoDotLineHidesBehindIt) {
  EXPECT_EQ(to_crlf("a\r.\rb\r\n"), "a\r\n.\r\nb\r\n");
  EXPECT_EQ(to_crlf("end\r"), "end\r\n");
  EXPECT_EQ(to_crlf("\r\r\n"), "\r\n\r\n");
}

}  // namespace
}  // namespace cqlist::list
