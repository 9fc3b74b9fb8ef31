#include "timeparse/vocabulary.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>

#include <date/tz.h>

namespace tweetup::timeparse {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 18> weekdays{{
    {"sunday", 0},
    {"sun", 0},
    {"monday", 1},
    {"mon", 1},
    {"tuesday", 2},
    {"tue", 2},
    {"tues", 2},
    {"wednesday", 3},
    {"wed", 3},
    {"weds", 3},
    {"thursday", 4},
    {"thu", 4},
    {"thur", 4},
    {"thurs", 4},
    {"friday", 5},
    {"fri", 5},
    {"saturday", 6},
    {"sat", 6},
}};

constexpr std::array<std::pair<std::string_view, int>, 24> months{{
    {"january", 1},   {"jan", 1},   {"february", 2},  {"feb", 2},      {"march", 3},
    {"mar", 3},       {"april", 4}, {"apr", 4},       {"may", 5},      {"june", 6},
    {"jun", 6},       {"july", 7},  {"jul", 7},       {"august", 8},   {"aug", 8},
    {"september", 9}, {"sep", 9},   {"sept", 9},      {"october", 10}, {"oct", 10},
    {"november", 11}, {"nov", 11},  {"december", 12}, {"dec", 12},
}};

constexpr std::array<std::string_view, 12> month_names{
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

constexpr std::array<std::pair<std::string_view, int>, 26> numbers{{
    {"one", 1},      {"two", 2},        {"three", 3},     {"four", 4},      {"five", 5},
    {"six", 6},      {"seven", 7},      {"eight", 8},     {"nine", 9},      {"ten", 10},
    {"eleven", 11},  {"twelve", 12},    {"thirteen", 13}, {"fourteen", 14}, {"fifteen", 15},
    {"sixteen", 16}, {"seventeen", 17}, {"eighteen", 18}, {"nineteen", 19}, {"twenty", 20},
    {"thirty", 30},  {"forty", 40},     {"fifty", 50},    {"sixty", 60},    {"zero", 0},
    {"oh", 0},
}};

// Days written as words: "the fifth", "December twenty-first" (tens and units, as "twenty" and
// "first").
constexpr std::array<std::pair<std::string_view, int>, 21> ordinals{{
    {"first", 1},        {"second", 2},      {"third", 3},       {"fourth", 4},
    {"fifth", 5},        {"sixth", 6},       {"seventh", 7},     {"eighth", 8},
    {"ninth", 9},        {"tenth", 10},      {"eleventh", 11},   {"twelfth", 12},
    {"thirteenth", 13},  {"fourteenth", 14}, {"fifteenth", 15},  {"sixteenth", 16},
    {"seventeenth", 17}, {"eighteenth", 18}, {"nineteenth", 19}, {"twentieth", 20},
    {"thirtieth", 30},
}};

constexpr std::array<std::pair<std::string_view, day_part>, 8> parts{{
    {"aft", day_part::afternoon},
    {"morning", day_part::morning},
    {"afternoon", day_part::afternoon},
    {"arvo", day_part::afternoon},
    {"evening", day_part::evening},
    {"eve", day_part::evening},
    {"night", day_part::night},
    {"nite", day_part::night},
}};

// With the possessive ones of "in an hour's time", "in a week's time".
constexpr std::array<std::pair<std::string_view, duration_unit>, 37> units{{
    {"s", duration_unit::second},
    {"sec", duration_unit::second},
    {"secs", duration_unit::second},
    {"second", duration_unit::second},
    {"seconds", duration_unit::second},
    {"m", duration_unit::minute},
    {"min", duration_unit::minute},
    {"mins", duration_unit::minute},
    {"minute", duration_unit::minute},
    {"minutes", duration_unit::minute},
    {"mn", duration_unit::minute},
    {"h", duration_unit::hour},
    {"hr", duration_unit::hour},
    {"hrs", duration_unit::hour},
    {"hour", duration_unit::hour},
    {"hours", duration_unit::hour},
    {"d", duration_unit::day},
    {"day", duration_unit::day},
    {"days", duration_unit::day},
    {"w", duration_unit::week},
    {"wk", duration_unit::week},
    {"wks", duration_unit::week},
    {"week", duration_unit::week},
    {"weeks", duration_unit::week},
    {"month", duration_unit::month},
    {"months", duration_unit::month},
    {"mo", duration_unit::month},
    {"mos", duration_unit::month},
    {"hs", duration_unit::hour},
    {"minute's", duration_unit::minute},
    {"hour's", duration_unit::hour},
    {"day's", duration_unit::day},
    {"week's", duration_unit::week},
    {"month's", duration_unit::month},
    {"fortnight", duration_unit::fortnight},
    {"fortnights", duration_unit::fortnight},
    {"fortnight's", duration_unit::fortnight},
}};

// Fixed offsets in minutes. CST is the US one, IST the Indian one: the common readings in chat.
constexpr std::array<std::pair<std::string_view, int>, 34> fixed_zones{{
    {"utc", 0},     {"gmt", 0},    {"z", 0},      {"est", -300}, {"edt", -240}, {"cst", -360},
    {"cdt", -300},  {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420}, {"akst", -540},
    {"akdt", -480}, {"hst", -600}, {"ast", -240}, {"adt", -180}, {"bst", 60},   {"cet", 60},
    {"cest", 120},  {"eet", 120},  {"eest", 180}, {"msk", 180},  {"ist", 330},  {"sgt", 480},
    {"hkt", 480},   {"awst", 480}, {"jst", 540},  {"kst", 540},  {"acst", 570}, {"acdt", 630},
    {"aest", 600},  {"aedt", 660}, {"nzst", 720}, {"nzdt", 780},
}};

// US generic names follow DST, so they map to the zone rather than to an offset.
constexpr std::array<std::pair<std::string_view, std::string_view>, 8> generic_zones{{
    {"et", "America/New_York"},
    {"eastern", "America/New_York"},
    {"ct", "America/Chicago"},
    {"central", "America/Chicago"},
    {"mt", "America/Denver"},
    {"mountain", "America/Denver"},
    {"pt", "America/Los_Angeles"},
    {"pacific", "America/Los_Angeles"},
}};

// The other words a piece of a time phrase can begin with (phrase_scanner.cpp's matchers test
// these at their first token). The scanner skips words the table does not know, so a matcher
// that learns a new first word must add it here, and to its list in build_word_openers().
constexpr std::array<std::string_view, 113> phrase_words{
    "nye",      "halloween",    "new",         "2morrow",    "2morow",    "2mrw",
    "2mrow",    "tmrow",        "2nite",       "2night",     "2day",      "mid",
    "noonish",  "middayish",    "midnite",     "weekend",    "wknd",      "wkend",
    "weekends", "christmas",    "xmas",        "africa",     "america",   "antarctica",
    "arctic",   "asia",         "atlantic",    "australia",  "europe",    "indian",
    "pacific",  "etc",          "us",          "canada",     "brazil",    "mexico",
    "chile",    "yesterday",    "yday",        "last",       "past",      "previous",
    "in",       "within",       "half",        "for",        "a",         "an",
    "one",      "couple",       "today",       "tday",       "tdy",       "tonight",
    "tonite",   "tonght",       "tomorrow",    "tmrw",       "tmr",       "tmw",
    "tomorow",  "tommorow",     "tommorrow",   "tomorroww",  "2moro",     "overmorrow",
    "the",      "day",          "next",        "this",       "coming",    "upcoming",
    "from",     "between",      "at",          "around",     "by",        "about",
    "after",    "before",       "until",       "till",       "til",       "noon",
    "midday",   "mid-day",      "midnight",    "quarter",    "@",         "ago",
    "later",    "hence",        "o'clock",     "oclock",     "o",         "clock",
    "time",     "thanksgiving", "valentine's", "valentines", "valentine", "st",
    "saint",    "independence", "boxing",      "memorial",   "labor",     "labour",
    "mother's", "mothers",      "father's",    "fathers",    "easter"};

// Words that hedge a quantity: "in about 20 mins", "in like an hour" (phrase_scanner.cpp's
// past_hedge), so a duration may begin with them.
constexpr std::array<std::string_view, 9> hedge_words{
    "about", "around", "approx", "approximately", "roughly", "like", "abt", "maybe", "just"};

// Words that number a place: the number after them is part of its name ("Gate 12 - 7pm",
// "Room 9 tonight at 8", "Terminal 4 Dec 3"), never a time or a day (phrase_scanner.cpp).
constexpr std::array<std::string_view, 45> numbered_places{
    "gate",    "terminal", "room",     "rm",        "table",    "level",    "lvl",     "floor",
    "bay",     "platform", "pier",     "studio",    "suite",    "ste",      "unit",    "hall",
    "booth",   "court",    "building", "bldg",      "stage",    "dock",     "track",   "lot",
    "section", "aisle",    "exit",     "door",      "entrance", "pavilion", "shelter", "field",
    "ward",    "block",    "apt",      "no",        "nr",       "route",    "rte",     "highway",
    "hwy",     "pitch",    "wing",     "classroom", "shop"};

// The words among time_parser.cpp's joining and connecting words (its marks, such as "," and
// "-", are not words and stay there).
constexpr std::array<std::string_view, 11> joining_words{
    "at", "on", "of", "the", "and", "around", "about", "by", "from", "starting", "in"};
// And the words that only qualify the time next to them: "7pm sharp", "3pm onwards",
// "starting at 3pm".
constexpr std::array<std::string_view, 7> connecting_words{"at",     "on",       "sharp", "onwards",
                                                           "onward", "starting", "starts"};

constexpr std::array<std::pair<std::string_view, day_part>, 7> meals{{
    {"lunch", day_part::midday},
    {"lunchtime", day_part::midday},
    {"brunch", day_part::midday},
    {"breakfast", day_part::midday},
    {"dinner", day_part::evening},
    {"supper", day_part::evening},
    {"dinnertime", day_part::evening},
}};

// date::locate_zone reports a missing name by throwing, which costs microseconds, and a hostile
// text may hold hundreds of names that are no zone ("us/zz us/zz ..."): here a miss is an
// ordinary answer. The database keeps its zones sorted by name, which locate_zone's own binary
// search relies on; a database with links apart from its zones (not the OS one) still gets
// locate_zone for the names that are not zones.
const date::time_zone* locate(std::string_view name) {
  const auto& zones = date::get_tzdb().zones;
  const auto at = std::lower_bound(
      zones.begin(), zones.end(), name,
      [](const date::time_zone& zone, std::string_view n) { return zone.name() < n; });
  if (at != zones.end() && at->name() == name) return &*at;
#if USE_OS_TZDB
  return nullptr;
#else
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
#endif
}

constexpr std::size_t word_count =
    weekdays.size() + months.size() + numbers.size() + ordinals.size() + parts.size() +
    units.size() + fixed_zones.size() + generic_zones.size() + phrase_words.size() +
    hedge_words.size() + joining_words.size() + meals.size() + numbered_places.size();

// An open-addressing table over every word above, built once on first use. A lookup costs one
// hash of the word and usually one comparison, where a scan of the arrays cost dozens.
class word_table {
 public:
  word_table() {
    slots_.fill(-1);
    for (const auto& [name, value] : weekdays)
      entry(name).weekday = static_cast<std::int8_t>(value);
    for (const auto& [name, value] : months)
      entry(name).month = static_cast<std::int8_t>(value);
    for (const auto& [name, value] : numbers)
      entry(name).number = static_cast<std::int8_t>(value);
    for (const auto& [name, value] : ordinals)
      entry(name).ordinal = static_cast<std::int8_t>(value);
    for (const auto& [name, value] : parts)
      entry(name).part = value;
    for (const auto& [name, value] : units)
      entry(name).unit = static_cast<std::int8_t>(value);
    std::size_t zone = 0;
    for (const auto& z : fixed_zones)
      entry(z.first).zone = static_cast<std::int8_t>(zone++);
    for (const auto& z : generic_zones)
      entry(z.first).zone = static_cast<std::int8_t>(zone++);
    for (const auto& name : phrase_words)
      entry(name);
    for (const auto& name : hedge_words)
      entry(name).hedges = true;
    for (const auto& name : joining_words)
      entry(name).joins = true;
    for (const auto& name : connecting_words)
      entry(name).connects = true;
    for (const auto& [name, value] : meals)
      entry(name).meal = value;
    for (const auto& name : numbered_places)
      entry(name).numbers_place = true;
  }

  std::span<const word_entry> all() const { return {entries_.data(), size_}; }

  const word_entry* find(std::string_view word) const {
    if (word.empty() || word.size() > longest_) return nullptr;
    const std::size_t h = hash(word);
    // Most words of a place are not here; one bit, in a block that stays in cache, says so.
    if ((seen_[(h >> 20) % seen_.size()] & (std::uint64_t{1} << ((h >> 14) & 63))) == 0) {
      return nullptr;
    }
    for (std::size_t at = h & mask;; at = (at + 1) & mask) {
      const int index = slots_[at];
      if (index < 0) return nullptr;
      const auto& e = entries_[static_cast<std::size_t>(index)];
      if (e.word == word) return &e;
    }
  }

 private:
  static constexpr std::size_t mask = 2047;  // a quarter full at most: short probe runs
  static_assert(word_count * 4 <= mask + 1);

  // The length and three bytes (first, middle, last) tell the table's words apart as well as a
  // hash of every byte does, and the tokenizer asks for every word of the text, most of them
  // long names that are not here.
  static std::size_t hash(std::string_view word) {
    const std::size_t n = word.size();
    auto byte = [&](std::size_t k) { return std::uint32_t{static_cast<unsigned char>(word[k])}; };
    std::uint32_t h = static_cast<std::uint32_t>(n) * 0x9E3779B1u;
    h ^= (byte(0) << 16) | (byte(n / 2) << 8) | byte(n - 1);
    h *= 0x85EBCA6Bu;
    return h ^ (h >> 15);
  }

  word_entry& entry(std::string_view word) {
    for (std::size_t at = hash(word) & mask;; at = (at + 1) & mask) {
      if (slots_[at] < 0) {
        slots_[at] = static_cast<std::int16_t>(size_);
        const std::size_t h = hash(word);
        seen_[(h >> 20) % seen_.size()] |= std::uint64_t{1} << ((h >> 14) & 63);
        entries_[size_].word = word;
        entries_[size_].id = static_cast<std::uint16_t>(size_);
        if (word.size() > longest_) longest_ = word.size();
        return entries_[size_++];
      }
      auto& e = entries_[static_cast<std::size_t>(slots_[at])];
      if (e.word == word) return e;
    }
  }

  std::array<word_entry, word_count> entries_{};
  std::array<std::int16_t, mask + 1> slots_{};
  std::array<std::uint64_t, 32> seen_{};  // a bit for each hash some word here has
  std::size_t size_ = 0;
  std::size_t longest_ = 0;
};

const word_table& words() {
  static const word_table table;
  return table;
}

// The tz database is read-only once loaded, so the zones of the generic names are found once.
const date::time_zone* generic_zone(std::size_t index) {
  static const auto zones = [] {
    std::array<const date::time_zone*, generic_zones.size()> found{};
    for (std::size_t k = 0; k < generic_zones.size(); ++k)
      found[k] = locate(std::string{generic_zones[k].second});
    return found;
  }();
  return zones[index];
}

}  // namespace

const word_entry* find_word(std::string_view word) {
  return words().find(word);
}

std::span<const word_entry> vocabulary() {
  return words().all();
}

std::optional<text_zone> zone_of(const word_entry& entry) {
  if (entry.zone < 0) return std::nullopt;
  const auto index = static_cast<std::size_t>(entry.zone);
  if (index < fixed_zones.size()) {
    return text_zone{nullptr, std::chrono::minutes{fixed_zones[index].second}};
  }
  if (const auto* tz = generic_zone(index - fixed_zones.size())) return text_zone{tz, {}};
  return std::nullopt;
}

std::optional<int> weekday_number(std::string_view word) {
  const auto* e = find_word(word);
  if (e == nullptr || e->weekday < 0) return std::nullopt;
  return e->weekday;
}
std::optional<int> month_number(std::string_view word) {
  const auto* e = find_word(word);
  if (e == nullptr || e->month == 0) return std::nullopt;
  return e->month;
}
std::string_view month_name(int month) {
  return month >= 1 && month <= 12 ? month_names[static_cast<std::size_t>(month - 1)] : "";
}
std::optional<int> number_word(std::string_view word) {
  const auto* e = find_word(word);
  if (e == nullptr || e->number < 0) return std::nullopt;
  return e->number;
}
std::optional<day_part> day_part_word(std::string_view word) {
  const auto* e = find_word(word);
  if (e == nullptr || e->part == day_part::none) return std::nullopt;
  return e->part;
}
bool is_ordinal_suffix(std::string_view word) {
  return word == "st" || word == "nd" || word == "rd" || word == "th";
}
std::optional<duration_unit> duration_unit_word(std::string_view word) {
  const auto* e = find_word(word);
  if (e == nullptr || e->unit < 0) return std::nullopt;
  return static_cast<duration_unit>(e->unit);
}

std::optional<text_zone> zone_abbreviation(std::string_view word) {
  const auto* e = find_word(word);
  if (e == nullptr) return std::nullopt;
  return zone_of(*e);
}

const date::time_zone* find_iana_zone(std::string_view name) {
  constexpr std::size_t longest = 64;
  if (name.size() > longest) return nullptr;
  if (const auto* tz = locate(name)) return tz;
  // People type "europe/berlin" or "America/new_york"; the database spells each part Title_Case.
  std::array<char, longest> titled{};
  bool start = true;
  for (std::size_t k = 0; k < name.size(); ++k) {
    const char c = name[k];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (letter) {
      titled[k] = start ? static_cast<char>(c & ~0x20) : static_cast<char>(c | 0x20);
      start = false;
    } else {
      titled[k] = c;
      start = true;
    }
  }
  const std::string_view retyped{titled.data(), name.size()};
  if (retyped == name) return nullptr;
  return locate(retyped);
}

}  // namespace tweetup::timeparse
