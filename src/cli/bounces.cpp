// cli/bounces.cpp: `cqlist bounces`: what came back, whose problem it is, and what to do.
#include "cli/commands.hpp"

namespace cqlist::cli {

void register_bounces(CLI::App& app) {
  auto* bounces =
      app.add_subcommand("bounces", "Read bounces: parse files, or report what the lists received");
  bounces->require_subcommand(0, 1);
  register_bounces_parse(*bounces);
}

}  // namespace cqlist::cli
