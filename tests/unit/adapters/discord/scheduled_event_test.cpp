#include "adapters/discord/scheduled_event.hpp"

#include <doctest/doctest.h>

using namespace tweetup;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

event_card card() {
  event_card c;
  c.number = 3;
  c.place = "Starbucks Alabaster";
  c.starts_at =
      std::chrono::sys_seconds{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}} + 15h;
  c.zone = "America/Chicago";
  return c;
}

}  // namespace

TEST_CASE("scheduled events: an EXTERNAL event with every field R10 requires") {
  const json body = scheduled_event::create_body(card(), "810000000000000001");
  CHECK(body["entity_type"] == 3);
  CHECK(body["privacy_level"] == 2);
  CHECK(body["channel_id"].is_null());
  CHECK(body["name"] == "Tweetup #3: Starbucks Alabaster");
  CHECK(body["entity_metadata"]["location"] == "Starbucks Alabaster");
  CHECK(body["scheduled_start_time"] == "2026-12-01T15:00:00Z");
  // No end given: the default length of two hours.
  CHECK(body["scheduled_end_time"] == "2026-12-01T17:00:00Z");
  CHECK(scheduled_event::marker_of(body) == "tweetup:810000000000000001:3");
}

TEST_CASE("scheduled events: updates follow the tweetup, a cancel is final") {
  event_card c = card();
  c.ends_at = c.starts_at + 90min;
  json update = scheduled_event::update_body(c);
  CHECK(update["scheduled_end_time"] == "2026-12-01T16:30:00Z");
  CHECK_FALSE(update.contains("entity_type"));
  CHECK_FALSE(scheduled_event::is_cancel(update));
  c.cancelled = true;
  update = scheduled_event::update_body(c);
  CHECK(update == json{{"status", 4}});
  CHECK(scheduled_event::is_cancel(update));
}

TEST_CASE("scheduled events: long names and places are cut to 100 characters") {
  event_card c = card();
  c.place = std::string(300, 'x');
  const json body = scheduled_event::create_body(c, "1");
  CHECK(body["name"].get<std::string>().size() <= 100 + 2);  // "…" is 3 bytes, 1 character
  CHECK(body["entity_metadata"]["location"].get<std::string>() ==
        std::string(99, 'x') + "\xE2\x80\xA6");
  c.place = "";
  CHECK(scheduled_event::create_body(c, "1")["entity_metadata"]["location"] == "?");
}

TEST_CASE("scheduled events: only our own marker counts") {
  CHECK_FALSE(scheduled_event::marker_of(json{{"description", "a party"}}));
  CHECK_FALSE(scheduled_event::marker_of(json{{"description", "see tweetup:1:2 there"}}));
  CHECK_FALSE(scheduled_event::marker_of(json::array()));
  CHECK_FALSE(scheduled_event::marker_of(json{{"description", 5}}));
  CHECK(scheduled_event::marker_of(json{{"description", "x\ntweetup:9:12"}}) == "tweetup:9:12");
}
