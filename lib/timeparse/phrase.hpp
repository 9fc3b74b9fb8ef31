// The pieces of a time phrase as the scanner finds them, and the merged phrase the resolver reads.
// Private to timeparse.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "timeparse/parsed_time.hpp"

namespace date {
class time_zone;
}

namespace tweetup::timeparse {

enum class meridiem { none, am, pm };
// `midday` comes only from meal words: 7-11 are morning hours, 12 is noon, 1-6 afternoon.
enum class day_part { none, morning, afternoon, evening, night, midday };

struct clock_time {
  int hour = 0;
  int minute = 0;
  int second = 0;
  meridiem mer = meridiem::none;
  bool twenty_four = false;  // written with a leading zero or an hour of 13+: read as is
  bool midnight = false;     // the word "midnight": the start or the end of a day

  // The hour on a 24-hour clock when the reading says which it is (am/pm, a 24-hour form,
  // "noon", "midnight"); none for a bare hour.
  std::optional<int> day_hour() const {
    if (mer != meridiem::none) return hour % 12 + (mer == meridiem::pm ? 12 : 0);
    if (twenty_four) return hour;
    return std::nullopt;
  }
};

// A zone written in the text: an IANA zone (which follows DST) or a fixed UTC offset.
struct text_zone {
  const date::time_zone* tz = nullptr;
  std::chrono::minutes offset{0};
};

enum class weekday_mode { plain, coming, next, of_next_week };

enum class piece_kind {
  clock,
  span,          // clock plus end_clock
  month_day,     // year may be 0 (none written)
  day_of_month,  // "the 5th"
  weekday,
  day_offset,  // today, tomorrow, day after tomorrow, next week
  part_of_day,
  duration,      // from now
  for_duration,  // the length of the meeting
  zone,
  past,
  invalid,
};

struct piece {
  piece_kind kind = piece_kind::clock;
  std::size_t first = 0;  // token range [first, last)
  std::size_t last = 0;
  bool weak = false;          // also common inside names: "Noon", "Sunday", "5 O'Clock"
  bool numeric_date = false;  // "4/12", which is also a shop number
  bool abbreviation = false;  // "sat", "sun", "wed": also ordinary words
  bool holiday = false;       // "christmas", "halloween": a date by name
  // A holiday whose date moves: month_day by rule, not `day`. The nth (-1: the last) `weekday`
  // of `month` ("thanksgiving": the 4th Thursday of November), or Easter Sunday; either `days`
  // later ("easter monday").
  int nth = 0;
  bool easter = false;
  clock_time clock;
  clock_time end_clock;
  int year = 0;
  int month = 0;
  int day = 0;
  std::optional<assumption> date_order;
  int weekday = 0;  // 0 = Sunday
  weekday_mode mode = weekday_mode::plain;
  int days = 0;
  int months = 0;
  std::chrono::seconds exact{0};
  day_part part = day_part::none;
  bool tonight = false;
  bool this_day = false;  // "this morning": the part of today, never tomorrow's
  text_zone zone;
  std::string_view what;  // past / invalid: the recognised words, for the message (scanner's arena)
};

struct phrase {
  std::optional<clock_time> clock;
  std::optional<clock_time> end_clock;
  std::optional<std::chrono::seconds> length;
  // These point at the scanner's pieces, which outlive the phrase; a phrase is cheap to copy
  // while clusters are tried against it.
  const piece* date = nullptr;  // month_day, day_of_month, weekday or day_offset
  const piece* duration = nullptr;
  day_part part = day_part::none;
  bool tonight = false;
  bool this_day = false;
  // A meal named anywhere in the text ("lunch", "dinner"): how to read a bare hour when no part
  // of the day is given. Never a time by itself (rule 5).
  day_part meal = day_part::none;
  std::optional<text_zone> zone;
  const piece* problem = nullptr;  // past or invalid
  std::optional<assumption> date_order;

  // Adds a piece, which must outlive the phrase; false when it contradicts what is already there
  // (two clocks, two dates). With `refine` (pieces of one cluster), a weekday next to a date
  // yields to the date.
  bool add(const piece& p, bool refine = false);
  // "in 30 mins": a time that is elapsed time from now has no clock reading of its own ("in 3
  // days" counts calendar days and may have one).
  bool counts_elapsed() const { return duration != nullptr && duration->exact.count() != 0; }
  bool has_time() const;
};

}  // namespace tweetup::timeparse
