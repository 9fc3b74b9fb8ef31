// Table tests for shared/time-conventions.md. Every expectation is written by hand from the rules,
// with an explicit `now` (local wall time in the channel zone) and zone.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <date/tz.h>

#include "timeparse/iso_format.hpp"
#include "timeparse/time_parser.hpp"

namespace tp = tweetup::timeparse;

namespace {

struct row {
  const char* text;
  const char* expected;  // ISO with offset, "start .. end" for spans, or the error kind
};

const char* kind_name(tp::error_kind k) {
  switch (k) {
    case tp::error_kind::no_time:
      return "no_time";
    case tp::error_kind::past:
      return "past";
    case tp::error_kind::invalid:
      return "invalid";
    case tp::error_kind::no_place:
      return "no_place";
  }
  return "?";
}

tp::parse_context context(const char* now, const char* zone) {
  const auto* tz = date::locate_zone(zone);
  const auto at = tp::parse_local_iso(now, *tz);
  REQUIRE(at);
  return {*at, tz};
}

std::string run(const char* now, const char* zone, std::string_view text) {
  const auto ctx = context(now, zone);
  const auto result = tp::parse_time(text, ctx);
  if (const auto* e = std::get_if<tp::parse_error>(&result)) return kind_name(e->kind);
  const auto& t = std::get<tp::parsed_time>(result);
  std::string out = tp::format_iso(t.starts_at, *ctx.zone);
  if (t.ends_at) out += " .. " + tp::format_iso(*t.ends_at, *ctx.zone);
  return out;
}

void check_table(const char* now, const char* zone, const std::vector<row>& rows) {
  for (const auto& r : rows) {
    const std::string at{now};
    const std::string where{zone};
    const std::string text{r.text};
    CAPTURE(at);
    CAPTURE(where);
    CAPTURE(text);
    CHECK(run(now, zone, r.text) == r.expected);
  }
}

tp::parsed_time parsed(const char* now, const char* zone, std::string_view text) {
  const auto result = tp::parse_time(text, context(now, zone));
  REQUIRE(std::holds_alternative<tp::parsed_time>(result));
  return std::get<tp::parsed_time>(result);
}

bool has(const tp::parsed_time& t, tp::assumption a) {
  return std::find(t.assumptions.begin(), t.assumptions.end(), a) != t.assumptions.end();
}

// Saturday 28 November 2026, 10:15 in Chicago (CST, -06:00).
constexpr const char* sat = "2026-11-28T10:15:00";

// "+05:30", "-06:00": an offset in minutes as ISO 8601 writes it.
std::string fmt_offset(int minutes) {
  const char sign = minutes < 0 ? '-' : '+';
  const int m = minutes < 0 ? -minutes : minutes;
  char text[16];  // room for any int, so the compiler can prove nothing is cut
  std::snprintf(text, sizeof text, "%c%02d:%02d", sign, m / 60, m % 60);
  return text;
}

}  // namespace

TEST_CASE("clock times (rules 1, 2, 6)") {
  check_table(sat, "America/Chicago",
              {
                  {"3pm", "2026-11-28T15:00:00-06:00"},
                  {"3 pm", "2026-11-28T15:00:00-06:00"},
                  {"3p", "2026-11-28T15:00:00-06:00"},
                  {"3PM", "2026-11-28T15:00:00-06:00"},
                  {"3 p.m.", "2026-11-28T15:00:00-06:00"},
                  {"15:00", "2026-11-28T15:00:00-06:00"},
                  {"3:30 pm", "2026-11-28T15:30:00-06:00"},
                  {"7.30pm", "2026-11-28T19:30:00-06:00"},
                  {"730pm", "2026-11-28T19:30:00-06:00"},
                  {"19h", "2026-11-28T19:00:00-06:00"},
                  {"19h30", "2026-11-28T19:30:00-06:00"},
                  {"7h30pm", "2026-11-28T19:30:00-06:00"},
                  {"7h30 am", "2026-11-29T07:30:00-06:00"},
                  {"noon", "2026-11-28T12:00:00-06:00"},
                  {"midnight", "2026-11-29T00:00:00-06:00"},
                  {"six pm", "2026-11-28T18:00:00-06:00"},
                  {"half past 7", "2026-11-28T19:30:00-06:00"},
                  {"quarter to 8", "2026-11-28T19:45:00-06:00"},
                  {"quarter past 6pm", "2026-11-28T18:15:00-06:00"},
                  {"7 o'clock", "2026-11-28T19:00:00-06:00"},
                  {"7 o\xE2\x80\x99"
                   "clock",
                   "2026-11-28T19:00:00-06:00"},
                  {"at 7", "2026-11-28T19:00:00-06:00"},
                  {"at 1", "2026-11-28T13:00:00-06:00"},
                  {"at 5", "2026-11-28T17:00:00-06:00"},
                  {"at 11", "2026-11-28T11:00:00-06:00"},
                  {"at 10", "2026-11-28T22:00:00-06:00"},
                  {"@7", "2026-11-28T19:00:00-06:00"},
                  {"07:00", "2026-11-29T07:00:00-06:00"},
                  {"09:00", "2026-11-29T09:00:00-06:00"},
                  {"at 1930", "2026-11-28T19:30:00-06:00"},
                  // Military time: the word after four digits makes them a reading.
                  {"1500 hrs", "2026-11-28T15:00:00-06:00"},
                  {"0730 hours", "2026-11-29T07:30:00-06:00"},
                  {"1900h", "2026-11-28T19:00:00-06:00"},
                  // So does a leading zero (rule 6: 24-hour).
                  {"tomorrow 0900", "2026-11-29T09:00:00-06:00"},
                  {"0830 tomorrow", "2026-11-29T08:30:00-06:00"},
                  {"0000", "2026-11-29T00:00:00-06:00"},
                  {"7am", "2026-11-29T07:00:00-06:00"},
                  {"10am", "2026-11-29T10:00:00-06:00"},
                  {"let's meet at 3pm", "2026-11-28T15:00:00-06:00"},
              });
}

TEST_CASE("days and weekdays (rules 2, 12, 13)") {
  check_table(sat, "America/Chicago",
              {
                  {"tomorrow at 3pm", "2026-11-29T15:00:00-06:00"},
                  {"tmrw 5pm", "2026-11-29T17:00:00-06:00"},
                  {"tmr 9am", "2026-11-29T09:00:00-06:00"},
                  {"3pm tomorrow", "2026-11-29T15:00:00-06:00"},
                  {"today 3pm", "2026-11-28T15:00:00-06:00"},
                  {"today at 9am", "past"},
                  {"tomorrow", "2026-11-29T10:15:00-06:00"},
                  {"day after tomorrow", "2026-11-30T10:15:00-06:00"},
                  {"the day after tomorrow", "2026-11-30T10:15:00-06:00"},
                  {"day after tomorrow at 6pm", "2026-11-30T18:00:00-06:00"},
                  {"friday", "2026-12-04T12:00:00-06:00"},
                  {"friday 6pm", "2026-12-04T18:00:00-06:00"},
                  {"fri 6pm", "2026-12-04T18:00:00-06:00"},
                  {"mon 9am", "2026-11-30T09:00:00-06:00"},
                  {"tue 9am", "2026-12-01T09:00:00-06:00"},
                  {"tues 3pm", "2026-12-01T15:00:00-06:00"},
                  {"wed 3pm", "2026-12-02T15:00:00-06:00"},
                  {"weds", "2026-12-02T12:00:00-06:00"},
                  {"thu 3pm", "2026-12-03T15:00:00-06:00"},
                  {"thur 3pm", "2026-12-03T15:00:00-06:00"},
                  {"thurs 3pm", "2026-12-03T15:00:00-06:00"},
                  {"sat 8pm", "2026-11-28T20:00:00-06:00"},
                  {"sun 11am", "2026-11-29T11:00:00-06:00"},
                  {"saturday 9am", "2026-12-05T09:00:00-06:00"},
                  {"this saturday", "2026-11-28T12:00:00-06:00"},
                  {"this friday 7pm", "2026-12-04T19:00:00-06:00"},
                  {"next monday", "2026-11-30T12:00:00-06:00"},
                  {"next saturday", "2026-12-05T12:00:00-06:00"},
                  {"monday of next week", "2026-11-30T12:00:00-06:00"},
                  {"friday of next week", "2026-12-04T12:00:00-06:00"},
                  {"next week friday 5pm", "2026-12-04T17:00:00-06:00"},
                  {"next week", "2026-12-05T10:15:00-06:00"},
                  {"friday at midnight", "2026-12-04T00:00:00-06:00"},
                  {"on sunday at 10am", "2026-11-29T10:00:00-06:00"},
                  // A week on from the coming one.
                  {"friday after next", "2026-12-11T12:00:00-06:00"},
                  {"friday after next 7pm", "2026-12-11T19:00:00-06:00"},
                  {"a week from friday 7pm", "2026-12-11T19:00:00-06:00"},
                  {"two weeks from friday", "2026-12-18T12:00:00-06:00"},
                  {"2 weeks from sat 7pm", "2026-12-12T19:00:00-06:00"},
                  {"a week from saturday 9am", "2026-12-05T09:00:00-06:00"},
                  // British: "sunday week" is a week from sunday.
                  {"sunday week 3pm", "2026-12-06T15:00:00-06:00"},
                  {"friday week", "2026-12-11T12:00:00-06:00"},
                  {"tues fortnight at 6pm", "2026-12-15T18:00:00-06:00"},
              });
  // Rule 12: "next monday" said on a Monday is a week later.
  check_table("2026-11-30T09:00:00", "America/Chicago",
              {
                  {"next monday", "2026-12-07T12:00:00-06:00"},
                  {"monday", "2026-11-30T12:00:00-06:00"},
                  {"monday 8am", "2026-12-07T08:00:00-06:00"},
                  {"monday of next week", "2026-12-07T12:00:00-06:00"},
              });
  // Rule 13: "this saturday" on a Saturday morning is today at noon; in the afternoon, next week.
  check_table("2026-11-28T08:00:00", "Europe/Berlin",
              {{"this saturday", "2026-11-28T12:00:00+01:00"}});
  check_table("2026-11-28T15:00:00", "Europe/Berlin",
              {{"this saturday", "2026-12-05T12:00:00+01:00"}});
}

TEST_CASE("dates (rules 2, 9)") {
  check_table(sat, "America/Chicago",
              {
                  {"dec 3", "2026-12-03T12:00:00-06:00"},
                  {"3 dec", "2026-12-03T12:00:00-06:00"},
                  {"december 3rd", "2026-12-03T12:00:00-06:00"},
                  {"3rd of december", "2026-12-03T12:00:00-06:00"},
                  {"dec 3 at 7pm", "2026-12-03T19:00:00-06:00"},
                  {"December 3, 2026", "2026-12-03T12:00:00-06:00"},
                  {"Nov 29, 2026 6pm", "2026-11-29T18:00:00-06:00"},
                  {"nov 27", "2027-11-27T12:00:00-06:00"},
                  {"jan 5 9am", "2027-01-05T09:00:00-06:00"},
                  {"the 5th", "2026-12-05T12:00:00-06:00"},
                  {"on the 28th at 3pm", "2026-11-28T15:00:00-06:00"},
                  {"the 28th at 9am", "2026-12-28T09:00:00-06:00"},
                  {"the 31st", "2026-12-31T12:00:00-06:00"},
                  {"12/3", "2026-12-03T12:00:00-06:00"},
                  {"12/3 6pm", "2026-12-03T18:00:00-06:00"},
                  {"13/12", "2026-12-13T12:00:00-06:00"},
                  {"15/1", "2027-01-15T12:00:00-06:00"},
                  {"26/1", "2027-01-26T12:00:00-06:00"},
                  {"3/4", "2027-03-04T12:00:00-06:00"},
                  {"12/3/2026", "2026-12-03T12:00:00-06:00"},
                  {"2026-12-03", "2026-12-03T12:00:00-06:00"},
                  {"2026/12/3", "2026-12-03T12:00:00-06:00"},
                  {"2026-12-03 18:00", "2026-12-03T18:00:00-06:00"},
                  {"2026-12-03T18:00", "2026-12-03T18:00:00-06:00"},
                  {"2026-12-03T18:00:00", "2026-12-03T18:00:00-06:00"},
                  {"2026-12-03T18:00Z", "2026-12-03T12:00:00-06:00"},
                  {"2026-12-03T18:00:00.000Z", "2026-12-03T12:00:00-06:00"},
                  {"2026-12-03T18:00+01:00", "2026-12-03T11:00:00-06:00"},
                  {"2026-12-03T18:00-08:00", "2026-12-03T20:00:00-06:00"},
                  {"feb 29", "2028-02-29T12:00:00-06:00"},
                  {"at midnight on 12th December", "2026-12-12T00:00:00-06:00"},
                  // The day written as a word.
                  {"the fifth at 7pm", "2026-12-05T19:00:00-06:00"},
                  {"December fifth at 7pm", "2026-12-05T19:00:00-06:00"},
                  {"the first at 7pm", "2026-12-01T19:00:00-06:00"},
                  {"saturday the fifth at 7pm", "2026-12-05T19:00:00-06:00"},
                  {"fifth of december 7pm", "2026-12-05T19:00:00-06:00"},
                  {"the twenty-first of June at 8pm", "2027-06-21T20:00:00-05:00"},
                  {"dec twenty first 7pm", "2026-12-21T19:00:00-06:00"},
                  {"on the fifth, 7pm", "2026-12-05T19:00:00-06:00"},
                  {"the fifth", "2026-12-05T12:00:00-06:00"},
                  // Without a month, only where a day fits.
                  {"the second floor 7pm", "2026-11-28T19:00:00-06:00"},
                  {"first thing tomorrow 9am", "2026-11-29T09:00:00-06:00"},
              });
}

