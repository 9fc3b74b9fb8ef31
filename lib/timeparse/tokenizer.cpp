#include "timeparse/tokenizer.hpp"

#include "timeparse/vocabulary.hpp"

namespace tweetup::timeparse {
namespace {

// Control characters separate words like spaces do; they never belong to a time or a place.
bool is_space(unsigned char c) {
  return c <= ' ' || c == 0x7f;
}
bool is_digit(unsigned char c) {
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

// The folded sequences all start with 0xE2 or 0xC2; other bytes need no comparison.
bool is_word_byte(std::string_view text, std::size_t at) {
  const auto c = static_cast<unsigned char>(text[at]);
  if (is_ascii_letter(c)) return true;
  if (c < 0x80) return false;
  if (c == 0xE2) {
    return !starts_with(text, at, right_quote) && !starts_with(text, at, en_dash) &&
           !starts_with(text, at, em_dash);
  }
  return c != 0xC2 || !starts_with(text, at, no_break_space);
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

}  // namespace

token_list tokenize(std::string_view text, std::pmr::memory_resource* arena) {
  token_list tokens(arena);
  // Most tokens are a word and a space or more; this usually saves every regrowth.
  tokens.reserve(text.size() / 3 + 4);
  std::size_t i = 0;
  bool space = false;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (is_space(c)) {
      space = true;
      ++i;
      continue;
    }
    if (c == 0xC2 && starts_with(text, i, no_break_space)) {
      space = true;
      i += no_break_space.size();
      continue;
    }
    token& t = tokens.emplace_back();
    t.begin = i;
    t.space_before = space;
    space = false;
    std::size_t spelled = 0;
    if (c == '2' && i + 1 < n && is_ascii_letter(static_cast<unsigned char>(text[i + 1])) &&
        (i == 0 || !is_digit(static_cast<unsigned char>(text[i - 1])))) {
      spelled = digit_word(text, i);
    }
    if (spelled != 0) {
      t.kind = token_kind::word;
      auto* out = static_cast<char*>(arena->allocate(spelled, 1));
      for (std::size_t k = 0; k < spelled; ++k)
        out[k] = lower_ascii(static_cast<unsigned char>(text[i + k]));
      t.lower = std::string_view{out, spelled};
      t.entry = find_word(t.lower);
      i += spelled;
    } else if (is_digit(c)) {
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
    } else if (is_word_byte(text, i)) {
      t.kind = token_kind::word;
      t.capitalized = c >= 'A' && c <= 'Z';
      // Most words are already lowercase ASCII: their text is the input itself, and a copy is
      // made only for the few that fold a capital or a typographic apostrophe.
      bool folded = false;
      std::size_t length = 0;
      while (i < n) {
        if (is_word_byte(text, i)) {
          folded = folded || (text[i] >= 'A' && text[i] <= 'Z');
          ++length;
          ++i;
          continue;
        }
        // An apostrophe between letters belongs to the word: "o'clock", "'til" stays apart.
        std::size_t quote = 0;
        if (text[i] == '\'')
          quote = 1;
        else if (starts_with(text, i, right_quote))
          quote = right_quote.size();
        if (quote != 0 && i + quote < n && is_word_byte(text, i + quote)) {
          folded = folded || quote != 1;
          ++length;
          i += quote;
          continue;
        }
        break;
      }
      if (!folded) {
        t.lower = text.substr(t.begin, i - t.begin);
      } else {
        auto* out = static_cast<char*>(arena->allocate(length, 1));
        std::size_t w = 0;
        for (std::size_t k = t.begin; k < i;) {
          if (starts_with(text, k, right_quote)) {
            out[w++] = '\'';
            k += right_quote.size();
          } else {
            out[w++] = lower_ascii(static_cast<unsigned char>(text[k++]));
          }
        }
        t.lower = std::string_view{out, length};
      }
      t.entry = find_word(t.lower);
    } else {
      t.kind = token_kind::punct;
      if (starts_with(text, i, right_quote)) {
        t.lower = "'";
        i += right_quote.size();
      } else if (starts_with(text, i, en_dash) || starts_with(text, i, em_dash)) {
        t.lower = "-";
        i += en_dash.size();
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
