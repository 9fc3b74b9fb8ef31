#include "core/time_text.hpp"

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

std::string day_text(const wall_parts& w, const wall_parts& today) {
  std::string text = fmt::format("{} {} {}", weekday_names[w.weekday.c_encoding()],
                                 static_cast<unsigned>(w.day.day()),
                                 month_names[static_cast<unsigned>(w.day.month()) - 1]);
  if (w.day.year() != today.day.year()) text += fmt::format(" {}", static_cast<int>(w.day.year()));
  return text;
}

// 12-hour clock as English speakers write it: "3:00", with the meridiem separate.
std::string clock12(const wall_parts& w) {
  const int h = static_cast<int>(w.hour.count()) % 12;
  return fmt::format("{}:{:02}", h == 0 ? 12 : h, w.minute.count());
}
const char* meridiem(const wall_parts& w) {
  return w.hour.count() < 12 ? "AM" : "PM";
}

}  // namespace

std::string format_when(std::chrono::sys_seconds at, const date::time_zone& zone,
                        std::chrono::sys_seconds now) {
  return format_span(at, std::nullopt, zone, now);
}

std::string format_span(std::chrono::sys_seconds start, std::optional<std::chrono::sys_seconds> end,
                        const date::time_zone& zone, std::chrono::sys_seconds now) {
  const wall_parts today = wall(now, zone);
  const wall_parts from = wall(start, zone);
  std::string text = day_text(from, today) + ", " + clock12(from);
  if (end && *end > start) {
    const wall_parts to = wall(*end, zone);
    const bool same_day = to.day == from.day;
    if (!same_day) {
      text += fmt::format(" {} {} – {}, {}", meridiem(from), from.abbrev, day_text(to, today),
                          clock12(to));
    } else if (meridiem(to) == std::string_view(meridiem(from))) {
      text += "–" + clock12(to);
    } else {
      text += fmt::format(" {}–{}", meridiem(from), clock12(to));
    }
    return text + fmt::format(" {} {}", meridiem(to), to.abbrev);
  }
  return text + fmt::format(" {} {}", meridiem(from), from.abbrev);
}

std::string format_relative(std::chrono::sys_seconds now, std::chrono::sys_seconds at) {
  using namespace std::chrono;
  const bool future = at >= now;
  const auto span = duration_cast<minutes>(future ? at - now : now - at);
  const auto total_days = span.count() / (24 * 60);
  const auto hours_left = (span.count() / 60) % 24;
  const auto minutes_left = span.count() % 60;
  std::string amount;
  if (span < minutes{1}) {
    return future ? "in under a minute" : "just now";
  } else if (total_days >= 1) {
    amount = fmt::format("{} day{}", total_days, total_days == 1 ? "" : "s");
    if (hours_left > 0 && total_days < 7) amount += fmt::format(" {} h", hours_left);
  } else if (hours_left >= 1) {
    amount = fmt::format("{} h", hours_left);
    if (minutes_left > 0) amount += fmt::format(" {} min", minutes_left);
  } else {
    amount = fmt::format("{} min", minutes_left);
  }
  return future ? "in " + amount : amount + " ago";
}

std::string format_time(std::chrono::sys_seconds at, const date::time_zone& zone) {
  const wall_parts w = wall(at, zone);
  return fmt::format("{} {} {}", clock12(w), meridiem(w), w.abbrev);
}

std::string format_clock(std::chrono::sys_seconds at, const date::time_zone& zone) {
  const wall_parts w = wall(at, zone);
  return fmt::format("{:02}:{:02} {}", w.hour.count(), w.minute.count(), w.abbrev);
}

}  // namespace tweetup
