// list/testing/command_fixture.hpp: the fixture of the command tests (commands_*_test.cpp).
//
// A real SQLite store, spool, outbox and archive in a temporary directory, the list
// ham@cq-test.example with a member, an owner and a moderator, and helpers that send a mail
// to one of the list's addresses and read back what was queued for the MTA.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "list/commands.hpp"
#include "list/service.hpp"
#include "mail/encoded_word.hpp"
#include "mail/mime.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace cqlist::list {

namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

// One queued mail, parsed for assertions.
struct Sent {
  std::string mail_from;
  std::string recipients;  // one per line
  std::string bytes;
  mail::Message message = mail::Message::parse("");

  std::string header(std::string_view name) const { return message.first_value(name).value_or(""); }

  std::string subject() const { return mail::decode_header_text(header("Subject")); }

  // The first text/plain part, decoded, with LF line ends.
  std::string text() const {
    auto tree = mail::MimeTree::build(message);
    for (const auto& part : tree.parts()) {
      if (part.kind == mail::PartKind::leaf && part.content_type.is("text", "plain")) {
        std::string out;
        for (char c : mail::decoded_text(part)) {
          if (c != '\r') {
            out += c;
          }
        }
        return out;
      }
    }
    return {};
  }
};

inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / fmt::format("cqlist-commands-{}-{}-{}", ::getpid(),
                                                   info->test_suite_name(), info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = store::open_sqlite_store(dir_ / "cqlist.db");
    ASSERT_TRUE(store) << store.error().describe();
    store_ = std::move(*store);
    spool_.emplace(std::move(*Spool::open(dir_ / "spool")));
    outbox_.emplace(std::move(*Spool::open(dir_ / "outbox")));
    archive_.emplace(dir_ / "archive");
    quota_.emplace(dir_ / "requests");
    auto list = store_->create_list("ham", "cq-test.example", {});
    ASSERT_TRUE(list) << list.error().describe();
    list_ = *list;
    add_member("mia@relaxed.example", store::Role::member);
    add_member("olga@cq-test.example", store::Role::owner);
    add_member("mo@cq-test.example", store::Role::moderator);
  }

  void TearDown() override {
    store_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void add_member(const std::string& address, store::Role role) {
    store::MemberRow row;
    row.list_id = list_.id;
    row.address = address;
    row.role = role;
    ASSERT_TRUE(store_->add_member(row));
  }

  bool is_member(std::string_view address) {
    return static_cast<bool>(store_->find_member(list_.id, address));
  }

  void set(const std::string& name, const std::string& value) {
    ASSERT_TRUE(store_->update_settings(list_.id, {{name, value}}));
    list_ = *store_->list_by_id(list_.id);
  }

  CommandDeps deps() {
    CommandDeps out{*store_, *outbox_, *spool_, tokens_, &*archive_};
    out.get_quota = &*quota_;
    out.distribute = [this](const std::string& id) -> Result<void> {
      distributed_.push_back(id);
      return {};
    };
    return out;
  }

  static std::string mail_text(std::string_view from, std::string_view subject,
                               std::string_view body, std::string_view extra = {}) {
    return fmt::format(
        "From: {}\r\nTo: ham-request@cq-test.example\r\nSubject: {}\r\n"
        "Message-ID: <cmd{}@example.net>\r\n{}MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n{}",
        from, subject, ++counter_, extra, body);
  }

  // Delivers a mail to one of the list's addresses and returns the LMTP answer.
  mail::SmtpReply send_to(Route route, std::string_view from, std::string_view subject,
                          std::string_view body, std::string_view extra = {},
                          std::string extension = {}, std::string envelope = "") {
    RoutedAddress routed{list_, route, std::move(extension)};
    auto command_deps = deps();
    return handle_list_mail(command_deps, routed, envelope.empty() ? std::string(from) : envelope,
                            mail::Message::parse(mail_text(from, subject, body, extra)));
  }

  mail::SmtpReply request(std::string_view from, std::string_view subject, std::string_view body,
                          std::string_view extra = {}) {
    return send_to(Route::request, from, subject, body, extra);
  }

  // What was queued since the last call, oldest first; the outbox is emptied.
  std::vector<Sent> take_outbox() {
    std::vector<Sent> out;
    auto ids = outbox_->ids("out");
    EXPECT_TRUE(ids);
    for (const auto& id : *ids) {
      auto entry = outbox_->load(id);
      EXPECT_TRUE(entry);
      Sent sent;
      sent.mail_from = entry->envelope["mail_from"];
      sent.recipients = entry->envelope["recipients"];
      sent.bytes = entry->message;
      sent.message = mail::Message::parse(entry->message);
      out.push_back(std::move(sent));
      EXPECT_TRUE(outbox_->remove(id));
    }
    return out;
  }

  // The one mail queued since the last call.
  Sent only_mail() {
    auto sent = take_outbox();
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? Sent{} : sent.front();
  }

  // A held post waiting for the moderators, as the service would leave it.
  store::HeldRow hold_post(std::string_view from, std::string_view subject,
                           Clock::time_point held_at = Clock::now()) {
    std::string bytes = fmt::format(
        "From: {}\r\nTo: ham@cq-test.example\r\nSubject: {}\r\nMessage-ID: <held@example.net>\r\n"
        "\r\nBuy now!\r\n",
        from, subject);
    auto id = spool_->add({{"list_id", std::to_string(list_.id)}}, bytes, "held");
    EXPECT_TRUE(id);
    store::HeldRow held;
    held.list_id = list_.id;
    held.spool_path = *id;
    held.sender = std::string(from);
    held.subject = std::string(subject);
    held.reason = "stranger@example.org is not a member of ham@cq-test.example";
    held.token = *random_token();
    held.held_at = held_at;
    auto row = store_->hold(held);
    EXPECT_TRUE(row) << row.error().describe();
    return *row;
  }

  store::HeldState state_of(const store::HeldRow& held) {
    return store_->held_by_id(held.id)->state;
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
  std::optional<Spool> spool_;
  std::optional<Spool> outbox_;
  std::optional<Archive> archive_;
  std::optional<RequestQuota> quota_;
  TokenSigner tokens_{"test secret"};
  store::ListRow list_;
  std::vector<std::string> distributed_;
  static inline int counter_ = 0;
};

// The token of a confirmation request ("confirm TOKEN").
inline std::string token_of(const Sent& confirmation) {
  std::string subject = confirmation.subject();
  return subject.substr(subject.rfind(' ') + 1);
}

}  // namespace cqlist::list
