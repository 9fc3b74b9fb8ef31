#include "core/gathering_service.hpp"

#include <doctest/doctest.h>

#include "core/command_spec.hpp"
#include "unit/core/service_fixture.hpp"

using namespace tweetup;
using namespace tweetup::testing;
using namespace std::chrono_literals;

namespace {

using ids = std::vector<std::string>;

// No reply may carry a line break, NUL or other control byte that came from a user.
void check_single_line(const command_outcome& o) {
  for (const auto& m : o.messages) {
    const std::string text = m.plain_text();
    CAPTURE(text);
    CHECK(text.find('\r') == std::string::npos);
    CHECK(text.find('\n') == std::string::npos);
    CHECK(text.find('\0') == std::string::npos);
  }
}

// The one rejection reply, with nothing changed in the store.
void check_rejected(service_fixture& f, const std::string& text, const user_ref& who,
                    const std::string& expected_reply, bool moderator = false,
                    std::chrono::sys_seconds now = default_now) {
  CAPTURE(text);
  const std::string before = f.store.dump();
  const auto o = f.send_as(text, who, moderator, now);
  CHECK(o.status == command_status::rejected);
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0].plain_text() == expected_reply);
  CHECK(o.messages[0].mentions().empty());
  CHECK(f.store.dump() == before);
}

event require_event(const std::optional<event>& e) {
  REQUIRE(e.has_value());
  return *e;
}

}  // namespace

TEST_CASE("gathering_service: create replies with the number, the time, the assumptions") {
  service_fixture f;
  const auto o = f.send("!tweetup Starbucks Alabaster 3pm", alice);
  CHECK(o.status == command_status::ok);
  CHECK(o.command == "tweetup");
  REQUIRE(o.messages.size() == 1);
  const std::string text = text_of(o);
  CHECK(text ==
        "Tweetup #1 Starbucks Alabaster, Sat 28 Nov, 3:00 PM CST (in 4 h 45 min). Assumed: "
        "America/Chicago time. You're going; others join with !join 1");
  CHECK(o.messages[0].reply_to == "m1");
  CHECK(o.messages[0].channel == f.channel);
  CHECK(o.messages[0].mentions().empty());

  const event& e = require_event(f.store.find_event(f.channel, 1));
  CHECK(e.place == "Starbucks Alabaster");
  CHECK(e.organizer.id == alice.id);
  CHECK(e.starts_at == utc(2026, 11, 28, 21, 0));
  CHECK_FALSE(e.ends_at.has_value());
  CHECK(e.zone == "America/Chicago");
  CHECK_FALSE(e.capacity.has_value());
  CHECK(e.status == event_status::scheduled);
  CHECK(e.created_at == default_now);
  const auto rsvps = f.store.rsvps_of(e.id);
  REQUIRE(rsvps.size() == 1);
  CHECK(rsvps[0].user.id == alice.id);
  CHECK(rsvps[0].status == rsvp_status::going);

  const auto second = f.send("!tweetup Cafe Luna 9am", bob);
  REQUIRE(second.status == command_status::ok);
  CHECK(
      contains(text_of(second), "Tweetup #2 Cafe Luna, Sun 29 Nov, 9:00 AM CST (in 22 h 45 min)."));
  CHECK(contains(text_of(second), "tomorrow, since that time has passed today"));
  CHECK(contains(text_of(second), "!join 2"));
}

TEST_CASE("gathering_service: create refusals") {
  service_fixture f;
  check_rejected(f, "!tweetup", alice,
                 "Say where and when. Example: !tweetup Starbucks Alabaster 3pm");
  const auto no_time = f.send("!tweetup Starbucks", alice);
  CHECK(no_time.status == command_status::rejected);
  CHECK(no_time.messages.size() == 1);
  CHECK(f.store.dump() == memory_event_store().dump());
  const auto long_place = f.send("!tweetup " + std::string(301, 'x') + " 3pm", alice);
  CHECK(long_place.status == command_status::rejected);
  CHECK(text_of(long_place) == "That place name is too long (301 bytes; the limit is 300).");
  CHECK_FALSE(f.store.find_event(f.channel, 1).has_value());
}

