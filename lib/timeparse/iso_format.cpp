#include "timeparse/iso_format.hpp"

#include <cstdio>

#include <date/date.h>
#include <date/tz.h>

namespace tweetup::timeparse {
namespace {

bool read_digits(std::string_view text, std::size_t at, std::size_t count, int& value) {
  value = 0;
  for (std::size_t k = at; k < at + count; ++k) {
    if (k >= text.size() || text[k] < '0' || text[k] > '9') return false;
    value = value * 10 + (text[k] - '0');
  }
  return true;
}

}  // namespace

std::string format_iso(std::chrono::sys_seconds instant, const date::time_zone& zone) {
  const auto info = zone.get_info(instant);
  const auto local = instant + info.offset;
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> time{local - day};
  const int offset_minutes = static_cast<int>(info.offset.count() / 60);
  const int abs_minutes = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  // Sized for any year date::year can hold, so the output is never cut.
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                offset_minutes < 0 ? '-' : '+', (abs_minutes / 60) % 100, abs_minutes % 60);
  return buffer;
}

std::optional<std::chrono::sys_seconds> parse_local_iso(std::string_view text,
                                                        const date::time_zone& zone) {
  // Exactly "YYYY-MM-DDTHH:MM:SS".
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!read_digits(text, 0, 4, y) || !read_digits(text, 5, 2, mo) || !read_digits(text, 8, 2, d) ||
      !read_digits(text, 11, 2, h) || !read_digits(text, 14, 2, mi) ||
      !read_digits(text, 17, 2, s)) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year{y}, date::month(static_cast<unsigned>(mo)),
                                 date::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const auto local = date::local_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
                     std::chrono::seconds{s};
  const auto info = zone.get_info(local);
  // Earliest matching instant: in a gap that is the transition itself, in a fold the first one.
  if (info.result == date::local_info::nonexistent) return info.second.begin;
  return std::chrono::sys_seconds{local.time_since_epoch() - info.first.offset};
}

}  // namespace tweetup::timeparse
