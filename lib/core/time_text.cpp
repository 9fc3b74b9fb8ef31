#include "core/time_text.hpp"

#include <charconv>

#include <date/tz.h>
#include <fmt/format.h>

namespace tweetup {
namespace {

struct wall_parts {
  date::year_month_day day;
  date::weekday weekday;
  std::chrono::hours hour;
  std::chrono::minutes minute;
  std::string abbrev;
};

wall_parts wall(std::chrono::sys_seconds at, const date::time_zone& zone) {
  const auto info = zone.get_info(at);
  const auto local = date::local_seconds{at.time_since_epoch() + info.offset};
  const auto midnight = date::floor<date::days>(local);
  const auto since_midnight = local - midnight;
  const auto hour = std::chrono::duration_cast<std::chrono::hours>(since_midnight);
  const auto minute = std::chrono::duration_cast<std::chrono::minutes>(since_midnight - hour);
  return {date::year_month_day{midnight}, date::weekday{midnight}, hour, minute, info.abbrev};
}

constexpr const char* weekday_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Replies are built by appending to one string: a reply's time text is a few dozen bytes, and
// a formatted temporary per part cost more than the words themselves.
void append_number(std::string& out, long long n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

// "Sat 28 Nov", and the year when it is not today's.
void append_day(std::string& out, const wall_parts& w, const wall_parts& today) {
  out += weekday_names[w.weekday.c_encoding()];
  out += ' ';
  append_number(out, static_cast<unsigned>(w.day.day()));
  out += ' ';
  out += month_names[static_cast<unsigned>(w.day.month()) - 1];
  if (w.day.year() != today.day.year()) {
    out += ' ';
    append_number(out, static_cast<int>(w.day.year()));
  }
}

// 12-hour clock as English speakers write it: "3:00", with the meridiem separate.
void append_clock12(std::string& out, const wall_parts& w) {
  const int h = static_cast<int>(w.hour.count()) % 12;
  append_number(out, h == 0 ? 12 : h);
  const auto minute = static_cast<int>(w.minute.count());
  out += ':';
  out += static_cast<char>('0' + minute / 10);
  out += static_cast<char>('0' + minute % 10);
}
const char* meridiem(const wall_parts& w) {
  return w.hour.count() < 12 ? "AM" : "PM";
}

// " PM CST"
void append_meridiem_zone(std::string& out, const wall_parts& w) {
  out += ' ';
  out += meridiem(w);
  out += ' ';
  out += w.abbrev;
}

}  // namespace

std::string format_when(std::chrono::sys_seconds at, const date::time_zone& zone,
                        std::chrono::sys_seconds now) {
  return format_span(at, std::nullopt, zone, now);
}

std::string format_span(std::chrono::sys_seconds start, std::optional<std::chrono::sys_seconds> end,
                        const date::time_zone& zone, std::chrono::sys_seconds now) {
  std::string text;
  append_span(text, start, end, zone, now);
  return text;
}

void append_span(std::string& out, std::chrono::sys_seconds start,
                 std::optional<std::chrono::sys_seconds> end, const date::time_zone& zone,
                 std::chrono::sys_seconds now) {
  const wall_parts today = wall(now, zone);
  const wall_parts from = wall(start, zone);
  append_day(out, from, today);
  out += ", ";
  append_clock12(out, from);
  if (end && *end > start) {
    const wall_parts to = wall(*end, zone);
    const bool same_day = to.day == from.day;
    if (!same_day) {
      append_meridiem_zone(out, from);
      out += " – ";
      append_day(out, to, today);
      out += ", ";
      append_clock12(out, to);
    } else if (meridiem(to) == std::string_view(meridiem(from))) {
      out += "–";
      append_clock12(out, to);
    } else {
      out += ' ';
      out += meridiem(from);
      out += "–";
      append_clock12(out, to);
    }
    append_meridiem_zone(out, to);
    return;
  }
  append_meridiem_zone(out, from);
}

std::string format_relative(std::chrono::sys_seconds now, std::chrono::sys_seconds at) {
  std::string text;
  append_relative(text, now, at);
  return text;
}

void append_relative(std::string& out, std::chrono::sys_seconds now, std::chrono::sys_seconds at) {
  using namespace std::chrono;
  const bool future = at >= now;
  const auto span = duration_cast<minutes>(future ? at - now : now - at);
  const auto total_days = span.count() / (24 * 60);
  const auto hours_left = (span.count() / 60) % 24;
  const auto minutes_left = span.count() % 60;
  if (span < minutes{1}) {
    out += future ? "in under a minute" : "just now";
    return;
  }
  if (future) out += "in ";
  if (total_days >= 1) {
    append_number(out, total_days);
    out += total_days == 1 ? " day" : " days";
    if (hours_left > 0 && total_days < 7) {
      out += ' ';
      append_number(out, hours_left);
      out += " h";
    }
  } else if (hours_left >= 1) {
    append_number(out, hours_left);
    out += " h";
    if (minutes_left > 0) {
      out += ' ';
      append_number(out, minutes_left);
      out += " min";
    }
  } else {
    append_number(out, minutes_left);
    out += " min";
  }
  if (!future) out += " ago";
}

std::string format_time(std::chrono::sys_seconds at, const date::time_zone& zone) {
  const wall_parts w = wall(at, zone);
  std::string text;
  append_clock12(text, w);
  append_meridiem_zone(text, w);
  return text;
}

std::string format_clock(std::chrono::sys_seconds at, const date::time_zone& zone) {
  const wall_parts w = wall(at, zone);
  return fmt::format("{:02}:{:02} {}", w.hour.count(), w.minute.count(), w.abbrev);
}

}  // namespace tweetup
