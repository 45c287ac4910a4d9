// server/http/url_decode.cpp: percent-decoding and form fields.
#include "server/http/url_decode.hpp"

#include <cstddef>

#include "base/strings.hpp"
#include "mail/content_type.hpp"

namespace cqlist::server {

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c != '%') {
      out.push_back(c);
    } else {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      int high = hex_digit_value(text[i + 1]);
      int low = hex_digit_value(text[i + 2]);
      if (high < 0 || low < 0 || (high == 0 && low == 0)) {
        return std::nullopt;  // a NUL would cut C strings and file names short further on
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    }
  }
  return out;
}

std::optional<std::map<std::string, std::string>> decode_form(std::string_view text) {
  std::map<std::string, std::string> fields;
  while (!text.empty()) {
    std::size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text.remove_prefix(amp == std::string_view::npos ? text.size() : amp + 1);
    if (pair.empty()) {
      continue;
    }
    std::size_t equals = pair.find('=');
    std::optional<std::string> name = percent_decode(pair.substr(0, equals), true);
    std::optional<std::string> value = equals == std::string_view::npos
                                           ? std::string()
                                           : percent_decode(pair.substr(equals + 1), true);
    if (!name || !value) {
      return std::nullopt;
    }
    fields.emplace(std::move(*name), std::move(*value));
  }
  return fields;
}

std::optional<std::map<std::string, std::string>> decode_multipart_form(std::string_view body,
                                                                        std::string_view boundary) {
  if (boundary.empty() || boundary.size() > 70) {
    return std::nullopt;  // RFC 2046 §5.1.1: 1 to 70 characters
  }
  const std::string delimiter = "--" + std::string(boundary);
  // RFC 2046 §5.1.1: a delimiter is a line of its own; text before the first is a preamble.
  std::size_t start = body.starts_with(delimiter) ? 0 : body.find("\r\n" + delimiter);
  if (start == std::string_view::npos) {
    return std::nullopt;
  }
  start += body.starts_with(delimiter) ? delimiter.size() : delimiter.size() + 2;
  std::map<std::string, std::string> fields;
  while (true) {
    std::string_view rest = body.substr(start);
    if (rest.starts_with("--")) {
      return fields;  // the close delimiter; what follows is an epilogue
    }
    std::size_t line_end = rest.find("\r\n");
    if (line_end == std::string_view::npos) {
      return std::nullopt;
    }
    std::size_t headers_begin = start + line_end + 2;  // past the delimiter's line end
    std::size_t next = body.find("\r\n" + delimiter, headers_begin);
    if (next == std::string_view::npos) {
      return std::nullopt;  // no close delimiter: the body was cut short
    }
    std::string_view part = body.substr(headers_begin, next - headers_begin);
    std::size_t blank = part.starts_with("\r\n") ? 0 : part.find("\r\n\r\n");
    if (blank == std::string_view::npos) {
      return std::nullopt;
    }
    std::string_view headers = part.substr(0, blank);
    std::string_view value = part.substr(blank + (blank == 0 ? 2 : 4));
    std::optional<mail::ContentDisposition> disposition;
    while (!headers.empty()) {
      std::size_t end = headers.find("\r\n");
      std::string_view line = headers.substr(0, end);
      headers.remove_prefix(end == std::string_view::npos ? headers.size() : end + 2);
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos &&
          iequals(trim(line.substr(0, colon)), "content-disposition")) {
        disposition = mail::parse_content_disposition(line.substr(colon + 1));
      }
    }
    if (disposition && disposition->type == "form-data" &&
        !disposition->parameter("name").empty() &&
        mail::find_parameter(disposition->parameters, "filename") == nullptr) {
      fields.emplace(std::string(disposition->parameter("name")), std::string(value));
    }
    start = next + 2 + delimiter.size();
  }
}

}  // namespace cqlist::server
