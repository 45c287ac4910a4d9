#include "dns/rdata.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>

#include <fmt/format.h>

namespace cqlist::dns {
namespace {

std::uint8_t byte_at(std::string_view data, std::size_t pos) {
  return static_cast<std::uint8_t>(data[pos]);
}

std::uint32_t read_u32(std::string_view data, std::size_t pos) {
  return (std::uint32_t{byte_at(data, pos)} << 24) | (std::uint32_t{byte_at(data, pos + 1)} << 16) |
         (std::uint32_t{byte_at(data, pos + 2)} << 8) | std::uint32_t{byte_at(data, pos + 3)};
}

// Reads a name starting at `pos`; advances `pos` past it.
Result<std::string> read_name(std::string_view wire, std::size_t& pos) {
  std::string out;
  std::size_t total = 0;
  while (true) {
    if (pos >= wire.size()) {
      return fail(Errc::bad_syntax, "domain name runs past the end of the record");
    }
    std::uint8_t length = byte_at(wire, pos++);
    if (length == 0) {
      break;
    }
    if (length > 63) {
      return fail(Errc::bad_syntax, "compressed or extended label in record data");
    }
    if (pos + length > wire.size()) {
      return fail(Errc::bad_syntax, "label runs past the end of the record");
    }
    total += length + 1u;
    if (total > 255) {
      return fail(Errc::bad_syntax, "domain name longer than 255 octets");
    }
    if (!out.empty()) {
      out += '.';
    }
    for (std::size_t i = 0; i < length; ++i) {
      char c = wire[pos + i];
      auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f || c == '.' || c == '\\') {
        out += fmt::format("\\{:03d}", u);
      } else {
        out += c;
      }
    }
    pos += length;
  }
  return out.empty() ? std::string(".") : out;
}

Result<std::string> whole_name(std::string_view wire, std::size_t pos) {
  CQLIST_TRY(std::string name, read_name(wire, pos));
  if (pos != wire.size()) {
    return fail(Errc::bad_syntax, "trailing bytes after a domain name");
  }
  return name;
}

}  // namespace

Result<std::string> decode_name(std::string_view wire) {
  return whole_name(wire, 0);
}

Result<RecordData> decode_rdata(RecordType type, std::string_view rdata) {
  switch (type) {
    case RecordType::a:
    case RecordType::aaaa: {
      std::size_t size = type == RecordType::a ? 4 : 16;
      if (rdata.size() != size) {
        return fail(Errc::bad_syntax,
                    fmt::format("{} record of {} bytes", record_type_name(type), rdata.size()));
      }
      std::array<std::uint8_t, 16> bytes{};
      for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = byte_at(rdata, i);
      }
      if (type == RecordType::a) {
        return RecordData(IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]}));
      }
      return RecordData(IpAddress::v6(bytes));
    }
    case RecordType::ns:
    case RecordType::cname:
    case RecordType::ptr: {
      CQLIST_TRY(std::string name, whole_name(rdata, 0));
      return RecordData(std::move(name));
    }
    case RecordType::mx: {
      if (rdata.size() < 3) {
        return fail(Errc::bad_syntax, "MX record too short");
      }
      auto preference = static_cast<std::uint16_t>((byte_at(rdata, 0) << 8) | byte_at(rdata, 1));
      CQLIST_TRY(std::string exchange, whole_name(rdata, 2));
      return RecordData(MxRecord{preference, std::move(exchange)});
    }
    case RecordType::txt:
    case RecordType::spf: {  // same rdata as TXT (RFC 4408 §3.1.1)
      // RFC 1035 §3.3.14: one or more <character-string>s, each a length byte and the bytes.
      TxtRecord txt;
      std::size_t pos = 0;
      while (pos < rdata.size()) {
        std::size_t length = byte_at(rdata, pos++);
        if (pos + length > rdata.size()) {
          return fail(Errc::bad_syntax, "TXT character-string runs past the end of the record");
        }
        txt.strings.emplace_back(rdata.substr(pos, length));
        pos += length;
      }
      if (txt.strings.empty()) {
        return fail(Errc::bad_syntax, "empty TXT record");
      }
      return RecordData(std::move(txt));
    }
    case RecordType::soa: {
      std::size_t pos = 0;
      CQLIST_TRY(std::string mname, read_name(rdata, pos));
      CQLIST_TRY(std::string rname, read_name(rdata, pos));
      // serial, refresh, retry, expire, minimum: five 32-bit fields.
      if (rdata.size() - pos != 20) {
        return fail(Errc::bad_syntax, "SOA record has the wrong length");
      }
      return RecordData(SoaRecord{std::move(mname), std::move(rname), read_u32(rdata, pos)});
    }
    case RecordType::tlsa: {
      if (rdata.size() < 3) {
        return fail(Errc::bad_syntax, "TLSA record too short");
      }
      return RecordData(TlsaRecord{byte_at(rdata, 0), byte_at(rdata, 1), byte_at(rdata, 2),
                                   std::string(rdata.substr(3))});
    }
  }
  return fail(Errc::unsupported, "unsupported record type");
}

}  // namespace cqlist::dns
