// cli/doctor_inputs.hpp: gathering what `cqlist doctor` (and `explain`) check.
//
// Owns: turning command-line options, the list's settings and membership, its key files,
// postconf and the host's interfaces into a doctor::DoctorInput. doctor/ knows nothing of
// lists; this is where list settings become plain values.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/result.hpp"
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
};

// Adds --domain, --list, --ip, --helo, --dkim-key, --postconf-dir, --no-postfix and the
// config options.
void add_doctor_input_options(CLI::App& cmd, DoctorArgs& args);

// Errc::invalid_argument for a bad --ip or --dkim-key, Errc::not_found for an unknown list,
// errors naming the key file that cannot be read.
Result<doctor::DoctorInput> gather_doctor_input(const DoctorArgs& args);

}  // namespace cqlist::cli
