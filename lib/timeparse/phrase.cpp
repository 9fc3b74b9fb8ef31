#include "timeparse/phrase.hpp"

namespace tweetup::timeparse {

namespace {

// A part of the day named after a clock that is already a time of day ("10am", "noon", "19:00")
// must agree with it: "sunday at 10am at evening star" names no evening.
bool part_fits(day_part part, const clock_time& c) {
  const auto day_hour = c.day_hour();
  if (!day_hour) return true;  // a bare hour, which the part will place in the day
  const int hour = *day_hour;
  switch (part) {
    case day_part::morning:
      return hour < 12;
    case day_part::afternoon:
    case day_part::evening:
      return hour >= 12;
    case day_part::midday:
      return hour >= 11 && hour <= 14;
    case day_part::night:
      return hour >= 17 || hour < 6;
    case day_part::none:
      return true;
  }
  return true;
}

}  // namespace

bool phrase::add(const piece& p, bool refine) {
  switch (p.kind) {
    case piece_kind::clock:
      if (clock || counts_elapsed()) return false;
      clock = p.clock;
      return true;
    case piece_kind::span:
      if (clock || end_clock || length || counts_elapsed()) return false;
      clock = p.clock;
      end_clock = p.end_clock;
      return true;
    case piece_kind::month_day:
    case piece_kind::day_of_month:
    case piece_kind::weekday:
    case piece_kind::day_offset:
      // "Sat, Dec 5" and "Sunday 13th" name the day twice: the date is the more exact name,
      // even where the two disagree. Otherwise the first name wins. And "Sunday roast
      // tonight": tonight is today, whatever day is named.
      if (p.kind == piece_kind::weekday && (tonight || this_day)) return false;
      // A holiday's name alone ("halloween") is too often a name's word to override a day.
      if (date && !duration && refine && !(p.holiday && p.weak) &&
          date->kind == piece_kind::weekday && date->mode == weekday_mode::plain &&
          (p.kind == piece_kind::month_day || p.kind == piece_kind::day_of_month)) {
        date = &p;
        if (p.date_order) date_order = p.date_order;
        return true;
      }
      if (date && refine && p.kind == piece_kind::weekday &&
          (date->kind == piece_kind::month_day || date->kind == piece_kind::day_of_month)) {
        return true;
      }
      if (date || duration) return false;
      date = &p;
      if (p.date_order) date_order = p.date_order;
      return true;
    case piece_kind::part_of_day:
      if (part != day_part::none || (clock && !part_fits(p.part, *clock))) return false;
      if ((p.tonight || p.this_day) && date) return false;
      part = p.part;
      tonight = p.tonight;
      this_day = p.this_day;
      return true;
    case piece_kind::duration:
      if (duration || date) return false;
      duration = &p;
      return true;
    case piece_kind::for_duration:
      if (length || end_clock) return false;
      length = p.exact;
      return true;
    case piece_kind::zone:
      if (zone) return false;
      zone = p.zone;
      return true;
    case piece_kind::past:
    case piece_kind::invalid:
      if (!problem) problem = &p;
      return true;
  }
  return false;
}

bool phrase::has_time() const {
  return clock || date || duration || part != day_part::none || problem;
}

}  // namespace tweetup::timeparse
