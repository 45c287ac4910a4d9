// cli/explain.cpp: `cqlist explain`.
#include "cli/commands.hpp"

namespace cqlist::cli {

void register_explain(CLI::App& app) {
  app.add_subcommand("explain",
                     "Explain a bounce or a pasted rejection text: what it means and what to fix");
}

}  // namespace cqlist::cli
