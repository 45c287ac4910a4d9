#include "auth/spf/conformance_zone.hpp"

#include <array>
#include <set>

#include <fmt/format.h>

namespace cqlist::auth::spf::suite {
namespace {

dns::TxtRecord txt_value(const YAML::Node& value) {
  dns::TxtRecord record;
  if (value.IsSequence()) {
    for (const auto& part : value) {
      record.strings.push_back(latin1(part.as<std::string>()));
    }
  } else {
    record.strings.push_back(latin1(value.as<std::string>()));
  }
  return record;
}

}  // namespace

std::string latin1(std::string_view utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    if ((byte & 0xe0) == 0xc0 && i + 1 < utf8.size()) {
      const unsigned code =
          ((byte & 0x1fU) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3fU);
      if (code <= 0xff) {
        out += static_cast<char>(code);
        ++i;
        continue;
      }
    }
    out += utf8[i];
  }
  return out;
}

Result<dns::StaticResolver> zone(const YAML::Node& zonedata) {
  dns::StaticResolver resolver;
  if (!zonedata) {
    return resolver;
  }
  for (const auto& entry : zonedata) {
    const std::string name = latin1(entry.first.as<std::string>());
    std::set<dns::RecordType> listed;
    bool timeout = false;
    bool lists_txt = false;
    for (const auto& record : entry.second) {
      if (record.IsScalar() && record.as<std::string>() == "TIMEOUT") {
        timeout = true;
      } else if (record.IsMap() && record["TXT"]) {
        lists_txt = true;
      }
    }
    for (const auto& record : entry.second) {
      if (!record.IsMap()) {
        continue;
      }
      for (const auto& field : record) {
        const std::string type = field.first.as<std::string>();
        const YAML::Node& value = field.second;
        Result<void> added;
        if (type == "SPF") {
          if (!lists_txt) {
            listed.insert(dns::RecordType::txt);
            added = resolver.add(name, dns::RecordType::txt, txt_value(value));
          }
        } else if (type == "TXT") {
          if (!(value.IsScalar() && value.as<std::string>() == "NONE")) {
            listed.insert(dns::RecordType::txt);
            added = resolver.add(name, dns::RecordType::txt, txt_value(value));
          }
        } else if (type == "A" || type == "AAAA") {
          auto address = IpAddress::parse(value.as<std::string>());
          if (!address) {
            return fail(Errc::bad_syntax, fmt::format("{}: bad address", name));
          }
          const auto rtype = type == "A" ? dns::RecordType::a : dns::RecordType::aaaa;
          listed.insert(rtype);
          added = resolver.add(name, rtype, *address);
        } else if (type == "MX") {
          listed.insert(dns::RecordType::mx);
          added =
              resolver.add(name, dns::RecordType::mx,
                           dns::MxRecord{value[0].as<std::uint16_t>(),
                                         dns::normalize_name(latin1(value[1].as<std::string>()))});
        } else if (type == "PTR" || type == "CNAME") {
          const auto rtype = type == "PTR" ? dns::RecordType::ptr : dns::RecordType::cname;
          listed.insert(rtype);
          added = resolver.add(name, rtype, dns::normalize_name(latin1(value.as<std::string>())));
        } else {
          return fail(Errc::unsupported, fmt::format("{}: record type {}", name, type));
        }
        if (!added) {
          return fail(added.error());
        }
      }
    }
    if (timeout) {
      constexpr std::array<dns::RecordType, 6> kTypes = {
          dns::RecordType::a,   dns::RecordType::aaaa, dns::RecordType::mx,
          dns::RecordType::ptr, dns::RecordType::txt,  dns::RecordType::cname};
      for (dns::RecordType type : kTypes) {
        if (listed.count(type) == 0 && type != dns::RecordType::cname) {
          resolver.inject_failure(name, dns::Status::timeout, type);
        }
      }
      if (listed.empty()) {
        resolver.inject_failure(name, dns::Status::timeout);
      }
    }
  }
  return resolver;
}

bool has_partial_timeout(const YAML::Node& zonedata) {
  if (!zonedata) {
    return false;
  }
  for (const auto& entry : zonedata) {
    bool timeout = false;
    bool records = false;
    for (const auto& record : entry.second) {
      timeout = timeout || (record.IsScalar() && record.as<std::string>() == "TIMEOUT");
      records = records || record.IsMap();
    }
    if (timeout && records) {
      return true;
    }
  }
  return false;
}

}  // namespace cqlist::auth::spf::suite
