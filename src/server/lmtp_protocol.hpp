// server/lmtp_protocol.hpp: the parts of LMTP that need no socket (RFC 2033, RFC 5321).
//
// Owns: splitting a command line, reading the path and parameters of MAIL FROM and RCPT TO,
// XFORWARD attributes (Postfix's XFORWARD_README: xtext values, [UNAVAILABLE]) and who may
// send them, and the DATA decoder (dot-unstuffing, end of data, the size limit) that works on
// whatever bytes arrived. lmtp_session.cpp drives them; keeping them apart lets the tests reach
// every corner.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ip_address.hpp"

namespace cqlist::server {

struct CommandLine {
  std::string verb;      // upper case
  std::string argument;  // the rest, surrounding white space removed
};

CommandLine split_command(std::string_view line);

struct PathArgument {
  std::string address;  // without angle brackets and source route; "" for "<>"
  std::vector<std::pair<std::string, std::string>> parameters;  // keyword upper case, value
};

// "FROM:<a@example.org> SIZE=100" for keyword "FROM", "TO:<b@example.org>" for "TO". White
// space after the colon and a path without brackets are accepted, as Postfix does.
std::optional<PathArgument> parse_path_argument(std::string_view argument,
                                                std::string_view keyword);

// The client attributes XFORWARD can carry; an empty value means unavailable.
struct XForwardAttributes {
  std::string name;
  std::string address;  // an "IPv6:" prefix removed
  std::string helo;
  std::string protocol;
};

// True when `peer` is in one of `trusted`; an IPv4-mapped IPv6 address (a dual-stack listener)
// counts as the IPv4 address it carries.
bool xforward_allowed(const IpAddress& peer, const std::vector<IpNetwork>& trusted);

// Applies one XFORWARD command's attributes on top of `attributes` (attributes it does not
// name keep their value). A value that cannot be used (a bad xtext escape, longer than 255
// characters, or decoding to white space, control characters or non-ASCII, as Postfix sends
// HELO "my host" as HELO=my+20host) makes its attribute unavailable, and the attribute as sent
// is added to `unusable`. nullopt on a syntax error: no attribute, a word without "=" or an
// unknown name.
std::optional<XForwardAttributes> apply_xforward(std::string_view argument,
                                                 XForwardAttributes attributes,
                                                 std::vector<std::string>* unusable = nullptr);

// RFC 3461 §4: "+XX" stands for the byte XX. nullopt for a malformed escape.
std::optional<std::string> decode_xtext(std::string_view text);

// Reads the DATA section as it arrives, in pieces of any size: strips the leading dot of
// stuffed lines (RFC 5321 §4.5.2) and stops at the "." line. Only CRLF ends a line: a bare LF
// or CR is message text and passes through unchanged, so "\n.\n" cannot end the data early
// (the SMTP smuggling pattern). Past `limit` bytes it keeps reading but stops storing, so that
// a huge message costs no memory and still leaves the connection in step.
class DataDecoder {
 public:
  explicit DataDecoder(std::size_t limit) : limit_(limit) {}

  // Consumes bytes from the front of `input`; returns how many. What is left (at most the
  // first bytes of a line whose meaning is still open) must be offered again with more.
  std::size_t feed(std::string_view input);

  bool done() const { return done_; }

  bool too_large() const { return size_ > limit_; }

  std::size_t size() const { return size_; }  // decoded bytes seen, stored or not

  std::string take_message() { return std::move(message_); }

 private:
  void append(std::string_view bytes);

  std::size_t limit_;
  std::size_t size_ = 0;
  bool at_line_start_ = true;
  bool done_ = false;
  std::string message_;
};

}  // namespace cqlist::server
