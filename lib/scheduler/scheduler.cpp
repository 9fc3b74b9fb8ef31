#include "scheduler/scheduler.hpp"

#include <array>

#include <boost/asio/system_timer.hpp>

#include "core/store_error.hpp"
#include "logging/layer_log.hpp"
#include "metrics/bot_metrics.hpp"

namespace tweetup {
namespace {

// The tweetup_reminders_total series, looked up once, indexed by job kind and result. "past"
// jobs say nothing, so they are not counted; only reminders and "starting now" can be late.
class job_counters {
 public:
  job_counters() {
    auto& family = metrics::bot_metrics::get().reminders;
    for (const auto kind :
         {job_kind::reminder, job_kind::starting, job_kind::reannounce, job_kind::promotion}) {
      const bool can_be_late = kind == job_kind::reminder || kind == job_kind::starting;
      auto& row = table_[index(kind)];
      row[sent] = &family.with({job_kind_name(kind), "sent"});
      row[late] = can_be_late ? &family.with({job_kind_name(kind), "late"}) : row[sent];
      row[dropped] = &family.with({job_kind_name(kind), "dropped"});
    }
  }

  void count_sent(const due_message& m) {
    if (auto* c = table_[index(m.kind)][m.late ? late : sent]) c->inc();
  }
  void count_dropped(const dropped_job& d) {
    if (auto* c = table_[index(d.kind)][dropped]) c->inc();
  }

 private:
  enum result { sent, late, dropped };
  static std::size_t index(job_kind kind) { return static_cast<std::size_t>(kind); }

  std::array<std::array<metrics::counter*, 3>, 5> table_{};
};

job_counters& counters() {
  static job_counters instance;
  return instance;
}

}  // namespace

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
    counters().count_dropped(dropped);
  }
  for (const auto& due : batch.to_send) {
    port_.post(due.message);
    counters().count_sent(due);
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
