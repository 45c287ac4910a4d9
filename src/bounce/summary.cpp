// bounce/summary.cpp: grouping bounces and writing the owners' sender-side summary.
#include "bounce/summary.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "bounce/bounce_text.hpp"
#include "list/notices.hpp"
#include "list/setting_values.hpp"

namespace cqlist::bounce {
namespace {

// Long diagnostics (a provider's help links) are cut: the summary quotes, it does not archive.
constexpr std::size_t kExampleBytes = 300;

std::string provider_of(const store::BounceRow& row) {
  if (!row.provider.empty()) {
    return row.provider;
  }
  return row.remote_host.empty() ? "unknown" : row.remote_host;
}

std::string shortened(std::string_view text) {
  if (text.size() <= kExampleBytes) {
    return std::string(text);
  }
  std::size_t end = kExampleBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;  // not inside a UTF-8 sequence
  }
  return std::string(text.substr(0, end)) + " ...";
}

}  // namespace

std::vector<BounceGroup> group_bounces(std::span<const store::BounceRow> rows) {
  std::map<std::tuple<std::string, std::string, std::string>, BounceGroup> groups;
  for (const store::BounceRow& row : rows) {
    std::string provider = provider_of(row);
    std::string reason = row.reason.empty() ? "unknown" : row.reason;
    BounceGroup& group = groups[{provider, reason, row.side}];
    if (group.count == 0) {
      group.provider = provider;
      group.reason = reason;
      group.side = row.side;
      group.first = row.at;
    }
    ++group.count;
    group.members.insert(row.address);
    if (!row.advice.empty()) {
      group.advice = row.advice;
    }
    if (row.at >= group.last) {
      group.last = row.at;
      if (!row.diagnostic.empty() || group.example.empty()) {
        group.example = shortened(row.diagnostic.empty() ? row.status : row.diagnostic);
      }
    }
  }
  std::vector<BounceGroup> out;
  for (auto& [key, group] : groups) {
    out.push_back(std::move(group));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const BounceGroup& a, const BounceGroup& b) { return a.count > b.count; });
  return out;
}

AlertMail sender_alert(list::Language language, const store::ListRow& list,
                       std::span<const BounceGroup> groups, store::Clock::time_point since,
                       std::chrono::seconds period) {
  std::string posting = list.address();
  std::size_t total = 0;
  for (const BounceGroup& group : groups) {
    total += group.count;
  }
  AlertMail mail;
  mail.subject =
      say(language, BounceText::alert_subject, fmt::arg("list", posting), fmt::arg("count", total));
  mail.body = say(language, BounceText::alert_intro, fmt::arg("list", posting),
                  fmt::arg("since", list::rfc5322_date(since))) +
              "\n";
  for (const BounceGroup& group : groups) {
    mail.body += "\n";
    mail.body += say(language, BounceText::alert_group, fmt::arg("provider", group.provider),
                     fmt::arg("reason", group.reason), fmt::arg("count", group.count),
                     fmt::arg("members", group.members.size())) +
                 "\n";
    if (!group.example.empty()) {
      mail.body +=
          say(language, BounceText::alert_said, fmt::arg("diagnostic", group.example)) + "\n";
    }
    mail.body += say(language, BounceText::alert_means,
                     fmt::arg("meaning", advice_meaning(language, group.advice))) +
                 "\n";
    mail.body += std::string(text(language, BounceText::alert_whose)) + "\n";
    mail.body +=
        say(language, BounceText::alert_fix, fmt::arg("fix", advice_fix(language, group.advice))) +
        "\n";
  }
  std::string period_text = list::setting_values::format_duration(
      static_cast<std::uint64_t>(std::max<std::int64_t>(period.count(), 0)));
  mail.body += "\n" +
               say(language, BounceText::alert_footer, fmt::arg("period", period_text),
                   fmt::arg("list", posting)) +
               "\n";
  return mail;
}

}  // namespace cqlist::bounce