TEST_CASE("durations are elapsed time, days are calendar days (rule 7)") {
  check_table("2026-11-28T10:15:37", "America/Chicago",
              {
                  {"in 2 hours", "2026-11-28T12:15:37-06:00"},
                  {"in 1.5 hours", "2026-11-28T11:45:37-06:00"},
                  {"in 1.5 h", "2026-11-28T11:45:37-06:00"},
                  {"in 90 min", "2026-11-28T11:45:37-06:00"},
                  {"in 30 mins", "2026-11-28T10:45:37-06:00"},
                  {"in 30 min", "2026-11-28T10:45:37-06:00"},
                  {"+15min", "2026-11-28T10:30:37-06:00"},
                  {"in an hour", "2026-11-28T11:15:37-06:00"},
                  {"in half an hour", "2026-11-28T10:45:37-06:00"},
                  {"half an hour", "2026-11-28T10:45:37-06:00"},
                  {"in an hour and a half", "2026-11-28T11:45:37-06:00"},
                  {"in a couple of hours", "2026-11-28T12:15:37-06:00"},
                  {"in two hours", "2026-11-28T12:15:37-06:00"},
                  {"in 2 weeks", "2026-12-12T10:15:37-06:00"},
                  {"in 2h30m", "2026-11-28T12:45:37-06:00"},
                  {"in 1 hour 30 minutes", "2026-11-28T11:45:37-06:00"},
                  {"3 hours from now", "2026-11-28T13:15:37-06:00"},
                  {"in 24 hours", "2026-11-29T10:15:37-06:00"},
                  {"in a week", "2026-12-05T10:15:37-06:00"},
                  {"in 3 days", "2026-12-01T10:15:37-06:00"},
                  {"in 3 days at 6pm", "2026-12-01T18:00:00-06:00"},
                  {"in an hour's time", "2026-11-28T11:15:37-06:00"},
                  {"in half an hour\xE2\x80\x99s time", "2026-11-28T10:45:37-06:00"},
                  {"in 3 hours' time", "2026-11-28T13:15:37-06:00"},
                  {"in a week's time at 7pm", "2026-12-05T19:00:00-06:00"},
                  {"in a fortnight", "2026-12-12T10:15:37-06:00"},
                  {"a fortnight from today at 7pm", "2026-12-12T19:00:00-06:00"},
                  // A hedge before the quantity is still a duration, never a clock.
                  {"in about 20 mins", "2026-11-28T10:35:37-06:00"},
                  {"in about 2 hours", "2026-11-28T12:15:37-06:00"},
                  {"in about an hour", "2026-11-28T11:15:37-06:00"},
                  {"in approx 15 min", "2026-11-28T10:30:37-06:00"},
                  {"in ~20 mins", "2026-11-28T10:35:37-06:00"},
                  {"in like 2 hours", "2026-11-28T12:15:37-06:00"},
                  {"in 20ish minutes", "2026-11-28T10:35:37-06:00"},
                  {"about 20 mins from now", "2026-11-28T10:35:37-06:00"},
                  {"about 2 hours ago", "past"},
                  {"tomorrow", "2026-11-29T10:15:37-06:00"},
                  {"3pm", "2026-11-28T15:00:00-06:00"},
              });
  // Across spring-forward (Chicago, 8 March 2026 02:00 -> 03:00) the wall clock jumps an hour.
  check_table("2026-03-08T01:30:00", "America/Chicago",
              {
                  {"in 1 hour", "2026-03-08T03:30:00-05:00"},
                  {"in 24 hours", "2026-03-09T02:30:00-05:00"},
              });
  check_table("2026-03-07T10:00:00", "America/Chicago",
              {
                  {"in 24 hours", "2026-03-08T11:00:00-05:00"},
                  {"in 1 day", "2026-03-08T10:00:00-05:00"},
                  {"tomorrow", "2026-03-08T10:00:00-05:00"},
              });
  // Across fall-back (Chicago, 1 November 2026 02:00 -> 01:00).
  check_table("2026-11-01T00:30:00", "America/Chicago",
              {
                  {"in 1 hour", "2026-11-01T01:30:00-05:00"},
                  {"in 2 hours", "2026-11-01T01:30:00-06:00"},
              });
}

TEST_CASE("parts of the day (rule 8)") {
  check_table(sat, "America/Chicago",
              {
                  {"tonight at 8", "2026-11-28T20:00:00-06:00"},
                  {"8 tonight", "2026-11-28T20:00:00-06:00"},
                  {"tonight 8pm", "2026-11-28T20:00:00-06:00"},
                  {"11 tonight", "2026-11-28T23:00:00-06:00"},
                  // A night's small hours come after its evening, written out or not.
                  {"1am tonight", "2026-11-29T01:00:00-06:00"},
                  {"tonight at 00:30", "2026-11-29T00:30:00-06:00"},
                  {"tomorrow night at 1am", "2026-11-30T01:00:00-06:00"},
                  {"friday night at 1am", "2026-12-05T01:00:00-06:00"},
                  {"tonight at 11pm", "2026-11-28T23:00:00-06:00"},
                  {"at 7 tonight", "2026-11-28T19:00:00-06:00"},
                  {"this afternoon at 3", "2026-11-28T15:00:00-06:00"},
                  {"tomorrow morning at 9", "2026-11-29T09:00:00-06:00"},
                  {"tomorrow evening at 7", "2026-11-29T19:00:00-06:00"},
                  {"6 in the afternoon", "2026-11-28T18:00:00-06:00"},
                  {"8 in the morning", "2026-11-29T08:00:00-06:00"},
                  {"10 at night", "2026-11-28T22:00:00-06:00"},
                  {"this evening", "2026-11-28T20:00:00-06:00"},
                  {"tonight", "2026-11-28T22:00:00-06:00"},
                  // A day's part takes a bare hour without "at", on either side.
                  {"tomorrow morning 9", "2026-11-29T09:00:00-06:00"},
                  {"9 tomorrow morning", "2026-11-29T09:00:00-06:00"},
                  {"friday evening 7", "2026-12-04T19:00:00-06:00"},
                  {"tomorrow night 11", "2026-11-29T23:00:00-06:00"},
                  {"this afternoon 4", "2026-11-28T16:00:00-06:00"},
                  {"2 tomorrow afternoon", "2026-11-29T14:00:00-06:00"},
                  {"10 sunday morning", "2026-11-29T10:00:00-06:00"},
                  // Alone, or before a count, the part keeps its default hour.
                  {"morning 9", "2026-11-29T06:00:00-06:00"},
                  // "~" hedges a bare hour as "around" does.
                  {"tonight ~8", "2026-11-28T20:00:00-06:00"},
                  {"tomorrow ~7", "2026-11-29T07:00:00-06:00"},
                  {"sat ~3", "2026-11-28T15:00:00-06:00"},
                  {"~6", "2026-11-28T18:00:00-06:00"},
                  // A bare hour before "today" or "tomorrow", as "tomorrow at 3" reads.
                  {"3 tomorrow", "2026-11-29T03:00:00-06:00"},
                  {"11 today", "2026-11-28T11:00:00-06:00"},
                  {"table for 3 tomorrow", "2026-11-29T10:15:00-06:00"},
                  {"3 tomorrow 7pm", "2026-11-29T19:00:00-06:00"},
                  // The same in words.
                  {"five tomorrow", "2026-11-29T05:00:00-06:00"},
                  {"eleven tomorrow", "2026-11-29T11:00:00-06:00"},
                  {"eight on friday", "2026-12-04T08:00:00-06:00"},
                  {"table for five tomorrow", "2026-11-29T10:15:00-06:00"},
                  {"five tomorrow 7pm", "2026-11-29T19:00:00-06:00"},
                  {"3pmish", "2026-11-28T15:00:00-06:00"},
                  {"1pmish tomorrow", "2026-11-29T13:00:00-06:00"},
                  {"twelve noon", "2026-11-28T12:00:00-06:00"},
                  {"twelve midnight", "2026-11-29T00:00:00-06:00"},
                  {"tomorrow morning 9 people", "2026-11-29T06:00:00-06:00"},
              });
}

TEST_CASE("this morning is today's morning, never tomorrow's") {
  check_table(sat, "America/Chicago",
              {
                  {"this morning at 11", "2026-11-28T11:00:00-06:00"},
                  {"this morning at 9", "past"},
                  {"8 this morning", "past"},
                  {"this morning", "past"},
                  {"this afternoon", "2026-11-28T15:00:00-06:00"},
              });
  check_table("2026-11-28T05:00:00", "America/Chicago",
              {{"this morning", "2026-11-28T06:00:00-06:00"}});
}

TEST_CASE("a meal says which half of the day a bare hour is") {
  check_table(sat, "America/Chicago",
              {
                  {"lunch tomorrow at 12:30", "2026-11-29T12:30:00-06:00"},
                  {"lunch at 1", "2026-11-28T13:00:00-06:00"},
                  {"brunch sunday at 11", "2026-11-29T11:00:00-06:00"},
                  {"breakfast tomorrow at 8:30", "2026-11-29T08:30:00-06:00"},
                  {"dinner tomorrow at 7", "2026-11-29T19:00:00-06:00"},
                  {"supper at 6:30", "2026-11-28T18:30:00-06:00"},
                  {"lunch at 1am", "2026-11-29T01:00:00-06:00"},
                  {"lunch", "no_time"},
                  {"dinner tomorrow", "2026-11-29T10:15:00-06:00"},
              });
}

TEST_CASE("a bare 12 on a named day is noon") {
  check_table(sat, "America/Chicago",
              {
                  {"tomorrow 12:30", "2026-11-29T12:30:00-06:00"},
                  {"tomorrow at 12", "2026-11-29T12:00:00-06:00"},
                  {"friday at 12", "2026-12-04T12:00:00-06:00"},
                  {"dec 3 at 12:15", "2026-12-03T12:15:00-06:00"},
                  {"friday at midnight", "2026-12-04T00:00:00-06:00"},
              });
  // Without a day, rule 6: the next 12:30 under either reading.
  check_table("2026-11-28T13:00:00", "America/Chicago",
              {{"at 12:30", "2026-11-29T00:30:00-06:00"}});
}

TEST_CASE("a dashed month-day counts right before a clock time") {
  check_table(sat, "America/Chicago",
              {
                  {"12-12 7pm", "2026-12-12T19:00:00-06:00"},
                  {"1-15 at 7pm", "2027-01-15T19:00:00-06:00"},
                  {"12-24 18:00", "2026-12-24T18:00:00-06:00"},
                  {"7-9pm", "2026-11-28T19:00:00-06:00 .. 2026-11-28T21:00:00-06:00"},
                  {"7-9 pm", "2026-11-28T19:00:00-06:00 .. 2026-11-28T21:00:00-06:00"},
                  {"12-12", "no_time"},
                  // With its year, or the month in words, the dashes join a date.
                  {"12-03-2026 19:00", "2026-12-03T19:00:00-06:00"},
                  {"1-15-2027", "2027-01-15T12:00:00-06:00"},
                  {"05-12-2026 7pm", "past"},
                  {"12-Dec-2026 7pm", "2026-12-12T19:00:00-06:00"},
                  {"Dec-12-2026 7pm", "2026-12-12T19:00:00-06:00"},
                  {"5-Dec 7pm", "2026-12-05T19:00:00-06:00"},
                  {"7-Eleven", "no_time"},
                  {"at 7-Eleven", "no_time"},
                  {"Cafe 24/7", "no_time"},
              });
}

// vocabulary.cpp finds the zones named in a text by a binary search of the database's zones, as
// date::locate_zone does, so that a name that is no zone costs no exception.
TEST_CASE("the tz database keeps its zones sorted by name") {
  const auto& zones = date::get_tzdb().zones;
  REQUIRE(zones.size() > 300);
  CHECK(std::is_sorted(zones.begin(), zones.end(),
                       [](const auto& a, const auto& b) { return a.name() < b.name(); }));
}

