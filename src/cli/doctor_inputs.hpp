// cli/doctor_inputs.hpp: gathering what `cqlist doctor` (and `explain`) check.
//
// Owns: turning command-line options, the list's settings and membership, its key files,
// postconf and the host's interfaces into a doctor::DoctorInput. doctor/ knows nothing of
// lists; this is where list settings become plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/result.hpp"
#include "cli/doctor_probe.hpp"
#include "cli/resolver_option.hpp"
#include "cli/runtime.hpp"
#include "doctor/doctor.hpp"

namespace cqlist::cli {

struct DoctorArgs {
  std::string domain;
  std::string list;  // NAME@DOMAIN: read settings, keys and members from the store
  ConfigArgs config;
  std::vector<std::string> ips;
  std::string helo;
  std::vector<std::string> dkim_keys;  // SELECTOR:FILE
  std::string postconf_dir;            // postconf -c DIR
  bool no_postfix = false;
  std::vector<std::string> dnsbl;  // --dnsbl ZONE (repeatable), "none": ask no blocklist
  DoctorProbeArgs probe;           // `doctor --probe` only (add_doctor_probe_options)
  std::uint16_t ns_port = 53;      // where DNS-04 asks each name server (tests: --ns-port)
};

// Adds --domain, --list, --ip, --helo, --dkim-key, --postconf-dir, --no-postfix, --dnsbl,
// --ns-port and the config options.
void add_doctor_input_options(CLI::App& cmd, DoctorArgs& args);

// Errc::invalid_argument for a bad --ip or --dkim-key, Errc::not_found for an unknown list,
// errors naming the key file that cannot be read.
Result<doctor::DoctorInput> gather_doctor_input(const DoctorArgs& args);

// One doctor run as `doctor` and `explain` make it: the input gathered, DNS set up, the checks
// of `groups` (all when empty) run.
struct DoctorRun {
  // kExitOk, or why the checks could not run (the reason is printed as "cqlist COMMAND: ..."):
  // kExitUsage for bad options, kExitConfig when DNS, Postfix or a key cannot be read.
  int setup_exit = 0;
  doctor::DoctorInput input;
  std::vector<doctor::Finding> findings;
};

DoctorRun run_doctor_checks(std::string_view command, const DoctorArgs& args,
                            const ResolverArgs& resolver_args,
                            const std::vector<std::string>& groups);

}  // namespace cqlist::cli
