// Splits free text into words, numbers and single punctuation marks, keeping byte positions so
// that the time phrase can be cut out of the original text exactly.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tweetup::timeparse {

enum class token_kind { word, number, punct };

struct token {
  token_kind kind = token_kind::punct;
  std::size_t begin = 0;  // byte range [begin, end) of the input
  std::size_t end = 0;
  bool space_before = false;  // whitespace separates this token from the previous one
  bool capitalized = false;   // words: the first byte is an ASCII capital letter
  std::string lower;          // ASCII-lowercased text; typographic apostrophes and dashes folded
  long value = 0;             // numbers: the value, saturated at 999'999'999
  int digits = 0;             // numbers: how many digits were written
};

// Linear in the input; accepts any bytes. Bytes >= 0x80 count as letters, so words in other
// scripts stay whole; control characters count as whitespace.
std::vector<token> tokenize(std::string_view text);

}  // namespace tweetup::timeparse
