// cli/digest.cpp: `cqlist digest send [LIST] [--force]`: queue the digests that are due.
//
// The digest goes to the delivery jobs like a post; `cqlist serve` (or `cqlist deliver`)
// sends it. Run from cron, or by hand with --force to send what is waiting now.
#include "list/digest.hpp"

#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "cli/store_command.hpp"

namespace cqlist::cli {
namespace {

struct DigestSendArgs {
  ConfigArgs config;
  std::string list;
  bool force = false;
};

int run_digest_send(const DigestSendArgs& args) {
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("digest send", runtime.error());
  }
  auto list_id = optional_list_id(*runtime->store, args.list);
  if (!list_id) {
    return report_error("digest send", list_id.error());
  }
  auto outcomes =
      list::send_due_digests(*runtime->store, *runtime->archive, *list_id,
                             args.force ? list::DigestTrigger::force : list::DigestTrigger::due,
                             std::chrono::system_clock::now());
  if (!outcomes) {
    return report_error("digest send", outcomes.error());
  }
  bool failed = false;
  for (const auto& outcome : *outcomes) {
    if (outcome.sent) {
      fmt::print("{}: digest issue {} with articles {}-{} queued for {} {} ({})\n", outcome.list,
                 outcome.issue, outcome.first_article, outcome.last_article, outcome.recipients,
                 outcome.recipients == 1 ? "member" : "members", outcome.reason);
    } else {
      failed = failed || outcome.reason.starts_with("failed");
      fmt::print("{}: no digest sent: {}\n", outcome.list, outcome.reason);
    }
  }
  return failed ? kExitTempFail : kExitOk;
}

}  // namespace

void register_digest(CLI::App& app) {
  auto* digest = app.add_subcommand("digest", "Digests for members in digest mode");
  digest->require_subcommand(1);
  auto args = std::make_shared<DigestSendArgs>();
  auto* send = digest->add_subcommand(
      "send", "Queue the digests that are due (every list, or one); `cqlist serve` sends them");
  send->add_option("list", args->list, "Only this list, NAME@DOMAIN");
  send->add_flag("--force", args->force,
                 "Send what is waiting now, even before digest_interval has passed");
  add_config_options(*send, args->config);
  send->footer(
      "A digest is due once digest_interval has passed since the last one, or when the posts\n"
      "waiting reach digest_max_articles or digest_max_bytes. Nothing is sent when there are\n"
      "no new posts.");
  send->callback([args] { exit_code() = run_digest_send(*args); });
}

}  // namespace cqlist::cli
