#include "core/text_checks.hpp"

#include <cstdint>

namespace tweetup {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view zero_width_space = "\xE2\x80\x8B";

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

}  // namespace

long utf8_sequence_at(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t at) { return static_cast<std::uint8_t>(text[at]); };
  const std::uint8_t lead = byte(i);
  if (lead < 0x80) return 1;
  long length = 0;
  std::uint8_t low = 0x80;
  std::uint8_t high = 0xBF;  // the allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlongs
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlongs
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;
  }
  for (long k = 1; k < length; ++k) {
    const std::size_t at = i + static_cast<std::size_t>(k);
    if (at >= text.size()) return -k;
    const std::uint8_t b = byte(at);
    const bool ok = k == 1 ? (b >= low && b <= high) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return -k;
  }
  return length;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const long length = utf8_sequence_at(text, i);
    if (length < 0) return false;
    i += static_cast<std::size_t>(length);
  }
  return true;
}

std::string displayable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_displayable(out, text);
  return out;
}

void append_displayable(std::string& out, std::string_view text) {
  while (!text.empty()) {
    // Printable ASCII other than '@' is kept as it is, so a run of it is copied at once: most
    // names and places are nothing else.
    std::size_t plain = 0;
    while (plain < text.size()) {
      const auto c = static_cast<std::uint8_t>(text[plain]);
      if (c < 0x20 || c >= 0x7F || c == '@') break;
      ++plain;
    }
    out.append(text.substr(0, plain));
    text.remove_prefix(plain);
    if (text.empty()) break;
    const long valid = utf8_sequence_at(text, 0);
    if (valid < 0) {
      out += replacement;  // one for each byte of an ill-formed sequence
      text.remove_prefix(1);
      continue;
    }
    const auto length = static_cast<std::size_t>(valid);
    const std::string_view sequence = text.substr(0, length);
    const auto lead = static_cast<std::uint8_t>(sequence[0]);
    const bool c1_control =
        length == 2 && lead == 0xC2 && static_cast<std::uint8_t>(sequence[1]) < 0xA0;
    if (sequence == "\r" || sequence == "\n" || sequence == "\t") {
      out += ' ';
    } else if ((length == 1 && (lead < 0x20 || lead == 0x7F)) || c1_control) {
      out += replacement;
    } else if (sequence == "@" && (starts_with_icase(text.substr(1), "everyone") ||
                                   starts_with_icase(text.substr(1), "here"))) {
      out += '@';
      out += zero_width_space;
    } else {
      out += sequence;
    }
    text.remove_prefix(length);
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view space = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(space);
  return text.substr(first, last - first + 1);
}

}  // namespace tweetup
