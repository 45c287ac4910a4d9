// list/commands_archive.cpp: get, index and members.
//
// All three are for members only: the archive and the member list are the list's own, and
// an address that is not subscribed has no business reading them by mail. `members` is
// further limited to owners and moderators unless the list sets members_command_public.
//
// Rate limit: at most kMaxArticlesPerGet articles per get command, kMaxGetsPerMessage get
// commands per message and kMaxDigestBytes per reply, and get_daily_limit articles per
// address and day (RequestQuota, counted as they are queued). A mail loop cannot amplify it
// either: replies go to the From address with the null sender and carry X-Loop and
// Auto-Submitted, which this server (and any RFC 3834 responder) never answers.
#include <algorithm>
#include <charconv>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "base/log.hpp"
#include "list/notices_reply.hpp"

namespace cqlist::list {
namespace {

constexpr std::int64_t kMaxArticlesPerGet = 100;
constexpr std::size_t kMaxGetsPerMessage = 5;
constexpr std::size_t kMaxDigestBytes = 10 * 1024 * 1024;
constexpr std::int64_t kIndexLength = 50;

std::optional<std::int64_t> number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1) {
    return std::nullopt;
  }
  return value;
}

struct Range {
  std::int64_t first = 0;
  std::int64_t last = 0;
};

// "N", "N-M", also written with spaces around the dash.
std::optional<Range> range_of(const Command& command) {
  std::string written;
  for (const auto& arg : command.args) {
    written += arg;
  }
  const std::size_t dash = written.find('-');
  auto first = number(std::string_view(written).substr(0, dash));
  auto last =
      dash == std::string::npos ? first : number(std::string_view(written).substr(dash + 1));
  if (!first || !last || *last < *first) {
    return std::nullopt;
  }
  return Range{*first, *last};
}

std::string range_text(std::int64_t first, std::int64_t last) {
  return first == last ? std::to_string(first) : fmt::format("{}-{}", first, last);
}

std::string article_list(const std::vector<std::int64_t>& articles) {
  std::string out;
  for (auto article : articles) {
    out += (out.empty() ? "" : ", ") + std::to_string(article);
  }
  return out;
}

std::string short_date(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}", utc.tm_year + 1900, utc.tm_mon + 1,
                     utc.tm_mday, utc.tm_hour, utc.tm_min);
}

// The requester's row when a member; otherwise says so and returns nullopt.
Result<std::optional<store::MemberRow>> require_member(CommandSession& session) {
  CQLIST_TRY(auto member, session.member(session.requester));
  if (!member) {
    session.add(session.say(Text::members_only, fmt::arg("list", session.addresses.posting),
                            fmt::arg("address", session.requester)));
  }
  return member;
}

}  // namespace

