// fuzz/encoded_word_fuzz.cpp: decoding any header text gives clean UTF-8, and encoding that
// text (UTF-8 and ISO-2022-JP, unstructured and phrase) decodes back to it.
//
// Aborts (a crash for libFuzzer, a failed test for the replay build) when a property breaks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_property.hpp"
#include "mail/charset.hpp"
#include "mail/encoded_word.hpp"
#include "mail/subject.hpp"

namespace {

using cqlist::mail::decode_header_text;
using cqlist::mail::encode_header_text;
using cqlist::mail::EncodeCharset;
using cqlist::mail::EncodeOptions;

// Every encoded word in encoder output is at most 75 characters (RFC 2047 §2).
void check_word_lengths(std::string_view encoded) {
  std::size_t position = 0;
  while ((position = encoded.find("=?", position)) != std::string_view::npos) {
    std::size_t end =
        encoded.find("?=", encoded.find('?', encoded.find('?', position + 2) + 1) + 1);
    require(end != std::string_view::npos, "an encoded word is terminated");
    require(end + 2 - position <= 75, "an encoded word is at most 75 characters");
    position = end + 2;
  }
}

// Folds are "\n" followed by white space, so Message accepts the value as one field.
void check_folding(std::string_view encoded) {
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '\n') {
      require(i + 1 < encoded.size() && (encoded[i + 1] == ' ' || encoded[i + 1] == '\t'),
              "every line break is a fold");
    }
    require(encoded[i] != '\r' && encoded[i] != '\0', "no CR or NUL in encoded text");
  }
}

void check_round_trip(const std::string& text, EncodeOptions options) {
  auto encoded = encode_header_text(text, options);
  if (options.charset == EncodeCharset::utf8) {
    require(encoded.has_value(), "valid UTF-8 always encodes as UTF-8");
  }
  if (!encoded) {
    return;
  }
  check_word_lengths(*encoded);
  check_folding(*encoded);
  std::string decoded = decode_header_text(*encoded);
  if (options.charset == EncodeCharset::utf8) {
    require(decoded == text, "decode(encode(text)) == text");
  } else {
    // ISO-2022-JP decodes JIS 1-33 as U+FF5E even when U+301C was encoded (the wave dash
    // trap), so the text may change once; after that, encoding is stable.
    auto again = encode_header_text(decoded, options);
    require(again.has_value() && *again == *encoded, "ISO-2022-JP encoding is stable");
  }
  require(decode_header_text(cqlist::mail::fold_header_text(*encoded, options.first_line_used)) ==
              decoded,
          "re-folding keeps the decoded text");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string raw(reinterpret_cast<const char*>(data), size);
  std::string decoded = decode_header_text(raw, "shift_jis");
  require(cqlist::mail::is_valid_utf8(decoded), "decoded text is valid UTF-8");
  require(decoded.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos,
          "decoded text has no CR, LF or NUL");

  std::string joined;
  std::size_t previous_end = 0;
  for (const auto& segment : cqlist::mail::split_header_text(raw, "shift_jis")) {
    require(segment.raw_begin >= previous_end && segment.raw_begin <= segment.raw_end &&
                segment.raw_end <= raw.size(),
            "segments are ordered spans of the input");
    previous_end = segment.raw_end;
    joined += segment.text;
  }
  require(joined == decoded, "segments join to the decoded text");

  for (bool phrase : {false, true}) {
    check_round_trip(decoded, {EncodeCharset::utf8, size % 40, phrase});
    check_round_trip(decoded, {EncodeCharset::iso_2022_jp, 9, phrase});
  }

  cqlist::mail::ListSubjectOptions options;
  options.list_name = "cq";
  options.article_number = 12;
  options.fallback_charset = "shift_jis";
  auto subject = cqlist::mail::make_list_subject(raw, options);
  require(subject.has_value(), "make_list_subject accepts any subject");
  check_folding(*subject);
  require(decode_header_text(*subject).starts_with("[cq:00012]"),
          "the subject starts with the tag");
  return 0;
}
