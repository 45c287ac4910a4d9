// cli/doctor.cpp: `cqlist doctor`: what is wrong with the list domain's DNS and this server's
// sending setup, and exactly what to paste where.
//
// Exit codes: 2 when any check fails, 1 when one warns, 0 when clean (so scripts and
// monitoring can use it); 64 for bad arguments, 78 when the resolver or Postfix settings
// cannot be read.
#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "cli/doctor_inputs.hpp"
#include "cli/json_text.hpp"
#include "cli/resolver_option.hpp"
#include "doctor/render.hpp"

namespace cqlist::cli {
namespace {

struct DoctorCommandArgs {
  DoctorArgs input;
  ResolverArgs resolver;
  std::vector<std::string> only;
  std::string lang = "en";
  bool json = false;
};

std::string json_strings(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const std::string& value : values) {
    out += (out.size() > 1 ? "," : "") + json_string(value);
  }
  return out + "]";
}

std::string json_record(const doctor::DnsRecord& record) {
  return fmt::format(R"({{"name":{},"ttl":{},"type":{},"strings":{},"value":{},)"
                     R"("zone_line":{},"at_provider":{}}})",
                     json_string(record.name), record.ttl, json_string(record.type),
                     json_strings(record.strings), json_string(record.value()),
                     json_string(record.zone_line()), record.at_provider);
}

std::string json_records(const std::vector<doctor::DnsRecord>& records) {
  std::string out = "[";
  for (const doctor::DnsRecord& record : records) {
    out += (out.size() > 1 ? "," : "") + json_record(record);
  }
  return out + "]";
}

std::string json_finding(const doctor::Finding& f, doctor::Language language) {
  return fmt::format(R"({{"id":{},"severity":{},"applies":{},"subject":{},"title":{},"found":{},)"
                     R"("problem":{},"fix":{{"summary":{},"records_add":{},"records_remove":{},)"
                     R"("commands":{},"note":{}}},"rules":{},"source":{},"verify":{},"trace":{}}})",
                     json_string(f.id), json_string(doctor::severity_name(f.severity)),
                     json_string(doctor::applies_name(f.applies)), json_string(f.subject),
                     json_string(f.title.in(language)), json_strings(f.found),
                     json_string(f.why.in(language)), json_string(f.fix.summary.in(language)),
                     json_records(f.fix.records_add), json_records(f.fix.records_remove),
                     json_strings(f.fix.commands), json_string(f.fix.note.in(language)),
                     json_strings(f.rules), json_string(f.source),
                     json_string(f.verify.in(language)), json_string(f.trace));
}

std::string to_json(const doctor::DoctorInput& input, const std::vector<doctor::Finding>& findings,
                    doctor::Language language) {
  std::string list;
  for (const doctor::Finding& f : findings) {
    list += (list.empty() ? "" : ",") + json_finding(f, language);
  }
  std::vector<std::string> egress;
  for (const doctor::EgressAddress& address : input.egress) {
    egress.push_back(address.address.to_string());
  }
  return fmt::format(R"({{"domain":{},"egress":{},"helo":{},"exit_status":{},"findings":[{}],)"
                     R"("records_to_publish":{}}})",
                     json_string(input.domain), json_strings(egress), json_string(input.helo_name),
                     doctor::exit_status(findings), list,
                     json_records(doctor::records_to_publish(findings)));
}

int run_doctor_command(const DoctorCommandArgs& args) {
  std::vector<std::string> groups;
  for (const std::string& only : args.only) {
    const std::string group = to_ascii_upper(only);
    groups.push_back(group == "HELO" ? "PTR" : group);  // HELO findings come from the PTR checks
  }
  DoctorRun run = run_doctor_checks("doctor", args.input, args.resolver, groups);
  if (run.setup_exit != kExitOk) {
    return run.setup_exit;
  }
  const doctor::Language language = args.lang == "ja" ? doctor::Language::ja : doctor::Language::en;
  if (args.json) {
    fmt::print("{}\n", to_json(run.input, run.findings, language));
  } else {
    fmt::print("{}", doctor::render_report(run.findings, language));
  }
  return doctor::exit_status(run.findings);
}

}  // namespace

void register_doctor(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "doctor", "Check the list domain's DNS and this server's sending setup, and print the fixes");
  auto args = std::make_shared<DoctorCommandArgs>();
  add_doctor_input_options(*cmd, args->input);
  add_doctor_probe_options(*cmd, args->input.probe);
  cmd->add_option("--only", args->only,
                  "Run only these checklist groups: OUT, SPF, PTR (with HELO), DKIM, DMARC, "
                  "DNS, TLS, LIST, VOL, REP (repeatable)");
  cmd->add_option("--lang", args->lang, "Language of the advice: en or ja")
      ->check(CLI::IsMember({"en", "ja"}));
  cmd->add_flag("--json", args->json, "Print the findings as JSON (same fields as the text)");
  add_resolver_options(*cmd, args->resolver);
  cmd->callback([args] { exit_code() = run_doctor_command(*args); });
}

}  // namespace cqlist::cli