TEST_CASE("zones named in the text (rule 10)") {
  check_table(
      sat, "America/Chicago",
      {
          {"3pm Europe/Berlin", "2026-11-29T08:00:00-06:00"},
          {"9pm europe/berlin", "2026-11-28T14:00:00-06:00"},
          {"3pm america/argentina/buenos_aires", "2026-11-28T12:00:00-06:00"},
          {"3pm US/Pacific", "2026-11-28T17:00:00-06:00"},
          {"3pm Europe/Atlantis", "2026-11-28T15:00:00-06:00"},  // no such zone
          {"3pm CET", "2026-11-29T08:00:00-06:00"},
          {"7pm CEST", "2026-11-28T11:00:00-06:00"},
          {"3pm EST", "2026-11-28T14:00:00-06:00"},
          {"3pm EDT", "2026-11-28T13:00:00-06:00"},
          {"3pm CST", "2026-11-28T15:00:00-06:00"},
          {"3pm CDT", "2026-11-28T14:00:00-06:00"},
          {"3pm MST", "2026-11-28T16:00:00-06:00"},
          {"3pm MDT", "2026-11-28T15:00:00-06:00"},
          {"7pm PST", "2026-11-28T21:00:00-06:00"},
          {"7pm PDT", "2026-11-28T20:00:00-06:00"},
          {"8pm BST", "2026-11-28T13:00:00-06:00"},
          {"9pm JST", "2026-11-29T06:00:00-06:00"},
          {"9pm AEDT", "2026-11-29T04:00:00-06:00"},
          {"9pm AEST", "2026-11-29T05:00:00-06:00"},
          {"5pm GMT", "2026-11-28T11:00:00-06:00"},
          {"15:00 UTC", "2026-11-29T09:00:00-06:00"},
          {"17:00 UTC", "2026-11-28T11:00:00-06:00"},
          {"17:00Z", "2026-11-28T11:00:00-06:00"},
          {"3pm ET", "2026-11-28T14:00:00-06:00"},
          {"3pm CT", "2026-11-28T15:00:00-06:00"},
          {"3pm MT", "2026-11-28T16:00:00-06:00"},
          {"3pm PT", "2026-11-28T17:00:00-06:00"},
          {"3pm +02:00", "2026-11-29T07:00:00-06:00"},
          {"9pm +0530", "2026-11-29T09:30:00-06:00"},
          {"21:00 +05:30", "2026-11-29T09:30:00-06:00"},
          {"3pm UTC+2", "2026-11-29T07:00:00-06:00"},
          {"11pm UTC+02:00", "2026-11-28T15:00:00-06:00"},
          {"3pm GMT+1", "2026-11-29T08:00:00-06:00"},
          {"18:00+01:00", "2026-11-28T11:00:00-06:00"},
          // A negative offset is one where it cannot end a span: apart from the clock
          // and whole, or after an ISO date-time with seconds.
          {"19:00 -0800", "2026-11-28T21:00:00-06:00"},
          {"7pm -08:00", "2026-11-28T21:00:00-06:00"},
          {"2026-12-03 19:00 -05:00", "2026-12-03T18:00:00-06:00"},
          {"Thu, 03 Dec 2026 19:00:00 -0800", "2026-12-03T21:00:00-06:00"},
          {"2026-12-03 19:00:00-08:00", "2026-12-03T21:00:00-06:00"},
          {"2026-12-03 10:00-12:00", "2026-12-03T10:00:00-06:00 .. 2026-12-03T12:00:00-06:00"},
          {"7pm - 9pm", "2026-11-28T19:00:00-06:00 .. 2026-11-28T21:00:00-06:00"},
          {"tomorrow 9am ET", "2026-11-29T08:00:00-06:00"},
      });
  // 20 March 2026: the US is on daylight time, the EU not yet (they are out of step).
  check_table("2026-03-20T10:00:00", "Europe/Berlin",
              {
                  {"3pm ET", "2026-03-20T20:00:00+01:00"},
                  {"3pm EST", "2026-03-20T21:00:00+01:00"},
                  {"3pm CT", "2026-03-20T21:00:00+01:00"},
                  {"3pm PT", "2026-03-20T23:00:00+01:00"},
              });
  // Rule 12: "7pm PST" asked from Sydney: the next 7pm Pacific.
  check_table("2026-03-20T10:00:00", "Australia/Sydney",
              {{"7pm PST", "2026-03-20T14:00:00+11:00"}});
  check_table("2026-06-15T09:00:00", "Asia/Tokyo",
              {
                  {"3pm CET", "2026-06-15T23:00:00+09:00"},
                  {"3pm Europe/Berlin", "2026-06-15T22:00:00+09:00"},
                  {"noon UTC", "2026-06-15T21:00:00+09:00"},
              });
  // A day counted from today is the channel's, whatever day it is in the zone named.
  check_table("2026-11-28T23:30:00", "America/Chicago",
              {
                  {"tomorrow 3pm EST", "2026-11-29T14:00:00-06:00"},
                  {"tomorrow 3pm UTC", "2026-11-29T09:00:00-06:00"},
              });
  check_table("2026-11-28T10:15:00", "Asia/Kolkata",
              {
                  {"tomorrow 9am EST", "2026-11-29T19:30:00+05:30"},
                  {"today 5pm EST", "2026-11-29T03:30:00+05:30"},
                  {"day after tomorrow 9am EST", "2026-11-30T19:30:00+05:30"},
                  {"in 2 days at 9am EST", "2026-11-30T19:30:00+05:30"},
              });
  check_table("2026-11-28T10:15:00", "Pacific/Auckland",
              {{"tomorrow 9am UTC", "2026-11-29T22:00:00+13:00"}});
}

TEST_CASE("spans set ends_at") {
  check_table(
      sat, "America/Chicago",
      {
          {"7-9pm", "2026-11-28T19:00:00-06:00 .. 2026-11-28T21:00:00-06:00"},
          {"7pm-9pm", "2026-11-28T19:00:00-06:00 .. 2026-11-28T21:00:00-06:00"},
          {"7pm\xE2\x80\x93"
           "9pm",
           "2026-11-28T19:00:00-06:00 .. 2026-11-28T21:00:00-06:00"},
          {"from 6 to 8pm", "2026-11-28T18:00:00-06:00 .. 2026-11-28T20:00:00-06:00"},
          {"6 till 8", "2026-11-28T18:00:00-06:00 .. 2026-11-28T20:00:00-06:00"},
          {"11-1pm", "2026-11-28T11:00:00-06:00 .. 2026-11-28T13:00:00-06:00"},
          {"10pm-1am", "2026-11-28T22:00:00-06:00 .. 2026-11-29T01:00:00-06:00"},
          {"15:00-17:00", "2026-11-28T15:00:00-06:00 .. 2026-11-28T17:00:00-06:00"},
          {"3pm for 2 hours", "2026-11-28T15:00:00-06:00 .. 2026-11-28T17:00:00-06:00"},
          {"tomorrow 3pm for 90 minutes", "2026-11-29T15:00:00-06:00 .. 2026-11-29T16:30:00-06:00"},
          {"friday 7-9pm", "2026-12-04T19:00:00-06:00 .. 2026-12-04T21:00:00-06:00"},
      });
}

TEST_CASE("DST gaps shift forward, folds take the first occurrence (rule 11)") {
  // US spring-forward 2026-03-08 and 2027-03-14; fall-back 2026-11-01 and 2027-11-07.
  check_table("2026-03-07T10:00:00", "America/Chicago",
              {
                  {"tomorrow 2:30am", "2026-03-08T03:30:00-05:00"},
                  {"tomorrow at 02:30", "2026-03-08T03:30:00-05:00"},
                  {"tomorrow 2am", "2026-03-08T03:00:00-05:00"},
                  {"tomorrow 3am", "2026-03-08T03:00:00-05:00"},
                  {"tomorrow 1:59am", "2026-03-08T01:59:00-06:00"},
              });
  check_table("2027-03-13T12:00:00", "America/Chicago",
              {{"tomorrow 2:15am", "2027-03-14T03:15:00-05:00"}});
  check_table("2026-10-31T10:00:00", "America/Chicago",
              {
                  {"tomorrow 1:30am", "2026-11-01T01:30:00-05:00"},
                  {"tomorrow 1am", "2026-11-01T01:00:00-05:00"},
                  {"tomorrow 2am", "2026-11-01T02:00:00-06:00"},
              });
  check_table("2027-11-06T10:00:00", "America/Chicago",
              {{"tomorrow 1:30am", "2027-11-07T01:30:00-05:00"}});
  // EU: 2026-03-29 and 2027-03-28 forward at 02:00, 2026-10-25 and 2027-10-31 back at 03:00.
  check_table("2026-03-28T10:00:00", "Europe/Berlin",
              {{"tomorrow 2:30am", "2026-03-29T03:30:00+02:00"},
               {"tomorrow 02:00", "2026-03-29T03:00:00+02:00"}});
  check_table("2027-03-27T10:00:00", "Europe/Berlin",
              {{"tomorrow 2:30am", "2027-03-28T03:30:00+02:00"}});
  check_table("2026-10-24T10:00:00", "Europe/Berlin",
              {{"tomorrow 2:30am", "2026-10-25T02:30:00+02:00"}});
  check_table("2027-10-30T10:00:00", "Europe/Berlin",
              {{"tomorrow 02:30", "2027-10-31T02:30:00+02:00"}});
  // Sydney: forward 2026-10-04 02:00 -> 03:00, back 2026-04-05 03:00 -> 02:00.
  check_table("2026-10-03T10:00:00", "Australia/Sydney",
              {{"tomorrow 2:30am", "2026-10-04T03:30:00+11:00"}});
  check_table("2026-04-04T10:00:00", "Australia/Sydney",
              {{"tomorrow 2:30am", "2026-04-05T02:30:00+11:00"}});
  // A time with no date on the gap day itself, said before the gap.
  check_table("2026-03-08T01:00:00", "America/Chicago", {{"02:30", "2026-03-08T03:30:00-05:00"}});
  // Weeks when the US and the EU are out of step (US changed, EU not yet).
  check_table("2026-03-10T08:00:00", "America/Chicago",
              {{"3pm CET", "2026-03-10T09:00:00-05:00"},
               {"3pm Europe/Berlin", "2026-03-10T09:00:00-05:00"},
               {"5pm Europe/London", "2026-03-10T12:00:00-05:00"}});
  // EU changed back on 25 October, the US not until 1 November: Berlin is 6 hours ahead.
  check_table("2026-10-27T08:00:00", "America/Chicago",
              {{"3pm Europe/Berlin", "2026-10-27T09:00:00-05:00"},
               {"3pm ET", "2026-10-27T14:00:00-05:00"}});

  const auto gap = parsed("2026-03-07T10:00:00", "America/Chicago", "tomorrow 2:30am");
  CHECK(has(gap, tp::assumption::dst_gap_shifted));
  const auto fold = parsed("2026-10-31T10:00:00", "America/Chicago", "tomorrow 1:30am");
  CHECK(has(fold, tp::assumption::dst_fold_first));
}

TEST_CASE("other channel zones") {
  check_table("2026-11-28T10:15:37", "Asia/Tokyo",
              {
                  {"in 2 hours", "2026-11-28T12:15:37+09:00"},
                  {"tomorrow", "2026-11-29T10:15:37+09:00"},
                  {"at 7", "2026-11-28T19:00:00+09:00"},
                  {"friday 6pm", "2026-12-04T18:00:00+09:00"},
                  {"9am", "2026-11-29T09:00:00+09:00"},
              });
  check_table("2026-11-28T23:59:30", "UTC",
              {
                  {"at midnight", "2026-11-29T00:00:00+00:00"},
                  {"tonight at midnight", "2026-11-29T00:00:00+00:00"},
                  {"in 1 min", "2026-11-29T00:00:30+00:00"},
                  {"11:59pm", "2026-11-29T23:59:00+00:00"},
              });
  check_table("2026-12-31T20:00:00", "Australia/Sydney",
              {
                  {"jan 1 10am", "2027-01-01T10:00:00+11:00"},
                  {"dec 31 9pm", "2026-12-31T21:00:00+11:00"},
                  {"dec 31 7pm", "2027-12-31T19:00:00+11:00"},
                  {"the 1st", "2027-01-01T12:00:00+11:00"},
              });
  check_table("2026-07-01T12:00:00", "Europe/Berlin",
              {
                  {"3pm", "2026-07-01T15:00:00+02:00"},
                  {"at 11", "2026-07-01T23:00:00+02:00"},
                  {"15.30", "2026-07-01T15:30:00+02:00"},
                  {"2.50", "no_time"},
                  {"19.99", "no_time"},
                  {"at 15.30", "2026-07-01T15:30:00+02:00"},
              });
}

TEST_CASE("explicit past is rejected (rule 3)") {
  check_table(sat, "America/Chicago",
              {
                  {"yesterday at 3pm", "past"},
                  {"Yesterday 3pm", "past"},
                  {"yesterday", "past"},
                  {"last friday 6pm", "past"},
                  {"last week", "past"},
                  {"2 hours ago", "past"},
                  {"5 minutes ago", "past"},
                  {"2020-01-01 10:00", "past"},
                  {"Nov 27, 2026 6pm", "past"},
                  {"2026-11-28T09:00", "past"},
                  {"12/3/2020", "past"},
                  {"in 0 minutes", "past"},
              });
}

TEST_CASE("invalid values are rejected (rule 4)") {
  check_table(sat, "America/Chicago",
              {
                  {"25pm", "invalid"},
                  {"13pm", "invalid"},
                  {"14PM", "invalid"},
                  {"0pm", "invalid"},
                  {"24:30", "invalid"},
                  {"25:12", "invalid"},
                  {"12:60", "invalid"},
                  {"2500 hrs", "invalid"},
                  {"31-11-2026 6pm", "invalid"},
                  {"1275 hours", "invalid"},
                  {"feb 30", "invalid"},
                  {"june 31", "invalid"},
                  {"32nd of december", "invalid"},
                  {"the thirty-second at 7pm", "invalid"},
                  {"February thirtieth 7pm", "invalid"},
                  {"13/13", "invalid"},
                  {"2026-13-01", "invalid"},
                  {"february 29, 2027", "invalid"},
                  {"tomorrow at 25pm", "invalid"},
                  // A minute of one digit is a slip, not the hour after it.
                  {"12:5pm", "invalid"},
                  {"7.5pm", "invalid"},
                  {"tomorrow 3:015pm", "invalid"},
                  // A span must have some length (found by the fuzzer).
                  {"3pm for 0 hours", "invalid"},
                  {"3p0for0s", "invalid"},
                  // Neither number a month, yet written as a date: with a year, after "on", or
                  // as two day numbers next to the time.
                  {"13/13 at 5pm", "invalid"},
                  {"14/13 at 5pm", "invalid"},
                  {"5pm 13/25", "invalid"},
                  {"5pm on 13/13", "invalid"},
                  {"13/13/2027 5pm", "invalid"},
                  {"25/25/2027 5pm", "invalid"},
              });
}

TEST_CASE("no time is rejected (rule 5)") {
  // Far beyond any meetup, and beyond int day counts (found by the fuzzer).
  check_table(sat, "America/Chicago",
              {{"in 444444444 weeks", "no_time"}, {"444444444w", "no_time"}});
  check_table(sat, "America/Chicago",
              {
                  {"", "no_time"},
                  {"   ", "no_time"},
                  {"\t\n", "no_time"},
                  {"asdf", "no_time"},
                  {"soon", "no_time"},
                  {"later", "no_time"},
                  {"lunch", "no_time"},
                  {"Version: 1.1.30", "no_time"},
                  {"1.5", "no_time"},
                  {"today", "no_time"},
                  {"Europe/Berlin", "no_time"},
                  {"for 2 hours", "no_time"},
              });
}

TEST_CASE("error messages say why, suggest a fix and echo nothing unprintable") {
  const auto ctx = context(sat, "America/Chicago");
  auto message = [&](std::string_view text) {
    const auto r = tp::parse_time(text, ctx);
    REQUIRE(std::holds_alternative<tp::parse_error>(r));
    return std::get<tp::parse_error>(r).message;
  };
  CHECK(message("25pm").find("25pm") != std::string::npos);
  CHECK(message("feb 30").find("February 30") != std::string::npos);
  CHECK(message("yesterday at 3pm").find("yesterday") != std::string::npos);
  CHECK(message("asdf").find("Try") != std::string::npos);
  static constexpr char escape[] = "\x01\x1b[2J 25pm\x07";
  static constexpr char nul[] = "yesterday\x00\x1b";
  static constexpr char controls[] = "\x1b\x01\x02 feb 30";
  for (std::string_view text :
       {std::string_view{escape, sizeof escape - 1}, std::string_view{nul, sizeof nul - 1},
        std::string_view{controls, sizeof controls - 1}}) {
    const auto m = message(text);
    CHECK(std::none_of(m.begin(), m.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }));
  }
}

