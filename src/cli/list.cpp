// cli/list.cpp: `cqlist list create|show|set|delete|ls`: lists and their settings.
//
// Settings are checked with list/settings.hpp before anything is stored, so a typo is an
// error with a suggestion, never a silently ignored key; `cqlist help list` prints the table.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "cli/json_text.hpp"
#include "cli/runtime.hpp"
#include "cli/store_command.hpp"
#include "list/service.hpp"
#include "list/settings.hpp"

namespace cqlist::cli {
namespace {

// The addresses the LMTP listener gives a list besides NAME@ (list/service.cpp routes them).
struct ListArgs {
  ConfigArgs config;
  std::string list;
  std::vector<std::string> owners;
  std::vector<std::string> assignments;  // KEY=VALUE
  std::vector<std::string> unset;
  bool json = false;
  bool yes = false;
};

// KEY=VALUE pairs, each checked and in canonical form.
Result<std::map<std::string, std::string>> checked_assignments(
    const std::vector<std::string>& assignments) {
  std::map<std::string, std::string> settings;
  for (const std::string& assignment : assignments) {
    const auto equals = assignment.find('=');
    if (equals == std::string::npos) {
      return fail(
          Errc::invalid_argument,
          fmt::format("'{}': write a setting as KEY=VALUE, e.g. subject_tag=[:]", assignment));
    }
    const std::string name(trim(std::string_view(assignment).substr(0, equals)));
    CQLIST_TRY(std::string value,
               list::validate_setting(name, std::string_view(assignment).substr(equals + 1)));
    settings[name] = std::move(value);
  }
  return settings;
}

// A setting's value on one line of a terminal.
std::string shown_value(std::string_view value) {
  if (value.empty()) {
    return "\"\"";
  }
  std::string shown;
  for (char c : value) {
    if (c == '\n') {
      shown += "\\n";
    } else if (c == '\r') {
      shown += "\\r";
    } else {
      shown += static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? '?' : c;
    }
  }
  return shown;
}

bool is_setting_name(std::string_view name) {
  const auto& table = list::setting_table();
  return std::any_of(table.begin(), table.end(),
                     [&](const list::SettingInfo& info) { return info.name == name; });
}

bool is_route_of(std::string_view address_name, std::string_view list_name) {
  for (const auto& route : list::route_suffixes()) {
    std::string_view suffix = route.text;
    if (address_name.size() == list_name.size() + suffix.size() &&
        address_name.starts_with(list_name) && address_name.ends_with(suffix)) {
      return true;
    }
  }
  return false;
}

// A new list must not take another list's -request (etc.) address, nor the other way round.
Result<void> check_no_route_clash(store::Store& store, const ListAddress& address) {
  CQLIST_TRY(auto lists, store.lists());
  for (const store::ListRow& other : lists) {
    if (other.domain != address.domain) {
      continue;
    }
    if (is_route_of(address.name, other.name)) {
      return fail(
          Errc::invalid_argument,
          fmt::format("{} is an address of the list {} already (its {} address); "
                      "choose another name",
                      address.address(), other.address(), address.name.substr(other.name.size())));
    }
    if (is_route_of(other.name, address.name)) {
      return fail(
          Errc::invalid_argument,
          fmt::format("the list {} exists, and its address would become the {} "
                      "address of {}; choose another name",
                      other.address(), other.name.substr(address.name.size()), address.address()));
    }
  }
  return {};
}

int run_create(const ListArgs& args) {
  auto address = parse_new_list_address(args.list);
  if (!address) {
    return report_error("list create", address.error());
  }
  auto settings = checked_assignments(args.assignments);
  if (!settings) {
    return report_error("list create", settings.error());
  }
  std::vector<store::MemberRow> owners;
  for (const std::string& text : args.owners) {
    auto owner = parse_typed_address(text);
    if (!owner) {
      return report_error("list create", owner.error());
    }
    store::MemberRow member;
    member.address = owner->address;
    member.display_name = owner->display_name;
    member.role = store::Role::owner;
    member.subscribed_at = store::Clock::now();
    owners.push_back(std::move(member));
  }
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("list create", runtime.error());
  }
  store::Store& store = *runtime->store;
  if (auto clash = check_no_route_clash(store, *address); !clash) {
    return report_error("list create", clash.error());
  }
  auto created = store.create_list(address->name, address->domain, *settings);
  if (!created && created.error().code() == Errc::already_exists) {
    fmt::print(stderr,
               "cqlist list create: the list {} exists already; `cqlist list show {}` "
               "shows it\n",
               address->address(), address->address());
    return kExitUsage;
  }
  if (!created) {
    return report_error("list create", created.error());
  }
  for (store::MemberRow& owner : owners) {
    owner.list_id = created->id;
  }
  if (auto added = store.add_members(owners); !added) {
    return report_error("list create", added.error());
  }
  fmt::print("Created the list {}", created->address());
  for (const store::MemberRow& owner : owners) {
    fmt::print("{} {}", &owner == &owners.front() ? " with the owner" : ",", owner.address);
  }
  fmt::print(
      ".\nNext: `cqlist postfix-config {}` prints what Postfix needs; `cqlist members "
      "add {} ADDRESS...` adds members.\n",
      created->address(), created->address());
  if (owners.empty()) {
    fmt::print(stderr,
               "cqlist list create: warning: the list has no owner, so nobody is told "
               "about held posts; add one with --role owner\n");
  }
  return kExitOk;
}

struct ShownSetting {
  const list::SettingInfo* info;
  std::string value;
};

int run_show(const ListArgs& args) {
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("list show", runtime.error());
  }
  auto list = find_list_by_address(*runtime->store, args.list);
  if (!list) {
    return report_error("list show", list.error());
  }
  auto members = runtime->store->member_count(list->id);
  if (!members) {
    return report_error("list show", members.error());
  }
  // A stored value this version does not accept is shown as stored, with an error.
  auto typed = list::parse_settings(list->settings);
  const auto values = typed ? list::settings_as_strings(*typed) : list->settings;
  std::vector<ShownSetting> shown;
  for (const list::SettingInfo& info : list::setting_table()) {
    auto stored = values.find(std::string(info.name));
    shown.push_back(
        {&info, stored == values.end() ? std::string(info.default_value) : stored->second});
  }
  std::map<std::string, std::string> unknown;
  for (const auto& [name, value] : list->settings) {
    if (!is_setting_name(name)) {
      unknown.emplace(name, value);
    }
  }

