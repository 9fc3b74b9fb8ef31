// session_timer on a real io_context. No sleeps: deadlines are either already past or far
// away, and poll() runs what is ready, so each check sees whether a step() is still waiting.
#include "async/session_timer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace {

using tweetup::async::session_timer;
using clock_type = session_timer::clock;
namespace asio = boost::asio;

tweetup::async::task<void> one_step(session_timer* timer, std::optional<bool>* result) {
  const bool due = co_await timer->step();
  *result = due;
}

// A timer and the state of one run() over it: the condition it runs while, how many deadlines
// came due, and how it ended (not yet, or with or without an exception).
struct run_rig {
  asio::io_context io;
  session_timer timer{io.get_executor()};
  int due = 0;
  bool go_on = true;
  bool ended = false;
  std::exception_ptr error;

  void start(std::function<void()> on_due) {
    asio::co_spawn(io, timer.run([this] { return go_on; }, std::move(on_due)),
                   [this](std::exception_ptr e) {
                     ended = true;
                     error = e;
                   });
  }
};

// Starts one step() and runs the context until it finished or waits.
std::optional<bool> start_step(asio::io_context& io, session_timer& timer,
                               std::optional<bool>& result) {
  result.reset();
  asio::co_spawn(io, one_step(&timer, &result), asio::detached);
  io.poll();
  io.restart();
  return result;
}

}  // namespace

TEST_CASE("a deadline that has passed is due at once, and only once") {
  asio::io_context io;
  session_timer timer(io.get_executor());
  std::optional<bool> result;
  timer.set(clock_type::now() - std::chrono::seconds(1));
  CHECK(start_step(io, timer, result) == std::optional<bool>(true));
  // Cleared: the next step waits, as for no deadline at all, until something ends the wait.
  CHECK_FALSE(start_step(io, timer, result).has_value());
  timer.interrupt();
  io.poll();
  CHECK(result == std::optional<bool>(false));
}

TEST_CASE("a new deadline ends the wait, and the next step sees it") {
  asio::io_context io;
  session_timer timer(io.get_executor());
  std::optional<bool> result;
  timer.set(clock_type::now() + std::chrono::hours(1));
  CHECK_FALSE(start_step(io, timer, result).has_value());
  timer.set(clock_type::now() - std::chrono::milliseconds(1));
  io.poll();
  io.restart();
  CHECK(result == std::optional<bool>(false));  // woken, not yet due for the caller
  CHECK(start_step(io, timer, result) == std::optional<bool>(true));
}

TEST_CASE("setting the deadline already set leaves the wait alone") {
  asio::io_context io;
  session_timer timer(io.get_executor());
  std::optional<bool> result;
  const auto later = clock_type::now() + std::chrono::hours(1);
  timer.set(later);
  CHECK_FALSE(start_step(io, timer, result).has_value());
  timer.set(later);
  io.poll();
  io.restart();
  CHECK_FALSE(result.has_value());
  // interrupt() ends it and keeps the deadline: the next step waits for it again.
  timer.interrupt();
  io.poll();
  io.restart();
  CHECK(result == std::optional<bool>(false));
  CHECK_FALSE(start_step(io, timer, result).has_value());
  timer.interrupt();
  io.poll();
}

TEST_CASE("run() calls back for each passed deadline while its condition holds") {
  run_rig r;
  // Each call back sets the next deadline, already passed, until the third turns it off.
  r.timer.set(clock_type::now() - std::chrono::hours(1));
  r.start([&r] {
    if (++r.due == 3) r.go_on = false;
    r.timer.set(clock_type::now() - std::chrono::seconds(r.due));
  });
  r.io.run();
  CHECK(r.due == 3);
  CHECK(r.ended);
  CHECK_FALSE(r.error);
}

TEST_CASE("run() waits while nothing is due and ends when its condition stops holding") {
  run_rig r;
  r.timer.set(clock_type::now() + std::chrono::hours(1));
  r.start([&r] { ++r.due; });
  r.io.poll();
  r.io.restart();
  CHECK_FALSE(r.ended);
  r.go_on = false;
  r.timer.interrupt();  // what the shells do when their own condition changes
  r.io.poll();
  CHECK(r.ended);
  CHECK_FALSE(r.error);
  CHECK(r.due == 0);
}

TEST_CASE("jitter lies from 0 up to, not including, 1") {
  asio::io_context io;
  session_timer timer(io.get_executor());
  double low = 1.0;
  double high = 0.0;
  for (int i = 0; i < 10000; ++i) {
    const double x = timer.jitter();
    REQUIRE(x >= 0.0);
    REQUIRE(x < 1.0);
    low = std::min(low, x);
    high = std::max(high, x);
  }
  // Spread over the range, not stuck at one end.
  CHECK(low < 0.01);
  CHECK(high > 0.99);
}