TEST_CASE("assumptions are recorded") {
  CHECK(has(parsed(sat, "America/Chicago", "at 7"), tp::assumption::pm_for_bare_hour));
  CHECK(has(parsed(sat, "America/Chicago", "at 7"), tp::assumption::channel_zone));
  CHECK(has(parsed(sat, "America/Chicago", "at 11"), tp::assumption::am_for_bare_hour));
  CHECK(has(parsed(sat, "America/Chicago", "9am"), tp::assumption::tomorrow_because_passed));
  CHECK(has(parsed(sat, "America/Chicago", "12/3"), tp::assumption::us_date_order));
  CHECK(has(parsed(sat, "America/Chicago", "13/12"), tp::assumption::day_month_order));
  CHECK(has(parsed(sat, "America/Chicago", "nov 27"), tp::assumption::next_year_because_passed));
  CHECK(has(parsed(sat, "America/Chicago", "saturday 9am"),
            tp::assumption::next_week_because_passed));
  CHECK(has(parsed(sat, "America/Chicago", "friday"), tp::assumption::noon_for_date_only));
  CHECK(has(parsed(sat, "America/Chicago", "tomorrow"), tp::assumption::now_for_date_only));
  const auto zoned = parsed(sat, "America/Chicago", "3pm CET");
  CHECK(has(zoned, tp::assumption::zone_from_text));
  CHECK_FALSE(has(zoned, tp::assumption::channel_zone));
  const auto plain = parsed(sat, "America/Chicago", "3pm");
  CHECK(plain.assumptions == tp::assumption_list{tp::assumption::channel_zone});
}

TEST_CASE("consumed covers exactly the time phrase") {
  const std::string text = "see you tomorrow at 3pm, ok?";
  const auto t = parsed(sat, "America/Chicago", text);
  REQUIRE(t.consumed.size() == 1);
  CHECK(text.substr(t.consumed[0].begin, t.consumed[0].end - t.consumed[0].begin) ==
        "tomorrow at 3pm");
  const std::string split = "tomorrow at Starbucks 3pm";
  const auto s = parsed(sat, "America/Chicago", split);
  REQUIRE(s.consumed.size() == 2);
  CHECK(s.consumed[0] == tp::text_range{0, 8});
  CHECK(s.consumed[1] == tp::text_range{22, 25});
}

namespace {

struct command_row {
  const char* text;
  const char* when;
  const char* where;
};

void check_commands(const tp::parse_context& ctx, const std::vector<command_row>& rows) {
  for (const auto& r : rows) {
    const std::string text{r.text};
    CAPTURE(text);
    const auto result = tp::parse_place_and_time(r.text, ctx);
    REQUIRE(std::holds_alternative<tp::parsed_command>(result));
    const auto& c = std::get<tp::parsed_command>(result);
    CHECK(tp::format_iso(c.time.starts_at, *ctx.zone) == r.when);
    CHECK(c.place == r.where);
  }
}

}  // namespace

TEST_CASE("place and time of a command (rule 14)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"Starbucks Alabaster 3pm", "2026-11-28T15:00:00-06:00", "Starbucks Alabaster"},
      {"tomorrow 3pm at Starbucks", "2026-11-29T15:00:00-06:00", "Starbucks"},
      {"tomorrow at Starbucks 3pm", "2026-11-29T15:00:00-06:00", "Starbucks"},
      {"Starbucks, tomorrow at 3pm", "2026-11-29T15:00:00-06:00", "Starbucks"},
      {"Starbucks on friday at 6pm", "2026-12-04T18:00:00-06:00", "Starbucks"},
      {"Joe's Pizza - 7pm", "2026-11-28T19:00:00-06:00", "Joe's Pizza"},
      {"the pub @ 8", "2026-11-28T20:00:00-06:00", "the pub"},
      {"at Starbucks 7pm tomorrow", "2026-11-29T19:00:00-06:00", "Starbucks"},
      {"Noon Cafe 3pm", "2026-11-28T15:00:00-06:00", "Noon Cafe"},
      {"Noon Cafe at noon", "2026-11-28T12:00:00-06:00", "Noon Cafe"},
      {"Midnight Diner 11pm", "2026-11-28T23:00:00-06:00", "Midnight Diner"},
      {"Mon Ami Gabi 7pm", "2026-11-28T19:00:00-06:00", "Mon Ami Gabi"},
      // A capitalized weekday that opens a name stays in it, even right after the time.
      {"tomorrow 7:30pm Mon Ami Gabi", "2026-11-29T19:30:00-06:00", "Mon Ami Gabi"},
      {"TGI Fridays 6pm", "2026-11-28T18:00:00-06:00", "TGI Fridays"},
      {"March Coffee tomorrow 3pm", "2026-11-29T15:00:00-06:00", "March Coffee"},
      {"Sunday Bakery 10am", "2026-11-29T10:00:00-06:00", "Sunday Bakery"},
      {"Tuesday Morning parking lot 3pm", "2026-11-28T15:00:00-06:00",
       "Tuesday Morning parking lot"},
      {"5 O'Clock Somewhere Bar 6pm", "2026-11-28T18:00:00-06:00", "5 O'Clock Somewhere Bar"},
      {"Platform 9 3/4 at 3pm", "2026-11-28T15:00:00-06:00", "Platform 9 3/4"},
      {"Shop 4/12 Market St 3pm", "2026-11-28T15:00:00-06:00", "Shop 4/12 Market St"},
      {"Stra\xC3\x9F"
       "e des 17. Juni 3pm",
       "2026-11-28T15:00:00-06:00",
       "Stra\xC3\x9F"
       "e des 17. Juni"},
      {"Cafe 1900 at 7pm", "2026-11-28T19:00:00-06:00", "Cafe 1900"},
      {"Blue Bottle 1500 hrs", "2026-11-28T15:00:00-06:00", "Blue Bottle"},
      // "24/7" is around the clock, unless "on" makes it a date.
      {"Cafe 24/7 at 7pm", "2026-11-28T19:00:00-06:00", "Cafe 24/7"},
      {"24/7 Diner tomorrow 3pm", "2026-11-29T15:00:00-06:00", "24/7 Diner"},
      {"Starbucks 12-05-2026 7pm", "2026-12-05T19:00:00-06:00", "Starbucks"},
      {"Starbucks 5-Dec 7pm", "2026-12-05T19:00:00-06:00", "Starbucks"},
      {"Hotel 1-2-3 at 6pm", "2026-11-28T18:00:00-06:00", "Hotel 1-2-3"},
      // Two bare numbers are a house number, a pair that is no date a name.
      {"12-14 Main St at 3pm", "2026-11-28T15:00:00-06:00", "12-14 Main St"},
      {"16-18 Church Rd, 7pm", "2026-11-28T19:00:00-06:00", "16-18 Church Rd"},
      {"Bar 18-20", "2026-11-28T18:00:00-06:00", "Bar"},
      {"Bar tomorrow 18-20", "2026-11-29T18:00:00-06:00", "Bar"},
      {"Bar 18-20 at 9pm", "2026-11-28T21:00:00-06:00", "Bar 18-20"},
      {"Bar 18-20 tomorrow 9pm", "2026-11-29T21:00:00-06:00", "Bar 18-20"},
      {"Bar 18-20, 9pm", "2026-11-28T21:00:00-06:00", "Bar 18-20"},
      {"50/50 Bar at 9pm", "2026-11-28T21:00:00-06:00", "50/50 Bar"},
      {"20/20 Eyewear 3pm", "2026-11-28T15:00:00-06:00", "20/20 Eyewear"},
      {"Bar on 24/7 at 7pm", "2027-07-24T19:00:00-05:00", "Bar"},
      // A capital only where the text opens is no name; "Seven Eleven" is one.
      {"Twelve thirty at Starbucks", "2026-11-28T12:30:00-06:00", "Starbucks"},
      {"Seven Eleven 7pm", "2026-11-28T19:00:00-06:00", "Seven Eleven"},
      {"Studio 2026 friday 6pm", "2026-12-04T18:00:00-06:00", "Studio 2026"},
      {"7-Eleven at 5pm", "2026-11-28T17:00:00-06:00", "7-Eleven"},
      {"Cafe 101 tomorrow 9am", "2026-11-29T09:00:00-06:00", "Cafe 101"},
      {"Starbucks   Alabaster\t 3pm", "2026-11-28T15:00:00-06:00", "Starbucks Alabaster"},
      {"The 5th Element Bar 7pm", "2026-11-28T19:00:00-06:00", "The 5th Element Bar"},
      {"Starbucks on the 5th at 3pm", "2026-12-05T15:00:00-06:00", "Starbucks"},
      {"the 5th at Starbucks 3pm", "2026-12-05T15:00:00-06:00", "Starbucks"},
      {"42nd Street Diner 7pm", "2026-11-28T19:00:00-06:00", "42nd Street Diner"},
      {"Pizza Hut @ 6:30pm", "2026-11-28T18:30:00-06:00", "Pizza Hut"},
      {"Sunday Bakery on sunday 10am", "2026-11-29T10:00:00-06:00", "Sunday Bakery"},
  };
  check_commands(ctx, rows);
  auto error_of = [&](std::string_view text) {
    const auto result = tp::parse_place_and_time(text, ctx);
    REQUIRE(std::holds_alternative<tp::parse_error>(result));
    return std::get<tp::parse_error>(result);
  };
  CHECK(error_of("Starbucks").kind == tp::error_kind::no_time);
  CHECK(error_of("Cafe 101").kind == tp::error_kind::no_time);
  CHECK(error_of("7-Eleven").kind == tp::error_kind::no_time);
  CHECK(error_of("").kind == tp::error_kind::no_time);
  CHECK(error_of("3pm").kind == tp::error_kind::no_place);
  CHECK(error_of("tomorrow at 3pm").kind == tp::error_kind::no_place);
  CHECK(error_of("3pm").message.find("Where") != std::string::npos);
  CHECK(error_of("Starbucks yesterday 3pm").kind == tp::error_kind::past);
  CHECK(error_of("Starbucks 25pm").kind == tp::error_kind::invalid);
}

// The resolver keeps, per thread, the stretch of each zone's history around `now` (a few zones at
// once) and reads wall times inside it without asking the database. Here `now` walks across every
// offset change of eleven zones in 2026-2027 (DST both ways, a 30-minute DST, a negative one,
// changes of standard time), the zones taking turns so that the kept stretches are replaced all
// the time, and each answer is checked against the database read directly with rule 11.
TEST_CASE("answers near every offset change match the tz database, whatever the zone cache holds") {
  using std::chrono::hours;
  using std::chrono::minutes;
  using std::chrono::seconds;
  const std::vector<const char*> zone_names{
      "America/Chicago",   "Europe/Berlin",    "Australia/Lord_Howe", "Australia/Sydney",
      "Europe/Dublin",     "Asia/Tehran",      "America/Santiago",    "Pacific/Chatham",
      "Africa/Casablanca", "America/St_Johns", "Asia/Tokyo"};
  struct probe {
    const date::time_zone* zone;
    std::chrono::sys_seconds now;
  };
  std::vector<probe> probes;
  for (const char* name : zone_names) {
    const auto* zone = date::locate_zone(name);
    std::chrono::sys_seconds at{date::sys_days{date::year{2026} / 1 / 1}.time_since_epoch()};
    const std::chrono::sys_seconds stop{
        date::sys_days{date::year{2028} / 1 / 1}.time_since_epoch()};
    while (true) {
      const auto change = zone->get_info(at).end;
      if (change >= stop) break;
      for (const seconds offset : {seconds{hours{-72}}, seconds{hours{-36}}, seconds{hours{-25}},
                                   seconds{hours{-1}}, seconds{-1}, seconds{0}, seconds{1},
                                   seconds{minutes{45}}, seconds{hours{23}}, seconds{hours{49}}}) {
        probes.push_back({zone, change + offset});
      }
      at = change;
    }
  }
  REQUIRE(probes.size() > 300);
  // Zones take turns: probe k of every zone, then probe k + 1, ...
  std::stable_sort(probes.begin(), probes.end(), [](const probe& a, const probe& b) {
    return a.now.time_since_epoch() % hours{97} < b.now.time_since_epoch() % hours{97};
  });

  const std::vector<std::pair<const char*, minutes>> clocks{
      {"00:30", minutes{30}},  {"01:30", minutes{90}},  {"02:00", minutes{120}},
      {"02:30", minutes{150}}, {"03:30", minutes{210}}, {"23:45", minutes{23 * 60 + 45}}};
  int checked = 0;
  for (const auto& [zone, now] : probes) {
    const tp::parse_context ctx{now, zone};
    const auto today = date::floor<date::days>(zone->to_local(now));
    for (const auto& [clock, wall] : clocks) {
      for (const int ahead : {0, 1}) {
        const std::string text = std::string{ahead == 0 ? "today " : "tomorrow "} + clock;
        const date::local_seconds local{today + date::days{ahead} + wall};
        const auto info = zone->get_info(local);
        const std::chrono::sys_seconds expected{local.time_since_epoch() - info.first.offset};
        const std::string where{zone->name()};
        const std::string at = tp::format_iso(now, *zone);
        CAPTURE(where);
        CAPTURE(at);
        CAPTURE(text);
        const auto result = tp::parse_time(text, ctx);
        if (expected <= now) {
          CHECK(std::holds_alternative<tp::parse_error>(result));
          continue;
        }
        REQUIRE(std::holds_alternative<tp::parsed_time>(result));
        const auto& p = std::get<tp::parsed_time>(result);
        CHECK(p.starts_at == expected);
        CHECK(has(p, tp::assumption::dst_gap_shifted) ==
              (info.result == date::local_info::nonexistent));
        CHECK(has(p, tp::assumption::dst_fold_first) ==
              (info.result == date::local_info::ambiguous));
        ++checked;
      }
    }
  }
  CHECK(checked > 3000);
}

