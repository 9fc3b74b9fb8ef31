#include "scheduler/scheduler.hpp"

#include <array>

#include <boost/asio/steady_timer.hpp>
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

  void count_sent(job_kind kind, bool was_late) {
    if (auto* c = table_[index(kind)][was_late ? late : sent]) c->inc();
  }
  void count_dropped(const dropped_job& d) {
    if (auto* c = table_[index(d.kind)][dropped]) c->inc();
  }

 private:
  enum result { sent, late, dropped };
  static std::size_t index(job_kind kind) { return static_cast<std::size_t>(kind); }

  std::array<std::array<metrics::counter*, 3>, 5> table_{};
};

// Logged here, the one place; the jobs stay due (or posted, to be marked) and are tried again
// on the next wake-up.
void log_store_failure(const store_error& e) {
  layer_log("scheduler")->error("scheduler could not read or update jobs: {}", e.what());
}

// Nothing is said of a claim, or of a change a notice speaks of, that may not be on disk. The
// jobs stay `sending`; the syncer's failure lasts until a restart, which claims them.
void log_held_back(boost::system::error_code sync_error) {
  layer_log("scheduler")
      ->error("scheduled messages held back: syncing the database failed: {}",
              sync_error.message());
}

job_counters& counters() {
  static job_counters instance;
  return instance;
}

}  // namespace

struct scheduler::timer {
  explicit timer(async::executor ex) : t(std::move(ex)) {}
  async::asio::system_timer t;
};

scheduler::scheduler(async::executor ex, job_runner& runner, chat_port& port, const clock& time,
                     durability_barrier& durable)
    : timer_(std::make_unique<timer>(std::move(ex))),
      runner_(runner),
      port_(port),
      clock_(time),
      durable_(durable),
      self_(std::make_shared<scheduler*>(this)) {}

scheduler::~scheduler() = default;

std::optional<due_batch> scheduler::claim_due() {
  try {
    mark_finished();
    due_batch batch = runner_.take_due(clock_.now(), in_flight_, retried_);
    for (const auto& dropped : batch.dropped) {
      retried_.erase(dropped.job_id);
      layer_log("scheduler")->info("job {} dropped: {}", dropped.job_id, dropped.reason);
      counters().count_dropped(dropped);
    }
    return batch;
  } catch (const store_error& e) {
    log_store_failure(e);
    return std::nullopt;
  }
}

async::task<boost::system::error_code> scheduler::until_durable() {
  // Shared with the completion, which may outlive this frame if the executor is torn down.
  struct wait {
    explicit wait(async::executor ex) : signal(std::move(ex), time_point::max()) {}
    using time_point = async::asio::steady_timer::time_point;
    async::asio::steady_timer signal;
    std::optional<boost::system::error_code> result;
  };
  auto w = std::make_shared<wait>(timer_->t.get_executor());
  durable_.after_commit([weak = std::weak_ptr<wait>(w)](boost::system::error_code ec) {
    if (const auto self = weak.lock()) {
      self->result = ec;
      self->signal.cancel();
    }
  });
  while (!w->result)
    co_await w->signal.async_wait(async::nothrow);
  co_return *w->result;
}

void scheduler::post(due_batch& batch) {
  for (auto& due : batch.to_send) {
    in_flight_.insert(due.job_ids.begin(), due.job_ids.end());
    due.message.on_settled = [self = std::weak_ptr<scheduler*>(self_), ids = due.job_ids,
                              kind = due.kind, late = due.late](delivery how) {
      if (const auto alive = self.lock()) (*alive)->settled(ids, kind, late, how);
    };
    port_.post(std::move(due.message));
  }
}

void scheduler::settled(const std::vector<std::int64_t>& ids, job_kind kind, bool late,
                        delivery how) {
  if (ids.empty() || !in_flight_.contains(ids.front())) return;  // told already
  for (const auto id : ids) {
    in_flight_.erase(id);
    if (how == delivery::unknown && !late) {
      retried_.insert(id);
    } else {
      retried_.erase(id);
    }
  }
  auto log = layer_log("scheduler");
  switch (how) {
    case delivery::delivered:
      counters().count_sent(kind, late);
      for (const auto id : ids)
        finished_.emplace_back(id, job_state::sent);
      break;
    case delivery::refused:
      for (const auto id : ids) {
        log->warn("job {} dropped: the chat refused its message", id);
        counters().count_dropped({id, {}, kind});
        finished_.emplace_back(id, job_state::dropped);
      }
      break;
    case delivery::unknown:
      // Still `sending`: the next wake-up (within max_sleep) claims and posts it again, with
      // the same idempotency key. Not at once, so a dead connection does not make a loop.
      log->warn("job {} not confirmed delivered; it goes again at the next wake-up", ids.front());
      return;
  }
  if (!stopping_) wake();  // to record it
}

void scheduler::mark_finished() {
  if (finished_.empty()) return;
  runner_.finish(finished_, clock_.now());
  finished_.clear();
}

async::task<void> scheduler::run() {
  layer_log("scheduler")->info("scheduler running");
  running_ = true;
  while (!stopping_) {
    last_woke_ = std::chrono::steady_clock::now();
    std::chrono::sys_seconds wake_at = clock_.now() + max_sleep;
    auto batch = claim_due();
    if (batch && !batch->to_send.empty()) {
      const auto ec = co_await until_durable();
      if (stopping_) {
        // Stopped meanwhile: drain_and_stop claimed these jobs again and posted them, or the
        // bot is going down and the next start posts them (they stay `sending`).
        break;
      }
      if (ec) {
        log_held_back(ec);
        batch.reset();
      } else {
        post(*batch);
      }
    }
    if (batch) {
      try {
        mark_finished();
        if (const auto next = runner_.next_due(); next && *next < wake_at) wake_at = *next;
      } catch (const store_error& e) {
        log_store_failure(e);
      }
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
  if (auto batch = claim_due(); batch && !batch->to_send.empty()) {
    if (const auto ec = durable_.sync_now(); ec) {
      log_held_back(ec);
    } else {
      post(*batch);
    }
  }
  try {
    mark_finished();
  } catch (const store_error& e) {
    log_store_failure(e);
  }
  stop();
}

void scheduler::stop() {
  stopping_ = true;
  timer_->t.cancel();
}

}  // namespace tweetup
