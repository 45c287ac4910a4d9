// list/fml/import_plan.hpp: everything `cqlist import-fml` would do, as a value.
//
// Owns: reading an fml4 or fml8 list directory into one ImportPlan (the list, its settings
// with the fml variable each came from, members with their fml state and cqlist row, articles,
// the Message-ID cache, aliases to retire, and every fml setting that does not carry over with
// the reason), its JSON form (--json, --dry-run), and applying it: article files copied
// durably into the archive first, then the store written in one transaction.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "list/archive.hpp"
#include "list/fml/member_files.hpp"
#include "list/fml/spool.hpp"
#include "store/store.hpp"

namespace cqlist::list::fml {

struct MappedSetting {
  std::string name;   // cqlist setting
  std::string value;  // canonical
  std::string from;   // "$SUBJECT_TAG_TYPE = [:]"
};

// An fml setting, file or entry that does not carry over, and why.
struct NotImported {
  std::string what;  // "$USE_MTI", "spamlist", "var/log/confirm"
  std::string value;
  std::string reason;
};

struct PlannedMember {
  FmlMember fml;
  store::MemberRow row;  // list_id unset
};

struct AliasLine {
  std::string name;
  std::string target;
};

struct ImportPlan {
  std::string fml_version;  // "fml4" or "fml8"
  std::filesystem::path source_dir;
  std::string fml_home;       // $DIR as fml knew it (from the include files)
  std::string config_reader;  // "perl" or "static reader"
  std::string list_name;
  std::string list_domain;
  std::string maintainer;
  std::vector<MappedSetting> settings;
  std::vector<PlannedMember> members;
  std::vector<std::string> unsubscribed;
  Spool spool;
  std::vector<std::string> message_ids;
  std::vector<AliasLine> aliases;
  std::vector<NotImported> not_imported;
  std::vector<std::string> warnings;

  std::string list_address() const { return list_name + "@" + list_domain; }

  std::map<std::string, std::string> setting_map() const;
};

struct ReadOptions {
  std::string list_address;   // NAME@DOMAIN overriding the one in the configuration
  std::string perl = "perl";  // "" reads config.ph without perl
};

// Errc::not_found / Errc::io naming a missing or unreadable file, Errc::bad_syntax naming the
// file and line of input that does not read. Nothing is changed anywhere.
Result<ImportPlan> read_fml_list(const std::filesystem::path& dir, const ReadOptions& options);

std::string plan_json(const ImportPlan& plan);
std::string plan_text(const ImportPlan& plan);

struct ImportOutcome {
  store::ListRow list;
  std::size_t articles = 0;
  std::filesystem::path archive_dir;
};

// Copies the articles into `archive` (durably, bytes unchanged), then creates the list in one
// store transaction. Errc::already_exists, before any file is written, when the list exists;
// on any failure the store is unchanged and the copied files are removed again.
Result<ImportOutcome> apply_import(const ImportPlan& plan, store::Store& store, Archive& archive);

}  // namespace cqlist::list::fml
