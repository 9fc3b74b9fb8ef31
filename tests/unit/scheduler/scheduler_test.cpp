// The scheduler between the job runner and the chat port: a notice waits for the sync that
// makes its claim durable, and a job this process posted is never posted again, even when the
// store refused to mark it sent. A memory store, a fake barrier and an io_context polled by hand.
#include "scheduler/scheduler.hpp"

#include <doctest/doctest.h>

#include <date/date.h>
#include <boost/asio/io_context.hpp>

#include "async/supervise.hpp"
#include "core/gathering_service.hpp"
#include "core/store_error.hpp"
#include "support/fake_barrier.hpp"
#include "support/memory_event_store.hpp"

using namespace tweetup;
using namespace std::chrono_literals;

namespace {

// A year ahead of any real clock, so the scheduler's real timer never fires by itself: each
// turn of its loop is one wake() and one poll.
struct set_clock final : clock {
  std::chrono::sys_seconds at = date::sys_days{date::year{2099} / 11 / 28} + 16h;  // 10:00 CST
  std::chrono::sys_seconds now() const override { return at; }
};

struct recording_port final : chat_port {
  std::vector<outbound_message> posted;
  void post(outbound_message m) override { posted.push_back(std::move(m)); }
};

struct rig {
  service_options options{"!", "America/Chicago", {1h}};
  memory_event_store store;
  gathering_service service{store, options};
  job_runner runner{store, options};
  set_clock time;
  recording_port port;
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

TEST_CASE("a console that ends while a claim waits for its sync posts the notice once") {
  rig r;
  r.io.poll();  // run() claimed the reminder and waits for the sync
  REQUIRE(r.barrier.waiting.size() == 1);
  r.timer.drain_and_stop();  // claims it again, syncs inline (finishing run()'s wait), posts
  r.io.poll();               // run() resumes, stopped
  CHECK(r.port.posted.size() == 1);
  CHECK(r.reminder_state() == job_state::sent);
}
