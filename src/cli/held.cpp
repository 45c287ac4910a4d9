// cli/held.cpp: `cqlist held list|show|approve|reject|discard|expire`: posts waiting for a
// moderator.
//
// Decisions go through list::decide_held, the same code as a moderator's reply to a hold
// notice, so an approved post is numbered, archived and queued exactly like one that passed
// the checks (the running server, or `cqlist deliver`, then sends it). `expire` runs
// list::upkeep_held once, as `cqlist serve` does every minute, for operators who run cqlist
// from cron without the daemon.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/resolver_option.hpp"
#include "cli/runtime.hpp"
#include "cli/store_command.hpp"
#include "dns/resolver.hpp"
#include "list/commands.hpp"
#include "list/held_upkeep.hpp"
#include "list/service.hpp"

namespace cqlist::cli {
namespace {

struct HeldArgs {
  ConfigArgs config;
  ResolverArgs resolver;
  std::string list;
  store::Id id = 0;
  bool all = false;
  std::string reason;
};

// The row, with a hint when there is none.
Result<store::HeldRow> find_held(store::Store& store, store::Id id) {
  auto held = store.held_by_id(id);
  if (!held && held.error().code() == Errc::not_found) {
    return fail(Errc::not_found, fmt::format("there is no held post {}; `cqlist held list LIST` "
                                             "shows the waiting ones",
                                             id));
  }
  return held;
}

int run_list(const HeldArgs& args) {
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("held list", runtime.error());
  }
  auto list = find_list_by_address(*runtime->store, args.list);
  if (!list) {
    return report_error("held list", list.error());
  }
  auto held = runtime->store->held(
      list->id, args.all ? std::nullopt : std::optional(store::HeldState::waiting));
  if (!held) {
    return report_error("held list", held.error());
  }
  for (const store::HeldRow& row : *held) {
    fmt::print("{}  {}  {}\n    from:    {}\n    subject: {}\n    reason:  {}\n", row.id,
               format_utc(row.held_at), store::held_state_name(row.state), row.sender, row.subject,
               row.reason);
  }
  if (held->empty()) {
    fmt::print("{}: no {}held posts\n", list->address(), args.all ? "" : "waiting ");
  }
  return kExitOk;
}

int run_show(const HeldArgs& args) {
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("held show", runtime.error());
  }
  auto held = find_held(*runtime->store, args.id);
  if (!held) {
    return report_error("held show", held.error());
  }
  auto entry = runtime->spool->load(held->spool_path);
  if (!entry) {
    if (held->state != store::HeldState::waiting) {
      fmt::print(stderr,
                 "cqlist held show: held post {} was {}; its message is no longer "
                 "kept\n",
                 held->id, store::held_state_name(held->state));
      return kExitNoInput;
    }
    return report_error("held show", entry.error());
  }
  std::fwrite(entry->message.data(), 1, entry->message.size(), stdout);
  return kExitOk;
}

int run_decide(HeldArgs& args, store::HeldState decision) {
  const std::string command =
      fmt::format("held {}", decision == store::HeldState::approved   ? "approve"
                             : decision == store::HeldState::rejected ? "reject"
                                                                      : "discard");
  auto config = resolve_config(args.config);
  if (!config) {
    return report_error(command, config.error());
  }
  auto runtime = open_runtime(*config);
  if (!runtime) {
    return report_error(command, runtime.error());
  }
  auto held = find_held(*runtime->store, args.id);
  if (!held) {
    return report_error(command, held.error());
  }
  if (held->state != store::HeldState::waiting) {
    fmt::print(stderr, "cqlist {}: held post {} was {} already; nothing was changed\n", command,
               held->id, store::held_state_name(held->state));
    return kExitUsage;
  }
  list::CommandDeps deps{*runtime->store, *runtime->outbox, *runtime->spool, *runtime->tokens,
                         runtime->archive.get()};
  // Only an approved post is distributed, and only that needs DNS (the DMARC mitigation).
  std::unique_ptr<dns::Resolver> resolver;
  std::optional<list::ListService> service;
  if (decision == store::HeldState::approved) {
    if (args.resolver.address.empty()) {
      args.resolver.address = config->resolver;
    }
    auto made = make_resolver(args.resolver);
    if (!made) {
      return report_error(command, made.error());
    }
    resolver = std::move(*made);
    service.emplace(runtime->service_deps(*resolver));
    deps.distribute = [&service](const std::string& spool_id) {
      return service->process_spooled(spool_id);
    };
  }
  if (auto decided = list::decide_held(deps, *held, decision, args.reason); !decided) {
    return report_error(command, decided.error());
  }
  switch (decision) {
    case store::HeldState::approved: {
      auto post = runtime->store->find_post_by_spool(held->list_id, held->spool_path);
      fmt::print("Approved held post {} from {}", held->id, held->sender);
      if (post && *post) {
        fmt::print(": article {}, queued for delivery (`cqlist queue` shows it)", (*post)->article);
      }
      fmt::print(".\n");
      break;
    }
    case store::HeldState::rejected:
      fmt::print("Rejected held post {} from {}; the poster is told{}.\n", held->id, held->sender,
                 args.reason.empty() ? "" : " why");
      break;
    default:
      fmt::print("Discarded held post {} from {}.\n", held->id, held->sender);
      break;
  }
  return kExitOk;
}

