// cli/commands.hpp: each subcommand registers itself on the top-level CLI11 app.
//
// A subcommand's callback returns a process exit code (sysexits values, which Postfix's pipe
// and local delivery agents understand); errors are printed for the operator before that.
#pragma once

#include <CLI/CLI.hpp>

namespace cqlist::cli {

// sysexits.h values, named here so that no file needs the C header.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitDataError = 65;
inline constexpr int kExitNoInput = 66;
inline constexpr int kExitSoftware = 70;
inline constexpr int kExitIoError = 74;
inline constexpr int kExitTempFail = 75;
inline constexpr int kExitConfig = 78;

// Set by a subcommand's callback; main() returns it.
int& exit_code();

void register_inspect(CLI::App& app);
void register_decorate(CLI::App& app);
void register_spf(CLI::App& app);
void register_dkim(CLI::App& app);
void register_check(CLI::App& app);
void register_dmarc(CLI::App& app);
void register_arc(CLI::App& app);
void register_inject(CLI::App& app);
void register_serve(CLI::App& app);
void register_list(CLI::App& app);
void register_members(CLI::App& app);
void register_held(CLI::App& app);
void register_queue(CLI::App& app);
void register_postfix_config(CLI::App& app);
void register_bounces(CLI::App& app);
// `cqlist bounces parse`, a subcommand of `cqlist bounces`.
void register_bounces_parse(CLI::App& bounces);
void register_doctor(CLI::App& app);
void register_explain(CLI::App& app);
void register_import_fml(CLI::App& app);
void register_digest(CLI::App& app);

}  // namespace cqlist::cli