TEST_CASE("gathering_service: join, maybe and leave") {
  service_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);

  auto o = f.send("!join 1", bob);
  CHECK(o.status == command_status::ok);
  CHECK(o.command == "join");
  // The key a platform deduplicates retries by: the same for the same message and reply.
  REQUIRE(o.messages.size() == 1);
  CHECK(o.messages[0].idempotency_key == "reply:console:general:m2:0");
  CHECK(o.messages[0].reply_to == "m2");
  CHECK(text_of(o) ==
        "You're going to #1 Starbucks Alabaster, Sat 28 Nov, 3:00 PM CST (in 4 h 45 min). Now 2 "
        "going.");
  o = f.send("!join 1 +2", bob);
  CHECK(text_of(o) == "Updated: you're going to #1 Starbucks Alabaster with +2. Now 4 going.");
  o = f.send("!maybe #1", bob);
  CHECK(text_of(o) == "Marked you as maybe for #1 Starbucks Alabaster. Now 1 going.");
  check_rejected(f, "!maybe 1", bob,
                 "You're already a maybe for #1 Starbucks Alabaster. Decided? !join 1");
  o = f.send("!leave 1", bob);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o) == "Got it, you're not going to #1 Starbucks Alabaster. Now 1 going.");

  const auto rsvps = f.store.rsvps_of(1);
  REQUIRE(rsvps.size() == 2);
  CHECK(rsvps[1].user.id == bob.id);
  CHECK(rsvps[1].status == rsvp_status::declined);
  CHECK(rsvps[1].guests == 0);

  check_rejected(f, "!leave 1", bob,
                 "You weren't on the list for #1 Starbucks Alabaster, so nothing changed.");
  check_rejected(f, "!leave 1", cat,
                 "You weren't on the list for #1 Starbucks Alabaster, so nothing changed.");
  check_rejected(f, "!join 1", alice,
                 "You're already going to #1 Starbucks Alabaster. To change guests: !join 1 +2");
}

TEST_CASE("gathering_service: waitlist promotion mentions only the promoted person") {
  service_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  auto o = f.send("!tweetup limit 1 2", alice);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o) == "#1 now has 2 seats: 1 going, 1 spot left.");
  CHECK(text_of(f.send("!join 1", bob)) ==
        "You're going to #1 Starbucks Alabaster, Sat 28 Nov, 3:00 PM CST (in 4 h 45 min). Now 2 "
        "going, full.");
  o = f.send("!join 1", cat);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o) ==
        "#1 Starbucks Alabaster is full, so you're on the waitlist, number 1. I'll tell you when "
        "a spot opens.");
  CHECK(contains(text_of(f.send("!join 1 +1", dan)), "on the waitlist with +1, number 2."));
  check_rejected(f, "!join 1", cat,
                 "You're already on the waitlist for #1 Starbucks Alabaster, number 1.");

  o = f.send("!leave 1", bob);
  CHECK(o.status == command_status::ok);
  REQUIRE(o.messages.size() == 1);
  CHECK(text_of(o, 0) ==
        "Got it, you're not going to #1 Starbucks Alabaster. Now 2 going, full, 1 waiting.");
  CHECK(o.messages[0].mentions().empty());
  // The notice is a durable job written with the leave, posted by the scheduler at once.
  const auto notices = f.run_jobs();
  REQUIRE(notices.size() == 1);
  CHECK(mention_ids(notices[0]) == ids{cat.id});
  CHECK(notices[0].plain_text() ==
        "@cat, a spot opened up: you're going to #1 Starbucks Alabaster, Sat 28 Nov, 3:00 PM CST "
        "(in 4 h 45 min).");
  CHECK(notices[0].reply_to.empty());
  CHECK(notices[0].channel == f.channel);
  CHECK(o.messages[0].idempotency_key != notices[0].idempotency_key);
  CHECK(f.run_jobs().empty());  // told once

  auto rsvps = f.store.rsvps_of(1);
  REQUIRE(rsvps.size() == 4);
  CHECK(rsvps[2].user.id == cat.id);
  CHECK(rsvps[2].status == rsvp_status::going);
  CHECK(rsvps[3].user.id == dan.id);
  CHECK(rsvps[3].status == rsvp_status::waitlisted);

  // Raising the limit lets dan (a party of 2) in.
  o = f.send("!tweetup limit 1 4", alice);
  CHECK(o.status == command_status::ok);
  REQUIRE(o.messages.size() == 1);
  CHECK(text_of(o, 0) == "#1 now has 4 seats: 4 going, full.");
  const auto raised = f.run_jobs();
  REQUIRE(raised.size() == 1);
  CHECK(mention_ids(raised[0]) == ids{dan.id});
  CHECK(f.store.rsvps_of(1)[3].status == rsvp_status::going);

  // Lowering it removes nobody.
  o = f.send("!tweetup limit 1 1", alice);
  CHECK(o.status == command_status::ok);
  REQUIRE(o.messages.size() == 1);
  CHECK(
      text_of(o) ==
      "#1 now has 1 seat: 4 going, full. Nobody was removed; new joins wait until there is room.");
  CHECK(require_event(f.store.find_event(f.channel, 1)).capacity == 1);
  o = f.send("!tweetup limit 1 none", alice);
  CHECK(text_of(o) == "#1 has no limit now: 4 going.");
  CHECK_FALSE(require_event(f.store.find_event(f.channel, 1)).capacity.has_value());
}

