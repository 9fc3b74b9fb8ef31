#include <doctest/doctest.h>

#include <date/tz.h>

#include "core/job_plan.hpp"
#include "service_fixture.hpp"

using namespace tweetup;
using namespace tweetup::testing;
using namespace std::chrono_literals;

namespace {

event starting_at(std::chrono::sys_seconds start) {
  event e;
  e.id = 7;
  e.starts_at = start;
  return e;
}

const std::vector<std::chrono::seconds> defaults{24h, 1h, 15min};

}  // namespace

TEST_CASE("job_plan: every offset still ahead, then starting, then past") {
  const auto start = default_now + 48h;
  const auto jobs = plan_jobs(starting_at(start), {defaults, std::nullopt, nullptr}, default_now);
  REQUIRE(jobs.size() == 5);
  CHECK(jobs[0].kind == job_kind::reminder);
  CHECK(jobs[0].offset == 24h);
  CHECK(jobs[0].due_at == start - 24h);
  CHECK(jobs[1].due_at == start - 1h);
  CHECK(jobs[2].due_at == start - 15min);
  CHECK(jobs[3].kind == job_kind::starting);
  CHECK(jobs[3].due_at == start);
  CHECK(jobs[4].kind == job_kind::past);
  CHECK(jobs[4].due_at == start + default_event_length);
  for (const auto& j : jobs) {
    CHECK(j.event_id == 7);
    CHECK(j.state == job_state::pending);
  }
}

TEST_CASE("job_plan: offsets that already passed are skipped") {
  // Two hours away: no "24 h before" reminder.
  const auto jobs =
      plan_jobs(starting_at(default_now + 2h), {defaults, std::nullopt, nullptr}, default_now);
  REQUIRE(jobs.size() == 4);
  CHECK(jobs[0].offset == 1h);
  CHECK(jobs[1].offset == 15min);
  // Exactly one hour away: that reminder would be due now, which is not ahead.
  CHECK(plan_jobs(starting_at(default_now + 1h), {defaults, std::nullopt, nullptr}, default_now)
            .size() == 3);
}

TEST_CASE("job_plan: seconds-level offsets, duplicates once, zero ignored, end respected") {
  event e = starting_at(default_now + 10s);
  e.ends_at = default_now + 1h;
  const std::vector<std::chrono::seconds> offsets{5s, 5s, 0s, 2s};
  const auto jobs = plan_jobs(e, {offsets, std::nullopt, nullptr}, default_now);
  REQUIRE(jobs.size() == 4);
  CHECK(jobs[0].due_at == default_now + 5s);
  CHECK(jobs[1].due_at == default_now + 8s);
  CHECK(jobs[2].kind == job_kind::starting);
  CHECK(jobs[3].due_at == default_now + 1h);
}

TEST_CASE("job_plan: cancelled and past events need no jobs") {
  event e = starting_at(default_now + 48h);
  e.status = event_status::cancelled;
  CHECK(plan_jobs(e, {defaults, std::nullopt, nullptr}, default_now).empty());
  e.status = event_status::past;
  CHECK(plan_jobs(e, {defaults, std::nullopt, nullptr}, default_now).empty());
}

TEST_CASE("job_plan: the morning re-announcement falls on the start's local day") {
  const auto* chicago = date::locate_zone("America/Chicago");
  // Sunday 29 Nov, 3 pm CST (21:00 UTC); 9 am CST that day is 15:00 UTC.
  const auto start = utc(2026, 11, 29, 21, 0);
  const auto jobs = plan_jobs(starting_at(start), {{}, 9h, chicago}, default_now);
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].kind == job_kind::reannounce);
  CHECK(jobs[0].due_at == utc(2026, 11, 29, 15, 0));

  // Today's 9 am has passed (it is 10:15): no re-announcement for an event this afternoon.
  CHECK(plan_jobs(starting_at(utc(2026, 11, 28, 21, 0)), {{}, 9h, chicago}, default_now).size() ==
        2);
  // An event at 8 am starts before its own morning announcement: none.
  CHECK(plan_jobs(starting_at(utc(2026, 11, 29, 14, 0)), {{}, 9h, chicago}, default_now).size() ==
        2);
  // Off when no time is set.
  CHECK(plan_jobs(starting_at(start), {{}, std::nullopt, chicago}, default_now).size() == 2);
}

TEST_CASE("job_plan: the morning is read in the event's zone across DST") {
  const auto* berlin = date::locate_zone("Europe/Berlin");
  // Sunday 29 March 2026 is the EU spring-forward day: 09:00 CEST is 07:00 UTC.
  const auto start = utc(2026, 3, 29, 16, 0);
  const auto jobs = plan_jobs(starting_at(start), {{}, 9h, berlin}, utc(2026, 3, 27, 12, 0));
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].due_at == utc(2026, 3, 29, 7, 0));
}
