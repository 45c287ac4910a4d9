// cli/main.cpp: the cqlist command. The process edge: exceptions stop here.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

namespace cqlist::cli {

int& exit_code() {
  static int code = kExitOk;
  return code;
}

}  // namespace cqlist::cli

int main(int argc, char** argv) {
  using namespace cqlist::cli;
  CLI::App app{"cqlist: a mailing-list server with DKIM, ARC and DMARC-safe delivery built in",
               "cqlist"};
  app.set_version_flag("-V,--version", std::string("cqlist ") + CQLIST_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);

  auto* help = app.add_subcommand("help", "Show help for cqlist or one of its commands");
  std::string help_topic;
  help->add_option("command", help_topic, "The command to explain");
  help->callback([&] {
    if (help_topic.empty()) {
      // App::help() would describe the selected subcommand, which is "help" itself here.
      std::fputs(app.get_formatter()->make_help(&app, "cqlist", CLI::AppFormatMode::Normal).c_str(),
                 stdout);
      return;
    }
    CLI::App* sub = nullptr;
    try {
      sub = app.get_subcommand(help_topic);
    } catch (const CLI::OptionNotFound&) {
    }
    if (sub == nullptr) {
      std::fprintf(stderr, "cqlist: no command named '%s'; run 'cqlist help' for the list\n",
                   help_topic.c_str());
      exit_code() = kExitUsage;
      return;
    }
    std::fputs(sub->help("cqlist").c_str(), stdout);
  });

  register_inspect(app);
  register_decorate(app);
  register_spf(app);
  register_dkim(app);
  register_check(app);
  register_dmarc(app);
  register_arc(app);
  register_inject(app);
  register_serve(app);
  register_list(app);
  register_members(app);
  register_held(app);
  register_queue(app);
  register_postfix_config(app);
  register_bounces(app);
  register_doctor(app);
  register_explain(app);
  register_import_fml(app);
  register_digest(app);

  // CLI11 would call an unknown word a missing subcommand; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known = known || sub->check_name(argv[1]);
    }
    if (!known) {
      std::fprintf(stderr, "cqlist: no command named '%s'; run 'cqlist help' for the list\n",
                   argv[1]);
      return kExitUsage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cqlist: internal error: %s\n", e.what());
    return kExitSoftware;
  }
  return exit_code();
}