TEST_CASE("gathering_service: RSVPs, limits and lists read the tallies, not every RSVP") {
  service_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  const int reads = f.store.full_rsvp_reads();
  CHECK(text_of(f.send("!tweetup limit 1 2", alice)) ==
        "#1 now has 2 seats: 1 going, 1 spot left.");
  CHECK(f.send("!join 1 +1", bob).status == command_status::ok);  // waits: 2 seats, 1 left
  auto o = f.send("!join 1", cat);
  CHECK(text_of(o) ==
        "#1 Starbucks Alabaster is full, so you're on the waitlist, number 2. I'll tell you when "
        "a spot opens.");
  REQUIRE(o.messages[0].card.has_value());
  CHECK(o.messages[0].card->going == 1);
  CHECK(o.messages[0].card->waiting == 2);
  o = f.send("!maybe 1", dan);
  CHECK(text_of(o) ==
        "Marked you as maybe for #1 Starbucks Alabaster. Now 1 going, 1 spot left, "
        "2 waiting.");
  CHECK(o.messages[0].card->maybe == 1);
  o = f.send("!tweetup limit 1 3", alice);  // bob's party of 2 fits now; cat still waits
  CHECK(text_of(o) == "#1 now has 3 seats: 3 going, full, 1 waiting.");
  o = f.send("!leave 1", bob);
  CHECK(text_of(o) ==
        "Got it, you're not going to #1 Starbucks Alabaster. Now 2 going, 1 spot "
        "left.");
  CHECK(contains(text_of(f.send("!tweetups", dan)), "2 going, 1 spot left"));
  check_rejected(f, "!join 1", cat,
                 "You're already going to #1 Starbucks Alabaster. To change guests: !join 1 +2");
  CHECK(f.store.full_rsvp_reads() == reads);

  // What names people still reads them all.
  CHECK(contains(text_of(f.send("!tweetup info 1", dan)), "Going: alice, cat"));
  CHECK(f.store.full_rsvp_reads() > reads);
}

