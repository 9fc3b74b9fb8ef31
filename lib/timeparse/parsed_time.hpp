// The answer of the time parser: one instant plus everything it had to assume to get there.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "timeparse/inline_list.hpp"

namespace tweetup::timeparse {

// What the parser decided on the user's behalf. The create reply reads these back so a person
// can catch a misreading at once; each one is a plain fact, never a guess about intent.
enum class assumption {
  pm_for_bare_hour,          // "at 7" read as 19:00
  am_for_bare_hour,          // "at 7" read as 07:00 (the next occurrence was the morning)
  tomorrow_because_passed,   // a time of day with no date that has already passed today
  next_week_because_passed,  // a weekday that is today but whose time has passed
  next_year_because_passed,  // a month and day with no year that has passed this year
  us_date_order,             // "12/3" read as month/day because both readings were valid
  day_month_order,           // "13/12" read as day/month because only that reading was valid
  channel_zone,              // no zone in the text: the channel's zone was used
  zone_from_text,            // the text named a zone or offset, which set how the wall time is read
  noon_for_date_only,        // a date with no time of day: 12:00
  now_for_date_only,         // "tomorrow" with no time: the current clock time
  dst_gap_shifted,           // the wall time fell in a spring-forward gap and moved forward
  dst_fold_first,            // the wall time happened twice; the first (daylight) one was taken
};

// A half-open byte range [begin, end) of the input text.
struct text_range {
  std::size_t begin = 0;
  std::size_t end = 0;
  friend bool operator==(const text_range&, const text_range&) = default;
};

// A zone, a date order and up to three notes of the resolver fit inline; so do a few ranges.
using assumption_list = inline_list<assumption, 6>;
using text_range_list = inline_list<text_range, 4>;

struct parsed_time {
  std::chrono::sys_seconds starts_at;
  std::optional<std::chrono::sys_seconds> ends_at;  // from spans: "7-9pm", "for 2 hours"
  assumption_list assumptions;
  // The byte ranges of the input that make up the time expression, in order. Usually one range;
  // more when the phrase is split ("tomorrow at Starbucks 3pm"). Place extraction removes these.
  text_range_list consumed;
};

enum class error_kind {
  no_time,   // nothing that reads as a time
  past,      // an explicit past ("yesterday", "2 hours ago", a past year)
  invalid,   // an impossible value ("25pm", "feb 30", "12:60")
  no_place,  // a command with a time but nothing left for the place
};

// A refusal. `message` is shown to the user as is: it says why and suggests a fix.
struct parse_error {
  error_kind kind = error_kind::no_time;
  std::string message;
};

}  // namespace tweetup::timeparse
