// doctor/render.cpp: the text layout of findings and of the publish block.
#include "doctor/render.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace cqlist::doctor {
namespace {

struct Labels {
  const char* found;
  const char* why;
  const char* fix;
  const char* remove;
  const char* rule;
  const char* source;
  const char* verify;
  const char* trace;
};

const Labels& labels(Language language) {
  static const Labels en{"Found   ", "Why     ", "Fix     ", "Remove  ",
                         "Rule    ", "Source  ", "Verify  ", "Trace   "};
  static const Labels ja{"現状    ", "理由    ", "対処    ", "削除    ",
                         "根拠    ", "出典    ", "確認    ", "評価経過"};
  return language == Language::ja ? ja : en;
}

void add_lines(std::string& out, const char* label, const std::vector<std::string>& lines) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += fmt::format("  {} {}\n", i == 0 ? label : "        ", lines[i]);
  }
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    out += (out.empty() ? "" : std::string(separator)) + part;
  }
  return out;
}

}  // namespace

std::string render_finding(const Finding& finding, Language language) {
  const Labels& label = labels(language);
  std::string out = fmt::format("[{}] {:<8} {}  ({})\n", severity_name(finding.severity),
                                finding.id, finding.title.in(language), finding.subject);
  if (finding.severity == Severity::pass) {
    return out;
  }
  add_lines(out, label.found, finding.found);
  if (!finding.why.empty()) {
    add_lines(out, label.why, {finding.why.in(language)});
  }
  if (!finding.fix.empty()) {
    std::vector<std::string> fix;
    if (!finding.fix.summary.empty()) {
      fix.push_back(finding.fix.summary.in(language));
    }
    for (const DnsRecord& record : finding.fix.records_add) {
      fix.push_back("  " + record.zone_line());
    }
    for (const std::string& command : finding.fix.commands) {
      fix.push_back("  " + command);
    }
    if (!finding.fix.note.empty()) {
      fix.push_back(finding.fix.note.in(language));
    }
    add_lines(out, label.fix, fix);
    std::vector<std::string> remove;
    for (const DnsRecord& record : finding.fix.records_remove) {
      remove.push_back(record.zone_line());
    }
    add_lines(out, label.remove, remove);
  }
  if (!finding.rules.empty()) {
    add_lines(out, label.rule, {joined(finding.rules, "; ")});
  }
  if (!finding.source.empty()) {
    add_lines(out, label.source, {finding.source});
  }
  if (!finding.verify.empty() &&
      (finding.severity == Severity::fail || finding.severity == Severity::warn)) {
    add_lines(out, label.verify, {finding.verify.in(language)});
  }
  if (!finding.trace.empty()) {
    std::vector<std::string> lines;
    std::string_view rest = finding.trace;
    while (!rest.empty()) {
      const std::size_t end = rest.find('\n');
      lines.emplace_back(rest.substr(0, end));
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    }
    add_lines(out, label.trace, lines);
  }
  return out;
}

std::string render_summary(const std::vector<Finding>& findings, Language language) {
  auto count = [&](Severity severity) {
    return std::count_if(findings.begin(), findings.end(),
                         [&](const Finding& f) { return f.severity == severity; });
  };
  if (language == Language::ja) {
    return fmt::format("結果: FAIL {} 件、WARN {} 件、INFO {} 件、PASS {} 件\n",
                       count(Severity::fail), count(Severity::warn), count(Severity::info),
                       count(Severity::pass));
  }
  return fmt::format("Summary: {} FAIL, {} WARN, {} INFO, {} PASS\n", count(Severity::fail),
                     count(Severity::warn), count(Severity::info), count(Severity::pass));
}

std::string render_publish_block(const std::vector<Finding>& findings, Language language) {
  const bool ja = language == Language::ja;
  std::vector<DnsRecord> zone;
  std::vector<DnsRecord> provider;
  for (const DnsRecord& record : records_to_publish(findings)) {
    (record.at_provider ? provider : zone).push_back(record);
  }
  std::vector<DnsRecord> removed;
  std::vector<std::string> commands;
  for (const Finding& finding : findings) {
    // INFO advice is optional: its commands stay with the finding, not in the to-do block.
    if (finding.severity == Severity::pass || finding.severity == Severity::info) {
      continue;
    }
    for (const DnsRecord& record : finding.fix.records_remove) {
      if (std::find(removed.begin(), removed.end(), record) == removed.end()) {
        removed.push_back(record);
      }
    }
    for (const std::string& command : finding.fix.commands) {
      if (std::find(commands.begin(), commands.end(), command) == commands.end()) {
        commands.push_back(command);
      }
    }
  }
  if (zone.empty() && provider.empty() && removed.empty() && commands.empty()) {
    return {};
  }
  std::string out = ja ? "== 公開するレコード ==\n" : "== Records to publish ==\n";
  if (!removed.empty()) {
    out += ja ? "次のレコードを削除してください:\n" : "Remove these records:\n";
    for (const DnsRecord& record : removed) {
      out += "  " + record.zone_line() + "\n";
    }
  }
  if (!zone.empty()) {
    out += ja ? "次のレコードをあなたのゾーンに追加してください:\n"
              : "Add these records to your zone:\n";
    for (const DnsRecord& record : zone) {
      out += "  " + record.zone_line() + "\n";
    }
  }
  if (!provider.empty()) {
    out += ja ? "次の逆引き（PTR）は、IP アドレスの管理者（VPS "
                "事業者の管理画面など）で設定してください:\n"
              : "Set these reverse DNS (PTR) records where the address is managed (your VPS "
                "provider's panel), not in your zone:\n";
    for (const DnsRecord& record : provider) {
      out += "  " + record.zone_line() + "\n";
    }
  }
  if (!commands.empty()) {
    out += ja ? "メールサーバーで次のコマンドを実行してください:\n"
              : "Run these commands on the mail server:\n";
    for (const std::string& command : commands) {
      out += "  " + command + "\n";
    }
  }
  return out;
}

std::string render_report(const std::vector<Finding>& findings, Language language) {
  std::string out;
  for (const Finding& finding : findings) {
    out += render_finding(finding, language);
    if (finding.severity != Severity::pass) {
      out += "\n";
    }
  }
  if (std::string block = render_publish_block(findings, language); !block.empty()) {
    out += "\n" + block;
  }
  out += "\n" + render_summary(findings, language);
  return out;
}

}  // namespace cqlist::doctor
