// cli/explain.cpp: `cqlist explain FILE|-`: a bounce message or a pasted rejection text in
// plain words (who answered, why, whose problem it is), then the doctor checks that bounce
// points to, with the concrete fix.
//
// The classification is the bounce processor's (bounce/classify.hpp): one pattern table for
// both. Exit codes: with a domain to check, the doctor's (2 fail, 1 warn, 0 clean); without,
// 0; 66 when the input cannot be read, 65 when it holds no reply at all.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "bounce/classify.hpp"
#include "bounce/parse.hpp"
#include "cli/commands.hpp"
#include "cli/doctor_inputs.hpp"
#include "cli/json_text.hpp"
#include "cli/resolver_option.hpp"
#include "doctor/render.hpp"
#include "mail/smtp_reply.hpp"

namespace cqlist::cli {
namespace {

struct ExplainArgs {
  std::string input;
  DoctorArgs doctor;
  ResolverArgs resolver;
  std::string lang = "en";
  bool json = false;
};

struct Explained {
  bounce::Classification classification;
  std::string text;  // the reply as the receiver wrote it, unwrapped
  std::string recipient;
};

// The doctor groups that bear on an advice key.
std::vector<std::string> groups_for(const Explained& explained) {
  const std::string& advice = explained.classification.advice;
  std::vector<std::string> groups;
  if (advice == "authentication") {
    groups = {"OUT", "SPF", "DKIM", "DMARC", "PTR"};
  } else if (advice == "ptr") {
    groups = {"OUT", "PTR"};
  } else if (advice == "reputation") {
    groups = {"OUT", "PTR", "SPF", "DKIM", "DMARC", "LIST", "VOL", "REP"};
  } else if (advice == "rate") {
    groups = {"VOL"};
  } else if (advice == "tls") {
    groups = {"TLS"};
  } else if (advice == "sender") {
    groups = {"SPF", "DNS", "LIST"};
  }
  const std::string lower = to_ascii_lower(explained.text);
  // A DMARC refusal of a poster's domain is fixed by the list's From handling.
  if (lower.find("dmarc") != std::string::npos) {
    groups.insert(groups.end(), {"LIST", "DMARC"});
  }
  // A refusal naming a blocklist is about the egress addresses' listings (REP-01).
  if (lower.find("spamhaus") != std::string::npos || lower.find("blocklist") != std::string::npos ||
      lower.find("blacklist") != std::string::npos) {
    groups.push_back("REP");
  }
  // An IPv6 rejection is about the IPv6 path whatever the code says.
  if (lower.find("ipv6") != std::string::npos) {
    groups.insert(groups.end(), {"OUT", "PTR", "SPF", "DKIM"});
  }
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  return groups;
}

// What the receiver meant, in plain words, by advice key.
doctor::Localized meaning(const bounce::Classification& c) {
  const std::string& advice = c.advice;
  if (advice == "authentication") {
    return {
        "the receiver could not confirm that your server may send for the list's domain: "
        "SPF did not pass for the address it connected from, and there was no valid DKIM "
        "signature of the list's domain (or DMARC failed).",
        "受信側は、あなたのサーバーがリストのドメインで送信してよいことを確認できません"
        "でした。接続元アドレスで SPF が通らず、リストのドメインの有効な DKIM "
        "署名もありませんでした（または DMARC が失敗しました）。"};
  }
  if (advice == "ptr") {
    return {
        "the address your server connected from has no reverse DNS name (PTR), or the name "
        "does not lead back to the address; over IPv6, Gmail also wants SPF or DKIM to pass.",
        "サーバーの接続元アドレスに逆引き（PTR）が無いか、その名前が同じアドレスに"
        "戻りません。IPv6 では、Gmail はさらに SPF か DKIM の通過を求めます。"};
  }
  if (advice == "reputation") {
    return {
        "the receiver distrusts mail from your server or domain (complaints, volume, or "
        "weak authentication). Fix authentication first; unauthenticated mail is judged "
        "most harshly.",
        "受信側はあなたのサーバーやドメインからのメールを信用していません（苦情、送信量、"
        "認証の不足など）。まず認証を直してください。認証のないメールが最も厳しく扱われます。"};
  }
  if (advice == "rate") {
    return {"too much mail arrived too fast; the receiver is throttling your server.",
            "短時間に多くのメールが届いたため、受信側が受け取りを制限しています。"};
  }
  if (advice == "tls") {
    return {"the receiver requires the connection to be encrypted with TLS.",
            "受信側は TLS で暗号化された接続を求めています。"};
  }
  if (advice == "sender") {
    return {"the receiver refused the list's envelope sender address or its domain.",
            "受信側はリストのエンベロープ送信者アドレス、またはそのドメインを拒否しました。"};
  }
  if (c.side == bounce::Side::recipient) {
    return {"the mailbox cannot take the mail (it does not exist, is full or is disabled).",
            "宛先のメールボックスがメールを受け取れません（存在しない、満杯、停止中など）。"};
  }
  return {"the text does not say more than the status code.",
          "この文面からは状態コード以上のことは分かりません。"};
}

doctor::Localized whose_problem(const bounce::Classification& c) {
  switch (c.side) {
    case bounce::Side::recipient:
      return {
          "the member's mailbox or domain. Nothing to fix on the list's side; cqlist counts "
          "it toward the member's bounce score.",
          "メンバーのメールボックスやドメインの問題です。リスト側で直すことはありません。"
          "cqlist はこのメンバーのバウンス点数に加算します。"};
    case bounce::Side::sender:
      return {
          "the list's own sending setup (authentication, reverse DNS or reputation). It "
          "affects every member at this provider; the member did nothing wrong.",
          "リスト自身の送信設定（認証、逆引き、評判）の問題です。この事業者のメンバー全員に"
          "影響し、メンバー側に落ち度はありません。"};
    case bounce::Side::message:
      return {
          "this one message (its content or size), not the member and not the list's "
          "setup.",
          "このメール自体（内容や大きさ）の問題で、メンバーやリストの設定の問題ではありません。"};
    case bounce::Side::transient:
      return {"a temporary condition; the MTA retries. It matters only if it persists.",
              "一時的な状態で、MTA が再送します。長く続く場合にだけ問題になります。"};
    case bounce::Side::complaint:
      return {"a complaint: the member marked list mail as spam.",
              "苦情です。メンバーがリストのメールを迷惑メールとして報告しました。"};
    case bounce::Side::not_a_bounce:
      return {"no failure: this is an auto-reply or a delivery notice.",
              "配送の失敗ではありません。自動応答か配送通知です。"};
    case bounce::Side::unknown:
      break;
  }
  return {"unknown: the text does not say enough to tell.",
          "不明です。この文面からは判断できません。"};
}

std::vector<Explained> explain_input(const std::string& text) {
  std::vector<Explained> out;
  if (auto report = bounce::parse_bounce(text); report && !report->recipients.empty()) {
    for (const bounce::RecipientReport& recipient : report->recipients) {
      out.push_back(
          {bounce::classify(*report, recipient), recipient.diagnostic, recipient.address});
    }
    return out;
  }
  // Pasted text: the reply as a log or a web page shows it, continuation lines included.
  std::string joined;
  int code = 0;
  std::optional<mail::EnhancedStatus> status;
  if (auto reply = mail::SmtpReply::parse(std::string(trim(text))); reply) {
    joined = reply->text();
    code = reply->code;
    status = reply->status;
  } else {
    joined = std::string(trim(text));
  }
  if (!status) {
    status = mail::EnhancedStatus::find_in(joined);
  }
  bounce::Rejection rejection;
  rejection.text = joined;
  rejection.status = status;
  rejection.reply_code = code;
  out.push_back({bounce::classify(rejection), joined, {}});
  return out;
}

int run_explain(const ExplainArgs& args) {
  std::string text;
  if (args.input == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    auto read = read_file(args.input);
    if (!read) {
      std::fprintf(stderr, "cqlist explain: %s\n", read.error().describe().c_str());
      return kExitNoInput;
    }
    text = std::move(*read);
  }
  if (trim(text).empty()) {
    std::fprintf(stderr,
                 "cqlist explain: the input is empty; paste the rejection text or give "
                 "the bounce message file\n");
    return kExitDataError;
  }
  const doctor::Language language = args.lang == "ja" ? doctor::Language::ja : doctor::Language::en;
  const bool ja = language == doctor::Language::ja;
  std::vector<Explained> explained = explain_input(text);
  std::vector<std::string> groups;
  std::string json_items;
  for (const Explained& e : explained) {
    const bounce::Classification& c = e.classification;
    const std::string provider = c.provider.empty() ? "unknown" : c.provider;
    if (args.json) {
      json_items += fmt::format(
          R"({}{{"recipient":{},"provider":{},"reason":{},"side":{},"advice":{},"rule":{},)"
          R"("text":{},"meaning":{},"whose_problem":{}}})",
          json_items.empty() ? "" : ",", json_string(e.recipient), json_string(provider),
          json_string(c.reason), json_string(bounce::side_name(c.side)), json_string(c.advice),
          json_string(c.rule), json_string(e.text), json_string(meaning(c).in(language)),
          json_string(whose_problem(c).in(language)));
    } else {
      if (!e.recipient.empty()) {
        fmt::print("{}{}\n", ja ? "宛先:       " : "Recipient: ", e.recipient);
      }
      fmt::print("{}{}\n", ja ? "受信側:     " : "Receiver:  ", provider);
      fmt::print("{}{} ({})\n", ja ? "理由:       " : "Reason:    ", c.reason, c.rule);
      fmt::print("{}{}\n", ja ? "意味:       " : "Meaning:   ", meaning(c).in(language));
      fmt::print("{}{}\n", ja ? "誰の問題か: " : "Whose:     ", whose_problem(c).in(language));
      fmt::print("{}{}\n\n", ja ? "原文:       " : "Text:      ", e.text);
    }
    for (const std::string& group : groups_for(e)) {
      if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
        groups.push_back(group);
      }
    }
  }
  const bool can_check = !args.doctor.domain.empty() || !args.doctor.list.empty();
  std::vector<doctor::Finding> findings;
  if (!groups.empty() && can_check) {
    DoctorRun run = run_doctor_checks("explain", args.doctor, args.resolver, groups);
    if (run.setup_exit != kExitOk) {
      return run.setup_exit;
    }
    findings = std::move(run.findings);
  }
  if (args.json) {
    std::string ids;
    for (const doctor::Finding& f : findings) {
      ids += fmt::format(R"({}{{"id":{},"severity":{},"subject":{}}})", ids.empty() ? "" : ",",
                         json_string(f.id), json_string(doctor::severity_name(f.severity)),
                         json_string(f.subject));
    }
    std::string group_list;
    for (const std::string& group : groups) {
      group_list += (group_list.empty() ? "" : ",") + json_string(group);
    }
    fmt::print(R"({{"explained":[{}],"checks":[{}],"findings":[{}]}})"
               "\n",
               json_items, group_list, ids);
  } else if (groups.empty()) {
    fmt::print("{}", ja ? "リスト側で実行すべき確認はありません。\n"
                        : "No check of the list's setup applies.\n");
  } else if (!can_check) {
    std::string list;
    for (const std::string& group : groups) {
      list += (list.empty() ? "" : " ") + group;
    }
    if (ja) {
      fmt::print(
          "具体的な修正内容を表示するには --domain DOMAIN（または --list "
          "NAME@DOMAIN）を付けて実行してください。関係する確認: {}\n",
          list);
    } else {
      fmt::print(
          "Run again with --domain DOMAIN (or --list NAME@DOMAIN) for the concrete "
          "fix. Checks that apply: {}\n",
          list);
    }
  } else {
    fmt::print("{}", doctor::render_report(findings, language));
  }
  return findings.empty() ? kExitOk : doctor::exit_status(findings);
}

}  // namespace

void register_explain(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "explain", "Explain a bounce or a pasted rejection text: what it means and what to fix");
  auto args = std::make_shared<ExplainArgs>();
  cmd->add_option("input", args->input, "Bounce message or rejection text file, or - for stdin")
      ->required();
  add_doctor_input_options(*cmd, args->doctor);
  cmd->add_option("--lang", args->lang, "Language of the explanation: en or ja")
      ->check(CLI::IsMember({"en", "ja"}));
  cmd->add_flag("--json", args->json, "Print the classification and findings as JSON");
  add_resolver_options(*cmd, args->resolver);
  cmd->callback([args] { exit_code() = run_explain(*args); });
}

}  // namespace cqlist::cli
