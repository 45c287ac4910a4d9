// cli/queue.cpp: `cqlist queue [LIST]`: what is waiting to be delivered.
//
// Three places hold mail that has not left yet: delivery jobs in the store (a batch of
// recipients of one article each), the outbox (replies and notices for the MTA) and the
// spool (posts accepted but not yet numbered, and held posts). Posts that can never be
// processed are set aside in the spool; `--retry ID` sends one back once the cause is fixed.
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/json_text.hpp"
#include "cli/runtime.hpp"
#include "cli/store_command.hpp"

namespace cqlist::cli {
namespace {

struct QueueArgs {
  ConfigArgs config;
  std::string list;
  std::string retry;
  bool json = false;
};

struct SpoolCounts {
  std::size_t outbox = 0;
  std::size_t posts = 0;
  std::size_t held = 0;
  std::vector<std::string> set_aside;
};

Result<SpoolCounts> count_spools(const Runtime& runtime) {
  CQLIST_TRY(auto outbox, runtime.outbox->ids("out"));
  CQLIST_TRY(auto posts, runtime.spool->ids("post"));
  CQLIST_TRY(auto held, runtime.spool->ids("held"));
  CQLIST_TRY(auto set_aside, runtime.spool->ids("failed"));
  return SpoolCounts{outbox.size(), posts.size(), held.size(), std::move(set_aside)};
}

int retry_set_aside(const Runtime& runtime, const std::string& id) {
  auto restored = runtime.spool->restore(id);
  if (!restored) {
    return report_error("queue", restored.error());
  }
  fmt::print("{} is back in the spool as {}; cqlist serve processes it within three minutes.\n", id,
             *restored);
  return kExitOk;
}

// A digest's jobs carry its issue as a negative article number (list/digest.hpp).
std::optional<std::int64_t> digest_issue(const store::DeliveryJob& job) {
  return job.article < 0 ? std::optional<std::int64_t>(-job.article) : std::nullopt;
}

std::string article_text(const store::DeliveryJob& job) {
  auto issue = digest_issue(job);
  return issue ? fmt::format("digest {}", *issue) : std::to_string(job.article);
}

std::string next_try(const store::DeliveryJob& job, store::Clock::time_point now) {
  return job.not_before <= now ? "now" : format_utc(job.not_before);
}

// RFC 3339, or "" when the job may go now.
std::string next_try_json(const store::DeliveryJob& job, store::Clock::time_point now) {
  return job.not_before <= now ? "" : format_rfc3339(job.not_before);
}

int run_queue(const QueueArgs& args) {
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("queue", runtime.error());
  }
  if (!args.retry.empty()) {
    return retry_set_aside(*runtime, args.retry);
  }
  auto list_id = optional_list_id(*runtime->store, args.list);
  if (!list_id) {
    return report_error("queue", list_id.error());
  }
  auto jobs = runtime->store->pending_jobs(*list_id);
  if (!jobs) {
    return report_error("queue", jobs.error());
  }
  auto counts = count_spools(*runtime);
  if (!counts) {
    return report_error("queue", counts.error());
  }
  std::map<store::Id, std::string> addresses;
  for (const store::DeliveryJob& job : *jobs) {
    if (!addresses.contains(job.list_id)) {
      auto list = runtime->store->list_by_id(job.list_id);
      addresses[job.list_id] = list ? list->address() : fmt::format("list {}", job.list_id);
    }
  }
  const auto now = store::Clock::now();

  if (args.json) {
    std::string jobs_json;
    for (const store::DeliveryJob& job : *jobs) {
      auto issue = digest_issue(job);
      jobs_json += fmt::format(
          R"({}{{"id":{},"list":{},"article":{},"digest":{},"recipients":{},"attempts":{},)"
          R"("next_try":{},"last_error":{}}})",
          jobs_json.empty() ? "" : ",", job.id, json_string(addresses[job.list_id]),
          issue ? "null" : std::to_string(job.article), issue ? std::to_string(*issue) : "null",
          job.recipients.size(), job.attempts, json_string(next_try_json(job, now)),
          json_string(job.last_error));
    }
    std::string set_aside_json;
    for (const std::string& id : counts->set_aside) {
      set_aside_json +=
          fmt::format(R"({}{{"id":{},"reason":{}}})", set_aside_json.empty() ? "" : ",",
                      json_string(id), json_string(runtime->spool->set_aside_reason(id)));
    }
    fmt::print(R"({{"jobs":[{}],"outbox":{},"spooled_posts":{},"held_posts":{},"set_aside":[{}]}})"
               "\n",
               jobs_json, counts->outbox, counts->posts, counts->held, set_aside_json);
    return kExitOk;
  }
  if (jobs->empty()) {
    fmt::print("No deliveries waiting.\n");
  } else {
    fmt::print("{:>6}  {:<32} {:>9} {:>10} {:>8}  {:<23}  {}\n", "JOB", "LIST", "ARTICLE",
               "RECIPIENTS", "ATTEMPTS", "NEXT TRY", "LAST ERROR");
    std::size_t recipients = 0;
    for (const store::DeliveryJob& job : *jobs) {
      fmt::print("{:>6}  {:<32} {:>9} {:>10} {:>8}  {:<23}  {}\n", job.id, addresses[job.list_id],
                 article_text(job), job.recipients.size(), job.attempts, next_try(job, now),
                 job.last_error);
      recipients += job.recipients.size();
    }
    // A personalised fan-out is many small jobs: the sum is what the operator asks about.
    fmt::print("-- {} job{}, {} recipient{} waiting.\n", jobs->size(), jobs->size() == 1 ? "" : "s",
               recipients, recipients == 1 ? "" : "s");
  }
  // The spools are shared by all lists.
  fmt::print(
      "Outbox: {} replies and notices for the MTA. Spool: {} posts being processed, {} "
      "held posts.\n",
      counts->outbox, counts->posts, counts->held);
  if (!counts->set_aside.empty()) {
    fmt::print("Set aside: {} post{} that cannot be processed (nothing was sent to the members):\n",
               counts->set_aside.size(), counts->set_aside.size() == 1 ? "" : "s");
    for (const std::string& id : counts->set_aside) {
      fmt::print("  {}  {}\n", id, runtime->spool->set_aside_reason(id));
    }
    fmt::print("The files are in {}. Once the cause is fixed: cqlist queue --retry ID\n",
               runtime->spool->path("").string());
  }
  return kExitOk;
}

}  // namespace

void register_queue(CLI::App& app) {
  auto args = std::make_shared<QueueArgs>();
  auto* cmd = app.add_subcommand("queue", "Show the deliveries waiting to be sent");
  cmd->add_option("list", args->list, "Only this list, NAME@DOMAIN");
  cmd->add_flag("--json", args->json, "Print it as JSON");
  cmd->add_option("--retry", args->retry,
                  "Send a set-aside post (failed-...) back to be processed again");
  add_config_options(*cmd, args->config);
  cmd->callback([args] { exit_code() = run_queue(*args); });
}

}  // namespace cqlist::cli