  if (args.json) {
    std::string settings_json;
    for (const ShownSetting& setting : shown) {
      settings_json +=
          fmt::format(R"({}{{"name":{},"value":{},"default":{},"default_value":{},"meaning":{}}})",
                      settings_json.empty() ? "" : ",", json_string(setting.info->name),
                      json_string(setting.value), setting.value == setting.info->default_value,
                      json_string(setting.info->default_value), json_string(setting.info->meaning));
    }
    std::string unknown_json;
    for (const auto& [name, value] : unknown) {
      unknown_json += fmt::format("{}{}:{}", unknown_json.empty() ? "" : ",", json_string(name),
                                  json_string(value));
    }
    fmt::print(
        R"({{"address":{},"name":{},"domain":{},"members":{},"last_article":{},"created_at":{},)"
        R"("settings":[{}],"unknown_settings":{{{}}}}})"
        "\n",
        json_string(list->address()), json_string(list->name), json_string(list->domain), *members,
        list->last_article, json_string(format_rfc3339(list->created_at)), settings_json,
        unknown_json);
  } else {
    fmt::print(
        "list          {}\nmembers       {}\nlast article  {}\ncreated       {}\n\n"
        "settings:\n",
        list->address(), *members, list->last_article, format_utc(list->created_at));
    for (const ShownSetting& setting : shown) {
      const bool is_default = setting.value == setting.info->default_value;
      fmt::print("  {} = {}  ({})\n      {}\n", setting.info->name, shown_value(setting.value),
                 is_default ? "default"
                            : fmt::format("default: {}", shown_value(setting.info->default_value)),
                 setting.info->meaning);
    }
    for (const auto& [name, value] : unknown) {
      fmt::print("  {} = {}  (not a setting of this version; ignored)\n", name, shown_value(value));
    }
  }
  if (!typed) {
    fmt::print(stderr, "cqlist list show: {}\n", typed.error().describe());
    return kExitDataError;
  }
  return kExitOk;
}

int run_set(const ListArgs& args) {
  if (args.assignments.empty() && args.unset.empty()) {
    fmt::print(stderr,
               "cqlist list set: give KEY=VALUE or --unset KEY (`cqlist list show {}` "
               "shows the settings)\n",
               args.list);
    return kExitUsage;
  }
  auto settings = checked_assignments(args.assignments);
  if (!settings) {
    return report_error("list set", settings.error());
  }
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("list set", runtime.error());
  }
  auto list = find_list_by_address(*runtime->store, args.list);
  if (!list) {
    return report_error("list set", list.error());
  }
  std::map<std::string, std::optional<std::string>> changes(settings->begin(), settings->end());
  for (const std::string& name : args.unset) {
    // A key this version does not know may still be stored (from another version): let it go.
    if (!is_setting_name(name) && !list->settings.contains(name)) {
      // Fails, naming the closest setting.
      return report_error("list set", list::validate_setting(name, "").error());
    }
    changes[name] = std::nullopt;
  }
  if (auto updated = runtime->store->update_settings(list->id, changes); !updated) {
    return report_error("list set", updated.error());
  }
  std::map<std::string, std::string_view> defaults;
  for (const list::SettingInfo& info : list::setting_table()) {
    defaults.emplace(info.name, info.default_value);
  }
  for (const auto& [name, value] : changes) {
    auto before = list->settings.find(name);
    const std::string was = before == list->settings.end()
                                ? fmt::format("{} (default)", shown_value(defaults[name]))
                                : shown_value(before->second);
    if (value) {
      fmt::print("{}: {} = {} (was {})\n", list->address(), name, shown_value(*value), was);
    } else {
      fmt::print("{}: {} back to the default {} (was {})\n", list->address(), name,
                 shown_value(defaults[name]), was);
    }
  }
  return kExitOk;
}

