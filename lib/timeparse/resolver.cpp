#include "timeparse/resolver.hpp"

#include <array>
#include <cassert>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <utility>

#include <date/date.h>
#include <date/tz.h>

#include "timeparse/vocabulary.hpp"

namespace tweetup::timeparse {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;
using local_days = date::local_days;
using local_seconds = date::local_seconds;

// A list with room for every case the rules produce (two candidate days, two bare-hour readings
// plus the end of a midnight day, three notes), kept inline so resolving never allocates for it.
template <typename T>
class small_list {
 public:
  small_list() = default;
  small_list(std::initializer_list<T> items) {
    for (const auto& item : items)
      push_back(item);
  }
  void push_back(const T& item) {
    assert(size_ < items_.size());
    items_[size_++] = item;
  }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }
  std::size_t size() const { return size_; }
  const T& front() const { return items_[0]; }

 private:
  std::array<T, 4> items_{};
  std::size_t size_ = 0;
};

constexpr std::string_view example_hint = "Try a time that is still ahead, e.g. tomorrow 3pm";

// One stretch of a zone's history with a single UTC offset: [begin, end) holds no change.
struct zone_window {
  const date::time_zone* tz = nullptr;
  sys_seconds begin;
  sys_seconds end;
  seconds offset{0};
};

// The stretch of `tz` that holds `at`. date::time_zone finds it by searching the zone's
// transitions on every call, and a parse asks several times (now, each candidate day and
// reading); a running bot asks about a few zones in the same weeks, so each thread keeps the
// last few stretches it was given. They are the database's own answers, which never change.
zone_window window_of(const date::time_zone* tz, sys_seconds at) {
  thread_local std::array<zone_window, 4> kept{};
  thread_local std::size_t oldest = 0;
  for (const auto& w : kept) {
    if (w.tz == tz && at >= w.begin && at < w.end) return w;
  }
  const auto info = tz->get_info(at);
  zone_window& w = kept[oldest];
  oldest = (oldest + 1) % kept.size();
  w = {tz, info.begin, info.end, info.offset};
  return w;
}

// More than any two UTC offsets of the database differ by (they all lie within about ±16 h): a
// wall time that far inside a stretch belongs to that stretch alone, with no gap or fold.
constexpr days beyond_any_offset{2};

// The zone the wall time is read in: the text's zone, or the channel's.
struct reading_zone {
  const date::time_zone* tz = nullptr;
  minutes offset{0};
  zone_window around_now;  // with tz: the stretch that holds the parse's `now`

  void set(const date::time_zone* zone, minutes fixed, sys_seconds now) {
    tz = zone;
    offset = fixed;
    if (tz != nullptr) around_now = window_of(tz, now);
  }

  local_seconds to_local(sys_seconds s) const {
    if (tz == nullptr) return local_seconds{s.time_since_epoch() + offset};
    if (s >= around_now.begin && s < around_now.end) {
      return local_seconds{s.time_since_epoch() + around_now.offset};
    }
    return tz->to_local(s);
  }

  // Rule 11: a wall time in a gap moves forward by the gap (it is read with the offset in force
  // before the gap); a wall time in a fold takes the first, daylight, occurrence.
  sys_seconds to_sys(local_seconds l, std::optional<assumption>& note) const {
    note.reset();
    if (tz == nullptr) return sys_seconds{l.time_since_epoch() - offset};
    // Well inside the stretch around now, the wall time has one reading: the database would
    // say the same, at the cost of a search. Near either end, it is asked.
    const sys_seconds plain{l.time_since_epoch() - around_now.offset};
    if (plain >= around_now.begin + beyond_any_offset &&
        plain < around_now.end - beyond_any_offset) {
      return plain;
    }
    const auto info = tz->get_info(l);
    if (info.result == date::local_info::nonexistent) note = assumption::dst_gap_shifted;
    if (info.result == date::local_info::ambiguous) note = assumption::dst_fold_first;
    return sys_seconds{l.time_since_epoch() - info.first.offset};
  }
};

struct reading {
  seconds time_of_day{0};
  std::optional<assumption> note;
};

struct candidate_day {
  local_days day;
  std::optional<assumption> note;
};

struct choice {
  sys_seconds at;
  small_list<assumption> notes;
};

parse_error past_error(std::string_view what) {
  std::string message = "That time is in the past";
  if (!what.empty()) {
    message += " (";
    message += what;
    message += ")";
  }
  message += ". ";
  message += example_hint;
  return {error_kind::past, message};
}

std::string describe_local(local_seconds l) {
  const auto day = date::floor<days>(l);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<seconds> hms{l - day};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
  return buffer;
}

seconds hms(int h, int m, int s) {
  return hours{h} + minutes{m} + seconds{s};
}

