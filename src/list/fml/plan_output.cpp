// list/fml/plan_output.cpp: the import plan for people (--dry-run) and as JSON (--json).
#include <fmt/format.h>

#include "list/fml/import_plan.hpp"

namespace cqlist::list::fml {
namespace {

std::string json(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

template <class T, class F>
std::string array(const std::vector<T>& items, F&& each) {
  std::string out = "[";
  for (const T& item : items) {
    out += (out.size() > 1 ? "," : "") + each(item);
  }
  return out + "]";
}

std::string member_json(const PlannedMember& member) {
  const FmlMember& fml = member.fml;
  return fmt::format(
      R"({{"address":{},"can_post":{},"delivery":{},"digest_params":{},"digest_next_article":{},)"
      R"("admin":{},"moderator":{},"comment":{},"source":{},"role":{},"mode":{},"receives":{},)"
      R"("may_post":{}}})",
      json(fml.address), fml.can_post, json(delivery_name(fml.delivery)), json(fml.digest_params),
      fml.digest_next_article ? std::to_string(*fml.digest_next_article) : "null", fml.admin,
      fml.moderator, json(fml.comment), json(fml.source), json(store::role_name(member.row.role)),
      json(store::delivery_mode_name(member.row.mode)), member.row.receives, member.row.may_post);
}

std::string article_json(const SpoolArticle& article) {
  return fmt::format(R"({{"id":{},"file":{},"bytes":{},"message_id":{},"from":{},"subject":{}}})",
                     article.number, json(article.file.string()), article.bytes,
                     json(article.message_id), json(article.from), json(article.subject));
}

std::string strings_json(const std::vector<std::string>& items) {
  return array(items, [](const std::string& item) { return json(item); });
}

}  // namespace

std::string plan_json(const ImportPlan& plan) {
  std::string out = "{";
  out +=
      fmt::format(R"("fml_version":{},"source_dir":{},"fml_home":{},"config_reader":{},"list":{},)"
                  R"("maintainer":{},)",
                  json(plan.fml_version), json(plan.source_dir.string()), json(plan.fml_home),
                  json(plan.config_reader), json(plan.list_address()), json(plan.maintainer));
  out += R"("settings":)" + array(plan.settings, [](const MappedSetting& s) {
           return fmt::format(R"({{"name":{},"value":{},"from":{}}})", json(s.name), json(s.value),
                              json(s.from));
         });
  out += R"(,"members":)" + array(plan.members, member_json);
  out += R"(,"unsubscribed":)" + strings_json(plan.unsubscribed);
  out += fmt::format(R"(,"sequence":{{"seq_file_value":{},"last_article":{},"next_article":{}}})",
                     plan.spool.seq, plan.spool.last_article, plan.spool.last_article + 1);
  out += R"(,"articles":)" + array(plan.spool.articles, article_json);
  out += R"(,"message_ids":)" + strings_json(plan.message_ids);
  out += R"(,"aliases":)" + array(plan.aliases, [](const AliasLine& a) {
           return fmt::format(R"({{"name":{},"target":{}}})", json(a.name), json(a.target));
         });
  out += R"(,"not_imported":)" + array(plan.not_imported, [](const NotImported& n) {
           return fmt::format(R"({{"what":{},"value":{},"reason":{}}})", json(n.what),
                              json(n.value), json(n.reason));
         });
  out += R"(,"warnings":)" + strings_json(plan.warnings);
  return out + "}";
}

std::string plan_text(const ImportPlan& plan) {
  std::string out = fmt::format(
      "Import of the {} list in {} (config read by {})\n  list       {}\n  maintainer {}\n",
      plan.fml_version, plan.source_dir.string(), plan.config_reader, plan.list_address(),
      plan.maintainer);
  out += "\nSettings:\n";
  for (const MappedSetting& setting : plan.settings) {
    out += fmt::format("  {} = {}    (from {})\n", setting.name, setting.value, setting.from);
  }
  out += fmt::format("\nMembers ({}):\n", plan.members.size());
  for (const PlannedMember& member : plan.members) {
    out += fmt::format(
        "  {:<32} fml: {}{}{}{}  ->  {}, {}{}{}\n", member.fml.address,
        delivery_name(member.fml.delivery), member.fml.can_post ? ", may post" : ", may not post",
        member.fml.admin ? ", admin" : "", member.fml.moderator ? ", moderator" : "",
        store::role_name(member.row.role), store::delivery_mode_name(member.row.mode),
        member.row.receives ? "" : ", receives nothing",
        member.row.may_post ? "" : ", may not post");
  }
  for (const std::string& address : plan.unsubscribed) {
    out += fmt::format("  {:<32} unsubscribed in fml (##BYE): not imported\n", address);
  }
  const auto& articles = plan.spool.articles;
  out += fmt::format("\nArticles: {} ({}), seq {}; the next post gets {}\n", articles.size(),
                     articles.empty()
                         ? std::string("none")
                         : fmt::format("{}-{}", articles.front().number, articles.back().number),
                     plan.spool.seq, plan.spool.last_article + 1);
  out += fmt::format("Message-ID cache: {} ids\n", plan.message_ids.size());
  if (!plan.not_imported.empty()) {
    out += "\nNot imported:\n";
    for (const NotImported& item : plan.not_imported) {
      out += fmt::format("  {} = {}\n      {}\n", item.what, item.value, item.reason);
    }
  }
  for (const std::string& warning : plan.warnings) {
    out += fmt::format("warning: {}\n", warning);
  }
  return out;
}

}  // namespace cqlist::list::fml
