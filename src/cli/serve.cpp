// cli/serve.cpp: `cqlist serve`, the daemon: the composition root of the list server.
//
// Wires the store, list/ (routing, pipeline, delivery) and the protocol adapters of server/:
// LMTP in (from Postfix), SMTP out (to Postfix's reinjection listener), HTTP for health,
// metrics and one-click unsubscribe, and (policy.listen) the Postfix policy service that
// refuses non-members at RCPT. One io_context runs the listeners; handler calls (fsync,
// SQLite, DNS, signing) run on a worker pool; delivery workers drain the job queue, woken when
// a post is queued and every few seconds for retries. SIGTERM/SIGINT stop cleanly (current
// LMTP transactions finish; unsent jobs stay in the store); SIGHUP re-reads the configuration
// file's size limit and every list's keys.
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <fmt/format.h>

#include "base/log.hpp"
#include "cli/commands.hpp"
#include "cli/resolver_option.hpp"
#include "cli/runtime.hpp"
#include "cli/serve_bounces.hpp"
#include "cli/serve_digests.hpp"
#include "cli/serve_handlers.hpp"
#include "cli/smtp_transport.hpp"
#include "list/delivery.hpp"
#include "list/posting_gate.hpp"
#include "list/service.hpp"
#include "server/http/http_server.hpp"
#include "server/lmtp_server.hpp"
#include "server/policy_server.hpp"

namespace cqlist::cli {
namespace {

// How long a stop waits for open sessions to finish their transaction. Postfix sends a
// message's data within seconds; a client still busy after this is cut off.
constexpr auto kStopGrace = std::chrono::seconds(30);

struct ServeArgs {
  ConfigArgs config;
};

// Delivery workers: each drains due jobs, then waits for a wake-up or the retry tick.
class DeliveryWorkers {
 public:
  DeliveryWorkers(list::Deliverer& deliverer, std::size_t count) : deliverer_(deliverer) {
    for (std::size_t i = 0; i < count; ++i) {
      threads_.emplace_back([this] { loop(); });
    }
  }

  ~DeliveryWorkers() { stop(); }

  // Every worker wakes for every call (a generation count, not a flag one worker could
  // clear for all), so a fan-out starts on all workers at once.
  void wake() {
    {
      std::lock_guard lock(mutex_);
      ++generation_;
    }
    wakeup_.notify_all();
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wakeup_.notify_all();
    for (auto& thread : threads_) {
      if (thread.joinable()) {
        thread.join();
      }
    }
    threads_.clear();
  }

 private:
  void loop() {
    std::uint64_t seen = 0;  // 0: run once at start (recovery after a restart)
    while (true) {
      {
        std::unique_lock lock(mutex_);
        wakeup_.wait_for(lock, std::chrono::seconds(5),
                         [&] { return generation_ != seen || stopping_; });
        if (stopping_) {
          return;
        }
        seen = generation_;
      }
      if (auto ran = deliverer_.run_due(std::chrono::system_clock::now()); !ran) {
        log::error("delivery.error", {{"error", ran.error().describe()}});
      }
    }
  }

