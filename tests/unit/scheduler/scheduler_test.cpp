// The scheduler between the job runner and the chat port: a notice waits for the sync that
// makes its claim durable; a job is sent when its delivery is confirmed, dropped when refused,
// and posted again when delivery is unknown; and a job this process posted is never posted
// again while it waits, nor when the store refused to mark it. A memory store, a fake barrier and
// an io_context polled by hand.
#include "scheduler/scheduler.hpp"

#include <doctest/doctest.h>

#include <date/date.h>
#include <boost/asio/io_context.hpp>

#include "async/supervise.hpp"
#include "core/gathering_service.hpp"
#include "core/store_error.hpp"
#include "support/fake_barrier.hpp"
#include "support/memory_event_store.hpp"
#include "support/scheduler_ports.hpp"

using namespace tweetup;
using namespace std::chrono_literals;

namespace {

struct rig {
  service_options options{"!", "America/Chicago", {1h}};
  memory_event_store store;
  gathering_service service{store, options};
  job_runner runner{store, options};
  // A year ahead of any real clock, so the scheduler's real timer never fires by itself: each
  // turn of its loop is one wake() and one poll.
  test::settable_clock time{date::sys_days{date::year{2099} / 11 / 28} + 16h};  // 10:00 CST
  test::recording_port port;
  fake_barrier barrier;
  boost::asio::io_context io;
  scheduler timer{io.get_executor(), runner, port, time, barrier};

  rig() {
    store.transact([&] {
      service.handle(
          {{"console", "general"}, {"u-alice", "alice"}, "!tweetup Cafe Central 3pm", "m1", false},
          time.now());
    });
    time.at += 4h;  // 2pm: the 1 h reminder is due
    async::supervise(io.get_executor(), timer.run(), "scheduler");
  }
  ~rig() {
    timer.stop();
    barrier.finish();
    io.poll();
  }

  job_state reminder_state() const {
    for (const auto& j : store.all_jobs())
      if (j.kind == job_kind::reminder) return j.state;
    FAIL("no reminder job");
    return job_state::dropped;
  }
  // Runs to the reminder's post, its delivery held: the adapter has not said how it ended.
  void post_held() {
    port.hold = true;
    io.poll();
    barrier.finish();
    io.poll();
  }
  // One more turn of the scheduler's loop, its sync (if it asks for one) finished with `ec`.
  void turn(boost::system::error_code ec = {}) {
    timer.wake();
    io.poll();
    barrier.finish(ec);
    io.poll();
  }
};

}  // namespace

TEST_CASE("a due reminder is posted only once the sync covering its claim is done") {
  rig r;
  r.io.poll();
  CHECK(r.reminder_state() == job_state::sending);
  CHECK(r.barrier.waiting.size() == 1);
  CHECK(r.port.posted.empty());  // claimed, but not yet on disk
  r.barrier.finish();
  r.io.poll();
  REQUIRE(r.port.posted.size() == 1);
  CHECK(r.port.posted[0].plain_text().find("Reminder: tweetup") == 0);
  CHECK(r.reminder_state() == job_state::sent);
}

// The real syncer's failure lasts until a restart; one that passes again (this fake) shows the
// jobs were left to be claimed, as the restart claims them.
TEST_CASE("a failed sync holds the notice back, and a later wake-up sends it once") {
  rig r;
  r.io.poll();
  r.barrier.finish(boost::system::errc::make_error_code(boost::system::errc::io_error));
  r.io.poll();
  CHECK(r.port.posted.empty());
  CHECK(r.reminder_state() == job_state::sending);
  r.turn();
  CHECK(r.port.posted.size() == 1);
  CHECK(r.reminder_state() == job_state::sent);
}

TEST_CASE("a reminder the store refused to mark sent is marked first, not posted again") {
  rig r;
  // The claim's write (sending) succeeds; marking it sent finds the database busy.
  r.store.fail_next_write(store_failure::busy, 1);
  r.io.poll();
  r.barrier.finish();
  r.io.poll();
  REQUIRE(r.port.posted.size() == 1);
  CHECK(r.reminder_state() == job_state::sending);
  r.turn();
  r.turn();
  CHECK(r.port.posted.size() == 1);
  CHECK(r.reminder_state() == job_state::sent);
}

TEST_CASE("drain_and_stop syncs inline before its last notices, and marks them") {
  rig r;
  r.timer.drain_and_stop();
  CHECK(r.barrier.inline_syncs == 1);
  CHECK(r.port.posted.size() == 1);
  CHECK(r.reminder_state() == job_state::sent);
}

TEST_CASE("a notice is marked sent only when the adapter confirms it, and not claimed meanwhile") {
  rig r;
  r.post_held();
  REQUIRE(r.port.posted.size() == 1);
  CHECK(r.reminder_state() == job_state::sending);
  r.turn();  // a wake-up while it is on its way does not post it again
  CHECK(r.port.posted.size() == 1);
  r.port.settle(0, delivery::delivered);
  r.io.poll();  // settling woke the scheduler, which records it
  CHECK(r.reminder_state() == job_state::sent);
  r.port.settle(0, delivery::delivered);  // told twice: no harm
  r.turn();
  CHECK(r.port.posted.size() == 1);
}

TEST_CASE("a notice the chat refused is dropped, not sent again") {
  rig r;
  r.post_held();
  r.port.settle(0, delivery::refused);
  r.io.poll();
  CHECK(r.reminder_state() == job_state::dropped);
  r.turn();
  CHECK(r.port.posted.size() == 1);
}

TEST_CASE("a notice whose delivery is unknown goes again at the next wake-up, with its key") {
  rig r;
  r.post_held();
  r.port.settle(0, delivery::unknown);
  r.io.poll();
  CHECK(r.port.posted.size() == 1);  // not at once: a dead connection would make a loop
  CHECK(r.reminder_state() == job_state::sending);
  r.time.at += 2min;  // the next wake-up, past the minute after which a job counts as late
  r.turn();
  REQUIRE(r.port.posted.size() == 2);
  CHECK(r.port.posted[1].idempotency_key == r.port.posted[0].idempotency_key);
  // It went out on time the first time; the bot was not offline.
  CHECK(r.port.posted[1].plain_text().find("Late") == std::string::npos);
  r.port.settle(1, delivery::delivered);
  r.io.poll();
  CHECK(r.reminder_state() == job_state::sent);
}

TEST_CASE("a console that ends while a claim waits for its sync posts the notice once") {
  rig r;
  r.io.poll();  // run() claimed the reminder and waits for the sync
  REQUIRE(r.barrier.waiting.size() == 1);
  r.timer.drain_and_stop();  // claims it again, syncs inline (finishing run()'s wait), posts
  r.io.poll();               // run() resumes, stopped
  CHECK(r.port.posted.size() == 1);
  CHECK(r.reminder_state() == job_state::sent);
}
