#include <doctest/doctest.h>

#include <date/tz.h>

#include "timeparse/iso_format.hpp"

using tweetup::timeparse::format_iso;
using tweetup::timeparse::parse_local_iso;

TEST_CASE("format_iso prints the zone's offset at that instant") {
  const auto* chicago = date::locate_zone("America/Chicago");
  const auto at = parse_local_iso("2026-11-29T15:00:00", *chicago);
  REQUIRE(at);
  CHECK(format_iso(*at, *chicago) == "2026-11-29T15:00:00-06:00");
  CHECK(format_iso(*at, *date::locate_zone("UTC")) == "2026-11-29T21:00:00+00:00");
  CHECK(format_iso(*at, *date::locate_zone("Asia/Kolkata")) == "2026-11-30T02:30:00+05:30");
  const auto summer = parse_local_iso("2026-07-01T09:30:15", *chicago);
  REQUIRE(summer);
  CHECK(format_iso(*summer, *chicago) == "2026-07-01T09:30:15-05:00");
}

TEST_CASE("parse_local_iso resolves gaps and folds to the earliest instant") {
  const auto* chicago = date::locate_zone("America/Chicago");
  const auto gap = parse_local_iso("2026-03-08T02:30:00", *chicago);
  REQUIRE(gap);
  CHECK(format_iso(*gap, *chicago) == "2026-03-08T03:00:00-05:00");
  const auto fold = parse_local_iso("2026-11-01T01:30:00", *chicago);
  REQUIRE(fold);
  CHECK(format_iso(*fold, *chicago) == "2026-11-01T01:30:00-05:00");
}

TEST_CASE("parse_local_iso rejects anything but the exact form") {
  const auto* utc = date::locate_zone("UTC");
  for (const char* bad :
       {"", "2026-11-29", "2026-11-29T15:00", "2026-11-29 15:00:00", "2026-11-29T15:00:00Z",
        "2026-02-30T10:00:00", "2026-13-01T10:00:00", "2026-11-29T24:00:00", "2026-11-29T10:60:00",
        "2026-11-29T10:00:60", "20a6-11-29T15:00:00", "2026-11-29T15:00:00-06:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_local_iso(bad, *utc));
  }
}
