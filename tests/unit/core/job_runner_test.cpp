#include <doctest/doctest.h>

#include "core/job_runner.hpp"
#include "service_fixture.hpp"

using namespace tweetup;
using namespace tweetup::testing;
using namespace std::chrono_literals;

namespace {

// A service whose reminders are 1 h and 15 min, and a runner on the same store.
struct runner_fixture : service_fixture {
  explicit runner_fixture(service_options options = {"!", "America/Chicago", {1h, 15min}})
      : service_fixture(options), runner(store, options) {}
  job_runner runner;
};

// 3pm today is 21:00 UTC; the reminders are due at 20:00 and 20:45 UTC.
const auto start = utc(2026, 11, 28, 21, 0);

}  // namespace

TEST_CASE("job_runner: a reminder on time mentions only the people going") {
  runner_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  f.send("!join 1 +1", bob);
  f.send("!maybe 1", cat);
  CHECK(f.run_jobs(start - 1h - 1s).empty());
  CHECK(f.runner.next_due() == start - 1h);

  const auto sent = f.run_jobs(start - 1h);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].plain_text() ==
        "Reminder: tweetup #1 Starbucks Alabaster starts in 1 h, Sat 28 Nov, 3:00 PM CST. "
        "@alice @bob");
  CHECK(mention_ids(sent[0]) == std::vector<std::string>{alice.id, bob.id});
  CHECK(sent[0].idempotency_key.starts_with("job:"));
  CHECK(f.run_jobs(start - 1h).empty());  // never twice

  const auto quarter = f.run_jobs(start - 15min);
  REQUIRE(quarter.size() == 1);
  CHECK(contains(quarter[0].plain_text(), "starts in 15 min"));
  const auto starting = f.run_jobs(start);
  REQUIRE(starting.size() == 1);
  CHECK(starting[0].plain_text() ==
        "Tweetup #1 Starbucks Alabaster is starting now: Sat 28 Nov, 3:00 PM CST. @alice @bob");
}

TEST_CASE("job_runner: a claimed job not marked sent is sent again with the same key") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  const auto first = f.runner.take_due(start - 1h);  // the process "crashes" before mark_sent
  REQUIRE(first.to_send.size() == 1);
  CHECK_FALSE(first.to_send[0].late);  // on time
  const auto again = f.runner.take_due(start - 1h + 5s);
  REQUIRE(again.to_send.size() == 1);
  CHECK(again.to_send[0].job_ids == first.to_send[0].job_ids);
  CHECK(again.to_send[0].message.idempotency_key == first.to_send[0].message.idempotency_key);
}

TEST_CASE("job_runner: catch-up after downtime sends one late reminder per event") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  // Down from before 20:00 until 20:50 UTC: both reminders fell due, the event has not started.
  const auto batch = f.runner.take_due(start - 10min);
  REQUIRE(batch.to_send.size() == 1);
  CHECK(contains(batch.to_send[0].message.plain_text(), "starts in 10 min"));
  CHECK(contains(batch.to_send[0].message.plain_text(), "Late: I was offline"));
  CHECK(batch.to_send[0].late);  // for the shell's count of late reminders
  CHECK(batch.to_send[0].kind == job_kind::reminder);
  REQUIRE(batch.dropped.size() == 1);
  CHECK(batch.dropped[0].reason == "a later catch-up message covers it");
  CHECK(batch.dropped[0].kind == job_kind::reminder);
}

TEST_CASE("job_runner: reminders for an event that already started are dropped") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  // Down until 15 minutes after the start: reminders dropped, "starting now" still in grace.
  auto batch = f.runner.take_due(start + 5min);
  CHECK(batch.dropped.size() == 2);
  REQUIRE(batch.to_send.size() == 1);
  CHECK(contains(batch.to_send[0].message.plain_text(), "is starting now"));
  CHECK(batch.to_send[0].kind == job_kind::starting);

  runner_fixture late;
  late.send("!tweetup Starbucks Alabaster 3pm", alice);
  batch = late.runner.take_due(start + 30min);
  CHECK(batch.to_send.empty());
  CHECK(batch.dropped.size() == 3);
}

TEST_CASE("job_runner: the end marks the event past, silently") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  f.run_jobs(start);
  CHECK(f.store.find_event(f.channel, 1)->status == event_status::scheduled);
  CHECK(f.run_jobs(start + default_event_length).empty());
  CHECK(f.store.find_event(f.channel, 1)->status == event_status::past);
  CHECK_FALSE(f.runner.next_due().has_value());
}

TEST_CASE("job_runner: moving re-plans, cancelling removes the pending jobs") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  REQUIRE(f.send("!tweetup move 1 4pm", alice).status == command_status::ok);
  CHECK(f.runner.next_due() == start + 1h - 1h);
  CHECK(f.store.pending_jobs(f.channel).size() == 4);
  CHECK(f.run_jobs(start - 1h + 30s).empty());  // the old 1-hour reminder is gone

  REQUIRE(f.send("!tweetup cancel 1", alice).status == command_status::ok);
  CHECK(f.store.pending_jobs(f.channel).empty());
  CHECK_FALSE(f.runner.next_due().has_value());
}

TEST_CASE("job_runner: a store failure while claiming leaves every job due") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  f.store.fail_next_write(store_failure::disk_full);
  CHECK_THROWS_AS(f.runner.take_due(start - 1h), store_error);
  CHECK(f.run_jobs(start - 1h).size() == 1);
}

