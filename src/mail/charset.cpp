#include "mail/charset.hpp"

#include <array>
#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <iconv.h>

#include "base/strings.hpp"

namespace cqlist::mail {
namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// Our own decoder for labels that name plain ISO-2022-JP (see decode_iso_2022_jp).
constexpr std::string_view kIso2022JpDecoder = "ISO-2022-JP";

struct Alias {
  std::string_view label;
  std::string_view iconv_name;
};

// MIME labels seen in real mail and the iconv name that reads them best. Japanese labels read as
// the Microsoft supersets because that is what the senders' software wrote: Shift_JIS mail from
// Windows contains NEC and IBM extension characters (①, ㈱, 髙) that plain Shift_JIS lacks.
constexpr std::array kAliases = {
    Alias{"utf-8", "UTF-8"},
    Alias{"utf8", "UTF-8"},
    Alias{"unicode-1-1-utf-8", "UTF-8"},
    Alias{"us-ascii", "ASCII"},
    Alias{"ascii", "ASCII"},
    Alias{"ansi_x3.4-1968", "ASCII"},
    Alias{"iso646-us", "ASCII"},
    Alias{"latin1", "ISO-8859-1"},
    Alias{"l1", "ISO-8859-1"},
    Alias{"latin-1", "ISO-8859-1"},
    Alias{"shift_jis", "CP932"},
    Alias{"shift-jis", "CP932"},
    Alias{"sjis", "CP932"},
    Alias{"x-sjis", "CP932"},
    Alias{"ms_kanji", "CP932"},
    Alias{"csshiftjis", "CP932"},
    Alias{"windows-31j", "CP932"},
    Alias{"cp932", "CP932"},
    Alias{"ms932", "CP932"},
    Alias{"x-ms-cp932", "CP932"},
    Alias{"euc-jp", "EUC-JP-MS"},
    Alias{"x-euc-jp", "EUC-JP-MS"},
    Alias{"eucjp", "EUC-JP-MS"},
    Alias{"cseucpkdfmtjapanese", "EUC-JP-MS"},
    Alias{"iso-2022-jp", kIso2022JpDecoder},
    Alias{"csiso2022jp", kIso2022JpDecoder},
    Alias{"iso-2022-jp-2", "ISO-2022-JP-2"},
    Alias{"iso-2022-jp-3", "ISO-2022-JP-3"},
    // GB18030 is a superset of GBK, which is a superset of GB2312 (EUC-CN).
    Alias{"gb2312", "GB18030"},
    Alias{"csgb2312", "GB18030"},
    Alias{"euc-cn", "GB18030"},
    Alias{"gbk", "GB18030"},
    Alias{"x-gbk", "GB18030"},
    Alias{"cp936", "GB18030"},
    Alias{"gb18030", "GB18030"},
    Alias{"big5", "BIG5-HKSCS"},
    Alias{"x-big5", "BIG5-HKSCS"},
    Alias{"cn-big5", "BIG5-HKSCS"},
    Alias{"big5-hkscs", "BIG5-HKSCS"},
    // CP949 (Unified Hangul Code) is a superset of EUC-KR; Korean Windows mail uses it.
    Alias{"euc-kr", "CP949"},
    Alias{"ks_c_5601-1987", "CP949"},
    Alias{"ksc5601", "CP949"},
    Alias{"cp949", "CP949"},
    Alias{"windows-949", "CP949"},
    Alias{"koi8-r", "KOI8-R"},
    Alias{"koi8-u", "KOI8-U"},
    Alias{"utf-7", "UTF-7"},
    Alias{"utf-16", "UTF-16"},
    Alias{"utf-16le", "UTF-16LE"},
    Alias{"utf-16be", "UTF-16BE"},
};

// A label is handed to iconv only if it looks like a charset name: this keeps "//TRANSLIT"
// style suffixes and other surprises in mail headers away from iconv_open.
bool is_plausible_label(std::string_view label) {
  if (label.empty() || label.size() > 40) {
    return false;
  }
  for (char c : label) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::string normalize_label(std::string_view mime_charset) {
  std::string_view label = trim(mime_charset);
  if (label.size() >= 2 && label.front() == '"' && label.back() == '"') {
    label = trim(label.substr(1, label.size() - 2));
  }
  return to_ascii_lower(label);
}

// "iso8859-2", "iso_8859-2", "iso-8859-2" -> "ISO-8859-2"; "windows-1251", "cp1251",
// "x-cp1251" -> "CP1251". Empty when the label is not of these families.
std::string numbered_family_name(std::string_view label) {
  for (std::string_view prefix : {"iso-8859-", "iso_8859-", "iso8859-", "iso8859_"}) {
    if (label.starts_with(prefix)) {
      std::string_view number = label.substr(prefix.size());
      // "iso_8859-1:1987" is a registered alias of ISO-8859-1.
      number = number.substr(0, number.find(':'));
      if (!number.empty() && number.size() <= 2 &&
          number.find_first_not_of("0123456789") == std::string_view::npos) {
        return fmt::format("ISO-8859-{}", number);
      }
    }
  }
  for (std::string_view prefix : {"windows-", "cp", "x-cp"}) {
    if (label.starts_with(prefix)) {
      std::string_view number = label.substr(prefix.size());
      if (number.size() == 4 && number.starts_with("125") && number[3] >= '0' && number[3] <= '8') {
        return fmt::format("CP{}", number);
      }
    }
  }
  return {};
}

// Owns one iconv descriptor.
class Converter {
 public:
  Converter(const std::string& to, const std::string& from)
      : descriptor_(iconv_open(to.c_str(), from.c_str())) {}

  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;

  ~Converter() {
    if (ok()) {
      iconv_close(descriptor_);
    }
  }

  bool ok() const { return descriptor_ != reinterpret_cast<iconv_t>(-1); }

  iconv_t get() const { return descriptor_; }

 private:
  iconv_t descriptor_;
};

bool iconv_knows(const std::string& name) {
  return Converter("UTF-8", name).ok();
}

enum class OnInvalid { fail, replace };

// Runs iconv over all of `input`. With OnInvalid::replace, each byte iconv rejects becomes one
// U+FFFD (only meaningful when the target is UTF-8) and conversion resumes at the next byte;
// `bad_offset` receives the offset of the first rejected byte either way.
bool run_iconv(Converter& converter, std::string_view input, OnInvalid on_invalid,
               std::string& output, std::size_t& bad_offset) {
  bad_offset = std::string_view::npos;
  std::array<char, 4096> buffer{};
  char* in = const_cast<char*>(input.data());
  std::size_t in_left = input.size();
  bool flushing = false;
  while (true) {
    char* out = buffer.data();
    std::size_t out_left = buffer.size();
    // The final call with no input makes stateful encoders return to their initial state
    // (ISO-2022-JP must end in ASCII, RFC 1468).
    std::size_t rc = flushing ? iconv(converter.get(), nullptr, nullptr, &out, &out_left)
                              : iconv(converter.get(), &in, &in_left, &out, &out_left);
    int error = (rc == static_cast<std::size_t>(-1)) ? errno : 0;
    output.append(buffer.data(), buffer.size() - out_left);
    if (error == E2BIG) {
      continue;
    }
    if (error == EILSEQ || error == EINVAL) {
      if (bad_offset == std::string_view::npos) {
        bad_offset = input.size() - in_left;
      }
      if (on_invalid == OnInvalid::fail) {
        return false;
      }
      output.append(kReplacementCharacter);
      if (error == EINVAL) {
        // A truncated sequence at the end of the input: nothing left to resume at.
        in_left = 0;
      } else {
        ++in;
        --in_left;
      }
      continue;
    }
    if (error != 0) {
      return false;
    }
    if (flushing) {
      return true;
    }
    if (in_left == 0) {
      flushing = true;
    }
  }
}

// Decoding of ISO-2022-JP as Windows and most Japanese mail readers do it (Microsoft's CP50221):
// glibc offers ISO-2022-JP, -JP-2 and -JP-3, and none of them accepts the NEC special characters
// of row 13 (①, ㈱, ㍉) or the NEC-selected IBM extensions of rows 89-92 behind ESC $ B, yet
// Japanese senders put them there all the time. So the escape sequences are read here and each
// character is rewritten as CP932 (Shift_JIS) bytes, which glibc's CP932 decodes with those
// extensions. Also accepted: ESC $ @ (JIS C 6226, read as JIS X 0208), ESC ( J (JIS X 0201
// Roman, read as ASCII as Microsoft does), ESC ( I and SO/SI (half-width katakana), and
// ESC $ ( D (JIS X 0212, decoded through EUC-JP). A line break always returns to ASCII.
class Iso2022JpDecoder {
 public:
  explicit Iso2022JpDecoder(OnInvalid on_invalid) : on_invalid_(on_invalid) {}

  bool decode(std::string_view input, std::string& output) {
    output_ = &output;
    std::size_t i = 0;
    while (i < input.size()) {
      auto byte = static_cast<unsigned char>(input[i]);
      if (byte == 0x1B) {
        std::size_t length = escape_length(input.substr(i));
        if (length == 0) {
          if (!invalid()) {
            return false;
          }
          ++i;
          continue;
        }
        i += length;
        continue;
      }
      if (byte == 0x0E || byte == 0x0F) {
        shifted_to_kana_ = (byte == 0x0E);
        ++i;
        continue;
      }
      if (byte == '\r' || byte == '\n') {
        mode_ = Mode::ascii;
        shifted_to_kana_ = false;
        append(Pending::cp932, static_cast<char>(byte));
        ++i;
        continue;
      }
      if (byte >= 0x80) {
        if (!invalid()) {
          return false;
        }
        ++i;
        continue;
      }
      Mode mode = shifted_to_kana_ ? Mode::kana : mode_;
      if (mode == Mode::ascii || byte < 0x21 || byte == 0x7F) {
        append(Pending::cp932, static_cast<char>(byte));
        ++i;
      } else if (mode == Mode::kana) {
        if (byte > 0x5F) {
          if (!invalid()) {
            return false;
          }
        } else {
          append(Pending::cp932, static_cast<char>(byte + 0x80));
        }
        ++i;
      } else {
        unsigned char second = 0;
        if (i + 1 < input.size()) {
          second = static_cast<unsigned char>(input[i + 1]);
        }
        if (second < 0x21 || second > 0x7E) {
          if (!invalid()) {
            return false;
          }
          ++i;
          continue;
        }
        if (mode == Mode::jis0212) {
          append(Pending::euc_jp, '\x8F');
          append(Pending::euc_jp, static_cast<char>(byte | 0x80));
          append(Pending::euc_jp, static_cast<char>(second | 0x80));
        } else {
          append_jis0208_as_cp932(byte, second);
        }
        i += 2;
      }
    }
    flush();
    return !failed_;
  }

 private:
  enum class Mode { ascii, kana, jis0208, jis0212 };
  enum class Pending { cp932, euc_jp };

  // Length of a recognised escape sequence at the start of `rest` (after switching to it),
  // or 0 when it is not one we know.
  std::size_t escape_length(std::string_view rest) {
    struct Sequence {
      std::string_view bytes;
      Mode mode;
    };

    static constexpr std::array kSequences = {
        Sequence{"\x1B(B", Mode::ascii},    Sequence{"\x1B(J", Mode::ascii},
        Sequence{"\x1B(H", Mode::ascii},    Sequence{"\x1B(I", Mode::kana},
        Sequence{"\x1B$B", Mode::jis0208},  Sequence{"\x1B$@", Mode::jis0208},
        Sequence{"\x1B$(B", Mode::jis0208}, Sequence{"\x1B&@\x1B$B", Mode::jis0208},
        Sequence{"\x1B$(D", Mode::jis0212},
    };
    for (const Sequence& sequence : kSequences) {
      if (rest.starts_with(sequence.bytes)) {
        mode_ = sequence.mode;
        shifted_to_kana_ = false;
        return sequence.bytes.size();
      }
    }
    return 0;
  }

  void append_jis0208_as_cp932(unsigned char first, unsigned char second) {
    // JIS row/cell to Shift_JIS (JIS X 0208:1997 Annex 1).
    unsigned lead = ((first + 1u) >> 1) + (first <= 0x5E ? 0x70u : 0xB0u);
    unsigned trail = 0;
    if ((first & 1u) != 0) {
      trail = second + (second >= 0x60 ? 0x20u : 0x1Fu);
    } else {
      trail = second + 0x7Eu;
    }
    append(Pending::cp932, static_cast<char>(lead));
    append(Pending::cp932, static_cast<char>(trail));
  }

  void append(Pending kind, char byte) {
    if (kind != pending_kind_) {
      flush();
      pending_kind_ = kind;
    }
    pending_.push_back(byte);
  }

  void flush() {
    if (pending_.empty()) {
      return;
    }
    Converter converter("UTF-8", pending_kind_ == Pending::cp932 ? "CP932" : "EUC-JP");
    std::size_t bad_offset = 0;
    if (!converter.ok() || !run_iconv(converter, pending_, on_invalid_, *output_, bad_offset)) {
      failed_ = true;
    }
    pending_.clear();
  }

  // Handles a byte the decoder cannot place: false means give up (strict mode).
  bool invalid() {
    if (on_invalid_ == OnInvalid::fail) {
      return false;
    }
    flush();
    output_->append(kReplacementCharacter);
    return true;
  }

  OnInvalid on_invalid_;
  Mode mode_ = Mode::ascii;
  bool shifted_to_kana_ = false;
  bool failed_ = false;
  Pending pending_kind_ = Pending::cp932;
  std::string pending_;
  std::string* output_ = nullptr;
};

// Microsoft's mapping of JIS X 0208 (what the Japanese decoders above produce, and what Windows
// users type) differs from the JIS one for seven characters; glibc's ISO-2022-JP encoder knows
// only the JIS code points. This is the classic "wave dash" trap: 〜 (U+301C) versus ～ (U+FF5E)
// for JIS 1-33. Decoding follows Microsoft (and the WHATWG Encoding Standard, so mail reads the
// same as in browsers and Thunderbird); encoding to ISO-2022-JP accepts both forms.
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kMicrosoftToJis = {{
    {"\xEF\xBD\x9E", "\xE3\x80\x9C"},  // U+FF5E FULLWIDTH TILDE -> U+301C WAVE DASH
    {"\xE2\x88\xA5", "\xE2\x80\x96"},  // U+2225 PARALLEL TO -> U+2016 DOUBLE VERTICAL LINE
    {"\xEF\xBC\x8D", "\xE2\x88\x92"},  // U+FF0D FULLWIDTH HYPHEN-MINUS -> U+2212 MINUS SIGN
    {"\xEF\xBF\xA0", "\xC2\xA2"},      // U+FFE0 FULLWIDTH CENT SIGN -> U+00A2 CENT SIGN
    {"\xEF\xBF\xA1", "\xC2\xA3"},      // U+FFE1 FULLWIDTH POUND SIGN -> U+00A3 POUND SIGN
    {"\xEF\xBF\xA2", "\xC2\xAC"},      // U+FFE2 FULLWIDTH NOT SIGN -> U+00AC NOT SIGN
    {"\xE2\x80\x94", "\xE2\x80\x95"},  // U+2014 EM DASH -> U+2015 HORIZONTAL BAR
}};

std::string microsoft_to_jis(std::string_view utf8) {
  std::string result;
  result.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    bool replaced = false;
    for (const auto& [microsoft, jis] : kMicrosoftToJis) {
      if (utf8.substr(i).starts_with(microsoft)) {
        result.append(jis);
        i += microsoft.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      result.push_back(utf8[i]);
      ++i;
    }
  }
  return result;
}

bool has_8bit(std::string_view bytes) {
  for (char c : bytes) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return true;
    }
  }
  return false;
}

