// list/fml/member_files.cpp: reading fml's list files and merging them per address.
#include "list/fml/member_files.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "base/file.hpp"
#include "base/strings.hpp"

namespace cqlist::list::fml {
namespace {

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) {
      ++at;
    }
    std::size_t end = at;
    while (end < text.size() && text[end] != ' ' && text[end] != '\t') {
      ++end;
    }
    if (end > at) {
      out.push_back(text.substr(at, end - at));
    }
    at = end;
  }
  return out;
}

// user@domain with a dot-separated domain; fml's lists hold bare addr-specs, nothing else.
bool looks_like_address(std::string_view word) {
  auto at = word.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= word.size()) {
    return false;
  }
  for (char c : word) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
        c == ';' || c == '"') {
      return false;
    }
  }
  std::string_view domain = word.substr(at + 1);
  return domain.front() != '.' && domain.back() != '.' &&
         domain.find("..") == std::string_view::npos && domain.find('@') == std::string_view::npos;
}

std::string key_of(std::string_view address) {
  return to_ascii_lower(address);
}

std::string domain_lowered(std::string_view address) {
  auto at = address.rfind('@');
  return std::string(address.substr(0, at + 1)) + to_ascii_lower(address.substr(at + 1));
}

}  // namespace

std::string_view delivery_name(Delivery delivery) {
  switch (delivery) {
    case Delivery::realtime:
      return "realtime";
    case Delivery::off:
      return "off";
    case Delivery::digest:
      return "digest";
    case Delivery::skip:
      return "skip";
    case Delivery::none:
      return "none";
  }
  return "none";
}