TEST_CASE("job_runner: the morning re-announcement combines a channel's open tweetups") {
  runner_fixture f;
  // Tomorrow (Sunday 29 Nov): 9 am CST is 15:00 UTC.
  f.send("!tweetup Starbucks Alabaster tomorrow 3pm", alice);
  f.send("!tweetup Blue Bottle tomorrow 6pm", bob);
  f.send("!tweetup Full House tomorrow 7pm", cat);
  f.send("!tweetup limit 3 1", cat);  // cat alone fills it: not re-announced
  f.send("!tweetup limit 1 5", alice);
  const auto morning = utc(2026, 11, 29, 15, 0);
  const auto batch = f.runner.take_due(morning);
  REQUIRE(batch.to_send.size() == 1);
  CHECK(batch.to_send[0].job_ids.size() == 2);
  CHECK(batch.to_send[0].message.plain_text() ==
        "Today's tweetups:\n"
        "#1 Starbucks Alabaster at 3:00 PM CST (1 going, 4 spots left). Join with !join 1\n"
        "#2 Blue Bottle at 6:00 PM CST (1 going). Join with !join 2");
  CHECK(batch.to_send[0].message.mentions().empty());  // an announcement pings nobody
  CHECK(batch.to_send[0].kind == job_kind::reannounce);
  REQUIRE(batch.dropped.size() == 1);
  CHECK(batch.dropped[0].reason == "tweetup #3 is full");
  CHECK(batch.dropped[0].kind == job_kind::reannounce);
}

TEST_CASE("job_runner: the daily post budget stops re-announcements, never reminders") {
  // A budget of 2 posts a day; three reminders on the same day spend it.
  service_options options{"!", "America/Chicago", {3h, 2h, 1h}};
  options.max_posts_per_day = 2;
  runner_fixture f(options);
  f.send("!tweetup Early Bird tomorrow 8:30am", alice);  // reminders 5:30, 6:30, 7:30 CST
  f.send("!tweetup Late Lunch tomorrow 3pm", bob);       // re-announced at 9:00 CST
  CHECK(f.run_jobs(utc(2026, 11, 29, 11, 30)).size() == 1);
  CHECK(f.run_jobs(utc(2026, 11, 29, 12, 30)).size() == 1);
  CHECK(f.run_jobs(utc(2026, 11, 29, 13, 30)).size() == 1);  // reminders are a promise: still sent
  CHECK(f.run_jobs(utc(2026, 11, 29, 14, 30)).size() == 1);  // and so is "starting now"
  const auto batch = f.runner.take_due(utc(2026, 11, 29, 15, 0));
  CHECK(batch.to_send.empty());
  REQUIRE(batch.dropped.size() == 1);
  CHECK(batch.dropped[0].reason == "the channel's daily post budget is spent");
}

TEST_CASE("job_runner: a promotion notice is dropped once the tweetup has started") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  f.send("!tweetup limit 1 1", alice);
  f.send("!join 1", bob);
  f.send("!leave 1", alice);  // bob moves up; the notice is due now
  const auto batch = f.runner.take_due(start + 1min);
  REQUIRE(batch.to_send.size() == 1);  // only "starting now"
  CHECK(contains(batch.to_send[0].message.plain_text(), "is starting now"));
  CHECK(batch.dropped.size() == 3);  // two reminders and the notice
}

TEST_CASE("gathering_service: tweetup reminders sets the channel's offsets and re-plans") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  CHECK(contains(text_of(f.send_as("!tweetup reminders 2h 30m", bob, false)),
                 "Only a channel moderator"));
  auto o = f.send("!tweetup reminders 2h 30m", mod);
  REQUIRE(o.status == command_status::ok);
  CHECK(text_of(o) ==
        "Reminders here now go out 2 h and 30 min before each tweetup. 1 upcoming tweetup "
        "re-planned.");
  CHECK(f.runner.next_due() == start - 2h);
  CHECK(f.store.load_channel(f.channel).reminders == std::vector<std::chrono::seconds>{2h, 30min});

  CHECK(text_of(f.send("!tweetup reminders off", mod)) ==
        "Reminders are off in this channel. 1 upcoming tweetup re-planned.");
  CHECK(f.runner.next_due() == start);  // only "starting now" is left
  CHECK(text_of(f.send("!tweetup reminders default", mod)) ==
        "Reminders here now go out 1 h and 15 min before each tweetup (the default). 1 upcoming "
        "tweetup re-planned.");
  CHECK(f.runner.next_due() == start - 1h);
  CHECK(f.send("!tweetup reminders soon", mod).status == command_status::rejected);
}

TEST_CASE("gathering_service: tweetup status shows what waits to go out, to moderators") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  CHECK(f.send_as("!tweetup status", bob, false).status == command_status::rejected);
  const auto o = f.send("!tweetup status", mod);
  REQUIRE(o.status == command_status::ok);
  CHECK(text_of(o) ==
        "Waiting to go out here:\n"
        "#1 reminder, 1 h before — Sat 28 Nov, 2:00 PM CST (in 3 h 45 min)\n"
        "#1 reminder, 15 min before — Sat 28 Nov, 2:45 PM CST (in 4 h 30 min)\n"
        "#1 starting now — Sat 28 Nov, 3:00 PM CST (in 4 h 45 min)\n"
        "#1 marked over — Sat 28 Nov, 5:00 PM CST (in 6 h 45 min)");
  f.send("!tweetup cancel 1", alice);
  CHECK(text_of(f.send("!tweetup status", mod)) == "Nothing is waiting to go out in this channel.");
}