  list::Deliverer& deliverer_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  std::uint64_t generation_ = 1;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

int run_serve(const ServeArgs& args) {
  auto config = resolve_config(args.config);
  if (!config) {
    return report_error("serve", config.error());
  }
  auto runtime = open_runtime(*config);
  if (!runtime) {
    return report_error("serve", runtime.error());
  }
  auto resolver = make_resolver({config->resolver, 5000});
  if (!resolver) {
    return report_error("serve", resolver.error());
  }

  list::ListService service(runtime->service_deps(**resolver));
  RelayDelivery delivery(*runtime);
  list::Deliverer& deliverer = delivery.deliverer();

  if (auto recovered = service.recover(); !recovered) {
    log::error("serve.recover_failed", {{"error", recovered.error().describe()}});
  } else if (*recovered > 0) {
    log::info("serve.recovered", {{"posts", std::to_string(*recovered)}});
  }
  DeliveryWorkers workers(deliverer, config->delivery_workers);

  Metrics metrics;
  // Bounces are read off the LMTP path; what the bounce thread queues, the workers send.
  BounceWorker bounces(*runtime, [&workers] { workers.wake(); });
  DigestTimer digests(*runtime, service, [&workers] { workers.wake(); });
  LmtpAdapter lmtp_handler(service, metrics, [&workers, &bounces] {
    workers.wake();
    bounces.wake();
  });
  HttpAdapter http_handler(*runtime->store, *runtime->tokens, metrics, service,
                           [&workers] { workers.wake(); });
  // Refuses non-members at RCPT, while the poster's server is still connected (no bounce).
  list::PostingGate gate(service, *runtime->store);
  PolicyAdapter policy_handler(gate, metrics);

  boost::asio::io_context io;
  boost::asio::thread_pool pool(4);
  server::LmtpServerConfig lmtp_config;
  lmtp_config.address = config->lmtp_address;
  lmtp_config.port = config->lmtp_port;
  lmtp_config.hostname = config->hostname;
  lmtp_config.max_message_bytes = config->max_message_bytes;
  if (config->lmtp_xforward_hosts) {
    lmtp_config.xforward_hosts = *config->lmtp_xforward_hosts;
  }
  auto lmtp = server::LmtpServer::start(io, pool, lmtp_config, lmtp_handler);
  if (!lmtp) {
    workers.stop();
    return report_error("serve", lmtp.error());
  }
  server::HttpServerConfig http_config;
  http_config.address = config->http_address;
  http_config.port = config->http_port;
  auto http = server::HttpServer::start(io, pool, http_config, http_handler);
  if (!http) {
    workers.stop();
    return report_error("serve", http.error());
  }
  std::unique_ptr<server::PolicyServer> policy;
  if (!config->policy_address.empty()) {
    server::PolicyServerConfig policy_config;
    policy_config.address = config->policy_address;
    policy_config.port = config->policy_port;
    auto started = server::PolicyServer::start(io, pool, policy_config, policy_handler);
    if (!started) {
      workers.stop();
      return report_error("serve", started.error());
    }
    policy = std::move(*started);
  }
  log::info(
      "serve.started",
      {{"lmtp", fmt::format("{}:{}", config->lmtp_address, (*lmtp)->port())},
       {"policy", policy ? fmt::format("{}:{}", config->policy_address, policy->port()) : "off"},
       {"http", fmt::format("{}:{}", config->http_address, (*http)->port())},
       {"relay", fmt::format("{}:{}", config->relay_host, config->relay_port)},
       {"data_dir", config->data_dir.string()}});

  boost::asio::signal_set reload_signal(io, SIGHUP);
  // Stopping lets every session finish the transaction it is in (an LMTP message whose data
  // is arriving gets its 250, so Postfix does not send it again); io.run() returns once the
  // last session has closed, or after kStopGrace when a client dawdles.
  std::mutex stop_mutex;
  std::condition_variable io_finished;
  bool io_done = false;
  std::thread stop_deadline;
  boost::asio::signal_set stop_signals(io, SIGTERM, SIGINT);
  stop_signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) {
      return;
    }
    log::info("serve.stopping", {{"signal", std::to_string(signal)}});
    (*lmtp)->stop();
    (*http)->stop();
    if (policy) {
      policy->stop();
    }
    boost::system::error_code ignored;
    reload_signal.cancel(ignored);
    stop_deadline = std::thread([&] {
      std::unique_lock lock(stop_mutex);
      if (!io_finished.wait_for(lock, kStopGrace, [&] { return io_done; })) {
        log::warn("serve.stop_forced",
                  {{"after_seconds", std::to_string(kStopGrace.count())},
                   {"note", "sessions still open were closed without finishing"}});
        io.stop();
      }
    });
  });
  std::function<void()> wait_for_reload = [&] {
    reload_signal.async_wait([&](const boost::system::error_code& error, int) {
      if (error) {
        return;
      }
      auto reloaded = resolve_config(args.config);
      if (!reloaded) {
        log::error("serve.reload_failed", {{"error", reloaded.error().describe()}});
      } else {
        (*lmtp)->set_max_message_bytes(reloaded->max_message_bytes);
        runtime->keys->reload();
        log::info("serve.reloaded", {});
      }
      wait_for_reload();
    });
  };
  wait_for_reload();

  io.run();
  {
    std::lock_guard lock(stop_mutex);
    io_done = true;
  }
  io_finished.notify_all();
  if (stop_deadline.joinable()) {
    stop_deadline.join();
  }
  pool.join();
  bounces.stop();
  digests.stop();
  workers.stop();
  delivery.close();
  log::info("serve.stopped", {});
  return kExitOk;
}

struct DeliverArgs {
  ConfigArgs config;
  bool all = false;
};

int run_deliver(const DeliverArgs& args) {
  auto config = resolve_config(args.config);
  if (!config) {
    return report_error("deliver", config.error());
  }
  auto runtime = open_runtime(*config);
  if (!runtime) {
    return report_error("deliver", runtime.error());
  }
  RelayDelivery delivery(*runtime);
  list::Deliverer& deliverer = delivery.deliverer();
  // As many threads as the daemon's workers: claims keep them off each other's jobs.
  std::mutex results_mutex;
  std::size_t handled = 0;
  std::optional<Error> first_error;
  std::vector<std::thread> threads;
  auto now = std::chrono::system_clock::now();
  for (std::size_t i = 0; i < config->delivery_workers; ++i) {
    threads.emplace_back([&] {
      auto result = deliverer.run_due(
          now, args.all ? list::Deliverer::Pick::all_pending : list::Deliverer::Pick::due);
      std::lock_guard lock(results_mutex);
      if (result) {
        handled += *result;
      } else if (!first_error) {
        first_error = result.error();
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  delivery.close();
  if (first_error) {
    return report_error("deliver", *first_error);
  }
  fmt::print("{} delivery jobs and outgoing messages handled\n", handled);
  return kExitOk;
}

}  // namespace

void register_serve(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Run the list server (LMTP in, SMTP out, HTTP)");
  add_config_options(*cmd, args->config);
  cmd->footer(
      "Postfix delivers list mail to the LMTP listener (see `cqlist postfix-config LIST`);\n"
      "cqlist hands signed copies back to Postfix's reinjection listener ([relay]).\n"
      "SIGTERM stops, SIGHUP reloads keys and the size limit. Logs go to standard error.");
  cmd->callback([args] { exit_code() = run_serve(*args); });

  auto deliver_args = std::make_shared<DeliverArgs>();
  auto* deliver =
      app.add_subcommand("deliver", "Send every due delivery job and queued reply once, then exit");
  deliver->add_flag("--all", deliver_args->all,
                    "Also the jobs waiting for their next try (after fixing what deferred them, "
                    "as postqueue -f)");
  add_config_options(*deliver, deliver_args->config);
  deliver->callback([deliver_args] { exit_code() = run_deliver(*deliver_args); });
}

}  // namespace cqlist::cli
