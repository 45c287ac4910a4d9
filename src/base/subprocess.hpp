// base/subprocess.hpp: running a helper program (postconf, perl) and reading what it prints.
//
// Owns: spawning without a shell (posix_spawnp, so no word splitting or quoting problems),
// standard input and error on /dev/null, standard output collected whole, and the exit
// status. Callers decide what a non-zero status means.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"

namespace cqlist {

struct ProcessOutput {
  std::string standard_output;
  int exit_status = 0;  // 128 + signal number when a signal ended it
};

// Runs argv[0] (looked up in PATH) with argv, waits for it and returns its output.
// Errc::not_found when the program does not exist, Errc::io when it cannot be started.
Result<ProcessOutput> run_program(const std::vector<std::string>& argv);

}  // namespace cqlist
