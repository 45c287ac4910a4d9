#include "dns/resolver.hpp"

#include <array>
#include <utility>

#include "base/strings.hpp"

namespace cqlist::dns {
namespace {

constexpr std::array<std::pair<RecordType, std::string_view>, 10> kTypeNames = {{
    {RecordType::a, "A"},
    {RecordType::ns, "NS"},
    {RecordType::cname, "CNAME"},
    {RecordType::soa, "SOA"},
    {RecordType::ptr, "PTR"},
    {RecordType::mx, "MX"},
    {RecordType::txt, "TXT"},
    {RecordType::aaaa, "AAAA"},
    {RecordType::tlsa, "TLSA"},
    {RecordType::spf, "SPF"},
}};

}  // namespace

std::string_view record_type_name(RecordType type) {
  for (const auto& [known, name] : kTypeNames) {
    if (known == type) {
      return name;
    }
  }
  return "?";
}

std::optional<RecordType> parse_record_type(std::string_view text) {
  for (const auto& [known, name] : kTypeNames) {
    if (iequals(name, text)) {
      return known;
    }
  }
  return std::nullopt;
}

std::string_view status_name(Status status) {
  switch (status) {
    case Status::answer:
      return "answer";
    case Status::nxdomain:
      return "nxdomain";
    case Status::nodata:
      return "nodata";
    case Status::servfail:
      return "servfail";
    case Status::timeout:
      return "timeout";
  }
  return "?";
}

std::string_view security_name(Security security) {
  switch (security) {
    case Security::insecure:
      return "insecure";
    case Security::secure:
      return "secure";
    case Security::bogus:
      return "bogus";
  }
  return "?";
}

std::string normalize_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') {
    name.remove_suffix(1);
  }
  return to_ascii_lower(name);
}

std::string TxtRecord::joined() const {
  std::string out;
  for (const auto& piece : strings) {
    out += piece;
  }
  return out;
}

}  // namespace cqlist::dns