// The iconv name used for decoding: a superset of what the label promises where real mail
// needs one. ISO-8859-1 labels often carry Windows "smart quotes" (0x80-0x9F), so they are
// read as CP1252 when that succeeds.
Result<std::string> decode(std::string_view bytes, const std::string& name, OnInvalid on_invalid,
                           std::string_view label) {
  std::string output;
  if (name.empty()) {
    return fail(Errc::unsupported, fmt::format("unknown charset \"{}\"", label));
  }
  if (name == "UTF-8" || (name == "ASCII" && !has_8bit(bytes))) {
    if (is_valid_utf8(bytes)) {
      return std::string(bytes);
    }
  }
  if (name == kIso2022JpDecoder) {
    Iso2022JpDecoder decoder(on_invalid);
    if (!decoder.decode(bytes, output)) {
      return fail(Errc::bad_syntax, "invalid ISO-2022-JP text");
    }
    return output;
  }
  if (name == "ISO-8859-1") {
    Converter windows("UTF-8", "CP1252");
    std::size_t bad_offset = 0;
    if (windows.ok() && run_iconv(windows, bytes, OnInvalid::fail, output, bad_offset)) {
      return output;
    }
    output.clear();
  }
  Converter converter("UTF-8", name);
  if (!converter.ok()) {
    return fail(Errc::unsupported, fmt::format("charset \"{}\" is not available", label));
  }
  std::size_t bad_offset = 0;
  if (!run_iconv(converter, bytes, on_invalid, output, bad_offset)) {
    return fail(Errc::bad_syntax,
                fmt::format("invalid {} byte sequence at offset {}", label, bad_offset));
  }
  return output;
}

}  // namespace

