// server/smtp_wire.hpp: what the SMTP client writes and reads, without a socket.
//
// Owns: the EHLO keyword list, the MAIL FROM and RCPT TO command lines (SIZE, BODY, XVERP
// parameters) and the DATA section (dot-stuffing, CRLF line ends, the final ".").
// smtp_client.cpp does the I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "mail/smtp_reply.hpp"
#include "server/smtp_client.hpp"

namespace cqlist::server {

// EHLO keyword (upper case) -> its parameters ("SIZE" -> "10240000").
using SmtpExtensions = std::map<std::string, std::string, std::less<>>;

// The lines after the first of a 250 EHLO reply (RFC 5321 §4.1.1.1).
SmtpExtensions parse_ehlo_reply(const mail::SmtpReply& reply);

// "MAIL FROM:<...> [SIZE=n] [BODY=8BITMIME] [XVERP]\r\n", the parameters only when the server
// offers them (XVERP is the caller's decision). nullopt when the address could break the
// command line (CR, LF, angle brackets).
std::optional<std::string> mail_from_command(const OutgoingMessage& message,
                                             const SmtpExtensions& extensions);

std::optional<std::string> rcpt_to_command(std::string_view recipient);

// The DATA section for the wire: every line ending in CRLF (a bare LF becomes CRLF), a dot
// doubled at the start of a line (RFC 5321 §4.5.2), and the closing ".\r\n", so that body
// and terminator go out in one write.
std::string dot_stuff(std::string_view data);

}  // namespace cqlist::server