TEST_CASE("gathering_service: cancel, move and place by the organizer tell the others") {
  service_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  f.send("!join 1", bob);
  f.send("!maybe 1", cat);
  f.send("!join 1", dan);
  f.send("!leave 1", dan);

  auto o = f.send("!tweetup move 1 tomorrow 4pm", alice);
  CHECK(o.status == command_status::ok);
  CHECK(o.command == "tweetup move");
  REQUIRE(o.messages.size() == 1);
  CHECK(contains(
      text_of(o),
      "Tweetup #1 Starbucks Alabaster moved to Sun 29 Nov, 4:00 PM CST (in 1 day 5 h) (was "
      "Sat 28 Nov, 3:00 PM CST)."));
  CHECK(mention_ids(o.messages[0]) == ids{bob.id, cat.id});
  event e = require_event(f.store.find_event(f.channel, 1));
  CHECK(e.starts_at == utc(2026, 11, 29, 22, 0));
  CHECK(e.revision == 1);
  check_rejected(f, "!tweetup move 1 tomorrow 4pm", alice, "#1 is already at that time.");

  o = f.send("!tweetup place 1 Blue Bottle Coffee", alice);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o).starts_with(
      "Tweetup #1 moved to Blue Bottle Coffee (was Starbucks Alabaster), Sun 29 Nov, 4:00 PM CST "
      "(in 1 day 5 h)."));
  CHECK(mention_ids(o.messages[0]) == ids{bob.id, cat.id});
  CHECK(require_event(f.store.find_event(f.channel, 1)).place == "Blue Bottle Coffee");
  check_rejected(f, "!tweetup place 1 Blue Bottle Coffee", alice, "#1 is already there.");

  o = f.send("!tweetup cancel 1", alice);
  CHECK(o.status == command_status::ok);
  REQUIRE(o.messages.size() == 1);
  CHECK(text_of(o).starts_with(
      "Tweetup #1 Blue Bottle Coffee on Sun 29 Nov, 4:00 PM CST is cancelled. @bob @cat"));
  CHECK(mention_ids(o.messages[0]) == ids{bob.id, cat.id});
  e = require_event(f.store.find_event(f.channel, 1));
  CHECK(e.status == event_status::cancelled);
  CHECK(e.revision == 3);

  const std::string cancelled = "Tweetup #1 was cancelled. Plan a new one with !tweetup.";
  check_rejected(f, "!join 1", cat, cancelled);
  check_rejected(f, "!leave 1", bob, cancelled);
  check_rejected(f, "!tweetup cancel 1", alice, cancelled);
  check_rejected(f, "!tweetup move 1 5pm", alice, cancelled);
  check_rejected(f, "!tweetup place 1 Elsewhere", alice, cancelled);
  // info still works, and says so.
  o = f.send("!tweetup info 1", bob);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o).starts_with("#1 Blue Bottle Coffee (cancelled)\n"));
}

TEST_CASE("gathering_service: only the organizer or a moderator may change an event") {
  service_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  f.send("!join 1", bob);
  check_rejected(f, "!tweetup cancel 1", bob,
                 "Only the organizer (alice) or a channel moderator can cancel #1.");
  check_rejected(f, "!tweetup move 1 5pm", bob,
                 "Only the organizer (alice) or a channel moderator can move #1.");
  check_rejected(f, "!tweetup place 1 Pub", bob,
                 "Only the organizer (alice) or a channel moderator can change the place of #1.");
  check_rejected(f, "!tweetup limit 1 5", bob,
                 "Only the organizer (alice) or a channel moderator can change the limit of #1.");

  // A moderator may; the author is not mentioned, everyone else who answered is.
  const auto o = f.send("!tweetup cancel 1", mod);
  CHECK(o.status == command_status::ok);
  REQUIRE(o.messages.size() == 1);
  CHECK(mention_ids(o.messages[0]) == ids{alice.id, bob.id});
  CHECK(require_event(f.store.find_event(f.channel, 1)).status == event_status::cancelled);
}

