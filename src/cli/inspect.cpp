// cli/inspect.cpp: `cqlist inspect FILE`: shows how cqlist reads a message.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "base/file.hpp"
#include "cli/commands.hpp"
#include "mail/message.hpp"

namespace cqlist::cli {
namespace {

int run_inspect(const std::string& path) {
  auto bytes = path == "-" ? read_file("/dev/stdin") : read_file(path);
  if (!bytes) {
    fmt::print(stderr, "cqlist inspect: {}\n", bytes.error().describe());
    return kExitNoInput;
  }
  std::size_t size = bytes->size();
  mail::Message message = mail::Message::parse(std::move(*bytes));
  fmt::print("size: {} bytes\n", size);
  fmt::print("line endings: {}\n", message.line_ending() == "\r\n" ? "CRLF" : "LF");
  fmt::print("header fields: {}\n", message.fields().size());
  for (const auto& field : message.fields()) {
    fmt::print("  {}: {}\n", field.name(), field.unfolded_value());
  }
  fmt::print("body: {} bytes\n", message.body().size());
  for (mail::Defect defect : message.defects()) {
    fmt::print("defect: {}\n", mail::defect_name(defect));
  }
  return kExitOk;
}

}  // namespace

void register_inspect(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "inspect", "Show how cqlist reads a message file: header fields, decoded text, MIME parts");
  auto path = std::make_shared<std::string>();
  cmd->add_option("file", *path, "Message file (RFC 5322), or - for standard input")->required();
  cmd->callback([path] { exit_code() = run_inspect(*path); });
}

}  // namespace cqlist::cli
