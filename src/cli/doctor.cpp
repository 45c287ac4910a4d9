// cli/doctor.cpp: `cqlist doctor`.
#include "cli/commands.hpp"

namespace cqlist::cli {

void register_doctor(CLI::App& app) {
  app.add_subcommand(
      "doctor", "Check the list domain's DNS and this server's sending setup, and print the fixes");
}

}  // namespace cqlist::cli
