#include "core/time_text.hpp"

#include <doctest/doctest.h>

#include <date/date.h>
#include <date/tz.h>

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

TEST_CASE("zone_lookup: links in other letter case") {
  // The header promises "no zone or link of that name", forgiving case.
  CHECK(find_zone("us/central") != nullptr);
}
