#include "core/time_text.hpp"

#include <doctest/doctest.h>

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <random>

#include "core/zone_lookup.hpp"

using namespace tweetup;
using namespace std::chrono_literals;

namespace {

// A UTC instant from its calendar parts.
std::chrono::sys_seconds utc(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
  return date::sys_days{date::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{s};
}

const date::time_zone& zone(const char* name) {
  return *date::locate_zone(name);
}

// 2026-11-28T10:15:00 America/Chicago (CST, UTC-6).
const auto now = utc(2026, 11, 28, 16, 15);

}  // namespace

TEST_CASE("time_text: format_when in the event's zone") {
  const auto& chicago = zone("America/Chicago");
  CHECK(format_when(utc(2026, 11, 28, 21, 0), chicago, now) == "Sat 28 Nov, 3:00 PM CST");
  CHECK(format_when(utc(2026, 11, 29, 6, 0), chicago, now) == "Sun 29 Nov, 12:00 AM CST");
  CHECK(format_when(utc(2026, 11, 29, 18, 5), chicago, now) == "Sun 29 Nov, 12:05 PM CST");
  CHECK(format_when(utc(2026, 12, 5, 1, 30), chicago, now) == "Fri 4 Dec, 7:30 PM CST");
  CHECK(format_when(utc(2026, 7, 4, 17, 30), chicago, now) == "Sat 4 Jul, 12:30 PM CDT");
  CHECK(format_when(now, chicago, now) == "Sat 28 Nov, 10:15 AM CST");

  CHECK(format_when(utc(2026, 11, 28, 21, 0), zone("Europe/Berlin"), now) ==
        "Sat 28 Nov, 10:00 PM CET");
  CHECK(format_when(utc(2026, 6, 1, 7, 0), zone("Europe/Berlin"), now) ==
        "Mon 1 Jun, 9:00 AM CEST");
  CHECK(format_when(utc(2026, 11, 28, 16, 15), zone("Asia/Kolkata"), now) ==
        "Sat 28 Nov, 9:45 PM IST");
  CHECK(format_when(utc(2026, 11, 28, 23, 59), zone("UTC"), now) == "Sat 28 Nov, 11:59 PM UTC");
  CHECK(format_when(utc(2026, 11, 28, 23, 0), zone("Asia/Tokyo"), now) ==
        "Sun 29 Nov, 8:00 AM JST");
}

TEST_CASE("time_text: the year is shown only when it differs from now's") {
  const auto& chicago = zone("America/Chicago");
  CHECK(format_when(utc(2027, 1, 2, 18, 0), chicago, now) == "Sat 2 Jan 2027, 12:00 PM CST");
  CHECK(format_when(utc(2025, 12, 31, 18, 0), chicago, now) == "Wed 31 Dec 2025, 12:00 PM CST");
  // "Now's year" is read in the zone: 2027-01-01T03:00Z is still 2026 in Chicago.
  const auto new_year_utc = utc(2027, 1, 1, 3, 0);
  CHECK(format_when(utc(2026, 12, 31, 20, 0), chicago, new_year_utc) == "Thu 31 Dec, 2:00 PM CST");
  CHECK(format_when(utc(2027, 1, 1, 18, 0), chicago, new_year_utc) ==
        "Fri 1 Jan 2027, 12:00 PM CST");
}

TEST_CASE("time_text: format_span") {
  const auto& chicago = zone("America/Chicago");
  // Fri 4 Dec 2026, CST.
  CHECK(format_span(utc(2026, 12, 5, 1, 0), utc(2026, 12, 5, 3, 0), chicago, now) ==
        "Fri 4 Dec, 7:00–9:00 PM CST");
  CHECK(format_span(utc(2026, 12, 4, 17, 0), utc(2026, 12, 4, 19, 0), chicago, now) ==
        "Fri 4 Dec, 11:00 AM–1:00 PM CST");
  CHECK(format_span(utc(2026, 12, 5, 4, 0), utc(2026, 12, 5, 7, 0), chicago, now) ==
        "Fri 4 Dec, 10:00 PM CST – Sat 5 Dec, 1:00 AM CST");
  CHECK(format_span(utc(2026, 12, 5, 1, 0), std::nullopt, chicago, now) ==
        "Fri 4 Dec, 7:00 PM CST");
  // An end that is not after the start is not shown.
  CHECK(format_span(utc(2026, 12, 5, 1, 0), utc(2026, 12, 5, 1, 0), chicago, now) ==
        "Fri 4 Dec, 7:00 PM CST");
  CHECK(format_span(utc(2026, 12, 5, 1, 0), utc(2026, 12, 5, 0, 0), chicago, now) ==
        "Fri 4 Dec, 7:00 PM CST");
  // Across the new year the end day carries its year.
  CHECK(format_span(utc(2027, 1, 1, 5, 0), utc(2027, 1, 1, 7, 0), chicago, now) ==
        "Thu 31 Dec, 11:00 PM CST – Fri 1 Jan 2027, 1:00 AM CST");
}

TEST_CASE("time_text: format_relative") {
  CHECK(format_relative(now, now + 4h + 45min) == "in 4 h 45 min");
  CHECK(format_relative(now, now + 30s) == "in under a minute");
  CHECK(format_relative(now, now + 59s) == "in under a minute");
  CHECK(format_relative(now, now) == "in under a minute");
  CHECK(format_relative(now, now - 30s) == "just now");
  CHECK(format_relative(now, now + 61s) == "in 1 min");
  CHECK(format_relative(now, now + 45min) == "in 45 min");
  CHECK(format_relative(now, now + 3h) == "in 3 h");
  CHECK(format_relative(now, now + 48h + 3h) == "in 2 days 3 h");
  CHECK(format_relative(now, now + 24h) == "in 1 day");
  CHECK(format_relative(now, now + 24h + 59min) == "in 1 day");
  CHECK(format_relative(now, now + 8 * 24h + 3h) == "in 8 days");
  CHECK(format_relative(now, now - 3h) == "3 h ago");
  CHECK(format_relative(now, now - 26h) == "1 day 2 h ago");
  CHECK(format_relative(now, now - 5min) == "5 min ago");
}

namespace reference {

// The wording as it was written before time_text appended to one string (fmt per part): the
// replies' text must not change by a byte.
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

std::string clock12(const wall_parts& w) {
  const int h = static_cast<int>(w.hour.count()) % 12;
  return fmt::format("{}:{:02}", h == 0 ? 12 : h, w.minute.count());
}
const char* meridiem(const wall_parts& w) {
  return w.hour.count() < 12 ? "AM" : "PM";
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

}  // namespace reference

TEST_CASE("time_text: the same words as the reference, over random instants, spans and zones") {
  // Zones with DST both ways, half and quarter hours, no DST, and the date line.
  const char* zones[] = {
      "America/Chicago",    "Europe/Berlin",      "Asia/Kolkata", "Asia/Kathmandu",
      "Australia/Adelaide", "Pacific/Kiritimati", "UTC",          "America/St_Johns",
      "Pacific/Chatham"};
  std::mt19937_64 random(20261129);
  // From 2025 to 2028, so that some instants fall in another year than `now`.
  std::uniform_int_distribution<std::int64_t> instant(1735689600, 1830297600);
  std::uniform_int_distribution<std::int64_t> length(-3600, 3 * 86400);
  std::uniform_int_distribution<std::int64_t> near(-10 * 86400, 10 * 86400);
  std::uniform_int_distribution<int> coin(0, 3);
  for (int i = 0; i < 20000; ++i) {
    const auto& z = zone(zones[i % std::size(zones)]);
    const auto at = std::chrono::sys_seconds{std::chrono::seconds{instant(random)}};
    // Often near `now`, where format_relative has hours and minutes to say.
    const auto from = coin(random) == 0 ? at : at + std::chrono::seconds{near(random)};
    std::optional<std::chrono::sys_seconds> end;
    if (coin(random) != 0) end = at + std::chrono::seconds{length(random)};
    INFO(zones[i % std::size(zones)], " ", at.time_since_epoch().count(), " ",
         from.time_since_epoch().count());
    REQUIRE(format_span(at, end, z, from) == reference::format_span(at, end, z, from));
    REQUIRE(format_relative(from, at) == reference::format_relative(from, at));
    REQUIRE(format_time(at, z) == reference::format_time(at, z));
    std::string appended = "prefix ";
    append_span(appended, at, end, z, from);
    append_relative(appended, from, at);
    REQUIRE(appended == "prefix " + reference::format_span(at, end, z, from) +
                            reference::format_relative(from, at));
  }
}

TEST_CASE("time_text: format_clock") {
  CHECK(format_clock(now, zone("America/Chicago")) == "10:15 CST");
  CHECK(format_clock(now, zone("Europe/Berlin")) == "17:15 CET");
  CHECK(format_clock(utc(2026, 11, 28, 0, 5), zone("UTC")) == "00:05 UTC");
}

TEST_CASE("zone_lookup: find_zone") {
  const auto* berlin = find_zone("Europe/Berlin");
  REQUIRE(berlin != nullptr);
  CHECK(berlin->name() == "Europe/Berlin");
  const auto* lower = find_zone("europe/berlin");
  REQUIRE(lower != nullptr);
  CHECK(lower->name() == "Europe/Berlin");
  const auto* upper = find_zone("AMERICA/CHICAGO");
  REQUIRE(upper != nullptr);
  CHECK(upper->name() == "America/Chicago");
  CHECK(find_zone("UTC") != nullptr);
  CHECK(find_zone("US/Central") != nullptr);  // a link
  CHECK(find_zone("Mars/Olympus_Mons") == nullptr);
  CHECK(find_zone("") == nullptr);
  CHECK(find_zone("../../etc/passwd") == nullptr);
  CHECK(find_zone("Europe/Berlin; DROP") == nullptr);
  CHECK(find_zone(std::string(65, 'A')) == nullptr);
}

TEST_CASE("zone_lookup: the zone found last answers again, and only for its own name") {
  const auto* chicago = find_zone("America/Chicago");
  REQUIRE(chicago != nullptr);
  CHECK(find_zone("America/Chicago") == chicago);
  CHECK(find_zone("America/Chicag") == nullptr);  // a prefix of the last name is not it
  CHECK(find_zone("America/Chicago") == chicago);
  CHECK(find_zone("Mars/Olympus_Mons") == nullptr);
  CHECK(find_zone("America/Chicago") == chicago);  // a miss does not replace it
  CHECK(find_zone("Asia/Tokyo")->name() == "Asia/Tokyo");
  CHECK(find_zone("america/chicago") == chicago);
  CHECK(find_zone("Asia/Tokyo")->name() == "Asia/Tokyo");
}

TEST_CASE("zone_lookup: links in other letter case") {
  // The header promises "no zone or link of that name", forgiving case.
  CHECK(find_zone("us/central") != nullptr);
}
