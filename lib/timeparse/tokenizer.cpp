#include "timeparse/tokenizer.hpp"

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
  return text.substr(at, what.size()) == what;
}
constexpr std::string_view right_quote = "\xE2\x80\x99";
constexpr std::string_view en_dash = "\xE2\x80\x93";
constexpr std::string_view em_dash = "\xE2\x80\x94";
constexpr std::string_view no_break_space = "\xC2\xA0";

bool is_word_byte(std::string_view text, std::size_t at) {
  const auto c = static_cast<unsigned char>(text[at]);
  if (is_ascii_letter(c)) return true;
  if (c < 0x80) return false;
  return !starts_with(text, at, right_quote) && !starts_with(text, at, en_dash) &&
         !starts_with(text, at, em_dash) && !starts_with(text, at, no_break_space);
}

char lower_ascii(unsigned char c) {
  return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

}  // namespace

std::vector<token> tokenize(std::string_view text) {
  std::vector<token> tokens;
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
    if (starts_with(text, i, no_break_space)) {
      space = true;
      i += no_break_space.size();
      continue;
    }
    token t;
    t.begin = i;
    t.space_before = space;
    space = false;
    if (is_digit(c)) {
      t.kind = token_kind::number;
      while (i < n && is_digit(static_cast<unsigned char>(text[i]))) {
        if (t.value < 100'000'000)
          t.value = t.value * 10 + (text[i] - '0');
        else
          t.value = 999'999'999;
        ++t.digits;
        t.lower.push_back(text[i]);
        ++i;
      }
    } else if (is_word_byte(text, i)) {
      t.kind = token_kind::word;
      t.capitalized = c >= 'A' && c <= 'Z';
      while (i < n) {
        if (is_word_byte(text, i)) {
          t.lower.push_back(lower_ascii(static_cast<unsigned char>(text[i])));
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
          t.lower.push_back('\'');
          i += quote;
          continue;
        }
        break;
      }
    } else {
      t.kind = token_kind::punct;
      if (starts_with(text, i, right_quote)) {
        t.lower.push_back('\'');
        i += right_quote.size();
      } else if (starts_with(text, i, en_dash) || starts_with(text, i, em_dash)) {
        t.lower.push_back('-');
        i += en_dash.size();
      } else {
        t.lower.push_back(static_cast<char>(c));
        ++i;
      }
    }
    t.end = i;
    tokens.push_back(std::move(t));
  }
  return tokens;
}

}  // namespace tweetup::timeparse