int run_delete(const ListArgs& args) {
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("list delete", runtime.error());
  }
  auto list = find_list_by_address(*runtime->store, args.list);
  if (!list) {
    return report_error("list delete", list.error());
  }
  auto members = runtime->store->member_count(list->id);
  auto held = runtime->store->held(list->id, std::nullopt);
  if (!members || !held) {
    return report_error("list delete", members ? held.error() : members.error());
  }
  if (!args.yes) {
    fmt::print(stderr,
               "cqlist list delete: this deletes {} with its {} members, {} held posts and "
               "pending deliveries, and cannot be undone. Run it again with --yes to do it "
               "(`cqlist members export {}` first keeps the members).\n",
               list->address(), *members, held->size(), list->address());
    return kExitUsage;
  }
  if (auto deleted = runtime->store->delete_list(list->id); !deleted) {
    return report_error("list delete", deleted.error());
  }
  // The held posts' bytes mean nothing without their rows.
  for (const store::HeldRow& row : *held) {
    (void)runtime->spool->remove(row.spool_path);
  }
  fmt::print(
      "Deleted the list {} ({} members). Its archive stays in {}; remove it when it is "
      "no longer wanted, and take the list's lines out of the Postfix configuration.\n",
      list->address(), *members, runtime->archive->path(*list, 1).parent_path().string());
  return kExitOk;
}

int run_ls(const ListArgs& args) {
  auto runtime = open_configured_runtime(args.config);
  if (!runtime) {
    return report_error("list ls", runtime.error());
  }
  auto lists = runtime->store->lists();
  if (!lists) {
    return report_error("list ls", lists.error());
  }
  for (const store::ListRow& list : *lists) {
    auto members = runtime->store->member_count(list.id);
    if (!members) {
      return report_error("list ls", members.error());
    }
    auto description = list.settings.find("description");
    fmt::print("{:<40} {:>7} members  {:>7} articles  {}\n", list.address(), *members,
               list.last_article,
               description == list.settings.end() ? "" : shown_value(description->second));
  }
  if (lists->empty()) {
    fmt::print(stderr,
               "cqlist list ls: no lists yet; `cqlist list create NAME@DOMAIN` makes "
               "one\n");
  }
  return kExitOk;
}

std::string settings_help() {
  std::string text = "List settings (cqlist list set LIST NAME=VALUE):\n";
  for (const list::SettingInfo& info : list::setting_table()) {
    text += fmt::format("  {} (default: {})\n      {}\n", info.name,
                        shown_value(info.default_value), info.meaning);
  }
  return text;
}

CLI::App* add_command(CLI::App& parent, const char* name, const char* description,
                      const std::shared_ptr<ListArgs>& args) {
  auto* cmd = parent.add_subcommand(name, description);
  add_config_options(*cmd, args->config);
  return cmd;
}

}  // namespace

void register_list(CLI::App& app) {
  auto* list = app.add_subcommand("list", "Create, show, change and delete lists");
  list->require_subcommand(1);
  list->footer(settings_help());

  auto create_args = std::make_shared<ListArgs>();
  auto* create = add_command(*list, "create", "Create a list", create_args);
  create->add_option("list", create_args->list, "The list address, NAME@DOMAIN")->required();
  create->add_option("--owner", create_args->owners,
                     "An owner (a member with the owner role); repeat for more");
  create->add_option("--set", create_args->assignments, "A setting, KEY=VALUE; repeat for more");
  create->footer("`cqlist help list` lists the settings.");
  create->callback([create_args] { exit_code() = run_create(*create_args); });

  auto show_args = std::make_shared<ListArgs>();
  auto* show = add_command(*list, "show", "Show a list and every setting", show_args);
  show->add_option("list", show_args->list, "The list address, NAME@DOMAIN")->required();
  show->add_flag("--json", show_args->json, "Print it as JSON");
  show->callback([show_args] { exit_code() = run_show(*show_args); });

  auto set_args = std::make_shared<ListArgs>();
  auto* set = add_command(*list, "set", "Change settings of a list", set_args);
  set->add_option("list", set_args->list, "The list address, NAME@DOMAIN")->required();
  set->add_option("setting", set_args->assignments, "KEY=VALUE, one or more");
  set->add_option("--unset", set_args->unset, "Return a setting to its default; repeatable");
  set->footer("`cqlist help list` lists the settings.");
  set->callback([set_args] { exit_code() = run_set(*set_args); });

  auto delete_args = std::make_shared<ListArgs>();
  auto* remove = add_command(*list, "delete", "Delete a list with its members", delete_args);
  remove->add_option("list", delete_args->list, "The list address, NAME@DOMAIN")->required();
  remove->add_flag("--yes", delete_args->yes, "Really delete it");
  remove->callback([delete_args] { exit_code() = run_delete(*delete_args); });

  auto ls_args = std::make_shared<ListArgs>();
  auto* ls = add_command(*list, "ls", "Print every list", ls_args);
  ls->callback([ls_args] { exit_code() = run_ls(*ls_args); });
}

}  // namespace cqlist::cli
