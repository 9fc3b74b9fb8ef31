#include <doctest/doctest.h>

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
  const auto jobs = plan_jobs(starting_at(start), defaults, default_now);
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
  const auto jobs = plan_jobs(starting_at(default_now + 2h), defaults, default_now);
  REQUIRE(jobs.size() == 4);
  CHECK(jobs[0].offset == 1h);
  CHECK(jobs[1].offset == 15min);
  // Exactly one hour away: that reminder would be due now, which is not ahead.
  CHECK(plan_jobs(starting_at(default_now + 1h), defaults, default_now).size() == 3);
}

TEST_CASE("job_plan: seconds-level offsets, duplicates once, zero ignored, end respected") {
  event e = starting_at(default_now + 10s);
  e.ends_at = default_now + 1h;
  const std::vector<std::chrono::seconds> offsets{5s, 5s, 0s, 2s};
  const auto jobs = plan_jobs(e, offsets, default_now);
  REQUIRE(jobs.size() == 4);
  CHECK(jobs[0].due_at == default_now + 5s);
  CHECK(jobs[1].due_at == default_now + 8s);
  CHECK(jobs[2].kind == job_kind::starting);
  CHECK(jobs[3].due_at == default_now + 1h);
}

TEST_CASE("job_plan: cancelled and past events need no jobs") {
  event e = starting_at(default_now + 48h);
  e.status = event_status::cancelled;
  CHECK(plan_jobs(e, defaults, default_now).empty());
  e.status = event_status::past;
  CHECK(plan_jobs(e, defaults, default_now).empty());
}