TEST_CASE("every accepted answer is strictly after now (rule 2, property)") {
  const std::vector<const char*> zones{"America/Chicago",  "Europe/Berlin", "Asia/Tokyo",
                                       "Australia/Sydney", "UTC",           "America/New_York"};
  const std::vector<const char*> nows{
      "2026-11-28T10:15:00", "2026-11-28T23:59:59", "2026-03-08T01:59:30", "2026-03-29T01:45:00",
      "2026-11-01T01:30:00", "2026-10-25T02:30:00", "2026-12-31T23:30:00", "2027-02-28T12:00:00",
      "2026-04-05T02:30:00", "2026-10-04T01:59:00", "2026-06-15T00:00:00", "2028-02-29T18:00:00"};
  const std::vector<const char*> days{
      "",        "tomorrow ", "friday ", "this sunday ", "next monday ",
      "dec 31 ", "the 1st ",  "12/3 ",   "in 2 days at "};
  const std::vector<const char*> times{"",      "at 7",      "3pm",      "00:00",  "23:59",
                                       "noon",  "midnight",  "02:30",    "1:30am", "half past 1",
                                       "7-9pm", "8 tonight", "3pm CET",  "9am PT", "quarter to 12",
                                       "12am",  "12pm",      "11:59 pm", "at 12",  "in 90 min"};
  int accepted = 0;
  for (const char* zone : zones) {
    for (const char* now : nows) {
      const auto ctx = context(now, zone);
      for (const char* d : days) {
        for (const char* t : times) {
          const std::string text = std::string{d} + t;
          const auto r = tp::parse_time(text, ctx);
          if (const auto* p = std::get_if<tp::parsed_time>(&r)) {
            ++accepted;
            const std::string where{zone};
            const std::string at{now};
            CAPTURE(where);
            CAPTURE(at);
            CAPTURE(text);
            CHECK(p->starts_at > ctx.now);
            if (p->ends_at) CHECK(*p->ends_at > p->starts_at);
            // The printed offset is the channel zone's offset at that instant, and the text
            // reads back as the same instant.
            const std::string iso = tp::format_iso(p->starts_at, *ctx.zone);
            const auto offset = ctx.zone->get_info(p->starts_at).offset;
            const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(offset).count();
            CHECK(iso.substr(19) == fmt_offset(static_cast<int>(minutes)));
            std::istringstream in(iso.substr(0, 19));
            date::local_seconds wall;
            in >> date::parse("%FT%T", wall);
            REQUIRE_FALSE(in.fail());
            CHECK(wall.time_since_epoch() - offset == p->starts_at.time_since_epoch());
          }
        }
      }
    }
  }
  CHECK(accepted > 5000);
}

TEST_CASE("any bytes are accepted without a crash, and long inputs stay linear") {
  const auto ctx = context(sat, "America/Chicago");
  std::string junk;
  unsigned state = 12345;
  for (int i = 0; i < 100'000; ++i) {
    state = state * 1103515245u + 12345u;
    junk.push_back(static_cast<char>(state >> 16));
  }
  (void)tp::parse_time(junk, ctx);
  (void)tp::parse_place_and_time(junk, ctx);
  for (std::size_t n = 0; n < 2000; n += 7) {
    (void)tp::parse_time(std::string_view{junk}.substr(n, 64), ctx);
    (void)tp::parse_place_and_time(std::string_view{junk}.substr(n, 64), ctx);
  }
  std::string words;
  while (words.size() < 100'000)
    words += "at 7 on the 5th of 3/4 - in a 1.1.3 tomorrow ";
  (void)tp::parse_time(words, ctx);
  (void)tp::parse_place_and_time(words, ctx);
  static constexpr char raw[] = "3pm\0at\xff\xfe Starbucks";
  const std::string with_nul{raw, sizeof raw - 1};
  const auto r = tp::parse_place_and_time(with_nul, ctx);
  CHECK(std::holds_alternative<tp::parsed_command>(r));
  std::string digits(100'000, '9');
  CHECK(std::holds_alternative<tp::parse_error>(tp::parse_time(digits, ctx)));
  // Hundreds of names that look like zones and are none: each is an ordinary miss.
  std::string not_zones;
  while (not_zones.size() < 4000)
    not_zones += "us/zz europe/xx ";
  CHECK(std::holds_alternative<tp::parse_error>(tp::parse_time(not_zones, ctx)));
  CHECK(run(sat, "America/Chicago", not_zones + "3pm") == "2026-11-28T15:00:00-06:00");
}

TEST_CASE("a zone written before the time sets how it is read (rule 10)") {
  check_table(sat, "America/Chicago",
              {
                  {"CET 3pm", "2026-11-29T08:00:00-06:00"},
                  {"PST 7pm", "2026-11-28T21:00:00-06:00"},
                  {"pst 7pm", "2026-11-28T21:00:00-06:00"},
                  {"UTC 15:00", "2026-11-29T09:00:00-06:00"},
                  {"UTC 9am", "2026-11-29T03:00:00-06:00"},
                  {"GMT 5pm", "2026-11-28T11:00:00-06:00"},
                  {"EST: 6pm", "2026-11-28T17:00:00-06:00"},
                  {"EST 7pm", "2026-11-28T18:00:00-06:00"},
                  {"est 6pm", "2026-11-28T17:00:00-06:00"},
                  {"ET 3pm", "2026-11-28T14:00:00-06:00"},
                  {"PT 9am", "2026-11-28T11:00:00-06:00"},
                  {"CET: 20:00", "2026-11-28T13:00:00-06:00"},
                  {"UTC+2 15:00", "2026-11-29T07:00:00-06:00"},
                  {"GMT+1 3pm", "2026-11-29T08:00:00-06:00"},
                  {"EST 6pm tomorrow", "2026-11-29T17:00:00-06:00"},
                  {"tomorrow EST 6pm", "2026-11-29T17:00:00-06:00"},
                  {"Z 3pm", "2026-11-28T15:00:00-06:00"},
                  {"UTC+02:00 3pm", "2026-11-29T07:00:00-06:00"},
              });
}

TEST_CASE("chat phrasings") {
  check_table(
      sat, "America/Chicago",
      {
          // Digit minutes before "to", "past", "after"; fractions; British "half 7" (rule 6).
          {"10 to 8", "2026-11-28T19:50:00-06:00"},
          {"at 10 to 8", "2026-11-28T19:50:00-06:00"},
          {"20 to 9pm", "2026-11-28T20:40:00-06:00"},
          {"10 to 2", "2026-11-28T13:50:00-06:00"},
          {"tomorrow 10 to 8", "2026-11-29T07:50:00-06:00"},
          {"5 past 7", "2026-11-28T19:05:00-06:00"},
          {"20 after 6", "2026-11-28T18:20:00-06:00"},
          {"5 to 7pm", "2026-11-28T17:00:00-06:00 .. 2026-11-28T19:00:00-06:00"},
          {"1/2 past 3", "2026-11-28T15:30:00-06:00"},
          {"1/4 past 6", "2026-11-28T18:15:00-06:00"},
          {"1/4 to 6", "2026-11-28T17:45:00-06:00"},
          {"half 7", "2026-11-28T19:30:00-06:00"},
          {"half seven", "2026-11-28T19:30:00-06:00"},
          {"half 8pm", "2026-11-28T20:30:00-06:00"},
          {"half 7 tomorrow", "2026-11-29T07:30:00-06:00"},
          {"a quarter past 7", "2026-11-28T19:15:00-06:00"},
          // European dotted dates, day first.
          {"3.12.", "2026-12-03T12:00:00-06:00"},
          {"3.12.2026", "2026-12-03T12:00:00-06:00"},
          {"03.12.2026 18:00", "2026-12-03T18:00:00-06:00"},
          {"17.6. 7pm", "2027-06-17T19:00:00-05:00"},
          {"12.12. 20:00", "2026-12-12T20:00:00-06:00"},
          {"24.12.2026 19 Uhr", "2026-12-24T19:00:00-06:00"},
          {"1.1.2027", "2027-01-01T12:00:00-06:00"},
          {"7.30pm", "2026-11-28T19:30:00-06:00"},
          {"31.2.", "no_time"},
          // With a year it is a date: month first when day first cannot be, else a wrong one.
          {"1.13.2027 5pm", "2027-01-13T17:00:00-06:00"},
          {"32.12.2027 5pm", "invalid"},
          {"31.2.2027", "invalid"},
          {"v1.2.3", "no_time"},
          {"Version 2.0.1", "no_time"},
          // Chat spellings.
          {"2moro", "2026-11-29T10:15:00-06:00"},
          {"2moro 7pm", "2026-11-29T19:00:00-06:00"},
          {"2MORO 7PM", "2026-11-29T19:00:00-06:00"},
          {"2nite 8", "2026-11-28T20:00:00-06:00"},
          {"2day 5pm", "2026-11-28T17:00:00-06:00"},
          {"tmrow 5pm", "2026-11-29T17:00:00-06:00"},
          {"tonite 8", "2026-11-28T20:00:00-06:00"},
          {"midday", "2026-11-28T12:00:00-06:00"},
          {"mid-day", "2026-11-28T12:00:00-06:00"},
          {"mid day", "2026-11-28T12:00:00-06:00"},
          {"noonish", "2026-11-28T12:00:00-06:00"},
          {"midnite", "2026-11-29T00:00:00-06:00"},
          {"7ish", "2026-11-28T19:00:00-06:00"},
          {"at 7ish", "2026-11-28T19:00:00-06:00"},
          {"tonight 8ish", "2026-11-28T20:00:00-06:00"},
          {"this aft", "2026-11-28T15:00:00-06:00"},
          // A bare hour right after a day (rule 6 on that day).
          {"tomorrow 6", "2026-11-29T06:00:00-06:00"},
          {"today 5", "2026-11-28T17:00:00-06:00"},
          {"today 18", "2026-11-28T18:00:00-06:00"},
          {"sat 2", "2026-11-28T14:00:00-06:00"},
          {"sun 11", "2026-11-29T11:00:00-06:00"},
          {"fri 7-9", "2026-12-04T07:00:00-06:00 .. 2026-12-04T09:00:00-06:00"},
          {"tomorrow 6 people", "2026-11-29T10:15:00-06:00"},
          // A weekday next to a date: the date wins.
          {"Sat, Dec 5 at 2:30pm", "2026-12-05T14:30:00-06:00"},
          {"sat 12/5 @ 7pm", "2026-12-05T19:00:00-06:00"},
          {"Saturday December 5th @ 7pm", "2026-12-05T19:00:00-06:00"},
          {"Sat 12/5", "2026-12-05T12:00:00-06:00"},
          // Weekends: their Saturday, noon when no time is given.
          {"this weekend", "2026-11-28T12:00:00-06:00"},
          {"next weekend", "2026-12-05T12:00:00-06:00"},
          {"on the weekend", "2026-11-28T12:00:00-06:00"},
          {"weekend", "2026-11-28T12:00:00-06:00"},
          {"this wknd", "2026-11-28T12:00:00-06:00"},
          {"this weekend 2pm", "2026-11-28T14:00:00-06:00"},
          {"next weekend at 7pm", "2026-12-05T19:00:00-06:00"},
          {"last weekend", "past"},
          // Parts of the day without a clock: chrono's 6, 15, 20, and 22 for "tonight".
          {"tomorrow night", "2026-11-29T20:00:00-06:00"},
          {"monday night", "2026-11-30T20:00:00-06:00"},
          {"tomorrow morning", "2026-11-29T06:00:00-06:00"},
          {"tomorrow afternoon", "2026-11-29T15:00:00-06:00"},
          // Relative days and months.
          {"a week from today", "2026-12-05T10:15:00-06:00"},
          {"a week from tomorrow", "2026-12-06T10:15:00-06:00"},
          {"2 weeks from today at 5pm", "2026-12-12T17:00:00-06:00"},
          {"next month", "2026-12-28T10:15:00-06:00"},
          {"next year", "2027-11-28T10:15:00-06:00"},
          {"in 15", "2026-11-28T10:30:00-06:00"},
          {"in 2026", "no_time"},
          // Holidays.
          {"christmas eve 7pm", "2026-12-24T19:00:00-06:00"},
          {"xmas", "2026-12-25T12:00:00-06:00"},
          {"new year's eve 9pm", "2026-12-31T21:00:00-06:00"},
          {"NYE 10pm", "2026-12-31T22:00:00-06:00"},
          {"new years day", "2027-01-01T12:00:00-06:00"},
          {"valentine's day 7pm", "2027-02-14T19:00:00-06:00"},
          {"valentines dinner at 8pm", "2027-02-14T20:00:00-06:00"},
          {"st. patrick's day 5pm", "2027-03-17T17:00:00-05:00"},
          {"saint paddy's day at noon", "2027-03-17T12:00:00-05:00"},
          {"independence day 9pm", "2027-07-04T21:00:00-05:00"},
          {"boxing day 2pm", "2026-12-26T14:00:00-06:00"},
          // By rule: they move from year to year. Thanksgiving 2026 (Nov 26) has passed.
          {"thanksgiving 2pm", "2027-11-25T14:00:00-06:00"},
          {"thanksgiving day", "2027-11-25T12:00:00-06:00"},
          {"memorial day 11am", "2027-05-31T11:00:00-05:00"},
          {"labor day bbq 1pm", "2027-09-06T13:00:00-05:00"},
          {"mother's day brunch 11am", "2027-05-09T11:00:00-05:00"},
          {"fathers day 1pm", "2027-06-20T13:00:00-05:00"},
          {"easter sunday 10am", "2027-03-28T10:00:00-05:00"},
          {"easter monday 10am", "2027-03-29T10:00:00-05:00"},
          // The name alone, where a word needs "day" to be one: a name, no time.
          {"labor 1pm", "2026-11-28T13:00:00-06:00"},
          {"valentine 7pm", "2026-11-28T19:00:00-06:00"},
      });
  // Easter moves with the moon: some years, against the tables (Gregorian computus).
  check_table("2026-11-28T10:15:00", "Europe/London",
              {
                  {"easter 2pm", "2027-03-28T14:00:00+01:00"},
              });
  check_table("2027-04-01T10:15:00", "Europe/London",
              {
                  {"easter 2pm", "2028-04-16T14:00:00+01:00"},
              });
  check_table("2028-05-01T10:15:00", "Europe/London",
              {
                  {"easter sunday", "2029-04-01T12:00:00+01:00"},
                  {"thanksgiving 6pm", "2028-11-23T18:00:00+00:00"},
              });
  check_table("2038-01-01T10:15:00", "UTC",
              {
                  {"easter sunday 9am", "2038-04-25T09:00:00+00:00"},
              });
  // "this weekend" on a Saturday afternoon: the next Saturday.
  check_table("2026-11-28T15:00:00", "America/Chicago",
              {{"this weekend", "2026-12-05T12:00:00-06:00"}});
}

TEST_CASE("place and time of chat commands (rule 14)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"CET 3pm Starbucks", "2026-11-29T08:00:00-06:00", "Starbucks"},
      {"Starbucks EST 6pm", "2026-11-28T17:00:00-06:00", "Starbucks"},
      {"the pub fri 6", "2026-12-04T06:00:00-06:00", "the pub"},
      {"Library at 10 to 8", "2026-11-28T19:50:00-06:00", "Library"},
      {"Cafe Luna 2moro 5pm", "2026-11-29T17:00:00-06:00", "Cafe Luna"},
      {"Stra\xC3\x9F"
       "e des 17. Juni 17.6. 7pm",
       "2027-06-17T19:00:00-05:00",
       "Stra\xC3\x9F"
       "e des 17. Juni"},
      {"Biergarten 03.12.2026 18:00", "2026-12-03T18:00:00-06:00", "Biergarten"},
      {"Starbucks this weekend", "2026-11-28T12:00:00-06:00", "Starbucks"},
      {"Park next weekend 2pm", "2026-12-05T14:00:00-06:00", "Park"},
      {"Starbucks @ 7ish", "2026-11-28T19:00:00-06:00", "Starbucks"},
      {"Starbucks \xE2\x80\x94 tomorrow 7pm", "2026-11-29T19:00:00-06:00", "Starbucks"},
      {"Sat at 2 - Central Park", "2026-11-28T14:00:00-06:00", "Central Park"},
      {"Bar fri 7-9", "2026-12-04T07:00:00-06:00", "Bar"},
      {"Noon Cafe CET 3pm", "2026-11-29T08:00:00-06:00", "Noon Cafe"},
      {"Tuesday Morning parking lot UTC+02:00 3pm", "2026-11-29T07:00:00-06:00",
       "Tuesday Morning parking lot"},
  };
  check_commands(ctx, rows);
}

// Found by probing the parser with several hundred phrasings of the kind people type.
TEST_CASE("a weekday before an ordinary word is the date (rules 2, 14)") {
  check_table(sat, "America/Chicago",
              {
                  {"Friday drinks 6pm", "2026-12-04T18:00:00-06:00"},
                  {"friday drinks at 6pm", "2026-12-04T18:00:00-06:00"},
                  {"sunday brunch 11am", "2026-11-29T11:00:00-06:00"},
                  {"Monday night football 7pm", "2026-11-30T19:00:00-06:00"},
                  {"Saturday morning coffee 9am", "2026-12-05T09:00:00-06:00"},
                  {"Friday 4th at 6pm", "2026-12-04T18:00:00-06:00"},
              });
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"Starbucks friday drinks 6pm", "2026-12-04T18:00:00-06:00", "Starbucks drinks"},
      // An abbreviated day is the date where a day is expected: opening the command, or after
      // "on". Today is Saturday, so "sat" at 10:00 (past) is next week's.
      {"wed lunch 12:30pm Panera", "2026-12-02T12:30:00-06:00", "lunch Panera"},
      {"sat coffee @ 10am Blue Bottle", "2026-12-05T10:00:00-06:00", "coffee Blue Bottle"},
      {"Sat coffee 10am Blue Bottle", "2026-12-05T10:00:00-06:00", "coffee Blue Bottle"},
      {"lunch on wed, Panera 12:30pm", "2026-12-02T12:30:00-06:00", "lunch Panera"},
      // Elsewhere, or written as a name, it is a word.
      {"Sun Valley Diner 7pm", "2026-11-28T19:00:00-06:00", "Sun Valley Diner"},
      {"where the sun sets bar 7pm", "2026-11-28T19:00:00-06:00", "where the sun sets bar"},
      // Written as one name, the day stays in it.
      {"Sunday Bakery 3pm", "2026-11-28T15:00:00-06:00", "Sunday Bakery"},
      {"Tuesday Morning parking lot 3pm", "2026-11-28T15:00:00-06:00",
       "Tuesday Morning parking lot"},
  };
  check_commands(ctx, rows);
}

