#include "timeparse/tokenizer.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "timeparse/vocabulary.hpp"

namespace tweetup::timeparse {
namespace {

// Control characters separate words like spaces do; they never belong to a time or a place.
constexpr bool is_space(unsigned char c) {
  return c <= ' ' || c == 0x7f;
}
constexpr bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool is_ascii_letter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// U+2019 (’) is typed by phones in "o’clock"; U+2013/U+2014 (– —) in "7–9pm". U+00A0 is a space.
bool starts_with(std::string_view text, std::size_t at, std::string_view what) {
  return text.size() - at >= what.size() && text.compare(at, what.size(), what) == 0;
}
constexpr std::string_view right_quote = "\xE2\x80\x99";
constexpr std::string_view en_dash = "\xE2\x80\x93";
constexpr std::string_view em_dash = "\xE2\x80\x94";
constexpr std::string_view no_break_space = "\xC2\xA0";
constexpr std::string_view middle_dot = "\xC2\xB7";  // a bullet: "Joe's · 7pm"
constexpr std::string_view ellipsis = "\xE2\x80\xA6";

// What a byte is to the tokenizer, from one table lookup. Only 0xE2 and 0xC2 may begin one of
// the folded sequences above, so only they need a look at the bytes after them.
// `lower` and `letter` come first: the word loop tells them from the rest with one comparison.
enum class byte_kind : std::uint8_t { lower, letter, upper, lead, digit, space, mark };

constexpr std::array<byte_kind, 256> byte_kinds = [] {
  std::array<byte_kind, 256> kinds{};
  for (int c = 0; c < 256; ++c) {
    auto& k = kinds[static_cast<std::size_t>(c)];
    const auto u = static_cast<unsigned char>(c);
    if (is_space(u))
      k = byte_kind::space;
    else if (is_digit(u))
      k = byte_kind::digit;
    else if (u >= 'a' && u <= 'z')
      k = byte_kind::lower;
    else if (u >= 'A' && u <= 'Z')
      k = byte_kind::upper;
    else if (u == 0xE2 || u == 0xC2)
      k = byte_kind::lead;
    else if (u >= 0x80)
      k = byte_kind::letter;
    else
      k = byte_kind::mark;
  }
  return kinds;
}();

byte_kind kind_of(char c) {
  return byte_kinds[static_cast<unsigned char>(c)];
}

// U+2000 to U+206F, General Punctuation: E2 80 xx and E2 81 xx. Spaces, quotes, dashes, the
// ellipsis and bullets, which phones and pasted text bring; none of them is a letter.
bool general_punctuation(std::string_view text, std::size_t at) {
  return text.size() - at >= 3 && (text[at + 1] == '\x80' || text[at + 1] == '\x81') &&
         static_cast<unsigned char>(text[at + 2]) >= 0x80;
}

// The spaces among them: U+2000 to U+200B (en quad to zero width space), U+202F (narrow
// no-break space), U+205F and U+2060 (word joiner).
bool unicode_space(std::string_view text, std::size_t at) {
  if (!general_punctuation(text, at)) return false;
  const auto last = static_cast<unsigned char>(text[at + 2]);
  if (text[at + 1] == '\x80') return last <= 0x8B || last == 0xAF;
  return last == 0x9F || last == 0xA0;
}

// 0xE2 or 0xC2 at `at` is a letter unless it begins a folded sequence or a mark.
bool lead_is_letter(std::string_view text, std::size_t at) {
  if (text[at] == '\xE2') return !general_punctuation(text, at);
  return !starts_with(text, at, no_break_space) && !starts_with(text, at, middle_dot);
}

bool is_word_byte(std::string_view text, std::size_t at) {
  switch (kind_of(text[at])) {
    case byte_kind::lower:
    case byte_kind::upper:
    case byte_kind::letter:
      return true;
    case byte_kind::lead:
      return lead_is_letter(text, at);
    default:
      return false;
  }
}

// The end of the run of ASCII lowercase letters that starts at `at`, eight bytes at a time: most
// of a text is such runs.
std::size_t past_lowercase(std::string_view text, std::size_t at) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t high = 0x8080808080808080ULL;
  while (at + 8 <= text.size()) {
    std::uint64_t x = 0;
    std::memcpy(&x, text.data() + at, 8);
    const std::uint64_t low7 = x & ~high;
    // A byte is in 'a'..'z' when its high bit is clear, it is >= 0x61 and not >= 0x7B; the
    // additions cannot carry from one byte into the next.
    const std::uint64_t at_least_a = (low7 + ones * (0x80 - 'a')) & ~x & high;
    const std::uint64_t past_z = (low7 + ones * (0x80 - 'z' - 1)) & high;
    const std::uint64_t letters = at_least_a & ~past_z;
    if (letters != high) {
      // Bytes are in memory order in the low end first on little-endian machines only.
      if constexpr (std::endian::native == std::endian::little) {
        return at + static_cast<std::size_t>(std::countr_zero(~letters & high)) / 8;
      } else {
        while (text[at] >= 'a' && text[at] <= 'z')
          ++at;
        return at;
      }
    }
    at += 8;
  }
  while (at < text.size() && text[at] >= 'a' && text[at] <= 'z')
    ++at;
  return at;
}

char lower_ascii(unsigned char c) {
  return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

// Chat spellings that begin with a digit: "2moro", "2nite", "2day". Returns the length of the
// word at `at` (a '2') when it is one of them, else 0.
std::size_t digit_word(std::string_view text, std::size_t at) {
  static constexpr std::string_view tails[] = {"moro", "morrow", "morow", "mrw",
                                               "mrow", "nite",   "night", "day"};
  std::size_t end = at + 1;
  while (end < text.size() && end - at <= 7 &&
         is_ascii_letter(static_cast<unsigned char>(text[end])))
    ++end;
  if (end == at + 1 || (end < text.size() && is_word_byte(text, end))) return 0;
  const std::size_t length = end - at - 1;
  for (auto tail : tails) {
    if (tail.size() != length) continue;
    bool same = true;
    for (std::size_t k = 0; k < length && same; ++k)
      same = lower_ascii(static_cast<unsigned char>(text[at + 1 + k])) == tail[k];
    if (same) return end - at;
  }
  return 0;
}

// A web address starting at `at` ("https://...", "www..."): its length, up to the first space
// or angle bracket, less the marks that end a sentence after it; 0 when there is none. It is one
// token, so nothing inside it ("/2026/12/05/") is read as a time, and the place keeps it whole.
std::size_t url_length(std::string_view text, std::size_t at) {
  // Most words that begin with h or w are no address: two bytes tell.
  if (text.size() - at < 5) return 0;
  const char second = lower_ascii(static_cast<unsigned char>(text[at + 1]));
  if (second != 't' && second != 'w') return 0;
  static constexpr std::string_view starts[] = {"https://", "http://", "www."};
  std::size_t prefix = 0;
  for (auto start : starts) {
    if (text.size() - at <= start.size()) continue;
    bool same = true;
    for (std::size_t k = 0; k < start.size() && same; ++k)
      same = lower_ascii(static_cast<unsigned char>(text[at + k])) == start[k];
    if (same) {
      prefix = start.size();
      break;
    }
  }
  if (prefix == 0) return 0;
  std::size_t end = at + prefix;
  while (end < text.size() && !is_space(static_cast<unsigned char>(text[end])) &&
         text[end] != '<' && text[end] != '>')
    ++end;
  while (end > at + prefix &&
         std::string_view(".,;:!?)'\"").find(text[end - 1]) != std::string_view::npos)
    --end;
  return end == at + prefix ? 0 : end - at;
}

}  // namespace

token_list tokenize(std::string_view text, scratch_arena& arena) {
  token_list tokens(arena.make<token>());
  // Most tokens are a word and a space or more; this usually saves every regrowth.
  tokens.reserve(text.size() / 3 + 4);
  // Lowercase copies, when a word needs one, never add up to more than the text: they are cut
  // from one block, asked of the arena only when the first one is needed.
  char* folds = nullptr;
  auto fold_space = [&](std::size_t size) {
    if (folds == nullptr) folds = static_cast<char*>(arena.allocate(text.size(), 1));
    char* out = folds;
    folds += size;
    return out;
  };
  std::size_t i = 0;
  bool space = false;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    const byte_kind kind = kind_of(text[i]);
    if (kind == byte_kind::space) {
      space = true;
      ++i;
      continue;
    }
    if (c == 0xC2 && starts_with(text, i, no_break_space)) {
      space = true;
      i += no_break_space.size();
      continue;
    }
    if (c == 0xE2 && unicode_space(text, i)) {
      space = true;
      i += 3;
      continue;
    }
    token& t = tokens.emplace_back();
    t.begin = i;
    t.space_before = space;
    space = false;
    const std::size_t url =
        (c | 0x20) == 'h' || (c | 0x20) == 'w' ? url_length(text, i) : std::size_t{0};
    std::size_t spelled = 0;
    if (url == 0 && c == '2' && i + 1 < n &&
        is_ascii_letter(static_cast<unsigned char>(text[i + 1])) &&
        (i == 0 || !is_digit(static_cast<unsigned char>(text[i - 1])))) {
      spelled = digit_word(text, i);
    }
    if (url != 0) {
      // A word no matcher knows, kept as typed.
      t.kind = token_kind::word;
      t.lower = text.substr(i, url);
      i += url;
    } else if (spelled != 0) {
      t.kind = token_kind::word;
      char* out = fold_space(spelled);
      for (std::size_t k = 0; k < spelled; ++k)
        out[k] = lower_ascii(static_cast<unsigned char>(text[i + k]));
      t.lower = std::string_view{out, spelled};
      t.entry = find_word(t.lower);
      i += spelled;
    } else if (kind == byte_kind::digit) {
      t.kind = token_kind::number;
      while (i < n && is_digit(static_cast<unsigned char>(text[i]))) {
        if (t.value < 100'000'000)
          t.value = t.value * 10 + (text[i] - '0');
        else
          t.value = 999'999'999;
        ++t.digits;
        ++i;
      }
      t.lower = text.substr(t.begin, i - t.begin);
    } else if (kind == byte_kind::lower || kind == byte_kind::upper || kind == byte_kind::letter ||
               (kind == byte_kind::lead && lead_is_letter(text, i))) {
      t.kind = token_kind::word;
      t.capitalized = kind == byte_kind::upper;
      // Most words are already lowercase ASCII: their text is the input itself, and a copy is
      // made only for the few that fold a capital or a typographic apostrophe.
      bool capital = false;
      bool quoted = false;  // a typographic apostrophe to fold
      while (i < n) {
        i = past_lowercase(text, i);
        if (i == n) break;
        const byte_kind k = kind_of(text[i]);
        if (k <= byte_kind::letter) {
          ++i;
          continue;
        }
        if (k == byte_kind::upper) {
          capital = true;
          ++i;
          continue;
        }
        if (k == byte_kind::lead && lead_is_letter(text, i)) {
          ++i;
          continue;
        }
        // An apostrophe between letters belongs to the word: "o'clock", "'til" stays apart.
        std::size_t quote = 0;
        if (text[i] == '\'')
          quote = 1;
        else if (k == byte_kind::lead && starts_with(text, i, right_quote))
          quote = right_quote.size();
        if (quote != 0 && i + quote < n && is_word_byte(text, i + quote)) {
          quoted = quoted || quote != 1;
          i += quote;
          continue;
        }
        break;
      }
      const std::size_t length = i - t.begin;
      if (!capital && !quoted) {
        t.lower = text.substr(t.begin, length);
      } else if (!quoted) {
        char* out = fold_space(length);
        for (std::size_t k = 0; k < length; ++k)
          out[k] = lower_ascii(static_cast<unsigned char>(text[t.begin + k]));
        t.lower = std::string_view{out, length};
      } else {
        char* out = fold_space(length);
        std::size_t w = 0;
        for (std::size_t k = t.begin; k < i;) {
          if (text[k] == '\xE2' && starts_with(text, k, right_quote)) {
            out[w++] = '\'';
            k += right_quote.size();
          } else {
            out[w++] = lower_ascii(static_cast<unsigned char>(text[k++]));
          }
        }
        t.lower = std::string_view{out, w};
      }
      t.entry = find_word(t.lower);
    } else {
      t.kind = token_kind::punct;
      if (c == 0xC2 && starts_with(text, i, middle_dot)) {
        t.lower = middle_dot;
        i += middle_dot.size();
      } else if (c != 0xE2) {
        t.lower = text.substr(i, 1);
        ++i;
      } else if (starts_with(text, i, right_quote)) {
        t.lower = "'";
        i += right_quote.size();
      } else if (starts_with(text, i, en_dash) || starts_with(text, i, em_dash)) {
        t.lower = "-";
        i += en_dash.size();
      } else if (starts_with(text, i, ellipsis)) {
        t.lower = ".";  // "friday… 7pm" as "friday. 7pm"
        i += ellipsis.size();
      } else if (general_punctuation(text, i)) {
        t.lower = text.substr(i, 3);  // a quote or a bullet, whole
        i += 3;
      } else {
        t.lower = text.substr(i, 1);
        ++i;
      }
    }
    t.end = i;
  }
  return tokens;
}

}  // namespace tweetup::timeparse