// Rule 6 and rule 8: which 24-hour readings a clock has, given the part of the day.
// `named_day`: the text names the day ("tomorrow", "friday", "dec 3"), so a bare 12 is noon:
// nobody books "tomorrow at 12:30" for half past midnight.
small_list<reading> clock_readings(const clock_time& c, day_part part, bool end_of_day,
                                   bool named_day) {
  if (c.midnight) return {{end_of_day ? hours{24} : seconds{0}, std::nullopt}};
  if (const auto hour = c.day_hour()) {
    // "1am tonight", "friday night at 00:30": the small hours that end that night, never the
    // ones before its evening.
    const int past_midnight = part == day_part::night && *hour <= 4 ? 24 : 0;
    return {{hms(*hour + past_midnight, c.minute, c.second), {}}};
  }
  const int h = c.hour % 12;
  switch (part) {
    case day_part::morning:
      return {{hms(h, c.minute, c.second), {}}};
    case day_part::afternoon:
    case day_part::evening:
      return {{hms(h + 12, c.minute, c.second), {}}};
    case day_part::night:
      // "12 tonight" is the midnight that ends today, "1 tonight" the small hours after it.
      if (c.hour == 12) return {{hms(24, c.minute, c.second), {}}};
      if (h <= 4) return {{hms(h + 24, c.minute, c.second), {}}};
      return {{hms(h + 12, c.minute, c.second), {}}};
    case day_part::midday:
      if (h >= 7) return {{hms(h, c.minute, c.second), assumption::am_for_bare_hour}};
      return {{hms(h + 12, c.minute, c.second), assumption::pm_for_bare_hour}};
    case day_part::none:
      break;
  }
  if (named_day && c.hour == 12) return {{hms(12, c.minute, c.second), {}}};
  return {{hms(h, c.minute, c.second), assumption::am_for_bare_hour},
          {hms(h + 12, c.minute, c.second), assumption::pm_for_bare_hour}};
}

seconds default_hour(day_part part, bool tonight) {
  // chrono's defaults for a part of the day with no clock time (casualReferences and
  // ENCasualTimeParser): morning 6, afternoon 15, evening and night 20, "tonight" 22.
  switch (part) {
    case day_part::morning:
      return hours{6};
    case day_part::afternoon:
      return hours{15};
    case day_part::evening:
      return hours{20};
    case day_part::night:
      return hours{tonight ? 22 : 20};
    case day_part::midday:
    case day_part::none:
      break;
  }
  return hours{12};
}

std::optional<local_days> valid_day(int y, int m, int d) {
  const date::year_month_day ymd{date::year{y}, date::month(static_cast<unsigned>(m)),
                                 date::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return local_days{ymd};
}

// Easter Sunday of year y (Gregorian): the anonymous algorithm (Meeus, Astronomical
// Algorithms, ch. 8), exact for every year of the calendar.
local_days easter_sunday(int y) {
  const int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  const int f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return local_days{date::year{y} / month / day};
}

// The piece's date in year y: its month and day, or the day its holiday's rule gives.
std::optional<local_days> day_in_year(const piece& d, int y) {
  if (d.easter) return easter_sunday(y) + days{d.days};
  if (d.nth != 0) {
    const date::weekday wd{static_cast<unsigned>(d.weekday)};
    const auto ym = date::year{y} / date::month{static_cast<unsigned>(d.month)};
    if (d.nth < 0) return local_days{ym / date::weekday_last{wd}};
    return local_days{ym / wd[static_cast<unsigned>(d.nth)]};
  }
  return valid_day(y, d.month, d.day);
}

int weekday_of(local_days d) {
  return static_cast<int>(date::weekday{d}.c_encoding());
}

// The earliest (day, reading) pair strictly after `after`.
std::optional<choice> earliest(const small_list<candidate_day>& days_list,
                               const small_list<reading>& readings, const reading_zone& zone,
                               sys_seconds after) {
  std::optional<choice> best;
  for (const auto& day : days_list) {
    for (const auto& r : readings) {
      std::optional<assumption> dst;
      const auto at = zone.to_sys(local_seconds{day.day} + r.time_of_day, dst);
      if (at <= after || (best && at >= best->at)) continue;
      choice c{at, {}};
      if (r.note) c.notes.push_back(*r.note);
      if (day.note) c.notes.push_back(*day.note);
      if (dst) c.notes.push_back(*dst);
      best = std::move(c);
    }
  }
  return best;
}

}  // namespace

