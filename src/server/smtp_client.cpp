// server/smtp_client.cpp: SmtpConnection::open and the pool that reuses connections.
#include "server/smtp_client.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/log.hpp"
#include "server/smtp_connection.hpp"

namespace cqlist::server {

namespace {

struct Lease {
  std::unique_ptr<SmtpConnectionImpl> connection;
  bool reused = false;
};

}  // namespace

bool TransactionResult::every_recipient_refused() const {
  return mail_reply.success() && !rcpt_replies.empty() &&
         std::none_of(rcpt_replies.begin(), rcpt_replies.end(),
                      [](const mail::SmtpReply& reply) { return reply.success(); });
}

const mail::SmtpReply& TransactionResult::deciding_reply() const {
  if (!mail_reply.success()) {
    return mail_reply;
  }
  if (every_recipient_refused()) {
    return rcpt_replies.front();
  }
  return data_reply;
}

Result<std::unique_ptr<SmtpConnection>> SmtpConnection::open(const SmtpRelayConfig& config) {
  CQLIST_TRY(auto connection, open_connection(config));
  return std::unique_ptr<SmtpConnection>(std::move(connection));
}

struct SmtpClientPool::State {
  explicit State(SmtpRelayConfig relay) : config(std::move(relay)) {}

  std::size_t limit() const { return std::max<std::size_t>(config.max_connections, 1); }

  // `fresh`: a new connection even if idle ones wait (they may be as stale as a failed one).
  Result<Lease> acquire(bool fresh) {
    std::vector<std::unique_ptr<SmtpConnectionImpl>> dropped;  // closed outside the lock
    std::unique_lock lock(mutex);
    while (true) {
      if (!fresh && !idle.empty()) {
        Lease lease{std::move(idle.back()), true};
        idle.pop_back();
        return lease;
      }
      if (open < limit()) {
        break;
      }
      if (fresh && !idle.empty()) {
        dropped.push_back(std::move(idle.front()));
        idle.erase(idle.begin());
        --open;
        continue;
      }
      slot_freed.wait(lock);
    }
    ++open;
    lock.unlock();
    auto opened = open_connection(config);
    lock.lock();
    if (!opened) {
      --open;
      slot_freed.notify_one();
      return fail(opened.error());
    }
    if (!extensions) {
      extensions = (*opened)->extensions();
    }
    return Lease{std::move(*opened), false};
  }

  void release(std::unique_ptr<SmtpConnectionImpl> connection) {
    std::unique_ptr<SmtpConnectionImpl> dropped;
    {
      std::lock_guard lock(mutex);
      if (connection->usable()) {
        idle.push_back(std::move(connection));
      } else {
        dropped = std::move(connection);
        --open;
      }
    }
    slot_freed.notify_one();
  }

  const SmtpRelayConfig config;
  std::mutex mutex;
  std::condition_variable slot_freed;
  std::vector<std::unique_ptr<SmtpConnectionImpl>> idle;  // most recently used last
  std::size_t open = 0;                                   // idle and in use
  std::optional<SmtpExtensions> extensions;               // from the first connection
};

SmtpClientPool::SmtpClientPool(SmtpRelayConfig config)
    : state_(std::make_unique<State>(std::move(config))) {}

SmtpClientPool::~SmtpClientPool() {
  close_all();
}

Result<TransactionResult> SmtpClientPool::send(const OutgoingMessage& message) {
  CQLIST_TRY(Lease lease, state_->acquire(false));
  Result<TransactionResult> result = lease.connection->send(message);
  if (lease.reused && !lease.connection->usable() && !lease.connection->recipient_accepted()) {
    // The relay closed the idle connection (Postfix's smtpd_timeout) and nothing of this
    // message was accepted: one more try on a new connection cannot deliver it twice.
    std::string reason =
        result ? std::to_string(result->mail_reply.code) : result.error().message();
    log::info("smtp.retry", {{"relay", state_->config.host}, {"reason", reason}});
    state_->release(std::move(lease.connection));
    CQLIST_TRY(Lease fresh, state_->acquire(true));
    result = fresh.connection->send(message);
    state_->release(std::move(fresh.connection));
    return result;
  }
  state_->release(std::move(lease.connection));
  return result;
}

Result<void> SmtpClientPool::send_stream(
    const std::function<std::optional<OutgoingMessage>()>& next,
    const std::function<bool(const OutgoingMessage&, Result<TransactionResult>)>& done) {
  CQLIST_TRY(Lease lease, state_->acquire(false));
  // As in send(): an idle connection the relay has closed shows when the first message fails
  // with nothing accepted. That message, and any fetched after it (the stream fetches one
  // ahead), are then not reported but sent again on a new connection.
  bool may_retry = lease.reused;
  std::deque<OutgoingMessage> replay;  // filled only by the first connection's reports
  auto fetch = [&]() -> std::optional<OutgoingMessage> {
    if (replay.empty()) {
      return next();
    }
    OutgoingMessage message = std::move(replay.front());
    replay.pop_front();
    return message;
  };
  SmtpConnectionImpl* connection = lease.connection.get();
  auto report = [&](const OutgoingMessage& message, Result<TransactionResult> result) {
    if (!replay.empty() ||
        (may_retry && !connection->usable() && !connection->recipient_accepted())) {
      replay.push_back(message);
      return false;
    }
    may_retry = false;
    return done(message, std::move(result));
  };
  Result<void> streamed = lease.connection->send_stream(fetch, report);
  state_->release(std::move(lease.connection));
  if (replay.empty()) {
    return streamed;
  }
  std::string reason = streamed ? "closed" : streamed.error().message();
  log::info("smtp.retry", {{"relay", state_->config.host}, {"reason", reason}});
  Result<Lease> fresh = state_->acquire(true);
  if (!fresh) {
    for (const OutgoingMessage& message : replay) {
      done(message, fail(fresh.error()));
    }
    return fail(fresh.error());
  }
  streamed = fresh->connection->send_stream(fetch, done);
  state_->release(std::move(fresh->connection));
  // Each message fetched gets its report, also those the new stream ended before taking.
  Error unsent =
      streamed ? Error(Errc::temporary, "not sent: the stream stopped first") : streamed.error();
  for (const OutgoingMessage& message : replay) {
    done(message, fail(unsent));
  }
  return streamed;
}

Result<bool> SmtpClientPool::offers(std::string_view extension) {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->extensions) {
      return state_->extensions->find(to_ascii_upper(extension)) != state_->extensions->end();
    }
  }
  CQLIST_TRY(Lease lease, state_->acquire(false));
  bool offered = lease.connection->offers(extension);
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->extensions) {
      state_->extensions = lease.connection->extensions();
    }
  }
  state_->release(std::move(lease.connection));
  return offered;
}

void SmtpClientPool::close_all() {
  std::vector<std::unique_ptr<SmtpConnectionImpl>> closing;
  {
    std::lock_guard lock(state_->mutex);
    closing.swap(state_->idle);
    state_->open -= closing.size();
  }
  state_->slot_freed.notify_all();
  for (auto& connection : closing) {
    connection->quit();
  }
}

}  // namespace cqlist::server
