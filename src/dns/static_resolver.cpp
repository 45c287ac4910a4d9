#include "dns/static_resolver.hpp"

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <limits>

#include <fmt/format.h>

#include "base/strings.hpp"

namespace cqlist::dns {
namespace {

// RFC 1034 §3.6.2 only forbids loops; resolvers give up after a handful of links.
constexpr int kMaxCnameLinks = 8;

struct Token {
  std::string text;
  bool quoted = false;
};

// Splits a zone line into words and quoted strings, decoding \" \\ and \DDD (RFC 1035 §5.1).
Result<std::vector<Token>> tokenize(std::string_view line) {
  std::vector<Token> tokens;
  std::size_t pos = 0;
  while (pos < line.size()) {
    char c = line[pos];
    if (is_wsp(c) || c == '\r' || c == '\n') {
      ++pos;
      continue;
    }
    Token token;
    if (c != '"') {
      while (pos < line.size() && !is_wsp(line[pos]) && line[pos] != '"') {
        token.text += line[pos++];
      }
      tokens.push_back(std::move(token));
      continue;
    }
    token.quoted = true;
    ++pos;
    bool closed = false;
    while (pos < line.size()) {
      char ch = line[pos++];
      if (ch == '"') {
        closed = true;
        break;
      }
      if (ch != '\\') {
        token.text += ch;
        continue;
      }
      if (pos >= line.size()) {
        break;
      }
      if (pos + 3 <= line.size() && line[pos] >= '0' && line[pos] <= '9') {
        unsigned value = 0;
        auto [end, error] = std::from_chars(line.data() + pos, line.data() + pos + 3, value);
        if (error != std::errc() || end != line.data() + pos + 3 || value > 255) {
          return fail(Errc::bad_syntax, "bad \\DDD escape in a quoted string");
        }
        token.text += static_cast<char>(value);
        pos += 3;
        continue;
      }
      token.text += line[pos++];
    }
    if (!closed) {
      return fail(Errc::bad_syntax, "unterminated quoted string");
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

template <class Int>
std::optional<Int> parse_number(std::string_view text) {
  Int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::string strip_dot(std::string_view name) {
  if (name.size() > 1 && name.back() == '.') {
    name.remove_suffix(1);
  }
  return std::string(name);
}

Result<std::string> parse_hex(std::string_view text) {
  if (text.size() % 2 != 0) {
    return fail(Errc::bad_syntax, "odd number of hex digits");
  }
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    auto byte = std::string(text.substr(i, 2));
    unsigned value = 0;
    auto [end, error] = std::from_chars(byte.data(), byte.data() + 2, value, 16);
    if (error != std::errc() || end != byte.data() + 2) {
      return fail(Errc::bad_syntax, fmt::format("'{}' is not hex", byte));
    }
    out += static_cast<char>(value);
  }
  return out;
}

Result<RecordData> parse_rdata(RecordType type, const std::vector<Token>& words) {
  auto need = [&](std::size_t count) -> Result<void> {
    if (words.size() < count) {
      return fail(Errc::bad_syntax, fmt::format("{} needs {} fields, found {}",
                                                record_type_name(type), count, words.size()));
    }
    return {};
  };
  switch (type) {
    case RecordType::a:
    case RecordType::aaaa: {
      CQLIST_TRY_VOID(need(1));
      auto address = IpAddress::parse(words[0].text);
      if (!address || address->is_v4() != (type == RecordType::a)) {
        return fail(Errc::bad_syntax, fmt::format("'{}' is not an {} address", words[0].text,
                                                  type == RecordType::a ? "IPv4" : "IPv6"));
      }
      return RecordData(*address);
    }
    case RecordType::ns:
    case RecordType::cname:
    case RecordType::ptr:
      CQLIST_TRY_VOID(need(1));
      return RecordData(strip_dot(words[0].text));
    case RecordType::mx: {
      CQLIST_TRY_VOID(need(2));
      auto preference = parse_number<std::uint16_t>(words[0].text);
      if (!preference) {
        return fail(Errc::bad_syntax, fmt::format("bad MX preference '{}'", words[0].text));
      }
      return RecordData(MxRecord{*preference, strip_dot(words[1].text)});
    }
    case RecordType::txt:
    case RecordType::spf: {
      CQLIST_TRY_VOID(need(1));
      TxtRecord txt;
      for (const auto& word : words) {
        txt.strings.push_back(word.text);
      }
      return RecordData(std::move(txt));
    }
    case RecordType::soa: {
      CQLIST_TRY_VOID(need(3));
      auto serial = parse_number<std::uint32_t>(words[2].text);
      if (!serial) {
        return fail(Errc::bad_syntax, fmt::format("bad SOA serial '{}'", words[2].text));
      }
      return RecordData(SoaRecord{strip_dot(words[0].text), strip_dot(words[1].text), *serial});
    }
    case RecordType::tlsa: {
      CQLIST_TRY_VOID(need(4));
      auto usage = parse_number<std::uint8_t>(words[0].text);
      auto selector = parse_number<std::uint8_t>(words[1].text);
      auto matching = parse_number<std::uint8_t>(words[2].text);
      if (!usage || !selector || !matching) {
        return fail(Errc::bad_syntax, "bad TLSA usage, selector or matching type");
      }
      std::string hex;
      for (std::size_t i = 3; i < words.size(); ++i) {
        hex += words[i].text;
      }
      CQLIST_TRY(std::string data, parse_hex(hex));
      return RecordData(TlsaRecord{*usage, *selector, *matching, std::move(data)});
    }
  }
  return fail(Errc::unsupported, "unsupported record type");
}

bool data_fits(RecordType type, const RecordData& data) {
  switch (type) {
    case RecordType::a:
    case RecordType::aaaa: {
      const auto* address = std::get_if<IpAddress>(&data);
      return address != nullptr && address->is_v4() == (type == RecordType::a);
    }
    case RecordType::ns:
    case RecordType::cname:
    case RecordType::ptr:
      return std::holds_alternative<std::string>(data);
    case RecordType::mx:
      return std::holds_alternative<MxRecord>(data);
    case RecordType::txt:
    case RecordType::spf:
      return std::holds_alternative<TxtRecord>(data);
    case RecordType::soa:
      return std::holds_alternative<SoaRecord>(data);
    case RecordType::tlsa:
      return std::holds_alternative<TlsaRecord>(data);
  }
  return false;
}

// The weaker of two DNSSEC states along a CNAME chain: bogus beats insecure beats secure.
Security combine(Security a, Security b) {
  if (a == Security::bogus || b == Security::bogus) {
    return Security::bogus;
  }
  if (a == Security::insecure || b == Security::insecure) {
    return Security::insecure;
  }
  return Security::secure;
}

}  // namespace

StaticResolver::StaticResolver(const StaticResolver& other) {
  std::lock_guard lock(other.mutex_);
  nodes_ = other.nodes_;
  queries_ = other.queries_;
}

StaticResolver& StaticResolver::operator=(const StaticResolver& other) {
  if (this != &other) {
    std::scoped_lock lock(mutex_, other.mutex_);
    nodes_ = other.nodes_;
    queries_ = other.queries_;
  }
  return *this;
}

Result<StaticResolver> StaticResolver::from_zone(std::string_view text) {
  StaticResolver resolver;
  std::size_t line_number = 0;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (auto added = resolver.add_line(line); !added) {
      return fail(std::move(added.error()).with_context(fmt::format("zone line {}", line_number)));
    }
  }
  return resolver;
}

Result<void> StaticResolver::add_line(std::string_view line) {
  line = trim(line);
  if (line.empty() || line.front() == '#' || line.front() == ';') {
    return {};
  }
  CQLIST_TRY(std::vector<Token> tokens, tokenize(line));
  if (tokens.size() < 2 || tokens[0].quoted) {
    return fail(Errc::bad_syntax, fmt::format("expected 'NAME [TTL] [IN] TYPE DATA': {}", line));
  }
  std::size_t next = 1;
  std::uint32_t ttl = 300;
  if (auto number = parse_number<std::uint32_t>(tokens[next].text)) {
    ttl = *number;
    ++next;
  }
  if (next < tokens.size() && iequals(tokens[next].text, "IN")) {
    ++next;
  }
  if (next >= tokens.size()) {
    return fail(Errc::bad_syntax, fmt::format("missing record type: {}", line));
  }
  const std::string& type_text = tokens[next].text;
  std::vector<Token> rest(tokens.begin() + static_cast<std::ptrdiff_t>(next + 1), tokens.end());
  if (iequals(type_text, "TIMEOUT") || iequals(type_text, "SERVFAIL")) {
    std::optional<RecordType> only;
    if (!rest.empty()) {
      only = parse_record_type(rest[0].text);
      if (!only) {
        return fail(Errc::bad_syntax, fmt::format("unknown record type '{}'", rest[0].text));
      }
    }
    inject_failure(tokens[0].text,
                   iequals(type_text, "TIMEOUT") ? Status::timeout : Status::servfail, only);
    return {};
  }
  auto type = parse_record_type(type_text);
  if (!type) {
    return fail(Errc::unsupported, fmt::format("unknown record type '{}'", type_text));
  }
  CQLIST_TRY(RecordData data, parse_rdata(*type, rest));
  return add(tokens[0].text, *type, std::move(data), ttl);
}

Result<void> StaticResolver::add(std::string_view name, RecordType type, RecordData data,
                                 std::uint32_t ttl) {
  if (!data_fits(type, data)) {
    return fail(Errc::invalid_argument,
                fmt::format("record data does not fit type {}", record_type_name(type)));
  }
  std::lock_guard lock(mutex_);
  nodes_[normalize_name(name)].records.push_back(Record{type, std::move(data), ttl});
  return {};
}

void StaticResolver::inject_failure(std::string_view name, Status status,
                                    std::optional<RecordType> type) {
  std::lock_guard lock(mutex_);
  nodes_[normalize_name(name)].failures.emplace_back(type, status);
}

void StaticResolver::set_security(std::string_view name, Security security) {
  std::lock_guard lock(mutex_);
  nodes_[normalize_name(name)].security = security;
}

bool StaticResolver::name_exists(const std::string& name) const {
  // RFC 8020: a name with records anywhere below it exists (an empty non-terminal).
  std::string suffix = "." + name;
  return std::any_of(nodes_.begin(), nodes_.end(), [&](const auto& entry) {
    const std::string& key = entry.first;
    return !entry.second.records.empty() &&
           (key == name || (key.size() > suffix.size() &&
                            key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0));
  });
}

Answer StaticResolver::query(std::string_view name, RecordType type) {
  std::lock_guard lock(mutex_);
  std::string current = normalize_name(name);
  queries_.push_back(fmt::format("{} {}", current, record_type_name(type)));

  Answer answer;
  answer.ttl = std::numeric_limits<std::uint32_t>::max();
  bool first = true;
  for (int link = 0; link <= kMaxCnameLinks; ++link) {
    answer.canonical_name = current;
    auto found = nodes_.find(current);
    if (found == nodes_.end()) {
      answer.status = name_exists(current) ? Status::nodata : Status::nxdomain;
      answer.ttl = 0;
      return answer;
    }
    const Node& node = found->second;
    answer.security = first ? node.security : combine(answer.security, node.security);
    first = false;
    for (const auto& [only, status] : node.failures) {
      if (!only || *only == type) {
        answer.status = status;
        answer.ttl = 0;
        answer.problem = fmt::format("{} for {} {} (static zone)", status_name(status), current,
                                     record_type_name(type));
        return answer;
      }
    }
    if (answer.security == Security::bogus) {
      answer.status = Status::servfail;
      answer.ttl = 0;
      answer.problem = fmt::format("DNSSEC validation failed for {} (static zone)", current);
      return answer;
    }
    const Record* cname = nullptr;
    for (const Record& record : node.records) {
      if (record.type == type) {
        answer.records.push_back(record.data);
        answer.ttl = std::min(answer.ttl, record.ttl);
      } else if (record.type == RecordType::cname && cname == nullptr) {
        cname = &record;
      }
    }
    if (!answer.records.empty()) {
      answer.status = Status::answer;
      return answer;
    }
    if (cname == nullptr) {
      answer.status = name_exists(current) ? Status::nodata : Status::nxdomain;
      answer.ttl = 0;
      return answer;
    }
    answer.ttl = std::min(answer.ttl, cname->ttl);
    current = normalize_name(std::get<std::string>(cname->data));
  }
  answer.status = Status::servfail;
  answer.ttl = 0;
  answer.records.clear();
  answer.problem = fmt::format("CNAME chain from {} longer than {} links (a loop?)",
                               normalize_name(name), kMaxCnameLinks);
  return answer;
}

std::vector<StaticResolver::Entry> StaticResolver::entries() const {
  std::lock_guard lock(mutex_);
  std::vector<Entry> out;
  for (const auto& [name, node] : nodes_) {
    for (const Record& record : node.records) {
      out.push_back(Entry{name, record.type, record.data, record.ttl});
    }
  }
  return out;
}

std::vector<StaticResolver::Failure> StaticResolver::failures() const {
  std::lock_guard lock(mutex_);
  std::vector<Failure> out;
  for (const auto& [name, node] : nodes_) {
    for (const auto& [type, status] : node.failures) {
      out.push_back(Failure{name, type, status});
    }
  }
  return out;
}

std::vector<std::string> StaticResolver::queries() const {
  std::lock_guard lock(mutex_);
  return queries_;
}

void StaticResolver::clear_queries() {
  std::lock_guard lock(mutex_);
  queries_.clear();
}

}  // namespace cqlist::dns
