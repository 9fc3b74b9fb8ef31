#include "timeparse/phrase_scanner.hpp"

#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <date/date.h>

#include "timeparse/vocabulary.hpp"

namespace tweetup::timeparse {
namespace {

constexpr std::array<std::string_view, 14> tomorrow_words{
    "tomorrow",  "tmrw",  "tmr",     "tmw",    "tomorow", "tommorow", "tommorrow",
    "tomorroww", "2moro", "2morrow", "2morow", "2mrw",    "2mrow",    "tmrow"};

// "this weekend", "wknd": Saturday of that weekend.
constexpr std::array<std::string_view, 4> weekend_words{"weekend", "wknd", "wkend", "weekends"};

// Words after "tomorrow 6" that make the number a count, not an hour.
constexpr std::array<std::string_view, 9> count_words{"people",  "ppl",    "of",      "guys", "pax",
                                                      "persons", "person", "players", "x"};

constexpr std::array<std::string_view, 16> iana_areas{
    "africa", "america", "antarctica", "arctic", "asia",   "atlantic", "australia", "europe",
    "indian", "pacific", "etc",        "us",     "canada", "brazil",   "mexico",    "chile"};

// A token's lowercase text. A comparison with a literal knows the literal's length, so it compiles
// to a few loads instead of a call to memcmp; the scanner makes dozens per token it tries.
class lowered : public std::string_view {
 public:
  lowered() = default;
  lowered(std::string_view text) : std::string_view(text) {}
  template <std::size_t n>
  bool operator==(const char (&literal)[n]) const {
    return size() == n - 1 && std::memcmp(data(), literal, n - 1) == 0;
  }
};

// A piece that names a day.
bool is_day(piece_kind kind) {
  return kind == piece_kind::weekday || kind == piece_kind::day_offset ||
         kind == piece_kind::month_day || kind == piece_kind::day_of_month;
}

template <std::size_t n>
bool one_of(const std::array<std::string_view, n>& words, std::string_view w) {
  for (auto x : words) {
    if (x == w) return true;
  }
  return false;
}

// The matchers of scanner::match, one bit each. A token whose bit for a matcher is clear cannot
// begin that matcher's piece, so match() skips it there; the ones it runs keep their order, and
// a token with no bit at all (most words of a place, most marks) is passed over at once.
enum opener : std::uint16_t {
  opens_iana = 1 << 0,
  opens_zone_before = 1 << 1,
  opens_past = 1 << 2,
  opens_duration = 1 << 3,
  opens_day_word = 1 << 4,
  opens_weekday = 1 << 5,
  opens_holiday = 1 << 6,
  opens_month_first = 1 << 7,
  opens_day_first = 1 << 8,
  opens_numeric_date = 1 << 9,
  opens_span = 1 << 10,
  opens_at_clock = 1 << 11,
  opens_clock = 1 << 12,
  opens_hour_before_part = 1 << 13,
  opens_part = 1 << 14,
};

// Every matcher: what a token runs when skipping is off (scan_options).
constexpr std::uint16_t every_matcher = (opens_part << 1) - 1;

// A number can begin a duration ("2 hours ago"), a date, a span or a clock.
constexpr std::uint16_t number_openers = opens_duration | opens_day_first | opens_numeric_date |
                                         opens_span | opens_clock | opens_hour_before_part;

// The bits of every vocabulary word, indexed by word_entry::id. Each list names the first words
// its matcher tests for; a matcher that learns a new first word must add it here (and to the
// vocabulary's phrase_words). tests/unit/timeparse/matcher_skipping_test.cpp scans a large corpus
// both with these lists and with every matcher at every token, and fails on any difference.
std::vector<std::uint16_t> build_word_openers() {
  const auto all = vocabulary();
  std::vector<std::uint16_t> bits(all.size(), 0);
  auto add = [&](std::initializer_list<std::string_view> words, std::uint16_t b) {
    for (auto w : words) {
      const auto* e = find_word(w);
      assert(e != nullptr);
      if (e != nullptr) bits[e->id] |= b;
    }
  };
  for (const auto& e : all) {
    auto& b = bits[e.id];
    if (e.zone >= 0 && e.word.size() <= 4 && e.word != "z") b |= opens_zone_before;
    if (e.weekday >= 0) b |= opens_weekday;
    if (e.month != 0) b |= opens_month_first;
    if (e.number > 0) b |= opens_duration;  // "six hours ago"
    // "ten to nine", "six thirty", "half past": the clocks a span may also start with.
    if (e.number >= 0) b |= opens_clock | opens_span;
    // "fifth of December", "twenty-first of June".
    if (e.ordinal > 0 || e.number == 20 || e.number == 30) b |= opens_day_first;
    if (e.part != day_part::none) b |= opens_part;
    if (e.hedges) b |= opens_duration;  // past_hedge(): "about 20 mins from now"
  }
  for (auto w : iana_areas)
    add({w}, opens_iana);
  for (auto w : tomorrow_words)
    add({w}, opens_day_word);
  for (auto w : weekend_words)
    add({w}, opens_weekday);
  add({"yesterday", "yday", "last", "past", "previous"}, opens_past);
  add({"in", "within", "half", "for", "a", "an", "one", "couple"}, opens_duration);
  add({"today", "tday", "tdy", "2day", "tonight", "tonite", "tonght", "2nite", "2night",
       "overmorrow", "the", "day", "next"},
      opens_day_word);
  add({"this", "coming", "upcoming", "next", "the"}, opens_weekday);
  add({"christmas",   "xmas",       "nye",       "halloween", "new",      "thanksgiving",
       "valentine's", "valentines", "valentine", "st",        "saint",    "independence",
       "boxing",      "memorial",   "labor",     "labour",    "mother's", "mothers",
       "father's",    "fathers",    "easter"},
      opens_holiday);
  add({"the"}, opens_day_first);
  add({"from", "between", "at"}, opens_span);
  add({"at", "around", "by", "from", "about", "after", "before", "until", "till", "til"},
      opens_at_clock);
  add({"noon", "noonish", "midday", "middayish", "mid", "midnight", "midnite", "half", "quarter"},
      opens_clock | opens_span);
  add({"this", "in", "at"}, opens_part);
  return bits;
}

const std::vector<std::uint16_t>& word_openers() {
  static const auto bits = build_word_openers();
  return bits;
}

int days_in_month(int month, int year) {
  if (month < 1 || month > 12) return 0;
  if (year == 0) {
    constexpr std::array<int, 12> most{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return most[static_cast<std::size_t>(month - 1)];
  }
  const auto last = date::year_month_day_last{
      date::year{year}, date::month_day_last{date::month(static_cast<unsigned>(month))}};
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

std::string ordinal(int day) {
  const int tens = day % 100;
  const char* suffix = "th";
  if (tens < 11 || tens > 13) {
    if (day % 10 == 1) suffix = "st";
    if (day % 10 == 2) suffix = "nd";
    if (day % 10 == 3) suffix = "rd";
  }
  return std::to_string(day) + suffix;
}

struct meridiem_match {
  meridiem value = meridiem::none;
  std::size_t next = 0;
};

struct quantity_match {
  double value = 0;
  std::size_t next = 0;
};

struct duration_match {
  std::chrono::seconds exact{0};
  int days = 0;
  int months = 0;
  std::size_t next = 0;
};

class scanner {
 public:
  scanner(std::string_view text, const token_list& tokens, scratch_arena& arena)
      : text_(text),
        t_(tokens.data()),
        count_(tokens.size()),
        arena_(arena),
        out_(arena.make<piece>()),
        word_openers_(word_openers().data()) {
    // A phrase is a handful of pieces: one allocation instead of a regrowth per piece.
    out_.reserve(8);
  }

  // `also_run`: the matchers every token runs whatever openers() says; none for the bot's scan,
  // every_matcher when skipping is off (scan_options). One `or` per token rather than a second
  // copy of this loop (a template on the option): that copy gives match() and each matcher only
  // it calls a second call site, the compiler stops inlining them, and the bot's scan loses 5% of
  // its phrases/s in bench/timeparse_bench.cpp.
  piece_list run(std::uint16_t also_run) {
    std::size_t i = 0;
    while (i < count_) {
      // Most words of a place are unknown to the vocabulary, and no piece begins with those.
      const std::uint16_t opens = openers(i) | also_run;
      if (opens == 0) {
        ++i;
        continue;
      }
      const std::size_t before = out_.size();
      std::size_t next = match(i, opens);
      if (next <= i) {
        // "tomorrow 6", "fri 7", "tonite 8": a bare hour right after a day.
        next = hour_after_day(i);
        if (next <= i) {
          ++i;
          continue;
        }
      }
      i = next;
      if (out_.size() == before) continue;
      auto& last = out_.back();
      if (last.kind == piece_kind::clock || last.kind == piece_kind::span) {
        // "7ish", "7pm-ish": the hedge belongs to the time.
        const bool hedged = !last.clock.midnight && tight(i);
        if (hedged && word_is(i, "ish")) {
          last.last = ++i;
        } else if (hedged && punct_is(i, '-') && word_is(i + 1, "ish") && tight(i + 1)) {
          i += 2;
          last.last = i;
        }
        // "7pm EST", "midnight UTC".
        if (auto z = zone_at(i)) i = *z;
      } else if (is_day(last.kind) && zone_may_start(i)) {
        // "noon on Friday UTC", "Dec 5 CET": a zone named after the day, away from its clock,
        // which would otherwise read as a name with the day ("Friday UTC").
        if (auto z = zone_at(i)) i = *z;
      }
    }
    return std::move(out_);
  }

 private:
  std::string_view text_;
  // The tokens, which do not change while they are scanned: a plain array is cheaper to index.
  const token* t_;
  std::size_t count_;
  scratch_arena& arena_;
  piece_list out_;
  const std::uint16_t* word_openers_;  // word_openers(), indexed by word_entry::id
  bool iso_clock_ = false;  // the last clock came from ISO "T18:00", so "-05:00" is an offset
  static constexpr std::size_t unknown = static_cast<std::size_t>(-1);
  mutable std::size_t numbers_end_ = unknown;  // one past the last number; number_from()
  struct clock_miss {
    std::size_t at = static_cast<std::size_t>(-1);  // clock_at(at, lead) found nothing
    bool lead = false;
  };
  std::array<clock_miss, 2> no_clock_{};

  // Which matchers may begin at token i (an `opener` mask). Of the marks, only "+15min" and
  // "@ 7" begin a piece.
  std::uint16_t openers(std::size_t i) const {
    const token& t = t_[i];
    switch (t.kind) {
      case token_kind::number:
        return number_openers;
      case token_kind::word:
        return t.entry != nullptr ? word_openers_[t.entry->id] : 0;
      case token_kind::punct:
        if (t.lower.size() != 1) return 0;
        if (t.lower[0] == '+') return opens_duration;
        if (t.lower[0] == '@') return opens_span | opens_at_clock;
        if (t.lower[0] == '~') return opens_at_clock | opens_duration;
        return 0;
    }
    return 0;
  }

  // --- token tests -----------------------------------------------------------------------------
  // The matchers make thousands of these tests a parse; past a size of the scanner GCC stopped
  // inlining them on its own (3.8% more instructions a parse in timeparse_bench), so they say so.
  [[gnu::always_inline]] bool in_range(std::size_t i) const { return i < count_; }
  [[gnu::always_inline]] bool is_word(std::size_t i) const {
    return in_range(i) && t_[i].kind == token_kind::word;
  }
  [[gnu::always_inline]] bool is_num(std::size_t i) const {
    return in_range(i) && t_[i].kind == token_kind::number;
  }
  template <std::size_t n>
  [[gnu::always_inline]] bool word_is(std::size_t i, const char (&w)[n]) const {
    return is_word(i) && lowered{t_[i].lower} == w;
  }
  [[gnu::always_inline]] bool punct_is(std::size_t i, char c) const {
    return in_range(i) && t_[i].kind == token_kind::punct && t_[i].lower.size() == 1 &&
           t_[i].lower[0] == c;
  }
  [[gnu::always_inline]] bool tight(std::size_t i) const {
    return in_range(i) && !t_[i].space_before;
  }
  [[gnu::always_inline]] lowered low(std::size_t i) const {
    return in_range(i) ? t_[i].lower : std::string_view{};
  }
  // The vocabulary's answers for token i, found once by the tokenizer. Only words have entries:
  // no vocabulary word is a number or a mark.
  const word_entry* entry(std::size_t i) const { return in_range(i) ? t_[i].entry : nullptr; }
  std::optional<int> number_at(std::size_t i) const {
    const auto* e = entry(i);
    if (e == nullptr || e->number < 0) return std::nullopt;
    return e->number;
  }
  std::optional<int> weekday_at(std::size_t i) const {
    const auto* e = entry(i);
    if (e == nullptr || e->weekday < 0) return std::nullopt;
    return e->weekday;
  }
  std::optional<int> month_at(std::size_t i) const {
    const auto* e = entry(i);
    if (e == nullptr || e->month == 0) return std::nullopt;
    return e->month;
  }
  std::optional<day_part> part_at(std::size_t i) const {
    const auto* e = entry(i);
    if (e == nullptr || e->part == day_part::none) return std::nullopt;
    return e->part;
  }
  std::optional<text_zone> zone_at_word(std::size_t i) const {
    const auto* e = entry(i);
    if (e == nullptr) return std::nullopt;
    return zone_of(*e);
  }
  std::optional<duration_unit> unit_at(std::size_t i) const {
    const auto* e = entry(i);
    if (e == nullptr || e->unit < 0) return std::nullopt;
    return static_cast<duration_unit>(e->unit);
  }
  bool weekend_at(std::size_t i) const {
    return is_word(i) && t_[i].lower[0] == 'w' && one_of(weekend_words, t_[i].lower);
  }
  bool small_num(std::size_t i) const { return is_num(i) && t_[i].digits <= 2; }
  int val(std::size_t i) const { return static_cast<int>(t_[i].value); }

  piece make(piece_kind kind, std::size_t first, std::size_t last) const {
    piece p;
    p.kind = kind;
    p.first = first;
    p.last = last;
    return p;
  }
  std::size_t push(const piece& p) {
    out_.push_back(p);
    return p.last;
  }
  // A copy of `text` in the arena, which outlives the pieces.
  std::string_view keep(std::string_view text) {
    auto* copy = static_cast<char*>(arena_.allocate(text.size(), 1));
    text.copy(copy, text.size());
    return {copy, text.size()};
  }
  std::size_t push_invalid(std::size_t first, std::size_t last, std::string_view what) {
    piece p = make(piece_kind::invalid, first, last);
    p.what = keep(what);
    return push(p);
  }

  // "15.30", "11.30 tonight", "tomorrow 7.30": a dotted reading [i, next) without am/pm or a
  // leading "at" is a time only on the quarter hours, with an hour of 13 or more or next to a
  // day, and not as a price ("$18.50", "2.50 pints").
  bool dotted_time_alone(std::size_t i, std::size_t next) const {
    const int minute = val(i + 2);
    if (minute % 15 != 0) return false;
    // "£" and "€" are words to the tokenizer (bytes from 0x80 up are letters), "$" a mark.
    if (i > 0 && tight(i)) {
      const auto mark = low(i - 1);
      if (mark == "$" || mark == "\xC2\xA3" || mark == "\xE2\x82\xAC") return false;
    }
    return val(i) >= 13 || part_follows(next) || after_day(i) || day_follows(next);
  }

  // "today" or "tomorrow" (in any of its chat spellings) at token i. Only words with a
  // vocabulary entry that opens a day word need comparing.
  bool today_or_tomorrow(std::size_t i) const {
    const auto* e = entry(i);
    if (e == nullptr || (word_openers_[e->id] & opens_day_word) == 0) return false;
    const auto w = low(i);
    return w == "today" || one_of(tomorrow_words, w);
  }

  // "Friday", not "fri": an abbreviation is too common a word to take a bare hour.
  bool weekday_in_full(std::size_t i) const {
    return weekday_at(i) && low(i).find("day") != std::string_view::npos;
  }

  // "today", "tomorrow" or a day written in full, perhaps after "on", right after a reading:
  // "7.30 tomorrow", "8.15 on Friday". Not when the day has its own time: in "Pints 3.00 today
  // 7pm" the reading is a price.
  bool day_follows(std::size_t i) const {
    if (word_is(i, "on")) ++i;
    const bool day = today_or_tomorrow(i) || weekday_in_full(i);
    return day && !clock_follows(i + 1);
  }

  // Number i is part of a name rather than a time or a day: it numbers a place ("Gate 12",
  // "#7") or ends a fraction or a date ("3/4" in "Platform 9 3/4").
  bool numbers_a_place(std::size_t i) const {
    if (i == 0 || !is_num(i)) return false;
    if ((punct_is(i - 1, '/') || punct_is(i - 1, '#')) && tight(i)) return true;
    // Written as a name ("Gate 12") or opening the text ("room 9 tonight"), not "dance floor 9".
    const word_entry* before = is_word(i - 1) ? t_[i - 1].entry : nullptr;
    return before != nullptr && before->numbers_place && (t_[i - 1].capitalized || i == 1);
  }

  // "9 3/4", "5 1/2": a fraction as it follows a whole number, not a date.
  static bool is_fraction(int numerator, int denominator) {
    const bool usual = denominator == 2 || denominator == 3 || denominator == 4 ||
                       denominator == 8 || denominator == 16;
    return usual && numerator >= 1 && numerator < denominator;
  }

  // A token that ends a clock reading, so "7" in "7/12" or "7.5" is no bare hour.
  bool number_continues(std::size_t i) const {
    if (!in_range(i) || !tight(i)) return false;
    if (punct_is(i, ':') || punct_is(i, '/') || punct_is(i, '.') || punct_is(i, ',')) {
      return is_num(i + 1) && tight(i + 1);
    }
    return (is_word(i) && low(i) != "ish") || is_num(i);
  }

  std::optional<meridiem_match> meridiem_at(std::size_t i) const {
    if (!is_word(i)) return std::nullopt;
    const auto w = low(i);
    if (w == "am" || w == "pm") {
      std::size_t next = i + 1;
      if (punct_is(next, '.') && tight(next) && !is_num(next + 1)) ++next;
      return meridiem_match{w == "am" ? meridiem::am : meridiem::pm, next};
    }
    if (w == "amish" || w == "pmish") {  // "3pmish"
      return meridiem_match{w == "amish" ? meridiem::am : meridiem::pm, i + 1};
    }
    if (w == "a" || w == "p") {
      const auto m = w == "a" ? meridiem::am : meridiem::pm;
      if (punct_is(i + 1, '.') && tight(i + 1) && word_is(i + 2, "m") && tight(i + 2)) {
        std::size_t next = i + 3;
        if (punct_is(next, '.') && tight(next)) ++next;
        return meridiem_match{m, next};
      }
      // "3p" is a time, "3 a week" is not.
      if (tight(i) && !is_word(i + 1)) return meridiem_match{m, i + 1};
    }
    return std::nullopt;
  }

  // A clock time starts at token i, after an optional "at" or "@": "7pm", "7 pm", "19:00".
  bool clock_follows(std::size_t i) const {
    if (!in_range(i) || tight(i)) return false;
    if (word_is(i, "at") || punct_is(i, '@')) ++i;
    if (!small_num(i)) return false;
    if (punct_is(i + 1, ':') && tight(i + 1) && small_num(i + 2) && tight(i + 2)) return true;
    return meridiem_at(i + 1).has_value();
  }

  // The last piece read is a clock reading that ends right before token i: "5pm 13/13".
  bool clock_ends_at(std::size_t i) const {
    return !out_.empty() && out_.back().kind == piece_kind::clock && out_.back().last == i;
  }

  bool is_oclock(std::size_t i, std::size_t& next) const {
    if (!is_word(i) || (t_[i].lower[0] != 'o' && t_[i].lower[0] != 'u')) return false;
    if (word_is(i, "o'clock") || word_is(i, "oclock") || word_is(i, "uhr")) {
      next = i + 1;
      return true;
    }
    if (word_is(i, "o") && word_is(i + 1, "clock")) {
      next = i + 2;
      return true;
    }
    return false;
  }

  // "tonight", "in the morning", "this evening", "at night", "tomorrow morning" right after a
  // bare hour.
  bool part_follows(std::size_t i) const {
    if (word_is(i, "tonight") || word_is(i, "tonite")) return true;
    if (word_is(i, "in") && word_is(i + 1, "the") && part_at(i + 2)) return true;
    if (word_is(i, "this") && part_at(i + 1)) return true;
    if (word_is(i, "at") && (word_is(i + 1, "night") || word_is(i + 1, "nite"))) return true;
    // "9 tomorrow morning", "10 sunday morning".
    return part_at(i + 1) && (today_or_tomorrow(i) || weekday_at(i));
  }

  // --- clocks ----------------------------------------------------------------------------------
  std::optional<clock_time> validate(int hour, int minute, int second, meridiem mer,
                                     bool leading_zero) const {
    if (minute > 59 || second > 59) return std::nullopt;
    clock_time c;
    c.hour = hour;
    c.minute = minute;
    c.second = second;
    c.mer = mer;
    if (mer != meridiem::none) {
      if (hour < 1 || hour > 12) return std::nullopt;
      return c;
    }
    if (hour > 23) return std::nullopt;
    c.twenty_four = leading_zero || hour >= 13 || hour == 0;
    return c;
  }

  // Tokens [first, last) in lower case, for messages. A clock's words join its number ("7 pm"
  // reads "7pm"); with `spaced`, every space the text has is kept ("5 minutes ago").
  std::string joined_text(std::size_t first, std::size_t last, bool spaced) const {
    std::string s;
    for (std::size_t k = first; k < last; ++k) {
      if (k > first && t_[k].space_before && (spaced || t_[k].kind != token_kind::word)) {
        s.push_back(' ');
      }
      s += t_[k].lower;
    }
    return s;
  }
  std::string clock_text(std::size_t first, std::size_t last) const {
    return joined_text(first, last, false);
  }

  // Clock readings that stand on their own: 15:00, 3:30pm, 7.30pm, 3pm, 19h30, 7 o'clock,
  // six pm, noon, half past 7. Pushes a clock or an invalid piece; returns the next index.
  // The answer depends on the tokens and on whether a day piece ends right before i (a dotted
  // time, dotted_time_alone), which stays so while i is asked about; where there is none the
  // same question comes again: a bare "7" is asked as the start of a span, then as a clock; in
  // "1-2" the "2" is asked as the end of a span, then as the start of the next. The last two such
  // places are kept.
  std::size_t clock_at(std::size_t i, bool lead) {
    for (const auto& miss : no_clock_) {
      if (miss.at == i && miss.lead == lead) return 0;
    }
    const std::size_t next = read_clock(i, lead);
    if (next == 0) {
      no_clock_[1] = no_clock_[0];
      no_clock_[0] = {i, lead};
    }
    return next;
  }

  std::size_t read_clock(std::size_t i, bool lead) {
    if (is_num(i)) {
      if (std::size_t n = colon_clock(i, lead)) return n;
      if (std::size_t n = meridiem_clock(i)) return n;
      if (std::size_t n = h_clock(i)) return n;
      if (std::size_t n = hours_clock(i)) return n;
      if (std::size_t n = oclock_clock(i)) return n;
      if (std::size_t n = past_to_clock(i)) return n;
      if (std::size_t n = noon_clock(i)) return n;
      if (std::size_t n = ish_clock(i)) return n;
      return 0;
    }
    if (is_word(i)) {
      if (std::size_t n = noon_clock(i)) return n;
      if (std::size_t n = past_to_clock(i)) return n;
      if (std::size_t n = word_clock(i, lead)) return n;
    }
    return 0;
  }

  std::size_t colon_clock(std::size_t i, bool lead) {
    if (!small_num(i)) return 0;
    const bool colon = punct_is(i + 1, ':');
    const bool dot = punct_is(i + 1, '.');
    if (!(colon || dot) || !tight(i + 1) || !is_num(i + 2) || !tight(i + 2)) return 0;
    if (t_[i + 2].digits != 2) {
      // "12:5pm" or "7.5pm" is a slip, not 5pm: refuse it rather than read the hour after it.
      const auto mer = meridiem_at(i + 3);
      if (!mer || !tight(i + 3) || (i > 0 && tight(i))) return 0;
      return push_invalid(i, mer->next, clock_text(i, mer->next));
    }
    // "1.1.30" and "10.15.2" are versions or dates, never a time.
    if (i >= 2 && (punct_is(i - 1, '.') || punct_is(i - 1, ':')) && tight(i) && is_num(i - 2)) {
      return 0;
    }
    std::size_t next = i + 3;
    int second = 0;
    if (dot && punct_is(next, '.') && tight(next) && is_num(next + 1)) return 0;
    if (colon && punct_is(next, ':') && tight(next) && is_num(next + 1) && tight(next + 1) &&
        t_[next + 1].digits == 2) {
      second = val(next + 1);
      next += 2;
      if (punct_is(next, '.') && tight(next) && is_num(next + 1) && tight(next + 1)) next += 2;
    }
    auto mer = meridiem_at(next);
    // A dotted reading alone is a time only where nothing else fits: "15.30", "19.45" (an
    // hour of 13 or more), or next to a day ("11.30 tonight", "tomorrow 7.30"). "1.5", "2.50"
    // or "19.99" stay numbers.
    const bool dot_alone = dot && !mer && !lead;
    if (dot_alone && !dotted_time_alone(i, next)) return 0;
    if (mer) next = mer->next;
    const bool leading_zero = t_[i].digits == 2 && val(i) < 10;
    auto c = validate(val(i), val(i + 2), second, mer ? mer->value : meridiem::none, leading_zero);
    if (!c && dot_alone) return 0;
    if (!c) return push_invalid(i, next, clock_text(i, next));
    piece p = make(piece_kind::clock, i, next);
    p.clock = *c;
    // Weaker than a time written as one: in "Bar 15.50 pints 7pm" the time is 7pm.
    p.weak = dot_alone;
    return push(p);
  }

  std::size_t meridiem_clock(std::size_t i) {
    if (!is_num(i) || t_[i].digits > 4) return 0;
    auto mer = meridiem_at(i + 1);
    if (!mer) return 0;
    int hour = val(i);
    int minute = 0;
    if (t_[i].digits >= 3) {
      hour = val(i) / 100;
      minute = val(i) % 100;
    }
    auto c = validate(hour, minute, 0, mer->value, false);
    if (!c) return push_invalid(i, mer->next, clock_text(i, mer->next));
    piece p = make(piece_kind::clock, i, mer->next);
    p.clock = *c;
    return push(p);
  }

  std::size_t h_clock(std::size_t i) {
    if (!small_num(i) || !word_is(i + 1, "h") || !tight(i + 1)) return 0;
    std::size_t next = i + 2;
    int minute = 0;
    if (is_num(next) && tight(next) && t_[next].digits == 2) {
      minute = val(next);
      ++next;
    }
    // "7h30pm": the meridiem, when there is one, says which half of the day.
    auto mer = meridiem_at(next);
    if (mer) next = mer->next;
    auto c = validate(val(i), minute, 0, mer ? mer->value : meridiem::none, !mer);
    if (!c) return push_invalid(i, next, clock_text(i, next));
    piece p = make(piece_kind::clock, i, next);
    p.clock = *c;
    return push(p);
  }

  // Military time: "1500 hrs", "0730 hours", "1900h", or four digits that open with a zero:
  // "tomorrow 0830" (rule 6: a leading zero is 24-hour). Other four digits alone stay a number
  // ("Cafe 1900", "Studio 2026"); the word after them makes them a clock reading.
  std::size_t hours_clock(std::size_t i) {
    if (t_[i].digits != 4) return 0;
    std::size_t end = i + 1;
    if (is_word(i + 1)) {
      const auto w = low(i + 1);
      if (w == "hrs" || w == "hours" || w == "hr" || (w == "h" && tight(i + 1))) end = i + 2;
    }
    const bool alone = end == i + 1;
    if (alone &&
        (val(i) >= 1000 || number_continues(i + 1) || (i > 0 && tight(i)) || numbers_a_place(i))) {
      return 0;
    }
    auto c = validate(val(i) / 100, val(i) % 100, 0, meridiem::none, true);
    if (!c) {
      if (alone) return 0;  // "0975" alone is a code, not a wrong time
      return push_invalid(i, end, joined_text(i, end, true));
    }
    piece p = make(piece_kind::clock, i, end);
    p.clock = *c;
    p.weak = alone;  // "Unit 0801 at 7pm"
    return push(p);
  }

  std::size_t oclock_clock(std::size_t i) {
    std::size_t next = 0;
    if (!small_num(i) || !is_oclock(i + 1, next)) return 0;
    meridiem m = meridiem::none;
    if (auto mer = meridiem_at(next)) {
      m = mer->value;
      next = mer->next;
    }
    auto c = validate(val(i), 0, 0, m, t_[i].digits == 2 && val(i) < 10);
    if (!c) return push_invalid(i, next, clock_text(i, next));
    piece p = make(piece_kind::clock, i, next);
    p.clock = *c;
    p.weak = true;
    return push(p);
  }

  // "7ish": a bare hour with a hedge, read like "at 7".
  std::size_t ish_clock(std::size_t i) {
    if (!tight(i + 1) || !small_num(i) || val(i) > 23 || !word_is(i + 1, "ish")) return 0;
    piece p = make(piece_kind::clock, i, i + 2);
    p.clock.hour = val(i);
    p.clock.twenty_four = val(i) >= 13 || val(i) == 0 || (t_[i].digits == 2 && val(i) < 10);
    return push(p);
  }

  std::size_t noon_clock(std::size_t i) {
    std::size_t at = i;
    if ((is_num(i) && val(i) == 12 && t_[i].digits == 2) || word_is(i, "twelve")) {
      at = i + 1;  // "12 noon", "twelve midnight"
      if (auto mer = meridiem_at(at)) at = mer->next;
    }
    const auto w = low(at);
    std::size_t end = at + 1;
    // "mid-day" is three tokens.
    const bool mid_day =
        w == "mid" && ((punct_is(at + 1, '-') && word_is(at + 2, "day")) || word_is(at + 1, "day"));
    if (mid_day) end = word_is(at + 1, "day") ? at + 2 : at + 3;
    const bool noon = w == "noon" || w == "midday" || w == "noonish" || w == "middayish" || mid_day;
    const bool midnight = w == "midnight" || w == "midnite";
    if (!noon && !midnight) return 0;
    piece p = make(piece_kind::clock, i, end);
    p.clock.hour = noon ? 12 : 0;
    p.clock.twenty_four = true;
    p.clock.midnight = midnight;
    p.weak = at == i;
    return push(p);
  }

  // A word hour with a minute word: "six", "six thirty", "seven forty-five".
  std::optional<std::pair<clock_time, std::size_t>> word_reading(std::size_t i) const {
    auto hour = number_at(i);
    if (!hour || *hour < 1 || *hour > 12) return std::nullopt;
    clock_time c;
    c.hour = *hour;
    std::size_t next = i + 1;
    if (auto m = number_at(next); m && *m >= 10 && *m <= 59) {
      int minute = *m;
      ++next;
      std::size_t k = next;
      if (punct_is(k, '-') && tight(k)) ++k;
      if (minute % 10 == 0 && minute >= 20) {
        if (auto unit = number_at(k); unit && *unit >= 1 && *unit <= 9) {
          minute += *unit;
          next = k + 1;
        }
      }
      c.minute = minute;
    } else if (word_is(next, "oh") && number_at(next + 1).value_or(0) >= 1 &&
               number_at(next + 1).value_or(10) <= 9) {
      c.minute = *number_at(next + 1);
      next += 2;
    }
    return std::pair{c, next};
  }

  std::size_t word_clock(std::size_t i, bool lead) {
    auto r = word_reading(i);
    if (!r) return 0;
    auto [c, next] = *r;
    std::size_t oclock_next = 0;
    bool weak = false;
    if (auto mer = meridiem_at(next)) {
      c.mer = mer->value;
      next = mer->next;
    } else if (is_oclock(next, oclock_next)) {
      next = oclock_next;
      weak = true;
      if (auto mer2 = meridiem_at(next)) {
        c.mer = mer2->value;
        next = mer2->next;
      }
    } else if (!lead && i > 0 && tight(i) && punct_is(i - 1, '-')) {
      return 0;  // "7-Eleven tomorrow morning": glued to what is before it, a name
    } else if (!lead && !part_follows(next) && !hour_word_before_day(i, next)) {
      // "twelve thirty" alone is a time, but a weak one. Capitalized it is more likely a name
      // ("Seven Eleven"), unless only its first word is, opening the text ("Twelve thirty at
      // Starbucks"); before a unit it is a count ("two thirty-minute talks").
      bool name = false;
      if (t_[i].capitalized) {
        name = i > 0;
        for (std::size_t k = i + 1; k < next; ++k)
          name = name || t_[k].capitalized;
      }
      if (next == i + 1 || name || unit_at(next) || (punct_is(next, '-') && unit_at(next + 1))) {
        return 0;
      }
      weak = true;
    }
    piece p = make(piece_kind::clock, i, next);
    p.clock = c;
    p.weak = weak;
    return push(p);
  }

  // "five tomorrow", "eight on friday": an hour in words read as "3 tomorrow" is. Capitalized
  // after other words it may open a name ("Joe's Seven tomorrow" is not 7 a.m.).
  bool hour_word_before_day(std::size_t i, std::size_t next) const {
    return next == i + 1 && !(t_[i].capitalized && i > 0) && day_without_clock(i);
  }

  // "half past 7", "quarter to 8", "20 past 6pm", "ten to nine".
  std::size_t past_to_clock(std::size_t i) {
    int minutes = 0;
    std::size_t k = i + 1;
    const auto w = low(i);
    bool word_minutes = true;
    if (w == "half") {
      minutes = 30;
    } else if (w == "quarter") {
      minutes = 15;
    } else if (is_num(i) && t_[i].value == 1 && fraction_at(i) != 0) {
      // "1/2 past 3", "1/4 to 8"
      minutes = fraction_at(i);
      k = i + 3;
    } else if (is_num(i) && t_[i].digits <= 2) {
      minutes = val(i);
      word_minutes = false;
    } else if (auto m = number_at(i)) {
      minutes = *m;
    } else {
      return 0;
    }
    if (word_is(k, "minutes") || word_is(k, "mins") || word_is(k, "min")) {
      ++k;
      word_minutes = true;
    }
    const bool past = word_is(k, "past") || word_is(k, "after");
    const bool to = word_is(k, "to") || word_is(k, "till") || word_is(k, "til") ||
                    word_is(k, "before") || word_is(k, "of");
    if (!past && !to) {
      // British "half 7" is 7:30.
      if (w == "half" && k == i + 1) return half_hour_clock(i);
      return 0;
    }
    if (to && !word_minutes && !digit_to_clock(i)) return 0;  // "6 to 8" is a span, not 7:54
    if (w == "half" && to) return 0;
    if (minutes < 1 || minutes > 59) return 0;
    ++k;
    int hour = 0;
    bool leading_zero = false;
    if (small_num(k)) {
      hour = val(k);
      leading_zero = t_[k].digits == 2 && hour < 10;
      ++k;
    } else if (auto h = number_at(k); h && *h >= 1 && *h <= 12) {
      hour = *h;
      ++k;
    } else if (word_is(k, "noon") || word_is(k, "midnight")) {
      hour = word_is(k, "noon") ? 12 : 0;
      leading_zero = true;
      ++k;
    } else {
      return 0;
    }
    meridiem m = meridiem::none;
    if (auto mer = meridiem_at(k)) {
      m = mer->value;
      k = mer->next;
    } else {
      std::size_t oclock_next = 0;
      if (is_oclock(k, oclock_next)) k = oclock_next;
    }
    auto c = validate(hour, 0, 0, m, leading_zero);
    if (!c) return push_invalid(i, k, clock_text(i, k));
    if (to) {
      // Counting back from the full hour keeps its reading: "quarter to 1pm" is 12:45, and a
      // bare "quarter to 1" stays bare (00:45 or 12:45).
      if (c->mer != meridiem::none) {
        const int h24 = (c->hour % 12 + (c->mer == meridiem::pm ? 12 : 0) + 23) % 24;
        c->hour = h24;
        c->mer = meridiem::none;
        c->twenty_four = true;
      } else if (c->twenty_four) {
        c->hour = (c->hour + 23) % 24;
      } else {
        c->hour = c->hour == 1 ? 12 : c->hour - 1;
      }
      c->minute = 60 - minutes;
    } else {
      c->minute = minutes;
    }
    piece p = make(piece_kind::clock, i, k);
    p.clock = *c;
    return push(p);
  }

  // "1/2" and "1/4" before "past" or "to": 30 and 15 minutes.
  int fraction_at(std::size_t i) const {
    if (!is_num(i) || val(i) != 1 || t_[i].digits != 1 || !punct_is(i + 1, '/') || !tight(i + 1) ||
        !is_num(i + 2) || !tight(i + 2) || t_[i + 2].digits != 1) {
      return 0;
    }
    const auto w = low(i + 3);
    if (w != "past" && w != "after" && w != "to" && w != "til" && w != "till") return 0;
    return val(i + 2) == 2 ? 30 : (val(i + 2) == 4 ? 15 : 0);
  }

  // "10 to 8", "20 to 9pm": digit minutes before "to" count back from the hour when they could
  // not start a span (more minutes than the hour, a multiple of five up to 30). "5 to 7" stays
  // the span 5-7.
  bool digit_to_clock(std::size_t i) const {
    if (!small_num(i) || !word_is(i + 1, "to")) return false;
    const int minutes = val(i);
    if (minutes < 5 || minutes > 30 || minutes % 5 != 0) return false;
    int hour = 0;
    if (small_num(i + 2) && t_[i + 2].digits == 1) {
      hour = val(i + 2);
    } else if (auto h = number_at(i + 2)) {
      hour = *h;
    } else {
      return false;
    }
    return hour >= 1 && hour < minutes && hour <= 12;
  }

  // "half 7", "half seven": half past, as in British speech.
  std::size_t half_hour_clock(std::size_t i) {
    std::size_t k = i + 1;
    int hour = 0;
    if (small_num(k) && (!number_continues(k + 1) || meridiem_at(k + 1)) && !punct_is(k + 1, '/')) {
      hour = val(k);
    } else if (auto h = number_at(k); h && *h >= 1 && *h <= 12) {
      hour = *h;
    } else {
      return 0;
    }
    if (hour < 1 || hour > 12 || unit_at(k + 1)) return 0;
    ++k;
    piece p = make(piece_kind::clock, i, k);
    p.clock.hour = hour;
    p.clock.minute = 30;
    if (auto mer = meridiem_at(k)) {
      p.clock.mer = mer->value;
      p.last = mer->next;
    }
    return push(p);
  }

  // Token i comes right after a day or a part of one: "tomorrow", "fri", "tonight", "this
  // evening".
  bool after_day(std::size_t i) const {
    if (out_.empty() || out_.back().last != i) return false;
    const piece_kind kind = out_.back().kind;
    return kind == piece_kind::day_offset || kind == piece_kind::weekday ||
           kind == piece_kind::part_of_day;
  }

  // A bare hour right after a day: "tomorrow 6", "fri 7", "tonite 8". The hour must stand
  // alone ("tomorrow 6 people" is a count).
  std::size_t hour_after_day(std::size_t i) {
    if (!small_num(i) || !after_day(i)) return 0;
    // A part of the day takes a bare hour after it when it is a day's: "tonite 8", "this
    // afternoon 4", "tomorrow morning 9". Alone it is too common a word ("morning 9 people").
    const auto& day = out_.back();
    if (day.kind == piece_kind::part_of_day && !day.tonight && !day.this_day &&
        !(out_.size() >= 2 && out_[out_.size() - 2].last == day.first &&
          is_day(out_[out_.size() - 2].kind))) {
      return 0;
    }
    const int hour = val(i);
    // "fri 7-9": the day leads a span as "at" would.
    if (punct_is(i + 1, '-')) return span_at(i, true);
    if (hour < 1 || hour > 23 || number_continues(i + 1) || punct_is(i + 1, '/')) return 0;
    if (month_at(i + 1) || unit_at(i + 1) || (is_word(i + 1) && one_of(count_words, low(i + 1)))) {
      return 0;
    }
    if (is_num(i + 1)) return 0;
    piece p = make(piece_kind::clock, i, i + 1);
    p.clock.hour = hour;
    p.clock.twenty_four = hour >= 13 || (t_[i].digits == 2 && hour < 10);
    return push(p);
  }

  // "at 7", "@7", "around 9", "at 1930", "at seven": the bare-hour forms of rule 6.
  std::size_t at_clock(std::size_t i) {
    const auto w = low(i);
    const bool lead = w == "at" || w == "@" || w == "around" || w == "by" || w == "from" ||
                      w == "about" || w == "after" || w == "before" || w == "until" ||
                      w == "till" || w == "til" || w == "~";
    if (!lead) return 0;
    const std::size_t j = i + 1;
    const std::size_t before = out_.size();
    if (std::size_t n = clock_at(j, true)) {
      out_[before].first = i;
      weaken_named_hour(out_[before], j);
      return n;
    }
    if (is_num(j) && !number_continues(j + 1) && !punct_is(j + 1, '/') && !glued_name(j + 1)) {
      if (t_[j].digits <= 2 && val(j) <= 23) {
        piece p = make(piece_kind::clock, i, j + 1);
        p.clock.hour = val(j);
        p.clock.twenty_four = val(j) >= 13 || val(j) == 0 || (t_[j].digits == 2 && val(j) < 10);
        // "@ 8 Mile Road", "at 10 Downing St", "at 5 guys 9pm": perhaps a number in a name.
        p.weak = (is_word(j + 1) && t_[j + 1].capitalized) || unknown_word(j + 1);
        return push(p);
      }
      // "at 2026-12-01 18:00": a year that starts a date, not 20:26.
      const bool dated = punct_is(j + 1, '-') && tight(j + 1) && is_num(j + 2) && tight(j + 2);
      if (t_[j].digits == 4 && !dated && val(j) / 100 <= 23 && val(j) % 100 <= 59) {
        piece p = make(piece_kind::clock, i, j + 1);
        p.clock.hour = val(j) / 100;
        p.clock.minute = val(j) % 100;
        p.clock.twenty_four = true;
        p.weak = is_word(j + 1) && t_[j + 1].capitalized;  // "at 1920 Lounge at 9pm"
        return push(p);
      }
    }
    return 0;
  }

  // "at Five Guys", "at Two Bit Circus": after "at", an hour in words that is capitalized may
  // start a name; its clock `p`, read from token j, yields to any other time. So may a bare
  // hour in lowercase before a word the vocabulary does not know: "at two bit circus 9pm".
  void weaken_named_hour(piece& p, std::size_t j) const {
    if (p.kind != piece_kind::clock || p.clock.mer != meridiem::none) return;
    if (is_word(j) && t_[j].capitalized) p.weak = true;
    if (p.last == j + 1 && unknown_word(p.last)) p.weak = true;
  }

  // A lowercase word that no rule knows: perhaps a name's ("5 guys", "two bit circus").
  bool unknown_word(std::size_t k) const {
    return is_word(k) && !t_[k].capitalized && entry(k) == nullptr;
  }

  // "today" or "tomorrow" after number i, with no time of its own and no "for" before i: "3
  // tomorrow". Or a weekday in full: after "on" ("Starbucks 3 on Friday"), or right after a
  // number that no word of a name comes before ("3 friday at Joe's", "Joe's, 3 friday"); "Cafe
  // 3 Monday" and "Week 3 monday" are names.
  bool day_without_clock(std::size_t i) const {
    if (i > 0 && word_is(i - 1, "for")) return false;
    std::size_t k = i + 1;
    if (today_or_tomorrow(k)) return !clock_follows(k + 1);
    if (word_is(k, "on")) {
      ++k;
    } else if (i > 0 && is_word(i - 1)) {
      return false;
    }
    if (!weekday_in_full(k)) return false;
    // A number anywhere after the day may be its time: "Top 5 friday picks 7pm".
    const std::size_t at = word_is(k + 1, "at") || punct_is(k + 1, '@') ? k + 2 : k + 1;
    return !number_from(k + 1) && !word_is(at, "noon") && !word_is(at, "midnight");
  }

  // A bare hour right before a part of the day: "8 tonight", "6 in the afternoon"; or before
  // "today" or "tomorrow" with no time of its own: "3 tomorrow" (not "for 3 tomorrow", a count).
  std::size_t hour_before_part(std::size_t i) {
    if (!small_num(i) || val(i) < 1 || val(i) > 12) return 0;
    if (numbers_a_place(i) ? !evening_hour_of_place(i)
                           : !part_follows(i + 1) && !day_without_clock(i)) {
      return 0;
    }
    piece p = make(piece_kind::clock, i, i + 1);
    p.clock.hour = val(i);
    return push(p);
  }

  // The number after a place word ("The Blue Door 8 tonight") is still the hour when an
  // evening follows it, it is an evening's hour, and no other number comes after it to be the
  // hour instead ("Room 9 tonight at 8"). Elsewhere a place's number stays a number: "Table 4
  // tonight" is no 4 a.m., "Gate 12 tonight" no midnight.
  bool evening_hour_of_place(std::size_t i) const {
    if (!is_word(i - 1) || val(i) < 5 || val(i) > 11) return false;
    const std::size_t k = i + 1;
    const bool evening = word_is(k, "tonight") || word_is(k, "tonite") ||
                         ((word_is(k, "this") || word_is(k, "in")) &&
                          (word_is(k + 1, "evening") || word_is(k + 2, "evening")));
    return evening && part_follows(k) && !number_from(k);
  }

  // A number at token k or after it. Found once per scan, so that asking at every number of a
  // long text stays linear.
  bool number_from(std::size_t k) const {
    if (numbers_end_ == unknown) {
      numbers_end_ = 0;
      for (std::size_t m = count_; m > 0; --m) {
        if (is_num(m - 1)) {
          numbers_end_ = m;
          break;
        }
      }
    }
    return k < numbers_end_;
  }

  // --- spans -----------------------------------------------------------------------------------
  struct span_end {
    clock_time clock;
    std::size_t next = 0;
    bool strong = false;  // has am/pm, minutes or a 24-hour form
    bool bare = false;    // a number alone: "12" and "14" of "12-14"
    bool invalid = false;
    std::string_view what;  // in the arena
    bool pushed = false;    // clock_at read it, and its piece is still the last one pushed
  };

  // One end of a span. When clock_at reads it, its piece stays pushed for span_at to drop or keep.
  std::optional<span_end> span_clock(std::size_t i, bool allow_words) {
    if (std::size_t n = clock_at(i, allow_words)) {
      const piece& p = out_.back();
      if (p.kind == piece_kind::invalid) return span_end{{}, n, true, false, true, p.what, true};
      if (p.clock.midnight) {
        out_.pop_back();
        return std::nullopt;
      }
      // Anything written as a clock ("10:00", "9pm", "19h") marks a span on its own.
      return span_end{p.clock, n, !p.weak, false, false, {}, true};
    }
    if (small_num(i) && !number_continues(i + 1) && val(i) <= 23) {
      clock_time c;
      c.hour = val(i);
      c.twenty_four = val(i) >= 13 || val(i) == 0 || (t_[i].digits == 2 && val(i) < 10);
      return span_end{c, i + 1, c.twenty_four, true, false, {}, false};
    }
    return std::nullopt;
  }

  // A span "7-9pm", "from 6 to 8", "between 5 and 7pm". With `or_clock` and no leading word, a
  // start that is not followed by the rest of a span is answered as the clock it is: match() and
  // zone_before() would ask clock_at(i, false) that very question next.
  std::size_t span_at(std::size_t i, bool after_day = false, bool or_clock = false) {
    std::size_t j = i;
    bool lead = after_day;
    bool between = false;
    const auto w = low(i);
    if (w == "from" || w == "between" || w == "at" || w == "@") {
      lead = true;
      between = w == "between";
      ++j;
    }
    if (digit_to_clock(j) && !between && w != "from") return 0;
    if (j == i && numbers_a_place(i)) return 0;
    const std::size_t before = out_.size();
    auto start = span_clock(j, lead);
    if (!start) return 0;
    // After "at", "@" or "from", at_clock() would read the same clock and start it at the word.
    const bool keep_start =
        or_clock && start->pushed && !after_day && (j == i || w == "at" || w == "@" || w == "from");
    auto no_span = [&]() -> std::size_t {
      if (!keep_start) {
        out_.resize(before);
        return 0;
      }
      out_[before].first = i;
      if (j != i) weaken_named_hour(out_[before], j);
      return start->next;
    };
    std::size_t k = start->next;
    bool word_sep = false;
    if (punct_is(k, '-')) {
      if (spaced_offset(k)) return no_span();  // "19:00 -08:00"
      ++k;
    } else if (word_is(k, "to") || word_is(k, "till") || word_is(k, "til") || word_is(k, "until") ||
               word_is(k, "thru") || word_is(k, "through") || (between && word_is(k, "and"))) {
      word_sep = !word_is(k, "to") || lead;
      ++k;
    } else if (punct_is(k, '\'') && word_is(k + 1, "til")) {
      word_sep = true;
      k += 2;
    } else {
      return no_span();
    }
    const std::size_t before_end = out_.size();
    auto end = span_clock(k, lead || start->strong);
    if (!end) return no_span();
    if ((!(lead || start->strong || end->strong || word_sep)) ||
        ((!end->strong || t_[k].capitalized) && name_after_dash(k, end->next)) ||
        glued_name(start->next)) {
      out_.resize(before_end);
      return no_span();
    }
    out_.resize(before);
    if (start->invalid) return push_invalid(j, start->next, start->what);
    if (end->invalid) return push_invalid(k, end->next, end->what);
    piece p = make(piece_kind::span, i, end->next);
    p.clock = start->clock;
    p.end_clock = end->clock;
    // Two numbers alone ("12-14") are as often house numbers or a score as hours: a time
    // written elsewhere wins ("12-14 Main St at 3pm").
    p.weak = !lead && !word_sep && start->bare && end->bare;
    return push(p);
  }

  // A dash at token k between a number and a capitalized word, written as one word: "7-Eleven",
  // a name, never a span to eleven.
  bool glued_name(std::size_t k) const {
    return punct_is(k, '-') && tight(k) && is_word(k + 1) && tight(k + 1) && t_[k + 1].capitalized;
  }

  // A dash written apart and a name that opens with a number: "7pm - Seven Grand", "5pm -
  // 7-Eleven", "9am - 5 O'Clock Somewhere Bar", "7pm - 3 Floyds". The number is no span's end
  // when the name goes on right after it, capitalized or joined by a dash.
  bool name_after_dash(std::size_t k, std::size_t next) const {
    if (!punct_is(k - 1, '-') || !t_[k - 1].space_before || !t_[k].space_before) return false;
    if (is_word(next) && t_[next].capitalized) return true;
    return punct_is(next, '-') && tight(next) && is_word(next + 1) && tight(next + 1);
  }

  // --- zones -----------------------------------------------------------------------------------
  std::optional<std::chrono::minutes> offset_at(std::size_t i, std::size_t& next) const {
    if (!(punct_is(i, '+') || punct_is(i, '-')) || !is_num(i + 1) || !tight(i + 1)) {
      return std::nullopt;
    }
    const int sign = punct_is(i, '-') ? -1 : 1;
    int hours = 0;
    int minutes = 0;
    std::size_t k = i + 2;
    const int digits = t_[i + 1].digits;
    if (digits <= 2) {
      hours = val(i + 1);
      if (punct_is(k, ':') && tight(k) && is_num(k + 1) && tight(k + 1) && t_[k + 1].digits == 2) {
        minutes = val(k + 1);
        k += 2;
      }
    } else if (digits == 4) {
      hours = val(i + 1) / 100;
      minutes = val(i + 1) % 100;
    } else {
      return std::nullopt;
    }
    if (hours > 14 || minutes > 59) return std::nullopt;
    next = k;
    return std::chrono::minutes{sign * (hours * 60 + minutes)};
  }

  // A UTC offset written apart from the clock before it and whole: "19:00 -0800", "7pm
  // -08:00" (RFC 5322 dates end so). A dash with a space after it, or none before it ("7-9pm",
  // "10:00-12:00"), joins the two ends of a span instead.
  bool spaced_offset(std::size_t k) const {
    if (!in_range(k) || !t_[k].space_before || !is_num(k + 1) || !tight(k + 1)) return false;
    const int digits = t_[k + 1].digits;
    return digits == 4 ||
           (digits == 2 && punct_is(k + 2, ':') && tight(k + 2) && is_num(k + 3) && tight(k + 3));
  }

  // Token i may begin what zone_at() reads: a zone word, an IANA area, or "in" or "(" before
  // one. A cheap test for the many words after a day that are none.
  bool zone_may_start(std::size_t i) const {
    if (word_is(i, "in") || punct_is(i, '(')) ++i;
    const auto* e = entry(i);
    return e != nullptr && (e->zone >= 0 || (word_openers_[e->id] & opens_iana) != 0);
  }

  std::optional<std::size_t> zone_at(std::size_t i) {
    const bool allow_minus = iso_clock_ || spaced_offset(i);
    iso_clock_ = false;
    std::size_t k = i;
    if (word_is(k, "in") && is_word(k + 1)) ++k;
    if (punct_is(k, '(') && is_word(k + 1) && punct_is(k + 2, ')')) {
      if (auto z = zone_at_word(k + 1)) {
        piece p = make(piece_kind::zone, k, k + 3);
        p.zone = *z;
        return push(p);
      }
    }
    if (is_word(k)) {
      const auto w = low(k);
      if (w == "z" && !tight(k)) return std::nullopt;
      if (std::size_t n = iana_at(k)) return n;
      if (auto z = zone_at_word(k)) {
        std::size_t next = k + 1;
        // "3pm eastern time" is a zone, "3pm central station" is a place.
        if (w.size() > 4 && z->tz != nullptr && !word_is(next, "time") && is_word(next)) {
          return std::nullopt;
        }
        if ((w == "utc" || w == "gmt") && in_range(next)) {
          std::size_t after = 0;
          if (auto off = offset_at(next, after)) {
            z->offset = *off;
            next = after;
          }
        }
        if (word_is(next, "time")) ++next;
        piece p = make(piece_kind::zone, k, next);
        p.zone = *z;
        return push(p);
      }
      return std::nullopt;
    }
    if (punct_is(k, '+') || (allow_minus && punct_is(k, '-'))) {
      std::size_t after = 0;
      if (auto off = offset_at(k, after)) {
        piece p = make(piece_kind::zone, k, after);
        p.zone.offset = *off;
        return push(p);
      }
    }
    return std::nullopt;
  }

  // "CET 3pm", "EST: 6pm", "UTC+2 15:00": a zone abbreviation right before a clock time.
  std::size_t zone_before(std::size_t i) {
    const auto* e = entry(i);
    if (e == nullptr || e->zone < 0 || t_[i].lower.size() > 4 || low(i) == "z") return 0;
    auto z = zone_of(*e);
    if (!z) return 0;
    std::size_t k = i + 1;
    const auto w = low(i);
    if (w == "utc" || w == "gmt") {
      std::size_t after = 0;
      if (auto off = offset_at(k, after)) {
        z->offset = *off;
        k = after;
      }
    }
    if (punct_is(k, ':') || punct_is(k, ',')) ++k;
    const std::size_t zone_end = k;
    // Only a written clock ("3pm", "15:00"): "CET at Noon Cafe" keeps its words.
    if (!is_num(k)) return 0;
    const std::size_t before = out_.size();
    std::size_t n = span_at(k, false, true);
    if (n == 0) n = clock_at(k, false);  // "12 midnight" is no start of a span, but a clock
    if (n == 0) return 0;
    const auto kind = out_[before].kind;
    if ((kind != piece_kind::clock && kind != piece_kind::span) || out_[before].weak) {
      out_.resize(before);
      return 0;
    }
    piece p = make(piece_kind::zone, i, zone_end);
    p.zone = *z;
    out_.insert(out_.begin() + static_cast<std::ptrdiff_t>(before), p);
    return n;
  }

  std::size_t iana_at(std::size_t i) {
    if (!is_word(i) || !punct_is(i + 1, '/') || !tight(i + 1) || !tight(i + 2) ||
        !one_of(iana_areas, low(i))) {
      return 0;
    }
    std::size_t k = i + 1;
    while (in_range(k) && tight(k) && k - i < 12 &&
           (is_word(k) || is_num(k) || punct_is(k, '/') || punct_is(k, '_') || punct_is(k, '-') ||
            punct_is(k, '+'))) {
      ++k;
    }
    const auto name = text_.substr(t_[i].begin, t_[k - 1].end - t_[i].begin);
    const auto* tz = find_iana_zone(name);
    if (tz == nullptr) return 0;
    piece p = make(piece_kind::zone, i, k);
    p.zone.tz = tz;
    return push(p);
  }

  // --- durations -------------------------------------------------------------------------------
  // "2 and a half hours", "two and a half days": a whole quantity and a half.
  std::optional<quantity_match> quantity_at(std::size_t i) const {
    auto q = whole_quantity_at(i);
    if (q && word_is(q->next, "and") && word_is(q->next + 1, "a") && word_is(q->next + 2, "half") &&
        unit_at(q->next + 3)) {
      q->value += 0.5;
      q->next += 3;
    }
    return q;
  }

  std::optional<quantity_match> whole_quantity_at(std::size_t i) const {
    if (is_num(i)) {
      double v = static_cast<double>(t_[i].value);
      std::size_t next = i + 1;
      if (punct_is(next, '.') && tight(next) && is_num(next + 1) && tight(next + 1) &&
          t_[next + 1].digits <= 3) {
        v += static_cast<double>(t_[next + 1].value) / std::pow(10.0, t_[next + 1].digits);
        next += 2;
      }
      return quantity_match{v, next};
    }
    const auto w = low(i);
    if (w == "a" && word_is(i + 1, "couple")) {
      return quantity_match{2, word_is(i + 2, "of") ? i + 3 : i + 2};
    }
    // "in a few minutes": three, as chrono reads it; "in a half hour".
    if (w == "a" && word_is(i + 1, "few")) return quantity_match{3, i + 2};
    if (w == "a" && word_is(i + 1, "half")) return quantity_match{0.5, i + 2};
    if (w == "a" || w == "an" || w == "one") return quantity_match{1, i + 1};
    if (w == "half") {
      std::size_t next = i + 1;
      if (word_is(next, "a") || word_is(next, "an")) ++next;
      return quantity_match{0.5, next};
    }
    if (w == "couple") {
      std::size_t next = i + 1;
      if (word_is(next, "of")) ++next;
      return quantity_match{2, next};
    }
    if (auto n = number_at(i); n && *n > 0) {
      int value = *n;
      std::size_t next = i + 1;
      if (value >= 20 && value % 10 == 0) {
        std::size_t k = next;
        if (punct_is(k, '-') && tight(k)) ++k;
        if (auto u = number_at(k); u && *u >= 1 && *u <= 9) {
          value += *u;
          next = k + 1;
        }
      }
      return quantity_match{static_cast<double>(value), next};
    }
    return std::nullopt;
  }

  std::optional<duration_match> duration_at(std::size_t i) const {
    duration_match d;
    double exact_seconds = 0;
    std::size_t k = i;
    std::optional<duration_unit> last_unit;
    bool any = false;
    for (int parts = 0; parts < 6; ++parts) {
      std::size_t q_at = k;
      if (any && word_is(k, "and") && word_is(k + 1, "a") && word_is(k + 2, "half")) {
        // "an hour and a half"
        const double unit_seconds = *last_unit == duration_unit::second   ? 1
                                    : *last_unit == duration_unit::minute ? 60
                                    : *last_unit == duration_unit::hour   ? 3600
                                                                          : 86400;
        // Weeks and longer count calendar days, which have no half (the enum runs in order).
        if (*last_unit >= duration_unit::week) break;
        exact_seconds += unit_seconds / 2;
        k += 3;
        break;
      }
      if (any && (word_is(k, "and") || punct_is(k, ','))) q_at = k + 1;
      auto q = quantity_at(q_at);
      if (!q) break;
      if (word_is(q->next, "ish") && tight(q->next)) ++q->next;  // "in 20ish minutes"
      auto unit = unit_at(q->next);
      if (!unit && any && last_unit == duration_unit::hour && is_num(q_at) && tight(q_at) &&
          t_[q_at].digits == 2) {
        unit = duration_unit::minute;  // "1h30"
        q->next = q->next - 1;
      }
      if (!unit) break;
      // Far past any meetup; also keeps the integer conversions below in range.
      if (!(q->value >= 0) || q->value > 1e6) return std::nullopt;
      if ((*unit == duration_unit::month) && q->value != std::floor(q->value)) break;
      switch (*unit) {
        case duration_unit::second:
          exact_seconds += q->value;
          break;
        case duration_unit::minute:
          exact_seconds += q->value * 60;
          break;
        case duration_unit::hour:
          exact_seconds += q->value * 3600;
          break;
        case duration_unit::day:
        case duration_unit::week:
        case duration_unit::fortnight: {
          const int unit_days = *unit == duration_unit::day    ? 1
                                : *unit == duration_unit::week ? 7
                                                               : 14;
          const double days = q->value * unit_days;
          if (days == std::floor(days))
            d.days += static_cast<int>(days);
          else
            exact_seconds += days * 86400;
          break;
        }
        case duration_unit::month:
          d.months += static_cast<int>(q->value);
          break;
      }
      last_unit = unit;
      any = true;
      k = q->next + 1;
    }
    if (!any) return std::nullopt;
    if (exact_seconds > 1e9 || d.days > 100000 || d.months > 10000) return std::nullopt;
    d.exact = std::chrono::seconds{static_cast<long long>(std::llround(exact_seconds))};
    d.next = k;
    return d;
  }

  // Past a word that hedges a quantity: "in about 20 mins", "in ~2 hours", "in like an hour".
  std::size_t past_hedge(std::size_t k) const {
    if (punct_is(k, '~')) return k + 1;
    const auto* e = entry(k);
    return e != nullptr && e->hedges ? k + 1 : k;
  }

  std::size_t duration_piece(std::size_t i) {
    const auto w = low(i);
    if (w == "in" || w == "within" || punct_is(i, '+')) {
      if (w == "in" && small_num(i + 1) && val(i + 1) >= 1 && val(i + 1) <= 90 &&
          (!in_range(i + 2) || punct_is(i + 2, '!') || punct_is(i + 2, '?') ||
           (punct_is(i + 2, ',') && !is_num(i + 3)))) {
        // "in 15": minutes, when nothing follows the number.
        piece p = make(piece_kind::duration, i, i + 2);
        p.exact = std::chrono::minutes{val(i + 1)};
        return push(p);
      }
      auto d = duration_at(past_hedge(i + 1));
      if (!d) return 0;
      std::size_t next = d->next;
      if (word_is(next, "from") && word_is(next + 1, "now")) next += 2;
      if (word_is(next, "time")) ++next;
      piece p = make(piece_kind::duration, i, next);
      p.exact = d->exact;
      p.days = d->days;
      p.months = d->months;
      return push(p);
    }
    if (w == "half" && (word_is(i + 1, "an") || word_is(i + 1, "a")) &&
        (word_is(i + 2, "hour") || word_is(i + 2, "hr"))) {
      piece p = make(piece_kind::duration, i, i + 3);
      p.exact = std::chrono::minutes{30};
      return push(p);
    }
    if (w == "for") {
      auto d = duration_at(i + 1);
      if (!d || d->months != 0) return 0;
      piece p = make(piece_kind::for_duration, i, d->next);
      p.exact = d->exact + std::chrono::hours{24} * d->days;
      return push(p);
    }
    auto d = duration_at(past_hedge(i));
    if (!d) return 0;
    std::size_t next = d->next;
    if (word_is(next, "ago") || word_is(next, "before") || word_is(next, "earlier")) {
      if (word_is(next, "before") && !word_is(next + 1, "now")) return 0;
      const std::size_t end = word_is(next, "before") ? next + 2 : next + 1;
      piece p = make(piece_kind::past, i, end);
      p.what = keep(joined_text(i, end, true));  // "(5 minutes ago)", in lower case
      return push(p);
    }
    bool relative = false;
    int extra_days = 0;
    if (word_is(next, "from") && word_is(next + 1, "now")) {
      next += 2;
      relative = true;
    } else if (word_is(next, "from") && today_or_tomorrow(next + 1)) {
      // "a week from today", "2 days from tomorrow": calendar days.
      extra_days = word_is(next + 1, "today") ? 0 : 1;
      next += 2;
      relative = true;
    } else if (word_is(next, "later") || word_is(next, "hence")) {
      ++next;
      relative = true;
    } else if (word_is(next, "from") && d->exact.count() == 0 && d->months == 0 &&
               weekday_at(next + 1)) {
      // "a week from friday", "two weeks from sunday": calendar days on from that day.
      piece p = make(piece_kind::weekday, i, next + 2);
      p.weekday = *weekday_at(next + 1);
      p.days = d->days;
      return push(p);
    }
    if (!relative) return 0;
    piece p = make(piece_kind::duration, i, next);
    p.exact = d->exact;
    p.days = d->days + extra_days;
    p.months = d->months;
    return push(p);
  }

  // --- days ------------------------------------------------------------------------------------
  std::size_t past_piece(std::size_t i) {
    const auto w = low(i);
    if (w == "yesterday" || w == "yday") {
      piece p = make(piece_kind::past, i, i + 1);
      p.what = "yesterday";
      // "Yesterday Cafe at 8pm": written as a name, it is one.
      p.weak = t_[i].capitalized && is_word(i + 1) && t_[i + 1].capitalized;
      return push(p);
    }
    if (w == "last" || w == "past" || w == "previous") {
      const auto n = low(i + 1);
      if (weekday_at(i + 1)) {
        piece p = make(piece_kind::past, i, i + 2);
        p.what = keep("last " + std::string{n});
        return push(p);
      }
      if (n == "week" || n == "night" || n == "month" || n == "year" || n == "weekend") {
        piece p = make(piece_kind::past, i, i + 2);
        p.what = keep("last " + std::string{n});
        return push(p);
      }
    }
    return 0;
  }

  std::size_t day_word(std::size_t i) {
    const auto w = low(i);
    if (w == "today" || w == "tday" || w == "tdy" || (w[0] == '2' && w == "2day")) {
      piece p = make(piece_kind::day_offset, i, i + 1);
      p.what = "today";
      return push(p);
    }
    if (w == "tonight" || w == "tonite" || w == "tonght" ||
        (w[0] == '2' && (w == "2nite" || w == "2night"))) {
      piece p = make(piece_kind::part_of_day, i, i + 1);
      p.part = day_part::night;
      p.tonight = true;
      return push(p);
    }
    if ((w[0] == 't' || w[0] == '2') && one_of(tomorrow_words, w)) {
      piece p = make(piece_kind::day_offset, i, i + 1);
      p.days = 1;
      return push(p);
    }
    if (w == "overmorrow") {
      piece p = make(piece_kind::day_offset, i, i + 1);
      p.days = 2;
      return push(p);
    }
    std::size_t k = i;
    if (w == "the") ++k;
    if (word_is(k, "day") && word_is(k + 1, "after") && one_of(tomorrow_words, low(k + 2))) {
      piece p = make(piece_kind::day_offset, i, k + 3);
      p.days = 2;
      return push(p);
    }
    // "next month", "next year": the same day then, like "next week".
    if (w == "next" && (word_is(i + 1, "month") || word_is(i + 1, "year"))) {
      piece p = make(piece_kind::duration, i, i + 2);
      p.months = word_is(i + 1, "month") ? 1 : 12;
      return push(p);
    }
    if (w == "next" && word_is(i + 1, "week") && !weekday_at(i + 2) &&
        !(word_is(i + 2, "on") && weekday_at(i + 3))) {
      piece p = make(piece_kind::day_offset, i, i + 2);
      p.days = 7;
      return push(p);
    }
    return 0;
  }

  std::size_t weekday_piece(std::size_t i) {
    std::size_t k = i;
    weekday_mode mode = weekday_mode::plain;
    const auto w = low(i);
    if (w == "this" || w == "coming" || w == "upcoming") {
      mode = weekday_mode::coming;
      ++k;
      if (word_is(k, "coming")) ++k;
    } else if (w == "next") {
      mode = weekday_mode::next;
      ++k;
      if (word_is(k, "week")) {
        mode = weekday_mode::of_next_week;
        ++k;
        if (word_is(k, "on")) ++k;
      }
    }
    auto day = weekday_at(k);
    if (!day) {
      if (!is_word(k) || (t_[k].lower[0] != 't' && t_[k].lower[0] != 'w')) return 0;
      return weekend_piece(i, k, mode);
    }
    const bool abbreviation =
        t_[k].lower.size() <= 5 && t_[k].lower.find("day") == std::string_view::npos;
    ++k;
    if (abbreviation && punct_is(k, '.') && tight(k)) ++k;
    if (word_is(k, "of") && word_is(k + 1, "next") && word_is(k + 2, "week")) {
      mode = weekday_mode::of_next_week;
      k += 3;
    } else if (word_is(k, "next") && word_is(k + 1, "week")) {
      mode = weekday_mode::of_next_week;
      k += 2;
    }
    int later = 0;
    if (mode == weekday_mode::plain && word_is(k, "after") && word_is(k + 1, "next")) {
      // "friday after next": a week after the coming one.
      mode = weekday_mode::next;
      later = 7;
      k += 2;
    } else if (mode == weekday_mode::plain && is_word(k) && !t_[k].capitalized &&
               (word_is(k, "week") || word_is(k, "fortnight"))) {
      // "sunday week", "friday fortnight" (British): a week, or two, after that day.
      later = word_is(k, "week") ? 7 : 14;
      ++k;
    }
    piece p = make(piece_kind::weekday, i, k);
    p.weekday = *day;
    p.mode = mode;
    p.days = later;
    p.weak = mode == weekday_mode::plain && later == 0;
    p.abbreviation = abbreviation && mode == weekday_mode::plain;
    return push(p);
  }

  // "this weekend", "next weekend", "on the weekend": read as its Saturday (chrono's
  // convention), noon when no time is given.
  std::size_t weekend_piece(std::size_t i, std::size_t k, weekday_mode mode) {
    if (k == i && word_is(i, "the")) ++k;
    if (!weekend_at(k)) return 0;
    piece p = make(piece_kind::weekday, i, k + 1);
    p.weekday = 6;
    p.mode = mode == weekday_mode::of_next_week ? weekday_mode::next : mode;
    p.weak = mode == weekday_mode::plain;
    return push(p);
  }

  // --- dates -----------------------------------------------------------------------------------
  // A day number that is not the start of a clock reading ("dec 3", not "dec 3pm").
  bool day_number(std::size_t i) const {
    if (!small_num(i)) return false;
    if (punct_is(i + 1, ':') && tight(i + 1)) return false;
    if (meridiem_at(i + 1)) return false;
    if (word_is(i + 1, "h") && tight(i + 1)) return false;
    return true;
  }

  std::size_t year_after(std::size_t k, int& year) const {
    std::size_t j = k;
    if (punct_is(j, ',')) ++j;
    // "12-Dec-2026", "Dec-12-2026".
    const bool joined = punct_is(j, '-') && tight(j) && tight(j + 1);
    if (joined && is_num(j + 1) && t_[j + 1].digits == 4) {
      year = val(j + 1);
      return j + 2;
    }
    if (is_num(j) && t_[j].digits == 4 && !(punct_is(j + 1, ':') && tight(j + 1))) {
      year = val(j);
      return j + 1;
    }
    return k;
  }

  std::size_t month_day_piece(std::size_t first, std::size_t next, int month, int day, int year) {
    if (day < 1 || day > days_in_month(month, year)) {
      std::string what{month_name(month)};
      what += ' ';
      what += ordinal(day);
      if (year != 0) what += ", " + std::to_string(year);
      return push_invalid(first, next, what);
    }
    piece p = make(piece_kind::month_day, first, next);
    p.month = month;
    p.day = day;
    p.year = year;
    return push(p);
  }

  // A day written as a word at k: "fifth", "twenty-first", "thirty first". The day and the
  // token after it.
  std::optional<std::pair<int, std::size_t>> ordinal_word(std::size_t k) const {
    const auto* e = entry(k);
    if (e == nullptr) return std::nullopt;
    if (e->ordinal > 0) return std::pair{int{e->ordinal}, k + 1};
    if (e->number != 20 && e->number != 30) return std::nullopt;
    std::size_t n = k + 1;
    if (punct_is(n, '-') && tight(n)) ++n;
    const auto* units = entry(n);
    if (units == nullptr || units->ordinal < 1 || units->ordinal > 9) return std::nullopt;
    return std::pair{e->number + units->ordinal, n + 1};
  }

  // "dec 3", "December 3rd, 2026", "december the 3rd", "December fifth".
  std::size_t month_first(std::size_t i) {
    auto month = month_at(i);
    if (!month) return 0;
    std::size_t k = i + 1;
    if (punct_is(k, '.') && tight(k)) ++k;
    if (word_is(k, "the")) ++k;
    if (punct_is(k, '-') && tight(k) && is_num(k + 1) && tight(k + 1)) ++k;  // "Dec-12-2026"
    int day = 0;
    if (auto word = ordinal_word(k)) {
      std::tie(day, k) = *word;
    } else {
      if (!day_number(k)) return 0;
      day = val(k);
      ++k;
      if (is_word(k) && tight(k) && is_ordinal_suffix(low(k))) ++k;
    }
    int year = 0;
    k = year_after(k, year);
    return month_day_piece(i, k, *month, day, year);
  }

  // Number i begins a span or an o'clock: "7-9pm", "7 to 9", "8 o'clock".
  bool starts_a_time(std::size_t i) const {
    std::size_t next = 0;
    return punct_is(i + 1, '-') || word_is(i + 1, "to") || word_is(i + 1, "till") ||
           word_is(i + 1, "until") || is_oclock(i + 1, next);
  }

  // An ordinal [i, k) without "the" or a month is a day only where nothing else fits: first in
  // the text or after a weekday ("5th at 3pm", "on 22nd, 8pm", "Wed 2nd 7pm"), and before a
  // comma or a time. Elsewhere it is a street, a birthday or a name: "Cafe on 3rd at 7pm",
  // "Sam's 30th at 8pm", "42nd Street", "Starbucks on 5th".
  bool ordinal_day(std::size_t i, std::size_t k, int day) const {
    if (day < 1 || day > 31) return false;
    const bool first = i == 0 || (i == 1 && word_is(0, "on"));
    const bool after_weekday =
        !out_.empty() && out_.back().kind == piece_kind::weekday && out_.back().last == i;
    if (!first && !after_weekday) return false;
    if (punct_is(k, ',') || clock_follows(k)) return true;
    std::size_t n = k;
    if (word_is(n, "at") || punct_is(n, '@')) ++n;
    return word_is(n, "noon") || word_is(n, "midnight");
  }

  // "the fifth", "fifth of December", "the twenty-first of June". Without a month, only after
  // "the" and where a day fits: at the end, or before a comma or a time ("the first at 7pm");
  // "the second floor" is no date.
  std::size_t word_day_first(std::size_t i, std::size_t k, bool the) {
    auto word = ordinal_word(k);
    if (!word) return 0;
    const auto [day, next] = *word;
    std::size_t m = next;
    if (word_is(m, "of")) ++m;
    if (auto month = month_at(m)) {
      int year = 0;
      return month_day_piece(i, year_after(m + 1, year), *month, day, year);
    }
    if (!the) return 0;
    std::size_t after = next;
    if (word_is(after, "at")) ++after;
    const bool words_follow = is_word(next) || is_num(next);
    if (words_follow && !clock_follows(next) && !word_is(after, "noon") &&
        !word_is(after, "midnight")) {
      return 0;
    }
    return day_of_month_piece(i, next, day);
  }

  std::size_t day_of_month_piece(std::size_t first, std::size_t next, int day) {
    if (day < 1 || day > 31) return push_invalid(first, next, ordinal(day) + " day of a month");
    piece p = make(piece_kind::day_of_month, first, next);
    p.day = day;
    p.weak = true;  // "The 5th Element Bar"
    return push(p);
  }

  // "3 dec", "3rd of december", "the 5th", "the 3rd of December 2026".
  std::size_t day_first(std::size_t i) {
    std::size_t k = i;
    const bool the = word_is(k, "the");
    if (the) ++k;
    if (is_word(k)) return word_day_first(i, k, the);
    if (!day_number(k) || (!the && numbers_a_place(k))) return 0;
    const int day = val(k);
    ++k;
    bool suffix = false;
    if (is_word(k) && tight(k) && is_ordinal_suffix(low(k))) {
      suffix = true;
      ++k;
    }
    std::size_t m = k;
    if (word_is(m, "of")) ++m;
    if (punct_is(m, '-') && tight(m) && month_at(m + 1) && tight(m + 1)) ++m;  // "5-Dec"
    // "Pier 39 Dec 3": the month has a day of its own after it, so this number is not one. Not
    // where that number starts a time: "3 Dec 7-9pm", "5 dec 8 o'clock".
    if (!the && !suffix && m == k && month_at(m) && day_number(m + 1) && !starts_a_time(m + 1)) {
      return 0;
    }
    if (auto month = month_at(m)) {
      std::size_t after = m + 1;
      if (punct_is(after, '.') && tight(after) && month_at(m)) {
        if (t_[m].lower.size() <= 4) ++after;
      }
      int year = 0;
      after = year_after(after, year);
      return month_day_piece(i, after, *month, day, year);
    }
    // Without "the", an ordinal is a day only where ordinal_day() says so; "42nd Street",
    // "4th Ave" and "Sam's 30th" are names.
    if (!suffix || (!the && !ordinal_day(i, k, day))) return 0;
    return day_of_month_piece(i, k, day);
  }

  // European "3.12.", "3.12.2026", "03.12.2026": day first. The trailing dot or a four-digit
  // year is required, so "7.30pm" stays a time, "Straße des 17. Juni" a place and
  // "1.1.30" a version.
  std::size_t dotted_date(std::size_t i) {
    if (!small_num(i) || !punct_is(i + 1, '.') || !tight(i + 1) || !small_num(i + 2) ||
        !tight(i + 2) || !punct_is(i + 3, '.') || !tight(i + 3)) {
      return 0;
    }
    if (i >= 1 && tight(i)) return 0;  // "v1.2.", "1.1.2."
    std::size_t next = i + 4;
    int year = 0;
    if (is_num(next) && tight(next)) {
      if (t_[next].digits != 4) return 0;
      year = val(next);
      ++next;
      if ((punct_is(next, '.') || punct_is(next, ':')) && tight(next) && is_num(next + 1) &&
          tight(next + 1)) {
        return 0;
      }
    }
    int day = val(i);
    int month = val(i + 2);
    auto order = assumption::day_month_order;
    const auto valid = [&] {
      return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(month, year);
    };
    if (!valid()) {
      // "1.13.2027" is month first, as a US date written with dots; "32.12.2027" is no date.
      std::swap(day, month);
      order = assumption::us_date_order;
      if (!valid()) return year != 0 ? push_invalid(i, next, joined_text(i, next, true)) : 0;
    }
    piece p = make(piece_kind::month_day, i, next);
    p.numeric_date = true;
    p.year = year;
    p.month = month;
    p.day = day;
    p.date_order = order;
    return push(p);
  }

  std::size_t numeric_date(std::size_t i) {
    if (!is_num(i)) return 0;
    if (std::size_t n = dotted_date(i)) return n;
    if (t_[i].value == 1 && fraction_at(i) != 0) return 0;
    // "2026.12.05": dots as well, after a year (ISO 8601's order, as written in much of Europe
    // and East Asia).
    const bool year_dot = t_[i].digits == 4 && punct_is(i + 1, '.') && !(i > 0 && tight(i));
    const char sep =
        punct_is(i + 1, '-') ? '-' : (punct_is(i + 1, '/') ? '/' : (year_dot ? '.' : '\0'));
    if (sep == '\0' || !tight(i + 1) || !is_num(i + 2) || !tight(i + 2)) return 0;
    if (t_[i].digits == 4) return iso_date(i, sep);
    // "Shop 4/12 Market St", "Unit 3/45": after a word that numbers a place, a slashed pair is
    // its number, even before a day ("Gate 12/14 tomorrow 6am").
    if (sep == '/' && numbers_a_place(i)) return 0;
    if (!small_num(i) || !small_num(i + 2)) return 0;
    // "12-12 7pm": a dashed month-day only with its year or right before a clock time, since
    // "7-9" alone is a span and "4-12" alone a shop number.
    const bool dashed_year = sep == '-' && punct_is(i + 3, '-') && tight(i + 3) && is_num(i + 4) &&
                             tight(i + 4) && t_[i + 4].digits == 4;
    if (sep == '-' && !dashed_year && !(clock_follows(i + 3) && !meridiem_at(i + 3))) return 0;
    // "Platform 9 3/4": a fraction after a number is no date; "Pier 39 12/3" is.
    if (i >= 1 && is_num(i - 1) && is_fraction(val(i), val(i + 2))) return 0;
    if (i >= 1 && (punct_is(i - 1, '/') || punct_is(i - 1, '-')) && tight(i)) return 0;
    std::size_t next = i + 3;
    int year = 0;
    if (punct_is(next, sep) && tight(next) && is_num(next + 1) && tight(next + 1)) {
      const int digits = t_[next + 1].digits;
      if (digits != 4 && (digits != 2 || sep == '-')) return 0;
      year = digits == 2 ? 2000 + val(next + 1) : val(next + 1);
      next += 2;
    }
    if (punct_is(next, sep) && tight(next)) return 0;
    const int a = val(i);
    const int b = val(i + 2);
    // "Cafe 24/7" is open around the clock; "on 24/7" is the 24th of July.
    if (a == 24 && b == 7 && year == 0 && sep == '/' && !(i > 0 && word_is(i - 1, "on"))) {
      return 0;
    }
    const bool us = a >= 1 && a <= 12 && b >= 1 && b <= days_in_month(a, year);
    const bool eu = b >= 1 && b <= 12 && a >= 1 && a <= days_in_month(b, year);
    // "Bar 18-20 at 9pm": dashed, a pair where neither number can be a month is left to be
    // read as a span; "31-11-2026" is still no such date.
    if (a > 12 && b > 12 && sep == '-') return 0;
    if (!us && !eu) {
      // Where neither number can be a month it is more likely a name ("50/50 Bar", "20/20
      // Eyewear"), so a time elsewhere wins; alone ("13/13") it is still refused. Written as a
      // date, it is a wrong one: with a year ("13/13/2027"), after "on", or two day numbers
      // right next to the time ("13/13 at 5pm", "5pm 14/13").
      const bool dated = year != 0 || (i > 0 && word_is(i - 1, "on")) ||
                         (a <= 31 && b <= 31 && (clock_follows(next) || clock_ends_at(i)));
      push_invalid(i, next, clock_text(i, next));
      out_.back().weak = a > 12 && b > 12 && !dated;
      return next;
    }
    piece p = make(piece_kind::month_day, i, next);
    p.numeric_date = true;
    p.year = year;
    p.month = us ? a : b;
    p.day = us ? b : a;
    if (us && eu && a != b) p.date_order = assumption::us_date_order;
    if (!us) p.date_order = assumption::day_month_order;
    return push(p);
  }

  std::size_t iso_date(std::size_t i, char sep) {
    if (!is_num(i + 2) || t_[i + 2].digits > 2 || !punct_is(i + 3, sep) || !tight(i + 3) ||
        !is_num(i + 4) || !tight(i + 4) || t_[i + 4].digits > 2) {
      return 0;
    }
    const int year = val(i);
    const int month = val(i + 2);
    const int day = val(i + 4);
    std::size_t next = i + 5;
    if (month < 1 || month > 12) {
      if (sep == '.') return 0;  // "2026.13.1" is a version
      return push_invalid(i, next, "month " + std::to_string(month));
    }
    if (sep == '.' && (day < 1 || day > days_in_month(month, year))) return 0;  // "2026.1.0"
    if (month_day_piece(i, next, month, day, year) == 0 ||
        out_.back().kind == piece_kind::invalid) {
      return next;
    }
    // Dotted, it may be a version ("release 2026.1.0 party friday 7pm"): another day wins.
    if (sep == '.') out_.back().weak = true;
    // "2026-12-03T18:00", with an optional "Z" or offset after it; so too with a space for
    // the "T" when the seconds are written ("2026-12-03 19:00:00-08:00"), as RFC 3339 allows.
    // Without them "2026-12-03 10:00-12:00" is a span.
    const bool t =
        is_word(next) && tight(next) && low(next) == "t" && is_num(next + 1) && tight(next + 1);
    const bool spaced = !t && is_num(next) && t_[next].digits == 2 && punct_is(next + 1, ':') &&
                        punct_is(next + 3, ':') && tight(next + 3) && is_num(next + 4) &&
                        tight(next + 4);
    if (!t && !spaced) return next;
    const std::size_t clock = t ? next + 1 : next;
    const std::size_t n = colon_clock(clock, true);
    if (n == 0) return next;
    out_.back().first = next;
    out_.back().clock.twenty_four = true;
    iso_clock_ = true;
    return n;
  }

  // Holidays by name. Fixed dates: "christmas eve", "xmas", "new year's eve", "nye",
  // "halloween", "valentine's day", "st. patrick's day", "independence day", "boxing day". By
  // rule (US): "thanksgiving", "memorial day", "labor day", "mother's day", "father's day",
  // "easter" (and "easter monday"). A name alone, without "day", is weak: also a name's word.
  std::size_t holiday(std::size_t i) {
    const auto w = low(i);
    int month = 0;
    int day = 0;
    int nth = 0;
    int weekday = 0;
    int later = 0;
    bool easter = false;
    std::size_t next = i + 1;
    bool weak = false;
    // "<name> day": `day` words after it make it strong; a name that needs it fails without.
    const auto with_day = [&](bool needed) {
      if (word_is(next, "day")) {
        ++next;
        weak = false;
        return true;
      }
      weak = true;
      return !needed;
    };
    if (w == "christmas" || w == "xmas") {
      month = 12;
      day = 25;
      weak = true;
      if (word_is(next, "eve")) {
        day = 24;
        ++next;
        weak = false;
      } else {
        with_day(false);
      }
    } else if (w == "nye") {
      month = 12;
      day = 31;
    } else if (w == "halloween") {
      month = 10;
      day = 31;
      weak = true;
    } else if (w == "new" &&
               (word_is(next, "year's") || word_is(next, "years") || word_is(next, "year")) &&
               (word_is(next + 1, "eve") || word_is(next + 1, "day"))) {
      const bool eve = word_is(next + 1, "eve");
      month = eve ? 12 : 1;
      day = eve ? 31 : 1;
      next += 2;
    } else if (w == "valentine's" || w == "valentines" || w == "valentine") {
      month = 2;
      day = 14;
      if (!with_day(w == "valentine")) return 0;
    } else if (w == "st" || w == "saint") {
      if (w == "st" && punct_is(next, '.') && tight(next)) ++next;
      const auto name = is_word(next) ? low(next) : std::string_view{};
      if (name != "patrick's" && name != "patricks" && name != "paddy's" && name != "paddys") {
        return 0;
      }
      ++next;
      month = 3;
      day = 17;
      if (!with_day(true)) return 0;
    } else if (w == "independence" || w == "boxing") {
      month = w == "boxing" ? 12 : 7;
      day = w == "boxing" ? 26 : 4;
      if (!with_day(true)) return 0;
    } else if (w == "thanksgiving") {
      month = 11;
      nth = 4;
      weekday = 4;
      with_day(false);
    } else if (w == "memorial" || w == "labor" || w == "labour") {
      month = w == "memorial" ? 5 : 9;
      nth = w == "memorial" ? -1 : 1;
      weekday = 1;
      if (!with_day(true)) return 0;
    } else if (w == "mother's" || w == "mothers" || w == "father's" || w == "fathers") {
      const bool mother = w[0] == 'm';
      month = mother ? 5 : 6;
      nth = mother ? 2 : 3;
      if (!with_day(true)) return 0;
    } else if (w == "easter") {
      easter = true;
      weak = true;
      if (word_is(next, "sunday") || word_is(next, "day")) {
        ++next;
        weak = false;
      } else if (word_is(next, "monday")) {
        later = 1;
        ++next;
        weak = false;
      }
    } else {
      return 0;
    }
    // "Christmas Market", "Halloween Store": written as a name with the word after it.
    if (t_[i].capitalized && is_word(next) && t_[next].capitalized && entry(next) == nullptr) {
      return 0;
    }
    piece p = make(piece_kind::month_day, i, next);
    p.month = month;
    p.day = day;
    p.nth = nth;
    p.weekday = weekday;
    p.easter = easter;
    p.days = later;
    p.weak = weak;
    p.holiday = true;
    return push(p);
  }

  std::size_t part_piece(std::size_t i) {
    std::size_t k = i;
    bool weak = true;
    if (word_is(k, "this") || word_is(k, "in")) {
      if (word_is(k, "in")) {
        if (!word_is(k + 1, "the")) return 0;
        ++k;
      }
      ++k;
      weak = false;
    } else if (word_is(k, "at") && (word_is(k + 1, "night") || word_is(k + 1, "nite"))) {
      ++k;
      weak = t_[k].capitalized;  // "7pm at Night Owl Cafe": perhaps a name
    }
    auto part = part_at(k);
    if (!part) return 0;
    piece p = make(piece_kind::part_of_day, i, k + 1);
    p.part = *part;
    p.weak = weak;
    p.this_day = word_is(i, "this");
    return push(p);
  }

  // --- dispatch --------------------------------------------------------------------------------
  // The first matcher, in this order, that finds a piece at token i; `opens` is openers(i).
  std::size_t match(std::size_t i, std::uint16_t opens) {
    std::size_t n = 0;
    if ((opens & opens_iana) && (n = iana_at(i))) return n;
    if ((opens & opens_zone_before) && (n = zone_before(i))) return n;
    if ((opens & opens_past) && (n = past_piece(i))) return n;
    if ((opens & opens_duration) && (n = duration_piece(i))) return n;
    if ((opens & opens_day_word) && (n = day_word(i))) return n;
    if ((opens & opens_weekday) && (n = weekday_piece(i))) return n;
    if ((opens & opens_holiday) && (n = holiday(i))) return n;
    if ((opens & opens_month_first) && (n = month_first(i))) return n;
    if ((opens & opens_day_first) && (n = day_first(i))) return n;
    if ((opens & opens_numeric_date) && (n = numeric_date(i))) return n;
    if ((opens & opens_span) && (n = span_at(i, false, true))) return n;
    if ((opens & opens_at_clock) && (n = at_clock(i))) return n;
    if ((opens & opens_clock) && (n = clock_at(i, false))) return n;
    if ((opens & opens_hour_before_part) && (n = hour_before_part(i))) return n;
    if ((opens & opens_part) && (n = part_piece(i))) return n;
    return 0;
  }
};

}  // namespace

piece_list scan_pieces(std::string_view text, const token_list& tokens, scratch_arena& arena,
                       scan_options options) {
  return scanner{text, tokens, arena}.run(options.skip_matchers ? 0 : every_matcher);
}

}  // namespace tweetup::timeparse
