// What the SQLite store reports to /metrics: the transaction-time histogram and the count behind
// the jobs_pending gauge. The histogram is process-wide, so the checks compare before and after.
#include <doctest/doctest.h>

#include <stdexcept>

#include <date/date.h>

#include "metrics/bot_metrics.hpp"
#include "storage/sqlite_event_store.hpp"

using namespace tweetup;
using namespace std::chrono_literals;

namespace {

const std::chrono::sys_seconds now = date::sys_days{date::year{2026} / 11 / 28} + 16h;

event make_event() {
  event e;
  e.channel = {"console", "console"};
  e.organizer = {"u-alice", "alice"};
  e.place = "Cafe";
  e.starts_at = now + 3h;
  e.zone = "UTC";
  e.created_at = now;
  return e;
}

job pending(job_kind kind, std::chrono::sys_seconds due) {
  return job{0, 0, kind, 0s, due, job_state::pending, {}};
}

}  // namespace

TEST_CASE("every transaction, committed or rolled back, is timed in the histogram") {
  const auto& seconds = metrics::bot_metrics::get().db_transaction_seconds.get();
  sqlite_event_store store(":memory:");
  const auto count_before = seconds.count();
  const auto sum_before = seconds.sum();
  store.transact([&] { store.insert_event(make_event()); });
  CHECK_THROWS_AS(store.transact([] { throw std::runtime_error("rolled back"); }),
                  std::runtime_error);
  CHECK(seconds.count() == count_before + 2);
  CHECK(seconds.sum() > sum_before);
  std::uint64_t in_buckets = 0;
  for (const auto n : seconds.bucket_counts())
    in_buckets += n;
  CHECK(in_buckets == seconds.count());
}

TEST_CASE("count_pending_jobs counts jobs not yet delivered: pending and sending") {
  sqlite_event_store store(":memory:");
  CHECK(store.count_pending_jobs() == 0);
  const event e = store.insert_event(make_event());
  store.replace_pending_jobs(
      e.id, {pending(job_kind::reminder, now + 1h), pending(job_kind::starting, now + 3h),
             pending(job_kind::past, now + 5h)});
  CHECK(store.count_pending_jobs() == 3);
  const auto due = store.due_jobs(now + 3h, 10);
  REQUIRE(due.size() == 2);
  store.set_job_state(due[0].id, job_state::sent, now + 1h);
  store.set_job_state(due[1].id, job_state::sending, now + 3h);
  CHECK(store.count_pending_jobs() == 2);  // the sending one is still owed
  store.set_job_state(due[1].id, job_state::dropped, now + 3h);
  CHECK(store.count_pending_jobs() == 1);
}
