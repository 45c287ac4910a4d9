// The address-list grammar of RFC 5322 §3.4 and §4.4, read leniently.
//
// The lexer (address_lexer.cpp) turns the field value into tokens, dropping comments and
// folding but remembering where CFWS was; the parser here walks the tokens element by
// element. Errors never stop the parser: it records a problem, skips to the next separator
// and goes on.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/strings.hpp"
#include "mail/address.hpp"
#include "mail/address_lexer.hpp"
#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"

namespace cqlist::mail {

namespace {

using detail::Token;
using detail::TokenKind;

bool has_bad_dots(std::string_view text) {
  return !text.empty() &&
         (text.front() == '.' || text.back() == '.' || text.find("..") != std::string_view::npos);
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::size_t input_size, std::string_view fallback_charset,
         AddressList& out)
      : tokens_(std::move(tokens)),
        input_size_(input_size),
        fallback_charset_(fallback_charset),
        out_(out) {}

  void run() {
    while (!at_end()) {
      if (peek_is(',')) {
        ++pos_;  // an empty element: obs-addr-list (RFC 5322 §4.4)
        continue;
      }
      if (peek_is(';')) {
        // Outlook users type "a@x; b@y" and some mailers copy it into the field.
        report(AddressProblemKind::unexpected_text, tokens_[pos_].offset);
        ++pos_;
        continue;
      }
      if (parse_element(false) == ElementKind::closed_group && !at_end() && !peek_is(',')) {
        // "g: a@x; b@y": the ';' already ended an element, so read on without skipping.
        report(AddressProblemKind::unexpected_text, tokens_[pos_].offset);
        continue;
      }
      skip_to_separator();
    }
  }

 private:
  struct ElementShape {
    std::size_t end;
    std::size_t first_angle;
    std::size_t first_colon;
    std::size_t first_at;
  };

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  bool at_end() const { return pos_ >= tokens_.size(); }

  bool peek_is(char special) const { return !at_end() && tokens_[pos_].is(special); }

  std::size_t offset_at(std::size_t index) const {
    return index < tokens_.size() ? tokens_[index].offset : input_size_;
  }

  void report(AddressProblemKind kind, std::size_t offset) {
    out_.problems.push_back({kind, offset});
  }

  // Finds where the element starting at pos_ ends (a top-level ',' or ';') and where its
  // first '<', ':' and '@' are. Inside an angle-addr, ',' and ':' belong to an obs-route
  // ("<@a,@b:user@x>") until the route's colon.
  ElementShape shape_element() const {
    ElementShape shape{tokens_.size(), kNone, kNone, kNone};
    bool in_angle = false;
    bool in_route = false;
    for (std::size_t i = pos_; i < tokens_.size(); ++i) {
      const Token& token = tokens_[i];
      if (token.kind != TokenKind::special) {
        continue;
      }
      char c = token.text[0];
      if (!in_angle) {
        if (c == ',' || c == ';') {
          shape.end = i;
          return shape;
        }
        if (c == '<') {
          in_angle = true;
          in_route = i + 1 < tokens_.size() && tokens_[i + 1].is('@');
          if (shape.first_angle == kNone) {
            shape.first_angle = i;
          }
        } else if (c == ':' && shape.first_colon == kNone) {
          shape.first_colon = i;
        } else if (c == '@' && shape.first_at == kNone) {
          shape.first_at = i;
        }
      } else if (c == '>') {
        in_angle = false;
      } else if (c == ':') {
        in_route = false;
      } else if ((c == ',' || c == ';') && !in_route) {
        shape.end = i;
        return shape;
      }
    }
    return shape;
  }

  static bool colon_comes_first(const ElementShape& shape) {
    return shape.first_colon != kNone &&
           (shape.first_angle == kNone || shape.first_colon < shape.first_angle) &&
           (shape.first_at == kNone || shape.first_colon < shape.first_at);
  }

  enum class ElementKind { other, closed_group };

