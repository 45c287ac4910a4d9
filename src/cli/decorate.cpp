// cli/decorate.cpp: `cqlist decorate FILE`: the subject tag and footer a list would add.
//
// A preview for operators moving from fml: it runs the same library calls the post pipeline
// uses for the subject tag and the footer, and prints the resulting message.
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/file.hpp"
#include "cli/commands.hpp"
#include "mail/footer.hpp"
#include "mail/message.hpp"
#include "mail/subject.hpp"

namespace cqlist::cli {
namespace {

struct DecorateArgs {
  std::string path;
  std::string list_name;
  std::uint64_t article = 1;
  std::string tag_format = "[:]";
  int number_width = 5;
  std::string footer_text;
  std::string footer_file;
  bool utf8_subject = false;
  std::string fallback_charset = "Shift_JIS";
};

Result<void> retag_subject(mail::Message& message, const DecorateArgs& args) {
  CQLIST_TRY(mail::SubjectTagFormat format, mail::parse_subject_tag_format(args.tag_format));
  format.number_width = static_cast<std::size_t>(args.number_width);
  mail::ListSubjectOptions options;
  options.list_name = args.list_name;
  options.article_number = args.article;
  options.tag = format;
  options.keep_encoding = !args.utf8_subject;
  options.fallback_charset = args.fallback_charset;
  auto index = message.find_first("Subject");
  std::string_view original = index ? message.fields()[*index].value() : std::string_view{};
  CQLIST_TRY(std::string subject, mail::make_list_subject(original, options));
  bool written = index ? message.replace(*index, subject) : message.add_bottom("Subject", subject);
  if (!written) {
    return fail(Errc::internal, "the new Subject could not be written");
  }
  return {};
}

int run_decorate(const DecorateArgs& args) {
  auto bytes = args.path == "-" ? read_file("/dev/stdin") : read_file(args.path);
  if (!bytes) {
    fmt::print(stderr, "cqlist decorate: {}\n", bytes.error().describe());
    return kExitNoInput;
  }
  mail::Message message = mail::Message::parse(std::move(*bytes));
  if (auto tagged = retag_subject(message, args); !tagged) {
    fmt::print(stderr, "cqlist decorate: {}\n", tagged.error().describe());
    return kExitUsage;
  }

  std::string footer = args.footer_text;
  if (!args.footer_file.empty()) {
    auto text = read_file(args.footer_file);
    if (!text) {
      fmt::print(stderr, "cqlist decorate: {}\n", text.error().describe());
      return kExitNoInput;
    }
    footer = std::move(*text);
  }
  if (!footer.empty()) {
    auto outcome = mail::add_footer(message, mail::Footer{footer, ""});
    if (!outcome) {
      fmt::print(stderr, "cqlist decorate: {}\n", outcome.error().describe());
      return kExitDataError;
    }
    if (!outcome->added()) {
      fmt::print(stderr, "cqlist decorate: footer not added: {}\n",
                 mail::footer_skip_name(outcome->skipped));
    }
  }
  std::string out = message.serialize();
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace

void register_decorate(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "decorate",
      "Print a message as a list would send it: subject tag and article number, footer");
  auto args = std::make_shared<DecorateArgs>();
  cmd->add_option("file", args->path, "Message file (RFC 5322), or - for standard input")
      ->required();
  cmd->add_option("--list", args->list_name, "List name used in the subject tag, e.g. cq-test")
      ->required();
  cmd->add_option("--article", args->article, "Article number for the tag")->capture_default_str();
  cmd->add_option("--tag-format", args->tag_format, "Tag type as in fml: [:] (:) [,] (,) [] ()")
      ->capture_default_str();
  cmd->add_option("--number-width", args->number_width, "Digits of the article number")
      ->check(CLI::Range(1, 12))
      ->capture_default_str();
  auto* text = cmd->add_option("--footer", args->footer_text, "Footer text (UTF-8)");
  cmd->add_option("--footer-file", args->footer_file, "Read the footer text (UTF-8) from a file")
      ->excludes(text);
  cmd->add_flag("--utf8-subject", args->utf8_subject,
                "Re-encode a changed subject in UTF-8 instead of keeping the sender's charset");
  cmd->add_option("--fallback-charset", args->fallback_charset,
                  "Charset assumed for raw 8-bit header bytes that are not UTF-8")
      ->capture_default_str();
  cmd->callback([args] { exit_code() = run_decorate(*args); });
}

}  // namespace cqlist::cli