TEST_CASE("gathering_service: unknown ids, other channels and events that are over") {
  service_fixture f;
  check_rejected(f, "!join 1", bob,
                 "There's no tweetup #1 in this channel. See !tweetups for the list.");
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  check_rejected(f, "!join 9", bob,
                 "There's no tweetup #9 in this channel. See !tweetups for the list.");
  check_rejected(f, "!tweetup info 2", bob,
                 "There's no tweetup #2 in this channel. See !tweetups for the list.");

  // Same store, other channel: #1 of "general" is not visible there.
  const inbound_message m{{"console", "elsewhere"}, bob, "!join 1", "x1", false};
  const auto o = f.service.handle(m, default_now);
  CHECK(o.status == command_status::rejected);
  CHECK(text_of(o) == "There's no tweetup #1 in this channel. See !tweetups for the list.");

  // 3 PM to 5 PM CST by default: open at 4:59:59 PM, over at 5 PM.
  CHECK(f.send("!join 1", bob, utc(2026, 11, 28, 22, 59, 59)).status == command_status::ok);
  check_rejected(f, "!join 1", cat, "Tweetup #1 is over.", false, utc(2026, 11, 28, 23, 0));
  check_rejected(f, "!leave 1", bob, "Tweetup #1 is over.", false, utc(2026, 11, 29, 1, 0));
  check_rejected(f, "!tweetup cancel 1", alice, "Tweetup #1 is over.", false,
                 utc(2026, 11, 29, 1, 0));
}

TEST_CASE("gathering_service: a capacity of 0 is refused") {
  service_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  check_rejected(f, "!tweetup limit 1 0", alice,
                 "A limit is a number of seats, at least 1 (or none). Example: !tweetup limit 3 8");
  check_rejected(f, "!tweetup limit 1 -2", alice,
                 "A limit is a number of seats, at least 1 (or none). Example: !tweetup limit 3 8");
}

TEST_CASE("gathering_service: hostile places are stored exactly and shown harmlessly") {
  service_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  f.send("!join 1", bob);
  const std::string hostile = "@everyone <@&123> \r\nQUIT '; DROP TABLE events; --";
  auto o = f.send("!tweetup place 1 " + hostile, alice);
  CHECK(o.status == command_status::ok);
  REQUIRE(o.messages.size() == 1);
  check_single_line(o);
  const std::string shown = text_of(o);
  CHECK(contains(shown,
                 "@\xE2\x80\x8B"
                 "everyone <@&123>   QUIT '; DROP TABLE events; --"));
  CHECK_FALSE(contains(shown, "@everyone"));
  CHECK(mention_ids(o.messages[0]) == ids{bob.id});
  CHECK(require_event(f.store.find_event(f.channel, 1)).place == hostile);

  for (const char* command : {"!join 1 +1", "!maybe 1", "!leave 1", "!join 1"}) {
    CAPTURE(command);
    o = f.send(command, cat);
    CHECK(o.status == command_status::ok);
    check_single_line(o);
    CHECK_FALSE(contains(text_of(o), "@everyone"));
  }
  // Multi-line replies: the place never starts a line of its own.
  for (const char* command : {"!tweetup info 1", "!tweetups"}) {
    CAPTURE(command);
    o = f.send(command, cat);
    CHECK(o.status == command_status::ok);
    const std::string text = text_of(o);
    CHECK_FALSE(contains(text, "\nQUIT"));
    CHECK_FALSE(contains(text, "\r"));
    CHECK_FALSE(contains(text, "@everyone"));
    CHECK(contains(text,
                   "#1 @\xE2\x80\x8B"
                   "everyone"));
  }
  o = f.send("!tweetup cancel 1", alice);
  check_single_line(o);
  CHECK(require_event(f.store.find_event(f.channel, 1)).place == hostile);

  // A created event keeps such text too, and NUL is refused before anything is stored.
  const std::string before = f.store.dump();
  o = f.send(std::string("!tweetup place 1 a\0b", 20), alice);
  CHECK(o.status == command_status::rejected);
  CHECK(f.store.dump() == before);
  o = f.send("!tweetup Bobby's '; DROP TABLE events; -- Bar 5pm", bob);
  CHECK(o.status == command_status::ok);
  CHECK(require_event(f.store.find_event(f.channel, 2)).place ==
        "Bobby's '; DROP TABLE events; -- Bar");
}