  ElementKind parse_element(bool in_group) {
    ElementShape shape = shape_element();
    if (in_group && colon_comes_first(shape)) {
      // A group in a group (RFC 5322 §3.4 forbids it): keep its members in the outer one.
      // Every colon before the first '<' or '@' goes at once, so that "g: a: b: ..." stays
      // linear.
      report(AddressProblemKind::nested_group, tokens_[shape.first_colon].offset);
      std::size_t bound = std::min({shape.end, shape.first_angle, shape.first_at});
      std::size_t last_colon = shape.first_colon;
      for (std::size_t i = shape.first_colon; i < bound; ++i) {
        if (tokens_[i].is(':')) {
          last_colon = i;
        }
      }
      pos_ = last_colon + 1;
      shape = shape_element();
      if (pos_ == shape.end) {
        return ElementKind::other;
      }
    }
    if (!in_group && colon_comes_first(shape)) {
      return parse_group(shape.first_colon) ? ElementKind::closed_group : ElementKind::other;
    }
    std::optional<Mailbox> mailbox;
    if (shape.first_angle != kNone) {
      mailbox = parse_name_addr(shape.first_angle, shape.end);
    } else if (shape.first_at != kNone) {
      mailbox = parse_addr_spec(shape.end, false);
    } else {
      report(AddressProblemKind::missing_at_sign, offset_at(pos_));
      pos_ = shape.end;
      return ElementKind::other;
    }
    if (mailbox) {
      if (in_group) {
        std::get<Group>(out_.entries.back()).mailboxes.push_back(std::move(*mailbox));
      } else {
        out_.entries.emplace_back(std::move(*mailbox));
      }
    }
    return ElementKind::other;
  }

  // Returns whether the group was closed by its ';'.
  bool parse_group(std::size_t colon) {
    Group group;
    group.display_name = phrase(pos_, colon);
    out_.entries.emplace_back(std::move(group));
    pos_ = colon + 1;
    while (!at_end()) {
      if (peek_is(';')) {
        ++pos_;
        return true;
      }
      if (peek_is(',')) {
        ++pos_;
        continue;
      }
      parse_element(true);
      skip_to_separator();
    }
    report(AddressProblemKind::unterminated_group, input_size_);
    return false;
  }

  // display-name "<" [obs-route] addr-spec ">"; the name may hold unquoted '@' and '.'.
  std::optional<Mailbox> parse_name_addr(std::size_t angle, std::size_t end) {
    std::string display_name = phrase(pos_, angle);
    pos_ = angle + 1;
    if (peek_is('>')) {
      report(AddressProblemKind::empty_angle_addr, tokens_[angle].offset);
      ++pos_;
      return std::nullopt;
    }
    if (peek_is('@')) {
      skip_obs_route(end);
    }
    std::optional<Mailbox> mailbox = parse_addr_spec(end, true);
    std::size_t close = pos_;
    while (close < end && !tokens_[close].is('>')) {
      ++close;
    }
    if (close == end) {
      report(AddressProblemKind::unterminated_angle_addr, tokens_[angle].offset);
    } else if (close > pos_) {
      report(AddressProblemKind::unexpected_text, tokens_[pos_].offset);
    }
    pos_ = close < end ? close + 1 : end;
    if (mailbox) {
      mailbox->display_name = std::move(display_name);
    }
    return mailbox;
  }

  // obs-route = obs-domain-list ":" (RFC 5322 §4.4): source routes are dropped.
  void skip_obs_route(std::size_t end) {
    std::size_t i = pos_;
    while (i < end && !tokens_[i].is(':') && !tokens_[i].is('>')) {
      ++i;
    }
    if (i < end && tokens_[i].is(':')) {
      pos_ = i + 1;
    }
  }

