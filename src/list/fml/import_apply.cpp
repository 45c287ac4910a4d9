// list/fml/import_apply.cpp: the articles into the archive, then the list into the store.
//
// Order matters for "all or nothing": the article files are written (each durably) before the
// store transaction that makes the list exist, so a crash in between leaves files nobody points
// to and no list, and the import can simply run again. A failure removes the copied files.
#include <system_error>

#include <fmt/format.h>

#include "base/file.hpp"
#include "base/log.hpp"
#include "list/fml/import_plan.hpp"

namespace cqlist::list::fml {
namespace {

void remove_copies(const std::vector<std::filesystem::path>& files) {
  for (const auto& file : files) {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
  }
}

}  // namespace

Result<ImportOutcome> apply_import(const ImportPlan& plan, store::Store& store, Archive& archive) {
  auto existing = store.find_list(plan.list_name, plan.list_domain);
  if (existing) {
    return fail(Errc::already_exists,
                fmt::format("the list {} exists already, so nothing was imported (an import "
                            "is never merged into a list; `cqlist list delete {} --yes` first "
                            "to import it again)",
                            existing->address(), existing->address()));
  }
  if (existing.error().code() != Errc::not_found) {
    return fail(existing.error());
  }
  store::ListImport import;
  import.name = plan.list_name;
  import.domain = plan.list_domain;
  import.settings = plan.setting_map();
  for (const PlannedMember& member : plan.members) {
    import.members.push_back(member.row);
  }
  import.last_article = plan.spool.last_article;
  import.message_ids = plan.message_ids;
  import.message_ids_seen_at = store::Clock::now();

  store::ListRow target;  // for the archive's paths before the list has an id
  target.name = plan.list_name;
  target.domain = plan.list_domain;
  std::vector<std::filesystem::path> copied;
  for (const SpoolArticle& article : plan.spool.articles) {
    auto bytes = read_file(article.file);
    if (bytes && bytes->size() != article.bytes) {
      bytes = fail(Errc::io, fmt::format("{} changed while importing", article.file.string()));
    }
    if (bytes) {
      auto written = archive.write(target, article.number, *bytes);
      if (!written) {
        bytes = fail(written.error());
      }
    }
    if (!bytes) {
      remove_copies(copied);
      return fail(std::move(bytes.error()).with_context("copying the spool into the archive"));
    }
    copied.push_back(archive.path(target, article.number));
    store::PostRow post;
    post.article = article.number;
    post.message_id = article.message_id;
    post.from = article.from;
    post.subject = article.subject;
    post.received_at = article.date;
    import.articles.push_back(std::move(post));
  }
  auto created = store.import_list(import);
  if (!created) {
    remove_copies(copied);
    return fail(created.error());
  }
  log::info("fml.imported", {{"list", created->address()},
                             {"source", plan.source_dir.string()},
                             {"members", std::to_string(import.members.size())},
                             {"articles", std::to_string(import.articles.size())},
                             {"last_article", std::to_string(import.last_article)}});
  return ImportOutcome{*created, import.articles.size(), archive.path(*created, 1).parent_path()};
}

}  // namespace cqlist::list::fml