TEST_CASE("gathering_service: store failures change nothing and say why") {
  service_fixture f;
  const std::string disk =
      "Sorry, I couldn't save that: the bot's disk is full. Nothing was changed; please tell "
      "whoever runs this bot, and try again later.";

  SUBCASE("create, failing on the event") {
    f.store.fail_next_write(store_failure::disk_full);
    const auto o = f.send("!tweetup Starbucks Alabaster 3pm", alice);
    CHECK(o.status == command_status::failed);
    REQUIRE(o.messages.size() == 1);
    CHECK(text_of(o) == disk);
    CHECK(contains(o.failure_detail, "injected failure"));
    CHECK(f.store.dump() == memory_event_store().dump());
  }
  SUBCASE("create, failing on the organizer's RSVP after the event was written") {
    f.store.fail_next_write(store_failure::disk_full, 1);
    const auto o = f.send("!tweetup Starbucks Alabaster 3pm", alice);
    CHECK(o.status == command_status::failed);
    REQUIRE(o.messages.size() == 1);
    CHECK(text_of(o) == disk);
    CHECK_FALSE(f.store.failure_armed());
    CHECK(f.store.dump() == memory_event_store().dump());
    CHECK_FALSE(f.store.find_event(f.channel, 1).has_value());
    // The next try works and gets #1: the failed one left no number behind.
    const auto again = f.send("!tweetup Starbucks Alabaster 3pm", alice);
    CHECK(again.status == command_status::ok);
    CHECK(contains(text_of(again), "#1 Starbucks Alabaster"));
  }
  SUBCASE("a promotion that fails rolls back the leave too") {
    REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
    f.send("!tweetup limit 1 1", alice);
    f.send("!join 1", bob);
    const std::string before = f.store.dump();
    f.store.fail_next_write(store_failure::read_only, 1);  // alice's RSVP saved, bob's not
    const auto o = f.send("!leave 1", alice);
    CHECK(o.status == command_status::failed);
    REQUIRE(o.messages.size() == 1);
    CHECK(contains(text_of(o), "the bot's database is read-only"));
    CHECK(o.messages[0].mentions().empty());
    CHECK(f.store.dump() == before);
  }
  SUBCASE("tz") {
    f.store.fail_next_write(store_failure::busy);
    const auto o = f.send("!tweetup tz Europe/Berlin", mod);
    CHECK(o.status == command_status::failed);
    CHECK(contains(text_of(o), "the bot's database is busy"));
    CHECK(f.store.load_channel(f.channel).zone.empty());
  }
}

TEST_CASE("gathering_service: help") {
  service_fixture f;
  auto o = f.send("!help", bob);
  CHECK(o.status == command_status::ok);
  CHECK(o.command == "help");
  REQUIRE(o.messages.size() == 1);
  const std::string text = text_of(o);
  for (const auto& spec : command_specs()) {
    CAPTURE(spec.name);
    CHECK(contains(text, "\n!" + std::string(spec.usage) + " — " + std::string(spec.summary)));
  }
  CHECK(text.starts_with("Commands:\n"));

  o = f.send("!help join", bob);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o) ==
        "!join <id> [+N] — Say you're going, bringing N guests. Full? You wait in line.\n"
        "Example: !join 1\nExample: !join 2 +2");
  o = f.send("!help move", bob);
  CHECK(contains(text_of(o), "Only the organizer or a channel moderator may do this."));
  CHECK(contains(text_of(o), "Example: !tweetup move 1 tomorrow 4pm"));
  CHECK(f.send("!help tweetup cancel", bob).status == command_status::ok);
  check_rejected(f, "!help dance", bob, "There's no command by that name. See !help for the list.");
}

TEST_CASE("gathering_service: lines that are not commands are ignored") {
  service_fixture f;
  for (const char* text : {"hello", "!foo 3", "join 1", "", "! tweetup x 3pm", "?join 1"}) {
    CAPTURE(text);
    const auto o = f.send(text, bob);
    CHECK(o.status == command_status::ignored);
    CHECK(o.messages.empty());
    CHECK(o.command.empty());
  }
  CHECK(f.store.writes() == 0);
}

