// cli/import_fml.cpp: `cqlist import-fml`.
#include "cli/commands.hpp"

namespace cqlist::cli {

void register_import_fml(CLI::App& app) {
  app.add_subcommand("import-fml",
                     "Import an existing fml list (members, settings, article numbers, archive)");
}

}  // namespace cqlist::cli
