// run_batched on a real io_context, driven by its own timers: the loop's sleeps are what is
// under test, so the figures are wake-ups counted, with bounds loose enough for a loaded CI
// machine (a batch may come later than asked, never earlier than its event).
#include "async/batched_run.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// `count` timers due `spacing` apart from `start`; each records how late it ran.
struct timer_train {
  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  std::vector<clock_type::duration> lateness;

  timer_train(asio::io_context& io, clock_type::time_point start, int count,
              clock_type::duration spacing) {
    for (int i = 0; i < count; ++i) {
      const auto due = start + i * spacing;
      timers.push_back(std::make_unique<asio::steady_timer>(io, due));
      timers.back()->async_wait([this, due](const boost::system::error_code&) {
        lateness.push_back(clock_type::now() - due);
      });
    }
  }
};

}  // namespace

TEST_CASE("with no window it runs every handler, as run() does, and never holds") {
  asio::io_context io{1};
  int ran = 0;
  for (int i = 0; i < 5; ++i)
    asio::post(io, [&] { ++ran; });
  const auto stats = tweetup::async::run_batched(io, 0us);
  CHECK(ran == 5);
  CHECK(stats.handlers == 5);
  CHECK(stats.holds == 0);
  CHECK(stats.batches >= 1);
}

TEST_CASE("events closer together than the window are taken a window's worth at a time") {
  asio::io_context io{1};
  // 60 events over 59 ms. Alone, each would be a wake-up of its own; with a 25 ms window
  // the first is taken at once, and the rest in a few batches.
  timer_train train(io, clock_type::now() + 5ms, 60, 1ms);
  const auto stats = tweetup::async::run_batched(io, 25ms);
  REQUIRE(train.lateness.size() == 60);
  CHECK(stats.batches <= 12);
  CHECK(stats.holds >= 2);
  // Held, not lost: every event ran, none before it was due (steady_timer's own promise), and
  // none held much past one window (the bound leaves room for a busy machine).
  for (const auto late : train.lateness)
    CHECK(late < 25ms + 250ms);
}

TEST_CASE("an event after a quiet spell is not held") {
  asio::io_context io{1};
  // Two lone events a whole second apart, with a window of 400 ms: neither wait was short, so
  // neither batch holds, and the run ends as soon as the second event has run.
  const auto start = clock_type::now();
  timer_train train(io, start + 20ms, 2, 1000ms);
  const auto stats = tweetup::async::run_batched(io, 400ms);
  REQUIRE(train.lateness.size() == 2);
  CHECK(stats.holds == 0);
  CHECK(train.lateness[0] < 200ms);
  CHECK(train.lateness[1] < 200ms);
}

TEST_CASE("a stop ends the run without sleeping out the window") {
  asio::io_context io{1};
  // Events 1 ms apart make the second batch a held one, unless the stop comes first: the run
  // must end right after the handler that stops it, not a window later.
  const auto start = clock_type::now();
  int ran = 0;
  asio::steady_timer first(io, start + 1ms), second(io, start + 2ms), third(io, start + 3ms);
  first.async_wait([&](const boost::system::error_code&) { ++ran; });
  second.async_wait([&](const boost::system::error_code&) {
    ++ran;
    io.stop();
  });
  third.async_wait([&](const boost::system::error_code&) { ++ran; });
  const auto stats = tweetup::async::run_batched(io, 2000ms);
  CHECK(clock_type::now() - start < 1000ms);
  CHECK(ran >= 2);
  CHECK(stats.handlers == static_cast<std::size_t>(ran));
}

TEST_CASE("auto batches where a wake-up is dear, and not where it is cheap") {
  using tweetup::async::auto_batch_window;
  CHECK(auto_batch_window(45us) == tweetup::async::auto_window);
  CHECK(auto_batch_window(3us) == 0us);
  CHECK(auto_batch_window(tweetup::async::worth_batching) == 0us);
}

TEST_CASE("a measured wake-up costs some CPU, and far less than a second") {
  // The figure itself belongs to the host; what holds everywhere is that a sleep takes the
  // thread through the kernel (never free) and that the median shrugs off one slow sample.
  const auto cost = tweetup::async::measure_wake_cost(5);
  CHECK(cost > 0ns);
  CHECK(cost < 100ms);
}
