// mail/address_lexer.hpp: the tokens of an address field value (RFC 5322 §3.2).
//
// Owns: splitting a From/To/Cc/... value into atoms, quoted strings, domain literals and
// specials, with comments and folding dropped but remembered as "CFWS came before". Internal
// to address_parse.cpp (namespace detail); the grammar above the tokens lives there.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mail/address.hpp"

namespace cqlist::mail::detail {

enum class TokenKind { atom, quoted_string, domain_literal, special };

struct Token {
  TokenKind kind;
  // atom: as written; quoted_string: the content without quotes, quoted pairs and folding;
  // domain_literal: brackets included, white space removed; special: the one character.
  std::string text;
  std::size_t offset;
  // CFWS (white space or a comment) came before the token: a phrase keeps a space there.
  bool space_before;

  bool is(char special) const {
    return kind == TokenKind::special && text.size() == 1 && text[0] == special;
  }

  bool is_word() const { return kind == TokenKind::atom || kind == TokenKind::quoted_string; }
};

// Never fails: unterminated comments, quoted strings and domain literals are closed at the
// end (or, for literals, at the next character that cannot be in one) and reported.
std::vector<Token> tokenize_address(std::string_view field_value,
                                    std::vector<AddressProblem>& problems);

}  // namespace cqlist::mail::detail
