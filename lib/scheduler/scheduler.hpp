// The one timer of the bot: it sleeps until the earliest due job (or at most a minute), runs what
// fell due through the core's job_runner, and posts the messages to the chat port.
//
// - Due times are wall-clock (system_clock) instants. The timer never sleeps longer than
//   max_sleep, so a jump of the wall clock corrects itself within that time.
// - wake() re-reads the plan at once: call it after any change that may have added an earlier
//   job.
// - A notice goes out only once what it speaks of is on disk: the claim that took its jobs is
//   followed by a wait on `durable`, which also covers every command committed before it. A
//   notice about a change a crash could still undo is never sent.
// - A job is marked sent only once the adapter says its message was delivered
//   (outbound_message::on_settled), so a crash or a lost connection before that sends it again
//   with the same key; dropped when the chat refused it for good. Until the adapter tells, the
//   job is in flight and not claimed again.
// - Store failures are logged and retried on the next wake-up. When marking fails (a busy or
//   full disk), the jobs are marked first on the next wake-up, before anything new is claimed:
//   this process never posts a job twice.
// Executor: everything runs on `ex`; runner, port, time and durable must outlive run().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "async/asio.hpp"
#include "async/durability_barrier.hpp"
#include "core/chat_port.hpp"
#include "core/clock.hpp"
#include "core/job_runner.hpp"

namespace tweetup {

class scheduler {
 public:
  static constexpr std::chrono::seconds max_sleep{60};

  scheduler(async::executor ex, job_runner& runner, chat_port& port, const clock& time,
            durability_barrier& durable);
  ~scheduler();

  async::task<void> run();
  void wake();
  void stop();
  // Runs whatever is due now, then stops: for a session that ends while its output still works
  // (end of input on the console), so a notice owed right now is not left for the next start.
  void drain_and_stop();

  // For the health check: run() has started and not ended, and when its loop last woke
  // (steady clock; at least every max_sleep while it runs).
  bool running() const { return running_; }
  std::chrono::steady_clock::time_point last_woke() const { return last_woke_; }

 private:
  // Marks what was posted, then claims what is due now; nothing when the store failed (logged).
  std::optional<due_batch> claim_due();
  async::task<boost::system::error_code> until_durable();
  void post(due_batch& batch);
  void settled(const std::vector<std::int64_t>& ids, job_kind kind, bool late, delivery how);
  // Records finished_; throws store_error, and then keeps them for the next try.
  void mark_finished();

  struct timer;
  std::unique_ptr<timer> timer_;
  job_runner& runner_;
  chat_port& port_;
  const clock& clock_;
  durability_barrier& durable_;
  std::set<std::int64_t> in_flight_;  // posted; the adapter has not said how delivery ended
  std::set<std::int64_t> retried_;    // posted on time, delivery unknown: not late when resent
  std::vector<std::pair<std::int64_t, job_state>>
      finished_;  // delivered or refused, not yet recorded
  // For the adapters' on_settled, which may come after this scheduler is gone.
  std::shared_ptr<scheduler*> self_;
  bool stopping_ = false;
  bool running_ = false;
  std::chrono::steady_clock::time_point last_woke_{};
};

}  // namespace tweetup
