#include "scheduler/scheduler.hpp"

#include <boost/asio/system_timer.hpp>

#include "core/store_error.hpp"
#include "logging/layer_log.hpp"

namespace tweetup {

struct scheduler::timer {
  explicit timer(async::executor ex) : t(std::move(ex)) {}
  async::asio::system_timer t;
};

scheduler::scheduler(async::executor ex, job_runner& runner, chat_port& port, const clock& time)
    : timer_(std::make_unique<timer>(std::move(ex))), runner_(runner), port_(port), clock_(time) {}

scheduler::~scheduler() = default;

void scheduler::run_due() {
  const auto now = clock_.now();
  const due_batch batch = runner_.take_due(now);
  for (const auto& dropped : batch.dropped) {
    layer_log("scheduler")->info("job {} dropped: {}", dropped.job_id, dropped.reason);
  }
  for (const auto& due : batch.to_send) {
    port_.post(due.message);
    runner_.mark_sent(due, now);
  }
}

async::task<void> scheduler::run() {
  layer_log("scheduler")->info("scheduler running");
  running_ = true;
  while (!stopping_) {
    last_woke_ = std::chrono::steady_clock::now();
    std::chrono::sys_seconds wake_at = clock_.now() + max_sleep;
    try {
      run_due();
      if (const auto next = runner_.next_due(); next && *next < wake_at) wake_at = *next;
    } catch (const store_error& e) {
      // Logged here, the one place; the jobs stay due and are tried again on the next wake-up.
      layer_log("scheduler")->error("scheduler could not read or update jobs: {}", e.what());
    }
    timer_->t.expires_at(std::chrono::system_clock::time_point(wake_at));
    co_await timer_->t.async_wait(async::nothrow);  // cancelled by wake() and stop()
  }
  running_ = false;
  layer_log("scheduler")->info("scheduler stopped");
}

void scheduler::wake() {
  timer_->t.cancel();
}

void scheduler::drain_and_stop() {
  try {
    run_due();
  } catch (const store_error& e) {
    layer_log("scheduler")->error("scheduler could not run the last due jobs: {}", e.what());
  }
  stop();
}

void scheduler::stop() {
  stopping_ = true;
  timer_->t.cancel();
}

}  // namespace tweetup
