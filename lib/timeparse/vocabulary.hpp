// The English words the time parser knows, looked up by their lowercase form.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "timeparse/phrase.hpp"

namespace tweetup::timeparse {

std::optional<int> weekday_number(std::string_view word);  // 0 = Sunday
std::optional<int> month_number(std::string_view word);    // 1 = January
std::string_view month_name(int month);                    // "December"
std::optional<int> number_word(std::string_view word);     // "six" = 6, up to "sixty"
std::optional<day_part> day_part_word(std::string_view word);
bool is_ordinal_suffix(std::string_view word);  // st nd rd th

// Shortest first: the duration scanner compares units by this order.
enum class duration_unit { second, minute, hour, day, week, fortnight, month };
std::optional<duration_unit> duration_unit_word(std::string_view word);

// Everything the tables above say about one word, found with one hash probe. The tokenizer
// attaches it to each word so that the scanner never looks a word up twice. Entries live in a
// read-only static table for the life of the program. The table also knows every word a piece of
// a time phrase can begin with, so a word without an entry begins none.
struct word_entry {
  std::string_view word;
  std::uint16_t id = 0;      // the entry's place in vocabulary()
  std::int8_t weekday = -1;  // 0 = Sunday
  std::int8_t month = 0;     // 1 = January
  std::int8_t number = -1;
  std::int8_t ordinal = 0;  // "fifth" = 5
  std::int8_t unit = -1;    // a duration_unit
  std::int8_t zone = -1;    // an index for zone_abbreviation
  day_part part = day_part::none;
  // How the word sits next to the pieces of a phrase (time_parser.cpp).
  bool joins = false;     // may stand between two pieces of one phrase: "friday, dec 3 at 7pm"
  bool connects = false;  // rule 14: leaves with the time when the place is cut out: "at", "on"
  day_part meal = day_part::none;  // "lunch" reads a bare hour at midday, "dinner" in the evening
  bool numbers_place = false;      // "gate", "room": the number after it is part of a name
  bool hedges = false;             // "about", "approx": may stand before a quantity
};
const word_entry* find_word(std::string_view word);  // nullptr when no table knows it
std::span<const word_entry> vocabulary();            // every entry, in the order of their ids
std::optional<text_zone> zone_of(const word_entry& entry);

// "cet", "pst", "et", "eastern": a fixed offset or a DST-following US zone.
std::optional<text_zone> zone_abbreviation(std::string_view word);

// An IANA name as typed ("Europe/Berlin", "america/new_york"); nothing when the database lacks it.
const date::time_zone* find_iana_zone(std::string_view name);

}  // namespace tweetup::timeparse
