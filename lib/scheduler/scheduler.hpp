// The one timer of the bot: it sleeps until the earliest due job (or at most a minute), runs what
// fell due through the core's job_runner, and posts the messages to the chat port.
//
// - Due times are wall-clock (system_clock) instants. The timer never sleeps longer than
//   max_sleep, so a jump of the wall clock corrects itself within that time.
// - wake() re-reads the plan at once: call it after any change that may have added an earlier
//   job.
// - Store failures are logged and retried on the next wake-up; a message is marked sent only
//   after the chat port took it, so a crash in between resends it with the same key.
// Executor: everything runs on `ex`; runner, port and time must outlive run().
#pragma once

#include <chrono>
#include <memory>

#include "async/asio.hpp"
#include "core/chat_port.hpp"
#include "core/clock.hpp"
#include "core/job_runner.hpp"

namespace tweetup {

class scheduler {
 public:
  static constexpr std::chrono::seconds max_sleep{60};

  scheduler(async::executor ex, job_runner& runner, chat_port& port, const clock& time);
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
  void run_due();

  struct timer;
  std::unique_ptr<timer> timer_;
  job_runner& runner_;
  chat_port& port_;
  const clock& clock_;
  bool stopping_ = false;
  bool running_ = false;
  std::chrono::steady_clock::time_point last_woke_{};
};

}  // namespace tweetup
