// The calendar feed (core/calendar_feed.hpp) and `!tweetup calendar`, on the memory store.
#include "core/calendar_feed.hpp"

#include <doctest/doctest.h>

#include <string>

#include "unit/core/service_fixture.hpp"

using namespace tweetup;
using namespace tweetup::testing;
using namespace std::chrono_literals;

namespace {

service_options with_url(std::string url) {
  service_options o{"!", "America/Chicago"};
  o.public_url = std::move(url);
  return o;
}

// The key at the end of "…/calendar/<key>.ics" in the reply.
std::string key_in(const std::string& reply) {
  const auto start = reply.find("/calendar/");
  const auto end = reply.find(".ics");
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  return reply.substr(start + 10, end - start - 10);
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

}  // namespace

TEST_CASE("tweetup calendar: replies with the channel's feed URL, the same each time") {
  service_fixture f(with_url("https://tweetup.example.org"));
  const auto o = f.send("!tweetup calendar", bob);  // anyone may ask
  CHECK(o.status == command_status::ok);
  CHECK(o.command == "tweetup calendar");
  REQUIRE(o.messages.size() == 1);
  const std::string key = key_in(text_of(o));
  CHECK(is_calendar_key(key));
  CHECK(
      text_of(o).starts_with("This channel's tweetups as a calendar: "
                             "https://tweetup.example.org/calendar/" +
                             key + ".ics — "));
  CHECK(f.store.channel_of_calendar_key(key) == f.channel);
  CHECK(key_in(text_of(f.send("!tweetup calendar", alice))) == key);

  f.channel = {"irc", "#elsewhere"};
  const std::string other = key_in(text_of(f.send("!tweetup calendar", alice)));
  CHECK(other != key);
  CHECK(f.store.channel_of_calendar_key(other) == f.channel);
}

TEST_CASE("tweetup calendar: without http.public_url it explains and makes no key") {
  service_fixture f;
  const std::string before = f.store.dump();
  const auto o = f.send("!tweetup calendar", alice);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o) ==
        "This bot has no calendar feed switched on. Its operator can turn it on by setting "
        "http.public_url to the address where people reach the bot's web endpoint.");
  CHECK(f.store.dump() == before);
}

TEST_CASE("tweetup calendar: a store failure is reported, not a link") {
  service_fixture f(with_url("https://tweetup.example.org"));
  f.store.fail_next_write(store_failure::disk_full);
  const auto o = f.send("!tweetup calendar", alice);
  CHECK(o.status == command_status::failed);
  CHECK_FALSE(contains(text_of(o), "/calendar/"));
}

TEST_CASE("calendar_feed: unknown and malformed keys find nothing") {
  service_fixture f(with_url("https://tweetup.example.org"));
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  CHECK_FALSE(calendar_feed(f.store, "0123456789abcdef0123456789abcdef", default_now));
  CHECK_FALSE(calendar_feed(f.store, "", default_now));
  CHECK_FALSE(calendar_feed(f.store, "../../etc/passwd", default_now));
  const std::string key = key_in(text_of(f.send("!tweetup calendar", alice)));
  std::string upper = key;
  for (char& c : upper) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  if (upper != key) CHECK_FALSE(calendar_feed(f.store, upper, default_now));
  CHECK_FALSE(calendar_feed(f.store, key.substr(1), default_now));
  CHECK(calendar_feed(f.store, key, default_now));
  CHECK_FALSE(is_calendar_key(key + "0"));
  CHECK_FALSE(is_calendar_key("0123456789abcdef0123456789abcdeg"));
}