namespace {

// The length of the valid UTF-8 sequence at bytes[i], or 0 when none starts there.
std::size_t utf8_sequence_length(std::string_view bytes, std::size_t i) {
  auto lead = static_cast<unsigned char>(bytes[i]);
  if (lead < 0x80) {
    return 1;
  }
  std::size_t length = 0;
  unsigned char low = 0x80;  // bounds of the second byte rule out overlongs and surrogates
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    low = lead == 0xE0 ? 0xA0 : 0x80;
    high = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    low = lead == 0xF0 ? 0x90 : 0x80;
    high = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (i + length > bytes.size()) {
    return 0;
  }
  auto second = static_cast<unsigned char>(bytes[i + 1]);
  if (second < low || second > high) {
    return 0;
  }
  for (std::size_t k = 2; k < length; ++k) {
    auto next = static_cast<unsigned char>(bytes[i + k]);
    if (next < 0x80 || next > 0xBF) {
      return 0;
    }
  }
  return length;
}

// UTF-8 with each byte that starts no valid sequence replaced by U+FFFD. glibc's iconv lets
// the old 5- and 6-byte forms through a UTF-8 to UTF-8 conversion, so UTF-8 input is checked
// here instead.
std::string replace_invalid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::size_t length = utf8_sequence_length(bytes, i);
    if (length == 0) {
      out.append(kReplacementCharacter);
      ++i;
      continue;
    }
    out.append(bytes.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::size_t length = utf8_sequence_length(bytes, i);
    if (length == 0) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string iconv_charset_name(std::string_view mime_charset) {
  std::string label = normalize_label(mime_charset);
  for (const Alias& alias : kAliases) {
    if (label == alias.label) {
      return std::string(alias.iconv_name);
    }
  }
  if (std::string family = numbered_family_name(label); !family.empty()) {
    return family;
  }
  if (!is_plausible_label(label)) {
    return {};
  }
  std::string upper;
  for (char c : label) {
    upper.push_back(ascii_upper(c));
  }
  return iconv_knows(upper) ? upper : std::string();
}

Result<std::string> to_utf8(std::string_view bytes, std::string_view charset) {
  return decode(bytes, iconv_charset_name(charset), OnInvalid::fail, charset);
}

std::string to_utf8_lenient(std::string_view bytes, std::string_view charset) {
  std::string name = iconv_charset_name(charset);
  // Mail labelled US-ASCII (or unlabelled) with 8-bit bytes is either UTF-8 or Latin-1 from a
  // client that did not know better: the same guess as for an unknown label.
  if (name.empty() || name == "ASCII") {
    if (is_valid_utf8(bytes)) {
      return std::string(bytes);
    }
    name = "ISO-8859-1";
  }
  if (name == "UTF-8") {
    return replace_invalid_utf8(bytes);
  }
  Result<std::string> decoded = decode(bytes, name, OnInvalid::replace, charset);
  if (decoded) {
    return std::move(*decoded);
  }
  // Only reachable when iconv lacks a converter it listed; keep the text readable anyway.
  return to_utf8_lenient(bytes, "");
}

Result<std::string> from_utf8(std::string_view utf8, std::string_view charset) {
  if (!is_valid_utf8(utf8)) {
    return fail(Errc::invalid_argument, "text to encode is not valid UTF-8");
  }
  std::string name = iconv_charset_name(charset);
  if (name.empty()) {
    return fail(Errc::unsupported, fmt::format("unknown charset \"{}\"", charset));
  }
  if (name == "UTF-8") {
    return std::string(utf8);
  }
  std::string input(utf8);
  bool pure_iso_2022_jp = (name == kIso2022JpDecoder);
  if (pure_iso_2022_jp) {
    // ESC, SO and SI are the code's own switching bytes: as text they would change its meaning.
    if (utf8.find_first_of("\x1B\x0E\x0F") != std::string_view::npos) {
      return fail(Errc::unsupported, "ESC, SO and SI cannot be written as ISO-2022-JP text");
    }
    input = microsoft_to_jis(utf8);
  }
  Converter converter(name, "UTF-8");
  if (!converter.ok()) {
    return fail(Errc::unsupported, fmt::format("charset \"{}\" is not available", charset));
  }
  std::string output;
  std::size_t bad_offset = 0;
  if (!run_iconv(converter, input, OnInvalid::fail, output, bad_offset)) {
    return fail(Errc::unsupported, fmt::format("the text at offset {} has no representation in {}",
                                               bad_offset, charset));
  }
  // glibc writes ¥ and ‾ as JIS X 0201 Roman (ESC ( J), which many readers show as \ and ~.
  // Pure ISO-2022-JP here means ASCII and JIS X 0208 only (RFC 1468).
  if (pure_iso_2022_jp && output.find("\x1B(J") != std::string::npos) {
    return fail(Errc::unsupported, "¥ and ‾ have no representation in ISO-2022-JP");
  }
  return output;
}

}  // namespace cqlist::mail