TEST_CASE("after the time, the place keeps its time-like first word (rule 14)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"7pm at Noon Cafe", "2026-11-28T19:00:00-06:00", "Noon Cafe"},
      {"7pm @ Noon Cafe", "2026-11-28T19:00:00-06:00", "Noon Cafe"},
      {"tomorrow 7pm at Midnight Diner", "2026-11-29T19:00:00-06:00", "Midnight Diner"},
      {"7pm at 5 O'Clock Somewhere Bar", "2026-11-28T19:00:00-06:00", "5 O'Clock Somewhere Bar"},
      {"7 o'clock, 5 O'Clock Somewhere Bar", "2026-11-28T19:00:00-06:00",
       "5 O'Clock Somewhere Bar"},
      {"3pm at 10 Downing St", "2026-11-28T15:00:00-06:00", "10 Downing St"},
      {"tomorrow at 3pm at 5 Guys Burgers", "2026-11-29T15:00:00-06:00", "5 Guys Burgers"},
      {"7pm at 7-Eleven", "2026-11-28T19:00:00-06:00", "7-Eleven"},
      {"7pm at Seven Eleven", "2026-11-28T19:00:00-06:00", "Seven Eleven"},
      {"7pm at Night Owl Cafe", "2026-11-28T19:00:00-06:00", "Night Owl Cafe"},
      // After the time, a capitalized day and the word after it stay one name; only a zone
      // right after a day joins it to the time ("Friday UTC").
      {"tomorrow 7pm at Tuesday Morning parking lot", "2026-11-29T19:00:00-06:00",
       "Tuesday Morning parking lot"},
      {"at 7 at Tuesday Morning parking lot", "2026-11-28T19:00:00-06:00",
       "Tuesday Morning parking lot"},
  };
  check_commands(ctx, rows);
}

TEST_CASE("an ISO date after \"at\" is a date, not a four-digit time (rules 3, 9)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"Starbucks at 2026-12-01 18:00", "2026-12-01T18:00:00-06:00", "Starbucks"},
      {"Starbucks at 2026-12-24T19:00", "2026-12-24T19:00:00-06:00", "Starbucks"},
      {"Starbucks @ 2026-12-24", "2026-12-24T12:00:00-06:00", "Starbucks"},
      {"Studio 2026 at 2026-12-01 18:00", "2026-12-01T18:00:00-06:00", "Studio 2026"},
  };
  check_commands(ctx, rows);
  check_table(sat, "America/Chicago",
              {{"at 2020-01-01 10:00", "past"}, {"at 1930", "2026-11-28T19:30:00-06:00"}});
}

TEST_CASE("an ordinal day without \"the\", dotted times next to a day, midnight in a zone") {
  check_table(sat, "America/Chicago",
              {
                  {"5th at 3pm", "2026-12-05T15:00:00-06:00"},
                  {"on 22nd, 8pm", "2026-12-22T20:00:00-06:00"},
                  {"Wed 2nd 7pm", "2026-12-02T19:00:00-06:00"},
                  {"11.30 tonight", "2026-11-28T23:30:00-06:00"},
                  {"tonight 11.30", "2026-11-28T23:30:00-06:00"},
                  {"this evening 7.30", "2026-11-28T19:30:00-06:00"},
                  {"tomorrow 15.30", "2026-11-29T15:30:00-06:00"},
                  {"19.30", "2026-11-28T19:30:00-06:00"},
                  // The day may follow the reading too (rule 6: the first 7:30 of that day).
                  {"7.30 tomorrow", "2026-11-29T07:30:00-06:00"},
                  {"8.15 on Friday", "2026-12-04T08:15:00-06:00"},
                  // Rule 10: the zone sets how midnight is read, as it does for any clock.
                  {"midnight UTC", "2026-11-28T18:00:00-06:00"},
                  {"midnight EST", "2026-11-28T23:00:00-06:00"},
                  {"at midnight PT", "2026-11-29T02:00:00-06:00"},
                  // A zone may follow the day rather than the clock.
                  {"noon on Friday UTC", "2026-12-04T06:00:00-06:00"},
                  {"3pm Friday UTC", "2026-12-04T09:00:00-06:00"},
                  {"Friday UTC", "2026-12-04T06:00:00-06:00"},
                  {"Dec 5 CET 3pm", "2026-12-05T08:00:00-06:00"},
                  {"tomorrow ET at 9am", "2026-11-29T08:00:00-06:00"},
              });
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      // After a name, an ordinal may be the name's: a street, a birthday.
      {"Starbucks 5th at 3pm", "2026-11-28T15:00:00-06:00", "Starbucks 5th"},
      {"Sam's 30th at 8pm", "2026-11-28T20:00:00-06:00", "Sam's 30th"},
      {"Sam's 40th 8pm", "2026-11-28T20:00:00-06:00", "Sam's 40th"},
      {"42nd Street Deli 7pm", "2026-11-28T19:00:00-06:00", "42nd Street Deli"},
      {"4th Ave Pub 7pm", "2026-11-28T19:00:00-06:00", "4th Ave Pub"},
      {"Bar 15.50 pints 7pm", "2026-11-28T19:00:00-06:00", "Bar 15.50 pints"},
      {"Starbucks 7.30 tomorrow", "2026-11-29T07:30:00-06:00", "Starbucks"},
      {"Starbucks noon on Friday UTC", "2026-12-04T06:00:00-06:00", "Starbucks"},
      {"friday mountain hike 9am", "2026-12-04T09:00:00-06:00", "mountain hike"},
      // A day with a time of its own leaves the reading a price.
      {"Pints 3.00 today 7pm", "2026-11-28T19:00:00-06:00", "Pints 3.00"},
      {"Pints 3.00 tomorrow at 7pm", "2026-11-29T19:00:00-06:00", "Pints 3.00"},
  };
  check_commands(ctx, rows);
}

TEST_CASE("a number that numbers a place stays in its name (rule 14)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      // A fraction after a whole number is no date; other numbers after one are.
      {"Pier 39 12/3 7pm", "2026-12-03T19:00:00-06:00", "Pier 39"},
      {"Room 8 1/15 6pm", "2027-01-15T18:00:00-06:00", "Room 8"},
      {"Studio 54 13/12 at 7pm", "2026-12-13T19:00:00-06:00", "Studio 54"},
      {"Platform 9 3/4 12/3 7pm", "2026-12-03T19:00:00-06:00", "Platform 9 3/4"},
      {"Pier 39 12/3", "2026-12-03T12:00:00-06:00", "Pier 39"},
      // The month has its own day after it.
      {"Pier 39 Dec 3 7pm", "2026-12-03T19:00:00-06:00", "Pier 39"},
      {"Terminal 4 Dec 3 7pm", "2026-12-03T19:00:00-06:00", "Terminal 4"},
      {"Room 8 December 3 at 7pm", "2026-12-03T19:00:00-06:00", "Room 8"},
      {"Platform 9 3/4 Dec 3 7pm", "2026-12-03T19:00:00-06:00", "Platform 9 3/4"},
      {"Starbucks 3 Dec 7pm", "2026-12-03T19:00:00-06:00", "Starbucks"},
      // Gate, Room, Table...: the number after them is no hour.
      {"Gate 12 - 7pm", "2026-11-28T19:00:00-06:00", "Gate 12"},
      {"Terminal 2 - 3pm", "2026-11-28T15:00:00-06:00", "Terminal 2"},
      {"Table 4 \xE2\x80\x94 8pm", "2026-11-28T20:00:00-06:00", "Table 4"},
      {"Platform 9 3/4 - 7pm", "2026-11-28T19:00:00-06:00", "Platform 9 3/4"},
      {"Room 9 tonight at 8", "2026-11-28T20:00:00-06:00", "Room 9"},
      {"Gate 4 tonight 8pm", "2026-11-28T20:00:00-06:00", "Gate 4"},
      {"Room 9 this afternoon at 3", "2026-11-28T15:00:00-06:00", "Room 9"},
      // A slashed pair after such a word is its number, also right before a day.
      {"Shop 4/12 tomorrow 1pm", "2026-11-29T13:00:00-06:00", "Shop 4/12"},
      {"Table 4/6 friday 7pm", "2026-12-04T19:00:00-06:00", "Table 4/6"},
      {"Unit 3/45 George St friday 6pm", "2026-12-04T18:00:00-06:00", "Unit 3/45 George St"},
      {"the shop 12/3 7pm", "2026-12-03T19:00:00-06:00", "the shop"},
      // A pair that can be no date stands apart from the time beside it.
      {"Cafe 50/50 sat 3pm", "2026-11-28T15:00:00-06:00", "Cafe 50/50"},
      // Elsewhere the same forms are times.
      {"Starbucks 6 - 8pm", "2026-11-28T18:00:00-06:00", "Starbucks"},
      {"Starbucks 8 tonight", "2026-11-28T20:00:00-06:00", "Starbucks"},
      // Before a part of the day with no other number after it, a place's number is the hour
      // (rule 8's "8 tonight").
      {"The Blue Door 8 tonight", "2026-11-28T20:00:00-06:00", "The Blue Door"},
      {"Room 9 tonight", "2026-11-28T21:00:00-06:00", "Room"},
      {"Room 9 tonight, 7:30", "2026-11-28T19:30:00-06:00", "Room 9"},
      {"Table 6 tomorrow morning at 9", "2026-11-29T09:00:00-06:00", "Table 6"},
      // Only an evening's hour: no 4 a.m. at a table, no midnight at a gate.
      {"Table 4 tonight", "2026-11-28T22:00:00-06:00", "Table 4"},
      {"Gate 12 tonight", "2026-11-28T22:00:00-06:00", "Gate 12"},
      {"Platform 9 3/4 tonight", "2026-11-28T22:00:00-06:00", "Platform 9 3/4"},
  };
  check_commands(ctx, rows);
  const auto result = tp::parse_place_and_time("Gate 7 feb 30 7pm", ctx);
  REQUIRE(std::holds_alternative<tp::parse_error>(result));
  CHECK(std::get<tp::parse_error>(result).kind == tp::error_kind::invalid);
}

