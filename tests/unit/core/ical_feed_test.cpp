#include "core/ical_feed.hpp"

#include <doctest/doctest.h>

#include <string>

#include "unit/core/service_fixture.hpp"

using namespace tweetup;
using namespace tweetup::testing;

namespace {

event sample_event() {
  event e;
  e.id = 42;
  e.number = 3;
  e.channel = {"discord", "998877665544332211"};
  e.organizer = {"112233445566778899", "alice"};
  e.place = "Blue Bottle Coffee";
  e.starts_at = utc(2026, 11, 29, 21, 0);
  e.zone = "America/Chicago";
  e.created_at = utc(2026, 11, 28, 16, 15);
  return e;
}

std::string render_one(const event& e, std::string counts = "2 going") {
  ical_feed feed;
  feed.name = "Tweetups";
  feed.entries.push_back({e, std::move(counts)});
  return render_ical_feed(feed, utc(2026, 11, 28, 17, 0, 5));
}

}  // namespace

TEST_CASE("ical_feed: one event, line by line") {
  const std::string expected =
      "BEGIN:VCALENDAR\r\n"
      "VERSION:2.0\r\n"
      "PRODID:-//Tweetup//Tweetup calendar feed//EN\r\n"
      "CALSCALE:GREGORIAN\r\n"
      "METHOD:PUBLISH\r\n"
      "X-WR-CALNAME:Tweetups\r\n"
      "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"
      "X-PUBLISHED-TTL:PT1H\r\n"
      "BEGIN:VEVENT\r\n"
      "UID:tweetup-42-1795882500@tweetup.invalid\r\n"
      "DTSTAMP:20261128T170005Z\r\n"
      "CREATED:20261128T161500Z\r\n"
      "DTSTART:20261129T210000Z\r\n"
      "DTEND:20261129T230000Z\r\n"
      "SUMMARY:Tweetup at Blue Bottle Coffee\r\n"
      "LOCATION:Blue Bottle Coffee\r\n"
      "DESCRIPTION:Tweetup #3\\, planned by alice.\\n2 going.\r\n"
      "SEQUENCE:0\r\n"
      "STATUS:CONFIRMED\r\n"
      "END:VEVENT\r\n"
      "END:VCALENDAR\r\n";
  CHECK(render_one(sample_event()) == expected);
}

TEST_CASE("ical_feed: a stated end, a revision and a cancellation") {
  event e = sample_event();
  e.ends_at = utc(2026, 11, 30, 1, 30);
  e.revision = 3;
  e.status = event_status::cancelled;
  const std::string text = render_one(e, "0 going");
  CHECK(contains(text, "\r\nDTEND:20261130T013000Z\r\n"));
  CHECK(contains(text, "\r\nSEQUENCE:3\r\n"));
  CHECK(contains(text, "\r\nSTATUS:CANCELLED\r\n"));
  CHECK(contains(text, "\r\nSUMMARY:Cancelled: Tweetup at Blue Bottle Coffee\r\n"));
  CHECK(contains(text, "\r\nDESCRIPTION:This tweetup is cancelled.\\nTweetup #3"));
  // A past event happened: it is not shown as cancelled.
  e.status = event_status::past;
  CHECK(contains(render_one(e), "\r\nSTATUS:CONFIRMED\r\n"));
}

TEST_CASE("ical_feed: the UID is stable through changes and names no platform id") {
  event e = sample_event();
  const std::string uid = ical_uid(e);
  e.place = "Elsewhere";
  e.starts_at += std::chrono::hours(24);
  e.revision = 2;
  e.status = event_status::cancelled;
  CHECK(ical_uid(e) == uid);
  event other = sample_event();
  other.id = 43;
  CHECK(ical_uid(other) != uid);
  const std::string text = render_one(e);
  CHECK_FALSE(contains(text, e.channel.channel));
  CHECK_FALSE(contains(text, e.organizer.id));
}

TEST_CASE("ical_feed: hostile text stays inside its property") {
  event e = sample_event();
  e.place = "Café \"Zum Löwen\"; Hauptstraße 5, back\\room\r\nX-INJECTED:1\x1b[2J @everyone";
  e.organizer.name = "eve\nBEGIN:VEVENT";
  const std::string text = render_one(e);
  CHECK_FALSE(contains(text, "\nX-INJECTED"));
  // The organizer's "BEGIN:VEVENT" is text inside DESCRIPTION, not a line of its own.
  CHECK(text.find("\r\nBEGIN:VEVENT") == text.rfind("\r\nBEGIN:VEVENT"));
  CHECK(contains(text, "planned by eve BEGIN:VEVENT."));
  CHECK_FALSE(contains(text, "\x1b"));
  // Escaped for TEXT; the line break became a space (displayable) before escaping.
  const auto at = text.find("LOCATION:");
  REQUIRE(at != std::string::npos);
  const std::string location = text.substr(at, text.find("\r\n", at) - at);
  CHECK(
      location.starts_with("LOCATION:Café \"Zum Löwen\"\\; Hauptstraße 5\\, back\\\\room  "
                           "X-INJECTED:1"));
  // Every line ends in CRLF: no bare LF or CR anywhere.
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') CHECK((i > 0 && text[i - 1] == '\r'));
    if (text[i] == '\r') CHECK((i + 1 < text.size() && text[i + 1] == '\n'));
  }
}

TEST_CASE("ical_feed: long places fold, and no physical line passes 75 octets") {
  event e = sample_event();
  e.place = "Tōkyō Station Marunouchi North Exit, the café with the big clock — 東京駅丸の内北口";
  const std::string text = render_one(e);
  std::size_t start = 0;
  int continuations = 0;
  while (start < text.size()) {
    const auto end = text.find("\r\n", start);
    REQUIRE(end != std::string::npos);
    CHECK(end - start <= 75);
    if (text[start] == ' ') ++continuations;
    start = end + 2;
  }
  CHECK(continuations >= 2);  // SUMMARY and LOCATION at least
}

TEST_CASE("ical_feed: no events is still a valid calendar") {
  ical_feed feed;
  feed.name = "Tweetups in #meetups, downtown";
  const std::string text = render_ical_feed(feed, utc(2026, 11, 28, 17, 0));
  CHECK(text.starts_with("BEGIN:VCALENDAR\r\n"));
  CHECK(text.ends_with("END:VCALENDAR\r\n"));
  CHECK(contains(text, "\r\nX-WR-CALNAME:Tweetups in #meetups\\, downtown\r\n"));
  CHECK_FALSE(contains(text, "VEVENT"));
}