Result<std::vector<MemberLine>> read_member_file(const std::filesystem::path& file) {
  CQLIST_TRY(std::string text, read_file(file));
  const std::string name = file.filename().string();
  std::vector<MemberLine> lines;
  bool in_header = false;
  std::size_t number = 0;
  for (std::size_t at = 0; at <= text.size();) {
    std::size_t end = std::min(text.find('\n', at), text.size());
    std::string_view row(text.data() + at, end - at);
    at = end + 1;
    ++number;
    if (!row.empty() && row.back() == '\r') {
      row.remove_suffix(1);
    }
    if (row.starts_with("#.FML HEADER")) {
      in_header = true;
      continue;
    }
    if (row.starts_with("#.endFML HEADER")) {
      in_header = false;
      continue;
    }
    std::string_view content = trim(row);
    if (in_header || content.empty()) {
      continue;
    }
    MemberLine line;
    line.file = name;
    line.line = number;
    if (content.starts_with("##")) {
      // ##BYE addr (left the list); any other ## line is a comment.
      auto rest = words(content.substr(2));
      if (rest.size() >= 2 && iequals(rest[0], "BYE") && looks_like_address(rest[1])) {
        line.state = LineState::unsubscribed;
        line.address = std::string(rest[1]);
        lines.push_back(std::move(line));
      }
      continue;
    }
    if (content.front() == '#') {
      // "#<TAB>addr" or "# addr": a member kept with delivery off; "# some text": a comment.
      auto rest = words(content.substr(1));
      if (content.size() > 1 && (content[1] == ' ' || content[1] == '\t') && !rest.empty() &&
          looks_like_address(rest[0])) {
        line.state = LineState::commented;
        line.address = std::string(rest[0]);
        lines.push_back(std::move(line));
      }
      continue;
    }
    std::string_view options = content;
    if (auto hash = content.find('#'); hash != std::string_view::npos) {
      line.comment = std::string(trim(content.substr(hash + 1)));
      options = content.substr(0, hash);
    }
    auto parts = words(options);
    if (parts.empty() || !looks_like_address(parts[0])) {
      return fail(Errc::bad_syntax,
                  fmt::format("{} line {}: '{}' is not an address; fml's list files hold one "
                              "address per line (fix or remove the line, then import again)",
                              file.string(), number, content.substr(0, 80)));
    }
    line.address = std::string(parts[0]);
    for (std::size_t i = 1; i < parts.size(); ++i) {
      std::string_view option = parts[i];
      if (option.starts_with("m=")) {
        line.digest = std::string(option.substr(2));
      } else if (option.starts_with("s=") || iequals(option, "skip")) {
        line.skip = true;
      } else if (iequals(option, "matome") && i + 1 < parts.size()) {
        line.digest = std::string(parts[++i]);  // V1 "address matome 3u"
      }
      // r=relay and V1 relay hosts are obsolete source routes: delivery goes direct.
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

MergedMembers merge_members(const MemberFiles& files) {
  MergedMembers merged;
  std::map<std::string, std::size_t> index;
  std::map<std::string, std::string> left;  // ##BYE, lowercase -> spelling
  auto entry = [&](const MemberLine& line) -> FmlMember& {
    auto key = key_of(line.address);
    auto found = index.find(key);
    if (found != index.end()) {
      return merged.members[found->second];
    }
    index.emplace(key, merged.members.size());
    FmlMember member;
    member.address = domain_lowered(line.address);
    member.source = fmt::format("{} line {}", line.file, line.line);
    merged.members.push_back(std::move(member));
    return merged.members.back();
  };
  for (const MemberLine& line : files.members) {
    if (line.state == LineState::unsubscribed) {
      left.emplace(key_of(line.address), line.address);
      continue;
    }
    entry(line).can_post = true;  // "# addr" still counts for posting (fml's Lookup)
  }
  for (const MemberLine& line : files.admins) {
    if (line.state != LineState::unsubscribed) {
      FmlMember& member = entry(line);
      member.admin = true;
      member.can_post = true;  // fml counts members-admin as members
    }
  }
  for (const MemberLine& line : files.moderators) {
    if (line.state != LineState::unsubscribed) {
      entry(line).moderator = true;
    }
  }
  auto receive = [&](const MemberLine& line, bool digest_file) {
    if (line.state == LineState::unsubscribed) {
      left.emplace(key_of(line.address), line.address);
      return;
    }
    FmlMember& member = entry(line);
    if (member.delivery != Delivery::none) {
      merged.warnings.push_back(fmt::format("{} line {}: {} is listed twice; the first line wins",
                                            line.file, line.line, line.address));
      return;
    }
    if (line.state == LineState::commented) {
      member.delivery = Delivery::off;
    } else if (digest_file || !line.digest.empty()) {
      member.delivery = Delivery::digest;
      member.digest_params = line.digest;
    } else if (line.skip) {
      member.delivery = Delivery::skip;
    } else {
      member.delivery = Delivery::realtime;
    }
    if (!line.comment.empty()) {
      member.comment = line.comment;
    }
  };
  for (const MemberLine& line : files.recipients) {
    receive(line, false);
  }
  for (const MemberLine& line : files.digest_recipients) {
    receive(line, true);
  }
  for (FmlMember& member : merged.members) {
    if (member.delivery == Delivery::digest) {
      auto next = files.digest_next.find(key_of(member.address));
      if (next != files.digest_next.end()) {
        member.digest_next_article = next->second;
      }
    }
  }
  for (const auto& [key, spelling] : left) {
    if (!index.contains(key)) {
      merged.unsubscribed.push_back(spelling);
    }
  }
  return merged;
}

std::map<std::string, std::int64_t> read_msendrc(std::string_view text) {
  std::map<std::string, std::int64_t> next;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = std::min(text.find('\n', at), text.size());
    auto parts = words(text.substr(at, end - at));
    at = end + 1;
    std::int64_t article = 0;
    if (parts.size() >= 2 && !parts[0].starts_with("#")) {
      auto [ptr, error] =
          std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), article);
      if (error == std::errc()) {
        next[key_of(parts[0])] = article;
      }
    }
  }
  return next;
}

}  // namespace cqlist::list::fml