TEST_CASE("gathering_service: tz needs a moderator and a real zone") {
  service_fixture f;
  check_rejected(f, "!tweetup tz Europe/Berlin", bob,
                 "Only a channel moderator can set the channel's time zone.");
  check_rejected(
      f, "!tweetup tz Mars/Olympus", mod,
      "I don't know that time zone. Use an IANA name. Example: !tweetup tz Europe/Berlin", true);
  const auto o = f.send("!tweetup tz europe/berlin", mod);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o) ==
        "This channel's times are now read in Europe/Berlin (it is 17:15 CET there). Tweetups "
        "already planned keep their time.");
  CHECK(f.store.load_channel(f.channel).zone == "Europe/Berlin");

  const auto created = f.send("!tweetup Cafe Einstein 8pm", alice);
  CHECK(created.status == command_status::ok);
  CHECK(contains(text_of(created), "Sat 28 Nov, 8:00 PM CET (in 2 h 45 min)"));
  const event& e = require_event(f.store.find_event(f.channel, 1));
  CHECK(e.zone == "Europe/Berlin");
  CHECK(e.starts_at == utc(2026, 11, 28, 19, 0));
}

TEST_CASE("gathering_service: list shows the soonest first and hides cancelled and over events") {
  service_fixture f;
  auto o = f.send("!tweetups", bob);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o) == "No tweetups planned here yet. Start one: !tweetup Starbucks Alabaster 3pm");

  REQUIRE(f.send("!tweetup Alpha Cafe 6pm", alice).status == command_status::ok);    // #1 18:00
  REQUIRE(f.send("!tweetup Bravo Bar 3pm", alice).status == command_status::ok);     // #2 15:00
  REQUIRE(f.send("!tweetup Charlie Pub 4pm", alice).status == command_status::ok);   // #3 16:00
  REQUIRE(f.send("!tweetup Delta Diner 11am", alice).status == command_status::ok);  // #4 11:00
  REQUIRE(f.send("!tweetup cancel 3", alice).status == command_status::ok);
  f.send("!join 2 +1", bob);

  o = f.send("!tweetups", bob);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o) ==
        "Upcoming tweetups:\n"
        "#4 Delta Diner · Sat 28 Nov, 11:00 AM CST (in 45 min) · 1 going\n"
        "#2 Bravo Bar · Sat 28 Nov, 3:00 PM CST (in 4 h 45 min) · 3 going\n"
        "#1 Alpha Cafe · Sat 28 Nov, 6:00 PM CST (in 7 h 45 min) · 1 going");

  // At 4 PM: Delta Diner (11 AM to 1 PM) is over, Bravo Bar (3 to 5 PM) is on.
  o = f.send("!tweetup list", bob, utc(2026, 11, 28, 22, 0));
  CHECK(text_of(o) ==
        "Upcoming tweetups:\n"
        "#2 Bravo Bar · Sat 28 Nov, 3:00 PM CST (1 h ago) · 3 going\n"
        "#1 Alpha Cafe · Sat 28 Nov, 6:00 PM CST (in 2 h) · 1 going");
}

TEST_CASE("gathering_service: info shows who answered what") {
  service_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  f.send("!tweetup limit 1 3", alice);
  f.send("!join 1 +1", bob);
  f.send("!maybe 1", cat);
  f.send("!join 1", dan);
  const auto o = f.send("!tweetup info #1", cat);
  CHECK(o.status == command_status::ok);
  CHECK(text_of(o) ==
        "#1 Starbucks Alabaster\n"
        "When: Sat 28 Nov, 3:00 PM CST (in 4 h 45 min)\n"
        "Organizer: alice\n"
        "3 going, full, 1 waiting (limit 3)\n"
        "Going: alice, bob +1\n"
        "Maybe: cat\n"
        "Waitlist: 1. dan");
}

TEST_CASE("gathering_service: command errors give one reply and change nothing") {
  service_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  check_rejected(f, "!join 1 +21", bob,
                 "Guests are written +N, from +0 to +20. Example: !join 3 +2");
  check_rejected(f, "!join", bob, "Which tweetup? Give its number. Example: !join 3 +1");
  const auto o = f.send("!join 1 \xFF", bob);
  CHECK(o.status == command_status::rejected);
  CHECK(o.command == "join");
}

