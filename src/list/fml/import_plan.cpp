// list/fml/import_plan.cpp: reading an fml list directory into an ImportPlan.
#include "list/fml/import_plan.hpp"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "list/fml/config_cf.hpp"
#include "list/fml/config_ph.hpp"
#include "list/fml/settings_map.hpp"

namespace cqlist::list::fml {
namespace {

namespace fs = std::filesystem;

// A list file that may be absent (fml creates them on first use); a present one must read.
Result<std::vector<MemberLine>> optional_list(const fs::path& file) {
  if (!fs::exists(file)) {
    return std::vector<MemberLine>();
  }
  return read_member_file(file);
}

Result<std::string> optional_text(const fs::path& file) {
  if (!fs::exists(file)) {
    return std::string();
  }
  return read_file(file);
}

// $DIR as fml knew it: the first argument of fml.pl (or fml8's program) in `include`.
std::string fml_home_of(const fs::path& dir) {
  auto text = read_file(dir / "include");
  if (text) {
    for (std::string_view line : {std::string_view(*text)}) {
      auto pipe = line.find('|');
      while (pipe != std::string_view::npos) {
        std::string_view rest = line.substr(pipe + 1);
        rest = rest.substr(0, rest.find_first_of("\"\n"));
        std::vector<std::string_view> words;
        for (std::size_t at = 0; at < rest.size();) {
          std::size_t end = std::min(rest.find(' ', at), rest.size());
          if (end > at) {
            words.push_back(rest.substr(at, end - at));
          }
          at = end + 1;
        }
        for (std::size_t i = 1; i < words.size(); ++i) {
          if (words[i].starts_with("/")) {
            return std::string(words[i]);
          }
        }
        pipe = line.find('|', pipe + 1);
      }
    }
  }
  std::error_code error;
  return fs::absolute(dir, error).lexically_normal().string();
}

std::vector<AliasLine> read_aliases(std::string_view text) {
  std::vector<AliasLine> aliases;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = trim(text.substr(at, end - at));
    at = end + 1;
    auto colon = line.find(':');
    if (line.empty() || line.front() == '#' || colon == std::string_view::npos) {
      continue;
    }
    aliases.push_back(
        {std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
  }
  return aliases;
}

store::MemberRow row_of(const FmlMember& member) {
  store::MemberRow row;
  row.address = member.address;
  row.role = member.admin       ? store::Role::owner
             : member.moderator ? store::Role::moderator
                                : store::Role::member;
  row.may_post = member.can_post;
  row.receives = member.delivery != Delivery::skip && member.delivery != Delivery::none;
  row.mode = member.delivery == Delivery::off      ? store::DeliveryMode::nomail
             : member.delivery == Delivery::digest ? store::DeliveryMode::digest
                                                   : store::DeliveryMode::regular;
  row.subscribed_at = store::Clock::now();
  return row;
}

Result<MemberFiles> read_fml4_members(const fs::path& dir, const FmlConfig& config,
                                      ImportPlan& plan) {
  MemberFiles files;
  CQLIST_TRY(files.members, read_member_file(dir / "members"));
  const std::string handler = config.scalars.contains("REJECT_POST_HANDLER")
                                  ? config.scalars.at("REJECT_POST_HANDLER")
                                  : std::string();
  if (fs::exists(dir / "actives_is_dummy_when_auto_regist") || handler == "auto_regist" ||
      handler == "autoregist") {
    // fml 2.x style: members is also the delivery list, with the actives syntax.
    files.recipients = files.members;
    plan.warnings.push_back("auto_regist list: members is read as the delivery list too");
  } else {
    CQLIST_TRY(files.recipients, read_member_file(dir / "actives"));
  }
  CQLIST_TRY(files.admins, optional_list(dir / "members-admin"));
  CQLIST_TRY(files.moderators, optional_list(dir / "moderators"));
  CQLIST_TRY(std::string msendrc, optional_text(dir / "var" / "log" / "msendrc"));
  files.digest_next = read_msendrc(msendrc);
  return files;
}

Result<MemberFiles> read_fml8_members(const fs::path& dir) {
  MemberFiles files;
  CQLIST_TRY(files.members, read_member_file(dir / "members"));
  CQLIST_TRY(files.recipients, read_member_file(dir / "recipients"));
  CQLIST_TRY(files.admins, optional_list(dir / "members-admin"));
  CQLIST_TRY(files.moderators, optional_list(dir / "members-moderator"));
  CQLIST_TRY(files.digest_recipients, optional_list(dir / "recipients-digest"));
  return files;
}

Result<void> note_leftovers(const fs::path& dir, ImportPlan& plan) {
  CQLIST_TRY(std::vector<MemberLine> spam, optional_list(dir / "spamlist"));
  for (const MemberLine& line : spam) {
    plan.not_imported.push_back({"spamlist", line.address,
                                 "cqlist has no per-list block list; refuse the address in "
                                 "Postfix (check_sender_access) if still needed"});
  }
  if (fs::exists(dir / "etc" / "passwd") || fs::exists(dir / "etc" / "passwd-admin")) {
    plan.not_imported.push_back({"etc/passwd", "remote administration passwords",
                                 "administration by mail is not offered by cqlist"});
  }
  CQLIST_TRY(std::string confirm, optional_text(dir / "var" / "log" / "confirm"));
  for (std::size_t at = 0; at < confirm.size();) {
    std::size_t end = std::min(confirm.find('\n', at), confirm.size());
    std::string_view line = trim(std::string_view(confirm).substr(at, end - at));
    at = end + 1;
    if (!line.empty()) {
      plan.not_imported.push_back(
          {"var/log/confirm", std::string(line),
           "pending subscriptions are not carried over: the person subscribes again"});
    }
  }
  for (std::string_view file : {"help", "guide", "objective", "welcome", "deny", "confirm"}) {
    if (fs::exists(dir / file)) {
      plan.not_imported.push_back({std::string(file), "text file",
                                   "cqlist sends its own texts; copy anything important into "
                                   "the list's description or web pages"});
    }
  }
  return {};
}

}  // namespace

std::map<std::string, std::string> ImportPlan::setting_map() const {
  std::map<std::string, std::string> values;
  for (const MappedSetting& setting : settings) {
    values[setting.name] = setting.value;
  }
  return values;
}

Result<ImportPlan> read_fml_list(const fs::path& dir, const ReadOptions& options) {
  if (!fs::is_directory(dir)) {
    return fail(Errc::not_found, fmt::format("{} is not a directory; give the fml list's directory "
                                             "(e.g. /var/spool/ml/NAME)",
                                             dir.string()));
  }
  ImportPlan plan;
  plan.source_dir = dir;
  plan.fml_home = fml_home_of(dir);
  if (!options.list_address.empty()) {
    auto at = options.list_address.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == options.list_address.size()) {
      return fail(
          Errc::invalid_argument,
          fmt::format("--list {}: give the list address as NAME@DOMAIN", options.list_address));
    }
    plan.list_name = to_ascii_lower(options.list_address.substr(0, at));
    plan.list_domain = to_ascii_lower(options.list_address.substr(at + 1));
  }
  MemberFiles files;
  if (fs::exists(dir / "config.ph")) {
    plan.fml_version = "fml4";
    CQLIST_TRY(FmlConfig config, read_config_ph(dir / "config.ph", plan.fml_home, options.perl));
    plan.config_reader = config.evaluated_by_perl ? "perl" : "static reader";
    map_fml4_settings(config, plan);
    CQLIST_TRY(files, read_fml4_members(dir, config, plan));
  } else if (fs::exists(dir / "config.cf")) {
    plan.fml_version = "fml8";
    plan.config_reader = "config.cf";
    CQLIST_TRY(std::string text, read_file(dir / "config.cf"));
    CQLIST_TRY(Fml8Config config, parse_config_cf(text, (dir / "config.cf").string()));
    map_fml8_settings(config, plan);
    CQLIST_TRY(files, read_fml8_members(dir));
  } else {
    return fail(Errc::not_found,
                fmt::format("{} has neither config.ph (fml4) nor config.cf (fml8); is it an "
                            "fml list directory?",
                            dir.string()));
  }
  if (plan.list_name.empty()) {
    return fail(Errc::invalid_argument,
                fmt::format("the list address is not set in {}; give it with --list "
                            "NAME@DOMAIN",
                            dir.string()));
  }
  MergedMembers merged = merge_members(files);
  for (FmlMember& member : merged.members) {
    if (member.delivery == Delivery::digest) {
      plan.not_imported.push_back(
          {"digest " + member.address, member.digest_params,
           "cqlist sends digests on the list's own schedule; fml's interval and format "
           "options are not kept"});
    }
    store::MemberRow row = row_of(member);
    plan.members.push_back({std::move(member), std::move(row)});
  }
  plan.unsubscribed = std::move(merged.unsubscribed);
  plan.warnings.insert(plan.warnings.end(), merged.warnings.begin(), merged.warnings.end());

