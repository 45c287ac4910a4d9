// cli/bounces_parse.cpp: `cqlist bounces parse FILE... [--json]`: the bounce parser on files.
#include "cli/commands.hpp"

namespace cqlist::cli {

void register_bounces_parse(CLI::App& bounces) {
  bounces.add_subcommand("parse", "Parse bounce message files and print what each says");
}

}  // namespace cqlist::cli