time_result resolve(const phrase& ph, const parse_context& ctx) {
  if (ph.problem) {
    if (ph.problem->kind == piece_kind::past) return past_error(ph.problem->what);
    std::string message = "There is no ";
    message += ph.problem->what;
    message += ". Try a real time or date, e.g. 3pm, 15:00 or dec 3";
    return parse_error{error_kind::invalid, std::move(message)};
  }
  // "for 0 hours" would end the tweetup as it starts; an event needs some length.
  if (ph.length && ph.length->count() <= 0) {
    return parse_error{error_kind::invalid,
                       "A tweetup can't last no time at all. Try a length like: 7pm for 2 hours"};
  }

  reading_zone zone;
  parsed_time out;
  if (ph.zone) {
    zone.set(ph.zone->tz, ph.zone->offset, ctx.now);
    out.assumptions.push_back(assumption::zone_from_text);
  } else {
    zone.set(ctx.zone, {}, ctx.now);
    out.assumptions.push_back(assumption::channel_zone);
  }
  if (ph.date_order) out.assumptions.push_back(*ph.date_order);

  const auto now_local = zone.to_local(ctx.now);
  const auto today = date::floor<days>(now_local);
  const seconds now_time_of_day = now_local - local_seconds{today};
  // "today", "tomorrow", "tonight" and "in 2 days" count from the channel's calendar day, even
  // when the text names another zone for the clock: "tomorrow 9am EST" said in Kolkata on the
  // 28th is 9am EST on the 29th, whatever day it is in New York.
  date::local_days channel_today = today;
  if (ph.zone) {
    reading_zone channel;
    channel.set(ctx.zone, {}, ctx.now);
    channel_today = date::floor<days>(channel.to_local(ctx.now));
  }

  auto finish = [&](sys_seconds at, const small_list<assumption>& notes) -> time_result {
    if (at <= ctx.now) return past_error(describe_local(zone.to_local(at)));
    out.starts_at = at;
    for (auto n : notes)
      out.assumptions.push_back(n);
    return std::move(out);
  };

  // Durations: hours and minutes are elapsed time, days and months are calendar steps (rule 7).
  std::optional<local_days> duration_day;
  if (ph.duration) {
    const auto& d = *ph.duration;
    if (d.exact.count() != 0 || !ph.clock) {
      auto base = now_local;
      if (d.days != 0 || d.months != 0) {
        const auto ymd = date::year_month_day{today} + date::months{d.months};
        const auto day = ymd.ok() ? local_days{ymd}
                                  : local_days{date::year_month_day_last{
                                        ymd.year(), date::month_day_last{ymd.month()}}};
        base = local_seconds{day + days{d.days}} + now_time_of_day;
      }
      std::optional<assumption> dst;
      auto at = (d.days != 0 || d.months != 0) ? zone.to_sys(base, dst) : ctx.now;
      at += d.exact;
      small_list<assumption> notes;
      if (dst) notes.push_back(*dst);
      auto result = finish(at, notes);
      if (auto* p = std::get_if<parsed_time>(&result); p && ph.length) {
        p->ends_at = p->starts_at + *ph.length;
      }
      return result;
    }
    const auto ymd = date::year_month_day{channel_today} + date::months{d.months};
    duration_day = (ymd.ok() ? local_days{ymd}
                             : local_days{date::year_month_day_last{
                                   ymd.year(), date::month_day_last{ymd.month()}}}) +
                   days{d.days};
  }

  // Which days are candidates, and whether the date stands alone (rule 13).
  small_list<candidate_day> days_list;
  bool date_only_noon = false;
  bool date_only_now = false;
  bool fixed_day = false;
  bool today_only = false;
  if (duration_day) {
    days_list.push_back({*duration_day, {}});
    fixed_day = true;
  } else if (ph.date) {
    const auto& d = *ph.date;
    switch (d.kind) {
      case piece_kind::day_offset:
        days_list.push_back({channel_today + days{d.days}, {}});
        fixed_day = true;
        today_only = d.days == 0;
        date_only_now = d.days != 0;
        break;
      case piece_kind::weekday: {
        const int ahead = (d.weekday - weekday_of(today) + 7) % 7;
        date_only_noon = true;
        // d.days counts on from that day: "friday after next", "a week from friday".
        const auto later = days{d.days};
        if (d.mode == weekday_mode::of_next_week) {
          const int from_monday = (weekday_of(today) + 6) % 7;
          const auto next_monday = today - days{from_monday} + days{7};
          days_list.push_back({next_monday + days{(d.weekday + 6) % 7} + later, {}});
          fixed_day = true;
        } else if (d.mode == weekday_mode::next) {
          days_list.push_back({today + days{ahead == 0 ? 7 : ahead} + later, {}});
          fixed_day = true;
        } else {
          days_list.push_back({today + days{ahead} + later, {}});
          days_list.push_back(
              {today + days{ahead + 7} + later, assumption::next_week_because_passed});
        }
        break;
      }
      case piece_kind::month_day: {
        date_only_noon = true;
        const int this_year = static_cast<int>(date::year_month_day{today}.year());
        if (d.year != 0) {
          auto day = valid_day(d.year, d.month, d.day);
          if (!day) {
            return parse_error{error_kind::invalid,
                               "There is no " + std::string{month_name(d.month)} + " " +
                                   std::to_string(d.day) + ", " + std::to_string(d.year) +
                                   ". Try a real date, e.g. dec 3"};
          }
          days_list.push_back({*day, {}});
          fixed_day = true;
        } else {
          for (int y = this_year; y <= this_year + 8 && days_list.size() < 2; ++y) {
            if (auto day = day_in_year(d, y)) {
              std::optional<assumption> note;
              if (y != this_year) note = assumption::next_year_because_passed;
              days_list.push_back({*day, note});
            }
          }
        }
        break;
      }
      case piece_kind::day_of_month: {
        date_only_noon = true;
        const date::year_month_day now_ymd{today};
        auto ym = now_ymd.year() / now_ymd.month();
        for (int k = 0; k < 24 && days_list.size() < 2; ++k, ym += date::months{1}) {
          if (auto day = valid_day(static_cast<int>(ym.year()),
                                   static_cast<int>(static_cast<unsigned>(ym.month())), d.day)) {
            days_list.push_back({*day, {}});
          }
        }
        break;
      }
      default:
        break;
    }
  } else if (ph.tonight || ph.this_day) {
    days_list.push_back({channel_today, {}});
    fixed_day = true;
    today_only = true;
  } else {
    days_list.push_back({today, {}});
    days_list.push_back({today + days{1}, assumption::tomorrow_because_passed});
  }

  small_list<reading> readings;
  if (ph.clock) {
    const day_part part = ph.part != day_part::none ? ph.part : ph.meal;
    readings = clock_readings(*ph.clock, part, ph.tonight || today_only,
                              ph.date != nullptr || ph.duration != nullptr);
  } else if (ph.part != day_part::none) {
    readings = {{default_hour(ph.part, ph.tonight), {}}};
  } else if (date_only_now) {
    readings = {{now_time_of_day, assumption::now_for_date_only}};
  } else if (date_only_noon) {
    readings = {{hours{12}, assumption::noon_for_date_only}};
  } else {
    return parse_error{error_kind::no_time,
                       "What time today? Add a time, e.g. today 3pm or tonight 8pm"};
  }

  // "friday at midnight": the start of that day, unless it is already behind us.
  if (ph.clock && ph.clock->midnight && fixed_day && !today_only) {
    readings.push_back({hours{24}, {}});
  }

  // A span "7-9pm": the start takes the end's am/pm unless that would put it after the end.
  if (ph.clock && ph.end_clock && ph.clock->mer == meridiem::none && !ph.clock->twenty_four &&
      ph.part == day_part::none && ph.end_clock->mer != meridiem::none) {
    const int end24 = ph.end_clock->hour % 12 + (ph.end_clock->mer == meridiem::pm ? 12 : 0);
    int start24 = ph.clock->hour % 12 + (ph.end_clock->mer == meridiem::pm ? 12 : 0);
    if (start24 * 60 + ph.clock->minute > end24 * 60 + ph.end_clock->minute && start24 >= 12) {
      start24 -= 12;
    }
    readings = {{hms(start24, ph.clock->minute, ph.clock->second), {}}};
  }

  auto best = earliest(days_list, readings, zone, ctx.now);
  if (!best) {
    // Only a fixed day can run out of candidates: "today at 9am" at noon, a past year.
    if (ph.this_day && !ph.clock) {
      return parse_error{error_kind::past,
                         "That part of the day has already begun. Say when, e.g. this "
                         "evening at 7 or tomorrow morning at 9"};
    }
    const auto first = local_seconds{days_list.front().day} + readings.front().time_of_day;
    return past_error(describe_local(first));
  }
  auto result = finish(best->at, best->notes);
  auto* p = std::get_if<parsed_time>(&result);
  if (p == nullptr) return result;

  if (ph.length) {
    p->ends_at = p->starts_at + *ph.length;
  } else if (ph.end_clock) {
    const auto start_day = date::floor<days>(zone.to_local(p->starts_at));
    auto end_readings = clock_readings(*ph.end_clock, ph.part, false, false);
    if (ph.end_clock->midnight) end_readings = {{hours{24}, {}}};
    const small_list<candidate_day> end_days{{start_day, {}}, {start_day + days{1}, {}}};
    if (auto end = earliest(end_days, end_readings, zone, p->starts_at)) p->ends_at = end->at;
  }
  return result;
}

}  // namespace tweetup::timeparse
