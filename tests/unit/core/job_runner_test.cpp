#include <doctest/doctest.h>

#include "core/job_runner.hpp"
#include "service_fixture.hpp"

using namespace tweetup;
using namespace tweetup::testing;
using namespace std::chrono_literals;

namespace {

// A service whose reminders are 1 h and 15 min, and a runner on the same store.
struct runner_fixture : service_fixture {
  runner_fixture() : service_fixture({"!", "America/Chicago", {1h, 15min}}) {}
  job_runner runner{store};

  // Runs what is due at `now` as the scheduler would, returning the texts sent.
  std::vector<outbound_message> tick(std::chrono::sys_seconds now) {
    std::vector<outbound_message> sent_messages;
    for (auto& due : runner.take_due(now).to_send) {
      if (due.message) sent_messages.push_back(*due.message);
      runner.mark_sent(due.job_id);
    }
    return sent_messages;
  }
};

// 3pm today is 21:00 UTC; the reminders are due at 20:00 and 20:45 UTC.
const auto start = utc(2026, 11, 28, 21, 0);

}  // namespace

TEST_CASE("job_runner: a reminder on time mentions only the people going") {
  runner_fixture f;
  REQUIRE(f.send("!tweetup Starbucks Alabaster 3pm", alice).status == command_status::ok);
  f.send("!join 1 +1", bob);
  f.send("!maybe 1", cat);
  CHECK(f.tick(start - 1h - 1s).empty());
  CHECK(f.runner.next_due() == start - 1h);

  const auto sent = f.tick(start - 1h);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].plain_text() ==
        "Reminder: tweetup #1 Starbucks Alabaster starts in 1 h, Sat 28 Nov, 3:00 PM CST. "
        "@alice @bob");
  CHECK(mention_ids(sent[0]) == std::vector<std::string>{alice.id, bob.id});
  CHECK(sent[0].idempotency_key.starts_with("job:"));
  CHECK(f.tick(start - 1h).empty());  // never twice

  const auto quarter = f.tick(start - 15min);
  REQUIRE(quarter.size() == 1);
  CHECK(contains(quarter[0].plain_text(), "starts in 15 min"));
  const auto starting = f.tick(start);
  REQUIRE(starting.size() == 1);
  CHECK(starting[0].plain_text() ==
        "Tweetup #1 Starbucks Alabaster is starting now: Sat 28 Nov, 3:00 PM CST. @alice @bob");
}

TEST_CASE("job_runner: a claimed job not marked sent is sent again with the same key") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  const auto first = f.runner.take_due(start - 1h);  // the process "crashes" before mark_sent
  REQUIRE(first.to_send.size() == 1);
  const auto again = f.runner.take_due(start - 1h + 5s);
  REQUIRE(again.to_send.size() == 1);
  CHECK(again.to_send[0].job_id == first.to_send[0].job_id);
  CHECK(again.to_send[0].message->idempotency_key == first.to_send[0].message->idempotency_key);
}

TEST_CASE("job_runner: catch-up after downtime sends one late reminder per event") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  // Down from before 20:00 until 20:50 UTC: both reminders fell due, the event has not started.
  const auto batch = f.runner.take_due(start - 10min);
  REQUIRE(batch.to_send.size() == 1);
  CHECK(contains(batch.to_send[0].message->plain_text(), "starts in 10 min"));
  CHECK(contains(batch.to_send[0].message->plain_text(), "Late: I was offline"));
  REQUIRE(batch.dropped.size() == 1);
  CHECK(batch.dropped[0].reason == "a later catch-up message covers it");
}

TEST_CASE("job_runner: reminders for an event that already started are dropped") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  // Down until 15 minutes after the start: reminders dropped, "starting now" still in grace.
  auto batch = f.runner.take_due(start + 5min);
  CHECK(batch.dropped.size() == 2);
  REQUIRE(batch.to_send.size() == 1);
  CHECK(contains(batch.to_send[0].message->plain_text(), "is starting now"));

  runner_fixture late;
  late.send("!tweetup Starbucks Alabaster 3pm", alice);
  batch = late.runner.take_due(start + 30min);
  CHECK(batch.to_send.empty());
  CHECK(batch.dropped.size() == 3);
}

TEST_CASE("job_runner: the end marks the event past, silently") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  f.tick(start);
  CHECK(f.store.find_event(f.channel, 1)->status == event_status::scheduled);
  CHECK(f.tick(start + default_event_length).empty());
  CHECK(f.store.find_event(f.channel, 1)->status == event_status::past);
  CHECK_FALSE(f.runner.next_due().has_value());
}

TEST_CASE("job_runner: moving re-plans, cancelling removes the pending jobs") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  REQUIRE(f.send("!tweetup move 1 4pm", alice).status == command_status::ok);
  CHECK(f.runner.next_due() == start + 1h - 1h);
  CHECK(f.store.pending_jobs(f.channel).size() == 4);
  CHECK(f.tick(start - 1h + 30s).empty());  // the old 1-hour reminder is gone

  REQUIRE(f.send("!tweetup cancel 1", alice).status == command_status::ok);
  CHECK(f.store.pending_jobs(f.channel).empty());
  CHECK_FALSE(f.runner.next_due().has_value());
}

TEST_CASE("job_runner: a store failure while claiming leaves every job due") {
  runner_fixture f;
  f.send("!tweetup Starbucks Alabaster 3pm", alice);
  f.store.fail_next_write(store_failure::disk_full);
  CHECK_THROWS_AS(f.runner.take_due(start - 1h), store_error);
  CHECK(f.tick(start - 1h).size() == 1);
}
