// list/fml/settings_map.cpp: the mapping tables from fml4 and fml8 settings to cqlist's.
//
// Every variable config.ph sets ends up in the plan: as a cqlist setting (with the variable it
// came from), or in not_imported with a reason. Defaults fml would use for an unset variable
// are applied where cqlist's default differs (fml adds no subject tag unless asked).
#include "list/fml/settings_map.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "list/settings.hpp"

namespace cqlist::list::fml {
namespace {

// Variables that describe fml's own installation or files, not the list's behaviour.
const std::set<std::string, std::less<>> kInternal = {"CFVersion",
                                                      "debug",
                                                      "DOMAINNAME",
                                                      "FQDN",
                                                      "CPU_TYPE_MANUFACTURER_OS",
                                                      "STRUCT_SOCKADDR",
                                                      "USE_FLOCK",
                                                      "TZone",
                                                      "PGP_PATH",
                                                      "HTML_STYLESHEET_BASENAME",
                                                      "HTML_THREAD_REF_TYPE",
                                                      "AMLIST_NEWSYSLOG_LIMIT",
                                                      "OUTGOING_ADDRESS",
                                                      "MAIL_LIST_ACCEPT_COMMAND",
                                                      "SPOOL_DIR",
                                                      "TMP_DIR",
                                                      "VAR_DIR",
                                                      "VARLOG_DIR",
                                                      "VARRUN_DIR",
                                                      "VARDB_DIR",
                                                      "MEMBER_LIST",
                                                      "ACTIVE_LIST",
                                                      "ADMIN_MEMBER_LIST",
                                                      "SEQUENCE_FILE",
                                                      "SUMMARY_FILE",
                                                      "LOG_MESSAGE_ID",
                                                      "MSEND_RC",
                                                      "PASSWD_FILE",
                                                      "HOST",
                                                      "PORT",
                                                      "LOGFILE",
                                                      "NOTIFY_MAIL_SIZE_OVERFLOW"};

// Variables that cqlist covers without a setting, or does differently on purpose.
struct Known {
  std::string_view name;
  std::string_view reason;
};

constexpr Known kKnown[] = {
    {"CONTROL_ADDRESS",
     "cqlist takes commands at NAME-request@DOMAIN; retire the -ctl alias (see the Postfix "
     "steps)"},
    {"ML_FN", "cqlist names the list in its replies by its address and description"},
    {"PERMIT_COMMAND_FROM",
     "cqlist answers commands from anyone, and member-only commands "
     "(get, index) only for members"},
    {"REJECT_COMMAND_HANDLER",
     "subscribing by mail is always possible in cqlist, and always with a confirmation"},
    {"AUTO_REGISTRATION_TYPE",
     "cqlist always confirms a subscription by mail (like "
     "\"confirmation\")"},
    {"WELCOME_STATEMENT", "cqlist sends its own welcome text"},
    {"REMOTE_ADMINISTRATION",
     "administration by mail (admin/approve with a password) is not "
     "offered; owners use `cqlist` and the web pages"},
    {"REMOTE_ADMINISTRATION_AUTH_TYPE", "see REMOTE_ADMINISTRATION: etc/passwd is not imported"},
    {"REJECT_ADDR",
     "cqlist never distributes mail from system accounts (MAILER-DAEMON, "
     "postmaster) and never answers them"},
    {"ADDR_CHECK_MAX",
     "fml's loose domain matching is not copied: addresses compare case-insensitively only"},
    {"USE_DISTRIBUTE_FILTER",
     "cqlist has no content filter; its loop, size and authenticity "
     "checks replace fml's command-like-body filter"},
    {"FILTER_ATTR_REJECT_COMMAND", "see USE_DISTRIBUTE_FILTER"},
    {"FILTER_ATTR_REJECT_MS_GUID", "see USE_DISTRIBUTE_FILTER"},
    {"USE_MTI", "no traffic throttle in cqlist; Postfix's rate limits apply"},
    {"DATE_TYPE", "cqlist keeps the poster's Date (like original-date)"},
    {"REWRITE_TO", "cqlist leaves To alone (like 0)"},
    {"PASS_ALL_FIELDS_IN_HEADER", "cqlist passes header fields through (like 1)"},
    {"SKIP_FIELDS",
     "cqlist removes its own fixed set of fields (Return-Receipt-To among them is "
     "not removed)"},
    {"XMLCOUNT", "cqlist writes X-Mail-Count with the fml_headers setting"},
    {"XMLNAME", "cqlist writes X-ML-Name: TAG_NAME with the fml_headers setting"},
    {"USE_MIME", "cqlist always decodes MIME subjects (every charset, not only ISO-2022-JP)"},
    {"AUTO_HTML_GEN", "the web archive is cqlist's own (web_url)"},
    {"PRECEDENCE", "cqlist writes Precedence: list"},
    {"USE_RFC2369", "cqlist always adds List-* fields, with an RFC 2919 List-Id"},
    {"MESSAGE_LANGUAGE", "cqlist's notice language follows the language setting"},
};

std::string_view known_reason(std::string_view name) {
  for (const Known& known : kKnown) {
    if (known.name == name) {
      return known.reason;
    }
  }
  if (name.ends_with("_HOOK")) {
    return "Perl hooks are not run by cqlist; redo what it does with cqlist's settings "
           "(footer, reply_to, from_rewrite)";
  }
  return {};
}

class Mapper {
 public:
  explicit Mapper(ImportPlan& plan) : plan_(plan) {}

