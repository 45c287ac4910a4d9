// list/fml/spool.cpp: finding and indexing fml's article files.
#include "list/fml/spool.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "list/message_id.hpp"
#include "mail/address.hpp"
#include "mail/encoded_word.hpp"
#include "mail/message.hpp"

namespace cqlist::list::fml {
namespace {

std::optional<std::int64_t> article_number(const std::string& name) {
  std::int64_t number = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), number);
  if (name.empty() || error != std::errc() || end != name.data() + name.size() || number < 1) {
    return std::nullopt;
  }
  return number;
}

store::Clock::time_point modified_at(const std::filesystem::path& file) {
  std::error_code error;
  auto written = std::filesystem::last_write_time(file, error);
  if (error) {
    return store::Clock::now();
  }
  return std::chrono::time_point_cast<store::Clock::duration>(
      std::chrono::file_clock::to_sys(written));
}

Result<SpoolArticle> index_article(std::int64_t number, const std::filesystem::path& file) {
  CQLIST_TRY(std::string bytes, read_file(file));
  SpoolArticle article;
  article.number = number;
  article.file = file;
  article.bytes = bytes.size();
  article.date = modified_at(file);
  const mail::Message message = mail::Message::parse(std::move(bytes));
  article.message_id = message_id_of(message);
  if (auto from = message.first_value("From")) {
    auto mailboxes = mail::parse_address_list(*from).mailboxes();
    if (!mailboxes.empty()) {
      article.from = mailboxes.front().local_part + "@" + mailboxes.front().domain;
    }
  }
  if (auto subject = message.first_value("Subject")) {
    article.subject = std::string(trim(mail::decode_header_text(*subject, "iso-2022-jp")));
  }
  return article;
}

// Article files: spool/N, and fml8's spool/K/N ("subdir" spool type).
Result<std::map<std::int64_t, std::filesystem::path>> find_articles(
    const std::filesystem::path& spool, std::vector<std::string>& warnings) {
  std::map<std::int64_t, std::filesystem::path> found;
  std::error_code error;
  for (std::filesystem::directory_iterator it(spool, error), end; !error && it != end;
       it.increment(error)) {
    const std::filesystem::path& path = it->path();
    auto number = article_number(path.filename().string());
    if (number && it->is_regular_file()) {
      found.emplace(*number, path);
    } else if (number && it->is_directory()) {
      std::error_code inner_error;
      for (std::filesystem::directory_iterator inner(path, inner_error), inner_end;
           !inner_error && inner != inner_end; inner.increment(inner_error)) {
        auto inner_number = article_number(inner->path().filename().string());
        if (inner_number && inner->is_regular_file()) {
          found.emplace(*inner_number, inner->path());
        }
      }
      if (inner_error) {
        return fail(Errc::io, fmt::format("cannot read the directory {}: {}", path.string(),
                                          inner_error.message()));
      }
    } else {
      warnings.push_back(fmt::format("{} is not an article file (not a number); it is not imported",
                                     path.string()));
    }
  }
  if (error) {
    return fail(Errc::io, fmt::format("cannot read the spool directory {}: {}", spool.string(),
                                      error.message()));
  }
  return found;
}

}  // namespace

Result<Spool> read_spool(const std::filesystem::path& list_dir) {
  Spool spool;
  const auto seq_file = list_dir / "seq";
  if (std::filesystem::exists(seq_file)) {
    CQLIST_TRY(std::string text, read_file(seq_file));
    std::string_view value = trim(text);
    if (!value.empty()) {
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), spool.seq);
      if (error != std::errc() || end != value.data() + value.size() || spool.seq < 0) {
        return fail(Errc::bad_syntax,
                    fmt::format("{} line 1: '{}' is not an article number; seq holds the number "
                                "of the last article (fml's next post would get it plus one)",
                                seq_file.string(), value.substr(0, 40)));
      }
    }
  } else {
    spool.warnings.push_back(
        fmt::format("{} is missing; numbering follows the spool", seq_file.string()));
  }
  const auto spool_dir = list_dir / "spool";
  std::map<std::int64_t, std::filesystem::path> files;
  if (std::filesystem::is_directory(spool_dir)) {
    CQLIST_TRY(files, find_articles(spool_dir, spool.warnings));
  } else if (spool.seq > 0) {
    spool.warnings.push_back(
        fmt::format("{} is missing: articles 1-{} are not imported and `get` cannot return them",
                    spool_dir.string(), spool.seq));
  }
  std::int64_t expected = files.empty() ? 0 : files.begin()->first;
  for (const auto& [number, file] : files) {
    if (number != expected) {
      return fail(
          Errc::bad_syntax,
          fmt::format("{} is missing: the spool has article {} and article {} but not "
                      "the ones between, so the archive would have holes; restore them "
                      "(from var/archive/*.tar.gz or a backup) and import again",
                      (spool_dir / std::to_string(expected)).string(), expected - 1, number));
    }
    ++expected;
    CQLIST_TRY(SpoolArticle article, index_article(number, file));
    spool.articles.push_back(std::move(article));
  }
  if (!files.empty() && files.begin()->first > 1) {
    spool.warnings.push_back(fmt::format(
        "articles 1-{} are no longer in the spool (expired or packed into var/archive); they "
        "are not imported",
        files.begin()->first - 1));
  }
  const std::int64_t highest = files.empty() ? 0 : files.rbegin()->first;
  if (highest > spool.seq) {
    spool.warnings.push_back(fmt::format(
        "seq says the last article is {} but the spool holds article {}; the next post gets {}",
        spool.seq, highest, highest + 1));
  }
  spool.last_article = std::max(spool.seq, highest);
  if (std::filesystem::is_directory(list_dir / "var" / "archive")) {
    spool.warnings.push_back(
        "var/archive holds packed articles (USE_ARCHIVE); they are not imported: unpack them "
        "into spool/ first to keep them");
  }
  return spool;
}

std::vector<std::string> read_message_id_cache(std::string_view text) {
  std::vector<std::string> ids;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = trim(text.substr(at, end - at));
    at = end + 1;
    std::string_view id = line.substr(0, line.find_first_of(" \t"));
    if (id.starts_with("<") && id.ends_with(">")) {
      id = id.substr(1, id.size() - 2);
    }
    if (!id.empty() && id.front() != '#' && id.find('@') != std::string_view::npos) {
      ids.emplace_back(id);
    }
  }
  return ids;
}

}  // namespace cqlist::list::fml