TEST_CASE("a bare hour before a weekday, as \"friday at 3\" reads (rule 6)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"Starbucks 3 on friday", "2026-12-04T03:00:00-06:00", "Starbucks"},
      {"3 friday at Joe's", "2026-12-04T03:00:00-06:00", "Joe's"},
      {"Joe's, 3 friday", "2026-12-04T03:00:00-06:00", "Joe's"},
      {"7 friday evening at Joe's", "2026-12-04T19:00:00-06:00", "Joe's"},
      // Right after a word the number may be the name's; so may one with a time of its own.
      {"Cafe 3 Monday", "2026-11-30T12:00:00-06:00", "Cafe 3"},
      {"Week 3 monday 6pm", "2026-11-30T18:00:00-06:00", "Week 3"},
      {"Table 3 on friday", "2026-12-04T12:00:00-06:00", "Table 3"},
      {"Top 5 on friday, 7pm", "2026-12-04T19:00:00-06:00", "Top 5"},
      {"Bar 8, friday 6", "2026-12-04T06:00:00-06:00", "Bar 8"},
      {"for 3 on friday", "2026-12-04T12:00:00-06:00", "for 3"},
  };
  check_commands(ctx, rows);
}

TEST_CASE("noon in lowercase is the time when the text has no other (rule 14)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"lunch at noon Chipotle", "2026-11-28T12:00:00-06:00", "lunch Chipotle"},
      {"lunch @ noon Chipotle", "2026-11-28T12:00:00-06:00", "lunch Chipotle"},
      {"fri lunch noon Chipotle", "2026-12-04T12:00:00-06:00", "lunch Chipotle"},
      {"brunch sunday noon Cafe Rouge", "2026-11-29T12:00:00-06:00", "brunch Cafe Rouge"},
      {"friday lunch at noon Chipotle", "2026-12-04T12:00:00-06:00", "lunch Chipotle"},
      // Written as a name, or with another time, it stays in the place.
      {"noon cafe 7pm", "2026-11-28T19:00:00-06:00", "noon cafe"},
      {"Meet at Noon Cafe tomorrow 7pm", "2026-11-29T19:00:00-06:00", "Meet at Noon Cafe"},
      {"the midnight diner 7pm", "2026-11-28T19:00:00-06:00", "the midnight diner"},
  };
  check_commands(ctx, rows);
  for (const char* name : {"Meet at Noon Cafe", "High Noon Saloon"}) {
    CAPTURE(name);
    CHECK(std::holds_alternative<tp::parse_error>(tp::parse_place_and_time(name, ctx)));
  }
}

TEST_CASE("four digits with a leading zero are a 24-hour reading, unless they number a place") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"Starbucks tomorrow 0830", "2026-11-29T08:30:00-06:00", "Starbucks"},
      {"friday 0700 Dunkin", "2026-12-04T07:00:00-06:00", "Dunkin"},
      {"Room 0801 tomorrow 7pm", "2026-11-29T19:00:00-06:00", "Room 0801"},
      {"Shutdown Cafe 0830 tomorrow 7pm", "2026-11-29T19:00:00-06:00", "Shutdown Cafe 0830"},
      {"0830 tomorrow Starbucks", "2026-11-29T08:30:00-06:00", "Starbucks"},
      {"meet at Suite 0801, 7pm", "2026-11-28T19:00:00-06:00", "meet at Suite 0801"},
      {"Starbucks 0975 tomorrow", "2026-11-29T10:15:00-06:00", "Starbucks 0975"},
      {"zip 02139 tomorrow 7pm", "2026-11-29T19:00:00-06:00", "zip 02139"},
  };
  check_commands(ctx, rows);
}

TEST_CASE("words that only qualify the time leave the place with it (rule 14)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"Starbucks 7pm sharp", "2026-11-28T19:00:00-06:00", "Starbucks"},
      {"7pm sharp Room 101", "2026-11-28T19:00:00-06:00", "Room 101"},
      {"Blue Bottle on Main St 7pm sharp!", "2026-11-28T19:00:00-06:00", "Blue Bottle on Main St"},
      {"Starbucks starting at 3pm", "2026-11-28T15:00:00-06:00", "Starbucks"},
      {"Starbucks starts at 3pm tomorrow", "2026-11-29T15:00:00-06:00", "Starbucks"},
      {"Starbucks 3pm onwards", "2026-11-28T15:00:00-06:00", "Starbucks"},
      // Capitalized, they are a name's.
      {"7pm at Sharp Edge Brewery", "2026-11-28T19:00:00-06:00", "Sharp Edge Brewery"},
      {"3pm Starting Line Cafe", "2026-11-28T15:00:00-06:00", "Starting Line Cafe"},
  };
  check_commands(ctx, rows);
}

TEST_CASE("a name that opens with a number after a dash is no span's end (rule 14)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"7pm - Seven Grand", "2026-11-28T19:00:00-06:00", "Seven Grand"},
      {"tues 7pm - Ten Bells", "2026-12-01T19:00:00-06:00", "Ten Bells"},
      {"tomorrow 7pm \xE2\x80\x93 Two Brothers Pizza", "2026-11-29T19:00:00-06:00",
       "Two Brothers Pizza"},
      {"Sat 9am - 5 O'Clock Somewhere Bar", "2026-12-05T09:00:00-06:00", "5 O'Clock Somewhere Bar"},
      {"5pm - 7-Eleven", "2026-11-28T17:00:00-06:00", "7-Eleven"},
      {"7pm - 9 Muses Bar", "2026-11-28T19:00:00-06:00", "9 Muses Bar"},
  };
  check_commands(ctx, rows);
  // Spans stay spans.
  for (const char* text : {"6pm - 8 at Joe's", "6pm-8 Joe's", "6 - 8pm Joe's", "Joe's 6pm - 8"}) {
    CAPTURE(text);
    const auto result = tp::parse_place_and_time(text, ctx);
    REQUIRE(std::holds_alternative<tp::parsed_command>(result));
    const auto& c = std::get<tp::parsed_command>(result);
    CHECK(tp::format_iso(c.time.starts_at, *ctx.zone) == "2026-11-28T18:00:00-06:00");
    REQUIRE(c.time.ends_at.has_value());
    CHECK(tp::format_iso(*c.time.ends_at, *ctx.zone) == "2026-11-28T20:00:00-06:00");
    CHECK(c.place == "Joe's");
  }
}

TEST_CASE("a number after elapsed time is the place's (rules 7, 14)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"in 30 mins at 10 Downing St", "2026-11-28T10:45:00-06:00", "10 Downing St"},
      {"in an hour at 1000 Degrees Pizza", "2026-11-28T11:15:00-06:00", "1000 Degrees Pizza"},
      {"+15min at 5 Guys", "2026-11-28T10:30:00-06:00", "5 Guys"},
      {"in 24 hours 5 O'Clock Somewhere Bar", "2026-11-29T10:15:00-06:00",
       "5 O'Clock Somewhere Bar"},
      {"at 10 Downing St in 30 mins", "2026-11-28T10:45:00-06:00", "10 Downing St"},
      // Calendar days take a clock.
      {"in 3 days at 6pm Joe's", "2026-12-01T18:00:00-06:00", "Joe's"},
      // An hour in words before a day; capitalized after a word, it opens a name.
      {"drinks at six tomorrow", "2026-11-29T06:00:00-06:00", "drinks"},
      {"five friday at Joe's", "2026-12-04T05:00:00-06:00", "Joe's"},
      {"Five Guys tomorrow", "2026-11-29T10:15:00-06:00", "Five Guys"},
      {"Joe's Seven tomorrow", "2026-11-29T10:15:00-06:00", "Joe's Seven"},
  };
  check_commands(ctx, rows);
}

TEST_CASE("a year first with dots is a date, and a version when it cannot be one (rule 9)") {
  check_table(sat, "America/Chicago",
              {
                  {"2026.12.05 19:00", "2026-12-05T19:00:00-06:00"},
                  {"2026.12.5 7pm", "2026-12-05T19:00:00-06:00"},
                  {"2026.12.05", "2026-12-05T12:00:00-06:00"},
                  {"2025.12.05 7pm", "past"},
                  // No such date: a version number, and the time is elsewhere.
                  {"2026.13.05 7pm", "2026-11-28T19:00:00-06:00"},
                  {"release 2026.1.0 party friday 7pm", "2026-12-04T19:00:00-06:00"},
                  // Another day wins over it; a word written onto it makes it a tag.
                  {"v2026.1.1 tomorrow 7pm", "2026-11-29T19:00:00-06:00"},
              });
  const auto ctx = context(sat, "America/Chicago");
  check_commands(ctx, {{"Starbucks 2026.12.05 19:00", "2026-12-05T19:00:00-06:00", "Starbucks"}});
}

TEST_CASE("halves and a few in durations, a time in words alone (rules 6, 7)") {
  check_table(sat, "America/Chicago",
              {
                  {"in 2 and a half hours", "2026-11-28T12:45:00-06:00"},
                  {"in two and a half hours", "2026-11-28T12:45:00-06:00"},
                  {"in a half hour", "2026-11-28T10:45:00-06:00"},
                  {"in a few minutes", "2026-11-28T10:18:00-06:00"},
                  {"in an hour and a half", "2026-11-28T11:45:00-06:00"},
                  {"a few minutes ago", "past"},
                  {"twelve thirty", "2026-11-28T12:30:00-06:00"},
              });
  const auto ctx = context(sat, "America/Chicago");
  check_commands(ctx, {{"Seven Eleven 5pm", "2026-11-28T17:00:00-06:00", "Seven Eleven"},
                       {"Nine Elms 7pm", "2026-11-28T19:00:00-06:00", "Nine Elms"}});
  const auto past = tp::parse_time("5 minutes ago", ctx);
  REQUIRE(std::holds_alternative<tp::parse_error>(past));
  CHECK(std::get<tp::parse_error>(past).message.find("(5 minutes ago)") != std::string::npos);
}

// Each of these changed answer under one of the rules above before it was narrowed; they read
// as they did before those rules.
TEST_CASE("the rules for names and days keep their limits (rule 14)") {
  const auto ctx = context(sat, "America/Chicago");
  check_commands(
      ctx,
      {
          {"Seven Eleven tomorrow 3pm", "2026-11-29T15:00:00-06:00", "Seven Eleven"},
          {"Seven Eleven - 9am", "2026-11-29T09:00:00-06:00", "Seven Eleven"},
          {"noon @ 8 Mile Road", "2026-11-28T12:00:00-06:00", "8 Mile Road"},
          {"noon at 3 Sisters Cafe", "2026-11-28T12:00:00-06:00", "3 Sisters Cafe"},
          {"Cafe on 3rd at 7pm", "2026-11-28T19:00:00-06:00", "Cafe on 3rd"},
          {"Starbucks on 5th @ tomorrow at 3pm", "2026-11-29T15:00:00-06:00", "Starbucks on 5th"},
          {"https://cafe.example/menu?day=friday&t=10 7pm", "2026-11-28T19:00:00-06:00",
           "https://cafe.example/menu?day=friday&t=10"},
      });
}

// From a second probe, of the new rules' edges, against the parser before them.
TEST_CASE("the new rules' edges: prices, names around days, ordinals, tonight") {
  check_table(sat, "America/Chicago",
              {
                  {"Sunday 13th 7pm", "2026-12-13T19:00:00-06:00"},
                  {"Wed 9th 7pm", "2026-12-09T19:00:00-06:00"},
                  {"12th at noon", "2026-12-12T12:00:00-06:00"},
              });
  const auto ctx = context(sat, "America/Chicago");
  check_commands(
      ctx,
      {
          {"noon cafe 7pm", "2026-11-28T19:00:00-06:00", "noon cafe"},
          {"midnight diner 8pm", "2026-11-28T20:00:00-06:00", "midnight diner"},
          {"noon @ 8 Mile Road", "2026-11-28T12:00:00-06:00", "8 Mile Road"},
          {"Joe's tonight 2.50 pints at 8", "2026-11-28T20:00:00-06:00", "Joe's 2.50 pints"},
          {"Cafe tomorrow 3.50 coffee at 9am", "2026-11-29T09:00:00-06:00", "Cafe 3.50 coffee"},
          {"Joe's $18.50 wine Friday", "2026-12-04T12:00:00-06:00", "Joe's $18.50 wine"},
          {"Joe's near 10th at 7pm", "2026-11-28T19:00:00-06:00", "Joe's near 10th"},
          {"Black Friday sale 6am", "2026-11-29T06:00:00-06:00", "Black Friday sale"},
          {"the Sunday market 9am", "2026-11-29T09:00:00-06:00", "the Sunday market"},
          {"Sunday roast tonight", "2026-11-28T22:00:00-06:00", "Sunday roast"},
          {"dance floor 9 tonight", "2026-11-28T21:00:00-06:00", "dance floor"},
          {"noon at Five Guys", "2026-11-28T12:00:00-06:00", "Five Guys"},
          {"midnight at Two Bit Circus", "2026-11-29T00:00:00-06:00", "Two Bit Circus"},
          {"Sunday lunch at Joe's noon", "2026-11-29T12:00:00-06:00", "lunch at Joe's"},
      });
}

// From a read-only review of the rules above.
TEST_CASE("the review's cases: currency words, spans after a month, parts of the day alone") {
  check_table(sat, "America/Chicago",
              {
                  {"3 Dec 7-9pm", "2026-12-03T19:00:00-06:00 .. 2026-12-03T21:00:00-06:00"},
                  {"Good morning, drinks at 7", "2026-11-28T19:00:00-06:00"},
                  {"6pm and 8pm Sunday", "2026-11-29T18:00:00-06:00"},
                  {"tomorrow, two thirty-minute talks", "2026-11-29T10:15:00-06:00"},
              });
  const auto ctx = context(sat, "America/Chicago");
  check_commands(
      ctx,
      {
          {"Gig tonight, tickets \xC2\xA3"
           "15.00",
           "2026-11-28T22:00:00-06:00",
           "Gig tickets \xC2\xA3"
           "15.00"},
          {"Quiz night at the Crown 8pm", "2026-11-28T20:00:00-06:00", "Quiz night at the Crown"},
          {"Drinks Friday after work 6pm", "2026-12-04T18:00:00-06:00", "Drinks after work"},
          {"Black Friday sale 6am", "2026-11-29T06:00:00-06:00", "Black Friday sale"},
      });
}