  // local-part "@" domain, where the local part may be an obs-local-part (words joined by
  // dots with CFWS between them) and the domain an obs-domain or a domain literal. Inside an
  // angle-addr a '>' ends it.
  std::optional<Mailbox> parse_addr_spec(std::size_t end, bool in_angle) {
    Mailbox mailbox;
    bool previous_was_word = false;
    while (pos_ < end && !tokens_[pos_].is('@')) {
      const Token& token = tokens_[pos_];
      bool dot = token.is('.');
      if (in_angle && token.is('>')) {
        break;
      }
      if ((!dot && !token.is_word()) || (token.is_word() && previous_was_word)) {
        // Words not joined by dots ("John Doe jdoe@x", a forgotten "<"): keep the last run.
        report(AddressProblemKind::unexpected_text, token.offset);
        mailbox.local_part.clear();
        mailbox.local_part_quoted = false;
        if (!token.is_word()) {
          ++pos_;
          previous_was_word = false;
          continue;
        }
      }
      mailbox.local_part += token.text;
      mailbox.local_part_quoted =
          mailbox.local_part_quoted || token.kind == TokenKind::quoted_string;
      previous_was_word = !dot;
      ++pos_;
    }
    if (pos_ >= end || !tokens_[pos_].is('@')) {
      report(AddressProblemKind::missing_at_sign, offset_at(pos_));
      return std::nullopt;
    }
    std::size_t at_sign = pos_++;
    bool bad_dots = has_bad_dots(mailbox.local_part);
    if (mailbox.local_part.empty() && !mailbox.local_part_quoted) {
      report(AddressProblemKind::missing_local_part, tokens_[at_sign].offset);
      parse_domain(end);
      return std::nullopt;
    }
    mailbox.domain = parse_domain(end);
    if (mailbox.domain.empty()) {
      report(AddressProblemKind::missing_domain, offset_at(pos_));
      return std::nullopt;
    }
    if (mailbox.domain.front() != '[') {
      bad_dots = bad_dots || has_bad_dots(mailbox.domain);
    }
    if (bad_dots) {
      report(AddressProblemKind::bad_dot_placement, tokens_[at_sign].offset);
    }
    if (!is_valid_utf8(mailbox.local_part) || !is_valid_utf8(mailbox.domain)) {
      report(AddressProblemKind::invalid_utf8, tokens_[at_sign].offset);
    }
    return mailbox;
  }

  std::string parse_domain(std::size_t end) {
    if (pos_ < end && tokens_[pos_].kind == TokenKind::domain_literal) {
      return tokens_[pos_++].text;
    }
    // obs-domain: atoms joined by dots, CFWS allowed around them; an atom right after an
    // atom ends the domain (what follows is reported by the caller).
    std::string domain;
    bool previous_was_atom = false;
    while (pos_ < end) {
      const Token& token = tokens_[pos_];
      bool is_atom = token.kind == TokenKind::atom;
      if ((!is_atom && !token.is('.')) || (is_atom && previous_was_atom)) {
        break;
      }
      domain += token.text;
      previous_was_atom = is_atom;
      ++pos_;
    }
    return domain;
  }

  // A phrase (display name or group name) from tokens [from, to): words are joined with one
  // space where CFWS separated them, so "John Q. Public" keeps its obs-phrase dot. Encoded
  // words are decoded even inside quoted strings, which RFC 2047 §5(3) forbids and mailers
  // do anyway.
  std::string phrase(std::size_t from, std::size_t to) const {
    std::string text;
    for (std::size_t i = from; i < to; ++i) {
      if (tokens_[i].space_before && !text.empty()) {
        text += ' ';
      }
      text += tokens_[i].text;
    }
    return std::string(trim(decode_header_text(text, fallback_charset_)));
  }

  // After an element only a separator may follow; anything else is reported and skipped.
  void skip_to_separator() {
    if (at_end() || peek_is(',') || peek_is(';')) {
      return;
    }
    report(AddressProblemKind::unexpected_text, tokens_[pos_].offset);
    while (!at_end() && !peek_is(',') && !peek_is(';')) {
      ++pos_;
    }
  }

  std::vector<Token> tokens_;
  std::size_t input_size_;
  std::string_view fallback_charset_;
  AddressList& out_;
  std::size_t pos_ = 0;
};

}  // namespace

AddressList parse_address_list(std::string_view field_value, std::string_view fallback_charset) {
  AddressList list;
  std::vector<Token> tokens = detail::tokenize_address(field_value, list.problems);
  Parser(std::move(tokens), field_value.size(), fallback_charset, list).run();
  if (list.entries.empty()) {
    list.problems.push_back({AddressProblemKind::no_address, 0});
  }
  return list;
}

}  // namespace cqlist::mail