  // Sets `name` when cqlist accepts `value`; otherwise lists `what` as not imported.
  void set(std::string_view name, std::string_view value, std::string from) {
    auto canonical = validate_setting(name, value);
    if (!canonical) {
      plan_.not_imported.push_back({from, std::string(value), canonical.error().message()});
      return;
    }
    for (MappedSetting& setting : plan_.settings) {
      if (setting.name == name) {
        setting = {std::string(name), *canonical, std::move(from)};
        return;
      }
    }
    plan_.settings.push_back({std::string(name), *canonical, std::move(from)});
  }

  void skip(std::string what, std::string value, std::string reason) {
    plan_.not_imported.push_back({std::move(what), std::move(value), std::move(reason)});
  }

 private:
  ImportPlan& plan_;
};

std::string var(const FmlConfig& config, const std::string& name) {
  auto found = config.scalars.find(name);
  return found == config.scalars.end() ? std::string() : std::string(trim(found->second));
}

std::string from_var(std::string_view name, std::string_view value) {
  return fmt::format("${} = {}", name, value);
}

// "[ID]" and "(ID)" are fml's number-only tags; cqlist calls them "[#]" and "(#)".
std::string tag_type(std::string_view fml_type) {
  if (fml_type == "[ID]") {
    return "[#]";
  }
  if (fml_type == "(ID)") {
    return "(#)";
  }
  return fml_type.empty() ? "none" : std::string(fml_type);
}

void split_address(const std::string& address, ImportPlan& plan) {
  auto at = address.rfind('@');
  if (plan.list_name.empty() && at != std::string::npos && at > 0) {
    plan.list_name = to_ascii_lower(address.substr(0, at));
    plan.list_domain = to_ascii_lower(address.substr(at + 1));
  }
}

}  // namespace

void map_fml4_settings(const FmlConfig& config, ImportPlan& plan) {
  Mapper map(plan);
  std::set<std::string, std::less<>> handled;
  auto take = [&](const std::string& name) {
    handled.insert(name);
    return var(config, name);
  };
  split_address(take("MAIL_LIST"), plan);
  plan.maintainer = take("MAINTAINER");

  const std::string permit = take("PERMIT_POST_FROM");
  if (permit == "anyone") {
    map.set("posting", "open", from_var("PERMIT_POST_FROM", permit));
  } else if (permit == "moderator") {
    map.set("posting", "moderated", from_var("PERMIT_POST_FROM", permit));
  } else {
    map.set("posting", "members",
            from_var("PERMIT_POST_FROM", permit.empty() ? "members_only (default)" : permit));
  }
  const std::string handler = take("REJECT_POST_HANDLER");
  if (handler == "ignore") {
    map.set("non_member", "discard", from_var("REJECT_POST_HANDLER", handler));
  } else {
    map.set("non_member", "reject",
            from_var("REJECT_POST_HANDLER", handler.empty() ? "reject (default)" : handler));
    if (!handler.empty() && handler != "reject") {
      map.skip("$REJECT_POST_HANDLER", handler,
               "cqlist never subscribes a non-member because of a post; their posts are "
               "refused, and they can subscribe by mail");
    }
  }

  const std::string tag = take("SUBJECT_TAG_TYPE");
  map.set("subject_tag", tag_type(tag),
          from_var("SUBJECT_TAG_TYPE", tag.empty() ? "\"\" (fml: no tag)" : tag));
  const std::string bracket = take("BRACKET");
  if (!bracket.empty() && bracket != plan.list_name) {
    map.set("tag_name", bracket, from_var("BRACKET", bracket));
  }
  const std::string long_id = take("SUBJECT_FORM_LONG_ID");
  if (long_id == "-1") {
    map.set("tag_width", "1", from_var("SUBJECT_FORM_LONG_ID", long_id));
  } else if (!long_id.empty() && long_id != "1") {
    map.set("tag_width", long_id, from_var("SUBJECT_FORM_LONG_ID", long_id));
  } else {
    map.set("tag_width", "5", from_var("SUBJECT_FORM_LONG_ID", "\"\" (5 digits)"));
  }
  const std::string xmlname = var(config, "XMLNAME");
  if (!xmlname.empty() || !var(config, "XMLCOUNT").empty()) {
    map.set("fml_headers", "true", from_var("XMLNAME", xmlname));
  }
  const std::string tag_name = bracket.empty() ? plan.list_name : bracket;
  if (auto colon = xmlname.find(':');
      colon != std::string::npos && trim(std::string_view(xmlname).substr(colon + 1)) != tag_name) {
    map.skip("$XMLNAME", xmlname,
             fmt::format("cqlist writes X-ML-Name: {} (the tag name)", tag_name));
  }

  bool reply_to_forced = false;
  for (const MacroCall& call : config.calls) {
    if (call.name == "DEFINE_FIELD_FORCED" && !call.args.empty() &&
        iequals(call.args[0], "reply-to")) {
      const std::string value = call.args.size() > 1 ? call.args[1] : "";
      if (iequals(value, var(config, "MAIL_LIST"))) {
        map.set("reply_to", "list",
                fmt::format("&DEFINE_FIELD_FORCED('reply-to', {}) line {}", value, call.line));
        reply_to_forced = true;
      } else {
        map.skip(fmt::format("&DEFINE_FIELD_FORCED line {}", call.line), value,
                 "cqlist can set Reply-To to the list or the author only");
      }
    } else if (call.name != "DENY_PROCEDURE" && call.name != "PERMIT_PROCEDURE") {
      std::string args;
      for (const std::string& arg : call.args) {
        args += (args.empty() ? "" : ", ") + arg;
      }
      map.skip(fmt::format("&{} line {}", call.name, call.line), args,
               "no cqlist equivalent for this fml macro");
    }
  }
  if (!reply_to_forced) {
    map.set("reply_to", "keep", "fml default: Reply-To kept, set to the list when missing");
    map.skip("Reply-To", "the list address when the poster set none",
             "cqlist keeps the poster's Reply-To or always replaces it (reply_to=list); it "
             "keeps it");
  }

  std::vector<std::string> denied = {"library"};  // fml.pl's built-in default
  for (const MacroCall& call : config.calls) {
    if (call.name == "DENY_PROCEDURE" && !call.args.empty()) {
      denied.push_back(to_ascii_lower(call.args[0]));
    }
  }
  if (std::find(denied.begin(), denied.end(), "members") == denied.end()) {
    map.set("members_command_public", "true", "`members` command not denied in config.ph");
  } else {
    map.set("members_command_public", "false",
            "&DENY_PROCEDURE('members'): the member list is for owners only");
  }

  const std::string size = take("INCOMING_MAIL_SIZE_LIMIT");
  if (!size.empty() && size != "0") {
    map.set("max_message_bytes", size, from_var("INCOMING_MAIL_SIZE_LIMIT", size));
  } else {
    map.skip("$INCOMING_MAIL_SIZE_LIMIT", "(none)",
             "fml had no size limit; cqlist keeps its default limit (max_message_bytes)");
  }
  const std::string language = take("LANGUAGE");
  if (!language.empty()) {
    map.set("language", iequals(language, "Japanese") ? "ja" : "en",
            from_var("LANGUAGE", language));
  }

  for (const auto& [name, value] : config.scalars) {
    if (handled.contains(name) || name == "XMLNAME" || name == "XMLCOUNT" || name == "MAINTAINER") {
      if (name == "XMLCOUNT" && value != "X-Mail-Count") {
        map.skip("$XMLCOUNT", value, "cqlist's article number field is X-Mail-Count");
      }
      continue;
    }
    if (kInternal.contains(name)) {
      continue;
    }
    std::string_view reason = known_reason(name);
    map.skip("$" + name, value.substr(0, 120),
             reason.empty() ? "no cqlist equivalent" : std::string(reason));
  }
  for (const auto& [name, values] : config.arrays) {
    std::string joined;
    for (const std::string& value : values) {
      joined += (joined.empty() ? "" : " ") + value;
    }
    map.skip("@" + name, joined,
             name == "MAIL_LIST_ALIASES" ? "other posting addresses: add them as Postfix "
                                           "aliases of the list address"
                                         : "no cqlist equivalent");
  }
  for (const UnreadStatement& statement : config.unread) {
    map.skip(fmt::format("config.ph line {}", statement.line), statement.text,
             "not understood without perl (install perl and import again to evaluate it)");
  }
}

void map_fml8_settings(const Fml8Config& config, ImportPlan& plan) {
  Mapper map(plan);
  std::string post = config.get("article_post_address");
  if (post.empty()) {
    post = config.get("address_for_post");
  }
  if (post.empty() && config.has("ml_name")) {
    post = config.get("ml_name") + "@" + config.get("ml_domain");
  }
  split_address(post, plan);
  plan.maintainer = config.get("maintainer");
  const std::string restrictions = config.get("article_post_restrictions");
  if (restrictions.find("permit_anyone") != std::string::npos) {
    map.set("posting", "open", "article_post_restrictions = " + restrictions);
  } else if (restrictions.find("moderator") != std::string::npos) {
    map.set("posting", "moderated", "article_post_restrictions = " + restrictions);
  } else {
    map.set(
        "posting", "members",
        "article_post_restrictions = " + (restrictions.empty() ? "(fml8 default)" : restrictions));
  }
  map.set("non_member", "reject", "fml8 rejects posts of non-members");
  const std::string tag = config.get("article_subject_tag");
  const bool tagging =
      config.has("article_subject_tag") &&
      config.get("article_header_rewrite_rules").find("rewrite_article_subject_tag") !=
          std::string::npos;
  if (!tagging || tag.empty()) {
    map.set("subject_tag", "none", "article_subject_tag not in article_header_rewrite_rules");
  } else {
    // "[$ml_name:%05d]": bracket kind, separator, name and width out of the sprintf format.
    const auto percent = tag.find('%');
    const char open = tag.front();
    std::string type = "none";
    std::size_t width = 5;
    if (percent != std::string::npos) {
      std::size_t digits = percent + 1;
      while (digits < tag.size() && (tag[digits] == '0')) {
        ++digits;
      }
      width = std::strtoul(tag.c_str() + digits, nullptr, 10);
      const char separator = percent > 1 ? tag[percent - 1] : open;
      std::string name = tag.substr(1, percent > 2 ? percent - 2 : 0);
      type = percent == 1 ? std::string(1, open) + "#" + (open == '(' ? ")" : "]")
                          : std::string(1, open) + separator + (open == '(' ? ")" : "]");
      if (percent > 1 && !name.empty() && name != plan.list_name) {
        map.set("tag_name", name, "article_subject_tag = " + tag);
      }
    }
    map.set("subject_tag", type, "article_subject_tag = " + tag);
    map.set("tag_width", std::to_string(width == 0 ? 1 : width), "article_subject_tag = " + tag);
  }
  map.set("fml_headers", "true", "fml8 adds X-ML-Name and X-Mail-Count by default");
  const std::string size = config.get("incoming_article_body_size_limit");
  if (!size.empty()) {
    map.set("max_message_bytes", size, "incoming_article_body_size_limit = " + size);
  }
  const std::string language = config.get("language_default", config.get("template_file_charset"));
  if (iequals(language, "ja") || iequals(language, "japanese")) {
    map.set("language", "ja", "language_default = " + language);
  }
  map.set("reply_to", "keep", "fml8 default: Reply-To kept, set to the list when missing");
  static const std::set<std::string, std::less<>> kUsed = {"article_post_address",
                                                           "address_for_post",
                                                           "ml_name",
                                                           "ml_domain",
                                                           "maintainer",
                                                           "article_post_restrictions",
                                                           "article_subject_tag",
                                                           "article_header_rewrite_rules",
                                                           "incoming_article_body_size_limit",
                                                           "language_default"};
  for (const auto& [key, value] : config.values) {
    if (!kUsed.contains(key)) {
      map.skip(key, config.get(key).substr(0, 120), "no cqlist equivalent");
    }
  }
  if (config.has_hooks) {
    map.skip("config.cf after =cut", "Perl hooks", "Perl hooks are not run by cqlist");
  }
}

}  // namespace cqlist::list::fml
