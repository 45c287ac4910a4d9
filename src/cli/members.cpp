// cli/members.cpp: `cqlist members add|remove|list|import|export`.
//
// Addresses are stored normalised (domain lowercase in A-labels, local part as written), so
// "Alice <alice@Example.ORG>" and "alice@example.org" are the same member. Imports are all or
// nothing: a file with one bad line imports nothing (unless --skip-bad), because a half-done
// import of a 3,000-line fml members file is harder to repair than a refused one.
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/file.hpp"
#include "cli/commands.hpp"
#include "cli/member_file.hpp"
#include "cli/runtime.hpp"
#include "cli/store_command.hpp"

namespace cqlist::cli {
namespace {

// Members are read this many at a time, so that export of a big list runs in little memory.
constexpr std::size_t kPageSize = 1000;

struct MembersArgs {
  ConfigArgs config;
  std::string list;
  std::vector<std::string> addresses;
  std::string role;
  std::string mode = "regular";
  bool post_only = false;
  std::string name;
  std::string format;
  std::string file;
  bool skip_bad = false;
};

MemberFormat format_for(const MembersArgs& args) {
  if (args.format.empty()) {
    return args.file.ends_with(".csv") ? MemberFormat::csv : MemberFormat::lines;
  }
  return args.format == "csv" ? MemberFormat::csv : MemberFormat::lines;
}

struct OpenList {
  Runtime runtime;
  store::ListRow list;
};

Result<OpenList> open_list(const MembersArgs& args) {
  CQLIST_TRY(Runtime runtime, open_configured_runtime(args.config));
  CQLIST_TRY(store::ListRow list, find_list_by_address(*runtime.store, args.list));
  return OpenList{std::move(runtime), std::move(list)};
}

// Calls `each` for every member in address order, kPageSize rows at a time.
template <class Each>
Result<void> for_each_member(store::Store& store, store::Id list_id, Each each) {
  std::string after;
  while (true) {
    CQLIST_TRY(auto page, store.members(list_id, after, kPageSize));
    for (const store::MemberRow& member : page) {
      each(member);
    }
    if (page.size() < kPageSize) {
      return {};
    }
    after = page.back().address;
  }
}

int run_add(const MembersArgs& args) {
  if (!args.name.empty() && args.addresses.size() != 1) {
    fmt::print(stderr,
               "cqlist members add: --name is for one address; write several as "
               "\"Name <address>\" instead\n");
    return kExitUsage;
  }
  std::vector<TypedAddress> typed;
  for (const std::string& text : args.addresses) {
    auto parsed = parse_typed_address(text);
    if (!parsed) {
      fmt::print(stderr, "cqlist members add: {}\n", parsed.error().message());
    } else {
      typed.push_back(std::move(*parsed));
    }
  }
  if (typed.size() != args.addresses.size()) {
    fmt::print(stderr, "cqlist members add: nothing added\n");
    return kExitUsage;
  }
  auto opened = open_list(args);
  if (!opened) {
    return report_error("members add", opened.error());
  }
  const store::Role role = store::parse_role(args.role.empty() ? "member" : args.role).value();
  const store::DeliveryMode mode = store::parse_delivery_mode(args.mode).value();
  for (TypedAddress& address : typed) {
    store::MemberRow member;
    member.list_id = opened->list.id;
    member.address = address.address;
    member.display_name = args.name.empty() ? address.display_name : args.name;
    member.role = role;
    member.mode = mode;
    member.receives = !args.post_only;
    member.subscribed_at = store::Clock::now();
    auto added = opened->runtime.store->add_member(member);
    if (!added && added.error().code() == Errc::already_exists) {
      fmt::print("{}: already a member of {}, left as it is\n", member.address,
                 opened->list.address());
      continue;
    }
    if (!added) {
      return report_error("members add", added.error());
    }
    fmt::print("{}: added to {} as {}{}{}\n", member.address, opened->list.address(),
               store::role_name(role),
               mode == store::DeliveryMode::regular ? "" : fmt::format(", {}", args.mode),
               args.post_only ? ", posting only" : "");
  }
  return kExitOk;
}

int run_remove(const MembersArgs& args) {
  auto opened = open_list(args);
  if (!opened) {
    return report_error("members remove", opened.error());
  }
  store::Store& store = *opened->runtime.store;
  int status = kExitOk;
  for (const std::string& text : args.addresses) {
    auto typed = parse_typed_address(text);
    if (!typed) {
      fmt::print(stderr, "cqlist members remove: {}\n", typed.error().message());
      status = kExitUsage;
      continue;
    }
    auto member = store.find_member(opened->list.id, typed->address);
    if (!member && member.error().code() == Errc::not_found) {
      fmt::print(stderr, "cqlist members remove: {} is not a member of {}\n", typed->address,
                 opened->list.address());
      status = status == kExitOk ? kExitNoInput : status;
      continue;
    }
    if (member) {
      if (auto removed = store.remove_member(opened->list.id, member->address); !removed) {
        return report_error("members remove", removed.error());
      }
      fmt::print("{}: removed from {}\n", member->address, opened->list.address());
      continue;
    }
    return report_error("members remove", member.error());
  }
  return status;
}

int run_list(const MembersArgs& args, bool all_roles) {
  auto opened = open_list(args);
  if (!opened) {
    return report_error(all_roles ? "members export" : "members list", opened.error());
  }
  const MemberFormat format = format_for(args);
  const auto role = args.role.empty() ? std::nullopt : store::parse_role(args.role);
  std::fputs(member_file_header(format).c_str(), stdout);
  auto listed =
      for_each_member(*opened->runtime.store, opened->list.id, [&](const store::MemberRow& member) {
        if (!all_roles && role && member.role != *role) {
          return;
        }
        std::fputs(member_file_row(member, format).c_str(), stdout);
      });
  if (!listed) {
    return report_error(all_roles ? "members export" : "members list", listed.error());
  }
  return kExitOk;
}

int run_import(const MembersArgs& args) {
  const std::string shown_name = args.file == "-" ? "standard input" : args.file;
  auto text = read_file(args.file == "-" ? "/dev/stdin" : args.file);
  if (!text) {
    return report_error("members import", text.error());
  }
  MemberFile file = read_member_file(*text, format_for(args));
  for (const MemberFileProblem& problem : file.problems) {
    fmt::print(stderr, "cqlist members import: {} line {}: {}\n", shown_name, problem.line,
               problem.message);
  }
  if (!file.problems.empty() && !args.skip_bad) {
    fmt::print(stderr,
               "cqlist members import: nothing imported: {} bad line{}; correct {} or give "
               "--skip-bad to import the rest\n",
               file.problems.size(), file.problems.size() == 1 ? "" : "s",
               file.problems.size() == 1 ? "it" : "them");
    return kExitDataError;
  }
  auto opened = open_list(args);
  if (!opened) {
    return report_error("members import", opened.error());
  }
  std::vector<store::MemberRow> members;
  std::set<std::string> seen;
  std::size_t repeated = 0;
  const auto now = store::Clock::now();
  for (MemberFileEntry& entry : file.entries) {
    if (!seen.insert(entry.member.address).second) {
      ++repeated;  // the first line with the address wins
      continue;
    }
    entry.member.list_id = opened->list.id;
    entry.member.subscribed_at = now;
    members.push_back(std::move(entry.member));
  }
  auto added = opened->runtime.store->add_members(members);
  if (!added) {
    return report_error("members import", added.error());
  }
  fmt::print("{}: {} added, {} already present", opened->list.address(), *added,
             members.size() - *added);
  if (repeated > 0) {
    fmt::print(", {} repeated in the file (first one kept)", repeated);
  }
  if (!file.problems.empty()) {
    fmt::print(", {} bad line{} skipped", file.problems.size(),
               file.problems.size() == 1 ? "" : "s");
  }
  fmt::print("\n");
  return kExitOk;
}

CLI::App* add_list_command(CLI::App& parent, const char* name, const char* description,
                           const std::shared_ptr<MembersArgs>& args) {
  auto* cmd = parent.add_subcommand(name, description);
  cmd->add_option("list", args->list, "The list address, NAME@DOMAIN")->required();
  add_config_options(*cmd, args->config);
  return cmd;
}

void add_format_option(CLI::App& cmd, MembersArgs& args, const char* default_text) {
  cmd.add_option("--format", args.format,
                 std::string("lines (one address per line, \"Name <address>\") or csv "
                             "(address,name,role,mode,receives,may_post); default: ") +
                     default_text)
      ->check(CLI::IsMember({"lines", "csv"}));
}

}  // namespace

void register_members(CLI::App& app) {
  auto* members = app.add_subcommand("members", "Add, remove, list, import and export members");
  members->require_subcommand(1);

  auto add_args = std::make_shared<MembersArgs>();
  auto* add = add_list_command(*members, "add", "Add members", add_args);
  add->add_option("address", add_args->addresses,
                  "Addresses: user@example.org or \"Name <user@example.org>\"")
      ->required();
  add->add_option("--role", add_args->role, "member (default), moderator or owner")
      ->check(CLI::IsMember({"member", "moderator", "owner"}));
  add->add_option("--mode", add_args->mode, "Delivery: regular (default), digest or nomail")
      ->check(CLI::IsMember({"regular", "digest", "nomail"}));
  add->add_flag("--post-only", add_args->post_only,
                "May post but receives nothing (fml's posting-only members)");
  add->add_option("--name", add_args->name, "Display name (for one address)");
  add->callback([add_args] { exit_code() = run_add(*add_args); });

  auto remove_args = std::make_shared<MembersArgs>();
  auto* remove = add_list_command(*members, "remove", "Remove members", remove_args);
  remove->add_option("address", remove_args->addresses, "Addresses to remove")->required();
  remove->callback([remove_args] { exit_code() = run_remove(*remove_args); });

  auto list_args = std::make_shared<MembersArgs>();
  auto* list = add_list_command(*members, "list", "Print the members, in address order", list_args);
  list->add_option("--role", list_args->role, "Only members with this role")
      ->check(CLI::IsMember({"member", "moderator", "owner"}));
  add_format_option(*list, *list_args, "lines");
  list->callback([list_args] { exit_code() = run_list(*list_args, false); });

  auto import_args = std::make_shared<MembersArgs>();
  auto* import =
      add_list_command(*members, "import",
                       "Add the members in a file (all or nothing unless --skip-bad)", import_args);
  import->add_option("file", import_args->file, "The file, or - for standard input")->required();
  add_format_option(*import, *import_args, "csv for a FILE ending in .csv, else lines");
  import->add_flag("--skip-bad", import_args->skip_bad,
                   "Import the good lines of a file that has bad ones");
  import->footer(
      "lines: one address per line; blank lines and lines starting with # are skipped.\n"
      "csv: a header line naming the columns (address required), e.g.\n"
      "  address,name,role,mode,receives,may_post\n"
      "  yamada@example.jp,\"山田, 太郎\",owner,regular,yes,yes\n"
      "Members already on the list are left as they are.");
  import->callback([import_args] { exit_code() = run_import(*import_args);
});

auto export_args = std::make_shared<MembersArgs>();
auto* exported = add_list_command(
    *members, "export", "Print every member in a form `members import` reads back", export_args);
add_format_option(*exported, *export_args, "lines");
exported->callback([export_args] { exit_code() = run_list(*export_args, true); });
}  // namespace cqlist::cli

}  // namespace cqlist::cli
