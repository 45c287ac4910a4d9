// cli/import_fml.cpp: `cqlist import-fml DIR`: an fml4 or fml8 list moved into cqlist.
//
// The reading, mapping and applying live in list/fml; this file is the command's options, the
// dry run, and the Postfix steps printed after a real import (fml's aliases to retire, the
// addresses that change, and `cqlist postfix-config` for cqlist's own lines).
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/runtime.hpp"
#include "cli/store_command.hpp"
#include "list/fml/import_plan.hpp"

namespace cqlist::cli {
namespace {

struct ImportArgs {
  ConfigArgs config;
  std::string dir;
  std::string list;
  std::string perl = "perl";
  bool no_perl = false;
  bool dry_run = false;
  bool json = false;
};

std::string postfix_steps(const list::fml::ImportPlan& plan) {
  const std::string list = plan.list_address();
  std::string out = fmt::format(
      "\nPostfix changes to make now (mail for the list still goes to fml until step 2):\n"
      "  1. Print cqlist's lines and add them to Postfix:\n"
      "       cqlist postfix-config {}\n"
      "  2. Retire fml's aliases: remove these lines from the alias file that holds them\n"
      "     ({}/../etc/aliases or /etc/aliases), then run newaliases (or postalias):\n",
      list, plan.fml_home);
  for (const list::fml::AliasLine& alias : plan.aliases) {
    out += fmt::format("       {}: {}\n", alias.name, alias.target);
  }
  if (plan.aliases.empty()) {
    out += fmt::format("       (no aliases file in {}; look for {} in /etc/aliases)\n",
                       plan.source_dir.string(), plan.list_name);
  }
  out += fmt::format(
      "  3. Addresses that change: commands go to {0}-request@{1} (fml: {0}-ctl), the owners "
      "are {0}-owner@{1} (fml: {0}-admin). To keep old addresses working, map them in "
      "virtual_alias_maps:\n"
      "       {0}-ctl@{1}    {0}-request@{1}\n"
      "       {0}-admin@{1}  {0}-owner@{1}\n"
      "  4. Remove fml's crontab line for this list (digests) and stop using {2}.\n",
      plan.list_name, plan.list_domain, plan.fml_home);
  return out;
}

int nothing_imported(const Error& error) {
  const int code = report_error("import-fml", error);
  fmt::print(stderr, "cqlist import-fml: nothing was imported\n");
  return code;
}

int run_import(const ImportArgs& args) {
  list::fml::ReadOptions options;
  options.perl = args.no_perl ? std::string() : args.perl;
  if (!args.list.empty()) {
    auto address = parse_new_list_address(args.list);
    if (!address) {
      return report_error("import-fml", address.error());
    }
    options.list_address = address->address();
  }
  auto plan = list::fml::read_fml_list(args.dir, options);
  if (!plan) {
    return nothing_imported(plan.error());
  }
  if (auto address = parse_new_list_address(plan->list_address()); !address) {
    return report_error("import-fml", address.error());
  }
  if (args.json) {
    fmt::print("{}\n", list::fml::plan_json(*plan));
  } else if (args.dry_run) {
    fmt::print("{}", list::fml::plan_text(*plan));
  }
  if (args.dry_run) {
    fmt::print(stderr, "cqlist import-fml: dry run: nothing was changed\n");
    return kExitOk;
  }
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("import-fml", runtime.error());
  }
  auto outcome = list::fml::apply_import(*plan, *runtime->store, *runtime->archive);
  if (!outcome) {
    return nothing_imported(outcome.error());
  }
  std::FILE* out = args.json ? stderr : stdout;
  fmt::print(out,
             "Imported {} from {}: {} members, {} articles (archive {}), the next post gets "
             "article {}; {} fml settings did not carry over (`--dry-run` lists them with the "
             "reasons).\n",
             outcome->list.address(), plan->source_dir.string(), plan->members.size(),
             outcome->articles, outcome->archive_dir.string(), outcome->list.last_article + 1,
             plan->not_imported.size());
  for (const std::string& warning : plan->warnings) {
    fmt::print(out, "warning: {}\n", warning);
  }
  fmt::print(out, "{}", postfix_steps(*plan));
  return kExitOk;
}

}  // namespace

void register_import_fml(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  auto* cmd = app.add_subcommand(
      "import-fml", "Import an existing fml list (members, settings, article numbers, archive)");
  add_config_options(*cmd, args->config);
  cmd->add_option("dir", args->dir, "The fml list directory, e.g. /var/spool/ml/NAME")->required();
  cmd->add_option("--list", args->list,
                  "The list address NAME@DOMAIN (default: $MAIL_LIST of config.ph)");
  cmd->add_flag("--dry-run", args->dry_run, "Show what would be imported; change nothing");
  cmd->add_flag("--json", args->json, "Print the import plan as JSON");
  cmd->add_option("--perl", args->perl,
                  "The perl that evaluates config.ph, as fml does (default: perl)");
  cmd->add_flag("--no-perl", args->no_perl,
                "Read config.ph without perl (common forms only; the rest is listed)");
  cmd->footer(
      "The import is all or nothing: the articles are copied into the archive first, then the "
      "list, its members, settings and article counter are written in one transaction. A list "
      "that exists already is never changed.");
  cmd->callback([args] { exit_code() = run_import(*args); });
}

}  // namespace cqlist::cli
