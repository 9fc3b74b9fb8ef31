// event_cache on its own: keyed by platform, channel and number; bounded.
#include "storage/event_cache.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace tweetup;

namespace {

event make_event(std::int64_t id, const channel_ref& channel, int number,
                 const std::string& place) {
  event e;
  e.id = id;
  e.channel = channel;
  e.number = number;
  e.place = place;
  return e;
}

const channel_ref discord{"discord", "42"};
const channel_ref irc{"irc", "42"};

}  // namespace

TEST_CASE("event_cache: an entry answers only for its own platform, channel and number") {
  event_cache cache(8);
  CHECK(cache.find(discord, 1) == nullptr);
  cache.put(make_event(1, discord, 1, "A"));
  REQUIRE(cache.find(discord, 1) != nullptr);
  CHECK(cache.find(discord, 1)->place == "A");
  CHECK(cache.find(discord, 2) == nullptr);
  CHECK(cache.find(irc, 1) == nullptr);
  CHECK(cache.find({"discord", "43"}, 1) == nullptr);
  // A second put replaces the first.
  cache.put(make_event(1, discord, 1, "B"));
  CHECK(cache.find(discord, 1)->place == "B");
  CHECK(cache.size() == 1);
}

TEST_CASE("event_cache: forget drops the event with that id, clear drops all") {
  event_cache cache(8);
  cache.put(make_event(1, discord, 1, "A"));
  cache.put(make_event(2, irc, 1, "B"));
  cache.forget(1);
  CHECK(cache.find(discord, 1) == nullptr);
  CHECK(cache.find(irc, 1) != nullptr);
  cache.forget(99);
  CHECK(cache.size() == 1);
  cache.clear();
  CHECK(cache.find(irc, 1) == nullptr);
  CHECK(cache.size() == 0);
}

TEST_CASE("event_cache: never holds more than its capacity") {
  event_cache cache(3);
  for (int n = 1; n <= 10; ++n) {
    cache.put(make_event(n, discord, n, "P"));
    CHECK(cache.size() <= 3);
    CHECK(cache.find(discord, n) != nullptr);  // the newest is always kept
  }
  event_cache none(0);
  none.put(make_event(1, discord, 1, "A"));
  CHECK(none.find(discord, 1) == nullptr);
}
