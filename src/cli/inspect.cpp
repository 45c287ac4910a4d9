// cli/inspect.cpp: `cqlist inspect FILE`: shows how cqlist reads a message.
#include <cstdio>
#include <memory>
#include <string>
#include <variant>

#include <fmt/format.h>

#include "base/file.hpp"
#include "cli/commands.hpp"
#include "mail/address.hpp"
#include "mail/encoded_word.hpp"
#include "mail/message.hpp"
#include "mail/mime.hpp"
#include "mail/subject.hpp"

namespace cqlist::cli {
namespace {

bool is_address_field(const mail::HeaderField& field) {
  for (std::string_view name : {"From", "To", "Cc", "Reply-To", "Sender", "Resent-From"}) {
    if (field.is_named(name)) {
      return true;
    }
  }
  return false;
}

void print_addresses(const mail::HeaderField& field, std::string_view fallback_charset) {
  mail::AddressList list = mail::parse_address_list(field.value(), fallback_charset);
  for (const mail::Mailbox& mailbox : list.mailboxes()) {
    auto normalized = mail::normalized_address(mailbox);
    fmt::print("    address: {}{}{}\n", mailbox.display_name.empty() ? "" : mailbox.display_name,
               mailbox.display_name.empty() ? "" : " ",
               normalized ? "<" + *normalized + ">"
                          : "<" + mailbox.addr_spec() +
                                "> (invalid: " + normalized.error().message() + ")");
  }
  for (const mail::AddressProblem& problem : list.problems) {
    fmt::print("    address problem: {} at byte {}\n", mail::address_problem_name(problem.kind),
               problem.offset);
  }
}

// The first lines of a text part, decoded, so an operator sees the charset was understood.
void print_text_preview(std::string_view text, std::size_t indent) {
  constexpr int kPreviewLines = 3;
  int shown = 0;
  while (!text.empty() && shown < kPreviewLines) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    fmt::print("{}| {}\n", std::string(indent, ' '), line);
    ++shown;
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
}

void print_mime_tree(const mail::MimeTree& tree) {
  fmt::print("MIME parts: {}\n", tree.parts().size());
  for (std::size_t i = 0; i < tree.parts().size(); ++i) {
    const mail::MimePart& part = tree.part(i);
    std::string line = fmt::format("  {}{}. {}/{}", std::string(part.depth * 2, ' '), i,
                                   part.content_type.type, part.content_type.subtype);
    if (auto charset = part.content_type.parameter("charset"); !charset.empty()) {
      line += fmt::format("; charset={}", charset);
    }
    if (part.kind == mail::PartKind::leaf) {
      line += fmt::format(" ({} bytes, {})", part.body.size(),
                          mail::transfer_encoding_name(part.transfer_encoding));
      if (std::string name = mail::part_filename(part); !name.empty()) {
        line += fmt::format(" file \"{}\"", name);
      }
    }
    fmt::print("{}\n", line);
    if (part.is_text() && part.content_type.subtype == "plain") {
      print_text_preview(mail::decoded_text(part), part.depth * 2 + 6);
    }
  }
  for (const mail::MimeDefectAt& defect : tree.defects()) {
    fmt::print("MIME defect: part {}: {}\n", defect.part, mail::mime_defect_name(defect.defect));
  }
}

int run_inspect(const std::string& path, const std::string& fallback_charset) {
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
    if (is_address_field(field)) {
      print_addresses(field, fallback_charset);
    } else if (field.is_named("Subject")) {
      fmt::print("    decoded: {}\n", mail::subject_for_display(field.value(), fallback_charset));
    }
  }
  fmt::print("body: {} bytes\n", message.body().size());
  for (mail::Defect defect : message.defects()) {
    fmt::print("defect: {}\n", mail::defect_name(defect));
  }
  print_mime_tree(mail::MimeTree::build(std::move(message)));
  return kExitOk;
}

}  // namespace

void register_inspect(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "inspect", "Show how cqlist reads a message file: header fields, decoded text, MIME parts");
  auto path = std::make_shared<std::string>();
  auto fallback = std::make_shared<std::string>("Shift_JIS");
  cmd->add_option("file", *path, "Message file (RFC 5322), or - for standard input")->required();
  cmd->add_option("--fallback-charset", *fallback,
                  "Charset assumed for raw 8-bit header bytes that are not UTF-8")
      ->capture_default_str();
  cmd->callback([path, fallback] { exit_code() = run_inspect(*path, *fallback); });
}

}  // namespace cqlist::cli