TEST_CASE("calendar_feed: upcoming, cancelled and recent events of this channel only") {
  service_fixture f(with_url("https://tweetup.example.org"));
  f.channel = {"discord", "998877665544332211"};
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  REQUIRE(f.send("!tweetup Blue Bottle Coffee tomorrow 7pm", alice).status == command_status::ok);
  REQUIRE(f.send("!tweetup Called Off Cafe tomorrow 9pm", alice).status == command_status::ok);
  REQUIRE(f.send("!tweetup cancel 3", alice).status == command_status::ok);
  REQUIRE(f.send("!join 1 +2", bob).status == command_status::ok);
  REQUIRE(f.send("!tweetup limit 1 5", alice).status == command_status::ok);
  const std::string key = key_in(text_of(f.send("!tweetup calendar", alice)));
  const channel_ref home = f.channel;
  f.channel = {"discord", "111111111111111111"};
  REQUIRE(f.send("!tweetup Other Channel Bar 5pm", alice).status == command_status::ok);

  const auto feed = calendar_feed(f.store, key, default_now);
  REQUIRE(feed);
  CHECK(count_of(*feed, "BEGIN:VEVENT") == 3);
  CHECK(contains(*feed, "SUMMARY:Tweetup at Starbucks Alabaster\r\n"));
  CHECK(contains(*feed, "SUMMARY:Tweetup at Blue Bottle Coffee\r\n"));
  CHECK(contains(*feed, "SUMMARY:Cancelled: Tweetup at Called Off Cafe\r\n"));
  CHECK(count_of(*feed, "STATUS:CANCELLED") == 1);
  CHECK_FALSE(contains(*feed, "Other Channel"));
  // The counts come from the RSVPs; the limit changed no SEQUENCE.
  CHECK(
      contains(*feed, "DESCRIPTION:Tweetup #1\\, planned by alice.\\n4 going\\, 1 spot left.\r\n"));
  CHECK(count_of(*feed, "SEQUENCE:0") == 2);
  CHECK(count_of(*feed, "SEQUENCE:1") == 1);
  // A Discord channel has no name to show, and its ids never appear.
  CHECK(contains(*feed, "X-WR-CALNAME:Tweetups\r\n"));
  CHECK_FALSE(contains(*feed, home.channel));
  CHECK_FALSE(contains(*feed, alice.id));
  CHECK_FALSE(contains(*feed, bob.id));
  // Soonest first.
  CHECK(feed->find("Starbucks") < feed->find("Blue Bottle"));
  CHECK(feed->find("Blue Bottle") < feed->find("Called Off"));

  // Ten days after, the events are still there for people to look back at; 40 days after,
  // they have left the feed.
  const auto later = calendar_feed(f.store, key, default_now + 24h * 10);
  REQUIRE(later);
  CHECK(count_of(*later, "BEGIN:VEVENT") == 3);
  const auto much_later = calendar_feed(f.store, key, default_now + 24h * 40);
  REQUIRE(much_later);
  CHECK(count_of(*much_later, "BEGIN:VEVENT") == 0);
}

TEST_CASE("calendar_feed: an IRC channel's name titles the calendar") {
  service_fixture f(with_url("https://tweetup.example.org"));
  f.channel = {"irc", "#meetups"};
  const std::string key = key_in(text_of(f.send("!tweetup calendar", alice)));
  const auto feed = calendar_feed(f.store, key, default_now);
  REQUIRE(feed);
  CHECK(contains(*feed, "X-WR-CALNAME:Tweetups in #meetups\r\n"));
}

TEST_CASE("gathering_service: move, place and cancel bump the revision, limit and RSVPs do not") {
  service_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  const auto revision = [&] { return f.store.find_event(f.channel, 1)->revision; };
  CHECK(revision() == 0);
  f.send("!join 1", bob);
  f.send("!tweetup limit 1 4", alice);
  CHECK(revision() == 0);
  f.send("!tweetup move 1 tomorrow 4pm", alice);
  CHECK(revision() == 1);
  f.send("!tweetup place 1 Blue Bottle Coffee", alice);
  CHECK(revision() == 2);
  f.send("!tweetup cancel 1", alice);
  CHECK(revision() == 3);
}
