// Splits free text into words, numbers and single punctuation marks, keeping byte positions so
// that the time phrase can be cut out of the original text exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "timeparse/scratch_arena.hpp"

namespace tweetup::timeparse {

struct word_entry;

enum class token_kind : std::uint8_t { word, number, punct };

// The members are ordered so that a token takes 56 bytes: every pass of the parser walks them.
struct token {
  std::size_t begin = 0;  // byte range [begin, end) of the input
  std::size_t end = 0;
  // ASCII-lowercased text; typographic apostrophes and dashes folded. Points into the input when
  // that already reads the same, otherwise into storage from the arena given to tokenize.
  std::string_view lower;
  const word_entry* entry = nullptr;  // words: what the vocabulary knows of `lower`
  long value = 0;                     // numbers: the value, saturated at 999'999'999
  int digits = 0;                     // numbers: how many digits were written
  token_kind kind = token_kind::punct;
  bool space_before = false;  // whitespace separates this token from the previous one
  bool capitalized = false;   // words: the first byte is an ASCII capital letter
};

using token_list = scratch_arena::vector<token>;

// Linear in the input; accepts any bytes. Bytes >= 0x80 count as letters, so words in other
// scripts stay whole; control characters count as whitespace. The tokens, and the lowercase text
// they point to, come from `arena`; they refer to `text`, which must outlive them.
token_list tokenize(std::string_view text, scratch_arena& arena);

}  // namespace tweetup::timeparse