  CQLIST_TRY(plan.spool, read_spool(dir));
  plan.warnings.insert(plan.warnings.end(), plan.spool.warnings.begin(), plan.spool.warnings.end());
  for (const fs::path& cache :
       {dir / "var" / "run" / "msgidcache", dir / "var" / "log" / "msgidcache"}) {
    for (std::string_view suffix : {"", ".0", ".1", ".2", ".3", ".4"}) {
      CQLIST_TRY(std::string text, optional_text(cache.string() + std::string(suffix)));
      for (std::string& id : read_message_id_cache(text)) {
        plan.message_ids.push_back(std::move(id));
      }
    }
  }
  for (const SpoolArticle& article : plan.spool.articles) {
    if (!article.message_id.empty()) {
      plan.message_ids.push_back(article.message_id);
    }
  }
  std::sort(plan.message_ids.begin(), plan.message_ids.end());
  plan.message_ids.erase(std::unique(plan.message_ids.begin(), plan.message_ids.end()),
                         plan.message_ids.end());
  CQLIST_TRY(std::string aliases, optional_text(dir / "aliases"));
  plan.aliases = read_aliases(aliases);
  CQLIST_TRY_VOID(note_leftovers(dir, plan));
  return plan;
}

}  // namespace cqlist::list::fml