Result<void> run_get(CommandSession& session, const Command& command) {
  if (++session.get_commands > kMaxGetsPerMessage) {
    session.add(session.say(Text::get_too_many_commands, fmt::arg("max", kMaxGetsPerMessage)));
    return {};
  }
  auto range = range_of(command);
  if (!range || range->last - range->first + 1 > kMaxArticlesPerGet) {
    session.add(session.say(Text::usage,
                            fmt::arg("usage", fmt::format("get N, get N-M (at most {} articles)",
                                                          kMaxArticlesPerGet))));
    return {};
  }
  CQLIST_TRY(auto member, require_member(session));
  if (!member) {
    return {};
  }
  if (session.deps.archive == nullptr) {
    session.add(
        session.say(Text::archive_unavailable, fmt::arg("list", session.addresses.posting)));
    return {};
  }
  CQLIST_TRY(store::ListRow current, session.deps.store.list_by_id(session.list.id));
  const std::int64_t last = std::min(range->last, current.last_article);
  if (range->first > last) {
    session.add(session.say(Text::get_none, fmt::arg("list", session.addresses.posting),
                            fmt::arg("range", range_text(range->first, range->last)),
                            fmt::arg("last", current.last_article)));
    return {};
  }

  std::vector<std::string> articles;
  std::vector<std::int64_t> sent;
  std::vector<std::int64_t> missing;
  std::vector<std::int64_t> too_big;
  std::size_t bytes = 0;
  for (std::int64_t article = range->first; article <= last; ++article) {
    std::error_code error;
    if (!std::filesystem::exists(session.deps.archive->path(current, article), error)) {
      missing.push_back(article);
      continue;
    }
    auto text = session.deps.archive->read(current, article);
    if (!text) {
      log::error("get.read_failed",
                 {{"list", current.address()}, {"error", text.error().describe()}});
      missing.push_back(article);
      continue;
    }
    if (!too_big.empty() || (!articles.empty() && bytes + text->size() > kMaxDigestBytes)) {
      too_big.push_back(article);
      continue;
    }
    bytes += text->size();
    articles.push_back(std::move(*text));
    sent.push_back(article);
  }

  std::vector<std::int64_t> over_limit;
  if (!sent.empty() && session.deps.get_quota != nullptr) {
    CQLIST_TRY(const std::size_t granted,
               session.deps.get_quota->take(current, session.requester, sent.size(),
                                            session.settings.get_daily_limit, session.now));
    over_limit.assign(sent.begin() + static_cast<std::ptrdiff_t>(granted), sent.end());
    sent.resize(granted);
    articles.resize(granted);
  }

  if (!sent.empty()) {
    const std::string range_sent = range_text(sent.front(), sent.back());
    Notice notice = session.notice_to(
        session.requester,
        session.say(Text::get_subject, fmt::arg("list", session.addresses.posting),
                    fmt::arg("range", range_sent)));
    notice.body = session.say(Text::get_body, fmt::arg("list", session.addresses.posting),
                              fmt::arg("range", range_sent));
    notice.attached_messages = std::move(articles);
    notice.digest = true;
    CQLIST_TRY_VOID(session.send(notice));
    log::info(
        "get.sent",
        {{"list", current.address()}, {"requester", session.requester}, {"articles", range_sent}});
    session.add(session.say(Text::get_sent, fmt::arg("range", range_sent)), false);
  }
  if (!missing.empty()) {
    session.add(session.say(Text::get_missing, fmt::arg("articles", article_list(missing))));
  }
  if (!too_big.empty()) {
    session.add(session.say(Text::get_too_big, fmt::arg("articles", article_list(too_big))));
  }
  if (!over_limit.empty()) {
    log::info("get.daily_limit", {{"list", current.address()},
                                  {"requester", session.requester},
                                  {"refused", article_list(over_limit)}});
    session.add(session.say(Text::get_daily_limit, fmt::arg("articles", article_list(over_limit)),
                            fmt::arg("limit", session.settings.get_daily_limit),
                            fmt::arg("address", session.requester)));
  }
  return {};
}

Result<void> run_index(CommandSession& session) {
  CQLIST_TRY(auto member, require_member(session));
  if (!member) {
    return {};
  }
  CQLIST_TRY(store::ListRow current, session.deps.store.list_by_id(session.list.id));
  std::vector<store::PostRow> posts;
  if (current.last_article > 0) {
    CQLIST_TRY(posts,
               session.deps.store.posts(
                   current.id, std::max<std::int64_t>(1, current.last_article - kIndexLength + 1),
                   current.last_article));
  }
  if (posts.empty()) {
    session.add(session.say(Text::index_empty, fmt::arg("list", session.addresses.posting)));
    return {};
  }
  std::string lines = session.say(Text::index_header, fmt::arg("list", session.addresses.posting),
                                  fmt::arg("count", posts.size())) +
                      "\n";
  for (const auto& post : posts) {
    lines += fmt::format("\n  {:>5}  {}  {}\n         {}", post.article,
                         short_date(post.received_at), post.from, post.subject);
  }
  session.add(lines + "\n");
  return {};
}

Result<void> run_members(CommandSession& session) {
  CQLIST_TRY(auto member, require_member(session));
  if (!member) {
    return {};
  }
  if (!session.settings.members_command_public && member->role == store::Role::member) {
    session.add(session.say(Text::members_denied, fmt::arg("list", session.addresses.posting)));
    return {};
  }
  constexpr std::size_t kPage = 5000;
  std::string lines;
  std::size_t count = 0;
  std::string after;
  while (true) {
    CQLIST_TRY(auto page, session.deps.store.members(session.list.id, after, kPage));
    for (const auto& row : page) {
      ++count;
      lines += "  " + row.address;
      if (row.role != store::Role::member) {
        lines += fmt::format(" ({})", store::role_name(row.role));
      }
      if (row.mode != store::DeliveryMode::regular) {
        lines += fmt::format(" [{}]", store::delivery_mode_name(row.mode));
      }
      lines += '\n';
    }
    if (page.size() < kPage) {
      break;
    }
    after = page.back().address;
  }
  log::info("members.sent", {{"list", session.list.address()}, {"requester", session.requester}});
  session.add(session.say(Text::members_header, fmt::arg("list", session.addresses.posting),
                          fmt::arg("count", count)) +
              "\n\n" + lines);
  return {};
}

}  // namespace cqlist::list