TEST_CASE("gathering_service: display names in mentions are sanitized too") {
  // A mention shows the display name, which comes from the platform and may hold anything.
  service_fixture f;
  const user_ref evil{"u-evil", "everyone\r\nQUIT"};
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  f.send("!tweetup limit 1 1", alice);
  REQUIRE(f.send("!join 1", evil).status == command_status::ok);  // waits
  const auto o = f.send("!leave 1", alice);
  REQUIRE(o.messages.size() == 1);
  check_single_line(o);
  const auto notices = f.run_jobs();
  REQUIRE(notices.size() == 1);
  CHECK(mention_ids(notices[0]) == ids{evil.id});
  CHECK(notices[0].plain_text().find_first_of("\r\n") == std::string::npos);
  CHECK_FALSE(contains(notices[0].plain_text(), "@everyone"));
}

TEST_CASE("gathering_service: announcements carry the event's card, changes an updated one") {
  service_fixture f;
  auto o = f.send("!tweetup Starbucks @everyone 3pm", alice);
  REQUIRE(o.messages.size() == 1);
  REQUIRE(o.messages[0].card.has_value());
  const event_card& created = *o.messages[0].card;
  CHECK(created.role == event_card::use::announce);
  CHECK(created.number == 1);
  CHECK(created.place == "Starbucks @\u200beveryone");  // displayable(): no mention
  CHECK(created.starts_at == utc(2026, 11, 28, 21, 0));
  CHECK(created.zone == "America/Chicago");
  CHECK(created.organizer.id == alice.id);
  CHECK(created.going == 1);
  CHECK(created.maybe == 0);
  CHECK(created.open);
  CHECK_FALSE(created.cancelled);

  o = f.send("!join 1 +2", bob);
  REQUIRE(o.messages[0].card.has_value());
  CHECK(o.messages[0].card->role == event_card::use::update);
  CHECK(o.messages[0].card->going == 4);
  o = f.send("!maybe 1", cat);
  CHECK(o.messages[0].card->maybe == 1);
  o = f.send("!tweetup limit 1 4", alice);
  CHECK(o.messages[0].card->capacity == 4);
  o = f.send("!join 1", dan);
  CHECK(o.messages[0].card->waiting == 1);

  o = f.send("!tweetup info 1", cat);
  REQUIRE(o.messages[0].card.has_value());
  CHECK(o.messages[0].card->role == event_card::use::announce);

  o = f.send("!tweetup move 1 4pm", alice);
  CHECK(o.messages[0].card->starts_at == utc(2026, 11, 28, 22, 0));
  o = f.send("!tweetup cancel 1", alice);
  REQUIRE(o.messages[0].card.has_value());
  CHECK(o.messages[0].card->cancelled);
  CHECK_FALSE(o.messages[0].card->open);

  // Rejections and lists present no single event.
  CHECK_FALSE(f.send("!join 1", bob).messages[0].card.has_value());
  CHECK_FALSE(f.send("!tweetups", bob).messages[0].card.has_value());
}

TEST_CASE("gathering_service: times in replies are marked with the instant they word") {
  service_fixture f;
  const auto o = f.send("!tweetup Starbucks Alabaster 3pm", alice);
  REQUIRE(o.messages.size() == 1);
  std::optional<moment> when;
  for (const auto& piece : o.messages[0].pieces) {
    if (piece.when) {
      CHECK(piece.text == "Sat 28 Nov, 3:00 PM CST (in 4 h 45 min)");
      when = piece.when;
    }
  }
  REQUIRE(when.has_value());
  CHECK(when->start == utc(2026, 11, 28, 21, 0));
  CHECK(when->relative);
  const auto moved = f.send("!tweetup move 1 4pm", alice);
  int marked = 0;
  for (const auto& piece : moved.messages[0].pieces)
    marked += piece.when.has_value();
  CHECK(marked == 2);  // the new time and the old one
}