// "31 days", "2 seconds": how long an expired post waited, in its largest whole unit.
std::string waited(std::chrono::seconds age) {
  struct Unit {
    std::int64_t seconds;
    const char* name;
  };

  for (const Unit& unit : {Unit{86400, "day"}, Unit{3600, "hour"}, Unit{60, "minute"}}) {
    if (age.count() >= unit.seconds) {
      const std::int64_t count = age.count() / unit.seconds;
      return fmt::format("{} {}{}", count, unit.name, count == 1 ? "" : "s");
    }
  }
  return fmt::format("{} second{}", age.count(), age.count() == 1 ? "" : "s");
}

int run_expire(const HeldArgs& args) {
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("held expire", runtime.error());
  }
  auto list_id = optional_list_id(*runtime->store, args.list);
  if (!list_id) {
    return report_error("held expire", list_id.error());
  }
  list::CommandDeps deps{*runtime->store, *runtime->outbox, *runtime->spool, *runtime->tokens,
                         runtime->archive.get()};
  auto report = list::upkeep_held(deps, list::held_reminder_dir(runtime->config.data_dir), *list_id,
                                  std::chrono::system_clock::now());
  if (!report) {
    return report_error("held expire", report.error());
  }
  for (const list::ExpiredHeld& expired : report->expired) {
    fmt::print(
        "Discarded held post {} of {} from {} (\"{}\"): it waited {}, longer than the "
        "list's held_expiry.\n",
        expired.id, expired.list, expired.sender, expired.subject, waited(expired.age));
  }
  for (const list::HeldReminder& reminder : report->reminders) {
    fmt::print(
        "Reminded {} of {}: {} held post{} waiting (queued; `cqlist deliver` sends it "
        "when `cqlist serve` is not running).\n",
        fmt::join(reminder.to, ", "), reminder.list, reminder.waiting,
        reminder.waiting == 1 ? "" : "s");
  }
  if (report->expired.empty() && report->reminders.empty() && report->problems.empty()) {
    fmt::print("No held post has expired and no reminder is due.\n");
  }
  int code = kExitOk;
  for (const list::HeldUpkeepProblem& problem : report->problems) {
    code = report_error("held expire", problem.error);
  }
  return code;
}

CLI::App* add_id_command(CLI::App& parent, const char* name, const char* description,
                         const std::shared_ptr<HeldArgs>& args) {
  auto* cmd = parent.add_subcommand(name, description);
  cmd->add_option("id", args->id, "The held post's number (`cqlist held list LIST`)")->required();
  add_config_options(*cmd, args->config);
  return cmd;
}

}  // namespace

void register_held(CLI::App& app) {
  auto* held = app.add_subcommand("held", "Posts held for a moderator: list, show, decide, expire");
  held->require_subcommand(1);

  auto list_args = std::make_shared<HeldArgs>();
  auto* list = held->add_subcommand("list", "Print the held posts of a list");
  list->add_option("list", list_args->list, "The list address, NAME@DOMAIN")->required();
  list->add_flag("--all", list_args->all, "Also posts decided already");
  add_config_options(*list, list_args->config);
  list->callback([list_args] { exit_code() = run_list(*list_args); });

  auto show_args = std::make_shared<HeldArgs>();
  auto* show = add_id_command(*held, "show", "Print a held message as it arrived", show_args);
  show->callback([show_args] { exit_code() = run_show(*show_args); });

  struct Decision {
    const char* name;
    const char* description;
    store::HeldState state;
  };

  for (const Decision& decision :
       {Decision{"approve", "Send a held post to the list", store::HeldState::approved},
        Decision{"reject", "Refuse a held post and tell the poster why",
                 store::HeldState::rejected},
        Decision{"discard", "Drop a held post without telling anyone",
                 store::HeldState::discarded}}) {
    auto args = std::make_shared<HeldArgs>();
    auto* cmd = add_id_command(*held, decision.name, decision.description, args);
    cmd->add_option("--reason", args->reason, "Why (told to the poster on reject; logged)");
    if (decision.state == store::HeldState::approved) {
      add_resolver_options(*cmd, args->resolver);
    }
    cmd->callback([args, state = decision.state] { exit_code() = run_decide(*args, state); });
  }

  auto expire_args = std::make_shared<HeldArgs>();
  auto* expire = held->add_subcommand(
      "expire", "Discard held posts past held_expiry and send the moderators' daily reminders");
  expire->footer(
      "A held post that waited longer than its list's held_expiry (30d by default) is "
      "discarded without telling the poster. Once a day, while posts have waited a day or more, "
      "the moderators (the owners when there are none) get one mail listing them "
      "(held_reminder). `cqlist serve` does this every minute; run this command from cron only "
      "where the daemon does not run, followed by `cqlist deliver`.");
  expire->add_option("--list", expire_args->list, "Only this list (NAME@DOMAIN); default: all");
  add_config_options(*expire, expire_args->config);
  expire->callback([expire_args] { exit_code() = run_expire(*expire_args); });
}

}  // namespace cqlist::cli
