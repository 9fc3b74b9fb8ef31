// The timer of a pure protocol session (gateway_session, irc_session) in its async shell. The
// session asks for its next on_timer() call with a wake-up time (its `wake_at` action); this
// keeps that one deadline and the steady_timer that waits for it, and draws the jitter the
// sessions take for their randomized delays.
//
// - set(at) replaces the deadline; a wait in progress ends and the next step() waits for the
//   new one. Setting the deadline already set changes nothing (most batches repeat the next
//   heartbeat's).
// - step() is one turn of the shell's loop: when the deadline has passed it clears it and
//   returns true, and the caller runs the session's timer; otherwise it waits once, until the
//   deadline, a set(), an interrupt() or cancellation, and returns false.
// - interrupt() ends a wait early and keeps the deadline, for loops whose own conditions
//   changed (a connect is needed, the shell stops).
// - run() is the shell's loop itself: step() after step(), calling `on_due` for each passed
//   deadline, for as long as `go_on()` holds and the task is not cancelled (as one side of
//   `||`, it ends when the other side does).
// Executor: everything on the one given; not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <random>

#include <boost/asio/steady_timer.hpp>

#include "async/asio.hpp"

namespace tweetup::async {

class session_timer {
 public:
  using clock = std::chrono::steady_clock;

  explicit session_timer(executor ex);

  void set(clock::time_point at);
  void interrupt() { timer_.cancel(); }
  task<bool> step();
  task<void> run(std::function<bool()> go_on, std::function<void()> on_due);
  // Uniform in [0, 1), from a generator seeded once per timer.
  double jitter();

 private:
  asio::steady_timer timer_;
  std::optional<clock::time_point> at_;
  std::mt19937_64 random_;
};

}  // namespace tweetup::async