// Links are pasted into commands whole; the numbers in their paths are no dates or times.
TEST_CASE("a web address is one word of the place") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"https://example.com/2026/12/05/party 7pm Joe's", "2026-11-28T19:00:00-06:00",
       "https://example.com/2026/12/05/party Joe's"},
      {"Joe's 7pm (map: https://maps.app/x?t=3pm).", "2026-11-28T19:00:00-06:00",
       "Joe's (map: https://maps.app/x?t=3pm)."},
      {"Joe's 7pm <https://www.joes.com/events/12-05>", "2026-11-28T19:00:00-06:00",
       "Joe's <https://www.joes.com/events/12-05>"},
      {"HTTP://JOES.COM/at/9pm, 7pm", "2026-11-28T19:00:00-06:00", "HTTP://JOES.COM/at/9pm"},
      {"www.joes.com/1-2 tomorrow 3pm", "2026-11-29T15:00:00-06:00", "www.joes.com/1-2"},
      // No address after the scheme: the words are read as ever.
      {"Whataburger 3pm", "2026-11-28T15:00:00-06:00", "Whataburger"},
  };
  check_commands(ctx, rows);
  check_table(sat, "America/Chicago", {{"https://example.com/2026/12/05/7pm", "no_time"}});
}

TEST_CASE("a bare hour next to a day's part leaves the place (rules 8, 14)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"Starbucks tomorrow morning 9", "2026-11-29T09:00:00-06:00", "Starbucks"},
      {"Olive Garden 8 tomorrow morning", "2026-11-29T08:00:00-06:00", "Olive Garden"},
      {"7-Eleven tomorrow morning at 9", "2026-11-29T09:00:00-06:00", "7-Eleven"},
  };
  check_commands(ctx, rows);
}

TEST_CASE("a day written as a word leaves the place, ordinals of a name stay (rules 9, 14)") {
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"Starbucks on the fifth at 7pm", "2026-12-05T19:00:00-06:00", "Starbucks"},
      {"Second Cup the third at 9am", "2026-12-03T09:00:00-06:00", "Second Cup"},
      {"First Watch tomorrow 9am", "2026-11-29T09:00:00-06:00", "First Watch"},
      {"Yesterday Cafe at 8pm", "2026-11-28T20:00:00-06:00", "Yesterday Cafe"},
      // A day that ends a name, with the real day after it.
      {"Ruby Tuesday friday 6pm", "2026-12-04T18:00:00-06:00", "Ruby Tuesday"},
      {"Ruby Tuesday tomorrow 6pm", "2026-11-29T18:00:00-06:00", "Ruby Tuesday"},
      {"Man Friday on sunday at 6pm", "2026-11-29T18:00:00-06:00", "Man Friday"},
      {"Drinks Friday Dec 4 6pm", "2026-12-04T18:00:00-06:00", "Drinks"},
      // Or with the day's clock between them.
      {"Ruby Tuesday at 6pm tomorrow", "2026-11-29T18:00:00-06:00", "Ruby Tuesday"},
      {"Ruby Tuesday 6pm on Friday", "2026-12-04T18:00:00-06:00", "Ruby Tuesday"},
      {"TGI Friday at 7 tonight", "2026-11-28T19:00:00-06:00", "TGI Friday"},
      {"Ruby Tuesday at 6pm", "2026-12-01T18:00:00-06:00", "Ruby"},
      {"Meet Friday at 6pm, RSVP by tomorrow", "2026-12-04T18:00:00-06:00",
       "Meet RSVP by tomorrow"},
  };
  check_commands(ctx, rows);
}

// Markdown, brackets and the typographic marks of phones and pasted text.
TEST_CASE("a day in brackets, quotes or emphasis is still the day, and empty brackets leave") {
  check_table(sat, "America/Chicago",
              {
                  {"(friday) 7pm", "2026-12-04T19:00:00-06:00"},
                  {"7pm (friday)", "2026-12-04T19:00:00-06:00"},
                  {"*friday* 7pm", "2026-12-04T19:00:00-06:00"},
                  {"**friday** at **7pm**", "2026-12-04T19:00:00-06:00"},
                  {"\"friday\" 7pm", "2026-12-04T19:00:00-06:00"},
                  {"\xE2\x80\x98"
                   "friday\xE2\x80\x99 7pm",
                   "2026-12-04T19:00:00-06:00"},
                  {"\xE2\x80\x9C"
                   "friday\xE2\x80\x9D 7pm",
                   "2026-12-04T19:00:00-06:00"},
                  {"friday\xE2\x80\xA6 7pm", "2026-12-04T19:00:00-06:00"},
                  // A thin space and a narrow no-break space are spaces.
                  {"friday\xE2\x80\x89"
                   "7\xE2\x80\xAFpm",
                   "2026-12-04T19:00:00-06:00"},
              });
  const auto ctx = context(sat, "America/Chicago");
  const std::vector<command_row> rows{
      {"Olive Garden 7pm (friday)", "2026-12-04T19:00:00-06:00", "Olive Garden"},
      {"Olive Garden (friday 7pm)", "2026-12-04T19:00:00-06:00", "Olive Garden"},
      {"Starbucks (downtown) 3pm", "2026-11-28T15:00:00-06:00", "Starbucks (downtown)"},
      {"Starbucks 3pm!", "2026-11-28T15:00:00-06:00", "Starbucks"},
      {"Starbucks tomorrow 3pm?!", "2026-11-29T15:00:00-06:00", "Starbucks"},
      {"Yahoo! HQ 3pm", "2026-11-28T15:00:00-06:00", "Yahoo! HQ"},
      {"Blue Bottle **3pm**", "2026-11-28T15:00:00-06:00", "Blue Bottle"},
      {"Starbucks `tomorrow 3pm`", "2026-11-29T15:00:00-06:00", "Starbucks"},
      {"Blue Bottle *tomorrow* at 3pm", "2026-11-29T15:00:00-06:00", "Blue Bottle"},
      {"**Blue Bottle** 3pm", "2026-11-28T15:00:00-06:00", "**Blue Bottle**"},
      {"Starbucks ~3pm", "2026-11-28T15:00:00-06:00", "Starbucks"},
      {"Peet's twelve noon", "2026-11-28T12:00:00-06:00", "Peet's"},
      {"Starbucks in about 20 mins", "2026-11-28T10:35:00-06:00", "Starbucks"},
      // A mention keeps its "@"; a lone "@" connects.
      {"Starbucks 3pm @everyone", "2026-11-28T15:00:00-06:00", "Starbucks @everyone"},
      {"Starbucks 3pm @alice @bob", "2026-11-28T15:00:00-06:00", "Starbucks @alice @bob"},
      {"Starbucks 3pm @", "2026-11-28T15:00:00-06:00", "Starbucks"},
      {"\xE2\x80\x9CJoe\xE2\x80\x99s Bar\xE2\x80\x9D \xE2\x80\xA2 tomorrow 3pm",
       "2026-11-29T15:00:00-06:00", "\xE2\x80\x9CJoe\xE2\x80\x99s Bar\xE2\x80\x9D"},
      // Other separators between the place and the time.
      {"Blue Bottle | sat 10am", "2026-12-05T10:00:00-06:00", "Blue Bottle"},
      {"Blue Bottle / sat 10am", "2026-12-05T10:00:00-06:00", "Blue Bottle"},
      {"7pm // Joe's", "2026-11-28T19:00:00-06:00", "Joe's"},
      {"Joe's -> 7pm", "2026-11-28T19:00:00-06:00", "Joe's"},
      {"Joe's => 7pm", "2026-11-28T19:00:00-06:00", "Joe's"},
      {"Caf\xC3\xA9 \xC2\xB7 7pm", "2026-11-28T19:00:00-06:00", "Caf\xC3\xA9"},
      {"7pm \xC2\xB7 Joe's", "2026-11-28T19:00:00-06:00", "Joe's"},
      // Inside the place they stay.
      {"Shop 4/12 tomorrow 1pm", "2026-11-29T13:00:00-06:00", "Shop 4/12"},
      {"Bar | Grill 7pm", "2026-11-28T19:00:00-06:00", "Bar | Grill"},
      // A pair that cannot be a date, apart from the time, is a name's.
      {"50/50 Bar 7pm", "2026-11-28T19:00:00-06:00", "50/50 Bar"},
      {"20/20 Eyewear 7pm", "2026-11-28T19:00:00-06:00", "20/20 Eyewear"},
      {"Room 13/14 at 5pm", "2026-11-28T17:00:00-06:00", "Room 13/14"},
      // What the time cannot take at its end, with more of a name after it, opens the place.
      {"tomorrow at 6pm at mon ami gabi", "2026-11-29T18:00:00-06:00", "mon ami gabi"},
      {"3pm at 5 o'clock somewhere bar", "2026-11-28T15:00:00-06:00", "5 o'clock somewhere bar"},
      {"at noon tomorrow at two bit circus", "2026-11-29T12:00:00-06:00", "two bit circus"},
      {"tomorrow at 6pm at seven grand", "2026-11-29T18:00:00-06:00", "seven grand"},
      {"wed 6pm at 21 club", "2026-12-02T18:00:00-06:00", "21 club"},
      {"in 90 minutes - sunday bakery", "2026-11-28T11:45:00-06:00", "sunday bakery"},
      {"tomorrow 3pm at Today Cafe", "2026-11-29T15:00:00-06:00", "Today Cafe"},
      {"friday 9pm at Tonight Bar", "2026-12-04T21:00:00-06:00", "Tonight Bar"},
      {"sunday at 10am at evening star", "2026-11-29T10:00:00-06:00", "evening star"},
      {"noon, morning glory cafe", "2026-11-28T12:00:00-06:00", "morning glory cafe"},
      // A number glued to a capitalized word is a name's, and so, beside another time, is a
      // number after "at" before a capitalized word or a word no rule knows.
      {"drinks at 7-Eleven 3pm", "2026-11-28T15:00:00-06:00", "drinks at 7-Eleven"},
      {"meet at 7-Eleven at 6pm", "2026-11-28T18:00:00-06:00", "meet at 7-Eleven"},
      {"drinks at 1920 Lounge at 9pm", "2026-11-28T21:00:00-06:00", "drinks at 1920 Lounge"},
      {"drinks at 1920 Lounge in 2 hours", "2026-11-28T12:15:00-06:00", "drinks at 1920 Lounge"},
      {"drinks at two bit circus 9pm", "2026-11-28T21:00:00-06:00", "drinks at two bit circus"},
      {"drinks at Seven Eleven 3pm", "2026-11-28T15:00:00-06:00", "drinks at Seven Eleven"},
      {"at Seven Eleven, 3pm", "2026-11-28T15:00:00-06:00", "Seven Eleven"},
      {"at Five Guys at 7pm", "2026-11-28T19:00:00-06:00", "Five Guys"},
      // After a day, a clock written as a name is the place, and the day keeps its rule-13 time.
      {"tomorrow at 5 Guys", "2026-11-29T10:15:00-06:00", "5 Guys"},
      {"tomorrow at Seven Eleven", "2026-11-29T10:15:00-06:00", "Seven Eleven"},
      {"friday at 8 Mile Road", "2026-12-04T12:00:00-06:00", "8 Mile Road"},
      {"friday at noon Blue Bottle", "2026-12-04T12:00:00-06:00", "Blue Bottle"},
      {"friday 0700 Dunkin", "2026-12-04T07:00:00-06:00", "Dunkin"},
      {"drinks at 5 guys 9pm", "2026-11-28T21:00:00-06:00", "drinks at 5 guys"},
      // So is a bare H:MM before a name's capitalized word, beside a time with am/pm or in
      // 24-hour form.
      {"9:30 Club 8pm", "2026-11-28T20:00:00-06:00", "9:30 Club"},
      {"at 9:30 Club tomorrow at 20:00", "2026-11-29T20:00:00-06:00", "9:30 Club"},
      {"drinks at 12:01 Lounge friday 9pm", "2026-12-04T21:00:00-06:00", "drinks at 12:01 Lounge"},
      // Alone they are still the time.
      {"drinks at 8 murphy's", "2026-11-28T20:00:00-06:00", "drinks murphy's"},
      {"Joe's at 1930", "2026-11-28T19:30:00-06:00", "Joe's"},
      {"meet 7:30 Starbucks", "2026-11-28T19:30:00-06:00", "meet Starbucks"},
      {"7:30 Starbucks tomorrow", "2026-11-29T07:30:00-06:00", "Starbucks"},
      // A holiday written as a name with the word after it, or after another day, is a name's.
      {"drinks at Halloween Store 11 tonight", "2026-11-28T23:00:00-06:00",
       "drinks at Halloween Store"},
      {"7pm at Christmas Market", "2026-11-28T19:00:00-06:00", "Christmas Market"},
      {"thursday at 7:30pm at halloween store", "2026-12-03T19:30:00-06:00", "halloween store"},
      {"christmas party at Joe's 7pm", "2026-12-25T19:00:00-06:00", "party at Joe's"},
      {"Christmas Eve 7pm Joe's", "2026-12-24T19:00:00-06:00", "Joe's"},
      {"Thanksgiving Coffee 3pm", "2026-11-28T15:00:00-06:00", "Thanksgiving Coffee"},
      {"thanksgiving potluck at Joe's 4pm", "2027-11-25T16:00:00-06:00", "potluck at Joe's"},
      {"Easter Island Bar 8pm", "2026-11-28T20:00:00-06:00", "Easter Island Bar"},
      {"10 Downing St 3pm", "2026-11-28T15:00:00-06:00", "10 Downing St"},
      {"St Patrick's Cathedral 3pm", "2026-11-28T15:00:00-06:00", "St Patrick's Cathedral"},
      {"sunday week 3pm at the Crown", "2026-12-06T15:00:00-06:00", "the Crown"},
      // At the end of the text it is said twice, and stays with the time.
      {"Starbucks 3pm, 15:00", "2026-11-28T15:00:00-06:00", "Starbucks"},
  };
  check_commands(ctx, rows);
}
